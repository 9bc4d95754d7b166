//! [`HttpClientSession`] (POCO `HTTPClientSession`).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

mod common;
mod diagnose;
mod recv;
mod send;
mod settings;
mod takeover;

use super::proxy::ProxyConfig;
use crate::connect::{Chain, Hooks, Route};
use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::http::conn::Conn;
use crate::http::message::{HttpDigestCredentials, HttpResponse, MessageHeader};
use crate::http::proto::client::{Await100, Call, RecvBody, RecvResponse, SendBody};
use crate::socket::{ConnectionInfo, Connector, PlainConnector, StreamSocket, Transport};

pub use common::ClientSession;

static GLOBAL_PROXY: RwLock<Option<ProxyConfig>> = RwLock::new(None);

/// Where a session is in its request/response exchange: the sans-IO call in its state.
#[derive(Debug)]
pub(in crate::http::client) enum Exchange {
    Idle,
    Sending(Call<SendBody>),
    Awaiting100(Call<Await100>),
    AwaitingResponse(Call<RecvResponse>),
    /// A final answer read by `peek_response` before the body was sent.
    Answered(HttpResponse, Call<RecvBody>),
    Receiving(Call<RecvBody>),
}

/// Lets another thread abort a session's blocking operations.
///
/// [`abort`](Self::abort) shuts the current connection down (a blocked read or write returns
/// at once) and makes every later operation fail with [`ErrorKind::ConnectionAborted`](crate::ErrorKind::ConnectionAborted) until
/// [`HttpClientSession::reset`] is called.
///
/// ```
/// use rpoco_net::HttpClientSession;
/// let session = HttpClientSession::new("127.0.0.1", 9);
/// let handle = session.abort_handle();
/// std::thread::spawn(move || handle.abort()).join().unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct AbortHandle {
    shared: Arc<AbortShared>,
}

#[derive(Debug, Default)]
struct AbortShared {
    aborted: AtomicBool,
    socket: Mutex<Option<StreamSocket>>,
}

impl AbortHandle {
    /// Aborts the session's current and future operations (until `reset`).
    pub fn abort(&self) {
        self.shared.aborted.store(true, Ordering::SeqCst);
        if let Ok(guard) = self.shared.socket.lock()
            && let Some(s) = guard.as_ref()
        {
            let _ = s.shutdown();
        }
    }

    /// Whether [`abort`](Self::abort) was called (and not yet cleared by a reset).
    pub fn is_aborted(&self) -> bool {
        self.shared.aborted.load(Ordering::SeqCst)
    }
}

/// POCO `HTTPClientSession`: sends requests to one server over one connection, reconnecting
/// when needed.
///
/// POCO's defaults: keep-alive **off** (every request carries `Connection: Close` and gets
/// its own connection; turn it on with [`set_keep_alive`](Self::set_keep_alive)),
/// keep-alive timeout 8 s, connect timeout 30 s, send and receive timeouts 60 s.
///
/// `send_request` returns a [`RequestBody`](crate::RequestBody) to write the body to (as the request's
/// `Content-Length` or chunked `Transfer-Encoding` says; a body without either is an error,
/// never dropped); `receive_response` returns a [`ResponseBody`](crate::ResponseBody) to read the body from. A
/// body that is truncated reads as an `UnexpectedEof` error, never as a short body.
///
/// Connections are opened by a [`Connector`] (plain TCP here; `rpoco-netssl` supplies TLS),
/// through an HTTP proxy (forwarding, or `CONNECT` tunnels for TLS) or SOCKS5 if
/// configured.
///
/// ```no_run
/// use std::io::Read;
/// use rpoco_net::{HttpClientSession, HttpRequest, HttpResponse, HTTP_1_1};
///
/// let mut session = HttpClientSession::new("www.example.com", 80);
/// let mut request = HttpRequest::new(HttpRequest::HTTP_GET, "/", HTTP_1_1);
/// session.send_request(&mut request)?;
/// let mut response = HttpResponse::default();
/// let mut body = String::new();
/// session.receive_response(&mut response)?.read_to_string(&mut body)?;
/// println!("{} {}\n{body}", response.status(), response.reason());
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct HttpClientSession {
    host: String,
    port: u16,
    /// TCP options, the proxy (NO_PROXY compiled once) and the TLS step.
    chain: Chain,
    proxy: ProxyConfig,
    proxy_digest: Option<HttpDigestCredentials>,
    pub(in crate::http::client) conn: Option<Conn>,
    keep_alive: bool,
    keep_alive_timeout: Duration,
    send_timeout: Option<Duration>,
    receive_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    deadline: Option<Instant>,
    last_request: Option<Instant>,
    must_reconnect: bool,
    /// The last response switched protocols (`101`): the connection stays open after its
    /// (empty) body for [`detach_socket`](Self::detach_socket), and is not reused for HTTP.
    switched: bool,
    pub(in crate::http::client) exchange: Exchange,
    reused: bool,
    trailers: MessageHeader,
    abort: Arc<AbortShared>,
    /// What the transport of the current or most recent connection reported about itself
    /// (netssl: the TLS handshake), kept after the connection closes.
    info: Option<Arc<dyn ConnectionInfo>>,
}

