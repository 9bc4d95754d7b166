//! Signatures: POCO's `RSADigestEngine`, `ECDSADigestEngine` and `ECDSASignature`, plus
//! one-shot signing and Ed25519.
//!
//! An engine hashes what is fed to it (`update`, or `io::copy` into it) and signs or checks
//! the digest at the end, as POCO's do; on the ring backend, which signs messages rather than
//! digests, the engine also keeps the message.
//!
//! ```
//! use rpoco_crypto::{EcKey, Curve, EcdsaDigestEngine, EcdsaSignature};
//!
//! let key = EcKey::generate(Curve::P256)?;
//! let mut signer = EcdsaDigestEngine::new(key.evp(), "SHA256")?;
//! signer.update(b"message");
//! let der = signer.signature()?;
//!
//! let mut verifier = EcdsaDigestEngine::new(&key.evp().public_only(), "SHA256")?;
//! verifier.update(b"message");
//! assert!(verifier.verify(&der));
//! let sig = EcdsaSignature::from_der(&der)?;
//! assert_eq!(EcdsaSignature::from_p1363(&sig.to_p1363(32)?)?.to_der()?, der);
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::fmt;
use std::io;

use der::asn1::UintRef;
use der::{Decode, Encode, Sequence};

use crate::backend::pk::{self, Signed};
use crate::digest::{DigestAlgorithm, DigestEngine};
use crate::error::{Error, Result};
use crate::pkey::{EvpPKey, KeyType};

/// A signature algorithm with its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 (POCO's `RSADigestEngine` default).
    RsaPkcs1(DigestAlgorithm),
    /// RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest.
    RsaPss(DigestAlgorithm),
    /// ECDSA with a DER `ECDSA-Sig-Value` (POCO's `ECDSADigestEngine`, OpenSSL's format).
    Ecdsa(DigestAlgorithm),
    /// ECDSA with r ‖ s of fixed length (IEEE P1363; JOSE, WebCrypto).
    EcdsaP1363(DigestAlgorithm),
    /// Pure Ed25519 (RFC 8032): signs the message itself.
    Ed25519,
}

impl SignatureScheme {
    /// The digest the scheme hashes with (`None` for Ed25519).
    pub fn digest(self) -> Option<DigestAlgorithm> {
        match self {
            SignatureScheme::RsaPkcs1(d)
            | SignatureScheme::RsaPss(d)
            | SignatureScheme::Ecdsa(d)
            | SignatureScheme::EcdsaP1363(d) => Some(d),
            SignatureScheme::Ed25519 => None,
        }
    }

    /// The usual scheme for a key: PKCS #1 v1.5/SHA-256 for RSA, DER ECDSA with the curve's
    /// digest (SHA-256, SHA-384, SHA-512), Ed25519.
    pub fn default_for(key: KeyType) -> Self {
        match key {
            KeyType::Rsa => SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256),
            KeyType::Ec(crate::Curve::P384) => SignatureScheme::Ecdsa(DigestAlgorithm::Sha384),
            KeyType::Ec(crate::Curve::P521) => SignatureScheme::Ecdsa(DigestAlgorithm::Sha512),
            KeyType::Ec(_) => SignatureScheme::Ecdsa(DigestAlgorithm::Sha256),
            KeyType::Ed25519 => SignatureScheme::Ed25519,
        }
    }

    fn fits(self, key: KeyType) -> bool {
        matches!(
            (self, key),
            (SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss(_), KeyType::Rsa)
                | (SignatureScheme::Ecdsa(_) | SignatureScheme::EcdsaP1363(_), KeyType::Ec(_))
                | (SignatureScheme::Ed25519, KeyType::Ed25519)
        )
    }
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureScheme::RsaPkcs1(d) => write!(f, "RSA PKCS #1 v1.5 with {d}"),
            SignatureScheme::RsaPss(d) => write!(f, "RSA-PSS with {d}"),
            SignatureScheme::Ecdsa(d) => write!(f, "ECDSA with {d}"),
            SignatureScheme::EcdsaP1363(d) => write!(f, "ECDSA (P1363) with {d}"),
            SignatureScheme::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

fn check_fits(key: &EvpPKey, scheme: SignatureScheme) -> Result<()> {
    if scheme.fits(key.key_type()) {
        Ok(())
    } else {
        Err(Error::invalid(format!("a {} key cannot make or check {scheme} signatures", key.key_type())))
    }
}

