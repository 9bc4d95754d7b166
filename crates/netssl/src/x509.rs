//! [`X509Certificate`]: POCO's `Net::X509Certificate`, which extends
//! `Crypto::X509Certificate`: rpoco-crypto's [`X509Certificate`](rpoco_crypto::X509Certificate)
//! (the one parser) plus NetSSL's host-name check.
//!
//! ```
//! # let pem = rpoco_testcerts::DevCerts::generate().unwrap().server.cert_pem;
//! use rpoco_netssl::X509Certificate;
//!
//! let cert = X509Certificate::from_pem(pem.as_bytes())?;
//! assert_eq!(cert.common_name(), "localhost");
//! assert_eq!(cert.subject_name(), "C=CH,O=rpoco,CN=localhost");
//! assert!(cert.verify_hostname("127.0.0.1").is_ok());
//! assert!(cert.verify_hostname("example.com").is_err());
//! // Everything else POCO's Crypto::X509Certificate has:
//! assert_eq!(cert.crypto().version(), 3);
//! # Ok::<(), rpoco_netssl::Error>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::time::SystemTime;

use rustls_pki_types::{CertificateDer, ServerName};

use crate::error::{CertificateCheck, Error, ErrorKind, Result, VerificationFailure};

/// An X.509 certificate: POCO's `Poco::Net::X509Certificate`.
///
/// It holds rpoco-crypto's certificate ([`crypto`](Self::crypto) gives it, with POCO's
/// `Crypto::X509Certificate` accessors: version, signature algorithm, name fields,
/// fingerprints in any digest, `issued_by`, the public key) and adds the TLS host-name check.
/// The accessors here are the ones NetSSL code uses most. Two certificates are equal when
/// their DER encodings are (POCO's `equals`).
#[derive(Clone, PartialEq, Eq)]
pub struct X509Certificate {
    cert: rpoco_crypto::X509Certificate,
    der: CertificateDer<'static>,
}

/// rpoco-crypto's message without its POCO class prefix (the kind says it already).
fn text(e: &rpoco_crypto::Error) -> String {
    let message = e.to_string();
    message.strip_prefix("Bad data format: ").unwrap_or(&message).to_owned()
}

fn invalid(e: rpoco_crypto::Error) -> Error {
    Error::new(ErrorKind::InvalidCertificate, text(&e)).with_source(e)
}

