//! The HTTP connection: a [`TcpServerConnection`] that reads request heads without
//! blocking (waiting in the poller between bytes), then serves each request on its worker
//! thread with blocking, time-limited I/O.

use std::cell::RefCell;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::handler::HttpRequestHandlerFactory;
use super::params::HttpServerParams;
use super::request::HttpServerRequest;
use super::response::HttpServerResponse;
use crate::error::{Error, ErrorKind, Limit};
use crate::http::conn::Conn;
use crate::http::message::{HTTP_1_1, HttpMessage, HttpRequest, HttpResponse, HttpStatus};
use crate::http::proto::{parse_request_head, request_framing};
use crate::socket::{Listener, SocketAddress, StreamSocket};
use crate::tcp_server::{Next, TcpServerConnection, TcpServerConnectionFactory};

/// How long a closing connection keeps reading (and discarding) what the client still
/// sends, so that closing does not reset the connection before the client read the
/// response (what nginx calls a lingering close). It waits in the poller.
const LINGER: Duration = Duration::from_secs(2);
/// At most this much is discarded while lingering.
const LINGER_BYTES: usize = 256 * 1024;

/// What a server's connections share.
pub(crate) struct HttpShared {
    pub(crate) factory: Box<dyn HttpRequestHandlerFactory>,
    pub(crate) params: HttpServerParams,
    pub(crate) listener: Arc<dyn Listener>,
    pub(crate) stopping: AtomicBool,
}

/// The connection's I/O, shared by the request (body reads) and response (writes) of one
/// exchange.
pub(crate) struct Io {
    pub(crate) conn: Conn,
    pub(crate) continue_sent: bool,
    pub(crate) response_started: bool,
    /// The response switched protocols (101, or 2xx to CONNECT): the handler may detach.
    pub(crate) switched: bool,
    /// The handler took the connection over ([`Io::detach`]).
    pub(crate) detached: bool,
}

impl Io {
    /// Sends `100 Continue` once, unless a final response has started.
    pub(crate) fn send_continue(&mut self) -> io::Result<()> {
        if self.continue_sent || self.response_started {
            return Ok(());
        }
        self.continue_sent = true;
        self.conn.wbuf.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        self.conn.flush()
    }
}

/// Makes an [`HttpConnection`] for each accepted socket.
pub(crate) struct HttpConnectionFactory(pub(crate) Arc<HttpShared>);

impl TcpServerConnectionFactory for HttpConnectionFactory {
    fn create_connection(&self, socket: StreamSocket) -> Box<dyn TcpServerConnection> {
        let accepted = Instant::now();
        let shared = self.0.clone();
        let timeout = Some(shared.params.timeout);
        let addresses = (socket.peer_address(), socket.address());
        let (Ok(client), Ok(server)) = addresses else { return Box::new(Closed) };
        if socket.set_receive_timeout(timeout).and_then(|()| socket.set_send_timeout(timeout)).is_err() {
            return Box::new(Closed);
        }
        let transport = match shared.listener.wrap(socket) {
            Ok(t) => t,
            Err(e) => {
                log::debug!("HttpServer: connection from {client} failed to start: {e}");
                return Box::new(Closed);
            }
        };
        let secure = transport.is_secure();
        Box::new(HttpConnection {
            io: RefCell::new(Io {
                conn: Conn::new(transport),
                continue_sent: false,
                response_started: false,
                switched: false,
                detached: false,
            }),
            shared,
            client,
            server,
            secure,
            served: 0,
            wait: Wait::First(accepted),
            nonblocking: false,
            parse_mark: 0,
        })
    }
}

/// A connection that failed to start.
struct Closed;

impl TcpServerConnection for Closed {
    fn run(&mut self) -> Next {
        Next::Close
    }
}

