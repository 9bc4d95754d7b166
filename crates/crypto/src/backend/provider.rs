//! The provider backend: `aws-lc-rs` or `ring`, the crates rustls takes its cryptography from.
//!
//! Both expose the same `digest`, `hmac`, `pbkdf2` and `aead` API, so one module serves
//! either. Algorithms the provider lacks return `None` and the caller falls back to RustCrypto.

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as p;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use ring as p;

use std::num::NonZeroU32;

use p::{aead, digest, hmac, pbkdf2};

use crate::digest::DigestAlgorithm;

#[cfg(feature = "aws-lc-rs")]
pub(crate) const NAME: &str = "aws-lc-rs";
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub(crate) const NAME: &str = "ring";

fn digest_alg(alg: DigestAlgorithm) -> Option<&'static digest::Algorithm> {
    Some(match alg {
        DigestAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        #[cfg(feature = "aws-lc-rs")]
        DigestAlgorithm::Sha224 => &digest::SHA224,
        DigestAlgorithm::Sha256 => &digest::SHA256,
        DigestAlgorithm::Sha384 => &digest::SHA384,
        DigestAlgorithm::Sha512 => &digest::SHA512,
        DigestAlgorithm::Sha512_256 => &digest::SHA512_256,
        _ => return None,
    })
}

fn hmac_alg(alg: DigestAlgorithm) -> Option<hmac::Algorithm> {
    Some(match alg {
        DigestAlgorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        #[cfg(feature = "aws-lc-rs")]
        DigestAlgorithm::Sha224 => hmac::HMAC_SHA224,
        DigestAlgorithm::Sha256 => hmac::HMAC_SHA256,
        DigestAlgorithm::Sha384 => hmac::HMAC_SHA384,
        DigestAlgorithm::Sha512 => hmac::HMAC_SHA512,
        _ => return None,
    })
}

fn pbkdf2_alg(alg: DigestAlgorithm) -> Option<pbkdf2::Algorithm> {
    Some(match alg {
        DigestAlgorithm::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
        DigestAlgorithm::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        DigestAlgorithm::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
        DigestAlgorithm::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        _ => return None,
    })
}

/// A running hash; `finish_reset` starts a fresh context of the same algorithm.
#[derive(Clone)]
pub(crate) struct Hasher(digest::Context);

impl Hasher {
    pub(crate) fn new(alg: DigestAlgorithm) -> Option<Self> {
        digest_alg(alg).map(|a| Hasher(digest::Context::new(a)))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish_reset(&mut self) -> Vec<u8> {
        let fresh = digest::Context::new(self.0.algorithm());
        std::mem::replace(&mut self.0, fresh).finish().as_ref().to_vec()
    }
}

/// A running HMAC.
#[derive(Clone)]
pub(crate) struct Mac(hmac::Context);

impl Mac {
    pub(crate) fn new(alg: DigestAlgorithm, key: &[u8]) -> Option<Self> {
        hmac_alg(alg).map(|a| Mac(hmac::Context::with_key(&hmac::Key::new(a, key))))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.sign().as_ref().to_vec()
    }
}

/// PBKDF2; `None` if the provider lacks the digest. `rounds` is non-zero (checked by the caller).
pub(crate) fn pbkdf2(
    alg: DigestAlgorithm,
    password: &[u8],
    salt: &[u8],
    rounds: NonZeroU32,
    out: &mut [u8],
) -> Option<()> {
    let alg = pbkdf2_alg(alg)?;
    // Both crates panic only for an empty or astronomically long output, which
    // `kdf::pbkdf2_hmac` rules out (1 byte to 1 MiB).
    pbkdf2::derive(alg, rounds, salt, password, out);
    Some(())
}

/// An AES-GCM key with a 96-bit nonce and a 128-bit tag.
pub(crate) struct GcmKey(aead::LessSafeKey);

impl GcmKey {
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        let alg = match key.len() {
            16 => &aead::AES_128_GCM,
            #[cfg(feature = "aws-lc-rs")]
            24 => &aead::AES_192_GCM,
            32 => &aead::AES_256_GCM,
            _ => return None,
        };
        Some(GcmKey(aead::LessSafeKey::new(aead::UnboundKey::new(alg, key).ok()?)))
    }

    pub(crate) fn seal(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8]) -> Option<[u8; 16]> {
        let nonce = aead::Nonce::assume_unique_for_key(*nonce);
        let tag = self.0.seal_in_place_separate_tag(nonce, aead::Aad::from(aad), in_out).ok()?;
        tag.as_ref().try_into().ok()
    }

    pub(crate) fn open(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8], tag: &[u8; 16]) -> bool {
        let nonce = aead::Nonce::assume_unique_for_key(*nonce);
        #[cfg(feature = "aws-lc-rs")]
        let opened = self.0.open_in_place_separate_tag(nonce, aead::Aad::from(aad), tag, in_out);
        #[cfg(not(feature = "aws-lc-rs"))]
        let opened = match aead::Tag::try_from(&tag[..]) {
            Ok(tag) => self.0.open_in_place_separate_tag(nonce, aead::Aad::from(aad), tag, in_out, 0..),
            Err(e) => Err(e),
        };
        if opened.is_err() {
            // ring and aws-lc-rs may have written into the buffer before the tag check failed;
            // never hand any of it back.
            in_out.fill(0);
            return false;
        }
        true
    }
}
