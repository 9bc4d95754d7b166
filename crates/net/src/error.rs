//! The crate's one error type, [`Error`]: a kind, typed details and the original cause.
//!
//! # Shape
//!
//! ```text
//! Error ── kind():    ErrorKind      what went wrong; poco_class() and name() derive from it
//!       ├─ detail():  &Detail        typed facts: which timeout and its limit, which limit,
//!       │                            which header, the parse offset, the proxy's reply, the
//!       │                            peer's words, the TLS error's POCO class
//!       ├─ message(): &str           what a user reads after "<name>: "
//!       └─ source():  Option<&dyn Error>   the original cause, kept whole: an io::Error, a
//!                                    foundation error, the TLS error (rpoco-netssl's Error)
//! ```
//!
//! Constructing (for code in this crate and in crates built on it):
//!
//! | situation                         | constructor                                             |
//! |-----------------------------------|---------------------------------------------------------|
//! | a kind and a message              | `Error::new(ErrorKind::Protocol, "bad reply")`          |
//! | a timeout                         | `Error::timeout(Timeout::Read, Some(limit), "receive")` |
//! | a size limit                      | `Error::limit(Limit::FieldCount, "101 > 100 fields")`   |
//! | a bad header field                | `Error::header("Content-Length", "not a number")`       |
//! | a parse error at a byte offset    | `Error::at_offset(17, "bad chunk size line")`           |
//! | a proxy's refusal                 | `Error::proxy_reply(Some(407), "Proxy Auth Required")`  |
//! | words the peer sent (SOCKS, SMTP) | `Error::peer(ErrorKind::Protocol, "550 no", "refused")` |
//! | an I/O error during an operation  | `Error::from_io_during(e, "receive")` or `Error::from(e)` |
//! | keep any cause                    | `Error::new(kind, msg).with_source(cause)`              |
//!
//! Matching: `e.kind() == ErrorKind::Timeout`, `matches!(e.detail(), Detail::Timeout { .. })`,
//! `e.limit() == Some(Limit::Uri)`, `e.io_kind()`. Tests assert kinds and details, not text.
//!
//! `io::ErrorKind` survives both directions: `io::Error::from(Error)` has the kind of the
//! error (a timeout is `TimedOut`) and carries the `Error` inside, which `Error::from(io)`
//! takes back out unchanged; an `io::Error` from the OS becomes the matching kind with the
//! `io::Error` as its source.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

