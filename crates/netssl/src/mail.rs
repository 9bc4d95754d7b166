//! SMTP and POP3 over TLS (POCO `SecureSMTPClientSession`; POP3S and STLS beyond POCO):
//! STARTTLS/STLS on the plain connection, or implicit TLS (ports 465 and 995), both through
//! [`TlsConnector`] on rpoco-net's sessions, so there is one SMTP and one POP3
//! implementation.

use std::sync::Arc;
use std::time::Duration;

use rpoco_net::mail::{Pop3ClientSession, SmtpClientSession};
use rpoco_net::{Chain, ConnectOptions, ErrorKind, Reply};

use crate::context::Context;
use crate::error::Result;
use crate::secure_socket::TlsConnector;

/// The default timeout of every step.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The chain for implicit TLS: TCP (every address, Happy Eyeballs), then the TLS handshake
/// verified with `context`, the whole connect bounded by `timeout`.
fn tls_chain(context: &Arc<Context>, timeout: Option<Duration>) -> Chain {
    Chain::new(Arc::new(TlsConnector::new(context.clone())))
        .with_options(ConnectOptions::new().with_timeout(timeout))
}

/// POCO `SecureSMTPClientSession`: an [`SmtpClientSession`] that can switch to TLS with
/// [`start_tls`](Self::start_tls) (STARTTLS, RFC 3207), or that is TLS from the start
/// ([`connect_tls`](Self::connect_tls), port 465, RFC 8314).
///
/// ```no_run
/// use rpoco_net::mail::LoginMethod;
/// use rpoco_netssl::{SecureSmtpClientSession, SslManager};
/// let ctx = SslManager::instance().default_client_context()?;
/// let mut s = SecureSmtpClientSession::connect("mail.example.com", 587, ctx)?;
/// s.login("client.example.com")?;
/// s.start_tls()?;
/// s.session_mut().login_with("client.example.com", LoginMethod::Auto, "user", "secret")?;
/// # Ok::<(), rpoco_netssl::Error>(())
/// ```
#[derive(Debug)]
pub struct SecureSmtpClientSession {
    session: SmtpClientSession,
    context: Arc<Context>,
}

impl SecureSmtpClientSession {
    /// The SMTPS port, 465.
    pub const SMTPS_PORT: u16 = 465;

    /// A plain connection to `host:port` (POCO `SecureSMTPClientSession(host, port)`);
    /// [`start_tls`](Self::start_tls) later verifies the server with `context`.
    pub fn connect(host: &str, port: u16, context: Arc<Context>) -> Result<Self> {
        Self::connect_timeout(host, port, context, Some(DEFAULT_TIMEOUT))
    }

    /// [`connect`](Self::connect) with a timeout for every step.
    pub fn connect_timeout(
        host: &str,
        port: u16,
        context: Arc<Context>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let session = SmtpClientSession::connect_timeout(host, port, timeout)?;
        Ok(SecureSmtpClientSession { session, context })
    }

    /// Implicit TLS (port 465): the TLS handshake right after connecting, verified with
    /// `context`, before the greeting.
    pub fn connect_tls(
        host: &str,
        port: u16,
        context: Arc<Context>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let session = SmtpClientSession::connect_chain(&tls_chain(&context, timeout), host, port, timeout)
            .map_err(|e| plaintext_hint(e, "SMTP", "STARTTLS"))?;
        Ok(SecureSmtpClientSession { session, context })
    }

    /// POCO `startTLS()`: STARTTLS with the session's context, then EHLO again. `false`
    /// when the server does not offer STARTTLS (POCO's answer); other refusals are errors.
    pub fn start_tls(&mut self) -> Result<bool> {
        let context = self.context.clone();
        self.start_tls_with_context(context)
    }

    /// POCO `startTLS(pContext)`.
    pub fn start_tls_with_context(&mut self, context: Arc<Context>) -> Result<bool> {
        let hostname = rpoco_net::mail::local_hostname();
        if self.session.ehlo_reply().is_none() {
            self.session.login(&hostname)?;
        }
        if !self.session.has_capability("STARTTLS") {
            return Ok(false);
        }
        let connector = TlsConnector::new(context);
        self.session.start_tls_with(&connector, &hostname)?;
        Ok(true)
    }

    /// POCO `login(hostname)`: EHLO (see [`SmtpClientSession::login`]).
    pub fn login(&mut self, hostname: &str) -> Result<Reply> {
        Ok(self.session.login(hostname)?)
    }

    /// The SMTP session (login, send_message, close, ...).
    pub fn session(&self) -> &SmtpClientSession {
        &self.session
    }

    /// The SMTP session, to use.
    pub fn session_mut(&mut self) -> &mut SmtpClientSession {
        &mut self.session
    }

    /// The session, TLS or not by now.
    pub fn into_session(self) -> SmtpClientSession {
        self.session
    }

    /// The context that verifies the server.
    pub fn context(&self) -> &Arc<Context> {
        &self.context
    }
}

/// POP3 over TLS: POP3S (implicit TLS, port 995, RFC 8314) or STLS (RFC 2595) on a plain
/// connection. Not in POCO, whose NetSSL has no POP3 class.
#[derive(Debug)]
pub struct SecurePop3ClientSession {
    session: Pop3ClientSession,
    context: Arc<Context>,
}

impl SecurePop3ClientSession {
    /// The POP3S port, 995.
    pub const POP3S_PORT: u16 = 995;

    /// A plain connection for [`start_tls`](Self::start_tls).
    pub fn connect(host: &str, port: u16, context: Arc<Context>, timeout: Option<Duration>) -> Result<Self> {
        let session = Pop3ClientSession::connect_timeout(host, port, timeout)?;
        Ok(SecurePop3ClientSession { session, context })
    }

    /// POP3S: TLS right after connecting.
    pub fn connect_tls(
        host: &str,
        port: u16,
        context: Arc<Context>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let session = Pop3ClientSession::connect_chain(&tls_chain(&context, timeout), host, port, timeout)
            .map_err(|e| plaintext_hint(e, "POP3", "STLS"))?;
        Ok(SecurePop3ClientSession { session, context })
    }

    /// STLS with the session's context (after the greeting, before login).
    pub fn start_tls(&mut self) -> Result<()> {
        let connector = TlsConnector::new(self.context.clone());
        self.session.open()?;
        Ok(self.session.start_tls_with(&connector)?)
    }

    /// The POP3 session (login, list_messages, retrieve_message, ...).
    pub fn session(&self) -> &Pop3ClientSession {
        &self.session
    }

    /// The POP3 session, to use.
    pub fn session_mut(&mut self) -> &mut Pop3ClientSession {
        &mut self.session
    }

    /// The session.
    pub fn into_session(self) -> Pop3ClientSession {
        self.session
    }
}

/// A handshake that failed because the server answered in plaintext says so.
fn plaintext_hint(e: rpoco_net::Error, protocol: &str, upgrade: &str) -> rpoco_net::Error {
    let text = e.to_string();
    let plaintext =
        ["InvalidContentType", "corrupt message", "invalid content type", "record overflow", "wrong version"]
            .iter()
            .any(|s| text.to_ascii_lowercase().contains(&s.to_ascii_lowercase()));
    if plaintext {
        let message = format!(
            "the {protocol} server answered the TLS handshake in plaintext: this port speaks plain {protocol} \
             (use {upgrade})"
        );
        return rpoco_net::Error::new(ErrorKind::Protocol, message).with_source(e);
    }
    e
}
