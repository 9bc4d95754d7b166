//! POCO's `Mail` sample (Net/samples/Mail and NetSSL_OpenSSL/samples/Mail): send a message
//! with a text body and, with `--attach`, a file as an attachment, over SMTP, STARTTLS or
//! implicit TLS.
//!
//! ```text
//! cargo run --example mail -- HOST SENDER RECIPIENT [--port N] [--starttls|--tls]
//!     [--ca FILE] [--user U --password P] [--subject TEXT] [--attach FILE]
//! ```
//!
//! The port defaults to 25 (465 with `--tls`). TLS is verified against `--ca FILE` or, without
//! it, the Mozilla roots. With `--user`, AUTH uses the best method the server offers. Exit 0 on
//! success; otherwise the server's reply code and text (or the error) on stderr and exit 1.

use std::process::ExitCode;
use std::time::Duration;

use rpoco::net::mail::{
    ContentTransferEncoding, LoginMethod, MailMessage, MailPartSource, MailRecipient, RecipientType,
    SmtpClientSession,
};
use rpoco::netssl::{Context, SecureSmtpClientSession, Usage, VerificationMode};

const USAGE: &str = "usage: mail HOST SENDER RECIPIENT [--port N] [--starttls|--tls] [--ca FILE] \
                     [--user U --password P] [--subject TEXT] [--attach FILE]";

#[derive(Clone, Copy, PartialEq)]
enum Security {
    Plain,
    StartTls,
    Implicit,
}

struct Options {
    host: String,
    sender: String,
    recipient: String,
    port: Option<u16>,
    security: Security,
    ca: Option<String>,
    user: Option<String>,
    password: Option<String>,
    subject: String,
    attach: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut o = Options {
        host: String::new(),
        sender: String::new(),
        recipient: String::new(),
        port: None,
        security: Security::Plain,
        ca: None,
        user: None,
        password: None,
        subject: "A test message from the rpoco Mail sample".into(),
        attach: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |what: &str| it.next().cloned().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "--port" => o.port = Some(value("a port")?.parse().map_err(|_| "--port needs a number 1-65535")?),
            "--starttls" => o.security = Security::StartTls,
            "--tls" => o.security = Security::Implicit,
            "--ca" => o.ca = Some(value("a file")?),
            "--user" => o.user = Some(value("a user name")?),
            "--password" => o.password = Some(value("a password")?),
            "--subject" => o.subject = value("a text")?,
            "--attach" => o.attach = Some(value("a file")?),
            "-h" | "--help" => return Err(String::new()),
            other if !other.starts_with("--") => positional.push(other.to_string()),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let [host, sender, recipient] =
        <[String; 3]>::try_from(positional).map_err(|_| "HOST SENDER RECIPIENT needed")?;
    (o.host, o.sender, o.recipient) = (host, sender, recipient);
    if o.user.is_some() != o.password.is_some() {
        return Err("--user and --password go together".into());
    }
    Ok(o)
}

fn message(o: &Options) -> Result<MailMessage, rpoco::net::Error> {
    // MailMessage message;
    // message.setSender(sender);
    // message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, recipient));
    // message.setSubject("This is a test message");
    let mut m = MailMessage::new();
    m.set_sender(&o.sender);
    m.add_recipient(MailRecipient::new(RecipientType::Primary, &o.recipient, ""));
    m.set_subject(&o.subject);
    // std::string content; content += "Hello " + recipient + ",\r\n\r\n"; ...
    // message.addContent(new StringPartSource(content));
    let content = format!(
        "Hello {},\r\n\r\nThis is a greeting from the rpoco mail sample (a port of POCO's).\r\n\r\nBest regards\r\n",
        o.recipient
    );
    m.add_content(
        MailPartSource::from_bytes(content, "text/plain; charset=utf-8", ""),
        ContentTransferEncoding::QuotedPrintable,
    );
    // message.addAttachment("logo", new StringPartSource(logo, "image/gif"));
    if let Some(path) = &o.attach {
        let source = MailPartSource::from_file(path, "application/octet-stream")?;
        let name = source.filename().to_string();
        m.add_attachment(&name, source, ContentTransferEncoding::Base64);
    }
    Ok(m)
}

fn context(o: &Options) -> Result<std::sync::Arc<Context>, rpoco::netssl::Error> {
    Context::new(
        Usage::Client,
        "",
        "",
        o.ca.as_deref().unwrap_or(""),
        VerificationMode::Relaxed,
        9,
        o.ca.is_none(),
        "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH",
    )
}

fn send(o: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let m = message(o)?;
    let timeout = Some(Duration::from_secs(60));
    let hostname = rpoco::net::mail::local_hostname();
    let mut session: SmtpClientSession = match o.security {
        Security::Plain => SmtpClientSession::connect_timeout(&o.host, o.port.unwrap_or(25), timeout)?,
        Security::StartTls => {
            // SecureSMTPClientSession session(host); session.login(); session.startTLS(pContext);
            let mut s = SecureSmtpClientSession::connect_timeout(
                &o.host,
                o.port.unwrap_or(25),
                context(o)?,
                timeout,
            )?;
            s.login(&hostname)?;
            if !s.start_tls()? {
                return Err(format!("{} does not offer STARTTLS", o.host).into());
            }
            s.into_session()
        }
        Security::Implicit => {
            SecureSmtpClientSession::connect_tls(&o.host, o.port.unwrap_or(465), context(o)?, timeout)?
                .into_session()
        }
    };
    // session.login(SMTPClientSession::AUTH_LOGIN, username, password);
    match (&o.user, &o.password) {
        (Some(u), Some(p)) => session.login_with(&hostname, LoginMethod::Auto, u, p)?,
        _ => {
            session.login(&hostname)?;
        }
    }
    // session.sendMessage(message); session.close();
    session.send_message(&m)?;
    session.close()?;
    Ok(())
}

/// The server's code and text when the error is a refusal; the error otherwise.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let net = e
        .downcast_ref::<rpoco::net::Error>()
        .or_else(|| e.downcast_ref::<rpoco::netssl::Error>().and_then(|s| s.net_error()));
    match net.and_then(|n| n.reply()) {
        Some(reply) => format!("{} {}", reply.code(), reply.text().replace('\n', " ")),
        None => e.to_string(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("mail: {why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match send(&options) {
        Ok(()) => {
            println!("sent to {}", options.recipient);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mail: {}", describe(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}
