//! The crate's one error type, [`Error`]: a kind, typed details and the original cause,
//! the same shape as [`rpoco_net::Error`].
//!
//! ```text
//! Error ── kind():    ErrorKind   what went wrong; poco_class() and name() derive from it
//!       ├─ detail():  &Detail     the failed certificate check (VerificationFailure), the TLS
//!       │                         alert the peer sent, which timeout and its limit
//!       ├─ message(): &str        what a user reads after "<name>: "
//!       └─ source():  the cause: rustls' error, webpki's error for a certificate check, an
//!                     io::Error, rpoco-net's error (kind Net)
//! ```
//!
//! Constructing: `Error::new(ErrorKind::Ssl, msg)`, `Error::from(VerificationFailure)`,
//! `Error::alert(alert, msg)`, `Error::timeout(Timeout::Handshake, Some(limit), what)`,
//! `.with_source(cause)`. Matching: `e.kind() == ErrorKind::Ssl`,
//! `e.verification_failure()`, `e.alert()`.
//!
//! Crossing into rpoco-net (its `Connector`/`Transport` seams): `rpoco_net::Error::from(e)`
//! is net's one TLS kind ([`rpoco_net::ErrorKind::Tls`], this error as its source; a timeout
//! stays net's `Timeout`, a net error comes back out unchanged), and
//! `Error::from(rpoco_net::Error)` takes this error back out whole.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

pub use rpoco_net::Timeout;

/// A `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong; each kind is one POCO exception class ([`ErrorKind::poco_class`]).
///
/// In POCO, `CertificateValidationException` and `SSLConnectionUnexpectedlyClosedException`
/// derive from `SSLException`; [`Error::is_ssl_exception`] answers the same question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// POCO `SSLException`: the TLS protocol failed (handshake failure, alert from the peer,
    /// protocol violation).
    Ssl,
    /// POCO `SSLException` for a fatal alert the peer sent: [`Error::alert_description`]
    /// gives its RFC 8446 name (the peer's words), e.g. `UnknownCA`, `HandshakeFailure`.
    TlsAlert,
    /// POCO `SSLContextException`: a [`Context`](crate::Context) could not be set up.
    SslContext,
    /// POCO `InvalidCertificateException`: certificate data that cannot be parsed.
    InvalidCertificate,
    /// POCO `CertificateValidationException`: the peer's certificate failed a check
    /// ([`Error::verification_failure`] names which).
    CertificateValidation,
    /// POCO `SSLConnectionUnexpectedlyClosedException`: the peer closed without
    /// `close_notify`, so the data received may have been truncated.
    SslConnectionUnexpectedlyClosed,
    /// POCO `TimeoutException`: a handshake or I/O did not finish in time.
    Timeout,
    /// POCO `InvalidArgumentException`.
    InvalidArgument,
    /// POCO `IOException`: reading or writing the transport, or a file, failed.
    Io,
    /// An error from `rpoco-net` (sockets, HTTP): its class is the net error's own.
    Net,
}

impl ErrorKind {
    /// The POCO exception class (`Net`: net's generic class; [`Error::poco_class`] is exact).
    pub fn poco_class(self) -> &'static str {
        self.names().0
    }

    /// POCO's human-readable exception name.
    pub fn name(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            ErrorKind::Ssl | ErrorKind::TlsAlert => ("SSLException", "SSL Exception"),
            ErrorKind::SslContext => ("SSLContextException", "SSL context exception"),
            ErrorKind::InvalidCertificate => ("InvalidCertificateException", "Invalid certificate"),
            ErrorKind::CertificateValidation => {
                ("CertificateValidationException", "Certificate validation error")
            }
            ErrorKind::SslConnectionUnexpectedlyClosed => {
                ("SSLConnectionUnexpectedlyClosedException", "SSL connection unexpectedly closed")
            }
            ErrorKind::Timeout => ("TimeoutException", "Timeout"),
            ErrorKind::InvalidArgument => ("InvalidArgumentException", "Invalid argument"),
            ErrorKind::Io => ("IOException", "I/O error"),
            ErrorKind::Net => ("NetException", "Net Exception"),
        }
    }

    fn io_kind(self) -> io::ErrorKind {
        match self {
            ErrorKind::Timeout => io::ErrorKind::TimedOut,
            ErrorKind::SslConnectionUnexpectedlyClosed => io::ErrorKind::UnexpectedEof,
            ErrorKind::InvalidArgument => io::ErrorKind::InvalidInput,
            ErrorKind::Io | ErrorKind::Net => io::ErrorKind::Other,
            _ => io::ErrorKind::InvalidData,
        }
    }
}

/// Typed facts about an [`Error`], beside its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// Nothing more than the kind and the message.
    None,
    /// The failed certificate check.
    Verification(Box<VerificationFailure>),
    /// The fatal TLS alert the peer sent (its RFC 8446 name, as rustls spells it).
    Alert(String),
    /// A timeout: which wait, and its limit.
    Timeout {
        /// Which wait.
        which: Timeout,
        /// The limit.
        limit: Option<Duration>,
    },
}