/// Signs `message` in one call.
pub fn sign_message(key: &EvpPKey, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>> {
    check_fits(key, scheme)?;
    let digest = scheme.digest().map(|d| DigestEngine::hash(d, message)).unwrap_or_default();
    pk::sign(key, scheme, Signed { digest: &digest, message: Some(message) })
}

/// `true` if `signature` is a valid `scheme` signature of `message` under `key`'s public key.
pub fn verify_message(key: &EvpPKey, scheme: SignatureScheme, message: &[u8], signature: &[u8]) -> bool {
    if !scheme.fits(key.key_type()) {
        return false;
    }
    let digest = scheme.digest().map(|d| DigestEngine::hash(d, message)).unwrap_or_default();
    pk::verify(key, scheme, Signed { digest: &digest, message: Some(message) }, signature)
}

/// A streaming signer/verifier for any key (the common part of POCO's digest engines).
#[derive(Clone)]
pub struct SignatureEngine {
    key: EvpPKey,
    scheme: SignatureScheme,
    digest: DigestEngine,
    message: Option<Vec<u8>>,
}

impl SignatureEngine {
    /// An engine for `scheme` with `key` (Ed25519, which cannot stream, keeps the message).
    pub fn new(key: &EvpPKey, scheme: SignatureScheme) -> Result<Self> {
        check_fits(key, scheme)?;
        let digest = DigestEngine::with_algorithm(scheme.digest().unwrap_or(DigestAlgorithm::Sha256));
        let keep = pk::wants_message() || scheme == SignatureScheme::Ed25519;
        Ok(SignatureEngine { key: key.clone(), scheme, digest, message: keep.then(Vec::new) })
    }

    /// Feeds data.
    pub fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
        if let Some(m) = &mut self.message {
            m.extend_from_slice(data);
        }
    }

    /// Signs what was fed and starts over (POCO's `signature()`).
    pub fn signature(&mut self) -> Result<Vec<u8>> {
        let (digest, message) = self.take();
        pk::sign(&self.key, self.scheme, Signed { digest: &digest, message: message.as_deref() })
    }

    /// Checks `signature` against what was fed and starts over (POCO's `verify(sig)`).
    pub fn verify(&mut self, signature: &[u8]) -> bool {
        let (digest, message) = self.take();
        pk::verify(&self.key, self.scheme, Signed { digest: &digest, message: message.as_deref() }, signature)
    }

    /// The digest of what was fed so far, starting over (POCO's `digest()`).
    pub fn digest(&mut self) -> Vec<u8> {
        self.take().0
    }

    /// Starts over.
    pub fn reset(&mut self) {
        self.take();
    }

    /// The scheme.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    fn take(&mut self) -> (Vec<u8>, Option<Vec<u8>>) {
        let digest = if self.scheme == SignatureScheme::Ed25519 { Vec::new() } else { self.digest.digest() };
        let message = self.message.as_mut().map(std::mem::take);
        (digest, message)
    }
}

impl io::Write for SignatureEngine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for SignatureEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureEngine").field("scheme", &self.scheme).field("key", &self.key).finish()
    }
}

/// POCO's `RSADigestEngine`: RSA signatures over a streamed digest.
///
/// POCO's default digest is SHA-1 (`DIGEST_SHA1`); [`RsaDigestEngine::new`] takes the digest
/// by name (`"SHA256"`), [`RsaDigestEngine::pss`] makes RSA-PSS.
pub type RsaDigestEngine = DigestSigner<RsaMarker>;

/// POCO's `ECDSADigestEngine`: DER ECDSA signatures over a streamed digest.
pub type EcdsaDigestEngine = DigestSigner<EcdsaMarker>;

/// Marks an [`RsaDigestEngine`].
#[derive(Debug, Clone, Copy)]
pub struct RsaMarker;
/// Marks an [`EcdsaDigestEngine`].
#[derive(Debug, Clone, Copy)]
pub struct EcdsaMarker;

/// A [`SignatureEngine`] restricted to one key family (POCO's two engine classes).
#[derive(Debug, Clone)]
pub struct DigestSigner<M> {
    engine: SignatureEngine,
    _family: std::marker::PhantomData<M>,
}

impl DigestSigner<RsaMarker> {
    /// PKCS #1 v1.5 with the digest named as OpenSSL names it (POCO's
    /// `RSADigestEngine(key, name)`).
    pub fn new(key: &EvpPKey, digest: &str) -> Result<Self> {
        Self::with_scheme(key, SignatureScheme::RsaPkcs1(DigestAlgorithm::from_name(digest)?))
    }

