//! [`HttpsClientSession`]: POCO's `HTTPSClientSession`, which is rpoco-net's
//! [`HttpClientSession`] with its connections opened over TLS. There is one HTTP
//! implementation: this type forwards to it and adds what TLS brings (the context, the
//! server's certificate, session resumption).
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_net::{HttpRequest, HttpResponse, ServerSocket, SocketAddress, HTTP_1_1};
//! use rpoco_netssl::{Context, HttpsClientSession, PrivateKey, SecureServerSocket, Usage,
//!     VerificationMode, X509Certificate};
//!
//! // A one-request HTTPS server on 127.0.0.1 with a dev certificate for localhost.
//! let certs = rpoco_testcerts::DevCerts::generate()?;
//! let server_ctx = Context::new(Usage::Server, "", "", "", VerificationMode::None, 9, false, "")?;
//! server_ctx.use_certificate(&X509Certificate::from_pem(certs.server.cert_pem.as_bytes())?)?;
//! server_ctx.use_private_key(&PrivateKey::from_pem(certs.server.key_pem.as_bytes())?)?;
//! let listener = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let port = listener.address()?.port();
//! let server = SecureServerSocket::new(listener, &server_ctx)?;
//! std::thread::spawn(move || {
//!     let (mut tls, _) = server.accept_connection().unwrap();
//!     let mut buf = [0u8; 1024];
//!     let _ = tls.read(&mut buf);
//!     tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello").unwrap();
//!     let _ = tls.close();
//! });
//!
//! // The client trusts the dev CA and verifies "localhost" (POCO's VERIFY_RELAXED).
//! let context = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "")?;
//! context.add_certificate_authority(&X509Certificate::from_pem(certs.ca.cert_pem.as_bytes())?)?;
//! let mut session = HttpsClientSession::new("localhost", port, context);
//! let mut request = HttpRequest::new(HttpRequest::HTTP_GET, "/", HTTP_1_1);
//! session.send_request(&mut request)?;
//! let mut response = HttpResponse::default();
//! let mut body = String::new();
//! session.receive_response(&mut response)?.read_to_string(&mut body)?;
//! assert_eq!((response.status().code(), body.as_str()), (200, "hello"));
//! assert_eq!(session.server_certificate()?.common_name(), "localhost");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rustls_pki_types::CertificateDer;

use rpoco_net::{
    AbortHandle, Connector, DetachedConnection, HttpClientSession, HttpRequest, HttpResponse, MessageHeader,
    ProxyConfig, RequestBody, ResponseBody, StreamSocket, Transport,
};

use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::secure_socket::{SecureStreamSocket, TlsConnector};
use crate::ssl_manager::SslManager;
use crate::x509::X509Certificate;

/// An HTTP client session over TLS: POCO's `HTTPSClientSession`.
///
/// Everything HTTP (keep-alive, proxies, timeouts, bodies, retries) is rpoco-net's
/// [`HttpClientSession`], reached through forwarding methods of the same names or through
/// [`as_client_session_mut`](Self::as_client_session_mut). Each connection is TLS made with
/// the session's [`Context`]: the server's certificate is verified for [`host`](Self::host)
/// as the context says, the host is sent as SNI (never for an IP address), and through an
/// HTTP proxy the session always tunnels with `CONNECT` (with the proxy credentials if set).
///
/// POCO's defaults hold: keep-alive off (a connection per request, `Connection: Close`),
/// keep-alive timeout 8 s, connect timeout 30 s, send and receive timeouts 60 s. With the
/// context's session cache on ([`Context::enable_session_cache`]), a new connection
/// resumes the TLS session of an earlier one ([`session_was_reused`](Self::session_was_reused)).
#[derive(Debug)]
pub struct HttpsClientSession {
    session: HttpClientSession,
    connector: Arc<SessionConnector>,
}

/// What the most recent TLS handshake of a session established.
#[derive(Clone, Debug)]
struct Handshake {
    /// Parsed only when asked for: most sessions never look at it.
    certificate: Option<CertificateDer<'static>>,
    reused: bool,
    protocol: Option<&'static str>,
    cipher: Option<&'static str>,
}

