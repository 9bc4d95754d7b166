//! Key derivation: PBKDF2 (the recommended one) and OpenSSL's `EVP_BytesToKey` (POCO's).
//!
//! POCO's passphrase [`CipherKey`](crate::CipherKey) derives key and IV with OpenSSL's
//! `EVP_BytesToKey`, not PBKDF2: `D1 = H^count(pass ‖ salt)`, `Di = H^count(Di-1 ‖ pass ‖ salt)`,
//! key ‖ IV taken from `D1 ‖ D2 ‖ …`, with MD5 and 2000 rounds by default. POCO first folds the
//! salt string into the 8 bytes OpenSSL expects ([`poco_salt`]). Both are ported exactly so data
//! encrypted by a C++ program decrypts here. For new designs use [`pbkdf2_hmac`] with SHA-256
//! and a high iteration count (or [`crate::auth::hash_password`] for stored passwords).
//!
//! ```
//! use rpoco_crypto::kdf;
//!
//! // RFC 7914 §11 (PBKDF2-HMAC-SHA256, one iteration).
//! let dk = kdf::pbkdf2_hmac_sha256(b"passwd", b"salt", 1, 16)?;
//! assert_eq!(rpoco_crypto::digest_to_hex(&dk), "55ac046e56e3089fec1691c22544b605");
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::num::NonZeroU32;

use crate::backend;
use crate::digest::{DigestAlgorithm, DigestEngine};
use crate::error::{Error, Result};

/// PBKDF2 (RFC 8018) with HMAC over `algorithm`: `len` bytes from `password` and `salt`.
///
/// `iterations` must be at least 1 and `len` between 1 and 1 MiB, else
/// [`Error::InvalidArgument`].
pub fn pbkdf2_hmac(
    algorithm: DigestAlgorithm,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    len: usize,
) -> Result<Vec<u8>> {
    let rounds = NonZeroU32::new(iterations)
        .ok_or_else(|| Error::invalid("PBKDF2 iteration count must be at least 1"))?;
    if len == 0 || len > 1 << 20 {
        return Err(Error::invalid(format!("PBKDF2 output length must be 1 to 1048576 bytes, got {len}")));
    }
    let mut out = vec![0u8; len];
    backend::pbkdf2(algorithm, password, salt, rounds, &mut out);
    Ok(out)
}

/// PBKDF2-HMAC-SHA256, the recommended password-based key derivation.
pub fn pbkdf2_hmac_sha256(password: &[u8], salt: &[u8], iterations: u32, len: usize) -> Result<Vec<u8>> {
    pbkdf2_hmac(DigestAlgorithm::Sha256, password, salt, iterations, len)
}

/// Folds a salt string into the 8 bytes `EVP_BytesToKey` takes, exactly as POCO's
/// `CipherKeyImpl::generateKey` does: the first 8 bytes repeat a shorter salt cyclically, the
/// bytes past the 8th are XORed onto position `i % 8`. An empty salt means "no salt" (`None`).
///
/// ```
/// use rpoco_crypto::kdf::poco_salt;
/// assert_eq!(poco_salt(b"abc"), Some(*b"abcabcab"));
/// assert_eq!(poco_salt(b""), None);
/// ```
pub fn poco_salt(salt: &[u8]) -> Option<[u8; 8]> {
    if salt.is_empty() {
        return None;
    }
    let mut out = [0u8; 8];
    for (i, b) in out.iter_mut().enumerate() {
        *b = salt[i % salt.len()];
    }
    for (i, b) in salt.iter().enumerate().skip(8) {
        out[i % 8] ^= b;
    }
    Some(out)
}

