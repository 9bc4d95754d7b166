//! Loading private keys (plain, or encrypted and opened with a passphrase through
//! rpoco-crypto), PKCS #12 files, certificates and trust anchors from PEM (via
//! rustls-pki-types' `PemObject`) with errors that say which file and what was wrong.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, TrustAnchor};

use super::passphrase::PrivateKeyPassphraseHandler;
use super::{Context, Params, Usage};
use crate::error::{Error, ErrorKind, Result};
use crate::x509::X509Certificate;

/// A private key (RSA as PKCS#1, any as PKCS#8, EC as SEC1): what POCO's
/// `Context::usePrivateKey` takes. Encrypted keys (PKCS #8 `ENCRYPTED PRIVATE KEY`, or
/// OpenSSL's `Proc-Type: 4,ENCRYPTED` PEM with AES or DES-EDE3) are opened with a passphrase,
/// given or asked from a [`PrivateKeyPassphraseHandler`]. `Debug` never shows the key.
///
/// ```
/// # let pem = rpoco_testcerts::DevCerts::generate().unwrap().server.key_pem;
/// let key = rpoco_netssl::PrivateKey::from_pem(pem.as_bytes())?;
/// assert!(format!("{key:?}").contains("PKCS#8"));
/// # Ok::<(), rpoco_netssl::Error>(())
/// ```
pub struct PrivateKey(pub(crate) PrivateKeyDer<'static>);

impl PrivateKey {
    /// Reads the first private key in PEM text. An encrypted key is opened with the
    /// passphrase handler installed in [`SslManager`](crate::SslManager), if any.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        key_from_pem(pem, "PEM data", None)
    }

    /// Reads the first private key in a PEM file; encrypted keys as in [`from_pem`](Self::from_pem).
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        key_from_pem(&read(path, "private key")?, &path.display().to_string(), None)
    }

    /// Reads the first private key in PEM text, decrypting it with `passphrase` if encrypted.
    pub fn from_pem_with_passphrase(pem: &[u8], passphrase: &str) -> Result<Self> {
        key_from_pem(pem, "PEM data", Some(&FixedPassphrase(passphrase)))
    }

    /// Reads a PEM key file, decrypting it with `passphrase` if encrypted.
    pub fn from_pem_file_with_passphrase(path: impl AsRef<Path>, passphrase: &str) -> Result<Self> {
        let path = path.as_ref();
        key_from_pem(
            &read(path, "private key")?,
            &path.display().to_string(),
            Some(&FixedPassphrase(passphrase)),
        )
    }

    /// Reads the first private key in PEM text; if it is encrypted, `handler` is asked for the
    /// passphrase, naming the key `source`.
    pub fn from_pem_with_handler(
        pem: &[u8],
        source: &str,
        handler: &dyn PrivateKeyPassphraseHandler,
    ) -> Result<Self> {
        key_from_pem(pem, source, Some(handler))
    }

    /// A DER-encoded key; the format (PKCS#1, PKCS#8, SEC1) is recognized from its structure.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<Self> {
        PrivateKeyDer::try_from(der.into())
            .map(PrivateKey)
            .map_err(|e| Error::context(format!("not a DER private key: {e}")))
    }

    /// The private half of an rpoco-crypto key (an error for a public key).
    pub fn from_evp(key: &rpoco_crypto::EvpPKey) -> Result<Self> {
        let der = key.private_key_der().map_err(|e| Error::context(format!("not a private key: {e}")))?;
        Ok(PrivateKey(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der.to_vec()))))
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

struct FixedPassphrase<'a>(&'a str);

impl PrivateKeyPassphraseHandler for FixedPassphrase<'_> {
    fn passphrase(&self, _source: &str) -> Option<zeroize::Zeroizing<String>> {
        Some(zeroize::Zeroizing::new(self.0.to_owned()))
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| Error::context(format!("cannot read {what} file {}: {e}", path.display())))
}

fn is_encrypted(pem: &[u8]) -> bool {
    let text = String::from_utf8_lossy(pem);
    text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
}

