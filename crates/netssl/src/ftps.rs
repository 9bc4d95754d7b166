//! [`FtpsClientSession`] (POCO `FTPSClientSession`) and [`FtpsStreamFactory`]: FTP over
//! TLS (RFC 4217) on rpoco-net's `FtpClientSession`.
//!
//! Explicit FTPS sends `AUTH TLS` after the greeting; implicit FTPS (port 990) speaks TLS
//! from the first byte. Both then send `PBSZ 0` and `PROT P` after login, so the data
//! connections are encrypted too, and each data connection **resumes the control
//! connection's TLS session** (vsftpd's default `require_ssl_reuse=YES` refuses data
//! connections that do not: it proves the data connection comes from the same client).
//! Certificates are verified as everywhere else, by the [`Context`].
//!
//! ```no_run
//! use rpoco_netssl::{FtpsClientSession, SslManager};
//!
//! let context = SslManager::instance().default_client_context()?;
//! let mut ftps = FtpsClientSession::connect("ftp.example.com", 21, &context)?;
//! ftps.login("user", "secret")?;
//! let mut file = Vec::new();
//! ftps.session_mut().download_to("report.pdf", &mut file)?;
//! assert_eq!(ftps.data_session_reused(), Some(true));
//! ftps.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rpoco_foundation::Uri;
use rpoco_net::ftp::{
    FTP_PORT, FTPS_IMPLICIT_PORT, FtpClientSession, FtpPasswordProvider, FtpStreamFactory, FtpTls, FtpTlsMode,
};
use rpoco_net::{Opened, StreamSocket, Transport, UriStreamFactory, UriStreamOpener};

use crate::context::Context;
use crate::secure_socket::SecureStreamSocket;
use crate::ssl_manager::SslManager;

/// The TLS step FTPS plugs into the FTP session.
#[derive(Debug)]
struct FtpsTls {
    context: Arc<Context>,
    /// Whether the last data connection resumed the control connection's session.
    last_data_reused: Mutex<Option<bool>>,
}

impl FtpTls for FtpsTls {
    fn secure_control(
        &self,
        control: Box<dyn Transport>,
        host: &str,
        timeout: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        // The dialog has checked that nothing is buffered; TLS takes over the socket.
        let socket = control.socket().clone();
        drop(control);
        Ok(Box::new(SecureStreamSocket::attach(socket, host, &self.context, timeout)?))
    }

    fn secure_data(
        &self,
        control: &dyn Transport,
        data: StreamSocket,
        host: &str,
        _timeout: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        let control = (control as &dyn Any).downcast_ref::<SecureStreamSocket>().ok_or_else(|| {
            rpoco_net::Error::new(
                rpoco_net::ErrorKind::IllegalState,
                "FTPS: the control connection is not a TLS connection",
            )
        })?;
        // The data socket's send and receive timeouts (the session's) bound the handshake.
        let mut secure = SecureStreamSocket::attach_lazily(data, host, &self.context)?;
        if let Some(session) = control.current_session() {
            secure.use_session(&session)?;
        }
        secure.complete_handshake()?;
        if let Ok(mut last) = self.last_data_reused.lock() {
            *last = Some(secure.session_was_reused());
        }
        Ok(Box::new(secure))
    }

    fn close_data(&self, data: &mut dyn Transport) -> rpoco_net::Result<()> {
        match (data as &mut dyn Any).downcast_mut::<SecureStreamSocket>() {
            Some(secure) => Ok(secure.close()?),
            None => data.shutdown(),
        }
    }
}

/// An FTPS client session (POCO `Net::FTPSClientSession`): an [`FtpClientSession`] whose
/// control and data connections are TLS with `context`.
///
/// The context's session cache is switched on (POCO requires the same of its users): the
/// data connections resume the control connection's session from it. Unlike POCO, a server
/// that refuses `AUTH TLS` is an error, never a silent fall-back to plaintext.
///
/// The FTP commands are those of the session underneath: [`session_mut`](Self::session_mut).
#[derive(Debug)]
pub struct FtpsClientSession {
    session: FtpClientSession,
    tls: Arc<FtpsTls>,
}

impl FtpsClientSession {
    /// An explicit-FTPS session (`AUTH TLS`), not connected yet.
    pub fn new(context: &Arc<Context>) -> Self {
        Self::with_mode(context, FtpTlsMode::Explicit)
    }

    /// An implicit-FTPS session (TLS from the first byte, usually port 990), not connected.
    pub fn new_implicit(context: &Arc<Context>) -> Self {
        Self::with_mode(context, FtpTlsMode::Implicit)
    }

    fn with_mode(context: &Arc<Context>, mode: FtpTlsMode) -> Self {
        if !context.session_cache_enabled() {
            context.enable_session_cache(true);
        }
        let tls = Arc::new(FtpsTls { context: context.clone(), last_data_reused: Mutex::new(None) });
        let mut session = FtpClientSession::new();
        session.set_tls(tls.clone(), mode).expect("a new session is not connected");
        FtpsClientSession { session, tls }
    }