impl X509Certificate {
    /// Parses a DER-encoded certificate.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<Self> {
        rpoco_crypto::X509Certificate::from_der(der).map(Self::from).map_err(invalid)
    }

    /// Parses the first certificate in PEM text (POCO's `X509Certificate(std::istream&)`).
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        rpoco_crypto::X509Certificate::from_pem(pem).map(Self::from).map_err(invalid)
    }

    /// Parses every certificate in PEM text, in order.
    pub fn all_from_pem(pem: &[u8]) -> Result<Vec<Self>> {
        let certs = rpoco_crypto::X509Certificate::all_from_pem(pem).map_err(invalid)?;
        Ok(certs.into_iter().map(Self::from).collect())
    }

    /// Reads a certificate file, PEM (the first certificate) or DER (POCO's
    /// `X509Certificate(const std::string& path)`, which reads PEM only).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        rpoco_crypto::X509Certificate::from_file(path).map(Self::from).map_err(|e| {
            let message = match &e {
                rpoco_crypto::Error::Io(io) => {
                    format!("cannot read certificate file {}: {io}", path.display())
                }
                other => format!("{} (in {})", text(other), path.display()),
            };
            Error::new(ErrorKind::InvalidCertificate, message).with_source(e)
        })
    }

    pub(crate) fn parse(der: CertificateDer<'static>) -> Result<Self> {
        Self::from_der(der.to_vec())
    }

    /// The rpoco-crypto certificate: POCO's `Crypto::X509Certificate` part.
    pub fn crypto(&self) -> &rpoco_crypto::X509Certificate {
        &self.cert
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject's distinguished name as POCO prints it: `C=CH,O=Org,CN=Name` (attributes
    /// in certificate order, RFC 2253 escaping, no space after commas).
    pub fn subject_name(&self) -> &str {
        self.cert.subject_name()
    }

    /// The issuer's distinguished name, formatted like [`subject_name`](Self::subject_name).
    pub fn issuer_name(&self) -> &str {
        self.cert.issuer_name()
    }

    /// The subject's common name (CN), or `""` if it has none.
    pub fn common_name(&self) -> &str {
        self.cert.common_name()
    }

    /// The DNS names in the subject alternative name extension.
    pub fn dns_names(&self) -> &[String] {
        self.cert.dns_names()
    }

    /// The IP addresses in the subject alternative name extension.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        self.cert.ip_addresses()
    }

    /// POCO's `extractNames`: the common name and the set of DNS names (the DNS SANs, or the
    /// common name if there are none). Note that host verification does **not** fall back to
    /// the common name; see [`verify_hostname`](Self::verify_hostname).
    pub fn extract_names(&self) -> (String, BTreeSet<String>) {
        self.cert.extract_names()
    }

    /// Start of the validity period (`notBefore`).
    pub fn valid_from(&self) -> SystemTime {
        self.cert.valid_from()
    }

    /// End of the validity period (`notAfter`).
    pub fn expires_on(&self) -> SystemTime {
        self.cert.expires_on()
    }

    /// The serial number as uppercase hex without leading zero bytes, as OpenSSL's
    /// `BN_bn2hex` prints it (POCO's `serialNumber()`).
    pub fn serial_number(&self) -> &str {
        self.cert.serial_number()
    }

    /// SHA-256 over the DER encoding: the certificate fingerprint.
    pub fn fingerprint_sha256(&self) -> [u8; 32] {
        let d = self.cert.fingerprint(rpoco_crypto::DigestAlgorithm::Sha256);
        let mut out = [0u8; 32];
        out.copy_from_slice(&d);
        out
    }

    /// SHA-256 over the DER SubjectPublicKeyInfo: the value to pin with
    /// [`Context::add_spki_pin`](crate::Context::add_spki_pin) (as in HPKP, `pin-sha256`).
    pub fn spki_sha256(&self) -> [u8; 32] {
        self.cert.spki_sha256()
    }

    /// Checks that the certificate is valid for `host`, a DNS name or an IP address (IPv6
    /// with or without brackets): POCO NetSSL's `verify(host)`.
    ///
    /// Names are matched against the subject alternative names only, with wildcards only as
    /// a whole leftmost label (RFC 6125, as webpki does). Unlike OpenSSL, the common name is
    /// not consulted and partial wildcards (`w*.example.com`) never match.
    pub fn verify_hostname(&self, host: &str) -> Result<()> {
        let name = server_name(host)?;
        let ee = webpki::EndEntityCert::try_from(&self.der).map_err(|e| {
            Error::new(
                ErrorKind::InvalidCertificate,
                format!("certificate cannot be used for verification: {e}"),
            )
        })?;
        ee.verify_is_valid_for_subject_name(&name).map_err(|_| {
            let mut failure = VerificationFailure::new(CertificateCheck::Hostname, self.names_for_message());
            failure.subject = self.subject_name().to_owned();
            failure.host = Some(host.to_string());
            if name_is_ip(&name) {
                failure.code = 64;
                failure.message = "IP address mismatch".into();
            }
            Error::from(failure)
        })
    }

    /// "certificate is valid for a, b" (or "has no subject alternative names"): for messages.
    pub(crate) fn names_for_message(&self) -> String {
        let names: Vec<String> = self
            .dns_names()
            .iter()
            .cloned()
            .chain(self.ip_addresses().iter().map(IpAddr::to_string))
            .collect();
        if names.is_empty() {
            format!("certificate has no subject alternative names (CN={} is not used)", self.common_name())
        } else {
            format!("certificate is valid for {}", names.join(", "))
        }
    }

    /// The certificate as PEM text (64-character lines, LF line ends).
    pub fn to_pem(&self) -> String {
        self.cert.to_pem()
    }

    /// Writes the certificate as PEM: POCO's `save(std::ostream&)`.
    pub fn write_pem(&self, out: &mut impl Write) -> Result<()> {
        out.write_all(self.to_pem().as_bytes()).map_err(Error::io)
    }

    /// Writes the certificate as a PEM file: POCO's `save(const std::string& path)`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        std::fs::write(path, self.to_pem()).map_err(Error::io)
    }

    pub(crate) fn der_owned(&self) -> CertificateDer<'static> {
        self.der.clone()
    }
}