impl HttpClientSession {
    /// A session for `host:port` over plain TCP (POCO `HTTPClientSession(host, port)`).
    /// Nothing is connected until the first request.
    pub fn new(host: &str, port: u16) -> Self {
        Self::with_connector(host, port, Arc::new(PlainConnector))
    }

    /// A session whose connections are opened by `connector` (TLS from `rpoco-netssl`).
    /// **Public API for netssl.** Port 0 means the connector's default port.
    pub fn with_connector(host: &str, port: u16, connector: Arc<dyn Connector>) -> Self {
        let port = if port == 0 { connector.default_port() } else { port };
        let proxy = GLOBAL_PROXY.read().ok().and_then(|g| g.clone()).unwrap_or_default();
        let chain = Chain::new(connector).with_proxy_lenient(proxy.clone());
        HttpClientSession {
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port,
            chain,
            proxy,
            proxy_digest: None,
            conn: None,
            keep_alive: false,
            keep_alive_timeout: Duration::from_secs(8),
            send_timeout: Some(Duration::from_secs(60)),
            receive_timeout: Some(Duration::from_secs(60)),
            request_timeout: None,
            deadline: None,
            last_request: None,
            must_reconnect: false,
            switched: false,
            exchange: Exchange::Idle,
            reused: false,
            trailers: MessageHeader::new(),
            abort: Arc::new(AbortShared::default()),
            info: None,
        }
    }

    /// A session that goes through `proxy` (POCO `HTTPClientSession(host, port, proxyConfig)`).
    pub fn with_proxy(host: &str, port: u16, proxy: ProxyConfig) -> Self {
        let mut s = Self::new(host, port);
        s.chain = s.chain.clone().with_proxy_lenient(proxy.clone());
        s.proxy = proxy;
        s
    }

    /// A session whose proxy comes from `HTTP_PROXY` / `NO_PROXY` (an opt-in rpoco
    /// addition; see [`ProxyConfig::from_env`]).
    pub fn with_env_proxy(host: &str, port: u16) -> Result<Self> {
        let mut s = Self::new(host, port);
        if let Some(p) = ProxyConfig::from_env(s.chain.tls().scheme())? {
            s.set_proxy_config(p)?;
        }
        Ok(s)
    }

    /// A session on an already connected transport (POCO `HTTPClientSession(socket)`);
    /// `host` and `port` are used for `Host` and for reconnecting.
    pub fn from_transport(transport: Box<dyn Transport>, host: &str, port: u16) -> Self {
        let mut s = Self::new(host, port);
        s.attach(transport);
        s
    }

    /// A session for the scheme, host and port of `uri` (`http` only here; netssl handles
    /// `https`).
    pub fn from_uri(uri: &rpoco_foundation::Uri) -> Result<Self> {
        if !uri.scheme().eq_ignore_ascii_case("http") {
            return Err(Error::new(
                ErrorKind::UnknownUriScheme,
                format!("{} (HttpClientSession handles http)", uri.scheme()),
            ));
        }
        Ok(Self::new(uri.host(), uri.port()))
    }

    /// Sets the process-wide proxy that new sessions copy (POCO `setGlobalProxyConfig`).
    pub fn set_global_proxy_config(config: ProxyConfig) {
        if let Ok(mut g) = GLOBAL_PROXY.write() {
            *g = if config.is_set() { Some(config) } else { None };
        }
    }

