//! `CipherKey`: cipher name, key and IV, as POCO's `Crypto::CipherKey`.
//!
//! A key is made from random bytes ([`CipherKey::new`]), explicit bytes
//! ([`CipherKey::from_key_iv`]), a passphrase exactly as POCO derives it
//! ([`CipherKey::from_passphrase`], OpenSSL `EVP_BytesToKey`, MD5, 2000 rounds by default), or a
//! passphrase through PBKDF2-HMAC-SHA256 ([`CipherKey::from_pbkdf2`], the modern choice).
//!
//! ```
//! use rpoco_crypto::{CipherKey, Mode};
//!
//! // The same key and IV as C++ `CipherKey("aes-256-cbc", "secret", "asdff8723lasdf(**923412")`.
//! let key = CipherKey::from_passphrase("aes-256-cbc", "secret", "asdff8723lasdf(**923412")?;
//! assert_eq!(key.key_size(), 32);
//! assert_eq!(key.iv_size(), 16);
//! assert_eq!(key.mode(), Mode::Cbc);
//!
//! let random = CipherKey::new("aes-256-gcm")?;
//! assert_eq!(random.iv().len(), 12);
//! assert_eq!(
//!     CipherKey::new("aes-512-gcm").unwrap_err().to_string(),
//!     "Not found: Cipher aes-512-gcm was not found"
//! );
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::fmt;

use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::kdf;
use crate::random;

/// The cipher algorithms this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CipherAlgorithm {
    /// AES-128 in CBC mode with PKCS#7 padding (legacy, unauthenticated).
    Aes128Cbc,
    /// AES-192 in CBC mode with PKCS#7 padding (legacy, unauthenticated).
    Aes192Cbc,
    /// AES-256 in CBC mode with PKCS#7 padding: POCO's `"aes256"` (legacy, unauthenticated).
    Aes256Cbc,
    /// AES-128-GCM (authenticated).
    Aes128Gcm,
    /// AES-192-GCM (authenticated).
    Aes192Gcm,
    /// AES-256-GCM (authenticated; the recommended choice).
    Aes256Gcm,
}

/// A cipher's mode of operation (POCO `CipherKey::Mode`, the modes this crate implements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// Cipher block chaining (POCO `MODE_CBC`).
    Cbc,
    /// Galois/counter mode (POCO `MODE_GCM`).
    Gcm,
}

impl CipherAlgorithm {
    /// Looks a cipher up by its OpenSSL name, case-insensitively: `"aes-256-gcm"`,
    /// `"id-aes256-GCM"`, `"aes-256-cbc"`, `"aes256"` (and the 128/192 variants). Unknown names
    /// give POCO's [`Error::NotFound`] `"Cipher <name> was not found"`.
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "aes-128-cbc" | "aes128" => CipherAlgorithm::Aes128Cbc,
            "aes-192-cbc" | "aes192" => CipherAlgorithm::Aes192Cbc,
            "aes-256-cbc" | "aes256" => CipherAlgorithm::Aes256Cbc,
            "aes-128-gcm" | "id-aes128-gcm" => CipherAlgorithm::Aes128Gcm,
            "aes-192-gcm" | "id-aes192-gcm" => CipherAlgorithm::Aes192Gcm,
            "aes-256-gcm" | "id-aes256-gcm" => CipherAlgorithm::Aes256Gcm,
            _ => return Err(Error::NotFound(format!("Cipher {name} was not found"))),
        })
    }

    /// The canonical OpenSSL name (`"aes-256-gcm"`).
    pub fn name(self) -> &'static str {
        match self {
            CipherAlgorithm::Aes128Cbc => "aes-128-cbc",
            CipherAlgorithm::Aes192Cbc => "aes-192-cbc",
            CipherAlgorithm::Aes256Cbc => "aes-256-cbc",
            CipherAlgorithm::Aes128Gcm => "aes-128-gcm",
            CipherAlgorithm::Aes192Gcm => "aes-192-gcm",
            CipherAlgorithm::Aes256Gcm => "aes-256-gcm",
        }
    }

    /// Key length in bytes.
    pub fn key_size(self) -> usize {
        match self {
            CipherAlgorithm::Aes128Cbc | CipherAlgorithm::Aes128Gcm => 16,
            CipherAlgorithm::Aes192Cbc | CipherAlgorithm::Aes192Gcm => 24,
            CipherAlgorithm::Aes256Cbc | CipherAlgorithm::Aes256Gcm => 32,
        }
    }

    /// The standard IV length in bytes (OpenSSL's: 16 for CBC, 12 for GCM).
    pub fn iv_size(self) -> usize {
        match self.mode() {
            Mode::Cbc => 16,
            Mode::Gcm => 12,
        }
    }

    /// Block size in bytes as OpenSSL reports it: 16 for CBC, 1 for GCM (a stream mode).
    pub fn block_size(self) -> usize {
        match self.mode() {
            Mode::Cbc => 16,
            Mode::Gcm => 1,
        }
    }

    /// The mode of operation.
    pub fn mode(self) -> Mode {
        match self {
            CipherAlgorithm::Aes128Cbc | CipherAlgorithm::Aes192Cbc | CipherAlgorithm::Aes256Cbc => Mode::Cbc,
            _ => Mode::Gcm,
        }
    }
}

