//! [`X509Certificate`]: POCO's `Crypto::X509Certificate` over `x509-parser`.
//!
//! The certificate is parsed once, when it is made; accessors return what was read. The
//! signature check ([`X509Certificate::issued_by`]) goes through this crate's own signature
//! code (the same backends as [`sign`]), so it works on every backend.
//!
//! ```
//! use rpoco_crypto::{DigestAlgorithm, X509Certificate};
//! # let pem = include_str!("../../tests/data/certs/ca.pem");
//! let ca = X509Certificate::from_pem(pem.as_bytes())?;
//! assert!(ca.issued_by(&ca)); // self-signed
//! assert_eq!(ca.fingerprint(DigestAlgorithm::Sha256).len(), 32);
//! println!("{} (serial {}), valid until {:?}", ca.subject_name(), ca.serial_number(), ca.expires_on());
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

mod names;

use std::fmt;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use x509_parser::extensions::GeneralName;
use x509_parser::x509::X509Name;

use crate::digest::{DigestAlgorithm, DigestEngine};
use crate::error::{Error, Result};
use crate::pkey::{EvpPKey, pem};
use crate::sign::{self, SignatureScheme};

/// The most certificates read from one PEM input.
pub const MAX_CHAIN: usize = 256;

/// A field of a distinguished name (POCO's `X509Certificate::NID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameField {
    /// `CN` (`NID_COMMON_NAME`).
    CommonName,
    /// `C` (`NID_COUNTRY`).
    Country,
    /// `L` (`NID_LOCALITY_NAME`).
    LocalityName,
    /// `ST` (`NID_STATE_OR_PROVINCE`).
    StateOrProvince,
    /// `O` (`NID_ORGANIZATION_NAME`).
    OrganizationName,
    /// `OU` (`NID_ORGANIZATION_UNIT_NAME`).
    OrganizationUnitName,
    /// `emailAddress` (`NID_PKCS9_EMAIL_ADDRESS`).
    Pkcs9EmailAddress,
    /// `serialNumber` (`NID_SERIAL_NUMBER`).
    SerialNumber,
}

impl NameField {
    fn oid(self) -> &'static str {
        match self {
            NameField::CommonName => "2.5.4.3",
            NameField::Country => "2.5.4.6",
            NameField::LocalityName => "2.5.4.7",
            NameField::StateOrProvince => "2.5.4.8",
            NameField::OrganizationName => "2.5.4.10",
            NameField::OrganizationUnitName => "2.5.4.11",
            NameField::Pkcs9EmailAddress => "1.2.840.113549.1.9.1",
            NameField::SerialNumber => "2.5.4.5",
        }
    }
}

/// One attribute of a distinguished name: OpenSSL's short name (or the dotted OID) and value.
pub type NameEntry = (String, String);

/// An X.509 certificate: POCO's `Poco::Crypto::X509Certificate`.
///
/// Two certificates are equal when their DER encodings are (POCO's `equals`).
#[derive(Clone)]
pub struct X509Certificate {
    der: Vec<u8>,
    subject: String,
    issuer: String,
    subject_entries: Vec<NameEntry>,
    issuer_entries: Vec<NameEntry>,
    common_name: String,
    dns_names: Vec<String>,
    ip_addresses: Vec<IpAddr>,
    valid_from: SystemTime,
    expires_on: SystemTime,
    serial: String,
    version: u32,
    signature_algorithm: String,
    spki_der: Vec<u8>,
    tbs_range: (usize, usize),
    signature: Vec<u8>,
}

impl X509Certificate {
    /// Parses a DER certificate (the whole input; trailing bytes are an error).
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<Self> {
        parse(der.into())
    }

