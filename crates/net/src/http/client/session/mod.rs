//! [`HttpClientSession`] (POCO `HTTPClientSession`).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

mod body_io;
mod settings;
mod takeover;

use super::body::{RequestBody, ResponseBody};
use super::proxy::{ProxyAuth, ProxyConfig, connect_tunnel, socks5_connect};
use crate::error::{Error, ErrorKind, Result, Timeout};
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
pub(in crate::http::client) enum Exchange {
    Idle,
    Sending(BodyEncoder),
    AwaitingResponse,
    Receiving(BodyDecoder),
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
    pub(in crate::http::client) conn: Option<Conn>,
    keep_alive: bool,
    keep_alive_timeout: Duration,
    connect_timeout: Option<Duration>,
    send_timeout: Option<Duration>,
    receive_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    deadline: Option<Instant>,
    last_request: Option<Instant>,
    must_reconnect: bool,
    /// The last response switched protocols (`101`): the connection stays open after its
    /// (empty) body for [`detach_socket`](Self::detach_socket), and is not reused for HTTP.
    switched: bool,
    /// Plain connections through an HTTP proxy use a `CONNECT` tunnel, as TLS ones do (set
    /// by protocols that take the connection over, such as WebSocket).
    tunnel_plain: bool,
    pub(in crate::http::client) exchange: Exchange,
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
            switched: false,
            tunnel_plain: false,
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

    fn remaining_connect_timeout(&self) -> Result<Option<Duration>> {
        match (self.deadline, self.request_timeout) {
            (Some(d), Some(total)) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::timeout(Timeout::Deadline, Some(total), "request"));
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
        self.uses_proxy() && !self.proxy.is_socks5() && !self.connector.is_secure() && !self.tunnel_plain
    }

    /// Opens a connection: directly, through SOCKS5, through a `CONNECT` tunnel (TLS, or
    /// plain with `tunnel_plain`), or to an HTTP proxy that forwards (plain HTTP).
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
            } else if connector.is_secure() || self.tunnel_plain {
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
            // A connection that has served no request yet (given to `from_transport` or
            // `attach_socket`) serves this one, whatever keep-alive says.
            let served = self.last_request.is_some();
            let stale = self.last_request.is_some_and(|t| t.elapsed() >= self.keep_alive_timeout);
            if (served && !self.keep_alive) || self.must_reconnect || stale {
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

    pub(in crate::http::client) fn flush_head(&mut self) -> Result<()> {
        self.apply_deadline()?;
        let conn = self.conn.as_mut().ok_or_else(|| Error::new(ErrorKind::IllegalState, "not connected"))?;
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
    pub(in crate::http::client) fn discard_buffered_body(&mut self) {
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
                    if self.must_reconnect && !self.switched {
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
    /// connection. A response without a byte → [`ErrorKind::NoMessage`](crate::ErrorKind::NoMessage).
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
                return Err(Error::new(
                    ErrorKind::IllegalState,
                    "the previous response body is still being read",
                ));
            }
            Exchange::Idle => {
                if self.peeked.is_none() {
                    return Err(Error::new(
                        ErrorKind::IllegalState,
                        "receive_response without a request sent",
                    ));
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
        self.remember_proxy_challenge(response);
        let closes = !response.keep_alive() || response.header().has_token("Connection", "close");
        self.must_reconnect =
            closes || framing == BodyFraming::Close || response.status() == HttpStatus::SWITCHING_PROTOCOLS;
        self.switched = response.status() == HttpStatus::SWITCHING_PROTOCOLS;
        self.trailers = MessageHeader::new();
        self.exchange = Exchange::Receiving(BodyDecoder::with_limits(framing, limits));
        self.replay = None;
        Ok(ResponseBody::new(self))
    }

    /// Keeps a forward proxy's Digest challenge so the next request answers it (the `407`
    /// itself goes to the caller, as POCO's credential helpers expect).
    fn remember_proxy_challenge(&mut self, response: &HttpResponse) {
        if response.status() != HttpStatus::PROXY_AUTHENTICATION_REQUIRED
            || !self.forwards_through_proxy()
            || self.proxy.auth != ProxyAuth::Digest
            || self.proxy.username.is_empty()
        {
            return;
        }
        let digest = response
            .header()
            .get_all("Proxy-Authenticate")
            .find(|v| v.trim_start().get(..7).is_some_and(|p| p.eq_ignore_ascii_case("digest ")));
        if let Some(challenge) = digest {
            let mut creds = HttpDigestCredentials::new(&self.proxy.username, &self.proxy.password);
            if creds.set_challenge(challenge).is_ok() {
                self.proxy_digest = Some(creds);
            }
        }
    }

    /// Reads heads until a final (non-1xx, or 101) response, with the stale-connection retry.
    fn read_final_head(&mut self, limits: crate::http::message::HeaderLimits) -> Result<HttpResponse> {
        let mut retried = false;
        loop {
            self.apply_deadline()?;
            let conn =
                self.conn.as_mut().ok_or_else(|| Error::new(ErrorKind::IllegalState, "not connected"))?;
            let result = conn.read_head(|b| parse_response_head(b, &limits));
            let fresh_failure = match &result {
                Ok(None) => true,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => conn.buffered().is_empty(),
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
                    return Err(Error::new(
                        ErrorKind::NoMessage,
                        "connection closed before a response was received",
                    ));
                }
                Err(e) => {
                    let e = if self.abort.aborted.load(Ordering::SeqCst) {
                        Error::new(
                            ErrorKind::ConnectionAborted,
                            "receive response: session aborted through its AbortHandle",
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
}

impl Drop for HttpClientSession {
    fn drop(&mut self) {
        self.close();
    }
}