    /// Connects to `host:port` with explicit FTPS: greeting, `AUTH TLS`, handshake (POCO's
    /// constructor with host and port).
    pub fn connect(host: &str, port: u16, context: &Arc<Context>) -> rpoco_net::Result<Self> {
        let mut ftps = Self::new(context);
        ftps.open(host, port)?;
        Ok(ftps)
    }

    /// Connects to `host:port` with implicit FTPS.
    pub fn connect_implicit(host: &str, port: u16, context: &Arc<Context>) -> rpoco_net::Result<Self> {
        let mut ftps = Self::new_implicit(context);
        ftps.open(host, port)?;
        Ok(ftps)
    }

    /// Connects and secures the control connection (POCO `open`).
    pub fn open(&mut self, host: &str, port: u16) -> rpoco_net::Result<()> {
        self.session.open(host, port)
    }

    /// Logs in, then `PBSZ 0` and `PROT P` (POCO `login`).
    pub fn login(&mut self, username: &str, password: &str) -> rpoco_net::Result<()> {
        self.session.login(username, password)
    }

    /// `QUIT` and close (POCO `close`).
    pub fn close(&mut self) -> rpoco_net::Result<()> {
        self.session.close()
    }

    /// Whether the control connection is TLS (POCO `isSecure`).
    pub fn is_secure(&self) -> bool {
        self.session.is_secure()
    }

    /// Whether the last data connection resumed the control connection's TLS session
    /// (`None` before the first one).
    pub fn data_session_reused(&self) -> Option<bool> {
        self.tls.last_data_reused.lock().ok().and_then(|g| *g)
    }

    /// The context.
    pub fn context(&self) -> &Arc<Context> {
        &self.tls.context
    }

    /// The FTP session, for its commands and transfers.
    pub fn session(&self) -> &FtpClientSession {
        &self.session
    }

    /// The FTP session, for its commands and transfers.
    pub fn session_mut(&mut self) -> &mut FtpClientSession {
        &mut self.session
    }

    /// The FTP session itself.
    pub fn into_session(self) -> FtpClientSession {
        self.session
    }
}

/// `ftps://` for [`UriStreamOpener`]: net's [`FtpStreamFactory`] with implicit-FTPS sessions
/// (port 990 by default, as curl reads `ftps://`), or explicit ones with
/// [`explicit`](Self::explicit) (port 21).
///
/// Without a context of its own it uses [`SslManager`]'s default client context at the
/// moment each URI is opened.
#[derive(Debug, Clone)]
pub struct FtpsStreamFactory {
    context: Option<Arc<Context>>,
    mode: FtpTlsMode,
    /// The anonymous password, password provider and timeout; its sessions are replaced.
    settings: FtpStreamFactory,
}

impl Default for FtpsStreamFactory {
    fn default() -> Self {
        FtpsStreamFactory { context: None, mode: FtpTlsMode::Implicit, settings: FtpStreamFactory::new() }
    }
}

impl FtpsStreamFactory {
    /// Implicit FTPS with [`SslManager`]'s default client context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Implicit FTPS with `context`.
    pub fn with_context(context: Arc<Context>) -> Self {
        FtpsStreamFactory { context: Some(context), ..Self::default() }
    }

    /// Explicit FTPS (`AUTH TLS` on port 21) instead of implicit.
    pub fn explicit(mut self) -> Self {
        self.mode = FtpTlsMode::Explicit;
        self
    }

    /// Sets the password for anonymous logins (POCO `FTPSStreamFactory::setAnonymousPassword`).
    pub fn set_anonymous_password(&mut self, password: &str) {
        self.settings.set_anonymous_password(password);
    }

    /// Sets the provider asked for the password of a user the URI names without one
    /// (POCO `FTPSStreamFactory::setPasswordProvider`).
    pub fn set_password_provider(&mut self, provider: Option<Arc<dyn FtpPasswordProvider>>) {
        self.settings.set_password_provider(provider);
    }

    /// Sets the sessions' timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.settings.set_timeout(timeout);
    }

    /// Registers a default factory for `ftps` on [`UriStreamOpener::default_opener`].
    pub fn register() {
        UriStreamOpener::default_opener().register_stream_factory("ftps", Arc::new(Self::new()));
    }

    fn factory(&self) -> rpoco_net::Result<FtpStreamFactory> {
        let context = match &self.context {
            Some(c) => c.clone(),
            None => SslManager::instance().default_client_context()?,
        };
        let mode = self.mode;
        let port = if mode == FtpTlsMode::Implicit { FTPS_IMPLICIT_PORT } else { FTP_PORT };
        let mut factory = self.settings.clone();
        factory.set_sessions(
            port,
            Arc::new(move || FtpsClientSession::with_mode(&context, mode).into_session()),
        );
        Ok(factory)
    }
}

impl UriStreamFactory for FtpsStreamFactory {
    fn open(&self, uri: &Uri) -> rpoco_net::Result<Opened> {
        self.factory()?.open(uri)
    }
}
