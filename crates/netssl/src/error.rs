//! The crate's one error type, [`Error`], mirroring POCO NetSSL's exceptions.

use std::fmt;
use std::io;

/// A `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `rpoco-netssl`.
///
/// Each variant corresponds to a POCO exception class ([`Error::poco_class`]) and
/// [`Display`](fmt::Display) follows POCO's `displayText()`: `"<name>: <message>"`.
/// In POCO, `CertificateValidationException` and `SSLConnectionUnexpectedlyClosedException`
/// derive from `SSLException`; [`Error::is_ssl_exception`] answers the same question.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// POCO `SSLException` ("SSL Exception"): the TLS protocol failed (handshake failure,
    /// alert from the peer, protocol violation).
    Ssl(String),
    /// POCO `SSLContextException` ("SSL context exception"): a [`Context`](crate::Context)
    /// could not be set up (unreadable key or certificate, bad CA location, bad cipher list,
    /// impossible protocol set).
    SslContext(String),
    /// POCO `InvalidCertificateException` ("Invalid certificate"): certificate data that
    /// cannot be parsed.
    InvalidCertificate(String),
    /// POCO `CertificateValidationException` ("Certificate validation error"): the peer's
    /// certificate failed a check; the [`VerificationFailure`] names which one.
    CertificateValidation(Box<VerificationFailure>),
    /// POCO `SSLConnectionUnexpectedlyClosedException` ("SSL connection unexpectedly
    /// closed"): the peer closed the connection without sending `close_notify`, so the data
    /// received may have been truncated.
    SslConnectionUnexpectedlyClosed(String),
    /// POCO `TimeoutException` ("Timeout"): a handshake or I/O did not finish in time.
    Timeout(String),
    /// POCO `InvalidArgumentException` ("Invalid argument").
    InvalidArgument(String),
    /// POCO `IOException` ("I/O error"): reading or writing the transport, or a file, failed.
    Io(io::Error),
    /// An error from `rpoco-net` (sockets, HTTP), whose `Display` and POCO class it keeps.
    Net(rpoco_net::Error),
}

/// Which certificate check failed; see [`VerificationFailure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateCheck {
    /// The certificate's validity period has ended (OpenSSL error 10).
    Expired,
    /// The certificate's validity period has not begun (OpenSSL error 9).
    NotYetValid,
    /// The peer presented a self-signed certificate that is not trusted (OpenSSL error 18).
    SelfSigned,
    /// No trusted CA issued the chain (OpenSSL error 20).
    UnknownIssuer,
    /// The certificate is not valid for the host name or IP address (OpenSSL errors 62/64).
    Hostname,
    /// A signature in the chain does not verify (OpenSSL error 7).
    BadSignature,
    /// The certificate may not be used for this purpose, e.g. a client certificate presented
    /// by a server (OpenSSL error 26).
    WrongUsage,
    /// The chain has more intermediate CAs than the verification depth allows (OpenSSL 22).
    ChainTooLong,
    /// The certificate's public key matches none of the pinned SPKI SHA-256 hashes.
    PinMismatch,
    /// The peer sent no certificate although one is required.
    NoCertificate,
    /// The certificate was revoked (OpenSSL error 23).
    Revoked,
    /// Any other defect: malformed encoding, unsupported algorithm or critical extension.
    Other,
}

/// The details of a failed certificate check: which check, OpenSSL's error number and text
/// for it (so messages match what POCO users know), the failing certificate's depth in the
/// chain (0 = the peer's own certificate) and subject, and the host being verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerificationFailure {
    /// Which check failed.
    pub check: CertificateCheck,
    /// OpenSSL's `X509_V_ERR_*` number for the failure (e.g. 10 = certificate has expired).
    pub code: i32,
    /// OpenSSL's text for `code` (e.g. "certificate has expired").
    pub message: String,
    /// Depth of the failing certificate in the chain; 0 is the peer's certificate.
    pub depth: usize,
    /// Subject of the failing certificate as POCO formats it, if it could be parsed.
    pub subject: String,
    /// The host name or IP address that was being verified, if any.
    pub host: Option<String>,
    /// More detail from the verifier (dates, names found in the certificate, ...).
    pub detail: String,
}

