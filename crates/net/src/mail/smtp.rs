//! [`SmtpClientSession`] (POCO `SMTPClientSession`): sending mail over SMTP (RFC 5321).
//! The TLS variants (`SecureSmtpClientSession`, port 465) are in `rpoco-netssl`.

use std::io::{Read, Write};
use std::time::Duration;

use super::connection::{DEFAULT_TIMEOUT, open_dialog, plain_chain, upgrade_to_tls};
use super::error::{illegal_state, invalid_argument, smtp_bad_reply, smtp_reply};
use super::message::MailMessage;
use super::smtp_auth::{self, LoginMethod};
use super::smtp_reply::{auth_mechanisms, greeting_error, has_capability};
use super::stream::MailOutputStream;
use crate::dialog::{DialogSocket, Reply};
use crate::error::{Error, Result};
use crate::socket::{Connector, StreamSocket, Transport};

/// POCO `SMTPClientSession`: one SMTP connection; `open` (greeting), `login` (EHLO/HELO and
/// AUTH), `send_message` (MAIL, RCPT, DATA), `close` (QUIT).
///
/// Every step has a deadline: the session's [`timeout`](Self::timeout) (default 60 s)
/// bounds each reply as a whole and each read and write of message data, not only the
/// connect. A refusal is an [`ErrorKind::Smtp`](crate::ErrorKind::Smtp) error (POCO
/// `SMTPException`) whose [`reply`](crate::Error::reply) has the server's code and text.
/// The connection is a [`DialogSocket`], as in POCO.
///
/// ```no_run
/// use rpoco_net::mail::{LoginMethod, MailMessage, MailRecipient, SmtpClientSession};
/// let mut session = SmtpClientSession::connect("mail.example.com", SmtpClientSession::SMTP_PORT)?;
/// session.login_with("client.example.com", LoginMethod::Auto, "user", "secret")?;
/// let mut m = MailMessage::new();
/// m.set_sender("me@example.com");
/// m.add_recipient(MailRecipient::to("you@example.com"));
/// m.set_subject("Hello");
/// m.set_content("Hi!\r\n", Default::default());
/// session.send_message(&m)?;
/// session.close()?;
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct SmtpClientSession {
    dialog: DialogSocket,
    host: String,
    timeout: Option<Duration>,
    is_open: bool,
    ehlo: Option<Reply>,
}

impl SmtpClientSession {
    /// The SMTP port, 25.
    pub const SMTP_PORT: u16 = 25;
    /// The submission port, 587 (RFC 6409).
    pub const SUBMISSION_PORT: u16 = 587;

    /// Connects to `host:port` (POCO `SMTPClientSession(host, port)`), the connect bounded
    /// by the default timeout. Call [`open`](Self::open) or a `login`.
    pub fn connect(host: &str, port: u16) -> Result<Self> {
        Self::connect_timeout(host, port, Some(DEFAULT_TIMEOUT))
    }

    /// [`connect`](Self::connect) with a timeout for the connect and every later step.
    pub fn connect_timeout(host: &str, port: u16, timeout: Option<Duration>) -> Result<Self> {
        Self::connect_chain(&plain_chain(timeout), host, port, timeout)
    }

    /// Connects through the shared connection chain ([`Chain`](crate::Chain): every address
    /// with Happy Eyeballs, a SOCKS5 or HTTP CONNECT proxy, then its TLS step), as HTTP and
    /// WebSocket do; `timeout` bounds every later step.
    pub fn connect_chain(
        chain: &crate::Chain,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let transport = chain.connect(host, port)?;
        Self::from_transport(transport, host, timeout)
    }

    /// A session on a connected socket (POCO `SMTPClientSession(const StreamSocket&)`).
    pub fn from_socket(socket: StreamSocket, host: &str) -> Result<Self> {
        Self::from_transport(Box::new(socket), host, Some(DEFAULT_TIMEOUT))
    }

    /// A session on any connected transport (plain or TLS).
    pub fn from_transport(
        transport: Box<dyn Transport>,
        host: &str,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let dialog = open_dialog(transport, timeout)?;
        Ok(SmtpClientSession { dialog, host: host.to_owned(), timeout, is_open: false, ehlo: None })
    }