/// What the connection waits for, and since when.
#[derive(Debug, Clone, Copy)]
enum Wait {
    /// The first byte of the first request, since the connection was accepted.
    First(Instant),
    /// The first byte of the next request on a kept-alive connection.
    Idle(Instant),
    /// The rest of a request head whose first byte arrived then.
    Head(Instant),
    /// The client to close after our last response (lingering close), until then.
    Linger(Instant, usize),
}

/// How serving one request left the connection.
enum Served {
    KeepAlive,
    Close,
    HandedOver,
}

enum HeadOutcome {
    Request(HttpRequest),
    Wait(Instant),
    Close,
}

/// One HTTP/1.x connection.
pub(crate) struct HttpConnection {
    io: RefCell<Io>,
    shared: Arc<HttpShared>,
    client: SocketAddress,
    server: SocketAddress,
    secure: bool,
    served: u32,
    wait: Wait,
    nonblocking: bool,
    /// Buffered length at the last incomplete parse: parse again only when a line ended.
    parse_mark: usize,
}

impl TcpServerConnection for HttpConnection {
    fn run(&mut self) -> Next {
        if let Wait::Linger(until, left) = self.wait {
            return self.linger(until, left);
        }
        loop {
            match self.next_head() {
                HeadOutcome::Request(request) => match self.serve(request) {
                    Served::KeepAlive => {
                        self.io.get_mut().continue_sent = false;
                        self.io.get_mut().response_started = false;
                        self.wait = Wait::Idle(Instant::now());
                    }
                    Served::Close => return self.close_after_response(),
                    // The handler owns the connection now: forget it without closing it.
                    Served::HandedOver => return Next::Close,
                },
                HeadOutcome::Wait(deadline) => return Next::WaitReadable { deadline: Some(deadline) },
                HeadOutcome::Close => return Next::Close,
            }
        }
    }
}

impl HttpConnection {
    fn params(&self) -> &HttpServerParams {
        &self.shared.params
    }

    fn set_nonblocking(&mut self, on: bool) -> bool {
        if self.nonblocking != on {
            if self.io.get_mut().conn.transport.socket().set_blocking(!on).is_err() {
                return false;
            }
            self.nonblocking = on;
        }
        true
    }

    fn deadline(&self) -> Instant {
        let p = self.params();
        let deadline = match self.wait {
            Wait::First(at) => at + p.timeout,
            Wait::Idle(at) => at + p.keep_alive_timeout,
            Wait::Head(at) => at + p.request_head_timeout,
            Wait::Linger(until, _) => until,
        };
        // A TLS handshake still in progress may have a shorter limit of its own.
        match self.io.borrow().conn.transport.handshake_deadline() {
            Some(handshake) => deadline.min(handshake),
            None => deadline,
        }
    }

