//! [`Envelope`]: a message sealed to one or more public RSA keys (POCO 1.14's `Envelope`).
//!
//! POCO's wraps the content key with PKCS #1 v1.5 (OpenSSL's `EVP_Seal`) and encrypts with
//! AES-256-CBC. Here the content key is wrapped with RSA-OAEP-SHA-256 and the content is
//! AES-256-GCM, so the envelope is authenticated and has no padding oracle (a departure, in
//! docs/porting.md). Opening needs the aws-lc-rs backend (an RSA private-key operation).
//!
//! ```no_run
//! use rpoco_crypto::{Envelope, RsaExponent, RsaKey, RsaKeySize};
//! let key = RsaKey::generate(RsaKeySize::Bits2048, RsaExponent::Large)?;
//! let mut env = Envelope::new();
//! env.add_key(key.evp())?;
//! let sealed = env.seal(b"for your eyes only")?;
//! assert_eq!(&Envelope::open(key.evp(), &sealed)?[..], b"for your eyes only");
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use zeroize::Zeroizing;

use crate::cipher::Cipher;
use crate::error::{Error, Result};
use crate::key::CipherKey;
use crate::pkey::EvpPKey;
use crate::random;
use crate::rsa_cipher::{RsaCipher, RsaPadding};

const MAGIC: &[u8; 4] = b"RPE1";
const KEY_LEN: usize = 32;
/// The most recipients an envelope carries.
pub const MAX_RECIPIENTS: usize = 64;

/// A message sealed to RSA public keys.
#[derive(Debug, Default, Clone)]
pub struct Envelope {
    recipients: Vec<RsaCipher>,
}

/// A sealed envelope: the content key wrapped once per recipient, and the sealed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedEnvelope {
    /// The content key, RSA-OAEP-SHA-256-encrypted to each recipient, in [`Envelope::add_key`]
    /// order (POCO's `encryptedKeys()`).
    pub encrypted_keys: Vec<Vec<u8>>,
    /// The AES-256-GCM sealed content (nonce ‖ ciphertext ‖ tag, [`Cipher::seal`]).
    pub content: Vec<u8>,
}

impl Envelope {
    /// An envelope with no recipients yet.
    pub fn new() -> Self {
        Envelope::default()
    }

    /// Adds a recipient (POCO's `addKey`).
    pub fn add_key(&mut self, key: &EvpPKey) -> Result<()> {
        if self.recipients.len() == MAX_RECIPIENTS {
            return Err(Error::invalid(format!("an envelope has at most {MAX_RECIPIENTS} recipients")));
        }
        self.recipients.push(RsaCipher::new(&key.public_only(), RsaPadding::OAEP_SHA256)?);
        Ok(())
    }

    /// Seals `plaintext` to every recipient (POCO's `seal`).
    pub fn seal(&self, plaintext: &[u8]) -> Result<SealedEnvelope> {
        if self.recipients.is_empty() {
            return Err(Error::IllegalState("no recipient key added to the envelope".into()));
        }
        let key = Zeroizing::new(random::random_key(KEY_LEN)?);
        let cipher = Cipher::new(CipherKey::from_key_iv("aes-256-gcm", &key, &[0u8; 12])?);
        let content = cipher.seal(plaintext, MAGIC)?;
        let encrypted_keys = self.recipients.iter().map(|r| r.encrypt(&key)).collect::<Result<_>>()?;
        Ok(SealedEnvelope { encrypted_keys, content })
    }

    /// Opens an envelope with one recipient's private key (POCO's `open`): tries each wrapped
    /// key. A key that is not a recipient gives [`Error::BadDecrypt`]; modified content
    /// [`Error::TagMismatch`].
    pub fn open(private_key: &EvpPKey, sealed: &SealedEnvelope) -> Result<Zeroizing<Vec<u8>>> {
        let rsa = RsaCipher::new(private_key, RsaPadding::OAEP_SHA256)?;
        let block = private_key.bits().div_ceil(8);
        for wrapped in sealed.encrypted_keys.iter().filter(|w| w.len() == block) {
            match rsa.decrypt(wrapped) {
                Ok(key) if key.len() == KEY_LEN => {
                    let cipher = Cipher::new(CipherKey::from_key_iv("aes-256-gcm", &key, &[0u8; 12])?);
                    return cipher.open(&sealed.content, MAGIC).map(Zeroizing::new);
                }
                Ok(_) | Err(Error::BadDecrypt) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(Error::BadDecrypt)
    }
}
