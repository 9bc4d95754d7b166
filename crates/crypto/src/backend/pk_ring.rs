//! ring public-key operations: RSA PKCS #1 v1.5 and PSS signatures (sign and verify), ECDSA on
//! P-256/P-384 with their matching digests, Ed25519. ring signs and verifies messages, not
//! digests, so streaming signers keep the message on this backend ([`super::pk::wants_message`]).
//! ring has no RSA key generation or decryption; `None` means "not here".

use ring::rand::SystemRandom;
use ring::signature as sig;

use super::pk::Signed;
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pkey::{Curve, EvpPKey, KeyType};
use crate::sign::SignatureScheme;

super::pk_tables::signature_tables!(sig);

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
