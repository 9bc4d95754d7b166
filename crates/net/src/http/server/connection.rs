//! The HTTP connection: a [`TcpServerConnection`] that waits for its client in the poller
//! at every step where the client sets the pace (the request head, a buffered request body,
//! the response leaving, the unread rest of a body, the lingering close), and runs the
//! handler on its worker thread in between ([`exchange`](super::exchange)).

use std::cell::RefCell;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::exchange::Served;
use super::handler::HttpRequestHandlerFactory;
use super::params::HttpServerParams;
use super::transfer::{self, BodyFirst, Progress};
use crate::http::conn::Conn;
use crate::http::message::{HTTP_1_1, HttpMessage, HttpResponse, HttpStatus};
use crate::http::proto::server::{ReceivedRequest, Rejection, RequestHeadReader, TransferBudget};
use crate::http::proto::{BodyDecoder, BodyFraming};
use crate::socket::{Listener, SocketAddress, StreamSocket};
use crate::tcp_server::{Next, TcpServerConnection, TcpServerConnectionFactory};

/// How long a closing connection keeps reading (and discarding) what the client still
/// sends, so that closing does not reset the connection before the client read the
/// response (what nginx calls a lingering close). It waits in the poller.
const LINGER: Duration = Duration::from_secs(2);
/// At most this much is discarded while lingering.
const LINGER_BYTES: usize = 256 * 1024;
/// How much of an unread request body is read and discarded after the handler, in the
/// poller, to keep the connection; a longer rest closes it instead.
const MAX_DRAIN: u64 = 64 * 1024;
/// How long an idle keep-alive connection keeps its buffers before they are freed.
const BUFFER_GRACE: Duration = Duration::from_millis(10);

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
    /// Whether the socket is in non-blocking mode (the connection's own steps), rather than
    /// blocking with the server's timeouts (the handler's reads and writes).
    pub(crate) nonblocking: bool,
}

impl Io {
    /// Sends `100 Continue` once, unless a final response has started.
    pub(crate) fn send_continue(&mut self) -> io::Result<()> {
        if self.continue_sent || self.response_started {
            return Ok(());
        }
        self.continue_sent = true;
        self.conn.wbuf.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        self.blocking()?.flush()
    }

    /// The connection, with its socket in blocking mode, for I/O the handler waits for. A
    /// handler that reads no body and sends a small response never switches: its response
    /// leaves from the connection's non-blocking flush.
    pub(crate) fn blocking(&mut self) -> io::Result<&mut Conn> {
        if self.nonblocking {
            self.conn.transport.socket().set_blocking(true).map_err(io::Error::from)?;
            self.nonblocking = false;
        }
        Ok(&mut self.conn)
    }

    fn set_nonblocking(&mut self) -> bool {
        if !self.nonblocking {
            if self.conn.transport.socket().set_blocking(false).is_err() {
                return false;
            }
            self.nonblocking = true;
        }
        true
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
                nonblocking: false,
            }),
            client,
            server,
            secure,
            served: 0,
            wait: Wait::First(accepted),
            reader: RequestHeadReader::new(shared.params.limits),
            release_at: None,
            shared,
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
enum Wait {
    /// The first byte of the first request, since the connection was accepted.
    First(Instant),
    /// The first byte of the next request on a kept-alive connection.
    Idle(Instant),
    /// The rest of a request head whose first byte arrived then.
    Head(Instant),
    /// The body of a request whose handler has not run yet.
    Body(Box<BodyFirst>),
    /// A response (or an error answer) to leave; then `after`.
    Flush { budget: TransferBudget, after: After },
    /// The unread rest of a request body, discarded up to `left` more bytes.
    Drain { decoder: Box<BodyDecoder>, budget: TransferBudget, left: u64 },
    /// The client to close after our last response (lingering close), until then.
    Linger(Instant, usize),
    /// Done (also the placeholder while a step runs).
    Closed,
}

/// What follows a response once it is out.
pub(crate) enum After {
    /// The next request; first the unread rest of this one's body, if any.
    KeepAlive(Option<Box<BodyDecoder>>),
    /// Closing (lingering).
    Close,
}

enum Step {
    Continue,
    Park(Next),
}

/// One HTTP/1.x connection.
pub(crate) struct HttpConnection {
    pub(super) io: RefCell<Io>,
    pub(super) shared: Arc<HttpShared>,
    pub(super) client: SocketAddress,
    pub(super) server: SocketAddress,
    pub(super) secure: bool,
    pub(super) served: u32,
    wait: Wait,
    reader: RequestHeadReader,
    /// When an idle connection's buffers are freed if no request came (see `next_head`).
    release_at: Option<Instant>,
}