/// A `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boxed error cause.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong; each kind is one POCO exception class ([`ErrorKind::poco_class`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An error from `rpoco-foundation` (URI syntax, data format, ...); the class is the
    /// foundation error's own.
    Foundation,
    /// POCO `NetException`: a network error without a more specific class.
    Net,
    /// POCO `IOException`: an operating-system I/O error.
    Io,
    /// POCO `TimeoutException`; [`Detail::Timeout`] says which wait and its limit.
    Timeout,
    /// POCO `HostNotFoundException`: name resolution found nothing.
    HostNotFound,
    /// POCO `InvalidAddressException`: an address could not be parsed.
    InvalidAddress,
    /// POCO `ConnectionRefusedException`.
    ConnectionRefused,
    /// POCO `ConnectionResetException`.
    ConnectionReset,
    /// POCO `ConnectionAbortedException`; also what an [`AbortHandle`](crate::AbortHandle)
    /// produces.
    ConnectionAborted,
    /// POCO `MessageException`: an HTTP message or body is malformed.
    Message,
    /// A configurable limit was exceeded ([`Detail::Limit`]); POCO raises
    /// `MessageException` here too.
    LimitExceeded,
    /// POCO `NoMessageException`: the peer closed before sending any byte of a message.
    NoMessage,
    /// POCO `NotAuthenticatedException`.
    NotAuthenticated,
    /// POCO `HTTPException`, e.g. a proxy refusing a `CONNECT` ([`Detail::ProxyReply`]).
    Http,
    /// POCO `UnsupportedRedirectException`.
    UnsupportedRedirect,
    /// POCO `ProtocolException`, e.g. a SOCKS5 proxy's bad reply.
    Protocol,
    /// POCO `HTMLFormException`.
    HtmlForm,
    /// POCO `InvalidArgumentException`.
    InvalidArgument,
    /// POCO `IllegalStateException`.
    IllegalState,
    /// POCO `SyntaxException`.
    Syntax,
    /// POCO `NotFoundException`.
    NotFound,
    /// POCO `UnknownURISchemeException`.
    UnknownUriScheme,
    /// POCO `OpenFileException`.
    OpenFile,
    /// POCO `FTPException`: an FTP server's reply the command did not expect.
    Ftp,
    /// POCO `SMTPException`: an SMTP server's reply the command did not expect.
    Smtp,
    /// POCO `POP3Exception`: a POP3 server's reply the command did not expect.
    Pop3,
    /// POCO `WebSocketException`; [`Detail::WebSocket`] has its error code.
    WebSocket,
    /// A TLS failure from `rpoco-netssl`, the one way TLS errors travel through net: the
    /// POCO class is in [`Detail::Tls`], the netssl error is the [`source`](StdError::source).
    Tls,
    /// A proxy's reply is not what its protocol allows (an HTTP proxy answering `CONNECT`
    /// with something other than an HTTP response, a SOCKS5 reply with a wrong version or
    /// address type): [`Detail::Peer`] holds the start of what it sent. POCO class
    /// `ProtocolException`.
    ProxyProtocol,
    /// A SOCKS5 proxy refused to connect to the target: [`Detail::ProxyReply`] holds the
    /// reply code (`status`) and its RFC 1928 meaning (`words`). POCO class `NetException`.
    /// (An HTTP proxy refusing `CONNECT` is [`ErrorKind::Http`], as in POCO.)
    ProxyRefused,
}

impl ErrorKind {
    /// The POCO exception class of this kind (`Tls`/`Foundation`: their generic class;
    /// [`ErrorKind::poco_class`](crate::ErrorKind::poco_class) gives the exact one).
    pub fn poco_class(self) -> &'static str {
        self.names().0
    }

    /// POCO's human-readable exception name (`Exception::name()`).
    pub fn name(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        use ErrorKind::*;
        match self {
            Foundation => ("Exception", "Exception"),
            Net => ("NetException", "Net Exception"),
            Io => ("IOException", "I/O error"),
            Timeout => ("TimeoutException", "Timeout"),
            HostNotFound => ("HostNotFoundException", "Host not found"),
            InvalidAddress => ("InvalidAddressException", "Invalid address"),
            ConnectionRefused => ("ConnectionRefusedException", "Connection refused"),
            ConnectionReset => ("ConnectionResetException", "Connection reset by peer"),
            ConnectionAborted => ("ConnectionAbortedException", "Software caused connection abort"),
            Message | LimitExceeded => ("MessageException", "Malformed message"),
            NoMessage => ("NoMessageException", "No message received"),
            NotAuthenticated => ("NotAuthenticatedException", "No authentication information found"),
            Http => ("HTTPException", "HTTP Exception"),
            UnsupportedRedirect => {
                ("UnsupportedRedirectException", "Unsupported HTTP redirect (protocol change)")
            }
            Protocol => ("ProtocolException", "Protocol error"),
            HtmlForm => ("HTMLFormException", "HTML Form Exception"),
            InvalidArgument => ("InvalidArgumentException", "Invalid argument"),
            IllegalState => ("IllegalStateException", "Illegal state"),
            Syntax => ("SyntaxException", "Syntax error"),
            NotFound => ("NotFoundException", "Not found"),
            UnknownUriScheme => ("UnknownURISchemeException", "Unknown URI scheme"),
            OpenFile => ("OpenFileException", "Cannot open file"),
            Ftp => ("FTPException", "FTP Exception"),
            Smtp => ("SMTPException", "SMTP Exception"),
            Pop3 => ("POP3Exception", "POP3 Exception"),
            WebSocket => ("WebSocketException", "WebSocket Exception"),
            Tls => ("SSLException", "SSL Exception"),
            ProxyProtocol => ("ProtocolException", "Protocol error"),
            ProxyRefused => ("NetException", "Net Exception"),
        }
    }

    /// The `io::ErrorKind` an error of this kind becomes.
    pub fn io_kind(self) -> io::ErrorKind {
        use ErrorKind::*;
        match self {
            Timeout => io::ErrorKind::TimedOut,
            ConnectionRefused | ProxyRefused => io::ErrorKind::ConnectionRefused,
            ProxyProtocol => io::ErrorKind::InvalidData,
            ConnectionReset => io::ErrorKind::ConnectionReset,
            ConnectionAborted => io::ErrorKind::ConnectionAborted,
            Message | LimitExceeded | Syntax | Protocol | Tls => io::ErrorKind::InvalidData,
            InvalidArgument | InvalidAddress => io::ErrorKind::InvalidInput,
            NotFound | HostNotFound => io::ErrorKind::NotFound,
            NoMessage => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::Other,
        }
    }

    fn from_io_kind(kind: io::ErrorKind) -> Self {
        match kind {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ErrorKind::Timeout,
            io::ErrorKind::ConnectionRefused => ErrorKind::ConnectionRefused,
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => ErrorKind::ConnectionReset,
            io::ErrorKind::ConnectionAborted => ErrorKind::ConnectionAborted,
            _ => ErrorKind::Io,
        }
    }
}

