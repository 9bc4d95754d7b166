//! rustls certificate verifiers with POCO's semantics: webpki checks the chain, the
//! verification depth is enforced, failures get OpenSSL's error numbers and texts and go
//! through the [`InvalidCertificateHandler`], then the host name and SPKI pins are checked.
//!
//! A failure travels through rustls as `CertificateError::Other` wrapping our
//! [`VerificationFailure`], so the stream can hand the exact failure back to the caller.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage, VerifiedPath};

use crate::cert_handler::{InvalidCertificateHandler, VerificationErrorArgs};
use crate::context::VerificationMode;
use crate::error::{CertificateCheck, VerificationFailure};
use crate::ssl_manager::SslManager;
use crate::x509::X509Certificate;

/// How many unverified hosts a context remembers having warned about.
const MAX_UNVERIFIED_HOSTS: usize = 1024;

/// Everything a verifier needs, fixed when a context builds its rustls configuration.
pub(crate) struct Policy {
    pub(crate) mode: VerificationMode,
    pub(crate) depth: u32,
    pub(crate) check_hostname: bool,
    pub(crate) anchors: Arc<Vec<TrustAnchor<'static>>>,
    pub(crate) pins: Vec<[u8; 32]>,
    pub(crate) handler: Option<Arc<dyn InvalidCertificateHandler>>,
    /// The context's record of hosts already warned about under `VerificationMode::None`.
    pub(crate) unverified_hosts: Arc<Mutex<HashSet<String>>>,
    pub(crate) algorithms: WebPkiSupportedAlgorithms,
    /// Verifying clients (server side) rather than servers.
    pub(crate) server_side: bool,
}