impl VerificationFailure {
    pub(crate) fn new(check: CertificateCheck, detail: impl Into<String>) -> Self {
        let (code, message) = openssl_code(check);
        VerificationFailure {
            check,
            code,
            message: message.to_string(),
            depth: 0,
            subject: String::new(),
            host: None,
            detail: detail.into(),
        }
    }
}

/// OpenSSL's `X509_V_ERR_*` number and `X509_verify_cert_error_string` text (OpenSSL 3).
pub(crate) fn openssl_code(check: CertificateCheck) -> (i32, &'static str) {
    match check {
        CertificateCheck::Expired => (10, "certificate has expired"),
        CertificateCheck::NotYetValid => (9, "certificate is not yet valid"),
        CertificateCheck::SelfSigned => (18, "self-signed certificate"),
        CertificateCheck::UnknownIssuer => (20, "unable to get local issuer certificate"),
        CertificateCheck::Hostname => (62, "hostname mismatch"),
        CertificateCheck::BadSignature => (7, "certificate signature failure"),
        CertificateCheck::WrongUsage => (26, "unsupported certificate purpose"),
        CertificateCheck::ChainTooLong => (22, "certificate chain too long"),
        CertificateCheck::PinMismatch => (50, "application verification failure"),
        CertificateCheck::NoCertificate => (50, "peer did not return a certificate"),
        CertificateCheck::Revoked => (23, "certificate revoked"),
        CertificateCheck::Other => (1, "unspecified certificate verification error"),
    }
}