impl fmt::Display for CipherAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// POCO's `CipherKey::DEFAULT_ITERATION_COUNT` for passphrase keys.
pub const DEFAULT_ITERATION_COUNT: u32 = 2000;

/// A cipher name with its key and IV (POCO `Crypto::CipherKey`).
///
/// `Debug` never prints the key or IV; `==` compares them in constant time; dropping the key
/// overwrites them.
#[derive(Clone)]
pub struct CipherKey {
    name: String,
    algorithm: CipherAlgorithm,
    key: Vec<u8>,
    iv: Vec<u8>,
}

impl fmt::Debug for CipherKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CipherKey").field("name", &self.name).finish_non_exhaustive()
    }
}

impl PartialEq for CipherKey {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm == other.algorithm
            && crate::digest::constant_time_equals(&self.key, &other.key)
            && crate::digest::constant_time_equals(&self.iv, &other.iv)
    }
}

impl Eq for CipherKey {}

impl Drop for CipherKey {
    fn drop(&mut self) {
        // Key material does not outlive the key object in freed memory.
        zeroize::Zeroize::zeroize(&mut self.key);
        zeroize::Zeroize::zeroize(&mut self.iv);
    }
}

impl CipherKey {
    /// A key and IV from the operating system's secure random generator
    /// (POCO `CipherKey(name)`).
    pub fn new(name: &str) -> Result<Self> {
        let algorithm = CipherAlgorithm::from_name(name)?;
        Ok(CipherKey {
            name: name.to_owned(),
            algorithm,
            key: random::random_bytes(algorithm.key_size())?,
            iv: random::random_bytes(algorithm.iv_size())?,
        })
    }

    /// Key and IV derived from a passphrase as POCO does by default: `EVP_BytesToKey` with MD5
    /// and 2000 rounds, the salt folded to 8 bytes (POCO
    /// `CipherKey(name, passphrase, salt)`). An empty salt means no salt.
    pub fn from_passphrase(name: &str, passphrase: impl AsRef<[u8]>, salt: impl AsRef<[u8]>) -> Result<Self> {
        Self::from_passphrase_with(name, passphrase, salt, DEFAULT_ITERATION_COUNT, "md5")
    }

    /// Key and IV derived with `EVP_BytesToKey` using the given iteration count and digest
    /// (OpenSSL name: `"md5"`, `"sha1"`, `"sha256"`, ...), as POCO
    /// `CipherKey(name, passphrase, salt, iterationCount, digest)`.
    pub fn from_passphrase_with(
        name: &str,
        passphrase: impl AsRef<[u8]>,
        salt: impl AsRef<[u8]>,
        iterations: u32,
        digest: &str,
    ) -> Result<Self> {
        let algorithm = CipherAlgorithm::from_name(name)?;
        let digest = DigestAlgorithm::from_name(digest)?;
        let salt = kdf::poco_salt(salt.as_ref());
        let (key, iv) = kdf::evp_bytes_to_key(
            digest,
            passphrase.as_ref(),
            salt.as_ref(),
            iterations,
            algorithm.key_size(),
            algorithm.iv_size(),
        )?;
        Ok(CipherKey { name: name.to_owned(), algorithm, key, iv })
    }

    /// Key and IV derived with PBKDF2-HMAC-SHA256 (`key_size + iv_size` bytes, key first).
    /// Not POCO-compatible; the recommended derivation for new data. Use a random salt of at
    /// least 16 bytes stored beside the data, and hundreds of thousands of iterations.
    pub fn from_pbkdf2(name: &str, password: impl AsRef<[u8]>, salt: &[u8], iterations: u32) -> Result<Self> {
        let algorithm = CipherAlgorithm::from_name(name)?;
        let material = zeroize::Zeroizing::new(kdf::pbkdf2_hmac_sha256(
            password.as_ref(),
            salt,
            iterations,
            algorithm.key_size() + algorithm.iv_size(),
        )?);
        let (key, iv) = material.split_at(algorithm.key_size());
        Ok(CipherKey { name: name.to_owned(), algorithm, key: key.to_vec(), iv: iv.to_vec() })
    }

    /// An explicit key and IV (POCO `CipherKey(name, key, iv)`). The key must have the cipher's
    /// key size; the IV must have its IV size, except for GCM, which takes any non-empty IV
    /// (12 bytes recommended).
    pub fn from_key_iv(name: &str, key: &[u8], iv: &[u8]) -> Result<Self> {
        let algorithm = CipherAlgorithm::from_name(name)?;
        let mut k = CipherKey { name: name.to_owned(), algorithm, key: Vec::new(), iv: Vec::new() };
        k.set_key(key)?;
        k.set_iv(iv)?;
        Ok(k)
    }

    /// The cipher name as given when the key was made (POCO `name()`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cipher algorithm.
    pub fn algorithm(&self) -> CipherAlgorithm {
        self.algorithm
    }