/// Which configurable limit a message exceeded ([`Detail::Limit`]).
///
/// A server maps these to status codes: [`Limit::Uri`] to 414, the header limits to 431.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// Too many header fields (POCO default 100).
    FieldCount,
    /// A header field name is too long (POCO default 256 bytes).
    NameLength,
    /// A header field value is too long (POCO default 8192 bytes).
    ValueLength,
    /// The whole message head (start line and fields) is too long.
    HeadLength,
    /// The request line or its URI is too long (POCO: URI 16384 bytes).
    Uri,
    /// The request method is too long (POCO: 32 bytes).
    Method,
    /// A chunk-size line, a chunk size or a trailer section is too long.
    Chunk,
    /// A body is larger than the reader accepts.
    Body,
    /// An HTML form has too many fields or too long names or values.
    Form,
    /// A MIME message has more parts than the reader accepts.
    Parts,
    /// MIME multiparts are nested deeper than the reader accepts.
    Nesting,
}

/// Which wait ran out of time ([`Detail::Timeout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Timeout {
    /// Opening the TCP connection.
    Connect,
    /// The TLS (or proxy) handshake.
    Handshake,
    /// Waiting for bytes from the peer.
    Read,
    /// Waiting to hand bytes to the peer.
    Write,
    /// An overall deadline (a request timeout, a whole-head limit).
    Deadline,
}

impl Timeout {
    fn as_str(self) -> &'static str {
        match self {
            Timeout::Connect => "connect",
            Timeout::Handshake => "handshake",
            Timeout::Read => "read",
            Timeout::Write => "write",
            Timeout::Deadline => "deadline",
        }
    }
}

/// Typed facts about an [`Error`], beside its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// Nothing more than the kind and the message.
    None,
    /// A timeout: which wait, and the limit that ran out (if known).
    Timeout {
        /// Which wait.
        which: Timeout,
        /// The limit.
        limit: Option<Duration>,
    },
    /// A size limit was exceeded.
    Limit(Limit),
    /// A header field was wrong; its name.
    Header(String),
    /// Parsing failed at this byte offset of the input.
    Offset(usize),
    /// A proxy refused: its status code (HTTP proxies) and its words.
    ProxyReply {
        /// The status code, for an HTTP proxy.
        status: Option<u16>,
        /// The proxy's reason phrase or reply text.
        words: String,
    },
    /// The peer answered plain bytes with a TLS record, so it speaks TLS on this port: the
    /// record's content type (21 alert, 22 handshake) and an alert's description code.
    TlsRecord {
        /// The TLS record content type.
        content_type: u8,
        /// For an alert record, its description (RFC 8446 §6), e.g. 70 `protocol_version`.
        alert: Option<u8>,
    },
    /// A server closed the connection before sending any byte of a response: `reused` says
    /// whether it was a kept-alive connection used again (stale) or a new one.
    Closed {
        /// Whether the connection had carried an earlier exchange.
        reused: bool,
    },
    /// What the peer said (a SOCKS reply code, a server's refusal line).
    Peer(String),
    /// A WebSocket error's code (kind [`ErrorKind::WebSocket`]).
    WebSocket(crate::websocket::WebSocketErrorCode),
    /// A TLS error's exact POCO class and name (kind [`ErrorKind::Tls`]).
    Tls {
        /// The POCO exception class, e.g. `"CertificateValidationException"`.
        class: &'static str,
        /// POCO's exception name, e.g. `"Certificate validation error"`.
        name: &'static str,
        /// The `io::ErrorKind` the TLS error stands for (`UnexpectedEof` for a connection
        /// closed without `close_notify`, `TimedOut`, ...).
        io_kind: io::ErrorKind,
    },
}