impl TcpServerConnection for HttpConnection {
    fn run(&mut self) -> Next {
        loop {
            let step = match std::mem::replace(&mut self.wait, Wait::Closed) {
                Wait::Closed => return Next::Close,
                Wait::Linger(until, left) => return self.linger(until, left),
                Wait::Flush { budget, after } => self.flush(budget, after),
                Wait::Drain { decoder, budget, left } => self.drain(decoder, budget, left),
                Wait::Body(pending) => self.read_body_first(pending),
                head => {
                    self.wait = head;
                    self.next_head()
                }
            };
            match step {
                Step::Continue => {}
                Step::Park(next) => return next,
            }
        }
    }
}

impl HttpConnection {
    pub(super) fn params(&self) -> &HttpServerParams {
        &self.shared.params
    }

    fn set_nonblocking(&mut self) -> bool {
        self.io.get_mut().set_nonblocking()
    }

    fn head_deadline(&self) -> Instant {
        let p = self.params();
        let deadline = match self.wait {
            Wait::First(at) => at + p.timeout,
            Wait::Idle(at) => at + p.keep_alive_timeout,
            Wait::Head(at) => at + p.request_head_timeout,
            Wait::Linger(until, _) => until,
            _ => Instant::now(),
        };
        // A TLS handshake still in progress may have a shorter limit of its own.
        match self.io.borrow().conn.transport.handshake_deadline() {
            Some(handshake) => deadline.min(handshake),
            None => deadline,
        }
    }

    fn budget(&self, base: Duration) -> TransferBudget {
        TransferBudget::new(Instant::now(), base, self.params().min_data_rate)
    }