impl Policy {
    /// The whole check for one peer; `host` is `None` when verifying a client.
    fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        host: Option<&ServerName<'_>>,
        now: UnixTime,
    ) -> Result<(), VerificationFailure> {
        let host_text = host.map(|h| h.to_str().into_owned());
        let with_host = |mut failure: VerificationFailure| {
            failure.host = host_text.clone();
            failure
        };
        if self.mode == VerificationMode::None {
            if let Some(host) = &host_text {
                self.warn_unverified(host);
            }
        } else if let Err(failure) = self.verify_chain(end_entity, intermediates, now) {
            let failure = with_host(failure);
            if !self.handler_accepts(&failure, end_entity, intermediates) {
                return Err(failure);
            }
        }
        let check_name = self.check_hostname && self.mode != VerificationMode::None;
        if let (Some(name), true) = (host, check_name)
            // The common case, without parsing the whole certificate; a mismatch is parsed
            // below for a message naming what the certificate is valid for.
            && !EndEntityCert::try_from(end_entity).is_ok_and(|ee| ee.verify_is_valid_for_subject_name(name).is_ok())
        {
            let cert = X509Certificate::parse(end_entity.clone().into_owned()).map_err(|e| {
                with_host(VerificationFailure::new(
                    CertificateCheck::Other,
                    format!("cannot check the host name: {e}"),
                ))
            })?;
            if let Err(err) = cert.verify_hostname(&name.to_str()) {
                return Err(err.verification_failure().cloned().unwrap_or_else(|| {
                    with_host(VerificationFailure::new(CertificateCheck::Hostname, err.to_string()))
                }));
            }
        }
        if !self.pins.is_empty() {
            let cert = X509Certificate::parse(end_entity.clone().into_owned())
                .map_err(|e| with_host(VerificationFailure::new(CertificateCheck::Other, e.to_string())))?;
            let spki = cert.spki_sha256();
            if !self.pins.contains(&spki) {
                let mut failure = with_host(VerificationFailure::new(
                    CertificateCheck::PinMismatch,
                    format!("public key pin mismatch: SPKI SHA-256 {} is not pinned", hex(&spki)),
                ));
                failure.subject = cert.subject_name().to_string();
                return Err(failure);
            }
        }
        Ok(())
    }

    /// Logs that `host` was not verified, once per host for the context: a warning per
    /// connection would drown a keep-alive-less client's log and teach people to ignore it.
    fn warn_unverified(&self, host: &str) {
        let mut hosts = self.unverified_hosts.lock().unwrap_or_else(|p| p.into_inner());
        // Host names can come from the network (redirects): bound the memory, at the price
        // of naming a host again after many others.
        if hosts.len() >= MAX_UNVERIFIED_HOSTS && !hosts.contains(host) {
            hosts.clear();
        }
        let first = hosts.insert(host.to_string());
        drop(hosts);
        if first {
            log::warn!(
                "TLS certificate of {host} NOT verified (VerificationMode::None): connections to it are \
                 not protected against impersonation (logged once per host and context)"
            );
        }
    }

    fn verify_chain(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), VerificationFailure> {
        let presented = || {
            std::iter::once(end_entity)
                .chain(intermediates)
                .map(|der| X509Certificate::parse(der.clone().into_owned()).ok())
                .collect::<Vec<_>>()
        };
        let ee = EndEntityCert::try_from(end_entity).map_err(|e| {
            let mut failure =
                VerificationFailure::new(CertificateCheck::Other, format!("malformed certificate: {e}"));
            failure.subject =
                presented()[0].as_ref().map(|c| c.subject_name().to_string()).unwrap_or_default();
            failure
        })?;
        let too_long = Cell::new(false);
        let depth_limit = self.depth as usize;
        let check_depth = |path: &VerifiedPath<'_>| {
            if path.intermediate_certificates().count() > depth_limit {
                too_long.set(true);
                return Err(webpki::Error::MaximumPathDepthExceeded);
            }
            Ok(())
        };
        let usage = if self.server_side { KeyUsage::client_auth() } else { KeyUsage::server_auth() };
        let result = ee.verify_for_usage(
            self.algorithms.all,
            &self.anchors,
            intermediates,
            now,
            usage,
            None,
            Some(&check_depth),
        );
        let Err(error) = result else { return Ok(()) };
        let certs = presented();
        let mut failure = classify(&error, &certs, now);
        if too_long.get() {
            failure = VerificationFailure::new(
                CertificateCheck::ChainTooLong,
                format!(
                    "the chain has more than {depth_limit} intermediate certificates (verification depth)"
                ),
            );
            failure.depth = depth_limit + 1;
        }
        if let Some(Some(cert)) = certs.get(failure.depth) {
            failure.subject = cert.subject_name().to_string();
        }
        Err(failure)
    }

    fn handler_accepts(
        &self,
        failure: &VerificationFailure,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
    ) -> bool {
        let handler = self.handler.clone().unwrap_or_else(|| {
            let manager = SslManager::instance();
            if self.server_side {
                manager.server_certificate_handler()
            } else {
                manager.client_certificate_handler()
            }
        });
        let der = std::iter::once(end_entity).chain(intermediates).nth(failure.depth).unwrap_or(end_entity);
        let certificate = X509Certificate::parse(der.clone().into_owned()).ok();
        let message = if failure.detail.is_empty() {
            failure.message.clone()
        } else {
            format!("{}: {}", failure.message, failure.detail)
        };
        let mut args = VerificationErrorArgs::new(certificate, failure.depth, failure.code, message);
        handler.on_invalid_certificate(&mut args);
        args.ignore_error()
    }
}

/// Maps a webpki error to the OpenSSL-style failure, finding the failing certificate's depth;
/// webpki's error stays in the failure as its cause.
fn classify(error: &webpki::Error, certs: &[Option<X509Certificate>], now: UnixTime) -> VerificationFailure {
    let mut failure = classify_check(error, certs, now);
    failure.cause = Some(Box::new(error.clone()));
    failure
}

