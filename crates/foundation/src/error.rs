//! The crate's one error type, [`Error`], mirroring POCO's Foundation exceptions.

use std::fmt;
use std::io;

/// A `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `rpoco-foundation`.
///
/// Each variant corresponds to a POCO exception class ([`Error::poco_class`]), and
/// [`Display`](fmt::Display) follows POCO's `displayText()`: `"<name>: <message>"`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// POCO `SyntaxException` for URIs (`Poco::URISyntaxException`, "Bad URI syntax"):
    /// a URI component could not be parsed or decoded.
    UriSyntax {
        /// The URI component that was wrong: `"scheme"`, `"port"`, `"host"`, `"path"`, ...
        component: &'static str,
        /// What exactly was wrong, with the offending text.
        message: String,
    },
    /// POCO `DataFormatException` ("Bad data format"): encoded data (Base64, hex) is malformed.
    DataFormat {
        /// The format being decoded, such as `"base64"` or `"hex"`.
        format: &'static str,
        /// Byte offset in the encoded input at which the problem was found.
        offset: u64,
        /// What was wrong at that offset.
        message: String,
    },
    /// POCO `InvalidArgumentException` ("Invalid argument").
    InvalidArgument(String),
    /// POCO `IOException` ("I/O error"): an underlying reader or writer failed.
    Io(io::Error),
    /// A configured size limit was exceeded, e.g. the decompression-bomb limit of an
    /// `InflatingReader` (POCO has no such check; the class reported is `IOException`, what
    /// POCO's streams raise).
    LimitExceeded {
        /// What grew past the limit, e.g. `"decompressed data"`.
        what: &'static str,
        /// The limit, in bytes.
        limit: u64,
        /// What exceeded it.
        message: String,
    },
}

impl Error {
    /// The name of the POCO exception class this error corresponds to.
    ///
    /// ```
    /// use rpoco_foundation::Error;
    /// let e = Error::InvalidArgument("buffer size must not be zero".into());
    /// assert_eq!(e.poco_class(), "InvalidArgumentException");
    /// ```
    pub fn poco_class(&self) -> &'static str {
        match self {
            Error::UriSyntax { .. } => "URISyntaxException",
            Error::DataFormat { .. } => "DataFormatException",
            Error::InvalidArgument(_) => "InvalidArgumentException",
            Error::Io(_) | Error::LimitExceeded { .. } => "IOException",
        }
    }

    /// POCO's human-readable exception name (`Exception::name()`).
    pub fn name(&self) -> &'static str {
        match self {
            Error::UriSyntax { .. } => "Bad URI syntax",
            Error::DataFormat { .. } => "Bad data format",
            Error::InvalidArgument(_) => "Invalid argument",
            Error::Io(_) | Error::LimitExceeded { .. } => "I/O error",
        }
    }

    pub(crate) fn uri(component: &'static str, message: impl Into<String>) -> Self {
        Error::UriSyntax { component, message: message.into() }
    }

    pub(crate) fn data_format(format: &'static str, offset: u64, message: impl Into<String>) -> Self {
        Error::DataFormat { format, offset, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name())?;
        match self {
            Error::UriSyntax { component, message } => write!(f, "{message} (in the {component})"),
            Error::DataFormat { format, offset, message } => {
                write!(f, "{message} (in {format} input at byte {offset})")
            }
            Error::InvalidArgument(message) => f.write_str(message),
            Error::Io(e) => write!(f, "{e}"),
            Error::LimitExceeded { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        // A decoder reading through `Read` reports malformed data as an `io::Error` that wraps
        // our own error; unwrap it so callers can match on the real variant.
        if !e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            return Error::Io(e);
        }
        let kind = e.kind();
        match e.into_inner().map(|inner| inner.downcast::<Error>()) {
            Some(Ok(inner)) => *inner,
            Some(Err(other)) => Error::Io(io::Error::new(kind, other)),
            None => Error::Io(io::Error::from(kind)),
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_follows_poco_display_text() {
        let e = Error::uri("port", "invalid port number: 99999");
        assert_eq!(e.to_string(), "Bad URI syntax: invalid port number: 99999 (in the port)");
        let e = Error::data_format("base64", 3, "invalid character '!'");
        assert_eq!(e.to_string(), "Bad data format: invalid character '!' (in base64 input at byte 3)");
    }

    #[test]
    fn io_round_trip_keeps_the_variant() {
        let e: io::Error = Error::data_format("hex", 1, "odd").into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let back: Error = e.into();
        assert!(matches!(back, Error::DataFormat { format: "hex", offset: 1, .. }));
        let plain: Error = io::Error::other("disk on fire").into();
        assert!(matches!(plain, Error::Io(_)));
    }
}