impl Handshake {
    fn of(socket: &SecureStreamSocket) -> Self {
        Handshake {
            certificate: socket.tls().peer_certificate_der(),
            reused: socket.session_was_reused(),
            protocol: socket.tls().protocol_version(),
            cipher: socket.tls().cipher_suite(),
        }
    }
}

/// The session's [`Connector`]: TLS through [`TlsConnector`], remembering what each
/// handshake established, and handing out the socket given to
/// [`HttpsClientSession::from_secure_socket`] for the first connection.
#[derive(Debug)]
struct SessionConnector {
    tls: TlsConnector,
    state: Mutex<ConnectorState>,
}

#[derive(Debug, Default)]
struct ConnectorState {
    last: Option<Handshake>,
    /// A connected socket waiting to serve the first request to `host:port`.
    preconnected: Option<(String, u16, SecureStreamSocket)>,
    /// The preconnected socket between `connect_tcp` and `wrap`.
    handed_over: Option<SecureStreamSocket>,
}

impl SessionConnector {
    fn new(context: Arc<Context>) -> Self {
        SessionConnector { tls: TlsConnector::new(context), state: Mutex::default() }
    }

    fn state(&self) -> MutexGuard<'_, ConnectorState> {
        // Each field is replaced whole; a panic elsewhere cannot leave it torn.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Connector for SessionConnector {
    fn scheme(&self) -> &'static str {
        self.tls.scheme()
    }

    fn default_port(&self) -> u16 {
        self.tls.default_port()
    }

    fn is_secure(&self) -> bool {
        true
    }

    fn connect_tcp(
        &self,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> rpoco_net::Result<StreamSocket> {
        let mut state = self.state();
        if let Some((for_host, for_port, socket)) = state.preconnected.take() {
            if for_host == host && for_port == port {
                let tcp = socket.socket().clone();
                state.handed_over = Some(socket);
                return Ok(tcp);
            }
            // The first connection goes elsewhere (a proxy): the given socket is not used.
            let mut unused = socket;
            let _ = unused.close();
        }
        drop(state);
        self.tls.connect_tcp(host, port, timeout)
    }

    fn wrap(
        &self,
        socket: StreamSocket,
        host: &str,
        timeout: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        let handed_over = self.state().handed_over.take();
        if let Some(secure) = handed_over {
            let same = secure.socket().address().ok().zip(socket.address().ok()).is_some_and(|(a, b)| a == b);
            if same {
                return Ok(Box::new(secure));
            }
        }
        let secure = SecureStreamSocket::attach_for_http(socket, host, self.tls.context(), timeout)?;
        self.state().last = Some(Handshake::of(&secure));
        Ok(Box::new(secure))
    }
}

impl HttpsClientSession {
    /// The HTTPS port, 443 (POCO's `HTTPS_PORT`).
    pub const HTTPS_PORT: u16 = 443;

    /// A session for `host:port` using `context` (POCO `HTTPSClientSession(host, port,
    /// pContext)`); port 0 means 443. Nothing is connected until the first request; a
    /// server context is refused then.
    pub fn new(host: &str, port: u16, context: Arc<Context>) -> Self {
        let connector = Arc::new(SessionConnector::new(context));
        let session = HttpClientSession::with_connector(host, port, connector.clone());
        HttpsClientSession { session, connector }
    }

    /// A session for `host` on port 443 with [`SslManager`]'s default client context
    /// (POCO `HTTPSClientSession(host)`): by default the Mozilla roots and
    /// [`VerificationMode::Relaxed`](crate::VerificationMode::Relaxed).
    pub fn with_default_context(host: &str) -> Result<Self> {
        Ok(Self::new(host, Self::HTTPS_PORT, SslManager::instance().default_client_context()?))
    }

    /// A session without a host yet (POCO `HTTPSClientSession(pContext)`): set it with
    /// [`set_host`](Self::set_host) (and [`set_port`](Self::set_port), default 443).
    pub fn with_context(context: Arc<Context>) -> Self {
        Self::new("", Self::HTTPS_PORT, context)
    }