/// OpenSSL's `EVP_BytesToKey`: `key_len` key bytes and `iv_len` IV bytes from `password`
/// and an optional 8-byte salt, with `count` rounds of `digest` per block.
///
/// `count` must be at least 1. The same inputs give the same key and IV as
/// `openssl enc -<cipher> -md <digest> -S <salt> -k <password> -P` (which uses `count = 1`).
pub fn evp_bytes_to_key(
    digest: DigestAlgorithm,
    password: &[u8],
    salt: Option<&[u8; 8]>,
    count: u32,
    key_len: usize,
    iv_len: usize,
) -> Result<(Vec<u8>, Vec<u8>)> {
    if count == 0 {
        return Err(Error::invalid("EVP_BytesToKey iteration count must be at least 1"));
    }
    let mut engine = DigestEngine::with_algorithm(digest);
    let mut material = zeroize::Zeroizing::new(Vec::with_capacity(key_len + iv_len + digest.digest_length()));
    let mut previous = zeroize::Zeroizing::new(Vec::new());
    while material.len() < key_len + iv_len {
        engine.update(&previous);
        engine.update(password);
        if let Some(salt) = salt {
            engine.update(salt);
        }
        let mut block = zeroize::Zeroizing::new(engine.digest());
        for _ in 1..count {
            engine.update(&block);
            block = zeroize::Zeroizing::new(engine.digest());
        }
        material.extend_from_slice(&block);
        previous = block;
    }
    let key = material[..key_len].to_vec();
    let iv = material[key_len..key_len + iv_len].to_vec();
    Ok((key, iv))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::digest_to_hex;

    #[test]
    fn salt_folding_matches_poco() {
        assert_eq!(poco_salt(b"12345678"), Some(*b"12345678"));
        assert_eq!(poco_salt(b"x"), Some(*b"xxxxxxxx"));
        // "asdff8723lasdf(**923412" from POCO's CipherKey documentation: 23 bytes.
        let s = b"asdff8723lasdf(**923412";
        let mut want = *b"asdff872";
        for i in 8..s.len() {
            want[i % 8] ^= s[i];
        }
        assert_eq!(poco_salt(s), Some(want));
    }

    #[test]
    fn evp_bytes_to_key_matches_openssl_enc() {
        // `openssl enc -aes-256-cbc -md md5 -S 0102030405060708 -k password -P`
        let (key, iv) =
            evp_bytes_to_key(DigestAlgorithm::Md5, b"password", Some(&[1, 2, 3, 4, 5, 6, 7, 8]), 1, 32, 16)
                .unwrap();
        assert_eq!(digest_to_hex(&key), OPENSSL_KEY);
        assert_eq!(digest_to_hex(&iv), OPENSSL_IV);
    }

    const OPENSSL_KEY: &str = "e7b0971e52ca5cc8d0539fb3412f6316f7ba2e6ee293d9f3457b99436b51ce02";
    const OPENSSL_IV: &str = "8d450e2ed75a84a923d4eac9fe49226b";

    #[test]
    fn pbkdf2_rejects_bad_parameters() {
        assert!(matches!(pbkdf2_hmac_sha256(b"p", b"s", 0, 32), Err(Error::InvalidArgument(_))));
        assert!(matches!(pbkdf2_hmac_sha256(b"p", b"s", 1, 0), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn pbkdf2_every_digest_rfc_6070_style() {
        // RFC 6070 test 2 (SHA-1, 2 iterations).
        let dk = pbkdf2_hmac(DigestAlgorithm::Sha1, b"password", b"salt", 2, 20).unwrap();
        assert_eq!(digest_to_hex(&dk), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
        for alg in DigestAlgorithm::ALL {
            assert_eq!(pbkdf2_hmac(alg, b"p", b"s", 3, 40).unwrap().len(), 40);
            // Empty password and salt are legal (RFC 8018) and must not upset any backend.
            assert_eq!(pbkdf2_hmac(alg, b"", b"", 1, 64).unwrap().len(), 64);
        }
        // The largest output accepted works on every backend.
        assert_eq!(pbkdf2_hmac(DigestAlgorithm::Sha256, b"", b"", 1, 1 << 20).unwrap().len(), 1 << 20);
        assert!(matches!(pbkdf2_hmac_sha256(b"", b"", 1, (1 << 20) + 1), Err(Error::InvalidArgument(_))));
    }
}
