//! [`HttpServerRequest`]: a received request, its body as `Read`, and where it came from.

use std::cell::{Ref, RefCell};
use std::io::{self, Read};
use std::ops::Deref;

use super::connection::Io;
use crate::http::message::{HTTP_1_1, HttpMessage, HttpRequest};
use crate::http::proto::server::TargetForm;
use crate::http::proto::{BodyDecoder, BodyFraming, Decoded};
use crate::socket::{DetachedConnection, SocketAddress, Transport};

/// What is left of a request body after its handler.
pub(crate) enum BodyRest {
    /// Nothing: the body was read (or there was none).
    Done,
    /// The rest is unread, still to come from the client.
    Unread(Box<BodyDecoder>),
    /// The connection cannot be reused (a body error, or a client waiting for `100 Continue`).
    Close,
}

/// A request as the server received it (POCO `HTTPServerRequest`): the head (through
/// `Deref` to [`HttpRequest`]: `method()`, `uri()`, `get(name)`, ...), the body as `Read`,
/// and the connection's addresses.
///
/// The body is framed as RFC 9112 says for requests: chunked, `Content-Length`, or empty.
/// It ends with `Ok(0)`; a body cut short is an `UnexpectedEof` error and a malformed
/// chunked body `InvalidData` (after which the server answers `400` if the handler has not
/// sent a response). For `Expect: 100-continue` the server sends `100 Continue` when the
/// body is first read, so a handler that answers without reading (413, 401, ...) spares the
/// client the upload.
///
/// ```
/// use std::io::Read;
/// use rpoco_net::{handler_fn, HttpMessage};
/// let echo = handler_fn(|request, response| {
///     let mut body = Vec::new();
///     request.read_to_end(&mut body)?;
///     response.set_content_type(request.content_type().to_owned().as_str());
///     response.send_buffer(&body)
/// });
/// # let _ = echo;
/// ```
pub struct HttpServerRequest<'a> {
    request: HttpRequest,
    target: TargetForm,
    io: &'a RefCell<Io>,
    decoder: BodyDecoder,
    client_address: SocketAddress,
    server_address: SocketAddress,
    secure: bool,
    body_error: Option<bool>,
}

