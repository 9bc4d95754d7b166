//! Ed25519 keys (beyond POCO). The public key is derived with `ed25519-dalek`.

use der::Encode;
use der::asn1::OctetStringRef;
use zeroize::Zeroizing;

use super::der_forms::{self, ED25519};
use super::{EvpPKey, KeyType};
use crate::error::{Error, Result};
use crate::random;

/// An Ed25519 key pair or public key (RFC 8032, pure Ed25519).
///
/// ```
/// use rpoco_crypto::Ed25519Key;
/// let key = Ed25519Key::generate()?;
/// let sig = key.sign(b"message")?;
/// assert!(key.verify(b"message", &sig));
/// assert!(!key.verify(b"other", &sig));
/// # Ok::<(), rpoco_crypto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519Key(EvpPKey);

impl Ed25519Key {
    /// Generates a key pair.
    pub fn generate() -> Result<Self> {
        let mut seed = Zeroizing::new([0u8; 32]);
        random::fill_random(&mut seed[..])?;
        Ok(Ed25519Key(from_seed(&seed[..])?))
    }

    /// Wraps an [`EvpPKey`] holding an Ed25519 key.
    pub fn from_evp(key: EvpPKey) -> Result<Self> {
        match key.key_type() {
            KeyType::Ed25519 => Ok(Ed25519Key(key)),
            other => Err(Error::invalid(format!("not an Ed25519 key: {other}"))),
        }
    }

    /// A public key from its 32 bytes.
    pub fn from_public_bytes(bytes: &[u8]) -> Result<Self> {
        public_from_bytes(bytes).map(Ed25519Key)
    }

    /// Signs `message` (pure Ed25519: the message itself, not a digest).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        crate::sign::sign_message(&self.0, crate::sign::SignatureScheme::Ed25519, message)
    }

    /// `true` if `signature` is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        crate::sign::verify_message(&self.0, crate::sign::SignatureScheme::Ed25519, message, signature)
    }

    /// The key as an [`EvpPKey`].
    pub fn evp(&self) -> &EvpPKey {
        &self.0
    }
}

impl From<Ed25519Key> for EvpPKey {
    fn from(key: Ed25519Key) -> Self {
        key.0
    }
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ed25519Key(private: {})", self.0.has_private_key())
    }
}

/// A key pair from its 32-byte seed (RFC 8032's private key).
pub(crate) fn from_seed(seed: &[u8]) -> Result<EvpPKey> {
    let seed: &[u8; 32] = seed
        .try_into()
        .map_err(|_| Error::format(format!("Ed25519 private key must be 32 bytes, got {}", seed.len())))?;
    let signing = ed25519_dalek::SigningKey::from_bytes(seed);
    let public = signing.verifying_key().to_bytes().to_vec();
    let spki = der_forms::spki(ED25519, None, &public)?;
    let inner = OctetStringRef::new(seed)
        .and_then(|o| o.to_der())
        .map(Zeroizing::new)
        .map_err(|e| Error::format(format!("Ed25519 private key: {e}")))?;
    let pkcs8 = der_forms::pkcs8(ED25519, None, &inner)?;
    Ok(EvpPKey::from_parts(KeyType::Ed25519, spki, public, Some(pkcs8)))
}

/// A public key from its 32 bytes.
pub(crate) fn public_from_bytes(bytes: &[u8]) -> Result<EvpPKey> {
    if bytes.len() != 32 {
        return Err(Error::invalid(format!("Ed25519 public key must be 32 bytes, got {}", bytes.len())));
    }
    let spki = der_forms::spki(ED25519, None, bytes)?;
    Ok(EvpPKey::from_parts(KeyType::Ed25519, spki, bytes.to_vec(), None))
}

/// The 32-byte seed inside a normalized PKCS #8 Ed25519 key.
pub(crate) fn seed_from_pkcs8(pkcs8: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    use der::Decode;
    let inner = der_forms::pkcs8_inner(pkcs8)?;
    let seed = <&OctetStringRef>::from_der(&inner)
        .map_err(|e| Error::format(format!("Ed25519 private key: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(seed.as_bytes().get(..32).ok_or_else(|| Error::format("short Ed25519 private key"))?);
    Ok(out)
}