    /// Parses the next request head from what is buffered, reading without blocking; waits
    /// in the poller for more.
    fn next_head(&mut self) -> HeadOutcome {
        loop {
            let io = self.io.get_mut();
            let buf = io.conn.buffered();
            let limits = &self.shared.params.limits;
            let max_line = limits.max_method_length + limits.max_uri_length + 12;
            if !buf.is_empty() && worth_parsing(buf, self.parse_mark, max_line) {
                match parse_request_head(buf, &self.shared.params.limits) {
                    Ok(Some((request, used))) => {
                        if let Some(at) = bare_lf(&buf[..used]) {
                            let e = Error::new(
                                ErrorKind::Message,
                                format!("line ends in a bare LF at byte {at} of the request head"),
                            );
                            self.reject(&e);
                            return self.close_after_error();
                        }
                        io.conn.consume(used);
                        self.parse_mark = 0;
                        return HeadOutcome::Request(request);
                    }
                    Ok(None) => self.parse_mark = buf.len(),
                    Err(e) => {
                        self.reject(&e);
                        return self.close_after_error();
                    }
                }
            }
            if self.shared.stopping.load(Ordering::Relaxed) && !matches!(self.wait, Wait::Head(_)) {
                return HeadOutcome::Close;
            }
            if !self.set_nonblocking(true) {
                return HeadOutcome::Close;
            }
            match self.io.get_mut().conn.fill() {
                Ok(0) => return HeadOutcome::Close,
                Ok(_) => {
                    if !matches!(self.wait, Wait::Head(_)) {
                        self.wait = Wait::Head(Instant::now());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if self.io.get_mut().conn.transport.has_buffered_data() {
                        // A transport's own buffer (decrypted TLS) does not wake the poller.
                        continue;
                    }
                    let deadline = self.deadline();
                    if Instant::now() < deadline {
                        if !matches!(self.wait, Wait::Head(_)) {
                            self.io.get_mut().conn.release_buffers();
                        }
                        return HeadOutcome::Wait(deadline);
                    }
                    if let Wait::Head(_) = self.wait {
                        self.send_error(HttpStatus::REQUEST_TIMEOUT);
                        return self.close_after_error();
                    }
                    return HeadOutcome::Close;
                }
                Err(_) => return HeadOutcome::Close,
            }
        }
    }

    /// Answers a request head that could not be parsed: 414, 431 or 400.
    fn reject(&mut self, error: &Error) {
        let status = match (error.kind(), error.limit_kind()) {
            (_, Some(Limit::Uri | Limit::Method)) => HttpStatus::REQUEST_URI_TOO_LONG,
            (ErrorKind::LimitExceeded, _) => HttpStatus::REQUEST_HEADER_FIELDS_TOO_LARGE,
            _ => HttpStatus::BAD_REQUEST,
        };
        log::debug!("HttpServer: bad request from {}: {error}", self.client);
        self.send_error(status);
    }

    /// Sends a bare error response that closes the connection (POCO's `sendErrorResponse`).
    fn send_error(&mut self, status: HttpStatus) {
        if !self.set_nonblocking(false) {
            return;
        }
        let mut head = HttpResponse::with_version(HTTP_1_1, status);
        head.set("Date", &http_date_now());
        head.set_keep_alive(false);
        head.set_content_length(Some(0));
        if !self.params().software_version.is_empty() {
            let server = self.params().software_version.clone();
            head.set("Server", &server);
        }
        let conn = &mut self.io.get_mut().conn;
        crate::http::proto::encode_response_head(&head, &mut conn.wbuf);
        let _ = conn.flush();
    }

    fn close_after_error(&mut self) -> HeadOutcome {
        match self.close_after_response() {
            Next::WaitReadable { deadline: Some(d) } => HeadOutcome::Wait(d),
            _ => HeadOutcome::Close,
        }
    }

    /// Serves one request.
    fn serve(&mut self, head: HttpRequest) -> Served {
        if !self.set_nonblocking(false) {
            return Served::Close;
        }
        self.served += 1;
        let shared = self.shared.clone();
        let params = &shared.params;
        let framing = match request_framing(&head) {
            Ok(f) => f,
            Err(e) => {
                self.reject(&e);
                return Served::Close;
            }
        };
        let budget = params.max_keep_alive_requests == 0 || self.served < params.max_keep_alive_requests;
        let keep_alive =
            params.keep_alive && budget && head.keep_alive() && !shared.stopping.load(Ordering::Relaxed);
        let mut prefilled = HttpResponse::with_version(head.version(), HttpStatus::OK);
        prefilled.set("Date", &http_date_now());
        prefilled.set_keep_alive(keep_alive);
        if !params.software_version.is_empty() {
            prefilled.set("Server", &params.software_version);
        }
        let is_head = head.method() == "HEAD";
        let is_connect = head.method() == "CONNECT";
        let mut request =
            HttpServerRequest::new(head, framing, &self.io, self.client, self.server, self.secure);
        let mut response =
            HttpServerResponse::new(prefilled, &self.io, (is_head, is_connect), &shared.stopping);
        let outcome =
            catch_unwind(AssertUnwindSafe(|| match shared.factory.create_request_handler(&request) {
                Some(mut handler) => handler.handle_request(&mut request, &mut response).map(|()| true),
                None => Ok(false),
            }));
        let failure = match outcome {
            Ok(Ok(true)) => None,
            Ok(Ok(false)) => Some(HttpStatus::NOT_IMPLEMENTED),
            Ok(Err(e)) => {
                log::warn!("HttpServer: handler for {} {} failed: {e}", request.method(), request.uri());
                Some(match request.body_error() {
                    Some(true) => HttpStatus::REQUEST_TIMEOUT,
                    Some(false) => HttpStatus::BAD_REQUEST,
                    None => HttpStatus::INTERNAL_SERVER_ERROR,
                })
            }
            Err(_) => {
                log::error!("HttpServer: handler for {} {} panicked", request.method(), request.uri());
                Some(HttpStatus::INTERNAL_SERVER_ERROR)
            }
        };
        if self.io.borrow().detached {
            return Served::HandedOver;
        }
        if let Some(status) = failure {
            let sent = response.sent();
            drop(response);
            drop(request);
            if !sent {
                self.send_error(status);
            }
            return Served::Close;
        }
        if let Err(e) = response.complete() {
            log::debug!("HttpServer: response to {} failed: {e}", self.client);
            return Served::Close;
        }
        let keep = response.keeps_alive() && !self.io.borrow().switched;
        drop(response);
        if keep && request.finish_body() { Served::KeepAlive } else { Served::Close }
    }

    /// Closes after a response: shuts down sending, then waits (in the poller) for the
    /// client to close, discarding what it sends.
    fn close_after_response(&mut self) -> Next {
        let io = self.io.get_mut();
        let _ = io.conn.flush();
        if io.conn.transport.is_secure() {
            let _ = io.conn.transport.shutdown();
            return Next::Close;
        }
        if io.conn.transport.socket().shutdown_send().is_err() {
            return Next::Close;
        }
        self.wait = Wait::Linger(Instant::now() + LINGER, LINGER_BYTES);
        let until = self.deadline();
        self.linger(until, LINGER_BYTES)
    }

    fn linger(&mut self, until: Instant, mut left: usize) -> Next {
        if !self.set_nonblocking(true) {
            return Next::Close;
        }
        let socket = self.io.get_mut().conn.transport.socket().clone();
        let mut scratch = [0u8; 4096];
        loop {
            match socket.receive_bytes(&mut scratch) {
                Ok(0) => return Next::Close,
                Ok(n) if n < left => left -= n,
                Ok(_) => return Next::Close,
                Err(e) if e.is_timeout() => break,
                Err(_) => return Next::Close,
            }
        }
        if Instant::now() >= until {
            return Next::Close;
        }
        self.wait = Wait::Linger(until, left);
        Next::WaitReadable { deadline: Some(until) }
    }
}

/// The offset of the first LF not preceded by CR. RFC 9112 (section 2.2) lets a recipient
/// accept a bare LF as a line end; the server does not, as proxies disagree on it
/// (a request smuggling vector).
fn bare_lf(head: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = head[from..].iter().position(|&b| b == b'\n') {
        let at = from + p;
        if at == 0 || head[at - 1] != b'\r' {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Whether a new parse attempt can succeed or find a limit exceeded: once a line ended
/// since the last attempt, or 1 KiB more arrived, or the request line passed its limit.
/// (Parsing on every byte would make a byte-by-byte client cost quadratic time.)
fn worth_parsing(buf: &[u8], mark: usize, max_line: usize) -> bool {
    if mark == 0 || buf.len() < mark {
        return true;
    }
    buf.len() >= mark + 1024
        || (buf.len() > max_line && mark <= max_line)
        || buf[mark.saturating_sub(1)..].contains(&b'\n')
}

thread_local! {
    static DATE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// The current time as an HTTP date, formatted once per second per thread.
pub(crate) fn http_date_now() -> String {
    let now = SystemTime::now();
    let secs = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    DATE.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != secs {
            *cached = (secs, httpdate::fmt_http_date(now));
        }
        cached.1.clone()
    })
}