impl std::fmt::Debug for HttpServerRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServerRequest")
            .field("request", &self.request)
            .field("client_address", &self.client_address)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl<'a> HttpServerRequest<'a> {
    pub(crate) fn new(
        request: HttpRequest,
        (target, framing): (TargetForm, BodyFraming),
        io: &'a RefCell<Io>,
        (client_address, server_address): (SocketAddress, SocketAddress),
        secure: bool,
    ) -> Self {
        let decoder = BodyDecoder::with_limits(framing, request.header().limits()).strict_line_ends();
        HttpServerRequest {
            request,
            target,
            io,
            decoder,
            client_address,
            server_address,
            secure,
            body_error: None,
        }
    }

    /// The form the request target had on the wire (RFC 9112 3.2). `uri()` is always the
    /// origin form (`/path?query`) for an ordinary request, also when the client sent an
    /// absolute URI (`GET http://host/path`): then this says so and keeps the raw target,
    /// and `host()` is the URI's authority. `CONNECT` targets stay `host:port`, and
    /// `OPTIONS *` stays `*`.
    pub fn target_form(&self) -> &TargetForm {
        &self.target
    }

    /// The request target exactly as the client sent it (POCO `getURI()` before the
    /// absolute-form rewrite).
    pub fn request_target(&self) -> &str {
        match &self.target {
            TargetForm::Absolute { raw, .. } => raw,
            _ => self.request.uri(),
        }
    }

    /// The request head.
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    /// The body (POCO `stream()`): the request itself, which implements `Read`.
    pub fn stream(&mut self) -> &mut Self {
        self
    }

    /// The client's address (POCO `clientAddress()`).
    pub fn client_address(&self) -> &SocketAddress {
        &self.client_address
    }

    /// The address the client connected to (POCO `serverAddress()`).
    pub fn server_address(&self) -> &SocketAddress {
        &self.server_address
    }

    /// Whether the connection is encrypted (POCO `secure()`).
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Whether the client sent `Expect: 100-continue` (POCO `expectContinue()`).
    pub fn expect_continue(&self) -> bool {
        self.request.version() == HTTP_1_1 && self.request.expect_continue()
    }

    /// The transport the request arrived on, e.g. to downcast (through `Any`) to
    /// `rpoco_netssl::SecureStreamSocket` for the client's certificate. Do not hold it while
    /// reading the body or sending the response.
    pub fn transport(&self) -> Ref<'_, dyn Transport> {
        Ref::map(self.io.borrow(), |io| io.conn.transport.as_ref())
    }

    /// Takes the connection over after a protocol switch (POCO `detachSocket()`): the
    /// transport, plain or TLS, and the bytes the client sent after this request, which
    /// belong to the new protocol.
    ///
    /// Call it after sending `101 Switching Protocols` (or a `2xx` answer to `CONNECT`)
    /// and reading the whole request body. The response head is flushed first. The
    /// transport is in blocking mode with the server's
    /// [`timeout`](crate::HttpServerParams::timeout) for reads and writes. From then on the
    /// server leaves the connection alone: the handler may serve the new protocol on this
    /// thread, or move the connection to another and return; when it is dropped, it closes.
    /// [`HttpServer::stop`](crate::HttpServer::stop) still shuts down the sockets of handlers
    /// that run past its drain timeout.
    ///
    /// Errors: [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState) before a protocol-switching
    /// response was sent, with unread body bytes, or a second time; an I/O error if the
    /// response could not be flushed.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use rpoco_net::{handler_fn, HttpMessage, HttpStatus};
    /// // An "echo" protocol behind `Upgrade: echo`.
    /// let upgrade = handler_fn(|request, response| {
    ///     response.set_status(HttpStatus::SWITCHING_PROTOCOLS);
    ///     response.set("Upgrade", "echo");
    ///     response.set("Connection", "Upgrade");
    ///     response.send()?;
    ///     let mut connection = request.detach_socket()?;
    ///     let mut buf = [0u8; 1024];
    ///     while let Ok(n @ 1..) = connection.read(&mut buf) {
    ///         connection.write_all(&buf[..n])?;
    ///     }
    ///     Ok(())
    /// });
    /// # let _ = upgrade;
    /// ```
    pub fn detach_socket(&mut self) -> crate::Result<DetachedConnection> {
        if !self.decoder.is_finished() {
            return Err(crate::Error::new(
                crate::ErrorKind::IllegalState,
                "read the whole request body before detaching the connection",
            ));
        }
        let mut io = self.io.try_borrow_mut().map_err(|_| {
            crate::Error::new(crate::ErrorKind::IllegalState, "the connection is borrowed (transport())")
        })?;
        io.detach()
    }

    /// Whether the whole body has been read.
    pub fn body_finished(&self) -> bool {
        self.decoder.is_finished()
    }

    /// `Some(true)` if reading the body timed out, `Some(false)` if it failed otherwise.
    pub(crate) fn body_error(&self) -> Option<bool> {
        self.body_error
    }

    /// After the handler: consumes the rest of the body that is already buffered (no I/O)
    /// and says what is left, for the connection to drain from the poller.
    pub(crate) fn finish_buffered(mut self) -> BodyRest {
        if self.decoder.is_finished() {
            return BodyRest::Done;
        }
        if self.body_error.is_some() {
            return BodyRest::Close;
        }
        // The client waits for `100 Continue` (or a final answer) before sending the body:
        // it may never come, so the connection cannot be reused.
        if self.expect_continue() && !self.io.borrow().continue_sent {
            return BodyRest::Close;
        }
        let Ok(mut io) = self.io.try_borrow_mut() else { return BodyRest::Close };
        loop {
            let conn = &mut io.conn;
            let Ok((used, event)) = self.decoder.decode(conn.buffered()) else { return BodyRest::Close };
            let (end, more) = (event == Decoded::End, event != Decoded::NeedMore);
            conn.consume(used);
            if end {
                return BodyRest::Done;
            }
            if !more {
                break;
            }
        }
        drop(io);
        BodyRest::Unread(Box::new(self.decoder))
    }

    fn read_body(&mut self, out: &mut [u8], may_continue: bool) -> io::Result<usize> {
        if out.is_empty() || self.decoder.is_finished() {
            return Ok(0);
        }
        let mut io = self
            .io
            .try_borrow_mut()
            .map_err(|_| io::Error::other("the connection is borrowed (transport())"))?;
        if may_continue && self.request.version() == HTTP_1_1 && self.request.expect_continue() {
            io.send_continue()?;
        }
        io.blocking()?;
        loop {
            let conn = &mut io.conn;
            if conn.buffered().is_empty()
                && out.len() >= 8192
                && let Some(rest @ 1..) = self.decoder.remaining()
            {
                let len = rest.min(out.len() as u64) as usize;
                let n = conn.read_direct(&mut out[..len])?;
                if n == 0 {
                    self.decoder.end_of_input().map_err(|e| e.into_io(io::ErrorKind::UnexpectedEof))?;
                    return Ok(0);
                }
                self.decoder.decode(&out[..n]).map_err(io::Error::from)?;
                return Ok(n);
            }
            let (used, event) =
                self.decoder.decode_max(conn.buffered(), out.len()).map_err(io::Error::from)?;
            match event {
                Decoded::Data(d) => {
                    let n = d.len();
                    out[..n].copy_from_slice(d);
                    conn.consume(used);
                    return Ok(n);
                }
                Decoded::End => {
                    conn.consume(used);
                    return Ok(0);
                }
                Decoded::NeedMore => {
                    conn.consume(used);
                    if conn.fill()? == 0 {
                        self.decoder.end_of_input().map_err(|e| e.into_io(io::ErrorKind::UnexpectedEof))?;
                    }
                }
            }
        }
    }
}

impl Read for HttpServerRequest<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.read_body(out, true).inspect_err(|e| {
            let timeout = matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut);
            self.body_error = Some(timeout);
        })
    }
}

impl Deref for HttpServerRequest<'_> {
    type Target = HttpRequest;
    fn deref(&self) -> &HttpRequest {
        &self.request
    }
}