    /// Parses the first certificate in PEM text (POCO's `X509Certificate(std::istream&)`).
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        Self::all_from_pem(pem)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::format("no PEM certificate found (expected BEGIN CERTIFICATE)"))
    }

    /// Every certificate in PEM text, in order (POCO's `readPEM`); other blocks are skipped.
    pub fn all_from_pem(pem_text: &[u8]) -> Result<Vec<Self>> {
        let mut out = Vec::new();
        for block in pem::blocks(pem_text)? {
            if block.label == "CERTIFICATE"
                || block.label == "X509 CERTIFICATE"
                || block.label == "TRUSTED CERTIFICATE"
            {
                if out.len() == MAX_CHAIN {
                    return Err(Error::invalid(format!("more than {MAX_CHAIN} certificates")));
                }
                out.push(parse(block.der.to_vec())?);
            }
        }
        Ok(out)
    }

    /// Reads a certificate file, PEM (the first certificate) or DER.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let bytes = crate::pkey::read_limited(path.as_ref(), "certificate")?;
        if bytes.first() == Some(&0x30) { Self::from_der(bytes) } else { Self::from_pem(&bytes) }
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject as POCO prints it: `C=CH,O=Org,CN=Name` (certificate order, RFC 2253
    /// escaping, no space after commas).
    pub fn subject_name(&self) -> &str {
        &self.subject
    }

    /// The issuer, formatted like [`subject_name`](Self::subject_name).
    pub fn issuer_name(&self) -> &str {
        &self.issuer
    }

    /// The first value of `field` in the subject (POCO's `subjectName(NID)`), or `""`.
    pub fn subject_field(&self, field: NameField) -> &str {
        find(&self.subject_entries, field)
    }

    /// The first value of `field` in the issuer (POCO's `issuerName(NID)`), or `""`.
    pub fn issuer_field(&self, field: NameField) -> &str {
        find(&self.issuer_entries, field)
    }

    /// Every subject attribute in order, as (short name or OID, value).
    pub fn subject_entries(&self) -> &[NameEntry] {
        &self.subject_entries
    }

    /// Every issuer attribute in order.
    pub fn issuer_entries(&self) -> &[NameEntry] {
        &self.issuer_entries
    }

    /// The subject's common name, or `""` (POCO's `commonName()`).
    pub fn common_name(&self) -> &str {
        &self.common_name
    }

    /// The DNS names of the subject alternative name extension.
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// The IP addresses of the subject alternative name extension.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        &self.ip_addresses
    }

    /// POCO's `extractNames`: the common name and the DNS names (the DNS SANs, or the common
    /// name when there are none).
    pub fn extract_names(&self) -> (String, std::collections::BTreeSet<String>) {
        let mut names: std::collections::BTreeSet<String> = self.dns_names.iter().cloned().collect();
        if names.is_empty() && !self.common_name.is_empty() {
            names.insert(self.common_name.clone());
        }
        (self.common_name.clone(), names)
    }

    /// Start of the validity period (`notBefore`).
    pub fn valid_from(&self) -> SystemTime {
        self.valid_from
    }

    /// End of the validity period (`notAfter`).
    pub fn expires_on(&self) -> SystemTime {
        self.expires_on
    }

    /// `true` if `at` lies within the validity period.
    pub fn is_valid_at(&self, at: SystemTime) -> bool {
        self.valid_from <= at && at <= self.expires_on
    }

    /// The serial number as uppercase hex without leading zero bytes (OpenSSL's `BN_bn2hex`,
    /// POCO's `serialNumber()`).
    pub fn serial_number(&self) -> &str {
        &self.serial
    }

    /// The version as written in certificates' text form: 1, 2 or 3 (POCO's `version()`).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The signature algorithm as a dotted OID (`1.2.840.113549.1.1.11`).
    pub fn signature_algorithm_oid(&self) -> &str {
        &self.signature_algorithm
    }

    /// The signature algorithm as OpenSSL's long name (`sha256WithRSAEncryption`,
    /// `ecdsa-with-SHA256`, `ED25519`), or the OID when unknown (POCO's `signatureAlgorithm()`).
    pub fn signature_algorithm(&self) -> &str {
        signature_name(&self.signature_algorithm).unwrap_or(&self.signature_algorithm)
    }

    /// The digest of the DER encoding: the fingerprint (POCO's `fingerprint(algorithm)`).
    pub fn fingerprint(&self, algorithm: DigestAlgorithm) -> Vec<u8> {
        DigestEngine::hash(algorithm, &self.der)
    }

    /// SHA-256 over the DER SubjectPublicKeyInfo (an HPKP-style `pin-sha256`).
    pub fn spki_sha256(&self) -> [u8; 32] {
        let d = DigestEngine::hash(DigestAlgorithm::Sha256, &self.spki_der);
        let mut out = [0u8; 32];
        out.copy_from_slice(&d);
        out
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The public key (POCO's `publicKey()`); an error for key types this crate lacks.
    pub fn public_key(&self) -> Result<EvpPKey> {
        EvpPKey::from_der(&self.spki_der, None)
    }

    /// Checks that `issuer`'s key made this certificate's signature and that the issuer name
    /// is `issuer`'s subject. The error says which check failed.
    pub fn verify_signature(&self, issuer: &X509Certificate) -> Result<()> {
        if self.issuer != issuer.subject {
            return Err(Error::SignatureInvalid(format!(
                "certificate issuer {:?} is not the subject {:?} of the presumed issuer",
                self.issuer, issuer.subject
            )));
        }
        let scheme = scheme_for(&self.signature_algorithm)?;
        let key = issuer.public_key()?;
        let tbs = &self.der[self.tbs_range.0..self.tbs_range.1];
        if sign::verify_message(&key, scheme, tbs, &self.signature) {
            Ok(())
        } else {
            Err(Error::SignatureInvalid(format!(
                "the {scheme} signature of {:?} does not verify with the key of {:?}",
                self.subject, issuer.subject
            )))
        }
    }

    /// `true` if [`verify_signature`](Self::verify_signature) passes (POCO's `issuedBy`).
    pub fn issued_by(&self, issuer: &X509Certificate) -> bool {
        self.verify_signature(issuer).is_ok()
    }

    /// `true` if subject and issuer are the same and the certificate verifies with its own key.
    pub fn is_self_signed(&self) -> bool {
        self.issued_by(self)
    }

    /// The certificate as PEM (64-character lines, LF line ends).
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.der)
    }

    /// Writes the certificate as PEM (POCO's `save(std::ostream&)`).
    pub fn write_pem(&self, out: &mut impl std::io::Write) -> Result<()> {
        out.write_all(self.to_pem().as_bytes())?;
        Ok(())
    }

    /// Writes a PEM file (POCO's `save(path)`).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        std::fs::write(path, self.to_pem())?;
        Ok(())
    }

    /// Writes several certificates as one PEM chain (POCO's `writePEM(stream, list)`).
    pub fn chain_to_pem(chain: &[X509Certificate]) -> String {
        chain.iter().map(X509Certificate::to_pem).collect()
    }
}