fn classify_check(
    error: &webpki::Error,
    certs: &[Option<X509Certificate>],
    now: UnixTime,
) -> VerificationFailure {
    use webpki::Error as E;
    let now_time = UNIX_EPOCH + Duration::from_secs(now.as_secs());
    let out_of_validity = |expired: bool| {
        certs
            .iter()
            .position(|c| {
                c.as_ref().is_some_and(|c| {
                    if expired { c.expires_on() < now_time } else { c.valid_from() > now_time }
                })
            })
            .unwrap_or(0)
    };
    let (check, detail, depth) = match error {
        E::CertExpired { not_after, .. } => (
            CertificateCheck::Expired,
            format!("expired {} (now {})", format_unix(not_after.as_secs()), format_time(now_time)),
            out_of_validity(true),
        ),
        E::CertNotValidYet { not_before, .. } => (
            CertificateCheck::NotYetValid,
            format!("not valid before {} (now {})", format_unix(not_before.as_secs()), format_time(now_time)),
            out_of_validity(false),
        ),
        E::UnknownIssuer => {
            let top = certs.len().saturating_sub(1);
            let self_signed =
                certs.get(top).and_then(|c| c.as_ref()).is_some_and(|c| c.subject_name() == c.issuer_name());
            match (self_signed, top) {
                (true, 0) => (CertificateCheck::SelfSigned, "the certificate is not trusted".into(), 0),
                (true, _) => {
                    let mut f =
                        VerificationFailure::new(CertificateCheck::SelfSigned, "the root is not trusted");
                    f.code = 19;
                    f.message = "self-signed certificate in certificate chain".into();
                    f.depth = top;
                    return f;
                }
                (false, _) => {
                    let issuer = certs.get(top).and_then(|c| c.as_ref()).map(|c| c.issuer_name().to_string());
                    let detail = match issuer {
                        Some(issuer) => format!("no trusted CA certificate for issuer {issuer}"),
                        None => "no trusted CA certificate for the issuer".into(),
                    };
                    (CertificateCheck::UnknownIssuer, detail, top)
                }
            }
        }
        E::InvalidSignatureForPublicKey => {
            (CertificateCheck::BadSignature, "the signature does not verify with the issuer's key".into(), 0)
        }
        E::RequiredEkuNotFoundContext(_) | E::CaUsedAsEndEntity => {
            (CertificateCheck::WrongUsage, format!("{error:?}"), 0)
        }
        #[allow(deprecated)]
        E::RequiredEkuNotFound => {
            (CertificateCheck::WrongUsage, "required extended key usage not found".into(), 0)
        }
        E::MaximumPathDepthExceeded => {
            (CertificateCheck::ChainTooLong, "too many intermediate certificates".into(), 0)
        }
        E::PathLenConstraintViolated => {
            let mut f = VerificationFailure::new(
                CertificateCheck::ChainTooLong,
                "a CA's pathLenConstraint is violated",
            );
            f.code = 25;
            f.message = "path length constraint exceeded".into();
            return f;
        }
        E::CertRevoked => (CertificateCheck::Revoked, String::new(), 0),
        other => (CertificateCheck::Other, format!("{other:?}"), 0),
    };
    let mut failure = VerificationFailure::new(check, detail);
    failure.depth = depth;
    failure
}

fn to_rustls(failure: VerificationFailure) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(failure))))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn format_unix(secs: u64) -> String {
    format_time(UNIX_EPOCH + Duration::from_secs(secs))
}

/// `2026-01-31 23:59:59 UTC`.
pub(crate) fn format_time(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Verifies servers for a client context.
pub(crate) struct ServerVerifier(pub(crate) Arc<Policy>);

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.0.verify(end_entity, intermediates, Some(server_name), now).map_err(to_rustls)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.algorithms.supported_schemes()
    }
}

/// Verifies clients for a server context.
pub(crate) struct ClientVerifier {
    pub(crate) policy: Arc<Policy>,
    pub(crate) hints: Vec<DistinguishedName>,
}

impl ClientVerifier {
    pub(crate) fn new(policy: Arc<Policy>) -> Self {
        let hints = policy.anchors.iter().map(|a| DistinguishedName::in_sequence(&a.subject)).collect();
        ClientVerifier { policy, hints }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        match self.policy.mode {
            VerificationMode::None => false,
            VerificationMode::Strict => true,
            VerificationMode::Relaxed | VerificationMode::Once => !self.policy.anchors.is_empty(),
        }
    }

    fn client_auth_mandatory(&self) -> bool {
        self.policy.mode == VerificationMode::Strict
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.policy.verify(end_entity, intermediates, None, now).map_err(to_rustls)?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.policy.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.policy.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.policy.algorithms.supported_schemes()
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("mode", &self.mode)
            .field("depth", &self.depth)
            .field("check_hostname", &self.check_hostname)
            .field("anchors", &self.anchors.len())
            .field("pins", &self.pins.len())
            .field("server_side", &self.server_side)
            .finish()
    }
}

impl fmt::Debug for ServerVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServerVerifier").field(&self.0).finish()
    }
}

impl fmt::Debug for ClientVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientVerifier").field("policy", &self.policy).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_unix(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_unix(951_825_600), "2000-02-29 12:00:00 UTC");
        assert_eq!(format_unix(1_767_225_599), "2025-12-31 23:59:59 UTC");
    }
}
