//! [`HttpServerResponse`]: the response a handler fills and sends, and [`ResponseStream`],
//! its body writer.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Write};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::connection::Io;
use super::media::media_type_for_path;
use super::takeover::switches_protocol;
use crate::error::{Error, ErrorKind, Result};
use crate::http::message::{HTTP_1_0, HttpMessage, HttpResponse, HttpStatus};
use crate::http::proto::{BodyEncoder, BodyFraming, encode_response_head, validate_response_head};
use crate::socket::StreamSocket;

/// Body bytes gathered before they leave as one chunk (or one write).
const WRITE_BUFFER: usize = 16 * 1024;
/// Response bytes held in memory for the connection to send from the poller after the
/// handler returns; beyond this the handler's writes block (with the socket's timeout).
const RESPONSE_BUFFER: usize = 256 * 1024;

enum State {
    NotSent,
    Body { encoder: BodyEncoder, discard: bool },
    Done,
}

/// The response to one request (POCO `HTTPServerResponse`): the head (through `Deref` to
/// [`HttpResponse`]: `set_status`, `set`, `set_content_type`, ...) and the ways to send it,
/// of which a handler uses one: [`send`](Self::send), [`send_buffer`](Self::send_buffer),
/// [`send_file`](Self::send_file), [`redirect`](Self::redirect).
///
/// The server pre-fills it as POCO does: `Date` first, the request's HTTP version,
/// `Connection: Keep-Alive` or `Close` (always present), and `Server` when
/// [`software_version`](crate::HttpServerParams::software_version) is set.
///
/// ```
/// use std::io::Write;
/// use rpoco_net::{handler_fn, HttpMessage, HttpStatus};
/// let handler = handler_fn(|_request, response| {
///     response.set_status(HttpStatus::CREATED);
///     response.set_chunked_transfer_encoding(true);
///     let mut body = response.send()?;
///     write!(body, "made")?;
///     body.finish()
/// });
/// # let _ = handler;
/// ```
pub struct HttpServerResponse<'a> {
    head: HttpResponse,
    io: &'a RefCell<Io>,
    state: State,
    head_request: bool,
    connect_request: bool,
    pending: Vec<u8>,
    stopping: &'a AtomicBool,
}

impl std::fmt::Debug for HttpServerResponse<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServerResponse").field("head", &self.head).field("sent", &self.sent()).finish()
    }
}

impl<'a> HttpServerResponse<'a> {
    pub(crate) fn new(
        head: HttpResponse,
        io: &'a RefCell<Io>,
        (head_request, connect_request): (bool, bool),
        stopping: &'a AtomicBool,
    ) -> Self {
        HttpServerResponse {
            head,
            io,
            state: State::NotSent,
            head_request,
            connect_request,
            pending: Vec::new(),
            stopping,
        }
    }

    /// The head.
    pub fn response(&self) -> &HttpResponse {
        &self.head
    }

    /// Whether the head has been sent (POCO `sent()`).
    pub fn sent(&self) -> bool {
        !matches!(self.state, State::NotSent)
    }