fn find(entries: &[NameEntry], field: NameField) -> &str {
    let short = names::short_name(field.oid()).unwrap_or(field.oid());
    entries.iter().find(|(n, _)| n == short).map_or("", |(_, v)| v.as_str())
}

impl PartialEq for X509Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for X509Certificate {}

impl fmt::Debug for X509Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X509Certificate")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("serial", &self.serial)
            .field("dns_names", &self.dns_names)
            .field("ip_addresses", &self.ip_addresses)
            .finish()
    }
}

fn parse(der: Vec<u8>) -> Result<X509Certificate> {
    let bad = |m: String| Error::format(format!("malformed X.509 certificate: {m}"));
    let (rest, cert) = x509_parser::parse_x509_certificate(&der).map_err(|e| bad(e.to_string()))?;
    if !rest.is_empty() {
        return Err(bad(format!("{} bytes of trailing data", rest.len())));
    }
    let mut dns_names = Vec::new();
    let mut ip_addresses = Vec::new();
    let san = cert.subject_alternative_name().map_err(|e| bad(format!("subjectAltName: {e}")))?;
    for name in san.iter().flat_map(|ext| ext.value.general_names.iter()) {
        match name {
            GeneralName::DNSName(dns) => dns_names.push(dns.to_string()),
            GeneralName::IPAddress(bytes) => ip_addresses.extend(ip_from_bytes(bytes)),
            _ => {}
        }
    }
    let common_name = cert.subject().iter_common_name().next().map(names::attribute_text).unwrap_or_default();
    let tbs: &[u8] = cert.tbs_certificate.as_ref();
    let start = tbs.as_ptr() as usize - der.as_ptr() as usize;
    let parsed = X509Certificate {
        subject: names::format_name(cert.subject()),
        issuer: names::format_name(cert.issuer()),
        subject_entries: entries(cert.subject()),
        issuer_entries: entries(cert.issuer()),
        common_name,
        dns_names,
        ip_addresses,
        valid_from: system_time(cert.validity().not_before.timestamp()),
        expires_on: system_time(cert.validity().not_after.timestamp()),
        serial: serial_hex(cert.raw_serial()),
        version: cert.version().0 + 1,
        signature_algorithm: cert.signature_algorithm.algorithm.to_id_string(),
        spki_der: cert.public_key().raw.to_vec(),
        tbs_range: (start, start + tbs.len()),
        signature: cert.signature_value.data.to_vec(),
        der: Vec::new(),
    };
    Ok(X509Certificate { der, ..parsed })
}