    /// Key length in bytes (POCO `keySize()`).
    pub fn key_size(&self) -> usize {
        self.algorithm.key_size()
    }

    /// Block size in bytes (POCO `blockSize()`: 16 for CBC, 1 for GCM).
    pub fn block_size(&self) -> usize {
        self.algorithm.block_size()
    }

    /// The cipher's standard IV length (POCO `ivSize()`).
    pub fn iv_size(&self) -> usize {
        self.algorithm.iv_size()
    }

    /// Mode of operation (POCO `mode()`).
    pub fn mode(&self) -> Mode {
        self.algorithm.mode()
    }

    /// The key bytes (POCO `getKey()`).
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// Replaces the key; it must have [`key_size`](Self::key_size) bytes (POCO `setKey`).
    pub fn set_key(&mut self, key: &[u8]) -> Result<()> {
        if key.len() != self.key_size() {
            return Err(Error::invalid(format!(
                "{} needs a {}-byte key, got {} bytes",
                self.algorithm,
                self.key_size(),
                key.len()
            )));
        }
        self.key = key.to_vec();
        Ok(())
    }

    /// The IV bytes (POCO `getIV()`).
    pub fn iv(&self) -> &[u8] {
        &self.iv
    }

    /// Replaces the IV (POCO `setIV`): [`iv_size`](Self::iv_size) bytes, or for GCM any
    /// non-empty length.
    pub fn set_iv(&mut self, iv: &[u8]) -> Result<()> {
        let ok = match self.mode() {
            Mode::Gcm => !iv.is_empty(),
            Mode::Cbc => iv.len() == self.iv_size(),
        };
        if !ok {
            return Err(Error::invalid(format!(
                "{} needs a {} IV, got {} bytes",
                self.algorithm,
                if self.mode() == Mode::Gcm {
                    "non-empty".to_owned()
                } else {
                    format!("{}-byte", self.iv_size())
                },
                iv.len()
            )));
        }
        self.iv = iv.to_vec();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::digest_to_hex;

    fn hex_pair(k: &CipherKey) -> (String, String) {
        (digest_to_hex(k.key()), digest_to_hex(k.iv()))
    }

    /// Expected values printed by a C++ program against Debian's libPocoCrypto 1.11.
    #[test]
    fn passphrase_keys_match_poco() {
        let k = CipherKey::from_passphrase("aes-256-cbc", "secret", "asdff8723lasdf(**923412").unwrap();
        assert_eq!(
            hex_pair(&k),
            (
                "5bd0611faaac9acf686c2a725001fdbb376ab68faa2d0e69f3c1247dd7fad4a4".into(),
                "a159d6f53ef2f30f117a4d2aaa82e6ac".into()
            )
        );
        let k = CipherKey::from_passphrase_with("aes-256-gcm", "secret", "salt", 2000, "sha256").unwrap();
        assert_eq!(
            hex_pair(&k),
            (
                "0e5381a04a32615764c6d680dafafab9b30372ebc99033267dd55910a90c2fbf".into(),
                "d3cd9f1f4377d556ad1720ab".into()
            )
        );
        let k = CipherKey::from_passphrase("aes256", "pw", "").unwrap();
        assert_eq!(
            hex_pair(&k),
            (
                "293bea5aa074e673b81309c59ada2892a4e2703303039bce9527d1940409a33c".into(),
                "4e1acc7d3e86448e6945bd8469c2a3d8".into()
            )
        );
        assert_eq!(k.name(), "aes256");
        let k = CipherKey::from_passphrase_with("aes-128-gcm", "pw", "s", 1, "md5").unwrap();
        assert_eq!(
            hex_pair(&k),
            ("4ef517b5c713282befca46739f3f1fc1".into(), "9e37104386381be8ac3726a6".into())
        );
    }

    #[test]
    fn sizes_and_validation() {
        let k = CipherKey::new("AES-256-GCM").unwrap();
        assert_eq!((k.key_size(), k.iv_size(), k.block_size(), k.mode()), (32, 12, 1, Mode::Gcm));
        assert!(CipherKey::from_key_iv("aes-128-gcm", &[0; 16], &[0; 16]).is_ok());
        assert!(matches!(
            CipherKey::from_key_iv("aes-128-gcm", &[0; 15], &[0; 12]),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            CipherKey::from_key_iv("aes-128-cbc", &[0; 16], &[0; 12]),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            CipherKey::from_key_iv("aes-128-gcm", &[0; 16], &[]),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            CipherKey::from_passphrase_with("aes256", "p", "", 0, "md5"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            CipherKey::from_passphrase_with("aes256", "p", "", 1, "md4"),
            Err(Error::NotFound(_))
        ));
        assert!(!format!("{k:?}").contains(&digest_to_hex(k.key())));
    }

    #[test]
    fn pbkdf2_keys_split_key_then_iv() {
        let k = CipherKey::from_pbkdf2("aes-256-gcm", "pw", b"0123456789abcdef", 10).unwrap();
        let all = kdf::pbkdf2_hmac_sha256(b"pw", b"0123456789abcdef", 10, 44).unwrap();
        assert_eq!([k.key(), k.iv()].concat(), all);
    }
}
