//! [`SecureStreamSocket`], [`SecureServerSocket`] and [`TlsConnector`]: TLS on rpoco-net's
//! sockets, and the transport seam through which net's HTTP client speaks HTTPS.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::time::Duration;
//! use rpoco_netssl::{SecureStreamSocket, SslManager};
//!
//! let context = SslManager::instance().default_client_context()?;
//! // Connects, then handshakes with SNI and certificate checks for the host, within 10 s.
//! let mut socket = SecureStreamSocket::connect_host("example.com", 443, &context, Some(Duration::from_secs(10)))?;
//! socket.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//! let mut page = Vec::new();
//! socket.read_to_end(&mut page)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rpoco_net::{ConnectionInfo, Connector, Listener, ServerSocket, SocketAddress, StreamSocket, Transport};
use rustls_pki_types::CertificateDer;

use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::tls_stream::{IoTimeouts, TlsStream};
use crate::x509::X509Certificate;

impl IoTimeouts for StreamSocket {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.receive_timeout().map_err(io::Error::from)
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_receive_timeout(timeout).map_err(io::Error::from)
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.send_timeout().map_err(io::Error::from)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_send_timeout(timeout).map_err(io::Error::from)
    }
}

/// A TLS connection over a [`StreamSocket`]: POCO's `SecureStreamSocket`.
///
/// Client sockets made with [`connect`](Self::connect) or [`attach`](Self::attach) have
/// completed the handshake when they are returned (POCO's default); server sockets from
/// [`SecureServerSocket::accept_connection`] handshake lazily on first use (or
/// [`complete_handshake`](Self::complete_handshake)), bounded by the server's handshake timeout,
/// so the accepting thread never waits for a slow client.
#[derive(Debug)]
pub struct SecureStreamSocket {
    tls: TlsStream<StreamSocket>,
}

impl SecureStreamSocket {
    /// Connects to `address`, then handshakes as a client for `host` (SNI and certificate
    /// checks); `timeout` bounds the connect and the handshake each.
    pub fn connect(
        address: &SocketAddress,
        host: &str,
        context: &Arc<Context>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let socket = StreamSocket::connect_timeout(address, timeout)?;
        Self::attach(socket, host, context, timeout)
    }

    /// Resolves `host`, connects to `port` and handshakes (see [`connect`](Self::connect)).
    pub fn connect_host(
        host: &str,
        port: u16,
        context: &Arc<Context>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let socket = StreamSocket::connect_host(host, port, timeout)?;
        Self::attach(socket, host, context, timeout)
    }

    /// Layers a client TLS connection for `host` on an already connected socket (after an
    /// HTTP `CONNECT` or a STARTTLS exchange) and handshakes now (POCO's `attach`).
    pub fn attach(
        socket: StreamSocket,
        host: &str,
        context: &Arc<Context>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let mut secure = Self::attach_lazily(socket, host, context)?;
        secure.tls.set_handshake_timeout(timeout);
        secure.complete_handshake()?;
        Ok(secure)
    }

    /// [`attach`](Self::attach) for an HTTP client: a server closing a kept-alive connection
    /// without `close_notify` before answering the next request reads as end of stream, so
    /// the session reconnects (a response cut short is still an error).
    pub(crate) fn attach_for_http(
        socket: StreamSocket,
        host: &str,
        context: &Arc<Context>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let mut secure = Self::attach(socket, host, context, timeout)?;
        secure.tls.set_clean_eof_before_reply(true);
        Ok(secure)
    }

    /// As [`attach`](Self::attach), without handshaking yet (POCO's `setLazyHandshake`).
    pub fn attach_lazily(socket: StreamSocket, host: &str, context: &Arc<Context>) -> Result<Self> {
        Ok(SecureStreamSocket { tls: TlsStream::client(context, host, socket)? })
    }

    /// Layers a server TLS connection on an accepted socket; the handshake runs lazily.
    pub fn attach_server(
        socket: StreamSocket,
        context: &Arc<Context>,
        handshake_timeout: Option<Duration>,
    ) -> Result<Self> {
        let mut tls = TlsStream::server(context, socket)?;
        tls.set_handshake_timeout(handshake_timeout);
        Ok(SecureStreamSocket { tls })
    }

    /// Runs the handshake if it has not run (POCO's `completeHandshake`).
    pub fn complete_handshake(&mut self) -> Result<()> {
        self.tls.complete_handshake()
    }

    /// The peer's certificate (POCO's `peerCertificate`; none → [`ErrorKind::Ssl`](crate::ErrorKind::Ssl)).
    pub fn peer_certificate(&self) -> Result<X509Certificate> {
        self.tls.peer_certificate()
    }

    /// Whether the peer presented a certificate (POCO's `havePeerCertificate`).
    pub fn have_peer_certificate(&self) -> bool {
        self.tls.peer_certificate().is_ok()
    }