    /// A session whose first request goes over `socket`, a TLS connection to `host:port`
    /// made by the caller (POCO `HTTPSClientSession(const SecureStreamSocket&)`); later
    /// connections are made with the socket's context. If the first connection has to go
    /// elsewhere (a proxy configured in between), `socket` is closed unused.
    pub fn from_secure_socket(socket: SecureStreamSocket, host: &str, port: u16) -> Self {
        let connector = Arc::new(SessionConnector::new(socket.tls().context().clone()));
        let port = if port == 0 { Self::HTTPS_PORT } else { port };
        {
            let mut state = connector.state();
            state.last = Some(Handshake::of(&socket));
            let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
            state.preconnected = Some((host, port, socket));
        }
        let session = HttpClientSession::with_connector(host, port, connector.clone());
        HttpsClientSession { session, connector }
    }

    /// Sends the request head and returns the body writer (see
    /// [`HttpClientSession::send_request`]). Connecting includes the TLS handshake; its
    /// failures come back as this crate's errors ([`ErrorKind::CertificateValidation`](crate::ErrorKind::CertificateValidation) naming
    /// the failed check, [`ErrorKind::Ssl`](crate::ErrorKind::Ssl), ...).
    pub fn send_request(&mut self, request: &mut HttpRequest) -> Result<RequestBody<'_>> {
        self.session.send_request(request).map_err(Error::from)
    }

    /// Reads the response head and returns the body reader (see
    /// [`HttpClientSession::receive_response`]).
    pub fn receive_response(&mut self, response: &mut HttpResponse) -> Result<ResponseBody<'_>> {
        self.session.receive_response(response).map_err(Error::from)
    }

    /// The certificate the server presented on the current connection, or on the most
    /// recent one if it was closed since (POCO `serverCertificate()`). [`ErrorKind::Ssl`](crate::ErrorKind::Ssl)
    /// ("No certificate available") before the first connection.
    pub fn server_certificate(&self) -> Result<X509Certificate> {
        let der = self.connector.state().last.as_ref().and_then(|h| h.certificate.clone());
        X509Certificate::parse(der.ok_or_else(|| Error::new(ErrorKind::Ssl, "No certificate available"))?)
    }

    /// Whether the most recent connection resumed an earlier TLS session (it can when the
    /// context's session cache is on).
    pub fn session_was_reused(&self) -> bool {
        self.connector.state().last.as_ref().is_some_and(|h| h.reused)
    }

    /// The protocol of the most recent connection: `"TLSv1.2"` or `"TLSv1.3"`.
    pub fn protocol_version(&self) -> Option<&'static str> {
        self.connector.state().last.as_ref().and_then(|h| h.protocol)
    }

    /// The cipher suite of the most recent connection, by its OpenSSL name.
    pub fn cipher_suite(&self) -> Option<&'static str> {
        self.connector.state().last.as_ref().and_then(|h| h.cipher)
    }

    /// The TLS context connections are made with (POCO `context()`).
    pub fn context(&self) -> &Arc<Context> {
        self.connector.tls.context()
    }

    /// Always `true` (POCO `secure()`).
    pub fn secure(&self) -> bool {
        true
    }

    /// The HTTP session underneath.
    pub fn as_client_session(&self) -> &HttpClientSession {
        &self.session
    }

    /// The HTTP session underneath, for settings without a forwarding method here.
    /// Replacing its connector makes [`server_certificate`](Self::server_certificate) and
    /// [`session_was_reused`](Self::session_was_reused) stale.
    pub fn as_client_session_mut(&mut self) -> &mut HttpClientSession {
        &mut self.session
    }

    /// The server host (also the name verified in its certificate and sent as SNI).
    pub fn host(&self) -> &str {
        self.session.host()
    }

    /// Sets the server host; [`ErrorKind::Net`](crate::ErrorKind::Net) (`IllegalState`) while connected.
    pub fn set_host(&mut self, host: &str) -> Result<()> {
        Ok(self.session.set_host(host)?)
    }

    /// The server port.
    pub fn port(&self) -> u16 {
        self.session.port()
    }

    /// Sets the server port; [`ErrorKind::Net`](crate::ErrorKind::Net) (`IllegalState`) while connected.
    pub fn set_port(&mut self, port: u16) -> Result<()> {
        Ok(self.session.set_port(port)?)
    }

    /// Whether connections are kept open between requests (default off, as POCO).
    pub fn keep_alive(&self) -> bool {
        self.session.keep_alive()
    }

    /// Turns keep-alive on or off.
    pub fn set_keep_alive(&mut self, on: bool) {
        self.session.set_keep_alive(on);
    }

    /// The keep-alive timeout (default 8 s).
    pub fn keep_alive_timeout(&self) -> Duration {
        self.session.keep_alive_timeout()
    }

    /// A kept-alive connection idle this long since the last request was sent is replaced.
    pub fn set_keep_alive_timeout(&mut self, timeout: Duration) {
        self.session.set_keep_alive_timeout(timeout);
    }

    /// POCO `setTimeout(t)`: the connect, send and receive timeouts (the connect timeout
    /// also bounds the TLS handshake).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.session.set_timeout(timeout);
    }

    /// Sets the connect (and handshake), send and receive timeouts (`None` = none).
    pub fn set_timeouts(
        &mut self,
        connect: Option<Duration>,
        send: Option<Duration>,
        receive: Option<Duration>,
    ) {
        self.session.set_timeouts(connect, send, receive);
    }

    /// POCO `getTimeout()`: the receive timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.session.timeout()
    }

    /// An overall time limit per request (see [`HttpClientSession::set_request_timeout`]).
    pub fn set_request_timeout(&mut self, timeout: Option<Duration>) {
        self.session.set_request_timeout(timeout);
    }

    /// The proxy configuration.
    pub fn proxy_config(&self) -> &ProxyConfig {
        self.session.proxy_config()
    }

    /// Sets the proxy (an HTTP proxy is always used as a `CONNECT` tunnel, whatever
    /// `tunnel` says; SOCKS5 works too); [`ErrorKind::Net`](crate::ErrorKind::Net) (`IllegalState`) while connected.
    pub fn set_proxy_config(&mut self, config: ProxyConfig) -> Result<()> {
        Ok(self.session.set_proxy_config(config)?)
    }

    /// POCO `setProxy(host, port)`.
    pub fn set_proxy(&mut self, host: &str, port: u16) -> Result<()> {
        Ok(self.session.set_proxy(host, port)?)
    }

    /// POCO `setProxyCredentials(username, password)`: sent with the `CONNECT` request.
    pub fn set_proxy_credentials(&mut self, username: &str, password: &str) {
        self.session.set_proxy_credentials(username, password);
    }

    /// Whether a connection is open.
    pub fn connected(&self) -> bool {
        self.session.connected()
    }

    /// The trailer fields of the last chunked response (POCO `responseTrailer()`).
    pub fn response_trailers(&self) -> &MessageHeader {
        self.session.response_trailers()
    }

    /// A handle another thread can use to abort this session's operations.
    pub fn abort_handle(&self) -> AbortHandle {
        self.session.abort_handle()
    }

    /// Takes the TLS connection out of the session (POCO `detachSocket()`), e.g. after a
    /// `101 Switching Protocols`: its transport is the [`SecureStreamSocket`] (recover it
    /// with `(&*transport as &dyn Any).downcast_ref`), with the decrypted bytes the session
    /// had already read. The session no longer owns it (see
    /// [`HttpClientSession::detach_socket`]); [`server_certificate`](Self::server_certificate)
    /// still describes it.
    pub fn detach_socket(&mut self) -> Result<DetachedConnection> {
        Ok(self.session.detach_socket()?)
    }

    /// Gives the session a connection for its next request (POCO `attachSocket()`); a
    /// [`SecureStreamSocket`] transport also becomes what
    /// [`server_certificate`](Self::server_certificate) and friends describe.
    pub fn attach_socket(&mut self, connection: DetachedConnection) {
        let transport: &dyn std::any::Any = &*connection.transport;
        if let Some(secure) = transport.downcast_ref::<SecureStreamSocket>() {
            self.connector.state().last = Some(Handshake::of(secure));
        }
        self.session.attach_socket(connection);
    }

    /// Closes the connection, if any (POCO `reset()`), and clears an abort.
    pub fn reset(&mut self) {
        self.session.reset();
    }

    /// Closes the connection gracefully (TLS `close_notify` first).
    pub fn close(&mut self) {
        self.session.close();
    }
}
