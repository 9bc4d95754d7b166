//! Authentication helpers: HMAC message signatures and PBKDF2 password hashes, both verified
//! in constant time.
//!
//! Password hashes are PHC-style strings that carry their parameters, so the iteration count
//! can be raised later without breaking stored hashes:
//! `$pbkdf2-sha256$i=600000,l=32$<salt, Base64>$<hash, Base64>` (standard alphabet, no
//! padding). The default is PBKDF2-HMAC-SHA256 with 600 000 iterations, a 16-byte random salt
//! and a 32-byte hash (OWASP's 2023 recommendation).
//!
//! ```
//! use rpoco_crypto::auth::{self, PasswordParams};
//!
//! let tag = auth::sign(b"server key", b"user=alice");
//! assert!(auth::verify(b"server key", b"user=alice", &tag).is_ok());
//! assert!(auth::verify(b"server key", b"user=mallory", &tag).is_err());
//!
//! let params = PasswordParams { iterations: 1000, ..PasswordParams::default() }; // fast for the example
//! let stored = auth::hash_password_with("correct horse", params)?;
//! assert!(stored.starts_with("$pbkdf2-sha256$i=1000,l=32$"));
//! assert!(auth::verify_password("correct horse", &stored).is_ok());
//! assert!(matches!(auth::verify_password("wrong", &stored), Err(rpoco_crypto::Error::PasswordMismatch)));
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use rpoco_foundation::base64::{self, Base64Options};
use subtle::ConstantTimeEq;

use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::hmac::HmacEngine;
use crate::kdf;
use crate::random;

/// HMAC-SHA256 of `message` under `key`.
pub fn sign(key: &[u8], message: &[u8]) -> Vec<u8> {
    HmacEngine::mac(DigestAlgorithm::Sha256, key, message)
}

/// Checks an HMAC-SHA256 `tag` (full, or truncated to at least 16 bytes) in constant time:
/// [`Error::TagMismatch`] if it does not match.
pub fn verify(key: &[u8], message: &[u8], tag: &[u8]) -> Result<()> {
    let mut mac = HmacEngine::new(DigestAlgorithm::Sha256, key);
    mac.update(message);
    mac.verify(tag)
}

/// Parameters for [`hash_password_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// PBKDF2 iterations (default 600 000).
    pub iterations: u32,
    /// Random salt length in bytes (default 16, at least 8).
    pub salt_len: usize,
    /// Hash length in bytes (default 32, 16 to 64).
    pub hash_len: usize,
}

impl Default for PasswordParams {
    fn default() -> Self {
        PasswordParams { iterations: 600_000, salt_len: 16, hash_len: 32 }
    }
}

/// The most iterations [`verify_password`] will run for a stored hash, so a hostile hash
/// string cannot make verification take hours.
pub const MAX_VERIFY_ITERATIONS: u32 = 10_000_000;

const PREFIX: &str = "$pbkdf2-sha256$";

fn b64() -> Base64Options {
    Base64Options::no_line_breaks().without_padding()
}

/// Hashes `password` with PBKDF2-HMAC-SHA256 and the default [`PasswordParams`].
pub fn hash_password(password: &str) -> Result<String> {
    hash_password_with(password, PasswordParams::default())
}

/// Hashes `password` with the given parameters and a fresh random salt.
pub fn hash_password_with(password: &str, params: PasswordParams) -> Result<String> {
    if params.salt_len < 8 || params.salt_len > 64 {
        return Err(Error::invalid(format!("salt length must be 8 to 64 bytes, got {}", params.salt_len)));
    }
    if !(16..=64).contains(&params.hash_len) {
        return Err(Error::invalid(format!("hash length must be 16 to 64 bytes, got {}", params.hash_len)));
    }
    if params.iterations == 0 || params.iterations > MAX_VERIFY_ITERATIONS {
        return Err(Error::invalid(format!(
            "iterations must be 1 to {MAX_VERIFY_ITERATIONS}, got {}",
            params.iterations
        )));
    }
    let salt = random::random_bytes(params.salt_len)?;
    let hash = kdf::pbkdf2_hmac_sha256(password.as_bytes(), &salt, params.iterations, params.hash_len)?;
    Ok(format!(
        "{PREFIX}i={},l={}${}${}",
        params.iterations,
        params.hash_len,
        base64::encode_with(&salt, b64()),
        base64::encode_with(&hash, b64())
    ))
}

