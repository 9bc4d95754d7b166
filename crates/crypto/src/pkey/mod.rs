//! Public and private keys: POCO's `EVPPKey`, `RSAKey`, `ECKey`, `KeyPair`, plus Ed25519.
//!
//! Every key is held in one normalized form whatever it was read from: the
//! SubjectPublicKeyInfo (SPKI) DER of its public half and, for private keys, a PKCS #8
//! `PrivateKeyInfo` DER (zeroized on drop). The backends take their keys from those bytes,
//! so a key read from a PKCS #1, SEC1, PKCS #8, encrypted PKCS #8 or OpenSSL
//! `Proc-Type: 4,ENCRYPTED` file behaves the same.
//!
//! ```
//! use rpoco_crypto::{EcKey, EvpPKey, Curve};
//!
//! let key = EcKey::generate(Curve::P256)?;
//! let pem = key.private_key_pem_encrypted(b"secret")?;           // PBES2, AES-256-CBC
//! let back = EvpPKey::from_pem(pem.as_bytes(), Some(b"secret"))?;
//! assert_eq!(back.public_key_der(), key.public_key_der());
//! assert!(EvpPKey::from_pem(pem.as_bytes(), Some(b"wrong")).is_err());
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

pub(crate) mod der_forms;
pub(crate) mod ec;
pub(crate) mod ed25519;
pub(crate) mod pem;
mod rsa;

use std::fmt;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub use der_forms::PKCS8_PBKDF2_ITERATIONS;
pub use ec::{Curve, EcKey};
pub use ed25519::Ed25519Key;
pub use rsa::{RsaExponent, RsaKey, RsaKeySize};

/// The largest key file (PEM or DER) read: far above any real key or PKCS #12 file.
pub const MAX_KEY_FILE: u64 = 1 << 20;

/// What kind of key an [`EvpPKey`] holds (POCO's `EVPPKey::type()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// RSA (`EVP_PKEY_RSA`).
    Rsa,
    /// ECDSA/ECDH on a NIST curve (`EVP_PKEY_EC`).
    Ec(Curve),
    /// Ed25519 (`EVP_PKEY_ED25519`).
    Ed25519,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Rsa => f.write_str("RSA"),
            KeyType::Ec(c) => write!(f, "EC {}", c.name()),
            KeyType::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

/// The encoding of a private key written by [`EvpPKey::private_key_pem_as`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrivateKeyFormat {
    /// PKCS #8 `PrivateKeyInfo` (`BEGIN PRIVATE KEY`): any key type; the default.
    Pkcs8,
    /// The traditional per-type form: PKCS #1 `RSAPrivateKey` (`BEGIN RSA PRIVATE KEY`) or SEC1
    /// `ECPrivateKey` (`BEGIN EC PRIVATE KEY`), as POCO's `RSAKey::save` and `ECKey::save` write
    /// without a passphrase. Ed25519 has none and is written as PKCS #8.
    Traditional,
}

/// A public key, or a private key with its public half: POCO's `EVPPKey`.
///
/// `Clone` copies the key; the private half is zeroized when every copy is dropped. `Debug`
/// never shows private material. Two keys are equal when their public halves are.
#[derive(Clone)]
pub struct EvpPKey {
    kind: KeyType,
    spki: Vec<u8>,
    public: Vec<u8>,
    pkcs8: Option<Zeroizing<Vec<u8>>>,
}

impl EvpPKey {
    pub(crate) fn from_parts(
        kind: KeyType,
        spki: Vec<u8>,
        public: Vec<u8>,
        pkcs8: Option<Zeroizing<Vec<u8>>>,
    ) -> Self {
        EvpPKey { kind, spki, public, pkcs8 }
    }

    /// Reads the first key in PEM text: `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY`,
    /// `EC PRIVATE KEY` (either of those two with OpenSSL's `Proc-Type: 4,ENCRYPTED` headers),
    /// `PUBLIC KEY` or `RSA PUBLIC KEY`. Other blocks (certificates, `EC PARAMETERS`) are
    /// skipped. `passphrase` opens encrypted keys; a wrong or missing one gives
    /// [`Error::BadPassphrase`].
    pub fn from_pem(pem: &[u8], passphrase: Option<&[u8]>) -> Result<Self> {
        pem::read_key(pem, passphrase)
    }

    /// Reads a DER key; the structure (PKCS #8, encrypted PKCS #8, SPKI, PKCS #1 private or
    /// public, SEC1) is recognized from its content.
    pub fn from_der(der: &[u8], passphrase: Option<&[u8]>) -> Result<Self> {
        der_forms::read_der(der, passphrase)
    }