impl From<rpoco_crypto::X509Certificate> for X509Certificate {
    fn from(cert: rpoco_crypto::X509Certificate) -> Self {
        let der = CertificateDer::from(cert.der().to_vec());
        X509Certificate { cert, der }
    }
}

impl From<X509Certificate> for rpoco_crypto::X509Certificate {
    fn from(cert: X509Certificate) -> Self {
        cert.cert
    }
}

impl fmt::Debug for X509Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.cert, f)
    }
}

/// A host as rustls/webpki want it; IPv6 may come bracketed from a URI.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    ServerName::try_from(bare.to_string()).map_err(|_| {
        Error::new(ErrorKind::InvalidArgument, format!("not a valid host name or IP address: {host:?}"))
    })
}

pub(crate) fn name_is_ip(name: &ServerName<'_>) -> bool {
    matches!(name, ServerName::IpAddress(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dev_certificates() {
        let certs = rpoco_testcerts::DevCerts::generate().unwrap();
        let server = X509Certificate::from_pem(certs.server.cert_pem.as_bytes()).unwrap();
        assert_eq!(server.subject_name(), "C=CH,O=rpoco,CN=localhost");
        assert_eq!(server.issuer_name(), "C=CH,O=rpoco,CN=rpoco dev CA");
        assert_eq!(server.dns_names(), ["localhost"]);
        assert_eq!(server.ip_addresses(), ["127.0.0.1".parse::<IpAddr>().unwrap(), "::1".parse().unwrap()]);
        assert!(server.valid_from() < SystemTime::now() && SystemTime::now() < server.expires_on());
        assert!(server.serial_number().chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        assert_eq!(X509Certificate::from_der(server.der().to_vec()).unwrap(), server);
        assert_eq!(X509Certificate::from_pem(server.to_pem().as_bytes()).unwrap(), server);
        let (cn, names) = server.extract_names();
        assert_eq!((cn.as_str(), names.len()), ("localhost", 1));

        let cn_only = certs.scenario("cn-only").unwrap();
        let cn_only = X509Certificate::from_pem(cn_only.cert_pem.as_bytes()).unwrap();
        assert_eq!(cn_only.extract_names().1.into_iter().collect::<Vec<_>>(), ["localhost"]);
        let err = cn_only.verify_hostname("localhost").unwrap_err();
        assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::Hostname);
        assert!(err.to_string().contains("no subject alternative names"), "{err}");
    }

    #[test]
    fn hostname_checks() {
        let certs = rpoco_testcerts::DevCerts::generate().unwrap();
        let server = X509Certificate::from_pem(certs.server.cert_pem.as_bytes()).unwrap();
        for ok in ["localhost", "LOCALHOST", "127.0.0.1", "::1", "[::1]"] {
            server.verify_hostname(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        let err = server.verify_hostname("127.0.0.2").unwrap_err();
        assert_eq!(err.verification_failure().unwrap().code, 64);
        let err = server.verify_hostname("example.com").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Certificate validation error: Unacceptable certificate from example.com: hostname mismatch: \
             certificate is valid for localhost, 127.0.0.1, ::1"
        );
        assert!(matches!(
            server.verify_hostname("not a host").map_err(|e| e.kind()),
            Err(ErrorKind::InvalidArgument)
        ));
    }

    #[test]
    fn garbage_is_an_invalid_certificate() {
        assert!(matches!(
            X509Certificate::from_der(vec![0x30, 0x03, 1, 2, 3]),
            Err(e) if e.kind() == ErrorKind::InvalidCertificate
        ));
        assert!(matches!(
            X509Certificate::from_pem(b"hello").map_err(|e| e.kind()),
            Err(ErrorKind::InvalidCertificate)
        ));
        let certs = rpoco_testcerts::DevCerts::generate().unwrap();
        let ca = X509Certificate::from_pem(certs.ca.cert_pem.as_bytes()).unwrap();
        let server = X509Certificate::from_pem(certs.server.cert_pem.as_bytes()).unwrap();
        assert!(server.crypto().issued_by(ca.crypto()));
        assert_eq!(X509Certificate::from(server.crypto().clone()), server);
    }
}
