//! [`HttpClientSession`] (POCO `HTTPClientSession`).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::body::{RequestBody, ResponseBody};
use super::proxy::{ProxyConfig, connect_tunnel, socks5_connect};
use crate::error::{Error, Result};
use crate::http::conn::Conn;
use crate::http::message::{
    HttpDigestCredentials, HttpMessage, HttpRequest, HttpResponse, HttpStatus, MessageHeader,
};
use crate::http::proto::{
    BodyDecoder, BodyEncoder, BodyFraming, Decoded, encode_request_head, outgoing_framing,
    parse_response_head, response_framing, validate_request_head,
};
use crate::socket::{Connector, PlainConnector, StreamSocket, Transport};

static GLOBAL_PROXY: RwLock<Option<ProxyConfig>> = RwLock::new(None);

/// Where a session is in its request/response exchange.
#[derive(Debug)]
pub(super) enum Exchange {
    Idle,
    Sending(BodyEncoder),
    AwaitingResponse,
    Receiving(BodyDecoder),
}

/// Lets another thread abort a session's blocking operations.
///
/// [`abort`](Self::abort) shuts the current connection down (a blocked read or write returns
/// at once) and makes every later operation fail with [`Error::ConnectionAborted`] until
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
/// `send_request` returns a [`RequestBody`] to write the body to (as the request's
/// `Content-Length` or chunked `Transfer-Encoding` says; a body without either is an error,
/// never dropped); `receive_response` returns a [`ResponseBody`] to read the body from. A
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
    connector: Arc<dyn Connector>,
    proxy: ProxyConfig,
    proxy_digest: Option<HttpDigestCredentials>,
    pub(super) conn: Option<Conn>,
    keep_alive: bool,
    keep_alive_timeout: Duration,
    connect_timeout: Option<Duration>,
    send_timeout: Option<Duration>,
    receive_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    deadline: Option<Instant>,
    last_request: Option<Instant>,
    must_reconnect: bool,
    pub(super) exchange: Exchange,
    method: String,
    replay: Option<Vec<u8>>,
    reused: bool,
    peeked: Option<HttpResponse>,
    trailers: MessageHeader,
    abort: Arc<AbortShared>,
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
        HttpClientSession {
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port,
            connector,
            proxy,
            proxy_digest: None,
            conn: None,
            keep_alive: false,
            keep_alive_timeout: Duration::from_secs(8),
            connect_timeout: Some(Duration::from_secs(30)),
            send_timeout: Some(Duration::from_secs(60)),
            receive_timeout: Some(Duration::from_secs(60)),
            request_timeout: None,
            deadline: None,
            last_request: None,
            must_reconnect: false,
            exchange: Exchange::Idle,
            method: String::new(),
            replay: None,
            reused: false,
            peeked: None,
            trailers: MessageHeader::new(),
            abort: Arc::new(AbortShared::default()),
        }
    }

    /// A session that goes through `proxy` (POCO `HTTPClientSession(host, port, proxyConfig)`).
    pub fn with_proxy(host: &str, port: u16, proxy: ProxyConfig) -> Self {
        let mut s = Self::new(host, port);
        s.proxy = proxy;
        s
    }

    /// A session whose proxy comes from `HTTP_PROXY` / `NO_PROXY` (an opt-in rpoco
    /// addition; see [`ProxyConfig::from_env`]).
    pub fn with_env_proxy(host: &str, port: u16) -> Result<Self> {
        let mut s = Self::new(host, port);
        if let Some(p) = ProxyConfig::from_env(s.connector.scheme())? {
            s.proxy = p;
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
            return Err(Error::UnknownUriScheme(format!(
                "{} (HttpClientSession handles http)",
                uri.scheme()
            )));
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

    fn ensure_unconnected(&self, what: &str) -> Result<()> {
        if self.conn.is_some() {
            return Err(Error::IllegalState(format!("cannot change the {what} of a connected session")));
        }
        Ok(())
    }

    /// The server host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Sets the server host; [`Error::IllegalState`] while connected.
    pub fn set_host(&mut self, host: &str) -> Result<()> {
        self.ensure_unconnected("host")?;
        self.host = host.to_owned();
        Ok(())
    }

    /// The server port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sets the server port; [`Error::IllegalState`] while connected.
    pub fn set_port(&mut self, port: u16) -> Result<()> {
        self.ensure_unconnected("port")?;
        self.port = port;
        Ok(())
    }

    /// The connector.
    pub fn connector(&self) -> &Arc<dyn Connector> {
        &self.connector
    }

    /// Replaces the connector; [`Error::IllegalState`] while connected.
    pub fn set_connector(&mut self, connector: Arc<dyn Connector>) -> Result<()> {
        self.ensure_unconnected("connector")?;
        self.connector = connector;
        Ok(())
    }

    /// The proxy configuration.
    pub fn proxy_config(&self) -> &ProxyConfig {
        &self.proxy
    }

    /// Sets the proxy configuration; [`Error::IllegalState`] while connected.
    pub fn set_proxy_config(&mut self, config: ProxyConfig) -> Result<()> {
        self.ensure_unconnected("proxy")?;
        self.proxy = config;
        self.proxy_digest = None;
        Ok(())
    }

    /// POCO `setProxy(host, port)`.
    pub fn set_proxy(&mut self, host: &str, port: u16) -> Result<()> {
        let mut p = self.proxy.clone();
        p.host = host.to_owned();
        p.port = port;
        self.set_proxy_config(p)
    }

    /// POCO `setProxyCredentials(username, password)`.
    pub fn set_proxy_credentials(&mut self, username: &str, password: &str) {
        self.proxy.username = username.to_owned();
        self.proxy.password = password.to_owned();
        self.proxy_digest = None;
    }

    /// Whether connections are kept open between requests.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Turns keep-alive on or off (default off, as POCO).
    pub fn set_keep_alive(&mut self, on: bool) {
        self.keep_alive = on;
    }

    /// The keep-alive timeout (default 8 s).
    pub fn keep_alive_timeout(&self) -> Duration {
        self.keep_alive_timeout
    }

    /// A kept-alive connection idle this long since the last request was sent is replaced.
    pub fn set_keep_alive_timeout(&mut self, timeout: Duration) {
        self.keep_alive_timeout = timeout;
    }

    /// POCO `setTimeout(t)`: sets the connect, send and receive timeouts.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.set_timeouts(timeout, timeout, timeout);
    }

    /// Sets the connect, send and receive timeouts (`None` = none).
    pub fn set_timeouts(
        &mut self,
        connect: Option<Duration>,
        send: Option<Duration>,
        receive: Option<Duration>,
    ) {
        let z = |t: Option<Duration>| t.filter(|d| !d.is_zero());
        self.connect_timeout = z(connect);
        self.send_timeout = z(send);
        self.receive_timeout = z(receive);
        if let Some(c) = &self.conn {
            let _ = c.transport.set_send_timeout(self.send_timeout);
            let _ = c.transport.set_receive_timeout(self.receive_timeout);
        }
    }

    /// POCO `getTimeout()`: the receive timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.receive_timeout
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// An overall time limit for each request, from `send_request` until its response body
    /// is read (an rpoco addition): every connect, write and read is bounded by what is
    /// left, and [`Error::Timeout`] is returned once it is spent.
    pub fn set_request_timeout(&mut self, timeout: Option<Duration>) {
        self.request_timeout = timeout.filter(|d| !d.is_zero());
    }

    /// The overall per-request time limit.
    pub fn request_timeout(&self) -> Option<Duration> {
        self.request_timeout
    }

    /// A handle another thread can use to abort this session's operations.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle { shared: self.abort.clone() }
    }

    /// Whether a connection is open.
    pub fn connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The connection's transport, if connected (netssl reads the peer certificate through
    /// it). **Public API for netssl.**
    pub fn transport(&self) -> Option<&dyn Transport> {
        self.conn.as_ref().map(|c| c.transport.as_ref())
    }

    /// Whether the connection is encrypted (POCO `secure()`).
    pub fn secure(&self) -> bool {
        self.connector.is_secure()
    }

    /// The trailer fields of the last chunked response (POCO `responseTrailer()`).
    pub fn response_trailers(&self) -> &MessageHeader {
        &self.trailers
    }

    /// Closes the connection, if any (POCO `reset()`), and clears an abort.
    pub fn reset(&mut self) {
        self.close();
        self.abort.aborted.store(false, Ordering::SeqCst);
    }

    /// Closes the connection gracefully (TLS: `close_notify`).
    pub fn close(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = c.transport.shutdown();
        }
        if let Ok(mut g) = self.abort.socket.lock() {
            *g = None;
        }
        self.exchange = Exchange::Idle;
        self.peeked = None;
        self.replay = None;
    }

    fn attach(&mut self, transport: Box<dyn Transport>) {
        if let Ok(mut g) = self.abort.socket.lock() {
            *g = Some(transport.socket().clone());
        }
        let _ = transport.set_send_timeout(self.send_timeout);
        let _ = transport.set_receive_timeout(self.receive_timeout);
        self.conn = Some(Conn::new(transport));
        self.reused = false;
    }

    pub(super) fn check_abort(&self) -> Result<()> {
        if self.abort.aborted.load(Ordering::SeqCst) {
            return Err(Error::ConnectionAborted("session aborted through its AbortHandle".into()));
        }
        Ok(())
    }

    /// Maps an I/O error, naming an abort or a spent deadline when that is the cause.
    pub(super) fn io_error(&self, e: io::Error, what: &str) -> Error {
        if self.abort.aborted.load(Ordering::SeqCst) {
            return Error::ConnectionAborted(format!("{what}: session aborted through its AbortHandle"));
        }
        if let (Some(d), Some(t)) = (self.deadline, self.request_timeout)
            && Instant::now() >= d
        {
            return Error::Timeout(format!("{what}: request timeout of {t:?} exceeded"));
        }
        Error::from_io_during(e, what)
    }

    /// Bounds the next blocking call by what is left of the request deadline.
    pub(super) fn apply_deadline(&mut self) -> Result<()> {
        self.check_abort()?;
        let (Some(deadline), Some(total)) = (self.deadline, self.request_timeout) else {
            return Ok(());
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            self.close();
            return Err(Error::Timeout(format!("request timeout of {total:?} exceeded")));
        }
        if let Some(c) = &self.conn {
            let cap = |t: Option<Duration>| Some(t.map_or(left, |t| t.min(left)));
            c.transport.set_receive_timeout(cap(self.receive_timeout))?;
            c.transport.set_send_timeout(cap(self.send_timeout))?;
        }
        Ok(())
    }

    fn remaining_connect_timeout(&self) -> Result<Option<Duration>> {
        match (self.deadline, self.request_timeout) {
            (Some(d), Some(total)) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::Timeout(format!("request timeout of {total:?} exceeded")));
                }
                Ok(Some(self.connect_timeout.map_or(left, |c| c.min(left))))
            }
            _ => Ok(self.connect_timeout),
        }
    }

    fn uses_proxy(&self) -> bool {
        self.proxy.is_set() && !self.proxy.bypasses(&self.host)
    }

    /// Whether requests go to an HTTP proxy as absolute URIs (plain HTTP through an HTTP
    /// proxy) rather than through a tunnel.
    fn forwards_through_proxy(&self) -> bool {
        self.uses_proxy() && !self.proxy.is_socks5() && !self.connector.is_secure()
    }

    /// Opens a connection: directly, through SOCKS5, through a `CONNECT` tunnel (TLS), or to
    /// an HTTP proxy that forwards (plain HTTP).
    fn connect(&mut self) -> Result<()> {
        self.check_abort()?;
        let timeout = self.remaining_connect_timeout()?;
        let connector = self.connector.clone();
        let transport = if !self.uses_proxy() {
            let socket = connector.connect_tcp(&self.host, self.port, timeout)?;
            self.register(&socket);
            connector.wrap(socket, &self.host, timeout)?
        } else {
            let (ph, pp) = (self.proxy.host.clone(), self.proxy.port);
            let socket = connector.connect_tcp(&ph, pp, timeout)?;
            self.register(&socket);
            if self.proxy.is_socks5() {
                socks5_connect(&socket, &self.proxy, &self.host, self.port, timeout)?;
                connector.wrap(socket, &self.host, timeout)?
            } else if connector.is_secure() {
                socket.set_receive_timeout(timeout.or(self.receive_timeout))?;
                socket.set_send_timeout(timeout.or(self.send_timeout))?;
                let reconnect = || -> Result<StreamSocket> { connector.connect_tcp(&ph, pp, timeout) };
                let socket = connect_tunnel(
                    socket,
                    &self.proxy,
                    &mut self.proxy_digest,
                    &self.host,
                    self.port,
                    reconnect,
                )?;
                self.register(&socket);
                connector.wrap(socket, &self.host, timeout)?
            } else {
                Box::new(socket)
            }
        };
        self.attach(transport);
        Ok(())
    }

    fn register(&self, socket: &StreamSocket) {
        if let Ok(mut g) = self.abort.socket.lock() {
            *g = Some(socket.clone());
        }
    }

    /// Sends the request head (POCO `sendRequest`) and returns the body writer.
    ///
    /// Reconnects first if needed (keep-alive off, the server asked to close, or the
    /// keep-alive timeout passed since the last request was sent). Adds `Host` if absent and
    /// `Connection: Close` when keep-alive is off; through an HTTP proxy, prefixes the URI and
    /// adds proxy credentials (only if configured). A request without a body is sent at once;
    /// otherwise the head goes out with the first body bytes or at
    /// [`RequestBody::finish`]. If the first write on a reused connection fails, the session
    /// reconnects and sends again once.
    pub fn send_request(&mut self, request: &mut HttpRequest) -> Result<RequestBody<'_>> {
        self.check_abort()?;
        self.deadline = self.request_timeout.map(|t| Instant::now() + t);
        self.finish_previous_exchange();
        if self.conn.is_some() {
            let stale = self.last_request.is_some_and(|t| t.elapsed() >= self.keep_alive_timeout);
            if !self.keep_alive || self.must_reconnect || stale {
                self.close();
            }
        }
        self.must_reconnect = false;
        if !self.keep_alive {
            request.set_keep_alive(false);
        }
        if !request.has("Host") && !self.host.is_empty() {
            request.set_host(&self.host, self.port);
        }
        if self.forwards_through_proxy() {
            let uri = request.uri().to_owned();
            if !(uri.starts_with("http://") || uri.starts_with("https://")) {
                request.set_uri(&format!("{}{}", self.proxy_request_prefix(), uri));
            }
            if self.keep_alive {
                request.set("Proxy-Connection", "Keep-Alive");
            }
            let proxy = self.proxy.clone();
            proxy.authorize(request, &mut self.proxy_digest)?;
        }
        validate_request_head(request)?;
        let framing = outgoing_framing(request)?;
        self.method = request.method().to_owned();
        self.peeked = None;
        let mut head = Vec::with_capacity(256);
        encode_request_head(request, &mut head);
        self.replay = (request.is_idempotent()
            && matches!(framing, BodyFraming::None | BodyFraming::Length(0)))
        .then(|| head.clone());

        if self.conn.is_none() {
            self.connect()?;
        } else {
            self.reused = true;
        }
        self.last_request = Some(Instant::now());
        let encoder = BodyEncoder::new(framing);
        if matches!(framing, BodyFraming::None | BodyFraming::Length(0)) {
            self.send_head_now(&head)?;
            // Still "sending": a write of body bytes gets the encoder's clear error.
            self.exchange = Exchange::Sending(encoder);
        } else {
            self.conn.as_mut().expect("connected above").wbuf.extend_from_slice(&head);
            self.exchange = Exchange::Sending(encoder);
            if request.expect_continue() {
                self.flush_head()?;
            }
        }
        Ok(RequestBody::new(self))
    }

    /// Sends `head` now; on a reused connection a failed write reconnects and retries once
    /// (POCO does the same).
    fn send_head_now(&mut self, head: &[u8]) -> Result<()> {
        self.apply_deadline()?;
        let conn = self.conn.as_mut().expect("connected");
        match conn.write_through(head) {
            Ok(()) => Ok(()),
            Err(e) if self.reused => {
                let _ = e;
                self.close();
                self.connect()?;
                self.apply_deadline()?;
                let conn = self.conn.as_mut().expect("connected");
                conn.write_through(head).map_err(|e| self.io_error(e, "send request"))
            }
            Err(e) => {
                let err = self.io_error(e, "send request");
                self.close();
                Err(err)
            }
        }
    }

    pub(super) fn flush_head(&mut self) -> Result<()> {
        self.apply_deadline()?;
        let conn = self.conn.as_mut().ok_or_else(|| Error::IllegalState("not connected".into()))?;
        if let Err(e) = conn.flush() {
            let err = self.io_error(e, "send request");
            self.close();
            return Err(err);
        }
        Ok(())
    }

    fn proxy_request_prefix(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let scheme = self.connector.scheme();
        if self.port == self.connector.default_port() {
            format!("{scheme}://{host}")
        } else {
            format!("{scheme}://{host}:{}", self.port)
        }
    }

    /// Leaves the connection ready for a new request: completes what can be completed
    /// without blocking, closes it otherwise.
    fn finish_previous_exchange(&mut self) {
        match std::mem::replace(&mut self.exchange, Exchange::Idle) {
            Exchange::Idle => {}
            Exchange::Receiving(decoder) => {
                self.exchange = Exchange::Receiving(decoder);
                self.discard_buffered_body();
            }
            Exchange::Sending(_) | Exchange::AwaitingResponse => self.close(),
        }
    }

    /// Finishes an unread response body from buffered bytes only; closes the connection
    /// if more would have to be read. Called when a [`ResponseBody`] is dropped early.
    pub(super) fn discard_buffered_body(&mut self) {
        let Exchange::Receiving(decoder) = &mut self.exchange else {
            return;
        };
        let Some(conn) = self.conn.as_mut() else {
            self.exchange = Exchange::Idle;
            return;
        };
        loop {
            match decoder.decode(conn.buffered()) {
                Ok((used, Decoded::Data(_))) => conn.consume(used),
                Ok((used, Decoded::End)) => {
                    conn.consume(used);
                    self.trailers = decoder.take_trailers();
                    self.exchange = Exchange::Idle;
                    if self.must_reconnect {
                        self.close();
                    }
                    return;
                }
                Ok((_, Decoded::NeedMore)) | Err(_) => {
                    self.close();
                    return;
                }
            }
        }
    }

    /// Reads the response head (POCO `receiveResponse`), skipping `100 Continue` and other
    /// interim responses, and returns the body reader. No body for `HEAD`, 1xx, 204 and
    /// 304. If a request sent on a reused connection gets no response at all (the server
    /// had closed it), an idempotent request without a body is sent again once on a new
    /// connection. A response without a byte → [`Error::NoMessage`].
    pub fn receive_response(&mut self, response: &mut HttpResponse) -> Result<ResponseBody<'_>> {
        self.check_abort()?;
        match std::mem::replace(&mut self.exchange, Exchange::Idle) {
            Exchange::Sending(encoder) => {
                self.exchange = Exchange::Sending(encoder);
                self.finish_body(None)?;
            }
            Exchange::AwaitingResponse => {}
            Exchange::Receiving(d) => {
                self.exchange = Exchange::Receiving(d);
                return Err(Error::IllegalState("the previous response body is still being read".into()));
            }
            Exchange::Idle => {
                if self.peeked.is_none() {
                    return Err(Error::IllegalState("receive_response without a request sent".into()));
                }
            }
        }
        let limits = response.header().limits();
        let auto = response.header().auto_decode();
        let head = match self.peeked.take() {
            Some(r) => r,
            None => self.read_final_head(limits)?,
        };
        *response = head;
        response.header_mut().set_auto_decode(auto);
        let framing = match response_framing(&self.method, response) {
            Ok(f) => f,
            Err(e) => {
                self.close();
                return Err(e);
            }
        };
        let closes = !response.keep_alive() || response.header().has_token("Connection", "close");
        self.must_reconnect =
            closes || framing == BodyFraming::Close || response.status() == HttpStatus::SWITCHING_PROTOCOLS;
        self.trailers = MessageHeader::new();
        self.exchange = Exchange::Receiving(BodyDecoder::with_limits(framing, limits));
        self.replay = None;
        Ok(ResponseBody::new(self))
    }

    /// Reads heads until a final (non-1xx, or 101) response, with the stale-connection retry.
    fn read_final_head(&mut self, limits: crate::http::message::HeaderLimits) -> Result<HttpResponse> {
        let mut retried = false;
        loop {
            self.apply_deadline()?;
            let conn = self.conn.as_mut().ok_or_else(|| Error::IllegalState("not connected".into()))?;
            let result = conn.read_head(|b| parse_response_head(b, &limits));
            let fresh_failure = match &result {
                Ok(None) => true,
                Err(Error::ConnectionReset(_)) => conn.buffered().is_empty(),
                _ => false,
            };
            if fresh_failure
                && self.reused
                && !retried
                && self.replay.is_some()
                && !self.abort.aborted.load(Ordering::SeqCst)
            {
                retried = true;
                let replay = self.replay.clone().unwrap_or_default();
                self.close();
                self.replay = Some(replay.clone());
                self.connect()?;
                self.send_head_now(&replay)?;
                continue;
            }
            let head = match result {
                Ok(Some(h)) => h,
                Ok(None) => {
                    self.close();
                    self.check_abort()?;
                    return Err(Error::NoMessage("connection closed before a response was received".into()));
                }
                Err(e) => {
                    let e = if self.abort.aborted.load(Ordering::SeqCst) {
                        Error::ConnectionAborted(
                            "receive response: session aborted through its AbortHandle".into(),
                        )
                    } else {
                        e
                    };
                    self.close();
                    return Err(e);
                }
            };
            if head.status().is_informational() && head.status() != HttpStatus::SWITCHING_PROTOCOLS {
                continue;
            }
            return Ok(head);
        }
    }

    /// Ends the request body (for [`RequestBody::finish`] and `receive_response`).
    pub(super) fn finish_body(&mut self, trailers: Option<&MessageHeader>) -> Result<()> {
        let Exchange::Sending(encoder) = &mut self.exchange else {
            return Ok(());
        };
        let conn = self.conn.as_mut().ok_or_else(|| Error::IllegalState("not connected".into()))?;
        if let Err(e) = encoder.finish(trailers, &mut conn.wbuf) {
            self.close();
            return Err(e);
        }
        self.flush_head()?;
        self.exchange = Exchange::AwaitingResponse;
        Ok(())
    }

    /// Flushes the head and reads one response (POCO `peekResponse`, for
    /// `Expect: 100-continue`): `true` if it was `100 Continue` (send the body now); `false`
    /// if it was a final response (stored for `receive_response`; do not send the body — the
    /// connection will be closed after that response).
    pub(super) fn peek_response(&mut self, response: &mut HttpResponse) -> Result<bool> {
        self.flush_head()?;
        let limits = response.header().limits();
        let conn = self.conn.as_mut().ok_or_else(|| Error::IllegalState("not connected".into()))?;
        let head = match conn.read_head(|b| parse_response_head(b, &limits)) {
            Ok(Some(h)) => h,
            Ok(None) => {
                self.close();
                return Err(Error::NoMessage("connection closed before a response was received".into()));
            }
            Err(e) => {
                self.close();
                return Err(e);
            }
        };
        *response = head.clone();
        if head.status() == HttpStatus::CONTINUE {
            return Ok(true);
        }
        // A final answer before the body: the request body is never sent, so the connection
        // cannot be reused.
        self.peeked = Some(head);
        self.exchange = Exchange::Idle;
        self.must_reconnect = true;
        Ok(false)
    }

    /// Writes request body bytes (for [`RequestBody`]).
    pub(super) fn write_body(&mut self, data: &[u8]) -> io::Result<usize> {
        self.check_abort().map_err(io::Error::from)?;
        let Exchange::Sending(encoder) = &mut self.exchange else {
            return Err(Error::IllegalState("no request body is being sent".into()).into());
        };
        let conn =
            self.conn.as_mut().ok_or_else(|| io::Error::from(Error::IllegalState("not connected".into())))?;
        encoder.prepare(data.len(), &mut conn.wbuf).map_err(io::Error::from)?;
        let suffix = encoder.chunk_suffix(data.len());
        if conn.wbuf.len() + data.len() < 16 * 1024 {
            conn.wbuf.extend_from_slice(data);
            conn.wbuf.extend_from_slice(suffix);
            return Ok(data.len());
        }
        self.apply_deadline().map_err(io::Error::from)?;
        let conn = self.conn.as_mut().expect("checked");
        let r = conn.write_through(data).map(|()| conn.wbuf.extend_from_slice(suffix));
        if let Err(e) = r {
            let err = self.io_error(e, "send request body");
            self.close();
            return Err(err.into());
        }
        Ok(data.len())
    }

    /// Reads response body bytes (for [`ResponseBody`] and the stream factory).
    pub(crate) fn read_body(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let Exchange::Receiving(decoder) = &mut self.exchange else {
                return Ok(0);
            };
            if decoder.is_finished() {
                self.trailers = decoder.take_trailers();
                self.exchange = Exchange::Idle;
                if self.must_reconnect {
                    self.close();
                }
                return Ok(0);
            }
            let Some(conn) = self.conn.as_mut() else {
                return Err(Error::IllegalState("connection closed".into()).into());
            };
            // Large reads of an unframed or fixed-length body go straight to the caller.
            if conn.buffered().is_empty() && out.len() >= 8192 && decoder.remaining() != Some(0) {
                let direct = match decoder.remaining() {
                    Some(n) => Some(n.min(out.len() as u64) as usize),
                    None if decoder.is_close_delimited() => Some(out.len()),
                    None => None,
                };
                if let Some(len) = direct {
                    self.apply_deadline().map_err(io::Error::from)?;
                    let Exchange::Receiving(decoder) = &mut self.exchange else { unreachable!() };
                    let conn = self.conn.as_mut().expect("checked");
                    let n = match conn.read_direct(&mut out[..len]) {
                        Ok(n) => n,
                        Err(e) => return Err(self.fail_read(e)),
                    };
                    if n == 0 {
                        if let Err(e) = decoder.end_of_input() {
                            self.close();
                            return Err(e.into_io(io::ErrorKind::UnexpectedEof));
                        }
                        continue;
                    }
                    decoder.decode(&out[..n]).map_err(io::Error::from)?;
                    return Ok(n);
                }
            }
            let Exchange::Receiving(decoder) = &mut self.exchange else { unreachable!() };
            let conn = self.conn.as_mut().expect("checked");
            let (used, event) = match decoder.decode_max(conn.buffered(), out.len()) {
                Ok(r) => r,
                Err(e) => {
                    self.close();
                    return Err(e.into());
                }
            };
            match event {
                Decoded::Data(d) => {
                    let n = d.len();
                    out[..n].copy_from_slice(d);
                    conn.consume(used);
                    return Ok(n);
                }
                Decoded::End => {
                    conn.consume(used);
                }
                Decoded::NeedMore => {
                    conn.consume(used);
                    self.apply_deadline().map_err(io::Error::from)?;
                    let conn = self.conn.as_mut().expect("checked");
                    match conn.fill() {
                        Ok(0) => {
                            let Exchange::Receiving(decoder) = &mut self.exchange else { unreachable!() };
                            if let Err(e) = decoder.end_of_input() {
                                self.close();
                                return Err(e.into_io(io::ErrorKind::UnexpectedEof));
                            }
                        }
                        Ok(_) => {}
                        Err(e) => return Err(self.fail_read(e)),
                    }
                }
            }
        }
    }

    fn fail_read(&mut self, e: io::Error) -> io::Error {
        let err = self.io_error(e, "receive response body");
        self.close();
        err.into()
    }
}

impl Drop for HttpClientSession {
    fn drop(&mut self) {
        self.close();
    }
}
