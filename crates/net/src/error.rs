//! The crate's one error type, [`Error`], mirroring POCO's Net exceptions.

use std::fmt;
use std::io;

/// A `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which configurable limit a message exceeded (see [`Error::LimitExceeded`]).
///
/// A server maps these to status codes: [`Limit::Uri`] to 414,
/// the header limits to 431.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// Everything that can go wrong in `rpoco-net`.
///
/// Each variant corresponds to a POCO exception class ([`Error::poco_class`]), and
/// [`Display`](fmt::Display) follows POCO's `displayText()`: `"<name>: <message>"`.
/// Messages name what was wrong: the header, the byte offset, the limit.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An error from `rpoco-foundation` (URI syntax, data format, ...).
    Foundation(rpoco_foundation::Error),
    /// POCO `NetException` ("Net Exception"): a network error without a more specific class.
    Net(String),
    /// POCO `IOException` ("I/O error"): an operating-system I/O error.
    Io(io::Error),
    /// POCO `TimeoutException` ("Timeout"): a connect, send, receive or deadline timed out.
    Timeout(String),
    /// POCO `HostNotFoundException` ("Host not found"): name resolution found nothing.
    HostNotFound(String),
    /// POCO `InvalidAddressException` ("Invalid address"): an address could not be parsed.
    InvalidAddress(String),
    /// POCO `ConnectionRefusedException` ("Connection refused").
    ConnectionRefused(String),
    /// POCO `ConnectionResetException` ("Connection reset by peer").
    ConnectionReset(String),
    /// POCO `ConnectionAbortedException` ("Software caused connection abort"); also what an
    /// [`AbortHandle`](crate::AbortHandle) produces.
    ConnectionAborted(String),
    /// POCO `MessageException` ("Malformed message"): an HTTP message or body is malformed.
    /// The text names the line, header or byte offset.
    Message(String),
    /// A configurable limit was exceeded (POCO raises `MessageException` here too, and
    /// [`poco_class`](Error::poco_class) says so).
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// What exceeded it, with the sizes.
        message: String,
    },
    /// POCO `NoMessageException` ("No message received"): the peer closed the connection
    /// before sending any byte of a message.
    NoMessage(String),
    /// POCO `NotAuthenticatedException` ("No authentication information found").
    NotAuthenticated(String),
    /// POCO `HTTPException` ("HTTP Exception"), e.g. a proxy refusing a `CONNECT`.
    Http(String),
    /// POCO `UnsupportedRedirectException` ("Unsupported HTTP redirect (protocol change)").
    UnsupportedRedirect(String),
    /// POCO `ProtocolException` ("Protocol error"), e.g. a SOCKS5 proxy's bad reply.
    Protocol(String),
    /// POCO `HTMLFormException` ("HTML Form Exception").
    HtmlForm(String),
    /// POCO `InvalidArgumentException` ("Invalid argument").
    InvalidArgument(String),
    /// POCO `IllegalStateException` ("Illegal state"), e.g. changing a connected session.
    IllegalState(String),
    /// POCO `SyntaxException` ("Syntax error"), e.g. a non-numeric HTTP status code.
    Syntax(String),
    /// POCO `NotFoundException` ("Not found"), e.g. an absent header or cookie.
    NotFound(String),
    /// POCO `UnknownURISchemeException` ("Unknown URI scheme"): no stream factory for it.
    UnknownUriScheme(String),
    /// POCO `OpenFileException` ("Cannot open file"), e.g. a file an `HttpServerResponse`
    /// was asked to send; the text names the path.
    OpenFile(String),
    /// An error raised by a transport layered on top of this crate (TLS from
    /// `rpoco-netssl`), carried through the HTTP code unchanged. `class` and `name` are the
    /// POCO exception class and name of `source`; downcast `source` to get it back.
    Transport {
        /// The POCO exception class, e.g. `"SSLException"`.
        class: &'static str,
        /// POCO's exception name, e.g. `"SSL Exception"`.
        name: &'static str,
        /// The transport's own error value.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl Error {
    /// The name of the POCO exception class this error corresponds to.
    ///
    /// ```
    /// use rpoco_net::Error;
    /// assert_eq!(Error::Timeout("connect timed out".into()).poco_class(), "TimeoutException");
    /// ```
    pub fn poco_class(&self) -> &'static str {
        match self {
            Error::Foundation(e) => e.poco_class(),
            Error::Net(_) => "NetException",
            Error::Io(_) => "IOException",
            Error::Timeout(_) => "TimeoutException",
            Error::HostNotFound(_) => "HostNotFoundException",
            Error::InvalidAddress(_) => "InvalidAddressException",
            Error::ConnectionRefused(_) => "ConnectionRefusedException",
            Error::ConnectionReset(_) => "ConnectionResetException",
            Error::ConnectionAborted(_) => "ConnectionAbortedException",
            Error::Message(_) | Error::LimitExceeded { .. } => "MessageException",
            Error::NoMessage(_) => "NoMessageException",
            Error::NotAuthenticated(_) => "NotAuthenticatedException",
            Error::Http(_) => "HTTPException",
            Error::UnsupportedRedirect(_) => "UnsupportedRedirectException",
            Error::Protocol(_) => "ProtocolException",
            Error::HtmlForm(_) => "HTMLFormException",
            Error::InvalidArgument(_) => "InvalidArgumentException",
            Error::IllegalState(_) => "IllegalStateException",
            Error::Syntax(_) => "SyntaxException",
            Error::NotFound(_) => "NotFoundException",
            Error::UnknownUriScheme(_) => "UnknownURISchemeException",
            Error::OpenFile(_) => "OpenFileException",
            Error::Transport { class, .. } => class,
        }
    }

    /// POCO's human-readable exception name (`Exception::name()`).
    pub fn name(&self) -> &'static str {
        match self {
            Error::Foundation(e) => e.name(),
            Error::Net(_) => "Net Exception",
            Error::Io(_) => "I/O error",
            Error::Timeout(_) => "Timeout",
            Error::HostNotFound(_) => "Host not found",
            Error::InvalidAddress(_) => "Invalid address",
            Error::ConnectionRefused(_) => "Connection refused",
            Error::ConnectionReset(_) => "Connection reset by peer",
            Error::ConnectionAborted(_) => "Software caused connection abort",
            Error::Message(_) | Error::LimitExceeded { .. } => "Malformed message",
            Error::NoMessage(_) => "No message received",
            Error::NotAuthenticated(_) => "No authentication information found",
            Error::Http(_) => "HTTP Exception",
            Error::UnsupportedRedirect(_) => "Unsupported HTTP redirect (protocol change)",
            Error::Protocol(_) => "Protocol error",
            Error::HtmlForm(_) => "HTML Form Exception",
            Error::InvalidArgument(_) => "Invalid argument",
            Error::IllegalState(_) => "Illegal state",
            Error::Syntax(_) => "Syntax error",
            Error::NotFound(_) => "Not found",
            Error::UnknownUriScheme(_) => "Unknown URI scheme",
            Error::OpenFile(_) => "Cannot open file",
            Error::Transport { name, .. } => name,
        }
    }

    /// Whether this error means a timeout (connect, send, receive or request deadline).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout(_) => true,
            Error::Io(e) => matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock),
            _ => false,
        }
    }

    pub(crate) fn limit(limit: Limit, message: impl Into<String>) -> Self {
        Error::LimitExceeded { limit, message: message.into() }
    }

    /// Converts into an `io::Error` of `kind` that keeps this error inside, so a `Read` or
    /// `Write` implementation can report it and `From<io::Error>` recovers it.
    pub(crate) fn into_io(self, kind: io::ErrorKind) -> io::Error {
        match self {
            Error::Io(e) => e,
            other => io::Error::new(kind, other),
        }
    }

    /// Maps an I/O error to the POCO class that `Socket` would raise, naming the operation.
    pub(crate) fn from_io_during(e: io::Error, what: &str) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            return Error::from(e);
        }
        let text = format!("{what}: {e}");
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                Error::Timeout(format!("{what} timed out"))
            }
            io::ErrorKind::ConnectionRefused => Error::ConnectionRefused(text),
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => Error::ConnectionReset(text),
            io::ErrorKind::ConnectionAborted => Error::ConnectionAborted(text),
            _ => Error::Io(io::Error::new(e.kind(), text)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Error::Foundation(e) = self {
            return fmt::Display::fmt(e, f);
        }
        write!(f, "{}: ", self.name())?;
        match self {
            Error::Foundation(_) => Ok(()),
            Error::Io(e) => write!(f, "{e}"),
            Error::LimitExceeded { message, .. } => f.write_str(message),
            Error::Transport { source, .. } => write!(f, "{source}"),
            Error::Net(m)
            | Error::Timeout(m)
            | Error::HostNotFound(m)
            | Error::InvalidAddress(m)
            | Error::ConnectionRefused(m)
            | Error::ConnectionReset(m)
            | Error::ConnectionAborted(m)
            | Error::Message(m)
            | Error::NoMessage(m)
            | Error::NotAuthenticated(m)
            | Error::Http(m)
            | Error::UnsupportedRedirect(m)
            | Error::Protocol(m)
            | Error::HtmlForm(m)
            | Error::InvalidArgument(m)
            | Error::IllegalState(m)
            | Error::Syntax(m)
            | Error::NotFound(m)
            | Error::UnknownUriScheme(m)
            | Error::OpenFile(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Foundation(e) => Some(e),
            Error::Io(e) => Some(e),
            Error::Transport { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<rpoco_foundation::Error> for Error {
    fn from(e: rpoco_foundation::Error) -> Self {
        match e {
            rpoco_foundation::Error::Io(io) => Error::from(io),
            other => Error::Foundation(other),
        }
    }
}

impl From<io::Error> for Error {
    /// Recovers an [`Error`] (or a foundation error) that a `Read`/`Write` implementation
    /// wrapped, and otherwise maps the I/O error kind to POCO's socket exception classes.
    fn from(e: io::Error) -> Self {
        let kind = e.kind();
        if e.get_ref().is_some_and(|inner| inner.is::<Error>() || inner.is::<rpoco_foundation::Error>()) {
            let inner = e.into_inner().expect("checked above");
            return match inner.downcast::<Error>() {
                Ok(net) => *net,
                Err(other) => match other.downcast::<rpoco_foundation::Error>() {
                    Ok(f) => Error::from(*f),
                    Err(other) => Error::Io(io::Error::new(kind, other)),
                },
            };
        }
        match kind {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(e.to_string()),
            io::ErrorKind::ConnectionRefused => Error::ConnectionRefused(e.to_string()),
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => {
                Error::ConnectionReset(e.to_string())
            }
            io::ErrorKind::ConnectionAborted => Error::ConnectionAborted(e.to_string()),
            _ => Error::Io(e),
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        let kind = match &e {
            Error::Io(_) => return e.into_io(io::ErrorKind::Other),
            Error::Timeout(_) => io::ErrorKind::TimedOut,
            Error::ConnectionRefused(_) => io::ErrorKind::ConnectionRefused,
            Error::ConnectionReset(_) => io::ErrorKind::ConnectionReset,
            Error::ConnectionAborted(_) => io::ErrorKind::ConnectionAborted,
            Error::Message(_) | Error::LimitExceeded { .. } | Error::Syntax(_) => io::ErrorKind::InvalidData,
            Error::InvalidArgument(_) => io::ErrorKind::InvalidInput,
            Error::NotFound(_) | Error::HostNotFound(_) => io::ErrorKind::NotFound,
            _ => io::ErrorKind::Other,
        };
        e.into_io(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_follows_poco_display_text() {
        assert_eq!(Error::Timeout("connect timed out".into()).to_string(), "Timeout: connect timed out");
        assert_eq!(Error::Message("bad header".into()).to_string(), "Malformed message: bad header");
        let e = Error::limit(Limit::FieldCount, "too many header fields (101 > 100)");
        assert_eq!(e.poco_class(), "MessageException");
        assert_eq!(e.to_string(), "Malformed message: too many header fields (101 > 100)");
    }

    #[test]
    fn io_round_trip_keeps_the_variant() {
        let e: io::Error = Error::Message("chunk size line at body byte 3".into()).into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(matches!(Error::from(e), Error::Message(m) if m.contains("byte 3")));
        let e = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(Error::from(e).poco_class(), "ConnectionRefusedException");
        let f: io::Error = rpoco_foundation::Error::InvalidArgument("x".into()).into();
        assert_eq!(Error::from(f).poco_class(), "InvalidArgumentException");
    }

    #[test]
    fn transport_errors_keep_their_class() {
        let e = Error::Transport {
            class: "SSLException",
            name: "SSL Exception",
            source: "handshake failed".into(),
        };
        assert_eq!(e.poco_class(), "SSLException");
        assert_eq!(e.to_string(), "SSL Exception: handshake failed");
    }
}