/// Everything that can go wrong in `rpoco-net`: see the `error` module documentation for the shape.
///
/// [`Display`](fmt::Display) follows POCO's `displayText()`: `"<name>: <message>"`.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    detail: Detail,
    message: Cow<'static, str>,
    source: Option<BoxError>,
}

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error { inner: Box::new(Inner { kind, detail: Detail::None, message: message.into(), source: None }) }
    }

    /// Attaches typed details.
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.inner.detail = detail;
        self
    }

    /// Attaches the cause, returned by [`source`](StdError::source).
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// A timeout of `which` wait with `limit`; `what` names what was awaited.
    pub fn timeout(which: Timeout, limit: Option<Duration>, what: impl fmt::Display) -> Self {
        let message = match limit {
            Some(l) => format!("{what} timed out ({} limit {l:?})", which.as_str()),
            None => format!("{what} timed out"),
        };
        Error::new(ErrorKind::Timeout, message).with_detail(Detail::Timeout { which, limit })
    }

    /// A size limit exceeded.
    pub fn limit(limit: Limit, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::LimitExceeded, message).with_detail(Detail::Limit(limit))
    }

    /// A malformed message naming the header field `name`.
    pub fn header(name: &str, message: impl fmt::Display) -> Self {
        Error::new(ErrorKind::Message, format!("{message}")).with_detail(Detail::Header(name.to_owned()))
    }

    /// A malformed message found at byte `offset`.
    pub fn at_offset(offset: usize, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Message, message).with_detail(Detail::Offset(offset))
    }

    /// A proxy's refusal (kind [`ErrorKind::Http`]) with its status and words.
    pub fn proxy_reply(status: Option<u16>, words: &str, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Http, message)
            .with_detail(Detail::ProxyReply { status, words: words.to_owned() })
    }

    /// An error of `kind` carrying what the peer said.
    pub fn peer(kind: ErrorKind, words: &str, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(kind, message).with_detail(Detail::Peer(words.to_owned()))
    }

    /// A TLS error from a transport built on this crate (the one way TLS reaches net):
    /// `class`/`name` are its POCO class and name, `io_kind` what it means as an I/O error,
    /// `source` the error itself.
    pub fn tls(
        class: &'static str,
        name: &'static str,
        io_kind: io::ErrorKind,
        source: impl Into<BoxError>,
    ) -> Self {
        let source = source.into();
        let message = source.to_string();
        Error::new(ErrorKind::Tls, strip_name(message, name))
            .with_detail(Detail::Tls { class, name, io_kind })
            .with_source(source)
    }

    /// An OS I/O error kept whole (kind [`ErrorKind::Io`] whatever its `io::ErrorKind`).
    pub fn io(e: io::Error) -> Self {
        Error::new(ErrorKind::Io, e.to_string()).with_source(e)
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The typed details.
    pub fn detail(&self) -> &Detail {
        &self.inner.detail
    }

    /// The message (without POCO's `"<name>: "` prefix).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Which limit, for [`ErrorKind::LimitExceeded`].
    pub fn limit_kind(&self) -> Option<Limit> {
        match self.inner.detail {
            Detail::Limit(l) => Some(l),
            _ => None,
        }
    }

    /// Which timeout, for [`ErrorKind::Timeout`] errors that know it.
    pub fn timeout_kind(&self) -> Option<Timeout> {
        match self.inner.detail {
            Detail::Timeout { which, .. } => Some(which),
            _ => None,
        }
    }

    /// The `io::ErrorKind` this error stands for: an I/O cause's own, else the kind's.
    pub fn io_kind(&self) -> io::ErrorKind {
        if let Detail::Tls { io_kind, .. } = self.inner.detail {
            return io_kind;
        }
        match self.inner.source.as_deref().and_then(|s| s.downcast_ref::<io::Error>()) {
            Some(e) if self.inner.kind == ErrorKind::Io => e.kind(),
            _ => self.inner.kind.io_kind(),
        }
    }

    /// The cause, if it is of type `T` (an `io::Error`, netssl's `Error`, ...).
    pub fn source_as<T: StdError + 'static>(&self) -> Option<&T> {
        self.inner.source.as_deref().and_then(|s| s.downcast_ref::<T>())
    }

    /// Takes the cause out, if it is of type `T`; gives the error back otherwise.
    pub fn into_source<T: StdError + 'static>(mut self) -> std::result::Result<T, Self> {
        match self.inner.source.take().map(|s| s.downcast::<T>()) {
            Some(Ok(t)) => Ok(*t),
            Some(Err(s)) => {
                self.inner.source = Some(s);
                Err(self)
            }
            None => Err(self),
        }
    }

    /// The name of the POCO exception class this error corresponds to.
    ///
    /// ```
    /// use rpoco_net::{Error, ErrorKind};
    /// assert_eq!(Error::new(ErrorKind::Timeout, "connect").poco_class(), "TimeoutException");
    /// ```
    pub fn poco_class(&self) -> &'static str {
        match (&self.inner.detail, self.foundation()) {
            (Detail::Tls { class, .. }, _) => class,
            (_, Some(f)) => f.poco_class(),
            _ => self.inner.kind.poco_class(),
        }
    }

    /// POCO's human-readable exception name (`Exception::name()`).
    pub fn name(&self) -> &'static str {
        match (&self.inner.detail, self.foundation()) {
            (Detail::Tls { name, .. }, _) => name,
            (_, Some(f)) => f.name(),
            _ => self.inner.kind.name(),
        }
    }

    fn foundation(&self) -> Option<&rpoco_foundation::Error> {
        (self.inner.kind == ErrorKind::Foundation).then(|| self.source_as()).flatten()
    }

    /// Whether this error means a timeout (connect, send, receive or request deadline).
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
            || matches!(self.io_kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
    }

    /// Converts into an `io::Error` of `kind` that keeps this error inside, so a `Read` or
    /// `Write` implementation can report it and `From<io::Error>` recovers it.
    pub(crate) fn into_io(self, kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, self)
    }

    /// Maps an I/O error to the POCO class that `Socket` would raise, naming the operation
    /// (a timeout of a read or write names which).
    pub fn from_io_during(e: io::Error, what: &str) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            return Error::from(e);
        }
        match ErrorKind::from_io_kind(e.kind()) {
            ErrorKind::Timeout => {
                let which = if what.contains("send") || what.contains("write") {
                    Timeout::Write
                } else {
                    Timeout::Read
                };
                Error::timeout(which, None, what).with_source(e)
            }
            kind => Error::new(kind, format!("{what}: {e}")).with_source(e),
        }
    }
}