fn key_from_pem(
    pem: &[u8],
    source: &str,
    handler: Option<&dyn PrivateKeyPassphraseHandler>,
) -> Result<PrivateKey> {
    if is_encrypted(pem) {
        return decrypt(pem, source, handler);
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

fn decrypt(
    pem: &[u8],
    source: &str,
    handler: Option<&dyn PrivateKeyPassphraseHandler>,
) -> Result<PrivateKey> {
    let installed: Option<Arc<dyn PrivateKeyPassphraseHandler>> =
        if handler.is_none() { crate::SslManager::instance().private_key_passphrase_handler() } else { None };
    let Some(handler) = handler.or(installed.as_deref()) else {
        return Err(Error::context(format!(
            "the private key in {source} is encrypted and no passphrase was given: pass one \
             (PrivateKey::from_pem_file_with_passphrase) or install a PrivateKeyPassphraseHandler \
             (SslManager::set_server_passphrase_handler / set_client_passphrase_handler)"
        )));
    };
    let passphrase = handler
        .passphrase(source)
        .ok_or_else(|| Error::context(format!("no passphrase for the encrypted private key in {source}")))?;
    // The rpoco-crypto error stays the source, so callers tell a wrong passphrase
    // (`rpoco_crypto::Error::BadPassphrase`) from a damaged file by type.
    let key = rpoco_crypto::EvpPKey::from_pem(pem, Some(passphrase.as_bytes())).map_err(|e| {
        let message = match &e {
            rpoco_crypto::Error::BadPassphrase(m) => {
                format!("wrong passphrase for the private key in {source}: {m}")
            }
            other => format!("cannot read the encrypted private key in {source}: {other}"),
        };
        Error::context(message).with_source(e)
    })?;
    PrivateKey::from_evp(&key)
}

/// The certificate chain and key of a PKCS #12 file (`openssl pkcs12 -export`, default or
/// `-legacy`), read with rpoco-crypto's [`Pkcs12Container`](rpoco_crypto::Pkcs12Container).
fn pkcs12_identity(path: &Path, password: &str) -> Result<(Vec<X509Certificate>, PrivateKey)> {
    let source = path.display();
    let p12 = rpoco_crypto::Pkcs12Container::from_file(path, password).map_err(|e| {
        let message = match &e {
            rpoco_crypto::Error::BadPassphrase(m) => {
                format!("wrong password for PKCS #12 file {source}: {m}")
            }
            other => format!("cannot read PKCS #12 file {source}: {other}"),
        };
        Error::context(message).with_source(e)
    })?;
    let key = p12
        .private_key()
        .ok_or_else(|| Error::context(format!("PKCS #12 file {source} holds no private key")))?;
    let cert = p12
        .certificate()
        .ok_or_else(|| Error::context(format!("PKCS #12 file {source} holds no certificate for its key")))?;
    let mut chain = vec![X509Certificate::from(cert.clone())];
    chain.extend(p12.ca_certificates().iter().cloned().map(X509Certificate::from));
    Ok((chain, PrivateKey::from_evp(key)?))
}

impl Context {
    /// Uses the key, certificate and CA certificates of a PKCS #12 file as this context's own
    /// certificate and chain (POCO: `useCertificate(p12.getX509Certificate())`,
    /// `usePrivateKey(p12.getKey())`, `addChainCertificate` for each of `p12.getCACerts()`).
    pub fn use_pkcs12_file(&self, path: impl AsRef<Path>, password: &str) -> Result<()> {
        let (chain, key) = pkcs12_identity(path.as_ref(), password)?;
        self.use_private_key(&key)?;
        self.use_certificate(&chain[0])?;
        for ca in &chain[1..] {
            self.add_chain_certificate(ca)?;
        }
        Ok(())
    }

    /// A context whose own certificate, key and chain come from a PKCS #12 file; `params`
    /// gives the rest (its key and certificate files must be empty).
    pub fn with_pkcs12_file(
        usage: Usage,
        params: Params,
        path: impl AsRef<Path>,
        password: &str,
    ) -> Result<Arc<Context>> {
        if !params.private_key_file.is_empty() || !params.certificate_file.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "with_pkcs12_file: the key and certificate come from the PKCS #12 file; leave \
                 private_key_file and certificate_file empty",
            ));
        }
        let context = Context::with_params(usage, params)?;
        context.use_pkcs12_file(path, password)?;
        Ok(context)
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
    let meta = std::fs::metadata(location).map_err(|e| {
        Error::context(format!("cannot use CA location {}: {e}", location.display())).with_source(e)
    })?;
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
        let err = PrivateKey::from_pem_with_handler(encrypted, "k.pem", &FixedPassphrase("x")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SslContext, "{err}");
        // It names the file whose key could not be decrypted.
        assert!(err.message().contains("k.pem"), "{err}");
        let legacy = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let err = PrivateKey::from_pem_with_passphrase(legacy, "x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SslContext, "legacy encrypted PEM: {err}");
        let err = PrivateKey::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SslContext, "no private key in the PEM data: {err}");
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
        assert_eq!(ca_certs(empty.path()).unwrap_err().kind(), ErrorKind::SslContext, "no PEM certificate");
        let missing = ca_certs(&dir.path().join("missing")).unwrap_err();
        assert_eq!(
            (missing.kind(), missing.io_kind()),
            (ErrorKind::SslContext, std::io::ErrorKind::NotFound)
        );
    }
}
