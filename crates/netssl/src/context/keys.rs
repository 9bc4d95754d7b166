//! Loading private keys, certificates and trust anchors from PEM (via rustls-pki-types'
//! `PemObject`) with errors that say which file and what was wrong.

use std::fmt;
use std::path::Path;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, TrustAnchor};

use crate::error::{Error, Result};

/// A private key (RSA as PKCS#1, any as PKCS#8, EC as SEC1), unencrypted: what POCO's
/// `Context::usePrivateKey` takes. `Debug` never shows the key.
///
/// ```
/// # let pem = rpoco_testcerts::DevCerts::generate().unwrap().server.key_pem;
/// let key = rpoco_netssl::PrivateKey::from_pem(pem.as_bytes())?;
/// assert!(format!("{key:?}").contains("PKCS#8"));
/// # Ok::<(), rpoco_netssl::Error>(())
/// ```
pub struct PrivateKey(pub(crate) PrivateKeyDer<'static>);

impl PrivateKey {
    /// Reads the first private key in PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        key_from_pem(pem, "PEM data")
    }

    /// Reads the first private key in a PEM file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        key_from_pem(&read(path, "private key")?, &path.display().to_string())
    }

    /// A DER-encoded key; the format (PKCS#1, PKCS#8, SEC1) is recognized from its structure.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<Self> {
        PrivateKeyDer::try_from(der.into())
            .map(PrivateKey)
            .map_err(|e| Error::context(format!("not a DER private key: {e}")))
    }

    fn format(&self) -> &'static str {
        match self.0 {
            PrivateKeyDer::Pkcs1(_) => "PKCS#1",
            PrivateKeyDer::Sec1(_) => "SEC1",
            PrivateKeyDer::Pkcs8(_) => "PKCS#8",
            _ => "unknown format",
        }
    }
}

impl Clone for PrivateKey {
    fn clone(&self) -> Self {
        PrivateKey(self.0.clone_key())
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({})", self.format())
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| Error::context(format!("cannot read {what} file {}: {e}", path.display())))
}

fn key_from_pem(pem: &[u8], source: &str) -> Result<PrivateKey> {
    let text = String::from_utf8_lossy(pem);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(Error::context(format!(
            "the private key in {source} is encrypted; passphrase-protected keys are not supported \
             (decrypt it first, e.g. `openssl pkey -in key.pem -out plain.pem`)"
        )));
    }
    match PrivateKeyDer::from_pem_slice(pem) {
        Ok(key) => Ok(PrivateKey(key)),
        Err(pem::Error::NoItemsFound) => Err(Error::context(format!(
            "no private key found in {source} (expected a PEM block BEGIN PRIVATE KEY, \
             BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)"
        ))),
        Err(e) => Err(Error::context(format!("cannot parse the private key in {source}: {e}"))),
    }
}

/// Every certificate in a PEM file, in order.
pub(crate) fn certs_from_pem_file(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let bytes = read(path, what)?;
    let certs = certs_from_pem(&bytes, &path.display().to_string())?;
    if certs.is_empty() {
        return Err(Error::context(format!("no PEM certificate found in {what} file {}", path.display())));
    }
    Ok(certs)
}

fn certs_from_pem(bytes: &[u8], source: &str) -> Result<Vec<CertificateDer<'static>>> {
    CertificateDer::pem_slice_iter(bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::context(format!("cannot parse the certificates in {source}: {e}")))
}

/// A trust anchor from a CA certificate.
pub(crate) fn anchor(cert: &CertificateDer<'_>, source: &str) -> Result<TrustAnchor<'static>> {
    webpki::anchor_from_trusted_cert(cert)
        .map(|anchor| anchor.to_owned())
        .map_err(|e| Error::context(format!("unusable CA certificate in {source}: {e}")))
}

/// The CA certificates at `location`: a PEM file, or a directory whose files are read (files
/// without certificates, such as OpenSSL's hash links to the same file or CRLs, are skipped).
pub(crate) fn ca_certs(location: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let meta = std::fs::metadata(location)
        .map_err(|e| Error::context(format!("cannot use CA location {}: {e}", location.display())))?;
    if !meta.is_dir() {
        return certs_from_pem_file(location, "CA");
    }
    let mut entries: Vec<_> = std::fs::read_dir(location)
        .map_err(|e| Error::context(format!("cannot list CA directory {}: {e}", location.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    let mut certs: Vec<CertificateDer<'static>> = Vec::new();
    for path in entries {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        // A directory such as /etc/ssl/certs holds other files too; only PEM certificates count.
        for cert in CertificateDer::pem_slice_iter(&bytes).map_while(|c| c.ok()) {
            if !certs.contains(&cert) {
                certs.push(cert);
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::context(format!(
            "CA directory {} contains no PEM certificate",
            location.display()
        )));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_and_missing_keys_are_clear_errors() {
        let encrypted = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let err = PrivateKey::from_pem(encrypted).unwrap_err();
        assert!(err.to_string().contains("is encrypted"), "{err}");
        let legacy = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(PrivateKey::from_pem(legacy).unwrap_err().to_string().contains("is encrypted"));
        let err = PrivateKey::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .unwrap_err();
        assert!(err.to_string().contains("no private key found"), "{err}");
    }

    #[test]
    fn ca_directory_skips_other_files() {
        let certs = rpoco_testcerts::DevCerts::generate().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), &certs.ca.cert_pem).unwrap();
        std::fs::write(dir.path().join("other.pem"), &certs.unknown_ca.cert_pem).unwrap();
        std::fs::write(dir.path().join("README"), "not a certificate").unwrap();
        assert_eq!(ca_certs(dir.path()).unwrap().len(), 2);
        let empty = tempfile::tempdir().unwrap();
        assert!(ca_certs(empty.path()).unwrap_err().to_string().contains("contains no PEM certificate"));
        assert!(
            ca_certs(&dir.path().join("missing")).unwrap_err().to_string().contains("cannot use CA location")
        );
    }
}
