//! [`HttpServer`]: POCO's `HTTPServer`, over any [`Listener`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::connection::{HttpConnectionFactory, HttpShared};
use super::handler::HttpRequestHandlerFactory;
use super::params::HttpServerParams;
use crate::error::Result;
use crate::socket::{Listener, ServerSocket, SocketAddress};
use crate::tcp_server::TcpServer;

/// POCO `HTTPServer`: an HTTP/1.1 server on a [`TcpServer`], serving each request with a
/// handler from an [`HttpRequestHandlerFactory`].
///
/// It runs over any [`Listener`]: a plain [`ServerSocket`], or a TLS listener from
/// `rpoco-netssl` (HTTPS is the same code with a different transport). Request heads are
/// read without holding a thread: a connection waits in the poller between requests
/// (keep-alive, up to [`keep_alive_timeout`](HttpServerParams::keep_alive_timeout)) and
/// while a slow client sends its head (up to
/// [`request_head_timeout`](HttpServerParams::request_head_timeout)); a worker thread runs
/// once a whole head is there, for the handler and the body. Pipelined requests are
/// answered in order.
///
/// Malformed requests get `400 Bad Request` (request smuggling vectors included: both
/// `Content-Length` and `Transfer-Encoding`, conflicting lengths, bad chunk sizes, obs-fold,
/// bare CR or LF), too long URIs `414`, too many or too long header fields `431`, heads that
/// take too long `408`, each followed by closing the connection. A failing or panicking
/// handler gets the client a `500`, and the server carries on.
///
/// ```
/// use std::io::Read;
/// use rpoco_net::{handler_fn, HttpClientSession, HttpMessage, HttpRequest, HttpResponse,
///     HttpServer, HttpServerParams, ServerSocket, SocketAddress, HTTP_1_1};
///
/// let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, true)?;
/// let server = HttpServer::new(
///     handler_fn(|_request, response| {
///         response.set_content_type("text/plain");
///         response.send_buffer(b"hello")
///     }),
///     socket,
///     HttpServerParams::default(),
/// )?;
/// server.start()?;
///
/// let mut session = HttpClientSession::new("127.0.0.1", server.port());
/// session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1))?;
/// let mut response = HttpResponse::default();
/// let mut body = String::new();
/// session.receive_response(&mut response)?.read_to_string(&mut body)?;
/// assert_eq!((response.status().code(), body.as_str()), (200, "hello"));
/// assert!(response.has("Date"));
/// server.stop();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HttpServer {
    tcp: TcpServer,
    shared: Arc<HttpShared>,
}

impl std::fmt::Debug for HttpShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpShared").field("params", &self.params).finish_non_exhaustive()
    }
}

impl HttpServer {
    /// A server on `socket` (POCO `HTTPServer(factory, socket, params)`). Call
    /// [`start`](Self::start) to serve.
    pub fn new(
        factory: impl HttpRequestHandlerFactory + 'static,
        socket: ServerSocket,
        params: HttpServerParams,
    ) -> Result<Self> {
        Self::with_listener(factory, socket, params)
    }

    /// A server on `0.0.0.0:port` (POCO `HTTPServer(factory, port, params)`; port 0 picks a
    /// free one).
    pub fn with_port(
        factory: impl HttpRequestHandlerFactory + 'static,
        port: u16,
        params: HttpServerParams,
    ) -> Result<Self> {
        Self::new(factory, ServerSocket::new(port)?, params)
    }

    /// A server on any [`Listener`], e.g. rpoco-netssl's `SecureServerSocket` for HTTPS.
    pub fn with_listener(
        factory: impl HttpRequestHandlerFactory + 'static,
        listener: impl Listener,
        params: HttpServerParams,
    ) -> Result<Self> {
        let socket = listener.server_socket().clone();
        let tcp_params = params.tcp.clone();
        let shared = Arc::new(HttpShared {
            factory: Box::new(factory),
            params,
            listener: Arc::new(listener),
            stopping: AtomicBool::new(false),
        });
        let tcp =
            TcpServer::with_factory(Arc::new(HttpConnectionFactory(shared.clone())), socket, tcp_params)?;
        Ok(HttpServer { tcp, shared })
    }

    /// Starts serving (POCO `start()`).
    pub fn start(&self) -> Result<()> {
        self.tcp.start()
    }

    /// Stops the server (POCO `stop()`): stops accepting, closes idle connections, lets
    /// requests being served finish (their responses say `Connection: Close`) for up to the
    /// [`drain_timeout`](crate::TcpServerParams::drain_timeout), then closes what is left,
    /// and returns.
    pub fn stop(&self) {
        self.stop_all(false);
    }

    /// POCO `stopAll(abortCurrent)`: [`stop`](Self::stop), and with `abort_current` the
    /// connections being served are closed at once instead of drained.
    pub fn stop_all(&self, abort_current: bool) {
        self.shared.stopping.store(true, Ordering::Relaxed);
        let drain = if abort_current { Duration::ZERO } else { self.shared.params.tcp.drain_timeout };
        self.tcp.stop_within(drain);
    }

    /// The settings.
    pub fn params(&self) -> &HttpServerParams {
        &self.shared.params
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.tcp.port()
    }

    /// The address the server listens on.
    pub fn address(&self) -> Result<SocketAddress> {
        self.tcp.address()
    }

    /// The TCP server underneath, for its counters (threads, connections, refused).
    pub fn tcp_server(&self) -> &TcpServer {
        &self.tcp
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