/// Everything that can go wrong in `rpoco-netssl`: see the module documentation of `error`.
///
/// [`Display`](fmt::Display) follows POCO's `displayText()`: `"<name>: <message>"`.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    detail: Detail,
    message: Cow<'static, str>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
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
    /// webpki's own error for the failure, when webpki found it (also the
    /// [`source`](StdError::source) of the [`Error`]).
    pub cause: Option<Box<webpki::Error>>,
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
            cause: None,
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

impl StdError for VerificationFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn StdError + 'static))
    }
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
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// A timeout of `which` wait with `limit`; `what` names what was awaited.
    pub fn timeout(which: Timeout, limit: Option<Duration>, what: impl fmt::Display) -> Self {
        let net = rpoco_net::Error::timeout(which, limit, what);
        Error::new(ErrorKind::Timeout, net.message().to_owned()).with_detail(Detail::Timeout { which, limit })
    }

    /// A fatal alert from the peer (kind [`ErrorKind::TlsAlert`]).
    pub fn alert(alert: impl fmt::Debug, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::TlsAlert, message).with_detail(Detail::Alert(format!("{alert:?}")))
    }

    /// An I/O error kept whole.
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

    /// The alert the peer sent, if this error is one.
    pub fn alert_description(&self) -> Option<&str> {
        match &self.inner.detail {
            Detail::Alert(a) => Some(a),
            _ => None,
        }
    }

    /// The cause, if it is of type `T`.
    pub fn source_as<T: StdError + 'static>(&self) -> Option<&T> {
        self.inner.source.as_deref().and_then(|s| s.downcast_ref::<T>())
    }

    /// The rpoco-net error this wraps (kind [`ErrorKind::Net`]).
    pub fn net_error(&self) -> Option<&rpoco_net::Error> {
        self.source_as()
    }

    /// The name of the POCO exception class this error corresponds to.
    ///
    /// ```
    /// use rpoco_netssl::{Error, ErrorKind};
    /// assert_eq!(Error::new(ErrorKind::Ssl, "handshake failure").poco_class(), "SSLException");
    /// ```
    pub fn poco_class(&self) -> &'static str {
        match self.net_error() {
            Some(net) if self.kind() == ErrorKind::Net => net.poco_class(),
            _ => self.kind().poco_class(),
        }
    }

    /// POCO's human-readable exception name (`Exception::name()`).
    pub fn name(&self) -> &'static str {
        match self.net_error() {
            Some(net) if self.kind() == ErrorKind::Net => net.name(),
            _ => self.kind().name(),
        }
    }

    /// Whether POCO would raise this as an `SSLException` or one of its subclasses.
    pub fn is_ssl_exception(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Ssl
                | ErrorKind::TlsAlert
                | ErrorKind::SslContext
                | ErrorKind::InvalidCertificate
                | ErrorKind::CertificateValidation
                | ErrorKind::SslConnectionUnexpectedlyClosed
        )
    }

    /// Whether this is a timeout (of the handshake, or of net's connect, read or write).
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout || self.net_error().is_some_and(|n| n.is_timeout())
    }

    /// The failed certificate check, if this is a certificate validation error.
    pub fn verification_failure(&self) -> Option<&VerificationFailure> {
        match &self.inner.detail {
            Detail::Verification(failure) => Some(failure),
            _ => None,
        }
    }

    /// The `io::ErrorKind` this error stands for.
    pub fn io_kind(&self) -> io::ErrorKind {
        if let Some(net) = self.net_error() {
            return net.io_kind();
        }
        // A file or socket that failed keeps its own kind (a CA file not found is
        // `NotFound`), whatever POCO class the error has.
        match self.source_as::<io::Error>() {
            Some(e) => e.kind(),
            None => self.kind().io_kind(),
        }
    }

    pub(crate) fn context(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::SslContext, message)
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
        match self.net_error() {
            Some(net) if self.kind() == ErrorKind::Net => write!(f, "{net}"),
            _ => write!(f, "{}: {}", self.name(), self.inner.message),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}

impl From<VerificationFailure> for Error {
    fn from(failure: VerificationFailure) -> Self {
        let message = failure.to_string();
        let cause = failure.cause.clone();
        let e = Error::new(ErrorKind::CertificateValidation, message)
            .with_detail(Detail::Verification(Box::new(failure)));
        match cause {
            Some(webpki) => e.with_source(webpki as Box<dyn StdError + Send + Sync>),
            None => e,
        }
    }
}

impl From<io::Error> for Error {
    /// Takes back an [`Error`] (or an rpoco-net error) that travelled inside an `io::Error`
    /// through a `Read`/`Write` implementation; otherwise kind [`ErrorKind::Io`] (or
    /// `Timeout` for a timed-out wait), keeping the `io::Error` as the source.
    fn from(e: io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>() || inner.is::<rpoco_net::Error>()) {
            let kind = e.kind();
            return match e.into_inner().map(|inner| inner.downcast::<Error>()) {
                Some(Ok(inner)) => *inner,
                Some(Err(other)) => match other.downcast::<rpoco_net::Error>() {
                    Ok(net) => Error::from(*net),
                    Err(other) => Error::new(ErrorKind::Io, other.to_string()).with_source(other),
                },
                None => Error::io(io::Error::from(kind)),
            };
        }
        if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) {
            return Error::new(ErrorKind::Timeout, e.to_string()).with_source(e);
        }
        Error::io(e)
    }
}

