//! EC keys on the NIST curves: POCO's `ECKey`. Parsing, validation and generation use
//! RustCrypto's `p256`/`p384`/`p521` (constant-time scalar arithmetic), whatever backend signs.

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Encode};
use zeroize::Zeroizing;

use super::der_forms::{self, EC_PUBLIC_KEY};
use super::{EvpPKey, KeyType};
use crate::error::{Error, Result};
use crate::random;

/// A named curve (POCO's `ECKey(curveName)` takes OpenSSL's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (`prime256v1`, `secp256r1`).
    P256,
    /// NIST P-384 (`secp384r1`).
    P384,
    /// NIST P-521 (`secp521r1`).
    P521,
}

impl Curve {
    /// Every supported curve.
    pub const ALL: [Curve; 3] = [Curve::P256, Curve::P384, Curve::P521];

    /// Looks a curve up by its OpenSSL short name (`prime256v1`, `secp384r1`, `secp521r1`) or NIST
    /// name (`P-256`, ...), case-insensitively. Others give [`Error::NotFound`].
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "prime256v1" | "secp256r1" | "p-256" | "p256" => Curve::P256,
            "secp384r1" | "p-384" | "p384" => Curve::P384,
            "secp521r1" | "p-521" | "p521" => Curve::P521,
            _ => {
                return Err(Error::NotFound(format!(
                    "EC curve {name} was not found (supported: prime256v1, secp384r1, secp521r1)"
                )));
            }
        })
    }

    /// OpenSSL's short name (`prime256v1`, `secp384r1`, `secp521r1`).
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "prime256v1",
            Curve::P384 => "secp384r1",
            Curve::P521 => "secp521r1",
        }
    }

    /// The field size in bits.
    pub fn bits(self) -> usize {
        match self {
            Curve::P256 => 256,
            Curve::P384 => 384,
            Curve::P521 => 521,
        }
    }

    /// The size of a scalar (and of r and s in a P1363 signature) in bytes.
    pub fn scalar_len(self) -> usize {
        self.bits().div_ceil(8)
    }

    pub(crate) fn oid(self) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(match self {
            Curve::P256 => "1.2.840.10045.3.1.7",
            Curve::P384 => "1.3.132.0.34",
            Curve::P521 => "1.3.132.0.35",
        })
    }

    pub(crate) fn from_oid(oid: ObjectIdentifier) -> Result<Self> {
        Curve::ALL.into_iter().find(|c| c.oid() == oid).ok_or_else(|| {
            Error::NotFound(format!(
                "EC curve {oid} was not found (supported: prime256v1, secp384r1, secp521r1)"
            ))
        })
    }
}

impl std::str::FromStr for Curve {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Curve::from_name(s)
    }
}

/// Runs `$body` with `$C` bound to the RustCrypto curve crate of `$curve`.
macro_rules! with_curve {
    ($curve:expr, $C:ident => $body:expr) => {
        match $curve {
            Curve::P256 => {
                use p256 as $C;
                $body
            }
            Curve::P384 => {
                use p384 as $C;
                $body
            }
            Curve::P521 => {
                use p521 as $C;
                $body
            }
        }
    };
}
pub(crate) use with_curve;

/// An EC key pair or public key: POCO's `ECKey`.
///
/// ```
/// use rpoco_crypto::{EcKey, Curve};
/// let key = EcKey::generate_named("prime256v1")?;
/// assert_eq!(key.curve(), Curve::P256);
/// assert!(matches!(EcKey::generate_named("brainpoolP256r1"), Err(rpoco_crypto::Error::NotFound(_))));
/// # Ok::<(), rpoco_crypto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EcKey(EvpPKey, Curve);

impl EcKey {
    /// Generates a key pair on `curve`.
    pub fn generate(curve: Curve) -> Result<Self> {
        let mut bytes = Zeroizing::new(vec![0u8; curve.scalar_len()]);
        // A random string is a valid scalar except with negligible probability (below the
        // group order, not zero); draw again in that case.
        for _ in 0..64 {
            random::fill_random(&mut bytes)?;
            if curve == Curve::P521 {
                bytes[0] &= 0x01;
            }
            let sec1: Option<Zeroizing<Vec<u8>>> = with_curve!(curve, C => {
                C::SecretKey::from_slice(&bytes).ok().and_then(|k| k.to_sec1_der().ok()).map(|d| Zeroizing::new(d.to_vec()))
            });
            if let Some(sec1) = sec1 {
                return Ok(EcKey(from_sec1(&sec1, Some(curve))?, curve));
            }
        }
        Err(Error::Random("could not draw a valid EC scalar".into()))
    }

