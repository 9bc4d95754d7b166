//! RSA encryption: POCO's `CipherFactory::createCipher(RSAKey, RSAPaddingMode)` / `RSACipher`.
//!
//! Like POCO's, the cipher takes data of any length: the plaintext is cut into the largest
//! blocks the padding allows and each is encrypted on its own; ciphertext is a whole number
//! of key-sized blocks. OAEP with SHA-256 is the default for new code; PKCS #1 v1.5 is there
//! for porters (its decryption is the classic padding oracle: never report its failures to a
//! remote party). Decryption needs the aws-lc-rs backend (constant time); elsewhere it returns
//! [`Error::Unsupported`].

use std::fmt;

use zeroize::Zeroizing;

use crate::backend::pk;
use crate::cipher::{CipherFactory, Encoding};
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pkey::{EvpPKey, KeyType};

/// The RSA encryption padding (POCO's `RSAPaddingMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaPadding {
    /// PKCS #1 v1.5 (`RSA_PADDING_PKCS1`).
    Pkcs1,
    /// OAEP with this digest for the label hash and MGF1. POCO's `RSA_PADDING_PKCS1_OAEP` is
    /// OAEP with SHA-1 ([`RsaPadding::OAEP_SHA1`]).
    Oaep(DigestAlgorithm),
}

impl RsaPadding {
    /// OAEP with SHA-256 and MGF1-SHA-256: the default.
    pub const OAEP_SHA256: RsaPadding = RsaPadding::Oaep(DigestAlgorithm::Sha256);
    /// OAEP with SHA-1 and MGF1-SHA-1: POCO's and OpenSSL's `RSA_PKCS1_OAEP_PADDING`.
    pub const OAEP_SHA1: RsaPadding = RsaPadding::Oaep(DigestAlgorithm::Sha1);

    /// The padding's overhead in bytes: the plaintext block is the key size minus this.
    pub fn overhead(self) -> usize {
        match self {
            RsaPadding::Pkcs1 => 11,
            RsaPadding::Oaep(d) => 2 * d.digest_length() + 2,
        }
    }
}

impl Default for RsaPadding {
    fn default() -> Self {
        RsaPadding::OAEP_SHA256
    }
}

impl fmt::Display for RsaPadding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RsaPadding::Pkcs1 => f.write_str("RSA PKCS #1 v1.5"),
            RsaPadding::Oaep(d) => write!(f, "RSA-OAEP with {d}"),
        }
    }
}

/// An RSA cipher: POCO's `RSACipher`.
///
/// ```no_run
/// use rpoco_crypto::{CipherFactory, Encoding, RsaExponent, RsaKey, RsaKeySize, RsaPadding};
///
/// let key = RsaKey::generate(RsaKeySize::Bits2048, RsaExponent::Large)?;
/// let cipher = CipherFactory::default_factory().create_rsa_cipher(key.evp(), RsaPadding::default())?;
/// let sealed = cipher.encrypt_string(b"secret", Encoding::Base64)?;
/// assert_eq!(&cipher.decrypt_string(&sealed, Encoding::Base64)?[..], b"secret");
/// # Ok::<(), rpoco_crypto::Error>(())
/// ```
#[derive(Clone)]
pub struct RsaCipher {
    key: EvpPKey,
    padding: RsaPadding,
}

impl RsaCipher {
    /// A cipher for an RSA key (public for encryption; private for both).
    pub fn new(key: &EvpPKey, padding: RsaPadding) -> Result<Self> {
        if key.key_type() != KeyType::Rsa {
            return Err(Error::invalid(format!("RSA encryption needs an RSA key, not {}", key.key_type())));
        }
        if key.bits().div_ceil(8) <= padding.overhead() {
            return Err(Error::invalid(format!("a {}-bit key is too small for {padding}", key.bits())));
        }
        Ok(RsaCipher { key: key.clone(), padding })
    }

    /// The cipher's name as POCO gives it (`"rsa"`).
    pub fn name(&self) -> &'static str {
        "rsa"
    }

    /// The padding.
    pub fn padding(&self) -> RsaPadding {
        self.padding
    }

    /// The largest plaintext one block holds.
    pub fn max_block_plaintext(&self) -> usize {
        self.key.bits().div_ceil(8) - self.padding.overhead()
    }

    /// Encrypts `plaintext` (any length; empty input gives one block, as POCO's does).
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        if plaintext.is_empty() {
            return pk::rsa_encrypt(&self.key, self.padding, &[]);
        }
        for block in plaintext.chunks(self.max_block_plaintext()) {
            out.extend_from_slice(&pk::rsa_encrypt(&self.key, self.padding, block)?);
        }
        Ok(out)
    }

    /// Decrypts what [`encrypt`](Self::encrypt) made. A wrong key or damaged data gives
    /// [`Error::BadDecrypt`]; a length that is not a whole number of blocks
    /// [`Error::Truncated`].
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let block = self.key.bits().div_ceil(8);
        if ciphertext.is_empty() || ciphertext.len() % block != 0 {
            return Err(Error::truncated(format!(
                "RSA ciphertext of {} bytes is not a whole number of {block}-byte blocks",
                ciphertext.len()
            )));
        }
        let mut out = Zeroizing::new(Vec::new());
        for chunk in ciphertext.chunks(block) {
            out.extend_from_slice(&pk::rsa_decrypt(&self.key, self.padding, chunk)?);
        }
        Ok(out)
    }

    /// Encrypts and encodes (POCO's `encryptString(str, encoding)`).
    pub fn encrypt_string(&self, plaintext: &[u8], encoding: Encoding) -> Result<Vec<u8>> {
        Ok(encoding.encode(&self.encrypt(plaintext)?))
    }

    /// Decodes and decrypts (POCO's `decryptString(str, encoding)`).
    pub fn decrypt_string(&self, data: &[u8], encoding: Encoding) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt(&encoding.decode(data)?)
    }
}

impl fmt::Debug for RsaCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaCipher").field("padding", &self.padding).field("key", &self.key).finish()
    }
}

impl CipherFactory {
    /// An RSA cipher (POCO's `createCipher(const RSAKey&, RSAPaddingMode)`).
    pub fn create_rsa_cipher(&self, key: &EvpPKey, padding: RsaPadding) -> Result<RsaCipher> {
        RsaCipher::new(key, padding)
    }
}