/// Checks `password` against a hash from [`hash_password`] in constant time:
/// [`Error::PasswordMismatch`] if it is wrong, [`Error::Format`] if `stored` is not a hash
/// this crate wrote (or asks for more than [`MAX_VERIFY_ITERATIONS`]).
pub fn verify_password(password: &str, stored: &str) -> Result<()> {
    let bad = |what: &str| Error::format(format!("password hash: {what}"));
    let rest = stored.strip_prefix(PREFIX).ok_or_else(|| bad("does not start with $pbkdf2-sha256$"))?;
    let mut parts = rest.split('$');
    let (Some(params), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("expected i=<iterations>,l=<length>$<salt>$<hash>"));
    };
    let mut iterations = None;
    let mut length = None;
    for kv in params.split(',') {
        match kv.split_once('=') {
            Some(("i", v)) => iterations = v.parse::<u32>().ok(),
            Some(("l", v)) => length = v.parse::<usize>().ok(),
            _ => return Err(bad(&format!("unknown parameter {kv:?}"))),
        }
    }
    let iterations = iterations
        .filter(|i| (1..=MAX_VERIFY_ITERATIONS).contains(i))
        .ok_or_else(|| bad(&format!("iteration count missing or outside 1..={MAX_VERIFY_ITERATIONS}")))?;
    let salt = base64::decode_with(salt, b64()).map_err(|e| bad(&format!("salt: {e}")))?;
    let expected = base64::decode_with(hash, b64()).map_err(|e| bad(&format!("hash: {e}")))?;
    if length.is_some_and(|l| l != expected.len()) || !(16..=64).contains(&expected.len()) || salt.is_empty()
    {
        return Err(bad("salt or hash length is wrong"));
    }
    let actual = kdf::pbkdf2_hmac_sha256(password.as_bytes(), &salt, iterations, expected.len())?;
    if bool::from(actual.ct_eq(&expected)) { Ok(()) } else { Err(Error::PasswordMismatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: PasswordParams = PasswordParams { iterations: 10, salt_len: 16, hash_len: 32 };

    #[test]
    fn salts_differ_and_hashes_verify() {
        let a = hash_password_with("pw", FAST).unwrap();
        let b = hash_password_with("pw", FAST).unwrap();
        assert_ne!(a, b);
        verify_password("pw", &a).unwrap();
        verify_password("pw", &b).unwrap();
        assert!(matches!(verify_password("pW", &a), Err(Error::PasswordMismatch)));
    }

    #[test]
    fn known_hash_verifies() {
        // RFC 7914 §11 vector expressed as a stored hash: P="passwd", S="salt", c=1, 64 bytes.
        let dk = kdf::pbkdf2_hmac_sha256(b"passwd", b"salt", 1, 64).unwrap();
        let stored = format!(
            "$pbkdf2-sha256$i=1,l=64${}${}",
            base64::encode_with(b"salt", b64()),
            base64::encode_with(&dk, b64())
        );
        assert!(crate::digest::digest_to_hex(&dk).starts_with("55ac046e56e3089fec1691c22544b605"));
        verify_password("passwd", &stored).unwrap();
    }

    #[test]
    fn malformed_hashes_are_format_errors() {
        let good = hash_password_with("pw", FAST).unwrap();
        for bad in [
            "",
            "$pbkdf2-sha1$i=1$AAAA$AAAA",
            "$pbkdf2-sha256$i=0,l=32$c2FsdHNhbHQ$AAAA",
            "$pbkdf2-sha256$i=99999999999,l=32$c2FsdA$AAAA",
            "$pbkdf2-sha256$x=1$c2FsdA$AAAA",
            "$pbkdf2-sha256$i=10,l=32$!!$AAAA",
            &good.replace(",l=32", ",l=31"),
            &format!("{good}$extra"),
        ] {
            assert!(matches!(verify_password("pw", bad), Err(Error::Format(_))), "{bad:?}");
        }
    }

    #[test]
    fn sign_verify_truncated_and_tampered() {
        let tag = sign(b"k", b"m");
        verify(b"k", b"m", &tag[..16]).unwrap();
        assert!(matches!(verify(b"k", b"m", &tag[..8]), Err(Error::InvalidArgument(_))));
        assert!(matches!(verify(b"k2", b"m", &tag), Err(Error::TagMismatch)));
    }
}