    /// Sends the head and returns the body writer (POCO `send()`).
    ///
    /// The body is framed as POCO does: none for a `HEAD` request (writes are discarded)
    /// and for 1xx, 204 and 304; chunked if `Transfer-Encoding: chunked` is set; exactly
    /// `Content-Length` bytes if that is set; otherwise the body runs until the connection
    /// closes, and `Connection: Close` is set. An HTTP/1.0 client cannot read chunked
    /// bodies, so for it chunked becomes close-delimited (POCO sends chunked anyway).
    /// Writing more than `Content-Length`, or finishing with fewer, is an error.
    ///
    /// Errors: [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState) if a response was already sent,
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for a head that cannot go on the wire (CR or LF in a value,
    /// a bad header name, an unsupported transfer coding).
    pub fn send(&mut self) -> Result<ResponseStream<'_, 'a>> {
        let (framing, discard) = self.start()?;
        self.state = State::Body { encoder: BodyEncoder::new(framing), discard };
        Ok(ResponseStream { response: self })
    }

    /// Sends `body` as the whole response with `Content-Length` set (POCO `sendBuffer`).
    pub fn send_buffer(&mut self, body: &[u8]) -> Result<()> {
        self.check_not_sent()?;
        self.head.set_chunked_transfer_encoding(false);
        self.head.set_content_length(Some(body.len() as u64));
        self.send()?;
        self.write_body(body).map_err(Error::from)?;
        self.complete()
    }

    /// Sends the file at `path` (POCO `sendFile`) with `Content-Length`, `Last-Modified` and
    /// `Content-Type: media_type` (an empty `media_type` picks one from the file name's
    /// extension, see [`media_type_for_path`](crate::media_type_for_path)). No body for
    /// `HEAD`. A file that cannot be opened is [`ErrorKind::OpenFile`](crate::ErrorKind::OpenFile), before anything is sent.
    pub fn send_file(&mut self, path: impl AsRef<Path>, media_type: &str) -> Result<()> {
        self.check_not_sent()?;
        let path = path.as_ref();
        let open_error = |e: io::Error| Error::new(ErrorKind::OpenFile, format!("{}: {e}", path.display()));
        let file = File::open(path).map_err(open_error)?;
        let meta = file.metadata().map_err(open_error)?;
        if !meta.is_file() {
            return Err(Error::new(ErrorKind::OpenFile, format!("{}: not a regular file", path.display())));
        }
        let length = meta.len();
        if let Ok(modified) = meta.modified() {
            self.head.set("Last-Modified", &httpdate::fmt_http_date(modified));
        }
        let media_type = if media_type.is_empty() { media_type_for_path(path) } else { media_type };
        self.head.set_content_type(media_type);
        self.head.set_chunked_transfer_encoding(false);
        self.head.set_content_length(Some(length));
        self.send()?;
        if let State::Body { discard: false, encoder } = &mut self.state {
            let mut io = self.io.borrow_mut();
            encoder.prepare(length as usize, &mut io.conn.wbuf)?;
            io.blocking()?.flush()?;
            let mut source = file.take(length);
            let copied =
                match (io.conn.transport.as_ref() as &dyn std::any::Any).downcast_ref::<StreamSocket>() {
                    // Plain TCP: std copies file to socket inside the kernel (sendfile).
                    Some(socket) => io::copy(&mut source, &mut socket.as_tcp_stream())?,
                    None => copy_through(&mut source, &mut io)?,
                };
            if copied != length {
                return Err(Error::io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{} shrank while it was sent ({copied} of {length} bytes)", path.display()),
                )));
            }
        }
        self.complete()
    }

    /// Redirects to `uri` with `status` (POCO `redirect(uri, status = HTTP_FOUND)`): sets
    /// `Location` and `Content-Length: 0` and sends the response.
    pub fn redirect(&mut self, uri: &str, status: HttpStatus) -> Result<()> {
        self.check_not_sent()?;
        self.head.set_status(status);
        self.head.set("Location", uri);
        self.send_buffer(b"")
    }

    /// Sets `401 Unauthorized` and `WWW-Authenticate: Basic realm="<realm>"` (POCO
    /// `requireAuthentication`); does not send (send the response, or return from the
    /// handler to send it empty).
    pub fn require_authentication(&mut self, realm: &str) {
        self.head.set_status(HttpStatus::UNAUTHORIZED);
        let escaped = realm.replace('\\', "\\\\").replace('"', "\\\"");
        self.head.set("WWW-Authenticate", &format!("Basic realm=\"{escaped}\""));
    }

    /// Sends `100 Continue` now (POCO `sendContinue()`); the server does this itself when the
    /// handler first reads the body of an `Expect: 100-continue` request.
    pub fn send_continue(&mut self) -> Result<()> {
        self.check_not_sent()?;
        self.io.borrow_mut().send_continue().map_err(Error::from)
    }

    fn check_not_sent(&self) -> Result<()> {
        if self.sent() {
            return Err(Error::new(ErrorKind::IllegalState, "the response was already sent"));
        }
        Ok(())
    }

    /// Decides the framing and puts the head in the write buffer.
    fn start(&mut self) -> Result<(BodyFraming, bool)> {
        self.check_not_sent()?;
        let code = self.head.status().code();
        let method = if self.connect_request { "CONNECT" } else { "" };
        let switching = switches_protocol(method, code);
        if code < 200 || code == 204 || switching {
            // RFC 9110 8.6, 6.4.1: no Content-Length or Transfer-Encoding in these.
            self.head.set_chunked_transfer_encoding(false);
            self.head.set_content_length(None);
        }
        let no_body = code < 200 || code == 204 || code == 304 || switching;
        let framing = if self.head.chunked_transfer_encoding() && self.head.version() == HTTP_1_0 {
            self.head.set_chunked_transfer_encoding(false);
            BodyFraming::Close
        } else {
            crate::http::proto::outgoing_framing(&self.head)?
        };
        let framing = match framing {
            _ if self.head_request || no_body => BodyFraming::None,
            BodyFraming::None => BodyFraming::Close,
            other => other,
        };
        // A protocol switch keeps the handler's `Connection: Upgrade`.
        if !switching && (framing == BodyFraming::Close || self.stopping.load(Ordering::Relaxed)) {
            self.head.set_keep_alive(false);
        }
        validate_response_head(&self.head)?;
        let mut io = self.io.borrow_mut();
        encode_response_head(&self.head, &mut io.conn.wbuf);
        io.response_started = true;
        io.switched = switching;
        Ok((framing, self.head_request))
    }

    pub(crate) fn write_body(&mut self, data: &[u8]) -> io::Result<usize> {
        let State::Body { encoder, discard } = &mut self.state else {
            return Err(Error::new(ErrorKind::IllegalState, "no response body is being sent").into());
        };
        if *discard {
            return Ok(data.len());
        }
        let mut io = self.io.borrow_mut();
        if encoder.framing() == BodyFraming::Chunked {
            if self.pending.len() + data.len() <= WRITE_BUFFER {
                self.pending.extend_from_slice(data);
                return Ok(data.len());
            }
            emit(encoder, &mut self.pending, &mut io)?;
            if data.len() < WRITE_BUFFER {
                self.pending.extend_from_slice(data);
                return Ok(data.len());
            }
        }
        encoder.prepare(data.len(), &mut io.conn.wbuf).map_err(io::Error::from)?;
        let suffix = encoder.chunk_suffix(data.len());
        if io.conn.wbuf.len() + data.len() <= RESPONSE_BUFFER {
            io.conn.wbuf.extend_from_slice(data);
        } else {
            io.blocking()?.write_through(data)?;
        }
        io.conn.wbuf.extend_from_slice(suffix);
        Ok(data.len())
    }

    fn flush_body(&mut self) -> io::Result<()> {
        let mut io = self.io.borrow_mut();
        if let State::Body { encoder, discard: false } = &mut self.state
            && !self.pending.is_empty()
        {
            emit(encoder, &mut self.pending, &mut io)?;
        }
        io.blocking()?.flush()
    }

    /// Ends the body (chunked: the last chunk; fixed length: checks the count) and sends
    /// everything buffered. Sends the head with an empty body if nothing was sent.
    pub(crate) fn complete(&mut self) -> Result<()> {
        if let State::NotSent = self.state {
            if !self.head.chunked_transfer_encoding() && !self.head.has_content_length() {
                self.head.set_content_length(Some(0));
            }
            self.send()?;
        }
        let state = std::mem::replace(&mut self.state, State::Done);
        let State::Body { mut encoder, discard } = state else { return Ok(()) };
        let mut io = self.io.borrow_mut();
        if !discard {
            if !self.pending.is_empty() {
                encoder.encode(&self.pending, &mut io.conn.wbuf)?;
                self.pending.clear();
            }
            encoder.finish(None, &mut io.conn.wbuf)?;
        }
        // The rest leaves after the handler returns, from the poller if the client reads
        // slowly; only a large remainder is sent here.
        if io.conn.wbuf.len() >= RESPONSE_BUFFER {
            io.blocking()?.flush()?;
        }
        Ok(())
    }

    /// Whether the connection may serve another request after this response.
    pub(crate) fn keeps_alive(&self) -> bool {
        self.head.keep_alive()
    }
}