/// `"SSL Exception: x"` → `"x"`, so Display does not repeat the name.
fn strip_name(message: String, name: &str) -> String {
    match message.strip_prefix(name).and_then(|m| m.strip_prefix(": ")) {
        Some(rest) => rest.to_owned(),
        None => message,
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind).field("message", &self.inner.message);
        if self.inner.detail != Detail::None {
            d.field("detail", &self.inner.detail);
        }
        if let Some(s) = &self.inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = self.foundation() {
            return fmt::Display::fmt(e, f);
        }
        write!(f, "{}: {}", self.name(), self.inner.message)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}

impl From<rpoco_foundation::Error> for Error {
    fn from(e: rpoco_foundation::Error) -> Self {
        match e {
            rpoco_foundation::Error::Io(io) => Error::from(io),
            other => Error::new(ErrorKind::Foundation, other.to_string()).with_source(other),
        }
    }
}

impl From<io::Error> for Error {
    /// Recovers an [`Error`] (or a foundation error) that a `Read`/`Write` implementation
    /// wrapped; otherwise maps the I/O error kind to POCO's socket exception classes and
    /// keeps the `io::Error` as the source.
    fn from(e: io::Error) -> Self {
        let wrapped = e.get_ref().is_some_and(|i| i.is::<Error>() || i.is::<rpoco_foundation::Error>());
        if !wrapped {
            return Error::new(ErrorKind::from_io_kind(e.kind()), e.to_string()).with_source(e);
        }
        let kind = ErrorKind::from_io_kind(e.kind());
        match e.into_inner().map(|inner| inner.downcast::<Error>()) {
            Some(Ok(net)) => *net,
            Some(Err(other)) => match other.downcast::<rpoco_foundation::Error>() {
                Ok(f) => Error::from(*f),
                Err(other) => Error::new(kind, other.to_string()).with_source(other),
            },
            None => Error::new(kind, "I/O error"),
        }
    }
}

