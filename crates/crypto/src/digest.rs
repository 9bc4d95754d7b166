//! Message digests: POCO's `Crypto::DigestEngine` (by OpenSSL name) and `SHA2Engine` (typed).
//!
//! [`DigestEngine::digest`] finishes the computation **and resets** the engine, as POCO's
//! does, so one engine can hash message after message. [`digest_to_hex`] writes lowercase
//! hex like POCO's `DigestEngine::digestToHex`; [`constant_time_equals`] compares digests
//! without leaking where they differ.
//!
//! ```
//! use rpoco_crypto::{DigestAlgorithm, DigestEngine, digest_to_hex};
//!
//! let mut engine = DigestEngine::new("SHA256")?; // by name, as POCO's Crypto::DigestEngine
//! engine.update(b"abc");
//! let d = engine.digest(); // finishes and resets
//! assert_eq!(digest_to_hex(&d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
//!
//! let mut typed = DigestEngine::with_algorithm(DigestAlgorithm::Sha512_256);
//! typed.update(b"abc");
//! assert_eq!(typed.digest().len(), 32);
//! assert_eq!(DigestEngine::hash(DigestAlgorithm::Sha256, b"abc"), d); // one-shot
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::fmt;
use std::io;

use subtle::ConstantTimeEq;

use crate::backend;
use crate::error::{Error, Result};

/// A digest algorithm. MD5 and SHA-1 exist for POCO's legacy key derivation and old data;
/// do not use them for anything new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// MD5 (broken; `EVP_BytesToKey` in POCO's passphrase keys uses it by default).
    Md5,
    /// SHA-1 (broken for collisions; legacy only).
    Sha1,
    /// SHA-224 (POCO `SHA2Engine::SHA_224`).
    Sha224,
    /// SHA-256 (POCO `SHA2Engine::SHA_256`, the default).
    Sha256,
    /// SHA-384 (POCO `SHA2Engine::SHA_384`).
    Sha384,
    /// SHA-512 (POCO `SHA2Engine::SHA_512`).
    Sha512,
    /// SHA-512/224 (POCO `SHA2Engine::SHA_512_224`).
    Sha512_224,
    /// SHA-512/256 (POCO `SHA2Engine::SHA_512_256`).
    Sha512_256,
}

impl DigestAlgorithm {
    /// Every algorithm, weakest first.
    pub const ALL: [DigestAlgorithm; 8] = [
        DigestAlgorithm::Md5,
        DigestAlgorithm::Sha1,
        DigestAlgorithm::Sha224,
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
        DigestAlgorithm::Sha512_224,
        DigestAlgorithm::Sha512_256,
    ];

    /// Looks an algorithm up by its OpenSSL name, case-insensitively: `"MD5"`, `"SHA1"`,
    /// `"SHA224"`, `"SHA256"`, `"SHA384"`, `"SHA512"`, `"SHA512-224"`, `"SHA512-256"`, and the
    /// spellings `"SHA-256"`, `"SHA2-256"`, `"SHA-512/256"` and the like.
    ///
    /// Unknown names give [`Error::NotFound`] (`"Digest <name> was not found"`).
    pub fn from_name(name: &str) -> Result<Self> {
        let n = name.to_ascii_lowercase().replace("sha2-", "sha").replace("sha-", "sha").replace('/', "-");
        Ok(match n.as_str() {
            "md5" => DigestAlgorithm::Md5,
            "sha1" => DigestAlgorithm::Sha1,
            "sha224" => DigestAlgorithm::Sha224,
            "sha256" => DigestAlgorithm::Sha256,
            "sha384" => DigestAlgorithm::Sha384,
            "sha512" => DigestAlgorithm::Sha512,
            "sha512-224" => DigestAlgorithm::Sha512_224,
            "sha512-256" => DigestAlgorithm::Sha512_256,
            _ => return Err(Error::NotFound(format!("Digest {name} was not found"))),
        })
    }

