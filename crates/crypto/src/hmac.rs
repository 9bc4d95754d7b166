//! HMAC (RFC 2104): POCO's `HMACEngine<Engine>` over every [`DigestAlgorithm`].
//!
//! As in POCO, [`HmacEngine::digest`] finishes **and resets** to the keyed state, so the same
//! engine authenticates message after message. [`HmacEngine::verify`] compares in constant
//! time and accepts a truncated tag (RFC 2104 §5) of at least half the digest and 10 bytes.
//!
//! ```
//! use rpoco_crypto::{DigestAlgorithm, HmacEngine, digest_to_hex};
//!
//! // RFC 4231 test case 2.
//! let mut mac = HmacEngine::new(DigestAlgorithm::Sha256, b"Jefe");
//! mac.update(b"what do ya want for nothing?");
//! let tag = mac.digest();
//! assert_eq!(
//!     digest_to_hex(&tag),
//!     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
//! );
//! mac.update(b"what do ya want for nothing?");
//! assert!(mac.verify(&tag).is_ok());
//! ```

use std::fmt;
use std::io;

use subtle::ConstantTimeEq;

use crate::backend;
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};

/// A running HMAC keyed with one key (POCO `HMACEngine`).
#[derive(Clone)]
pub struct HmacEngine {
    algorithm: DigestAlgorithm,
    keyed: backend::Mac,
    state: backend::Mac,
}

impl fmt::Debug for HmacEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("HmacEngine").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl HmacEngine {
    /// An HMAC with `algorithm` and `key`. Keys longer than the block size are hashed first
    /// (RFC 2104), as POCO does.
    pub fn new(algorithm: DigestAlgorithm, key: &[u8]) -> Self {
        let keyed = backend::Mac::new(algorithm, key);
        HmacEngine { algorithm, state: keyed.clone(), keyed }
    }

    /// An HMAC over the digest with this OpenSSL name (`"SHA256"`, ...).
    pub fn with_name(name: &str, key: &[u8]) -> Result<Self> {
        Ok(Self::new(DigestAlgorithm::from_name(name)?, key))
    }

    /// The HMAC of `data` in one call.
    pub fn mac(algorithm: DigestAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut engine = Self::new(algorithm, key);
        engine.update(data);
        engine.digest()
    }

    /// The digest algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The tag length in bytes (the digest length).
    pub fn digest_length(&self) -> usize {
        self.algorithm.digest_length()
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.state.update(data);
    }

    /// Finishes, returns the tag and resets to the keyed state (as POCO).
    pub fn digest(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.state, self.keyed.clone()).finish()
    }

    /// Discards the data added since the last `digest()` or `reset()`; the key stays.
    pub fn reset(&mut self) {
        self.state = self.keyed.clone();
    }

    /// Finishes like [`digest`](Self::digest) and compares with `expected` in constant time.
    ///
    /// `expected` may be the full tag or a truncated one (its leading bytes) of at least half
    /// the digest length and at least 10 bytes; shorter or longer tags give
    /// [`Error::InvalidArgument`], a mismatch gives [`Error::TagMismatch`].
    pub fn verify(&mut self, expected: &[u8]) -> Result<()> {
        let full = self.digest();
        let min = (full.len() / 2).max(10);
        if expected.len() < min || expected.len() > full.len() {
            return Err(Error::invalid(format!(
                "HMAC-{} tag must be {min} to {} bytes, got {}",
                self.algorithm,
                full.len(),
                expected.len()
            )));
        }
        if bool::from(full[..expected.len()].ct_eq(expected)) { Ok(()) } else { Err(Error::TagMismatch) }
    }
}

impl io::Write for HmacEngine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::digest_to_hex;

    #[test]
    fn rfc_4231_case_6_long_key_is_hashed() {
        let key = [0xaa; 131];
        let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
        let tag = HmacEngine::mac(DigestAlgorithm::Sha512, &key, data);
        assert_eq!(
            digest_to_hex(&tag),
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
        );
    }

    #[test]
    fn every_algorithm_has_the_right_length_and_resets_to_keyed_state() {
        for alg in DigestAlgorithm::ALL {
            let mut e = HmacEngine::new(alg, b"key");
            e.update(b"message");
            let a = e.digest();
            assert_eq!(a.len(), alg.digest_length());
            e.update(b"mess");
            e.update(b"age");
            assert_eq!(e.digest(), a, "{alg}");
            e.update(b"junk");
            e.reset();
            e.update(b"message");
            assert!(e.verify(&a).is_ok());
        }
    }

    #[test]
    fn md5_matches_rfc_2104() {
        let tag = HmacEngine::mac(DigestAlgorithm::Md5, &[0x0b; 16], b"Hi There");
        assert_eq!(digest_to_hex(&tag), "9294727a3638bb1c13f48ef8158bfc9d");
    }

    #[test]
    fn verify_rejects_mismatch_and_bad_lengths() {
        let mut e = HmacEngine::new(DigestAlgorithm::Sha256, b"k");
        e.update(b"m");
        let mut tag = e.digest();
        e.update(b"m");
        assert!(e.verify(&tag[..16]).is_ok());
        tag[31] ^= 1;
        e.update(b"m");
        assert!(matches!(e.verify(&tag), Err(Error::TagMismatch)));
        e.update(b"m");
        assert!(matches!(e.verify(&tag[..8]), Err(Error::InvalidArgument(_))));
    }
}