    /// The process-wide proxy configuration.
    pub fn global_proxy_config() -> ProxyConfig {
        GLOBAL_PROXY.read().ok().and_then(|g| g.clone()).unwrap_or_default()
    }

    fn attach(&mut self, transport: Box<dyn Transport>) {
        if let Ok(mut g) = self.abort.socket.lock() {
            *g = Some(transport.socket().clone());
        }
        self.info = transport.connection_info();
        let _ = transport.set_send_timeout(self.send_timeout);
        let _ = transport.set_receive_timeout(self.receive_timeout);
        self.conn = Some(Conn::new(transport));
        self.reused = false;
    }

    pub(in crate::http::client) fn check_abort(&self) -> Result<()> {
        if self.abort.aborted.load(Ordering::SeqCst) {
            return Err(Error::new(ErrorKind::ConnectionAborted, "session aborted through its AbortHandle"));
        }
        Ok(())
    }

    /// Maps an I/O error, naming an abort or a spent deadline when that is the cause.
    pub(in crate::http::client) fn io_error(&self, e: io::Error, what: &str) -> Error {
        if self.abort.aborted.load(Ordering::SeqCst) {
            return Error::new(
                ErrorKind::ConnectionAborted,
                format!("{what}: session aborted through its AbortHandle"),
            );
        }
        if let (Some(d), Some(t)) = (self.deadline, self.request_timeout)
            && Instant::now() >= d
        {
            return Error::timeout(Timeout::Deadline, Some(t), format_args!("{what}: request"));
        }
        Error::from_io_during(e, what)
    }

    /// Bounds the next blocking call by what is left of the request deadline.
    pub(in crate::http::client) fn apply_deadline(&mut self) -> Result<()> {
        self.check_abort()?;
        let (Some(deadline), Some(total)) = (self.deadline, self.request_timeout) else {
            return Ok(());
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            self.close();
            return Err(Error::timeout(Timeout::Deadline, Some(total), "request"));
        }
        if let Some(c) = &self.conn {
            let cap = |t: Option<Duration>| Some(t.map_or(left, |t| t.min(left)));
            c.transport.set_receive_timeout(cap(self.receive_timeout))?;
            c.transport.set_send_timeout(cap(self.send_timeout))?;
        }
        Ok(())
    }

    /// The chain for the next connection: the request deadline, if any, bounds it all.
    fn chain_for_request(&self) -> Result<Chain> {
        match (self.deadline, self.request_timeout) {
            (Some(d), Some(total)) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::timeout(Timeout::Deadline, Some(total), "request"));
                }
                let options = self.chain.options();
                let overall = options.timeout().map_or(left, |t| t.min(left));
                Ok(self.chain.clone().with_options(options.clone().with_timeout(Some(overall))))
            }
            _ => Ok(self.chain.clone()),
        }
    }

    /// Whether requests go to an HTTP proxy as absolute URIs (plain HTTP through an HTTP
    /// proxy) rather than through a tunnel.
    fn forwards_through_proxy(&self) -> bool {
        self.chain.route(&self.host) == Route::Forward
    }

    /// Opens a connection through the chain: TCP (Happy Eyeballs), then SOCKS5 or a
    /// `CONNECT` tunnel if the proxy says so, then the TLS step.
    fn connect(&mut self) -> Result<()> {
        self.check_abort()?;
        let chain = self.chain_for_request()?;
        let abort = self.abort.clone();
        let mut register = |socket: &StreamSocket| {
            if let Ok(mut g) = abort.socket.lock() {
                *g = Some(socket.clone());
            }
        };
        let hooks = Hooks { on_socket: &mut register, digest: &mut self.proxy_digest };
        let transport = chain.connect_with(&self.host, self.port, hooks)?;
        self.attach(transport);
        Ok(())
    }
}

/// Enough of what the server sent to recognise it (a TLS record header and alert).
pub(super) fn first_bytes(buffered: &[u8]) -> Vec<u8> {
    buffered[..buffered.len().min(8)].to_vec()
}

impl Drop for HttpClientSession {
    fn drop(&mut self) {
        self.close();
    }
}