    /// Whether the handshake resumed a cached session (POCO's `sessionWasReused`); sessions
    /// are cached per host by the context when its session cache is on.
    pub fn session_was_reused(&self) -> bool {
        self.tls.session_was_reused()
    }

    /// The session this client connection established, for resuming it on another
    /// connection (POCO's `currentSession`): `None` on a server connection, before the
    /// handshake, or when the context's session cache is off (sessions are kept there).
    pub fn current_session(&self) -> Option<Session> {
        let context = self.tls.context();
        (self.tls.is_client() && self.tls.is_handshake_complete() && context.session_cache_enabled())
            .then(|| Session { context: context.clone(), host: self.tls.peer_name().to_string() })
    }

    /// Resumes `session` on this connection, whose handshake has not run yet (POCO's
    /// `useSession`; make the socket with [`attach_lazily`](Self::attach_lazily)). The session
    /// must come from a connection to the same host with the same context, as OpenSSL
    /// requires; otherwise this is [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument). Whether the server accepted
    /// it shows in [`session_was_reused`](Self::session_was_reused) after the handshake.
    pub fn use_session(&mut self, session: &Session) -> Result<()> {
        if !self.tls.is_client() || self.tls.is_handshake_complete() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "use_session needs a client connection whose handshake has not run (attach_lazily)",
            ));
        }
        if !Arc::ptr_eq(&session.context, self.tls.context()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "use_session: the session belongs to another context (sessions live in their context's cache)",
            ));
        }
        if !session.host.eq_ignore_ascii_case(self.tls.peer_name()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "use_session: the session is for {}, this connection for {}",
                    session.host,
                    self.tls.peer_name()
                ),
            ));
        }
        Ok(())
    }

    /// The TLS engine, for the negotiated protocol, cipher suite, ALPN protocol, ...
    pub fn tls(&self) -> &TlsStream<StreamSocket> {
        &self.tls
    }

    /// The socket underneath.
    pub fn socket(&self) -> &StreamSocket {
        self.tls.get_ref()
    }

    /// Sends `close_notify`, waits up to the receive timeout for the peer's, and closes the
    /// socket (POCO's `close`).
    pub fn close(&mut self) -> Result<()> {
        let result = self.tls.close();
        let _ = self.tls.get_ref().shutdown();
        result
    }
}

impl Read for SecureStreamSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tls.read(buf)
    }
}

impl Write for SecureStreamSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tls.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tls.flush()
    }
}

impl Transport for SecureStreamSocket {
    fn socket(&self) -> &StreamSocket {
        self.tls.get_ref()
    }

    fn is_secure(&self) -> bool {
        true
    }

    fn shutdown(&mut self) -> rpoco_net::Result<()> {
        let sent = self.tls.shutdown();
        let closed = self.tls.get_ref().shutdown();
        sent.map_err(rpoco_net::Error::from).and(closed)
    }

    fn has_buffered_data(&self) -> bool {
        self.tls.has_buffered_data()
    }

    fn handshake_deadline(&self) -> Option<Instant> {
        self.tls.pending_handshake_deadline()
    }

    fn connection_info(&self) -> Option<Arc<dyn ConnectionInfo>> {
        Some(Arc::new(Handshake::of(self)))
    }
}

/// What a client handshake established, as a session keeps it after the connection is gone
/// ([`Transport::connection_info`]; read by `HttpsClientSession::server_certificate` and
/// friends).
#[derive(Clone, Debug)]
pub(crate) struct Handshake {
    /// Parsed only when asked for: most sessions never look at it.
    pub(crate) certificate: Option<CertificateDer<'static>>,
    pub(crate) reused: bool,
    pub(crate) protocol: Option<&'static str>,
    pub(crate) cipher: Option<&'static str>,
}

impl Handshake {
    fn of(socket: &SecureStreamSocket) -> Self {
        Handshake {
            certificate: socket.tls.peer_certificate_der(),
            reused: socket.session_was_reused(),
            protocol: socket.tls.protocol_version(),
            cipher: socket.tls.cipher_suite(),
        }
    }
}

/// A TLS session to resume (POCO's `Session::Ptr`), from
/// [`SecureStreamSocket::current_session`], for [`SecureStreamSocket::use_session`].
///
/// rustls keeps resumable sessions (TLS 1.3 tickets, TLS 1.2 session IDs) in the context's
/// session cache, per host, and resumes from there by itself; a `Session` names that cache
/// entry (context and host) rather than holding the secrets. So every connection with the
/// context resumes when it can, `use_session` or not; it keeps POCO code that passes sessions
/// around working, and checks that the session fits the connection.
#[derive(Debug, Clone)]
pub struct Session {
    context: Arc<Context>,
    host: String,
}

impl Session {
    /// The host the session was established with.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The context whose cache holds it.
    pub fn context(&self) -> &Arc<Context> {
        &self.context
    }
}

/// A listening socket whose connections speak TLS: POCO's `SecureServerSocket`.
#[derive(Debug)]
pub struct SecureServerSocket {
    socket: ServerSocket,
    context: Arc<Context>,
    handshake_timeout: Option<Duration>,
}