    /// Parses the next request head from what is buffered, reading without blocking; waits
    /// in the poller for more.
    fn next_head(&mut self) -> Step {
        loop {
            let io = self.io.get_mut();
            match self.reader.read(io.conn.buffered()) {
                Ok(Some(request)) => {
                    io.conn.consume(request.used);
                    return self.begin(request);
                }
                Ok(None) => {}
                Err(refused) => return self.reject(refused),
            }
            if self.shared.stopping.load(Ordering::Relaxed) && !matches!(self.wait, Wait::Head(_)) {
                return Step::Park(Next::Close);
            }
            if !self.set_nonblocking() {
                return Step::Park(Next::Close);
            }
            match self.io.get_mut().conn.fill() {
                Ok(0) => return Step::Park(Next::Close),
                Ok(_) => {
                    self.release_at = None;
                    if !matches!(self.wait, Wait::Head(_)) {
                        self.wait = Wait::Head(Instant::now());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if self.io.get_mut().conn.transport.has_buffered_data() {
                        // A transport's own buffer (decrypted TLS) does not wake the poller.
                        continue;
                    }
                    let deadline = self.head_deadline();
                    let now = Instant::now();
                    if now < deadline {
                        let park = |until| Step::Park(Next::WaitReadable { deadline: Some(until) });
                        if matches!(self.wait, Wait::Head(_)) {
                            return park(deadline);
                        }
                        // Between requests: a keep-alive client usually sends the next one
                        // within milliseconds, so the buffers are kept for a moment (not
                        // made again per request), then freed if it stays quiet: an idle
                        // connection holds no buffer.
                        let conn = &mut self.io.get_mut().conn;
                        if conn.holds_buffers() {
                            let release_at = *self.release_at.get_or_insert(now + BUFFER_GRACE);
                            if now < release_at {
                                return park(deadline.min(release_at));
                            }
                            conn.release_buffers();
                        }
                        self.release_at = None;
                        return park(deadline);
                    }
                    if let Wait::Head(_) = self.wait {
                        return self.answer_error(HttpStatus::REQUEST_TIMEOUT);
                    }
                    return Step::Park(Next::Close);
                }
                Err(_) => return Step::Park(Next::Close),
            }
        }
    }

    /// A head arrived: reads its body first (small bodies, in the poller) or runs the
    /// handler at once.
    fn begin(&mut self, request: ReceivedRequest) -> Step {
        let buffered_body = match request.framing {
            BodyFraming::Length(n) => n <= self.params().buffered_body_limit as u64,
            BodyFraming::Chunked => true,
            _ => false,
        };
        if buffered_body && !request.expects_continue() {
            let budget = self.budget(self.params().request_body_timeout);
            let scan = request.body_decoder();
            self.wait = Wait::Body(Box::new(BodyFirst::new(request, scan, budget)));
            return Step::Continue;
        }
        self.serve(request)
    }

    /// Reads a request body into the buffer without blocking, before its handler runs.
    fn read_body_first(&mut self, mut first: Box<BodyFirst>) -> Step {
        if !self.set_nonblocking() {
            return Step::Park(Next::Close);
        }
        let limit = self.params().buffered_body_limit;
        match first.buffer(&mut self.io.get_mut().conn, limit) {
            Ok(Progress::Done) => self.serve(first.pending),
            Ok(Progress::Pending) => {
                let budget = first.budget;
                if budget.expired(Instant::now()) {
                    log::debug!("HttpServer: request body from {} too slow", self.client);
                    return self.answer_error(HttpStatus::REQUEST_TIMEOUT);
                }
                self.wait = Wait::Body(first);
                Step::Park(Next::WaitReadable { deadline: Some(budget.deadline()) })
            }
            Ok(Progress::Closed) => Step::Park(Next::Close),
            Err(e) => self.reject(e.into()),
        }
    }

    /// Runs the handler, then sends the response from the poller.
    fn serve(&mut self, request: ReceivedRequest) -> Step {
        let after = match self.exchange(request) {
            Served::HandedOver => return Step::Park(Next::Close),
            Served::KeepAlive(rest) => After::KeepAlive(rest),
            Served::Close => After::Close,
            Served::Failed(status) => return self.answer_error(status),
        };
        self.wait = Wait::Flush { budget: self.budget(self.params().response_timeout), after };
        Step::Continue
    }

    /// Sends what the write buffer holds without blocking; parks while the client reads
    /// slowly, within the response budget.
    fn flush(&mut self, mut budget: TransferBudget, after: After) -> Step {
        if !self.set_nonblocking() {
            return Step::Park(Next::Close);
        }
        match transfer::flush(&mut self.io.get_mut().conn, &mut budget) {
            Ok(Progress::Done) => {}
            Ok(Progress::Pending) if !budget.expired(Instant::now()) => {
                let deadline = budget.deadline();
                self.wait = Wait::Flush { budget, after };
                return Step::Park(Next::WaitWritable { deadline: Some(deadline) });
            }
            Ok(_) | Err(_) => {
                log::debug!("HttpServer: response to {} not sent in time or failed", self.client);
                return Step::Park(Next::Close);
            }
        }
        let io = self.io.get_mut();
        io.continue_sent = false;
        io.response_started = false;
        io.switched = false;
        match after {
            After::Close => Step::Park(self.close_after_response()),
            After::KeepAlive(None) => {
                self.wait = Wait::Idle(Instant::now());
                Step::Continue
            }
            After::KeepAlive(Some(decoder)) => {
                let budget = self.budget(self.params().request_body_timeout);
                self.wait = Wait::Drain { decoder, budget, left: MAX_DRAIN };
                Step::Continue
            }
        }
    }

    /// Discards the unread rest of a body (bounded) without blocking, to keep the connection.
    fn drain(&mut self, mut decoder: Box<BodyDecoder>, mut budget: TransferBudget, mut left: u64) -> Step {
        if !self.set_nonblocking() {
            return Step::Park(Next::Close);
        }
        match transfer::drain(&mut self.io.get_mut().conn, &mut decoder, &mut budget, &mut left) {
            Ok(Progress::Done) => {
                self.wait = Wait::Idle(Instant::now());
                Step::Continue
            }
            Ok(Progress::Pending) if !budget.expired(Instant::now()) && left > 0 => {
                let deadline = budget.deadline();
                self.wait = Wait::Drain { decoder, budget, left };
                Step::Park(Next::WaitReadable { deadline: Some(deadline) })
            }
            Ok(Progress::Closed) | Err(_) => Step::Park(Next::Close),
            Ok(Progress::Pending) => Step::Park(self.close_after_response()),
        }
    }

    /// Answers a request head that could not be used: 414, 431 or 400.
    fn reject(&mut self, refused: Rejection) -> Step {
        log::debug!("HttpServer: bad request from {}: {}", self.client, refused.error);
        self.answer_error(refused.status)
    }

    /// Queues a bare error response that closes the connection (POCO's
    /// `sendErrorResponse`); it leaves as any response does, from the poller.
    fn answer_error(&mut self, status: HttpStatus) -> Step {
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
        self.wait = Wait::Flush { budget: self.budget(self.params().response_timeout), after: After::Close };
        Step::Continue
    }

    /// Closes after a response: shuts down sending, then waits (in the poller) for the
    /// client to close, discarding what it sends.
    fn close_after_response(&mut self) -> Next {
        let io = self.io.get_mut();
        if io.conn.transport.is_secure() {
            let _ = io.conn.transport.shutdown();
            return Next::Close;
        }
        if io.conn.transport.socket().shutdown_send().is_err() {
            return Next::Close;
        }
        self.linger(Instant::now() + LINGER, LINGER_BYTES)
    }

    fn linger(&mut self, until: Instant, mut left: usize) -> Next {
        if !self.set_nonblocking() {
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
