//! # rpoco-crypto
//!
//! The port of POCO's Crypto module as POCO programs use it:
//!
//! | POCO | rpoco-crypto |
//! |---|---|
//! | `Crypto::DigestEngine`, `SHA2Engine`, `DigestEngine::digestToHex` | [`DigestEngine`], [`DigestAlgorithm`], [`digest_to_hex`] |
//! | `HMACEngine<E>` | [`HmacEngine`] |
//! | `CipherKey` (random, explicit, passphrase) | [`CipherKey`] ([`kdf`] for `EVP_BytesToKey` and PBKDF2) |
//! | `CipherFactory`, `Cipher` (`encryptString`, `Encoding`) | [`CipherFactory`], [`Cipher`], [`Encoding`] |
//! | `CryptoTransform` (`getTag`/`setTag`) | [`CryptoTransform`] |
//! | `CryptoOutputStream` / `CryptoInputStream` (POCO's format) | [`CryptoOutputStream`] / [`CryptoInputStream`] |
//! | streams for data larger than memory | [`EncryptingWriter`] / [`DecryptingReader`] (segmented AES-GCM) |
//! | `RandomInputStream`, `Random` | [`random`] |
//! | `CryptoException` and friends | [`Error`] |
//!
//! Beyond POCO: a sealed message format ([`Cipher::seal`]), AES-GCM with associated data
//! ([`Cipher::encrypt_aead`]), and [`auth`] helpers for HMAC signatures and password hashes.
//!
//! ## Backends
//!
//! The arithmetic sits behind one internal seam with two implementations. Without features the
//! pure-Rust RustCrypto crates (`sha2`, `hmac`, `pbkdf2`, `aes-gcm`) do everything. With the
//! `aws-lc-rs` or `ring` feature — the crypto provider rustls uses, turned on by the `rpoco`
//! umbrella crate — SHA-1/SHA-2, HMAC, PBKDF2 and 96-bit-nonce AES-GCM run on that crate
//! instead; with both, `aws-lc-rs` wins. What the provider lacks (MD5, SHA-224 and AES-192 on
//! ring, GCM nonces other than 96 bits, truncated GCM tags) stays on RustCrypto, and CBC always
//! does. The API and the results are the same either way; [`backend_name`] tells which is in
//! use.
//!
//! ```
//! use rpoco_crypto::{Cipher, CipherKey, Encoding};
//!
//! let key = CipherKey::from_passphrase("aes-256-gcm", "passphrase", "salt")?;
//! let cipher = Cipher::new(key);
//! let sealed = cipher.seal(b"secret data", b"")?;
//! assert_eq!(cipher.open(&sealed, b"")?, b"secret data");
//!
//! let hex = cipher.encrypt_string(b"for POCO", Encoding::BinHexNoLf, true)?;
//! assert_eq!(cipher.decrypt_string(&hex, Encoding::BinHexNoLf, true)?, b"for POCO");
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

pub mod auth;
mod backend;
mod cbc_mode;
mod cipher;
mod crypto_stream;
mod digest;
mod envelope;
mod error;
mod hmac;
pub mod kdf;
mod key;
mod pkcs12;
pub mod pkey;
pub mod random;
mod rsa_cipher;
pub mod sign;
pub mod stream;
mod transform;
pub mod x509;

pub use cipher::{Cipher, CipherFactory, Encoding, SEALED_NONCE_LEN};
pub use crypto_stream::{CryptoInputStream, CryptoOutputStream};
pub use digest::{DigestAlgorithm, DigestEngine, constant_time_equals, digest_from_hex, digest_to_hex};
pub use envelope::{Envelope, MAX_RECIPIENTS, SealedEnvelope};
pub use error::{Error, Result};
pub use hmac::HmacEngine;
pub use key::{CipherAlgorithm, CipherKey, DEFAULT_ITERATION_COUNT, Mode};
pub use pkcs12::Pkcs12Container;
pub use pkey::{
    Curve, EcKey, Ed25519Key, EvpPKey, KeyPair, KeyType, PrivateKeyFormat, RsaExponent, RsaKey, RsaKeySize,
};
pub use rsa_cipher::{RsaCipher, RsaPadding};
pub use sign::{EcdsaDigestEngine, EcdsaSignature, RsaDigestEngine, SignatureEngine, SignatureScheme};
pub use stream::{DecryptingReader, EncryptingWriter};
pub use transform::{CryptoTransform, Direction, GCM_TAG_LEN, MIN_GCM_TAG_LEN};
pub use x509::{NameField, X509Certificate};

/// The backend doing the work: `"aws-lc-rs"`, `"ring"` or `"RustCrypto"`.
///
/// ```
/// println!("rpoco-crypto backend: {}", rpoco_crypto::backend_name());
/// ```
pub fn backend_name() -> &'static str {
    backend::name()
}

/// The CPU features relevant to AES-GCM and SHA-2 that this CPU offers (`"aes pclmulqdq avx2
/// sha ..."`). Every backend picks its accelerated code paths from these at run time.
pub fn cpu_features() -> String {
    backend::cpu_flags()
}
