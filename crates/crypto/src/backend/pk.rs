//! The public-key seam: signatures, RSA encryption and RSA key generation.
//!
//! The provider (aws-lc-rs or ring) serves what it has; RustCrypto serves the rest: ECDSA and
//! Ed25519 on any curve and digest (constant-time `p256`/`p384`/`p521`, `ed25519-dalek`) and RSA
//! **public-key** operations (verify, encrypt) through the `rsa` crate. RSA private-key
//! operations (sign, decrypt) never go to the `rsa` crate (RUSTSEC-2023-0071, a timing side
//! channel): without a provider that has them they fail with [`Error::Unsupported`].

use zeroize::Zeroizing;

#[cfg(feature = "aws-lc-rs")]
use super::pk_aws as provider;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use super::pk_ring as provider;
use super::pk_rustcrypto as rustcrypto;
use crate::error::{Error, Result};
use crate::pkey::EvpPKey;
use crate::rsa_cipher::RsaPadding;
use crate::sign::SignatureScheme;

/// What is signed: the digest of the message (empty for Ed25519) and, when the backend needs
/// it ([`wants_message`]), the message itself.
#[derive(Clone, Copy)]
pub(crate) struct Signed<'a> {
    pub(crate) digest: &'a [u8],
    pub(crate) message: Option<&'a [u8]>,
}

/// `true` if the backend signs messages rather than digests (ring has no digest API), so
/// streaming signers must keep the message.
pub(crate) fn wants_message() -> bool {
    cfg!(all(feature = "ring", not(feature = "aws-lc-rs")))
}

/// Signs with the private key of `key`.
pub(crate) fn sign(key: &EvpPKey, scheme: SignatureScheme, input: Signed<'_>) -> Result<Vec<u8>> {
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    if let Some(result) = provider::sign(key, scheme, input) {
        return result;
    }
    rustcrypto::sign(key, scheme, input)
}

/// `true` if `signature` verifies under the public key of `key`.
pub(crate) fn verify(key: &EvpPKey, scheme: SignatureScheme, input: Signed<'_>, signature: &[u8]) -> bool {
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    if let Some(valid) = provider::verify(key, scheme, input, signature) {
        return valid;
    }
    rustcrypto::verify(key, scheme, input, signature)
}

/// A new RSA key pair as PKCS #8 DER (e = 65537).
pub(crate) fn generate_rsa(bits: usize) -> Result<Zeroizing<Vec<u8>>> {
    #[cfg(feature = "aws-lc-rs")]
    return provider::generate_rsa(bits);
    #[cfg(not(feature = "aws-lc-rs"))]
    Err(Error::unsupported(format!(
        "RSA-{bits} key generation needs a constant-time implementation: build rpoco-crypto with the \
         `aws-lc-rs` feature ({} has none)",
        super::name()
    )))
}

/// RSA encryption with the public key.
pub(crate) fn rsa_encrypt(key: &EvpPKey, padding: RsaPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
    #[cfg(feature = "aws-lc-rs")]
    if let Some(result) = provider::rsa_encrypt(key, padding, plaintext) {
        return result;
    }
    rustcrypto::rsa_encrypt(key, padding, plaintext)
}

/// RSA decryption with the private key.
pub(crate) fn rsa_decrypt(
    key: &EvpPKey,
    padding: RsaPadding,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    #[cfg(feature = "aws-lc-rs")]
    return provider::rsa_decrypt(key, padding, ciphertext);
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        let _ = (key, ciphertext);
        Err(Error::unsupported(format!(
            "RSA {padding} decryption needs a constant-time implementation: build rpoco-crypto with the \
             `aws-lc-rs` feature ({} has none; the `rsa` crate is not used for it, RUSTSEC-2023-0071)",
            super::name()
        )))
    }
}

/// The error for an RSA signature the backend cannot make in constant time.
pub(crate) fn no_rsa_signing(scheme: SignatureScheme) -> Error {
    Error::unsupported(format!(
        "{scheme} signing needs a constant-time RSA implementation: build rpoco-crypto with the `aws-lc-rs` \
         (or `ring`) feature ({} has none for it; the `rsa` crate is not used for private-key operations, \
         RUSTSEC-2023-0071)",
        super::name()
    ))
}