    /// RSA-PSS (MGF1 with the same digest, salt length = digest length).
    pub fn pss(key: &EvpPKey, digest: &str) -> Result<Self> {
        Self::with_scheme(key, SignatureScheme::RsaPss(DigestAlgorithm::from_name(digest)?))
    }
}

impl DigestSigner<EcdsaMarker> {
    /// DER ECDSA with the digest named as OpenSSL names it (POCO's
    /// `ECDSADigestEngine(key, name)`).
    pub fn new(key: &EvpPKey, digest: &str) -> Result<Self> {
        Self::with_scheme(key, SignatureScheme::Ecdsa(DigestAlgorithm::from_name(digest)?))
    }
}

impl<M> DigestSigner<M> {
    fn with_scheme(key: &EvpPKey, scheme: SignatureScheme) -> Result<Self> {
        Ok(DigestSigner { engine: SignatureEngine::new(key, scheme)?, _family: std::marker::PhantomData })
    }

    /// Feeds data (POCO's `update`).
    pub fn update(&mut self, data: &[u8]) {
        self.engine.update(data);
    }

    /// Signs and starts over (POCO's `signature()`).
    pub fn signature(&mut self) -> Result<Vec<u8>> {
        self.engine.signature()
    }

    /// Checks and starts over (POCO's `verify`).
    pub fn verify(&mut self, signature: &[u8]) -> bool {
        self.engine.verify(signature)
    }

    /// The digest so far, starting over (POCO's `digest()`).
    pub fn digest(&mut self) -> Vec<u8> {
        self.engine.digest()
    }

    /// Starts over (POCO's `reset()`).
    pub fn reset(&mut self) {
        self.engine.reset();
    }

    /// The scheme.
    pub fn scheme(&self) -> SignatureScheme {
        self.engine.scheme()
    }
}

impl<M> io::Write for DigestSigner<M> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.engine.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Sequence)]
struct SigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// An ECDSA signature as r and s: POCO's `ECDSASignature` (DER ↔ r, s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdsaSignature {
    r: Vec<u8>,
    s: Vec<u8>,
}

impl EcdsaSignature {
    /// From r and s, big-endian (leading zeros are dropped).
    pub fn new(r: &[u8], s: &[u8]) -> Result<Self> {
        let strip = |v: &[u8]| v.iter().position(|&b| b != 0).map(|i| v[i..].to_vec());
        match (strip(r), strip(s)) {
            (Some(r), Some(s)) => Ok(EcdsaSignature { r, s }),
            _ => Err(Error::invalid("ECDSA r and s must not be zero")),
        }
    }

    /// Parses a DER `ECDSA-Sig-Value` (strict DER: no trailing data, minimal integers).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let v = SigValue::from_der(der)
            .map_err(|e| Error::format(format!("malformed DER ECDSA signature: {e}")))?;
        Self::new(v.r.as_bytes(), v.s.as_bytes())
    }

    /// Parses r ‖ s of equal halves (IEEE P1363).
    pub fn from_p1363(bytes: &[u8]) -> Result<Self> {
        if bytes.is_empty() || bytes.len() % 2 != 0 {
            return Err(Error::format(format!(
                "a P1363 ECDSA signature has two equal halves, got {} bytes",
                bytes.len()
            )));
        }
        let (r, s) = bytes.split_at(bytes.len() / 2);
        Self::new(r, s)
    }

    /// The DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let r = UintRef::new(&self.r).map_err(|e| Error::format(e.to_string()))?;
        let s = UintRef::new(&self.s).map_err(|e| Error::format(e.to_string()))?;
        SigValue { r, s }.to_der().map_err(|e| Error::format(e.to_string()))
    }

    /// r ‖ s with each half `len` bytes ([`Curve::scalar_len`](crate::Curve::scalar_len)).
    pub fn to_p1363(&self, len: usize) -> Result<Vec<u8>> {
        if self.r.len() > len || self.s.len() > len {
            return Err(Error::invalid(format!("r or s is longer than {len} bytes")));
        }
        let mut out = vec![0u8; 2 * len];
        out[len - self.r.len()..len].copy_from_slice(&self.r);
        out[2 * len - self.s.len()..].copy_from_slice(&self.s);
        Ok(out)
    }

    /// r, big-endian without leading zeros.
    pub fn r(&self) -> &[u8] {
        &self.r
    }

    /// s, big-endian without leading zeros.
    pub fn s(&self) -> &[u8] {
        &self.s
    }
}