impl From<rpoco_net::Error> for Error {
    /// Takes back a netssl error that travelled through net (net's one TLS kind); a net
    /// timeout becomes kind [`ErrorKind::Timeout`] (one timeout kind for callers, whichever
    /// layer ran out of time) keeping the net error as the source.
    fn from(e: rpoco_net::Error) -> Self {
        let e = match e.into_source::<Error>() {
            Ok(ours) => return ours,
            Err(e) => e,
        };
        let carries_ours = |e: &rpoco_net::Error| {
            e.source_as::<io::Error>().and_then(|io| io.get_ref()).is_some_and(|inner| inner.is::<Error>())
        };
        let e = if carries_ours(&e) {
            match e.into_source::<io::Error>() {
                Ok(io) => return Error::from(io),
                Err(e) => e,
            }
        } else {
            e
        };
        if e.kind() == rpoco_net::ErrorKind::Timeout {
            let detail = match e.detail() {
                rpoco_net::Detail::Timeout { which, limit } => {
                    Detail::Timeout { which: *which, limit: *limit }
                }
                _ => Detail::None,
            };
            Error::new(ErrorKind::Timeout, e.message().to_owned()).with_detail(detail).with_source(e)
        } else {
            Error::new(ErrorKind::Net, e.message().to_owned()).with_source(e)
        }
    }
}

impl From<Error> for rpoco_net::Error {
    /// Net's one TLS kind ([`rpoco_net::ErrorKind::Tls`]) with this error as its source; a
    /// wrapped net error comes back out, and a timeout stays net's `Timeout`.
    fn from(e: Error) -> Self {
        if e.kind() == ErrorKind::Net || (e.kind() == ErrorKind::Timeout && e.net_error().is_some()) {
            let mut e = e;
            if let Some(net) = e.inner.source.take().map(|s| s.downcast::<rpoco_net::Error>()) {
                match net {
                    Ok(net) => return *net,
                    Err(other) => e.inner.source = Some(other),
                }
            }
            return rpoco_net::Error::tls(e.poco_class(), e.name(), e.io_kind(), e);
        }
        if let Detail::Timeout { which, limit } = e.detail() {
            let (which, limit) = (*which, *limit);
            let message = e.message().to_owned();
            return rpoco_net::Error::new(rpoco_net::ErrorKind::Timeout, message)
                .with_detail(rpoco_net::Detail::Timeout { which, limit })
                .with_source(e);
        }
        if e.kind() == ErrorKind::Timeout {
            let message = e.message().to_owned();
            return rpoco_net::Error::new(rpoco_net::ErrorKind::Timeout, message).with_source(e);
        }
        rpoco_net::Error::tls(e.poco_class(), e.name(), e.io_kind(), e)
    }
}

impl From<Error> for io::Error {
    /// An `io::Error` of the error's kind carrying it as net's TLS kind, so that rpoco-net
    /// reading through a TLS transport gets [`rpoco_net::ErrorKind::Tls`] and this crate gets
    /// the error back whole.
    fn from(e: Error) -> Self {
        let kind = e.io_kind();
        io::Error::new(kind, rpoco_net::Error::from(e))
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
    fn io_round_trip_keeps_the_kind() {
        let e: io::Error = Error::timeout(Timeout::Handshake, None, "handshake").into();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        let back = Error::from(e);
        assert_eq!(back.kind(), ErrorKind::Timeout);
        assert!(matches!(back.detail(), Detail::Timeout { which: Timeout::Handshake, .. }));
        let e: io::Error = Error::new(ErrorKind::SslConnectionUnexpectedlyClosed, "x").into();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(Error::from(e).is_ssl_exception());
        assert_eq!(Error::from(io::Error::other("x")).kind(), ErrorKind::Io);
    }

    #[test]
    fn tls_errors_cross_net_as_one_kind_and_come_back_whole() {
        let e = Error::alert("HandshakeFailure", "peer sent a fatal alert");
        let net = rpoco_net::Error::from(e);
        assert_eq!((net.kind(), net.poco_class()), (rpoco_net::ErrorKind::Tls, "SSLException"));
        let io: io::Error = net.into();
        let net = rpoco_net::Error::from(io);
        assert_eq!(net.kind(), rpoco_net::ErrorKind::Tls);
        let back = Error::from(net);
        assert_eq!(back.kind(), ErrorKind::TlsAlert);
        assert_eq!(back.alert_description(), Some("\"HandshakeFailure\""));
        let refused = rpoco_net::Error::new(rpoco_net::ErrorKind::ConnectionRefused, "refused");
        let ours = Error::from(refused);
        assert_eq!((ours.kind(), ours.poco_class()), (ErrorKind::Net, "ConnectionRefusedException"));
        assert_eq!(rpoco_net::Error::from(ours).kind(), rpoco_net::ErrorKind::ConnectionRefused);
    }
}
