//! What happens when a peer's certificate chain fails verification: POCO's
//! `InvalidCertificateHandler`, `AcceptCertificateHandler`, `RejectCertificateHandler` and
//! `VerificationErrorArgs`.
//!
//! A handler sees every chain failure (expired, not yet valid, unknown issuer, self-signed,
//! bad signature, wrong usage, chain too long) and may accept it by calling
//! [`VerificationErrorArgs::set_ignore_error`]. Host name mismatches and SPKI pin mismatches
//! are not passed to handlers: they fail the handshake (POCO also checks host names after
//! the handler has run). Any closure `Fn(&mut VerificationErrorArgs)` is a handler.
//!
//! ```
//! use std::sync::Arc;
//! use rpoco_netssl::{Context, InvalidCertificateHandler, Usage, VerificationErrorArgs};
//!
//! let context = Context::new(Usage::Client, "", "", "", Default::default(), 9, false, "DEFAULT")?;
//! // Accept only an expired certificate (OpenSSL error 10), and only at depth 0.
//! context.set_invalid_certificate_handler(Arc::new(|args: &mut VerificationErrorArgs| {
//!     if args.error_number() == 10 && args.error_depth() == 0 {
//!         args.set_ignore_error(true);
//!     }
//! }));
//! # Ok::<(), rpoco_netssl::Error>(())
//! ```

use std::fmt;

use crate::x509::X509Certificate;

/// The details of one chain failure, handed to an [`InvalidCertificateHandler`]: POCO's
/// `VerificationErrorArgs`.
#[derive(Clone, Debug)]
pub struct VerificationErrorArgs {
    certificate: Option<X509Certificate>,
    depth: usize,
    number: i32,
    message: String,
    ignore: bool,
}

impl VerificationErrorArgs {
    /// Makes the arguments for a failure of `certificate` at `depth` (0 = the peer's own).
    pub fn new(
        certificate: Option<X509Certificate>,
        depth: usize,
        number: i32,
        message: impl Into<String>,
    ) -> Self {
        VerificationErrorArgs { certificate, depth, number, message: message.into(), ignore: false }
    }

    /// The certificate that failed (`None` only if it could not be parsed at all).
    pub fn certificate(&self) -> Option<&X509Certificate> {
        self.certificate.as_ref()
    }

    /// Its position in the chain: 0 is the peer's certificate, 1 its issuer, ...
    pub fn error_depth(&self) -> usize {
        self.depth
    }

    /// OpenSSL's `X509_V_ERR_*` number (9 not yet valid, 10 expired, 18 self-signed,
    /// 20 unable to get local issuer certificate, ...).
    pub fn error_number(&self) -> i32 {
        self.number
    }

    /// OpenSSL's text for the error, followed by the verifier's detail.
    pub fn error_message(&self) -> &str {
        &self.message
    }

    /// Accepts (`true`) or rejects (`false`, the default) the certificate despite the error.
    pub fn set_ignore_error(&mut self, ignore: bool) {
        self.ignore = ignore;
    }

    /// Whether the handler accepted the certificate (POCO's `getIgnoreError`).
    pub fn ignore_error(&self) -> bool {
        self.ignore
    }
}

/// Decides about certificates that failed verification: POCO's `InvalidCertificateHandler`.
///
/// Set one per context with
/// [`Context::set_invalid_certificate_handler`](crate::Context::set_invalid_certificate_handler)
/// or process-wide with [`SslManager`](crate::SslManager); the default rejects.
pub trait InvalidCertificateHandler: Send + Sync {
    /// Called once per failed verification; call `args.set_ignore_error(true)` to accept.
    fn on_invalid_certificate(&self, args: &mut VerificationErrorArgs);
}

impl<F: Fn(&mut VerificationErrorArgs) + Send + Sync> InvalidCertificateHandler for F {
    fn on_invalid_certificate(&self, args: &mut VerificationErrorArgs) {
        self(args)
    }
}

/// Accepts every certificate that fails chain verification: POCO's
/// `AcceptCertificateHandler`. For tests and porting only: it gives up authentication of the
/// peer, except for the host name check, which still applies. Each acceptance is logged as a
/// warning.
#[derive(Clone, Copy, Debug, Default)]
pub struct AcceptCertificateHandler;

impl InvalidCertificateHandler for AcceptCertificateHandler {
    fn on_invalid_certificate(&self, args: &mut VerificationErrorArgs) {
        let subject = args.certificate().map(|c| c.subject_name().to_string()).unwrap_or_default();
        log::warn!(
            "AcceptCertificateHandler: accepting certificate {subject:?} despite: {} (X509 error {} at depth {})",
            args.error_message(),
            args.error_number(),
            args.error_depth()
        );
        args.set_ignore_error(true);
    }
}

/// Rejects every certificate that fails verification: POCO's `RejectCertificateHandler`,
/// the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct RejectCertificateHandler;

impl InvalidCertificateHandler for RejectCertificateHandler {
    fn on_invalid_certificate(&self, args: &mut VerificationErrorArgs) {
        args.set_ignore_error(false);
    }
}

impl fmt::Debug for dyn InvalidCertificateHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvalidCertificateHandler")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_decide() {
        let mut args = VerificationErrorArgs::new(None, 0, 10, "certificate has expired");
        AcceptCertificateHandler.on_invalid_certificate(&mut args);
        assert!(args.ignore_error());
        RejectCertificateHandler.on_invalid_certificate(&mut args);
        assert!(!args.ignore_error());
        let only_depth_one = |a: &mut VerificationErrorArgs| a.set_ignore_error(a.error_depth() == 1);
        only_depth_one.on_invalid_certificate(&mut args);
        assert!(!args.ignore_error());
        assert_eq!((args.error_number(), args.error_message()), (10, "certificate has expired"));
    }
}