impl SecureServerSocket {
    /// The default bound on an accepted connection's handshake.
    pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

    /// Serves TLS with `context` (a server context with a certificate) on `socket`.
    pub fn new(socket: ServerSocket, context: &Arc<Context>) -> Result<Self> {
        if !context.is_for_server_use() || !context.has_certificate() {
            return Err(Error::new(
                ErrorKind::Ssl,
                "SecureServerSocket needs a server context with a certificate and key",
            ));
        }
        Ok(SecureServerSocket {
            socket,
            context: context.clone(),
            handshake_timeout: Some(Self::DEFAULT_HANDSHAKE_TIMEOUT),
        })
    }

    /// Sets how long an accepted connection's handshake may take (`None`: only the socket's
    /// timeouts); default 30 s.
    pub fn set_handshake_timeout(&mut self, timeout: Option<Duration>) {
        self.handshake_timeout = timeout;
    }

    /// Accepts a connection without handshaking: the handshake runs on the first read or
    /// write, on whichever thread serves the connection.
    pub fn accept_connection(&self) -> Result<(SecureStreamSocket, SocketAddress)> {
        let (socket, peer) = self.socket.accept_connection()?;
        Ok((SecureStreamSocket::attach_server(socket, &self.context, self.handshake_timeout)?, peer))
    }

    /// The local address.
    pub fn address(&self) -> Result<SocketAddress> {
        Ok(self.socket.address()?)
    }

    /// The context connections are served with.
    pub fn context(&self) -> &Arc<Context> {
        &self.context
    }
}

/// HTTPS serving: rpoco-net's `HttpServer` (and `TcpServer`) over TLS, through the same code
/// path as plain HTTP (POCO's `HTTPServer` over a `SecureServerSocket`).
///
/// The server's accepting thread only accepts TCP. The handshake then runs in steps as the
/// client's bytes arrive, on whichever worker the server's poller wakes for the connection:
/// like an idle keep-alive connection, a client that stalls mid-handshake holds no thread,
/// and it is closed when the [handshake timeout](SecureServerSocket::set_handshake_timeout)
/// (or the server's own first-request timeout, if shorter) passes. A failed handshake closes
/// that connection only.
///
/// ```no_run
/// use rpoco_net::{HttpServer, HttpServerParams, ServerSocket, handler_fn};
/// use rpoco_netssl::{Context, SecureServerSocket, Usage, VerificationMode};
///
/// // POCO: new Context(Context::SERVER_USE, "server.key", "server.pem", "", Context::VERIFY_NONE, ...)
/// let context = Context::new(Usage::Server, "server.key", "server.pem", "", VerificationMode::None, 9, false,
///     "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH")?;
/// let listener = SecureServerSocket::new(ServerSocket::new(9443)?, &context)?;
/// let server = HttpServer::with_listener(
///     handler_fn(|_request, response| response.send_buffer(b"hello over TLS\n")),
///     listener,
///     HttpServerParams::default(),
/// )?;
/// server.start()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl Listener for SecureServerSocket {
    fn server_socket(&self) -> &ServerSocket {
        &self.socket
    }

    fn wrap(&self, socket: StreamSocket) -> rpoco_net::Result<Box<dyn Transport>> {
        // The limit goes to the stepped handshake alone; no blocking handshake ever runs here.
        let mut secure = SecureStreamSocket::attach_server(socket, &self.context, None)?;
        secure.tls.set_stepped_handshake(self.handshake_timeout);
        Ok(Box::new(secure))
    }

    fn is_secure(&self) -> bool {
        true
    }
}

/// The HTTPS [`Connector`] for rpoco-net's `HttpClientSession`: TLS with this context over
/// the (possibly tunnelled) socket, for the origin host.
///
/// A server that drops a kept-alive connection without `close_notify` is seen as having
/// closed it (the session reconnects, as over plain TCP); once a response has begun, a close
/// without `close_notify` is an error ([`ErrorKind::SslConnectionUnexpectedlyClosed`](crate::ErrorKind::SslConnectionUnexpectedlyClosed)), since
/// the response may have been cut short.
#[derive(Debug, Clone)]
pub struct TlsConnector {
    context: Arc<Context>,
}

impl TlsConnector {
    /// A connector using `context`.
    pub fn new(context: Arc<Context>) -> Self {
        TlsConnector { context }
    }

    /// The context.
    pub fn context(&self) -> &Arc<Context> {
        &self.context
    }
}

impl Connector for TlsConnector {
    fn scheme(&self) -> &'static str {
        "https"
    }

    fn default_port(&self) -> u16 {
        443
    }

    fn is_secure(&self) -> bool {
        true
    }

    fn wrap(
        &self,
        socket: StreamSocket,
        host: &str,
        timeout: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        Ok(Box::new(SecureStreamSocket::attach_for_http(socket, host, &self.context, timeout)?))
    }
}
