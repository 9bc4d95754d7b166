//! RustCrypto public-key operations: ECDSA and Ed25519 (sign and verify), RSA verify and encrypt.

use ed25519_dalek::{Signer as _, Verifier as _};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use rsa::pkcs1::DecodeRsaPublicKey;

use super::pk::{Signed, no_rsa_signing};
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pkey::ec::with_curve;
use crate::pkey::{Curve, EvpPKey, KeyType};
use crate::rsa_cipher::RsaPadding;
use crate::sign::SignatureScheme;

/// Runs `$body` with `$D` the RustCrypto hash type of a [`DigestAlgorithm`] (SHA-1/SHA-2).
macro_rules! with_digest {
    ($d:expr, $D:ident => $body:expr) => {
        match $d {
            DigestAlgorithm::Sha1 => {
                type $D = sha1::Sha1;
                $body
            }
            DigestAlgorithm::Sha224 => {
                type $D = sha2::Sha224;
                $body
            }
            DigestAlgorithm::Sha384 => {
                type $D = sha2::Sha384;
                $body
            }
            DigestAlgorithm::Sha512 => {
                type $D = sha2::Sha512;
                $body
            }
            DigestAlgorithm::Sha512_224 => {
                type $D = sha2::Sha512_224;
                $body
            }
            DigestAlgorithm::Sha512_256 => {
                type $D = sha2::Sha512_256;
                $body
            }
            DigestAlgorithm::Md5 => {
                type $D = md5::Md5;
                $body
            }
            _ => {
                type $D = sha2::Sha256;
                $body
            }
        }
    };
}

pub(crate) fn sign(key: &EvpPKey, scheme: SignatureScheme, input: Signed<'_>) -> Result<Vec<u8>> {
    let pkcs8 = key.private_pkcs8()?;
    match (key.key_type(), scheme) {
        (KeyType::Ec(curve), SignatureScheme::Ecdsa(_) | SignatureScheme::EcdsaP1363(_)) => {
            let sec1 = crate::pkey::der_forms::pkcs8_inner(pkcs8)?;
            with_curve!(curve, C => {
                let secret = C::SecretKey::from_sec1_der(&sec1).map_err(|e| Error::format(format!("EC key: {e}")))?;
                let signer = C::ecdsa::SigningKey::from(secret);
                let sig: C::ecdsa::Signature = signer
                    .sign_prehash(input.digest)
                    .map_err(|e| Error::invalid(format!("ECDSA signing failed: {e}")))?;
                Ok(match scheme {
                    SignatureScheme::EcdsaP1363(_) => sig.to_bytes().to_vec(),
                    _ => sig.to_der().as_bytes().to_vec(),
                })
            })
        }
        (KeyType::Ed25519, SignatureScheme::Ed25519) => {
            let message = input.message.ok_or_else(|| Error::invalid("Ed25519 signs the message itself"))?;
            let seed = crate::pkey::ed25519::seed_from_pkcs8(pkcs8)?;
            let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
            Ok(signing.sign(message).to_bytes().to_vec())
        }
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss(_)) => {
            Err(no_rsa_signing(scheme))
        }
        (kind, scheme) => Err(mismatch(kind, scheme)),
    }
}

pub(crate) fn mismatch(kind: KeyType, scheme: SignatureScheme) -> Error {
    Error::invalid(format!("a {kind} key cannot make or check {scheme} signatures"))
}

pub(crate) fn verify(key: &EvpPKey, scheme: SignatureScheme, input: Signed<'_>, signature: &[u8]) -> bool {
    let public = key.public_key_bytes();
    match (key.key_type(), scheme) {
        (KeyType::Ec(curve), SignatureScheme::Ecdsa(_) | SignatureScheme::EcdsaP1363(_)) => {
            verify_ecdsa(curve, public, scheme, input.digest, signature)
        }
        (KeyType::Ed25519, SignatureScheme::Ed25519) => {
            let Some(message) = input.message else { return false };
            let (Ok(public), Ok(sig)) =
                (<[u8; 32]>::try_from(public), ed25519_dalek::Signature::from_slice(signature))
            else {
                return false;
            };
            ed25519_dalek::VerifyingKey::from_bytes(&public).is_ok_and(|k| k.verify(message, &sig).is_ok())
        }
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(d)) => rsa_public(public).is_ok_and(|k| {
            with_digest!(d, D => k.verify(rsa::Pkcs1v15Sign::new::<D>(), input.digest, signature)).is_ok()
        }),
        (KeyType::Rsa, SignatureScheme::RsaPss(d)) => rsa_public(public).is_ok_and(|k| {
            with_digest!(d, D => k.verify(rsa::pss::Pss::<D>::new(), input.digest, signature)).is_ok()
        }),
        _ => false,
    }
}

fn verify_ecdsa(
    curve: Curve,
    public: &[u8],
    scheme: SignatureScheme,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    with_curve!(curve, C => {
        let Ok(key) = C::ecdsa::VerifyingKey::from_sec1_bytes(public) else { return false };
        let sig = match scheme {
            SignatureScheme::EcdsaP1363(_) => C::ecdsa::Signature::from_slice(signature),
            _ => C::ecdsa::Signature::from_der(signature),
        };
        sig.is_ok_and(|sig| key.verify_prehash(digest, &sig).is_ok())
    })
}

fn rsa_public(pkcs1: &[u8]) -> Result<rsa::PublicKey> {
    rsa::PublicKey::from_pkcs1_der(pkcs1).map_err(|e| Error::invalid(format!("RSA public key: {e}")))
}

pub(crate) fn rsa_encrypt(key: &EvpPKey, padding: RsaPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
    let public = rsa_public(key.public_key_bytes())?;
    let mut rng = getrandom::SysRng;
    let result = match padding {
        RsaPadding::Pkcs1 => public.encrypt(&mut rng, rsa::Pkcs1v15Encrypt, plaintext),
        RsaPadding::Oaep(d) => {
            with_digest!(d, D => public.encrypt(&mut rng, rsa::Oaep::<D>::new(), plaintext))
        }
    };
    result.map_err(|e| match e {
        rsa::Error::MessageTooLong => Error::invalid(format!(
            "{} bytes are too long for {padding} with a {}-bit key",
            plaintext.len(),
            key.bits()
        )),
        other => Error::invalid(format!("RSA encryption failed: {other}")),
    })
}
