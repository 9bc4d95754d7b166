//! ring public-key operations: RSA PKCS #1 v1.5 and PSS signatures (sign and verify), ECDSA on
//! P-256/P-384 with their matching digests, Ed25519. ring signs and verifies messages, not
//! digests, so streaming signers keep the message on this backend ([`super::pk::wants_message`]).
//! ring has no RSA key generation or decryption; `None` means "not here".

use ring::rand::SystemRandom;
use ring::signature::{self as sig, KeyPair as _};

use super::pk::Signed;
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pkey::{Curve, EvpPKey, KeyType};
use crate::sign::SignatureScheme;

fn rsa_signing(scheme: SignatureScheme) -> Option<&'static dyn sig::RsaEncoding> {
    Some(match scheme {
        SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256) => &sig::RSA_PKCS1_SHA256,
        SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha384) => &sig::RSA_PKCS1_SHA384,
        SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha512) => &sig::RSA_PKCS1_SHA512,
        SignatureScheme::RsaPss(DigestAlgorithm::Sha256) => &sig::RSA_PSS_SHA256,
        SignatureScheme::RsaPss(DigestAlgorithm::Sha384) => &sig::RSA_PSS_SHA384,
        SignatureScheme::RsaPss(DigestAlgorithm::Sha512) => &sig::RSA_PSS_SHA512,
        _ => return None,
    })
}

fn verification(kind: KeyType, scheme: SignatureScheme) -> Option<&'static dyn sig::VerificationAlgorithm> {
    use DigestAlgorithm as D;
    Some(match (kind, scheme) {
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(D::Sha1)) => {
            &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(D::Sha256)) => {
            &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(D::Sha384)) => &sig::RSA_PKCS1_2048_8192_SHA384,
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(D::Sha512)) => {
            &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
        }
        (KeyType::Rsa, SignatureScheme::RsaPss(D::Sha256)) => &sig::RSA_PSS_2048_8192_SHA256,
        (KeyType::Rsa, SignatureScheme::RsaPss(D::Sha384)) => &sig::RSA_PSS_2048_8192_SHA384,
        (KeyType::Rsa, SignatureScheme::RsaPss(D::Sha512)) => &sig::RSA_PSS_2048_8192_SHA512,
        (KeyType::Ec(Curve::P256), SignatureScheme::Ecdsa(D::Sha256)) => &sig::ECDSA_P256_SHA256_ASN1,
        (KeyType::Ec(Curve::P384), SignatureScheme::Ecdsa(D::Sha384)) => &sig::ECDSA_P384_SHA384_ASN1,
        (KeyType::Ec(Curve::P256), SignatureScheme::EcdsaP1363(D::Sha256)) => &sig::ECDSA_P256_SHA256_FIXED,
        (KeyType::Ec(Curve::P384), SignatureScheme::EcdsaP1363(D::Sha384)) => &sig::ECDSA_P384_SHA384_FIXED,
        (KeyType::Ed25519, SignatureScheme::Ed25519) => &sig::ED25519,
        _ => return None,
    })
}

fn ecdsa_signing(kind: KeyType, scheme: SignatureScheme) -> Option<&'static sig::EcdsaSigningAlgorithm> {
    use DigestAlgorithm as D;
    Some(match (kind, scheme) {
        (KeyType::Ec(Curve::P256), SignatureScheme::Ecdsa(D::Sha256)) => &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
        (KeyType::Ec(Curve::P384), SignatureScheme::Ecdsa(D::Sha384)) => &sig::ECDSA_P384_SHA384_ASN1_SIGNING,
        (KeyType::Ec(Curve::P256), SignatureScheme::EcdsaP1363(D::Sha256)) => {
            &sig::ECDSA_P256_SHA256_FIXED_SIGNING
        }
        (KeyType::Ec(Curve::P384), SignatureScheme::EcdsaP1363(D::Sha384)) => {
            &sig::ECDSA_P384_SHA384_FIXED_SIGNING
        }
        _ => return None,
    })
}

fn rejected(what: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("ring rejected the {what}: {e}"))
}

pub(crate) fn sign(key: &EvpPKey, scheme: SignatureScheme, input: Signed<'_>) -> Option<Result<Vec<u8>>> {
    let message = input.message?;
    let pkcs8 = match key.private_pkcs8() {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let rng = SystemRandom::new();
    match key.key_type() {
        KeyType::Rsa => {
            let encoding = rsa_signing(scheme)?;
            Some(sig::RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| rejected("RSA private key", e)).and_then(
                |kp| {
                    let mut out = vec![0u8; kp.public().modulus_len()];
                    kp.sign(encoding, &rng, message, &mut out).map_err(|e| rejected("RSA signature", e))?;
                    Ok(out)
                },
            ))
        }
        KeyType::Ec(_) => {
            let alg = ecdsa_signing(key.key_type(), scheme)?;
            Some(
                sig::EcdsaKeyPair::from_pkcs8(alg, pkcs8, &rng)
                    .map_err(|e| rejected("EC private key", e))
                    .and_then(|kp| kp.sign(&rng, message).map_err(|e| rejected("ECDSA signature", e)))
                    .map(|s| s.as_ref().to_vec()),
            )
        }
        KeyType::Ed25519 => Some(
            sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
                .map_err(|e| rejected("Ed25519 private key", e))
                .map(|kp| kp.sign(message).as_ref().to_vec()),
        ),
    }
}

pub(crate) fn verify(
    key: &EvpPKey,
    scheme: SignatureScheme,
    input: Signed<'_>,
    signature: &[u8],
) -> Option<bool> {
    let alg = verification(key.key_type(), scheme)?;
    let message = input.message?;
    Some(sig::UnparsedPublicKey::new(alg, key.public_key_bytes()).verify(message, signature).is_ok())
}
