//! [`Pkcs12Container`]: POCO's `PKCS12Container` over `p12-keystore`.
//!
//! Reads what `openssl pkcs12 -export` writes by default (PBES2: PBKDF2-HMAC-SHA-256 and
//! AES-256-CBC, HMAC-SHA-256 MAC) and with `-legacy` (PKCS #12 PBE with 3DES and RC2-40,
//! HMAC-SHA-1 MAC). A wrong password is [`Error::BadPassphrase`]; a damaged file
//! [`Error::Format`].
//!
//! ```no_run
//! use rpoco_crypto::Pkcs12Container;
//! let p12 = Pkcs12Container::from_file("server.p12", "secret")?;
//! let key = p12.private_key().expect("the file has a key");
//! let cert = p12.certificate().expect("and its certificate");
//! println!("{} ({:?}), {} CA certificates", cert.subject_name(), key.key_type(), p12.ca_certificates().len());
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::path::Path;

use p12_keystore::Pkcs12Archive;

use crate::error::{Error, Result};
use crate::pkey::EvpPKey;
use crate::x509::X509Certificate;

/// The contents of a PKCS #12 (`.p12`, `.pfx`) file: POCO's `PKCS12Container`.
#[derive(Clone, Debug)]
pub struct Pkcs12Container {
    key: Option<EvpPKey>,
    certificate: Option<X509Certificate>,
    ca: Vec<X509Certificate>,
    friendly_name: String,
    ca_names: Vec<String>,
}

impl Pkcs12Container {
    /// Reads a PKCS #12 file (at most 1 MiB) with its password (POCO's
    /// `PKCS12Container(path, password)`).
    pub fn from_file(path: impl AsRef<Path>, password: &str) -> Result<Self> {
        let bytes = crate::pkey::read_limited(path.as_ref(), "PKCS #12")?;
        Self::from_der(&bytes, password)
    }

    /// Reads PKCS #12 DER (POCO's `PKCS12Container(std::istream&, password)`).
    pub fn from_der(der: &[u8], password: &str) -> Result<Self> {
        let archive = Pkcs12Archive::from_pkcs12(der, password).map_err(classify)?;
        let key_bag = archive.keys.first();
        let key = key_bag.map(|bag| EvpPKey::from_der(bag.key.as_der(), None)).transpose()?;
        let local_id = key_bag.and_then(|bag| bag.local_key_id.as_ref()).map(|id| id.0.clone());
        let mut certificate = None;
        let mut ca = Vec::new();
        let mut ca_names = Vec::new();
        for bag in &archive.certs {
            let cert = X509Certificate::from_der(bag.cert.as_der().to_vec())?;
            let is_leaf = certificate.is_none()
                && match (&local_id, &bag.local_key_id, &key) {
                    (Some(id), Some(bag_id), _) => id == bag_id,
                    (_, _, Some(k)) => cert.public_key_der() == k.public_key_der(),
                    _ => false,
                };
            if is_leaf {
                certificate = Some(cert);
            } else {
                ca_names.push(bag.friendly_name.clone().unwrap_or_default());
                ca.push(cert);
            }
        }
        let friendly_name = key_bag
            .and_then(|bag| bag.friendly_name.clone())
            .or_else(|| {
                archive.certs.iter().find(|b| b.local_key_id.is_some()).and_then(|b| b.friendly_name.clone())
            })
            .unwrap_or_default();
        Ok(Pkcs12Container { key, certificate, ca, friendly_name, ca_names })
    }

    /// The private key, if the file has one (POCO's `getKey()`).
    pub fn private_key(&self) -> Option<&EvpPKey> {
        self.key.as_ref()
    }

    /// The certificate belonging to the key (POCO's `getX509Certificate()`).
    pub fn certificate(&self) -> Option<&X509Certificate> {
        self.certificate.as_ref()
    }

    /// The other certificates, in file order (POCO's `getCACerts()`).
    pub fn ca_certificates(&self) -> &[X509Certificate] {
        &self.ca
    }

    /// The key's friendly name (`-name` of `openssl pkcs12 -export`), or `""` (POCO's
    /// `getFriendlyName()`).
    pub fn friendly_name(&self) -> &str {
        &self.friendly_name
    }

    /// The friendly names of the CA certificates, `""` where none (POCO's `getFriendlyNamesCA()`).
    pub fn ca_friendly_names(&self) -> &[String] {
        &self.ca_names
    }

    /// `true` if the file holds a private key (POCO's `hasKey()`).
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// `true` if the file holds the key's certificate (POCO's `hasX509Certificate()`).
    pub fn has_certificate(&self) -> bool {
        self.certificate.is_some()
    }
}

fn classify(e: p12_keystore::error::Error) -> Error {
    use p12_keystore::error::Error as P;
    match e {
        P::MacError(_) => {
            Error::BadPassphrase("wrong password for the PKCS #12 file (MAC check failed)".into())
        }
        P::UnpadError | P::Pkcs5Error(_) => Error::BadPassphrase(format!(
            "cannot decrypt the PKCS #12 contents (wrong password or damaged file): {e}"
        )),
        P::UnsupportedEncryptionScheme | P::UnsupportedMacAlgorithm | P::UnsupportedContentType => {
            Error::unsupported(format!("PKCS #12: {e}"))
        }
        P::IoError(io) => Error::Io(io),
        other => Error::format(format!("malformed PKCS #12 file: {other}")),
    }
}