    /// The canonical OpenSSL name (`"SHA256"`, `"SHA512-256"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha1 => "SHA1",
            DigestAlgorithm::Sha224 => "SHA224",
            DigestAlgorithm::Sha256 => "SHA256",
            DigestAlgorithm::Sha384 => "SHA384",
            DigestAlgorithm::Sha512 => "SHA512",
            DigestAlgorithm::Sha512_224 => "SHA512-224",
            DigestAlgorithm::Sha512_256 => "SHA512-256",
        }
    }

    /// The digest length in bytes (POCO `digestLength()`).
    pub fn digest_length(self) -> usize {
        match self {
            DigestAlgorithm::Md5 => 16,
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha224 | DigestAlgorithm::Sha512_224 => 28,
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha512_256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// The block length in bytes (POCO's `BLOCK_SIZE`; the HMAC pad length).
    pub fn block_size(self) -> usize {
        match self {
            DigestAlgorithm::Md5
            | DigestAlgorithm::Sha1
            | DigestAlgorithm::Sha224
            | DigestAlgorithm::Sha256 => 64,
            _ => 128,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DigestAlgorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_name(s)
    }
}

/// A running message digest (POCO `DigestEngine` / `Crypto::DigestEngine` / `SHA2Engine`).
///
/// Also a [`Write`](io::Write), so [`io::copy`] can feed it (POCO's `DigestOutputStream`).
#[derive(Clone)]
pub struct DigestEngine {
    algorithm: DigestAlgorithm,
    state: backend::Hasher,
}

impl fmt::Debug for DigestEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestEngine").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl DigestEngine {
    /// An engine for the algorithm with this OpenSSL name (POCO `Crypto::DigestEngine(name)`).
    pub fn new(name: &str) -> Result<Self> {
        Ok(Self::with_algorithm(DigestAlgorithm::from_name(name)?))
    }

    /// An engine for `algorithm` (POCO `SHA2Engine(algorithm)`).
    pub fn with_algorithm(algorithm: DigestAlgorithm) -> Self {
        DigestEngine { algorithm, state: backend::Hasher::new(algorithm) }
    }

    /// SHA-256, POCO's `SHA2Engine` default.
    pub fn sha256() -> Self {
        Self::with_algorithm(DigestAlgorithm::Sha256)
    }

    /// The digest of `data` in one call.
    pub fn hash(algorithm: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
        let mut engine = Self::with_algorithm(algorithm);
        engine.update(data);
        engine.digest()
    }

    /// The algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The digest length in bytes.
    pub fn digest_length(&self) -> usize {
        self.algorithm.digest_length()
    }

    /// Adds `data` to the digest.
    pub fn update(&mut self, data: &[u8]) {
        self.state.update(data);
    }

    /// Finishes the computation, returns the digest and **resets** the engine (as POCO).
    pub fn digest(&mut self) -> Vec<u8> {
        self.state.finish_reset()
    }

    /// Discards everything added since the last `digest()` or `reset()`.
    pub fn reset(&mut self) {
        self.state = backend::Hasher::new(self.algorithm);
    }
}

impl io::Write for DigestEngine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Lowercase hex of `digest`, without line breaks (POCO `DigestEngine::digestToHex`).
pub fn digest_to_hex(digest: &[u8]) -> String {
    rpoco_foundation::hex::encode_with(digest, rpoco_foundation::hex::HexOptions::no_line_breaks())
}

/// Parses hex (either case) back into a digest (POCO `DigestEngine::digestFromHex`).
///
/// Unlike the lenient hex decoder, whitespace is not accepted: a digest is one token. An odd
/// number of digits or a non-hex character gives [`Error::Encoding`].
pub fn digest_from_hex(hex: &str) -> Result<Vec<u8>> {
    if let Some(pos) = hex.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(Error::Encoding(rpoco_foundation::Error::DataFormat {
            format: "hex",
            offset: pos as u64,
            message: format!("invalid hex digit {:?} in digest", hex[pos..].chars().next().unwrap_or('?')),
        }));
    }
    if !hex.len().is_multiple_of(2) {
        return Err(Error::Encoding(rpoco_foundation::Error::DataFormat {
            format: "hex",
            offset: hex.len() as u64,
            message: "odd number of hex digits in digest".into(),
        }));
    }
    Ok(rpoco_foundation::hex::decode(hex)?)
}

/// Compares two byte strings in time that depends only on their lengths
/// (POCO `DigestEngine::constantTimeEquals`). Different lengths compare unequal.
pub fn constant_time_equals(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(alg: DigestAlgorithm, data: &[u8]) -> String {
        digest_to_hex(&DigestEngine::hash(alg, data))
    }

    #[test]
    fn known_answers_for_every_algorithm() {
        // FIPS 180-4 / RFC 1321 / RFC 3174 "abc" examples.
        let abc = [
            (DigestAlgorithm::Md5, "900150983cd24fb0d6963f7d28e17f72"),
            (DigestAlgorithm::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (DigestAlgorithm::Sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
            (DigestAlgorithm::Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                DigestAlgorithm::Sha384,
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            ),
            (
                DigestAlgorithm::Sha512,
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
            (DigestAlgorithm::Sha512_224, "4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa"),
            (DigestAlgorithm::Sha512_256, "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"),
        ];
        for (alg, want) in abc {
            assert_eq!(hex(alg, b"abc"), want, "{alg}");
            assert_eq!(alg.digest_length() * 2, want.len());
        }
    }

    #[test]
    fn digest_resets_and_reset_discards() {
        let mut e = DigestEngine::sha256();
        e.update(b"a");
        e.update(b"bc");
        let first = e.digest();
        e.update(b"abc");
        assert_eq!(e.digest(), first);
        e.update(b"garbage");
        e.reset();
        e.update(b"abc");
        assert_eq!(e.digest(), first);
        assert_eq!(digest_to_hex(&e.digest()), hex(DigestAlgorithm::Sha256, b""));
    }

    #[test]
    fn names_resolve_like_openssl() {
        for (name, alg) in [
            ("sha256", DigestAlgorithm::Sha256),
            ("SHA2-256", DigestAlgorithm::Sha256),
            ("SHA-512/256", DigestAlgorithm::Sha512_256),
            ("SHA512-224", DigestAlgorithm::Sha512_224),
            ("md5", DigestAlgorithm::Md5),
        ] {
            assert_eq!(DigestAlgorithm::from_name(name).unwrap(), alg);
        }
        let e = DigestAlgorithm::from_name("whirlpool").unwrap_err();
        assert_eq!(e.to_string(), "Not found: Digest whirlpool was not found");
    }

    #[test]
    fn hex_round_trip_and_errors() {
        let d = DigestEngine::hash(DigestAlgorithm::Sha1, b"x");
        let h = digest_to_hex(&d);
        assert_eq!(h, h.to_lowercase());
        assert_eq!(digest_from_hex(&h.to_uppercase()).unwrap(), d);
        assert!(matches!(digest_from_hex("abc"), Err(Error::Encoding(_))));
        assert!(matches!(digest_from_hex("zz"), Err(Error::Encoding(_))));
        assert!(matches!(digest_from_hex("ab cd"), Err(Error::Encoding(_))));
    }

    #[test]
    fn constant_time_equals_compares_length_and_content() {
        assert!(constant_time_equals(b"abc", b"abc"));
        assert!(!constant_time_equals(b"abc", b"abd"));
        assert!(!constant_time_equals(b"abc", b"ab"));
    }
}
