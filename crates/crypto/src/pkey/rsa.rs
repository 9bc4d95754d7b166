//! RSA keys: POCO's `RSAKey`.

use der::asn1::{AnyRef, UintRef};
use der::{Decode, Encode};
use zeroize::Zeroizing;

use super::der_forms::{self, RSA_ENCRYPTION};
use super::{EvpPKey, KeyType};
use crate::backend::pk;
use crate::error::{Error, Result};

/// POCO's `RSAKey::KeyLength`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RsaKeySize {
    /// 512 bits (`KL_512`): broken; never generated here.
    Bits512,
    /// 1024 bits (`KL_1024`): too weak for new keys; never generated here.
    Bits1024,
    /// 2048 bits (`KL_2048`).
    Bits2048,
    /// 3072 bits.
    Bits3072,
    /// 4096 bits (`KL_4096`).
    Bits4096,
}

impl RsaKeySize {
    /// The modulus size in bits.
    pub fn bits(self) -> usize {
        match self {
            RsaKeySize::Bits512 => 512,
            RsaKeySize::Bits1024 => 1024,
            RsaKeySize::Bits2048 => 2048,
            RsaKeySize::Bits3072 => 3072,
            RsaKeySize::Bits4096 => 4096,
        }
    }

    /// The size for a bit count (512, 1024, 2048, 3072, 4096).
    pub fn from_bits(bits: usize) -> Result<Self> {
        Ok(match bits {
            512 => RsaKeySize::Bits512,
            1024 => RsaKeySize::Bits1024,
            2048 => RsaKeySize::Bits2048,
            3072 => RsaKeySize::Bits3072,
            4096 => RsaKeySize::Bits4096,
            other => {
                return Err(Error::invalid(format!(
                    "RSA key length {other} is not one of 512, 1024, 2048, 3072, 4096"
                )));
            }
        })
    }
}

/// POCO's `RSAKey::Exponent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RsaExponent {
    /// `EXP_SMALL`: e = 3. Refused for new keys (see [`RsaKey::generate`]).
    Small,
    /// `EXP_LARGE`: e = 65537, the default.
    #[default]
    Large,
}

/// An RSA key pair or public key: POCO's `RSAKey`.
///
/// ```no_run
/// use rpoco_crypto::{RsaExponent, RsaKey, RsaKeySize};
///
/// let key = RsaKey::generate(RsaKeySize::Bits2048, RsaExponent::Large)?; // needs aws-lc-rs
/// assert_eq!(key.size(), 2048);
/// assert_eq!(key.encryption_exponent(), [1, 0, 1]);
/// # Ok::<(), rpoco_crypto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RsaKey(EvpPKey);

impl RsaKey {
    /// Generates a key pair (POCO's `RSAKey(KeyLength, Exponent)`).
    ///
    /// Key generation needs the aws-lc-rs backend, which makes 2048-, 3072- and 4096-bit keys
    /// with e = 65537; 512- and 1024-bit keys and e = 3 are refused with
    /// [`Error::Unsupported`] (both are breakable or fragile; see docs/porting.md). Without
    /// aws-lc-rs the call returns [`Error::Unsupported`] saying so.
    pub fn generate(size: RsaKeySize, exponent: RsaExponent) -> Result<Self> {
        if matches!(size, RsaKeySize::Bits512 | RsaKeySize::Bits1024) {
            return Err(Error::unsupported(format!(
                "RSA keys of {} bits are not generated: they can be factored or are too weak (use 2048 or more)",
                size.bits()
            )));
        }
        if exponent == RsaExponent::Small {
            return Err(Error::unsupported(
                "RSA keys with e = 3 (EXP_SMALL) are not generated: use EXP_LARGE (65537)",
            ));
        }
        let pkcs8 = pk::generate_rsa(size.bits())?;
        Ok(RsaKey(der_forms::from_pkcs8(&pkcs8)?))
    }

    /// Wraps an [`EvpPKey`] holding an RSA key.
    pub fn from_evp(key: EvpPKey) -> Result<Self> {
        match key.key_type() {
            KeyType::Rsa => Ok(RsaKey(key)),
            other => Err(Error::invalid(format!("not an RSA key: {other}"))),
        }
    }

