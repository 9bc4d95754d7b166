//! The crate's one error type, [`Error`].

use std::fmt;
use std::io;

/// A `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `rpoco-crypto`.
///
/// Each variant names the POCO exception class a C++ caller would have caught
/// ([`Error::poco_class`]); [`Display`](fmt::Display) follows POCO's `displayText()`,
/// `"<name>: <message>"`. Failures that POCO only reports as an OpenSSL error string inside a
/// `Poco::IOException` (a tag mismatch, a bad padding block) get their own variants here so
/// callers can tell a wrong key from damaged or cut-off data.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// POCO `NotFoundException`: an unknown cipher or digest name, with POCO's message
    /// (`"Cipher aes-512-gcm was not found"`).
    NotFound(String),
    /// POCO `InvalidArgumentException`: a key, IV, tag, nonce or parameter of the wrong size
    /// or value.
    InvalidArgument(String),
    /// POCO `NotImplementedException`: a valid request this crate deliberately does not
    /// support (for example a GCM tag shorter than 96 bits).
    Unsupported(String),
    /// POCO `IllegalStateException`: a call in the wrong order, such as asking for the GCM tag
    /// before `finalize()`.
    IllegalState(String),
    /// Authentication failed: the AEAD tag or the HMAC does not match. The key is wrong, the
    /// associated data differs, or the data was modified. Nothing was decrypted.
    TagMismatch,
    /// Legacy CBC decryption produced invalid PKCS#7 padding (OpenSSL's "bad decrypt"): the
    /// key is wrong or the data is damaged. CBC cannot tell which.
    BadDecrypt,
    /// A password did not match its stored PBKDF2 hash.
    PasswordMismatch,
    /// Encrypted data ended early: a sealed message shorter than nonce and tag, a stream
    /// without its final segment, or CBC data that is not a whole number of blocks.
    Truncated(String),
    /// POCO `DataFormatException`: Base64 or hex input (POCO's `ENC_BASE64` / `ENC_BINHEX`) is
    /// malformed.
    Encoding(rpoco_foundation::Error),
    /// POCO `DataFormatException`: a sealed message, stream header or password hash string is
    /// not in the expected format (wrong magic, unknown version, bad field).
    Format(String),
    /// The operating system's random number generator failed.
    Random(String),
    /// POCO `IOException`: an underlying reader or writer failed.
    Io(io::Error),
    /// An encrypted private key (or PKCS #12 file) could not be opened: the passphrase is wrong
    /// or the encrypted data is damaged (POCO reports OpenSSL's "bad decrypt"). No passphrase
    /// given for an encrypted key is reported the same way.
    BadPassphrase(String),
    /// A signature or certificate signature did not verify: which check failed and why.
    SignatureInvalid(String),
}

impl Error {
    /// The name of the POCO exception class this error corresponds to.
    ///
    /// ```
    /// use rpoco_crypto::Error;
    /// assert_eq!(Error::TagMismatch.poco_class(), "CryptoException");
    /// ```
    pub fn poco_class(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "NotFoundException",
            Error::InvalidArgument(_) => "InvalidArgumentException",
            Error::Unsupported(_) => "NotImplementedException",
            Error::IllegalState(_) => "IllegalStateException",
            Error::TagMismatch | Error::BadDecrypt | Error::PasswordMismatch => "CryptoException",
            Error::BadPassphrase(_) | Error::SignatureInvalid(_) => "CryptoException",
            Error::Truncated(_) | Error::Random(_) | Error::Io(_) => "IOException",
            Error::Encoding(_) | Error::Format(_) => "DataFormatException",
        }
    }

    /// POCO's human-readable exception name (`Exception::name()`).
    pub fn name(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "Not found",
            Error::InvalidArgument(_) => "Invalid argument",
            Error::Unsupported(_) => "Not implemented",
            Error::IllegalState(_) => "Illegal state",
            Error::TagMismatch | Error::BadDecrypt | Error::PasswordMismatch => "Crypto Exception",
            Error::BadPassphrase(_) | Error::SignatureInvalid(_) => "Crypto Exception",
            Error::Truncated(_) | Error::Random(_) | Error::Io(_) => "I/O error",
            Error::Encoding(_) | Error::Format(_) => "Bad data format",
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument(message.into())
    }

    pub(crate) fn truncated(message: impl Into<String>) -> Self {
        Error::Truncated(message.into())
    }

    pub(crate) fn format(message: impl Into<String>) -> Self {
        Error::Format(message.into())
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Error::Unsupported(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name())?;
        match self {
            Error::NotFound(m)
            | Error::InvalidArgument(m)
            | Error::Unsupported(m)
            | Error::IllegalState(m)
            | Error::Format(m) => f.write_str(m),
            Error::BadPassphrase(m) => write!(f, "cannot decrypt the key: {m}"),
            Error::SignatureInvalid(m) => write!(f, "signature verification failed: {m}"),
            Error::TagMismatch => {
                f.write_str("authentication tag mismatch (wrong key, wrong associated data or modified data)")
            }
            Error::BadDecrypt => f.write_str("bad decrypt (wrong key or damaged data; legacy CBC)"),
            Error::PasswordMismatch => f.write_str("password does not match"),
            Error::Truncated(m) => write!(f, "truncated data: {m}"),
            Error::Encoding(e) => write!(f, "{e}"),
            Error::Random(m) => write!(f, "secure random generator failed: {m}"),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Encoding(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        // Our own errors, and foundation's decoder errors (bad Base64 or hex), travel through
        // `Read`/`Write` wrapped in an `io::Error`; unwrap them so callers can match on the
        // real variant.
        let ours = e.get_ref().is_some_and(|inner| inner.is::<Error>());
        let foundation = e.get_ref().is_some_and(|inner| inner.is::<rpoco_foundation::Error>());
        if !ours && !foundation {
            return Error::Io(e);
        }
        let kind = e.kind();
        let Some(inner) = e.into_inner() else { return Error::Io(io::Error::from(kind)) };
        let inner = match inner.downcast::<Error>() {
            Ok(ours) => return *ours,
            Err(other) => other,
        };
        match inner.downcast::<rpoco_foundation::Error>() {
            Ok(f) => Error::from(*f),
            Err(other) => Error::Io(io::Error::new(kind, other)),
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(e) => e,
            Error::Truncated(_) => io::Error::new(io::ErrorKind::UnexpectedEof, e),
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

impl From<rpoco_foundation::Error> for Error {
    fn from(e: rpoco_foundation::Error) -> Self {
        match e {
            rpoco_foundation::Error::Io(e) => Error::Io(e),
            other => Error::Encoding(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_follows_poco_display_text() {
        let e = Error::NotFound("Cipher aes-512-gcm was not found".into());
        assert_eq!(e.to_string(), "Not found: Cipher aes-512-gcm was not found");
        assert_eq!(e.poco_class(), "NotFoundException");
        assert!(Error::TagMismatch.to_string().starts_with("Crypto Exception: authentication tag"));
    }

    #[test]
    fn io_round_trip_keeps_the_variant() {
        let e: io::Error = Error::TagMismatch.into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(matches!(Error::from(e), Error::TagMismatch));
        let e: io::Error = Error::truncated("no final segment").into();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(matches!(Error::from(e), Error::Truncated(_)));
        assert!(matches!(Error::from(io::Error::other("disk")), Error::Io(_)));
        let bad_base64: io::Error = rpoco_foundation::base64::decode("z!z=").unwrap_err().into();
        assert!(matches!(Error::from(bad_base64), Error::Encoding(_)));
    }
}