impl fmt::Display for VerificationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (CertificateCheck::Hostname, Some(host)) = (self.check, &self.host) {
            // POCO's wording for a failed post-handshake host check, plus what failed.
            write!(f, "Unacceptable certificate from {host}: {}", self.message)?;
        } else {
            write!(f, "{} (X509 error {} at depth {}", self.message, self.code, self.depth)?;
            if !self.subject.is_empty() {
                write!(f, ", subject {}", self.subject)?;
            }
            f.write_str(")")?;
            if let Some(host) = &self.host {
                write!(f, " verifying {host}")?;
            }
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for VerificationFailure {}

impl Error {
    /// The name of the POCO exception class this error corresponds to.
    ///
    /// ```
    /// use rpoco_netssl::Error;
    /// assert_eq!(Error::Ssl("handshake failure".into()).poco_class(), "SSLException");
    /// ```
    pub fn poco_class(&self) -> &'static str {
        match self {
            Error::Ssl(_) => "SSLException",
            Error::SslContext(_) => "SSLContextException",
            Error::InvalidCertificate(_) => "InvalidCertificateException",
            Error::CertificateValidation(_) => "CertificateValidationException",
            Error::SslConnectionUnexpectedlyClosed(_) => "SSLConnectionUnexpectedlyClosedException",
            Error::Timeout(_) => "TimeoutException",
            Error::InvalidArgument(_) => "InvalidArgumentException",
            Error::Io(_) => "IOException",
            Error::Net(e) => e.poco_class(),
        }
    }

    /// POCO's human-readable exception name (`Exception::name()`).
    pub fn name(&self) -> &'static str {
        match self {
            Error::Ssl(_) => "SSL Exception",
            Error::SslContext(_) => "SSL context exception",
            Error::InvalidCertificate(_) => "Invalid certificate",
            Error::CertificateValidation(_) => "Certificate validation error",
            Error::SslConnectionUnexpectedlyClosed(_) => "SSL connection unexpectedly closed",
            Error::Timeout(_) => "Timeout",
            Error::InvalidArgument(_) => "Invalid argument",
            Error::Io(_) => "I/O error",
            Error::Net(e) => e.name(),
        }
    }

    /// Whether POCO would raise this as an `SSLException` or one of its subclasses.
    pub fn is_ssl_exception(&self) -> bool {
        matches!(
            self,
            Error::Ssl(_)
                | Error::SslContext(_)
                | Error::InvalidCertificate(_)
                | Error::CertificateValidation(_)
                | Error::SslConnectionUnexpectedlyClosed(_)
        )
    }

    /// The failed certificate check, if this is a [`Error::CertificateValidation`].
    pub fn verification_failure(&self) -> Option<&VerificationFailure> {
        match self {
            Error::CertificateValidation(failure) => Some(failure),
            _ => None,
        }
    }

    pub(crate) fn context(message: impl Into<String>) -> Self {
        Error::SslContext(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Error::Net(e) = self {
            return write!(f, "{e}");
        }
        write!(f, "{}: ", self.name())?;
        match self {
            Error::Ssl(m)
            | Error::SslContext(m)
            | Error::InvalidCertificate(m)
            | Error::SslConnectionUnexpectedlyClosed(m)
            | Error::Timeout(m)
            | Error::InvalidArgument(m) => f.write_str(m),
            Error::CertificateValidation(failure) => write!(f, "{failure}"),
            Error::Io(e) => write!(f, "{e}"),
            Error::Net(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Net(e) => Some(e),
            Error::CertificateValidation(failure) => Some(&**failure),
            _ => None,
        }
    }
}

impl From<VerificationFailure> for Error {
    fn from(failure: VerificationFailure) -> Self {
        Error::CertificateValidation(Box::new(failure))
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        // Errors raised inside our Read/Write impls travel as io::Error wrapping an Error;
        // unwrap them so callers can match on the real variant.
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

impl From<rpoco_net::Error> for Error {
    /// Recovers a netssl error that travelled through net wrapped in an I/O error; net's
    /// `Timeout` becomes [`Error::Timeout`].
    fn from(e: rpoco_net::Error) -> Self {
        match e {
            rpoco_net::Error::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<Error>()) => {
                Error::from(io)
            }
            // One timeout variant for callers to match, whichever layer ran out of time.
            rpoco_net::Error::Timeout(message) => Error::Timeout(message),
            other => Error::Net(other),
        }
    }
}

impl From<Error> for rpoco_net::Error {
    /// For net's seams (`Connector`, `Transport`): our error rides inside an I/O error, from
    /// which `Error::from(rpoco_net::Error)` recovers it.
    fn from(e: Error) -> Self {
        match e {
            Error::Net(net) => net,
            Error::Timeout(message) => rpoco_net::Error::Timeout(message),
            other => rpoco_net::Error::Io(io::Error::from(other)),
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(inner) => inner,
            Error::Net(net) => io::Error::from(net),
            other => {
                let kind = match &other {
                    Error::Timeout(_) => io::ErrorKind::TimedOut,
                    Error::SslConnectionUnexpectedlyClosed(_) => io::ErrorKind::UnexpectedEof,
                    Error::InvalidArgument(_) => io::ErrorKind::InvalidInput,
                    _ => io::ErrorKind::InvalidData,
                };
                io::Error::new(kind, other)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_follows_poco_display_text() {
        let mut failure = VerificationFailure::new(CertificateCheck::Expired, "not after 2020-01-01");
        failure.subject = "C=CH,O=rpoco,CN=localhost".into();
        failure.host = Some("localhost".into());
        let e = Error::from(failure);
        assert_eq!(
            e.to_string(),
            "Certificate validation error: certificate has expired (X509 error 10 at depth 0, \
             subject C=CH,O=rpoco,CN=localhost) verifying localhost: not after 2020-01-01"
        );
        let mut host =
            VerificationFailure::new(CertificateCheck::Hostname, "certificate is valid for wrong.example");
        host.host = Some("localhost".into());
        assert_eq!(
            Error::from(host).to_string(),
            "Certificate validation error: Unacceptable certificate from localhost: hostname mismatch: \
             certificate is valid for wrong.example"
        );
    }

    #[test]
    fn io_round_trip_keeps_the_variant() {
        let e: io::Error = Error::Timeout("handshake".into()).into();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(matches!(Error::from(e), Error::Timeout(_)));
        let e: io::Error = Error::SslConnectionUnexpectedlyClosed("x".into()).into();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(Error::from(e).is_ssl_exception());
        assert!(matches!(Error::from(io::Error::other("x")), Error::Io(_)));
    }
}