    /// The server's host name (for TLS).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// POCO `setTimeout`: the limit for each step from now on (`None`: wait forever).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.dialog.set_send_timeout(timeout)?;
        self.dialog.set_receive_timeout(timeout);
        self.timeout = timeout;
        Ok(())
    }

    /// POCO `getTimeout`.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Whether the connection is TLS (implicit, or after STARTTLS).
    pub fn is_secure(&self) -> bool {
        self.dialog.is_secure()
    }

    /// The command/reply connection (POCO `socket()`).
    pub fn dialog(&mut self) -> &mut DialogSocket {
        &mut self.dialog
    }

    /// The last EHLO reply, if EHLO was sent.
    pub fn ehlo_reply(&self) -> Option<&Reply> {
        self.ehlo.as_ref()
    }

    /// Whether the last EHLO reply lists the extension `keyword` (`STARTTLS`, `SIZE`, ...).
    pub fn has_capability(&self, keyword: &str) -> bool {
        self.ehlo.as_ref().is_some_and(|r| has_capability(r, keyword))
    }

    /// The SASL mechanisms the last EHLO reply offers (`PLAIN`, `LOGIN`, ...).
    pub fn auth_mechanisms(&self) -> Vec<String> {
        self.ehlo.as_ref().map(auth_mechanisms).unwrap_or_default()
    }

    /// POCO `open`: reads the server's greeting (once).
    pub fn open(&mut self) -> Result<()> {
        if self.is_open {
            return Ok(());
        }
        let reply =
            self.dialog.receive_status_message().map_err(|e| greeting_error(e, self.timeout, "SMTP", 465))?;
        if !reply.is_positive_completion() {
            return Err(smtp_reply("the greeting (the mail service is unavailable)", &reply));
        }
        self.is_open = true;
        Ok(())
    }

    /// POCO `login(hostname, response)`: `open`, then EHLO (HELO if EHLO is refused with
    /// 5xx). Returns the reply (the capabilities).
    pub fn login(&mut self, hostname: &str) -> Result<Reply> {
        self.open()?;
        let mut command = format!("EHLO {hostname}");
        let mut reply = self.send_command(&command)?;
        if reply.is_permanent_negative() {
            command = format!("HELO {hostname}");
            reply = self.send_command(&command)?;
        }
        if !reply.is_positive_completion() {
            return Err(smtp_reply(command, &reply));
        }
        self.ehlo = Some(reply.clone());
        Ok(reply)
    }

    /// POCO `login()`: EHLO with this machine's name.
    pub fn login_default(&mut self) -> Result<Reply> {
        self.login(&local_hostname())
    }

    /// POCO `login(hostname, method, username, password)`: EHLO, then AUTH with `method`
    /// (which the server must offer), or with the best offered one for [`LoginMethod::Auto`].
    pub fn login_with(
        &mut self,
        hostname: &str,
        method: LoginMethod,
        username: &str,
        password: &str,
    ) -> Result<()> {
        let reply = self.login(hostname)?;
        let offered = auth_mechanisms(&reply);
        let method = match method {
            LoginMethod::None => return Ok(()),
            LoginMethod::Auto => LoginMethod::choose(&offered, self.is_secure()).ok_or_else(|| {
                smtp_bad_reply(
                    "EHLO",
                    "the server offers no authentication method this client supports",
                    &reply,
                )
            })?,
            m if offered.iter().any(|o| o.eq_ignore_ascii_case(m.mechanism())) => m,
            m => {
                let problem = format!("the server does not offer {} authentication", m.mechanism());
                return Err(smtp_bad_reply("EHLO", problem, &reply));
            }
        };
        self.authenticate(method, username, password)
    }

    /// Runs AUTH with `method` now (POCO `loginUsingPlain`, `loginUsingLogin`, ...), without
    /// checking what EHLO offered.
    pub fn authenticate(&mut self, method: LoginMethod, username: &str, password: &str) -> Result<()> {
        let mech = method.mechanism();
        match method {
            LoginMethod::None | LoginMethod::Auto => {
                Err(invalid_argument("authenticate needs a concrete method"))
            }
            LoginMethod::Plain | LoginMethod::XOauth2 => {
                let initial = if method == LoginMethod::Plain {
                    smtp_auth::plain(username, password)
                } else {
                    smtp_auth::xoauth2(username, password)
                };
                let reply = self.send_command(&format!("AUTH {mech} {initial}"))?;
                expect(&reply, Reply::is_positive_completion, &format!("AUTH {mech} ***"))
            }
            LoginMethod::CramMd5 | LoginMethod::CramSha1 => {
                let command = format!("AUTH {mech}");
                let reply = self.send_command(&command)?;
                expect(&reply, Reply::is_positive_intermediate, &command)?;
                let text = reply.text();
                let answer =
                    smtp_auth::cram(method, text.lines().next().unwrap_or(""), username, password)
                        .ok_or_else(|| smtp_bad_reply(&command, "the challenge is not base64", &reply))?;
                let reply = self.send_command(&answer)?;
                expect(&reply, Reply::is_positive_completion, &format!("{command} (the answer)"))
            }
            LoginMethod::Login => self.login_using_login(username, password),
        }
    }

    fn login_using_login(&mut self, username: &str, password: &str) -> Result<()> {
        let reply = self.send_command("AUTH LOGIN")?;
        expect(&reply, Reply::is_positive_intermediate, "AUTH LOGIN")?;
        // Servers ask "Username:" then "Password:" (some the other way round).
        let mut reply = reply;
        for step in 0..2 {
            let text = reply.text();
            let user_first = smtp_auth::login_prompt(text.lines().next().unwrap_or(""));
            let item = match user_first {
                Some(false) => password,
                Some(true) => username,
                None if step == 0 => username,
                None => password,
            };
            reply = self.send_command(&smtp_auth::login_item(item))?;
            if step == 0 {
                expect(&reply, Reply::is_positive_intermediate, "AUTH LOGIN (the first answer)")?;
            }
        }
        expect(&reply, Reply::is_positive_completion, "AUTH LOGIN (the second answer)")
    }

    /// POCO `sendMessage(message)`: the envelope from the message (`From`, and every
    /// recipient including BCC), then the message.
    pub fn send_message(&mut self, message: &MailMessage) -> Result<()> {
        self.send_commands(message, None)?;
        self.transport_message(message)
    }

    /// POCO `sendMessage(message, recipients)`: the envelope to `recipients` instead.
    pub fn send_message_to(&mut self, message: &MailMessage, recipients: &[&str]) -> Result<()> {
        self.send_commands(message, Some(recipients))?;
        self.transport_message(message)
    }

    /// POCO `sendCommands`: MAIL FROM, RCPT TO for each recipient, DATA.
    pub fn send_commands(&mut self, message: &MailMessage, recipients: Option<&[&str]>) -> Result<()> {
        let own: Vec<&str>;
        let recipients = match recipients {
            Some(r) => r,
            None => {
                own = message.recipients().iter().map(|r| r.address()).collect();
                &own
            }
        };
        self.send_addresses(message.sender(), recipients)?;
        self.send_data()
    }

    /// POCO `sendAddresses`: MAIL FROM and RCPT TO (the address in `<>` of `from` if it
    /// has one).
    pub fn send_addresses(&mut self, from: &str, recipients: &[&str]) -> Result<()> {
        if recipients.is_empty() {
            return Err(invalid_argument("attempting to send message with empty recipients list"));
        }
        let sender = envelope_address(from)?;
        let command = format!("MAIL FROM:{sender}");
        let reply = self.send_command(&command)?;
        expect(&reply, Reply::is_positive_completion, &command)?;
        for r in recipients {
            let command = format!("RCPT TO:{}", envelope_address(r)?);
            let reply = self.send_command(&command)?;
            expect(&reply, Reply::is_positive_completion, &command)?;
        }
        Ok(())
    }

    /// POCO `sendData`: DATA, expecting 354.
    pub fn send_data(&mut self) -> Result<()> {
        let reply = self.send_command("DATA")?;
        expect(&reply, Reply::is_positive_intermediate, "DATA")
    }

    /// POCO `transportMessage`: the message, dot-stuffed, then `.`; expects 250.
    pub fn transport_message(&mut self, message: &MailMessage) -> Result<()> {
        let mut out = MailOutputStream::new(&mut self.dialog);
        message.write(&mut out)?;
        out.finish().map_err(|e| Error::from_io_during(e, "sending the message"))?;
        self.finish_data()
    }

    /// POCO `sendMessage(istream)`: a ready-made message from `source` (after
    /// [`send_commands`](Self::send_commands) or `send_addresses` + `send_data`).
    pub fn send_raw_message(&mut self, source: &mut dyn Read) -> Result<()> {
        let mut out = MailOutputStream::new(&mut self.dialog);
        std::io::copy(source, &mut out).map_err(|e| Error::from_io_during(e, "sending the message"))?;
        out.finish().map_err(|e| Error::from_io_during(e, "sending the message"))?;
        self.finish_data()
    }

    fn finish_data(&mut self) -> Result<()> {
        self.dialog.flush().map_err(|e| Error::from_io_during(e, "sending the message"))?;
        let reply = self.dialog.receive_status_message()?;
        expect(&reply, Reply::is_positive_completion, "the message data")
    }

    /// POCO `sendCommand`: one command line and its reply (a CR or LF in `command` is
    /// refused: it would smuggle a second command).
    pub fn send_command(&mut self, command: &str) -> Result<Reply> {
        if !self.is_open {
            return Err(illegal_state("the SMTP session is not open (call open or login first)"));
        }
        self.dialog.send_message(command)?;
        self.dialog.receive_status_message()
    }

    /// Sends STARTTLS and, on 220, hands the plain socket to `connector.wrap` (the TLS
    /// handshake), then sends EHLO again (RFC 3207). `rpoco-netssl`'s
    /// `SecureSmtpClientSession::start_tls` calls this with its TLS connector.
    pub fn start_tls_with(&mut self, connector: &dyn Connector, hostname: &str) -> Result<Reply> {
        if self.dialog.is_secure() {
            return Err(illegal_state("the SMTP connection is already secure (TLS)"));
        }
        if self.ehlo.is_none() {
            self.login(hostname)?;
        }
        if let Some(ehlo) = self.ehlo.as_ref().filter(|r| !has_capability(r, "STARTTLS")) {
            return Err(smtp_bad_reply("EHLO", "the server does not offer STARTTLS", ehlo));
        }
        let reply = self.send_command("STARTTLS")?;
        expect(&reply, Reply::is_positive_completion, "STARTTLS")?;
        let (host, timeout) = (self.host.clone(), self.timeout);
        upgrade_to_tls(&mut self.dialog, connector, &host, timeout)?;
        self.ehlo = None;
        self.login(hostname)
    }

    /// POCO `close`: QUIT (its reply is read but not checked) and the connection closed.
    pub fn close(&mut self) -> Result<()> {
        if self.is_open {
            self.is_open = false;
            let quit = self.dialog.send_message("QUIT").and_then(|_| self.dialog.receive_status_message());
            let closed = self.dialog.close();
            quit?;
            closed?;
        } else {
            self.dialog.close()?;
        }
        Ok(())
    }
}

impl Drop for SmtpClientSession {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

fn expect(reply: &Reply, ok: fn(&Reply) -> bool, command: &str) -> Result<()> {
    if ok(reply) { Ok(()) } else { Err(smtp_reply(command, reply)) }
}

/// `<addr>` for MAIL FROM / RCPT TO: the part in angle brackets if there is one.
fn envelope_address(s: &str) -> Result<String> {
    let addr = match (s.find('<'), s.rfind('>')) {
        (Some(l), Some(r)) if l < r => &s[l + 1..r],
        _ => s.trim(),
    };
    if addr.bytes().any(|c| c.is_ascii_control() || c == b'<' || c == b'>' || c == b' ') {
        return Err(invalid_argument(format!("`{}` is not a usable mail address", s.escape_debug())));
    }
    Ok(format!("<{addr}>"))
}

/// This machine's host name (for EHLO; POCO `Environment::nodeName`), `localhost` if
/// unknown.
pub fn local_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}
