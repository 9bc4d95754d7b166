//! [`SmtpClientSession`] (POCO `SMTPClientSession`): sending mail over SMTP (RFC 5321).
//! The TLS variants (`SecureSmtpClientSession`, port 465) are in `rpoco-netssl`.

use std::io::Read;
use std::time::Duration;

use super::error::{illegal_state, invalid_argument};
use super::line_conn::{DEFAULT_TIMEOUT, LineConn};
use super::message::MailMessage;
use super::smtp_auth::{self, LoginMethod};
use super::smtp_reply::{SmtpReply, read_reply};
use super::stream::MailOutputStream;
use crate::error::{Error, Result};
use crate::socket::{Connector, StreamSocket, Transport};

/// POCO `SMTPClientSession`: one SMTP connection; `open` (greeting), `login` (EHLO/HELO and
/// AUTH), `send_message` (MAIL, RCPT, DATA), `close` (QUIT).
///
/// Every step has a deadline: the session's [`timeout`](Self::timeout) (default 60 s)
/// bounds each reply as a whole and each read and write of message data, not only the
/// connect. A refusal is an `SMTPException` error whose
/// [`ServerReplyError`](super::ServerReplyError) has the server's code and text.
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
    conn: LineConn,
    host: String,
    is_open: bool,
    ehlo: Option<SmtpReply>,
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
        Self::connect_with(&crate::PlainConnector, host, port, timeout)
    }

    /// Connects through `connector` (TCP, a proxy tunnel, implicit TLS): the shared
    /// connection chain.
    pub fn connect_with(
        connector: &dyn Connector,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let socket = connector.connect_tcp(host, port, timeout)?;
        let transport = connector.wrap(socket, host, timeout)?;
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
        Ok(SmtpClientSession {
            conn: LineConn::new(transport, timeout)?,
            host: host.to_owned(),
            is_open: false,
            ehlo: None,
        })
    }

    /// The server's host name (for TLS).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// POCO `setTimeout`: the limit for each step from now on (`None`: wait forever).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.conn.set_timeout(timeout)
    }

    /// POCO `getTimeout`.
    pub fn timeout(&self) -> Option<Duration> {
        self.conn.timeout()
    }

    /// Whether the connection is TLS (implicit, or after STARTTLS).
    pub fn is_secure(&self) -> bool {
        self.conn.is_secure()
    }

    /// The last EHLO reply (capabilities), if EHLO was sent.
    pub fn ehlo_reply(&self) -> Option<&SmtpReply> {
        self.ehlo.as_ref()
    }

    /// POCO `open`: reads the server's greeting (once).
    pub fn open(&mut self) -> Result<()> {
        if self.is_open {
            return Ok(());
        }
        let reply = read_reply(&mut self.conn).map_err(|e| greeting_error(e, self.conn.timeout()))?;
        if !reply.is_positive_completion() {
            return Err(reply.error("The mail service is unavailable"));
        }
        self.is_open = true;
        Ok(())
    }

    /// POCO `login(hostname, response)`: `open`, then EHLO (HELO if EHLO is refused with
    /// 5xx). Returns the reply (the capabilities).
    pub fn login(&mut self, hostname: &str) -> Result<SmtpReply> {
        self.open()?;
        let mut reply = self.send_command(&format!("EHLO {hostname}"))?;
        if reply.is_permanent_negative() {
            reply = self.send_command(&format!("HELO {hostname}"))?;
        }
        if !reply.is_positive_completion() {
            return Err(reply.error("Login failed"));
        }
        self.ehlo = Some(reply.clone());
        Ok(reply)
    }

    /// POCO `login()`: EHLO with this machine's name.
    pub fn login_default(&mut self) -> Result<SmtpReply> {
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
        let offered = reply.auth_mechanisms();
        let method = match method {
            LoginMethod::None => return Ok(()),
            LoginMethod::Auto => LoginMethod::choose(&offered, self.is_secure()).ok_or_else(|| {
                reply.error("The mail service offers no authentication method this client supports")
            })?,
            m if offered.iter().any(|o| o.eq_ignore_ascii_case(m.mechanism())) => m,
            m => {
                return Err(reply
                    .error(format!("The mail service does not support {} authentication", m.mechanism())));
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
                expect(&reply, SmtpReply::is_positive_completion, &format!("Login using {mech} failed"))
            }
            LoginMethod::CramMd5 | LoginMethod::CramSha1 => {
                let reply = self.send_command(&format!("AUTH {mech}"))?;
                expect(
                    &reply,
                    SmtpReply::is_positive_intermediate,
                    &format!("Cannot authenticate using {mech}"),
                )?;
                let challenge = reply.lines.first().map(String::as_str).unwrap_or("");
                let answer = smtp_auth::cram(method, challenge, username, password)
                    .ok_or_else(|| reply.error(format!("{mech} challenge is not base64")))?;
                let reply = self.send_command(&answer)?;
                expect(&reply, SmtpReply::is_positive_completion, &format!("Login using {mech} failed"))
            }
            LoginMethod::Login => self.login_using_login(username, password),
        }
    }

    fn login_using_login(&mut self, username: &str, password: &str) -> Result<()> {
        let reply = self.send_command("AUTH LOGIN")?;
        expect(&reply, SmtpReply::is_positive_intermediate, "Cannot authenticate using LOGIN")?;
        // Servers ask "Username:" then "Password:" (some the other way round).
        let mut reply = reply;
        for step in 0..2 {
            let user_first = smtp_auth::login_prompt(reply.lines.first().map(String::as_str).unwrap_or(""));
            let item = match user_first {
                Some(false) => password,
                Some(true) => username,
                None if step == 0 => username,
                None => password,
            };
            reply = self.send_command(&smtp_auth::login_item(item))?;
            if step == 0 {
                expect(&reply, SmtpReply::is_positive_intermediate, "Login using LOGIN failed")?;
            }
        }
        expect(&reply, SmtpReply::is_positive_completion, "Login using LOGIN failed")
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
        let reply = self.send_command(&format!("MAIL FROM:{sender}"))?;
        expect(&reply, SmtpReply::is_positive_completion, "Cannot send message")?;
        for r in recipients {
            let rcpt = envelope_address(r)?;
            let reply = self.send_command(&format!("RCPT TO:{rcpt}"))?;
            expect(&reply, SmtpReply::is_positive_completion, &format!("Recipient rejected: {rcpt}"))?;
        }
        Ok(())
    }

    /// POCO `sendData`: DATA, expecting 354.
    pub fn send_data(&mut self) -> Result<()> {
        let reply = self.send_command("DATA")?;
        expect(&reply, SmtpReply::is_positive_intermediate, "Cannot send message data")
    }

    /// POCO `transportMessage`: the message, dot-stuffed, then `.`; expects 250.
    pub fn transport_message(&mut self, message: &MailMessage) -> Result<()> {
        let mut out = MailOutputStream::new(self.conn.writer()?);
        message.write(&mut out)?;
        out.finish().map_err(|e| Error::from_io_during(e, "sending the message"))?;
        self.finish_data()
    }

    /// POCO `sendMessage(istream)`: a ready-made message from `source` (after
    /// [`send_commands`](Self::send_commands) or `send_addresses` + `send_data`).
    pub fn send_raw_message(&mut self, source: &mut dyn Read) -> Result<()> {
        let mut out = MailOutputStream::new(self.conn.writer()?);
        std::io::copy(source, &mut out).map_err(|e| Error::from_io_during(e, "sending the message"))?;
        out.finish().map_err(|e| Error::from_io_during(e, "sending the message"))?;
        self.finish_data()
    }

    fn finish_data(&mut self) -> Result<()> {
        self.conn.writer()?.flush()?;
        let reply = read_reply(&mut self.conn)?;
        expect(&reply, SmtpReply::is_positive_completion, "The server rejected the message")
    }

    /// POCO `sendCommand`: one command line and its reply (a CR or LF in `command` is
    /// refused: it would smuggle a second command).
    pub fn send_command(&mut self, command: &str) -> Result<SmtpReply> {
        if command.contains(['\r', '\n']) {
            return Err(invalid_argument("an SMTP command must not contain CR or LF"));
        }
        if !self.is_open {
            return Err(illegal_state("the SMTP session is not open (call open or login first)"));
        }
        self.conn.send_line(command)?;
        read_reply(&mut self.conn)
    }

    /// Sends STARTTLS and, on 220, hands the plain socket to `connector.wrap` (the TLS
    /// handshake), then sends EHLO again (RFC 3207). `rpoco-netssl`'s
    /// `SecureSmtpClientSession::start_tls` calls this with its TLS connector.
    pub fn start_tls_with(&mut self, connector: &dyn Connector, hostname: &str) -> Result<SmtpReply> {
        if self.conn.is_secure() {
            return Err(illegal_state("the SMTP connection is already secure (TLS)"));
        }
        if self.ehlo.is_none() {
            self.login(hostname)?;
        }
        if self.ehlo.as_ref().is_some_and(|r| !r.has_capability("STARTTLS")) {
            return Err(self
                .ehlo
                .as_ref()
                .expect("checked")
                .error("The mail service does not offer STARTTLS"));
        }
        let reply = self.send_command("STARTTLS")?;
        expect(&reply, SmtpReply::is_positive_completion, "STARTTLS refused")?;
        let socket = self.conn.take_plain_socket()?;
        let tls = connector.wrap(socket, &self.host, self.conn.timeout())?;
        self.conn.set_transport(tls)?;
        self.ehlo = None;
        self.login(hostname)
    }

    /// POCO `close`: QUIT (its reply is read but not checked) and the connection closed.
    pub fn close(&mut self) -> Result<()> {
        if self.is_open {
            self.is_open = false;
            let quit = self.conn.send_line("QUIT").and_then(|_| read_reply(&mut self.conn));
            let closed = self.conn.close();
            quit?;
            closed?;
        } else {
            self.conn.close()?;
        }
        Ok(())
    }
}

impl Drop for SmtpClientSession {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

fn expect(reply: &SmtpReply, ok: fn(&SmtpReply) -> bool, what: &str) -> Result<()> {
    if ok(reply) { Ok(()) } else { Err(reply.error(what)) }
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

/// What to tell the user when no greeting came: maybe the port speaks TLS.
fn greeting_error(e: Error, timeout: Option<Duration>) -> Error {
    if e.is_timeout() {
        return Error::new(
            crate::ErrorKind::Timeout,
            format!(
                "no SMTP greeting within {timeout:?}: if the server speaks TLS on this port (465), use \
             implicit TLS (SecureSmtpClientSession)"
            ),
        );
    }
    e
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
