//! [`X509Certificate`]: POCO's `X509Certificate` (Crypto + NetSSL) over `x509-parser`.
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
//! # Ok::<(), rpoco_netssl::Error>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use sha2::{Digest, Sha256};
use x509_parser::asn1_rs::Tag;
use x509_parser::extensions::GeneralName;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use crate::error::{CertificateCheck, Error, ErrorKind, Result, VerificationFailure};

/// An X.509 certificate: POCO's `Poco::Net::X509Certificate` (which extends
/// `Poco::Crypto::X509Certificate`).
///
/// The certificate is parsed once, when it is created; the accessors return owned data.
/// Two certificates are equal when their DER encodings are (POCO's `equals`).
#[derive(Clone)]
pub struct X509Certificate {
    der: CertificateDer<'static>,
    subject: String,
    issuer: String,
    common_name: String,
    dns_names: Vec<String>,
    ip_addresses: Vec<IpAddr>,
    valid_from: SystemTime,
    expires_on: SystemTime,
    serial: String,
    spki_der: Vec<u8>,
}

impl X509Certificate {
    /// Parses a DER-encoded certificate.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<Self> {
        Self::parse(CertificateDer::from(der.into()))
    }

    /// Parses the first certificate in PEM text (POCO's `X509Certificate(std::istream&)`).
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        let der = CertificateDer::from_pem_slice(pem).map_err(|e| {
            Error::new(ErrorKind::InvalidCertificate, format!("no PEM certificate found: {e}"))
        })?;
        Self::parse(der)
    }

    /// Parses every certificate in PEM text, in order.
    pub fn all_from_pem(pem: &[u8]) -> Result<Vec<Self>> {
        let mut certs = Vec::new();
        for der in CertificateDer::pem_slice_iter(pem) {
            let der = der.map_err(|e| {
                Error::new(ErrorKind::InvalidCertificate, format!("bad PEM certificate: {e}"))
            })?;
            certs.push(Self::parse(der)?);
        }
        Ok(certs)
    }

    /// Reads a certificate file, PEM (the first certificate) or DER (POCO's
    /// `X509Certificate(const std::string& path)`, which reads PEM only).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorKind::InvalidCertificate,
                format!("cannot read certificate file {}: {e}", path.display()),
            )
        })?;
        let parsed = if bytes.starts_with(&[0x30]) { Self::from_der(bytes) } else { Self::from_pem(&bytes) };
        parsed.map_err(|e| match e {
            e if e.kind() == ErrorKind::InvalidCertificate => {
                Error::new(ErrorKind::InvalidCertificate, format!("{} (in {})", e.message(), path.display()))
            }
            other => other,
        })
    }

    pub(crate) fn parse(der: CertificateDer<'static>) -> Result<Self> {
        let (rest, cert) = x509_parser::parse_x509_certificate(&der).map_err(|e| {
            Error::new(ErrorKind::InvalidCertificate, format!("malformed X.509 certificate: {e}"))
        })?;
        if !rest.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidCertificate,
                format!("malformed X.509 certificate: {} bytes of trailing data", rest.len()),
            ));
        }
        let mut dns_names = Vec::new();
        let mut ip_addresses = Vec::new();
        let san = cert.subject_alternative_name().map_err(|e| {
            Error::new(ErrorKind::InvalidCertificate, format!("malformed subjectAltName: {e}"))
        })?;
        for name in san.iter().flat_map(|ext| ext.value.general_names.iter()) {
            match name {
                GeneralName::DNSName(dns) => dns_names.push(dns.to_string()),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_from_bytes(bytes) {
                        ip_addresses.push(ip);
                    }
                }
                _ => {}
            }
        }
        let common_name = cert.subject().iter_common_name().next().map(attribute_text).unwrap_or_default();
        let serial = serial_hex(cert.raw_serial());
        let parsed = X509Certificate {
            subject: format_name(cert.subject()),
            issuer: format_name(cert.issuer()),
            common_name,
            dns_names,
            ip_addresses,
            valid_from: system_time(cert.validity().not_before.timestamp()),
            expires_on: system_time(cert.validity().not_after.timestamp()),
            serial,
            spki_der: cert.public_key().raw.to_vec(),
            der: CertificateDer::from(Vec::new()),
        };
        Ok(X509Certificate { der, ..parsed })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject's distinguished name as POCO prints it: `C=CH,O=Org,CN=Name` (attributes
    /// in certificate order, RFC 2253 escaping, no space after commas).
    pub fn subject_name(&self) -> &str {
        &self.subject
    }

    /// The issuer's distinguished name, formatted like [`subject_name`](Self::subject_name).
    pub fn issuer_name(&self) -> &str {
        &self.issuer
    }

    /// The subject's common name (CN), or `""` if it has none.
    pub fn common_name(&self) -> &str {
        &self.common_name
    }

    /// The DNS names in the subject alternative name extension.
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// The IP addresses in the subject alternative name extension.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        &self.ip_addresses
    }

    /// POCO's `extractNames`: the common name and the set of DNS names (the DNS SANs, or the
    /// common name if there are none). Note that host verification does **not** fall back to
    /// the common name; see [`verify_hostname`](Self::verify_hostname).
    pub fn extract_names(&self) -> (String, BTreeSet<String>) {
        let mut names: BTreeSet<String> = self.dns_names.iter().cloned().collect();
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

    /// The serial number as uppercase hex without leading zero bytes, as OpenSSL's
    /// `BN_bn2hex` prints it (POCO's `serialNumber()`).
    pub fn serial_number(&self) -> &str {
        &self.serial
    }

    /// SHA-256 over the DER encoding: the certificate fingerprint.
    pub fn fingerprint_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.der).into()
    }

    /// SHA-256 over the DER SubjectPublicKeyInfo: the value to pin with
    /// [`Context::add_spki_pin`](crate::Context::add_spki_pin) (as in HPKP, `pin-sha256`).
    pub fn spki_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.spki_der).into()
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
            failure.subject = self.subject.clone();
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
        let names: Vec<String> =
            self.dns_names.iter().cloned().chain(self.ip_addresses.iter().map(IpAddr::to_string)).collect();
        if names.is_empty() {
            format!("certificate has no subject alternative names (CN={} is not used)", self.common_name)
        } else {
            format!("certificate is valid for {}", names.join(", "))
        }
    }

    /// The certificate as PEM text (64-character lines, LF line ends).
    pub fn to_pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
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

pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 =
        rpoco_foundation::base64::encode_with(der, rpoco_foundation::base64::Base64Options::no_line_breaks());
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// OpenSSL short names for the attribute types that appear in practice.
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => return None,
    })
}

/// `X509_NAME_print_ex` with `XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV`: certificate order, `,`
/// between RDNs, `+` inside multi-valued RDNs, unknown types as dotted OID with `#`-hex DER.
fn format_name(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    for (i, rdn) in name.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = attr.attr_type().to_id_string();
            match (short_name(&oid), decode_string(attr)) {
                (Some(short), Some(text)) => {
                    out.push_str(short);
                    out.push('=');
                    out.push_str(&escape_rfc2253(&text));
                }
                (short, _) => {
                    out.push_str(short.unwrap_or(&oid));
                    out.push_str("=#");
                    out.push_str(&der_hex(attr));
                }
            }
        }
    }
    out
}

fn attribute_text(attr: &AttributeTypeAndValue<'_>) -> String {
    decode_string(attr).unwrap_or_default()
}

/// The attribute's string value, whatever ASN.1 string type carries it.
fn decode_string(attr: &AttributeTypeAndValue<'_>) -> Option<String> {
    let data = attr.as_slice();
    match attr.attr_value().tag() {
        Tag::NumericString | Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8(data.to_vec()).ok()
        }
        // TeletexString is treated as Latin-1, as OpenSSL does.
        Tag::T61String => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = data.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => data
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

fn der_hex(attr: &AttributeTypeAndValue<'_>) -> String {
    let data = attr.as_slice();
    let mut der = vec![u8::try_from(attr.attr_value().tag().0).unwrap_or(0x04)];
    if data.len() < 0x80 {
        der.push(data.len() as u8);
    } else {
        let len = data.len().to_be_bytes();
        let skip = len.iter().take_while(|&&b| b == 0).count();
        der.push(0x80 | (len.len() - skip) as u8);
        der.extend_from_slice(&len[skip..]);
    }
    der.extend_from_slice(data);
    der.iter().map(|b| format!("{b:02X}")).collect()
}

/// RFC 2253 escaping as OpenSSL's `ASN1_STRFLGS_RFC2253` does it: specials and a leading
/// `#`/space or trailing space get a backslash; control bytes and (UTF-8) bytes >= 0x80 are
/// written as `\XX`.
fn escape_rfc2253(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let first = i == 0;
        let last = i + 1 == bytes.len();
        match b {
            b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b'#' if first => out.push_str("\\#"),
            b' ' if first || last => out.push_str("\\ "),
            0..=0x1F | 0x7F..=0xFF => out.push_str(&format!("\\{b:02X}")),
            _ => out.push(char::from(b)),
        }
    }
    out
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
    fn rfc2253_escaping() {
        assert_eq!(escape_rfc2253("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape_rfc2253("#x "), "\\#x\\ ");
        assert_eq!(escape_rfc2253(" lead"), "\\ lead");
        assert_eq!(escape_rfc2253("Zürich"), "Z\\C3\\BCrich");
        assert_eq!(escape_rfc2253("a\nb"), "a\\0Ab");
    }

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
    }
}