fn emit(encoder: &mut BodyEncoder, pending: &mut Vec<u8>, io: &mut Io) -> io::Result<()> {
    encoder.encode(pending, &mut io.conn.wbuf).map_err(io::Error::from)?;
    pending.clear();
    if io.conn.wbuf.len() >= RESPONSE_BUFFER {
        io.blocking()?.flush()?;
    }
    Ok(())
}

fn copy_through(source: &mut impl Read, io: &mut Io) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0;
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        io.blocking()?.write_through(&buf[..n])?;
        total += n as u64;
    }
}

impl Deref for HttpServerResponse<'_> {
    type Target = HttpResponse;
    fn deref(&self) -> &HttpResponse {
        &self.head
    }
}

impl DerefMut for HttpServerResponse<'_> {
    fn deref_mut(&mut self) -> &mut HttpResponse {
        &mut self.head
    }
}

/// The body writer [`HttpServerResponse::send`] returns (POCO's response `std::ostream`).
///
/// Small writes are gathered (a chunk per 16 KiB for chunked bodies); `flush` sends what
/// is buffered. [`finish`](Self::finish) ends the body and reports errors; the server
/// finishes a body the handler left open, but then errors only close the connection.
pub struct ResponseStream<'r, 'a> {
    response: &'r mut HttpServerResponse<'a>,
}

impl std::fmt::Debug for ResponseStream<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseStream").finish_non_exhaustive()
    }
}

impl ResponseStream<'_, '_> {
    /// Ends the body and sends everything buffered.
    pub fn finish(self) -> Result<()> {
        self.response.complete()
    }
}

impl Write for ResponseStream<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.response.write_body(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.response.flush_body()
    }
}