impl From<Error> for io::Error {
    /// An `io::Error` of the error's [`io_kind`](Error::io_kind) carrying the error, or the
    /// original `io::Error` when that is all the error is.
    fn from(e: Error) -> Self {
        let kind = e.io_kind();
        let only_io = e.inner.kind != ErrorKind::Foundation
            && e.inner.detail == Detail::None
            && e.source_as::<io::Error>().is_some_and(|io| io.to_string() == e.inner.message);
        if only_io {
            return match e.into_source::<io::Error>() {
                Ok(io) => io,
                Err(e) => io::Error::new(kind, e),
            };
        }
        io::Error::new(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_follows_poco_display_text() {
        assert_eq!(Error::new(ErrorKind::Message, "bad header").to_string(), "Malformed message: bad header");
        let e = Error::limit(Limit::FieldCount, "too many header fields (101 > 100)");
        assert_eq!((e.poco_class(), e.limit_kind()), ("MessageException", Some(Limit::FieldCount)));
        assert_eq!(e.to_string(), "Malformed message: too many header fields (101 > 100)");
        let t = Error::timeout(Timeout::Connect, Some(Duration::from_secs(3)), "connect to 127.0.0.1:1");
        assert_eq!(t.timeout_kind(), Some(Timeout::Connect));
        assert!(t.to_string().contains("3s"), "{t}");
    }

    #[test]
    fn io_kind_survives_both_directions() {
        let e: io::Error = Error::at_offset(3, "chunk size line").into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let back = Error::from(e);
        assert_eq!((back.kind(), back.detail()), (ErrorKind::Message, &Detail::Offset(3)));
        let os = Error::from(io::Error::new(io::ErrorKind::TimedOut, "os timeout"));
        assert_eq!((os.kind(), os.io_kind()), (ErrorKind::Timeout, io::ErrorKind::TimedOut));
        assert!(os.source_as::<io::Error>().is_some());
        assert_eq!(io::Error::from(os).kind(), io::ErrorKind::TimedOut);
        let plain = Error::io(io::Error::new(io::ErrorKind::PermissionDenied, "nope"));
        assert_eq!(io::Error::from(plain).kind(), io::ErrorKind::PermissionDenied);
        let f: io::Error = rpoco_foundation::Error::InvalidArgument("x".into()).into();
        assert_eq!(Error::from(f).poco_class(), "InvalidArgumentException");
    }

    #[test]
    fn tls_errors_keep_their_class_and_source() {
        let source = io::Error::other("SSL Exception: handshake failed");
        let e = Error::tls("SSLException", "SSL Exception", io::ErrorKind::InvalidData, source);
        assert_eq!((e.kind(), e.poco_class()), (ErrorKind::Tls, "SSLException"));
        assert_eq!(e.to_string(), "SSL Exception: handshake failed");
        assert!(e.source_as::<io::Error>().is_some());
    }
}