fn entries(name: &X509Name<'_>) -> Vec<NameEntry> {
    name.iter_attributes()
        .map(|attr| {
            let oid = attr.attr_type().to_id_string();
            let key = names::short_name(&oid).map(str::to_owned).unwrap_or(oid);
            (key, names::attribute_text(attr))
        })
        .collect()
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

fn system_time(unix: i64) -> SystemTime {
    if unix >= 0 {
        UNIX_EPOCH + Duration::from_secs(unix.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(unix.unsigned_abs())
    }
}

fn serial_hex(raw: &[u8]) -> String {
    let trimmed: &[u8] = match raw.iter().position(|&b| b != 0) {
        Some(first) => &raw[first..],
        None => return "0".into(),
    };
    trimmed.iter().map(|b| format!("{b:02X}")).collect()
}

fn signature_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        _ => return None,
    })
}

fn scheme_for(oid: &str) -> Result<SignatureScheme> {
    use DigestAlgorithm as D;
    Ok(match oid {
        "1.2.840.113549.1.1.5" => SignatureScheme::RsaPkcs1(D::Sha1),
        "1.2.840.113549.1.1.14" => SignatureScheme::RsaPkcs1(D::Sha224),
        "1.2.840.113549.1.1.11" => SignatureScheme::RsaPkcs1(D::Sha256),
        "1.2.840.113549.1.1.12" => SignatureScheme::RsaPkcs1(D::Sha384),
        "1.2.840.113549.1.1.13" => SignatureScheme::RsaPkcs1(D::Sha512),
        "1.2.840.10045.4.1" => SignatureScheme::Ecdsa(D::Sha1),
        "1.2.840.10045.4.3.1" => SignatureScheme::Ecdsa(D::Sha224),
        "1.2.840.10045.4.3.2" => SignatureScheme::Ecdsa(D::Sha256),
        "1.2.840.10045.4.3.3" => SignatureScheme::Ecdsa(D::Sha384),
        "1.2.840.10045.4.3.4" => SignatureScheme::Ecdsa(D::Sha512),
        "1.3.101.112" => SignatureScheme::Ed25519,
        other => {
            return Err(Error::unsupported(format!(
                "certificate signature algorithm {} is not supported",
                signature_name(other).unwrap_or(other)
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_is_uppercase_hex_without_leading_zero_bytes() {
        assert_eq!(serial_hex(&[0x00, 0x8F, 0x0a]), "8F0A");
        assert_eq!(serial_hex(&[0x01]), "01");
        assert_eq!(serial_hex(&[0x00]), "0");
    }

    #[test]
    fn garbage_is_a_format_error() {
        assert!(matches!(X509Certificate::from_der(vec![0x30, 0x03, 1, 2, 3]), Err(Error::Format(_))));
        assert!(matches!(X509Certificate::from_pem(b"hello"), Err(Error::Format(_))));
    }
}