    /// Reads PEM or DER, whichever `bytes` holds.
    pub fn from_bytes(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Self> {
        if bytes.first() == Some(&0x30) {
            Self::from_der(bytes, passphrase)
        } else {
            Self::from_pem(bytes, passphrase)
        }
    }

    /// Reads a key file (PEM or DER, at most [`MAX_KEY_FILE`] bytes).
    pub fn from_file(path: impl AsRef<Path>, passphrase: Option<&[u8]>) -> Result<Self> {
        let bytes = read_limited(path.as_ref(), "key")?;
        Self::from_bytes(&bytes, passphrase)
    }

    /// Reads a public key from `public_pem` and, if given, the private key from `private_pem`
    /// (POCO's `EVPPKey(publicKeyStream, privateKeyStream, passphrase)`). When both are given
    /// they must belong together.
    pub fn from_pem_pair(
        public_pem: Option<&[u8]>,
        private_pem: Option<&[u8]>,
        passphrase: Option<&[u8]>,
    ) -> Result<Self> {
        match (public_pem, private_pem) {
            (_, Some(private)) => {
                let key = Self::from_pem(private, passphrase)?;
                if let Some(public) = public_pem {
                    let public = Self::from_pem(public, None)?;
                    if public.spki != key.spki {
                        return Err(Error::invalid("the public key does not belong to the private key"));
                    }
                }
                Ok(key)
            }
            (Some(public), None) => Self::from_pem(public, None),
            (None, None) => Err(Error::invalid("neither a public nor a private key was given")),
        }
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        self.kind
    }

    /// `true` if this holds a private key.
    pub fn has_private_key(&self) -> bool {
        self.pkcs8.is_some()
    }

    /// The key size in bits: the modulus for RSA, the field for EC, 256 for Ed25519.
    pub fn bits(&self) -> usize {
        match self.kind {
            KeyType::Rsa => rsa::modulus_bits(&self.public),
            KeyType::Ec(c) => c.bits(),
            KeyType::Ed25519 => 256,
        }
    }

    /// The public half only.
    pub fn public_only(&self) -> EvpPKey {
        EvpPKey { pkcs8: None, ..self.clone() }
    }

    /// The SubjectPublicKeyInfo DER (what `openssl pkey -pubout -outform DER` writes).
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki
    }

    /// The raw public key: PKCS #1 `RSAPublicKey` DER, an uncompressed EC point, or the 32
    /// Ed25519 bytes (the SPKI's BIT STRING).
    pub fn public_key_bytes(&self) -> &[u8] {
        &self.public
    }

    /// The public key as `BEGIN PUBLIC KEY` PEM.
    pub fn public_key_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki)
    }

    /// The unencrypted PKCS #8 DER of the private key.
    pub fn private_key_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(self.private_pkcs8()?.clone())
    }

    /// The private key as unencrypted PKCS #8 PEM (`BEGIN PRIVATE KEY`).
    pub fn private_key_pem(&self) -> Result<Zeroizing<String>> {
        self.private_key_pem_as(PrivateKeyFormat::Pkcs8)
    }

    /// The private key as unencrypted PEM in the given format.
    pub fn private_key_pem_as(&self, format: PrivateKeyFormat) -> Result<Zeroizing<String>> {
        let pkcs8 = self.private_pkcs8()?;
        Ok(Zeroizing::new(match (format, self.kind) {
            (PrivateKeyFormat::Traditional, KeyType::Rsa) => {
                pem::encode("RSA PRIVATE KEY", &der_forms::pkcs8_inner(pkcs8)?)
            }
            (PrivateKeyFormat::Traditional, KeyType::Ec(_)) => {
                pem::encode("EC PRIVATE KEY", &ec::sec1_from_pkcs8(pkcs8)?)
            }
            _ => pem::encode("PRIVATE KEY", pkcs8),
        }))
    }

    /// The private key as encrypted PKCS #8 PEM (`BEGIN ENCRYPTED PRIVATE KEY`): PBES2 with
    /// PBKDF2-HMAC-SHA-256 and AES-256-CBC, what `openssl pkcs8 -topk8` writes by default.
    pub fn private_key_pem_encrypted(&self, passphrase: &[u8]) -> Result<Zeroizing<String>> {
        let der = self.private_key_der_encrypted(passphrase)?;
        Ok(Zeroizing::new(pem::encode("ENCRYPTED PRIVATE KEY", &der)))
    }

    /// The private key as encrypted PKCS #8 DER (PBES2, PBKDF2-HMAC-SHA-256, AES-256-CBC).
    pub fn private_key_der_encrypted(&self, passphrase: &[u8]) -> Result<Vec<u8>> {
        der_forms::encrypt_pkcs8(self.private_pkcs8()?, passphrase)
    }

    /// Writes the public key PEM to `public` and, if it holds one, the private key PEM to
    /// `private`, encrypted when a passphrase is given (POCO's `EVPPKey::save`).
    pub fn save(
        &self,
        public: Option<&Path>,
        private: Option<&Path>,
        passphrase: Option<&[u8]>,
    ) -> Result<()> {
        if let Some(path) = public {
            std::fs::write(path, self.public_key_pem())?;
        }
        if let Some(path) = private {
            let pem = match passphrase {
                Some(p) => self.private_key_pem_encrypted(p)?,
                None => self.private_key_pem()?,
            };
            write_private(path, pem.as_bytes())?;
        }
        Ok(())
    }

    pub(crate) fn private_pkcs8(&self) -> Result<&Zeroizing<Vec<u8>>> {
        self.pkcs8
            .as_ref()
            .ok_or_else(|| Error::invalid(format!("this {} key has no private part", self.kind)))
    }
}

impl PartialEq for EvpPKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}

impl Eq for EvpPKey {}

impl fmt::Debug for EvpPKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvpPKey")
            .field("type", &self.kind)
            .field("bits", &self.bits())
            .field("private", &self.has_private_key())
            .finish()
    }
}

/// A key pair of any type: POCO's `KeyPair`, the base of `RSAKey` and `ECKey`.
pub type KeyPair = EvpPKey;

/// Reads a file of at most [`MAX_KEY_FILE`] bytes, naming it in errors.
pub(crate) fn read_limited(path: &Path, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| {
        Error::Io(std::io::Error::new(e.kind(), format!("cannot open {what} file {}: {e}", path.display())))
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(Error::invalid(format!(
            "{what} file {} is larger than {MAX_KEY_FILE} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Writes a private key file readable by its owner only (mode 0600 on Unix).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)?;
    Ok(())
}