    /// Generates a key pair on a curve named as OpenSSL names it (POCO's
    /// `ECKey(const std::string& eccGroup)`).
    pub fn generate_named(curve: &str) -> Result<Self> {
        Self::generate(Curve::from_name(curve)?)
    }

    /// Wraps an [`EvpPKey`] holding an EC key.
    pub fn from_evp(key: EvpPKey) -> Result<Self> {
        match key.key_type() {
            KeyType::Ec(curve) => Ok(EcKey(key, curve)),
            other => Err(Error::invalid(format!("not an EC key: {other}"))),
        }
    }

    /// Reads a PEM or DER EC key.
    pub fn from_bytes(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Self> {
        Self::from_evp(EvpPKey::from_bytes(bytes, passphrase)?)
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        self.1
    }

    /// The key as an [`EvpPKey`].
    pub fn evp(&self) -> &EvpPKey {
        &self.0
    }
}

impl From<EcKey> for EvpPKey {
    fn from(key: EcKey) -> Self {
        key.0
    }
}

impl std::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcKey({}, private: {})", self.1.name(), self.0.has_private_key())
    }
}

fn curve_params(curve: Curve) -> Result<Vec<u8>> {
    curve.oid().to_der().map_err(|e| Error::format(format!("curve OID: {e}")))
}

/// A SEC1 `ECPrivateKey` (curve from its parameters or, in PKCS #8, from the algorithm).
pub(crate) fn from_sec1(der: &[u8], curve: Option<Curve>) -> Result<EvpPKey> {
    let key = sec1::EcPrivateKey::from_der(der)
        .map_err(|e| Error::format(format!("malformed EC private key: {e}")))?;
    let inner = match key.parameters.as_ref().and_then(|p| p.named_curve()) {
        Some(oid) => Some(Curve::from_oid(oid)?),
        None if key.parameters.is_some() => {
            return Err(Error::unsupported(
                "EC keys with explicit curve parameters are not supported; use a named curve",
            ));
        }
        None => None,
    };
    let curve = match (curve, inner) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::format("EC private key names two different curves"));
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(Error::format("EC private key without a curve")),
    };
    let (point, sec1_norm) = with_curve!(curve, C => {
        let secret = C::SecretKey::from_slice(key.private_key)
            .map_err(|_| Error::invalid(format!("EC private key is not a valid {} scalar", curve.name())))?;
        let point = secret.public_key().to_sec1_bytes().to_vec();
        let sec1 = secret.to_sec1_der().map_err(|e| Error::format(format!("EC private key: {e}")))?;
        (point, Zeroizing::new(sec1.to_vec()))
    });
    if let Some(given) = key.public_key
        && given != point.as_slice()
    {
        return Err(Error::invalid("EC private key carries a public key that does not belong to it"));
    }
    let params = curve_params(curve)?;
    let params = AnyRef::from_der(&params).map_err(|e| Error::format(format!("curve OID: {e}")))?;
    let spki = der_forms::spki(EC_PUBLIC_KEY, Some(params), &point)?;
    let pkcs8 = der_forms::pkcs8(EC_PUBLIC_KEY, Some(params), &sec1_norm)?;
    Ok(EvpPKey::from_parts(KeyType::Ec(curve), spki, point, Some(pkcs8)))
}

/// A public key as a SEC1 point (compressed or not); validated and stored uncompressed.
pub(crate) fn public_from_point(curve: Curve, point: &[u8]) -> Result<EvpPKey> {
    let point = with_curve!(curve, C => {
        C::PublicKey::from_sec1_bytes(point)
            .map_err(|_| Error::invalid(format!("not a valid {} public key point", curve.name())))?
            .to_sec1_bytes()
            .to_vec()
    });
    let params = curve_params(curve)?;
    let params = AnyRef::from_der(&params).map_err(|e| Error::format(format!("curve OID: {e}")))?;
    let spki = der_forms::spki(EC_PUBLIC_KEY, Some(params), &point)?;
    Ok(EvpPKey::from_parts(KeyType::Ec(curve), spki, point, None))
}

/// The SEC1 `ECPrivateKey` (with curve and public key) for a normalized PKCS #8 EC key.
pub(crate) fn sec1_from_pkcs8(pkcs8: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    der_forms::pkcs8_inner(pkcs8)
}