    /// Reads a PEM or DER RSA key (any format [`EvpPKey::from_bytes`] reads).
    pub fn from_bytes(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Self> {
        Self::from_evp(EvpPKey::from_bytes(bytes, passphrase)?)
    }

    /// Reads an RSA key file (PEM or DER).
    pub fn from_file(path: impl AsRef<std::path::Path>, passphrase: Option<&[u8]>) -> Result<Self> {
        Self::from_evp(EvpPKey::from_file(path, passphrase)?)
    }

    /// The modulus size in bits (POCO's `size()`).
    pub fn size(&self) -> usize {
        self.0.bits()
    }

    /// The modulus `n`, big-endian without leading zeros (POCO's `modulus()`).
    pub fn modulus(&self) -> Vec<u8> {
        public_parts(self.0.public_key_bytes()).map(|(n, _)| n).unwrap_or_default()
    }

    /// The public exponent `e` (POCO's `encryptionExponent()`).
    pub fn encryption_exponent(&self) -> Vec<u8> {
        public_parts(self.0.public_key_bytes()).map(|(_, e)| e).unwrap_or_default()
    }

    /// The private exponent `d` (POCO's `decryptionExponent()`); an error for a public key.
    pub fn decryption_exponent(&self) -> Result<Zeroizing<Vec<u8>>> {
        let inner = der_forms::pkcs8_inner(self.0.private_pkcs8()?)?;
        let key = pkcs1::RsaPrivateKeyRef::from_der(&inner)
            .map_err(|e| Error::format(format!("RSA private key: {e}")))?;
        Ok(Zeroizing::new(key.private_exponent.as_bytes().to_vec()))
    }

    /// The public key as PKCS #1 `BEGIN RSA PUBLIC KEY` PEM, as POCO's `RSAKey::save` writes it.
    pub fn public_key_pem_pkcs1(&self) -> String {
        super::pem::encode("RSA PUBLIC KEY", self.0.public_key_bytes())
    }

    /// The key as an [`EvpPKey`].
    pub fn evp(&self) -> &EvpPKey {
        &self.0
    }
}

impl From<RsaKey> for EvpPKey {
    fn from(key: RsaKey) -> Self {
        key.0
    }
}

impl std::fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaKey({} bits, private: {})", self.size(), self.0.has_private_key())
    }
}

fn public_parts(pkcs1_public: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let key = pkcs1::RsaPublicKeyRef::from_der(pkcs1_public).ok()?;
    Some((key.modulus.as_bytes().to_vec(), key.public_exponent.as_bytes().to_vec()))
}

pub(crate) fn modulus_bits(pkcs1_public: &[u8]) -> usize {
    public_parts(pkcs1_public).map_or(0, |(n, _)| {
        n.first().map_or(0, |&top| (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
    })
}

/// The limits on RSA keys read: OpenSSL's (16384-bit modulus) and a sane exponent.
const MAX_MODULUS_BITS: usize = 16384;

fn checked_public(n: UintRef<'_>, e: UintRef<'_>) -> Result<Vec<u8>> {
    let bits = n.as_bytes().len() * 8;
    if bits > MAX_MODULUS_BITS + 8 {
        return Err(Error::invalid(format!("RSA modulus larger than {MAX_MODULUS_BITS} bits")));
    }
    if n.as_bytes().len() < 64 {
        return Err(Error::invalid("RSA modulus shorter than 512 bits"));
    }
    let e_bytes = e.as_bytes();
    if e_bytes.is_empty() || e_bytes.len() > 8 || e_bytes.last().is_some_and(|b| b & 1 == 0) || e_bytes == [1]
    {
        return Err(Error::invalid("RSA public exponent must be odd, greater than 1 and at most 64 bits"));
    }
    pkcs1::RsaPublicKeyRef { modulus: n, public_exponent: e }
        .to_der()
        .map_err(|e| Error::format(format!("RSA public key: {e}")))
}

fn null() -> AnyRef<'static> {
    AnyRef::NULL
}

/// A PKCS #1 `RSAPrivateKey` DER.
pub(crate) fn from_pkcs1_private(der: &[u8]) -> Result<EvpPKey> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der)
        .map_err(|e| Error::format(format!("malformed RSA private key: {e}")))?;
    if key.other_prime_infos.is_some() {
        return Err(Error::unsupported("multi-prime RSA keys are not supported"));
    }
    let public = checked_public(key.modulus, key.public_exponent)?;
    let spki = der_forms::spki(RSA_ENCRYPTION, Some(null()), &public)?;
    let pkcs8 = der_forms::pkcs8(RSA_ENCRYPTION, Some(null()), der)?;
    Ok(EvpPKey::from_parts(KeyType::Rsa, spki, public, Some(pkcs8)))
}

/// A PKCS #1 `RSAPublicKey` DER.
pub(crate) fn from_pkcs1_public(der: &[u8]) -> Result<EvpPKey> {
    let key = pkcs1::RsaPublicKeyRef::from_der(der)
        .map_err(|e| Error::format(format!("malformed RSA public key: {e}")))?;
    let public = checked_public(key.modulus, key.public_exponent)?;
    let spki = der_forms::spki(RSA_ENCRYPTION, Some(null()), &public)?;
    Ok(EvpPKey::from_parts(KeyType::Rsa, spki, public, None))
}
