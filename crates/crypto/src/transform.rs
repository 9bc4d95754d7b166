//! `CryptoTransform`: one encryption or decryption fed in pieces (POCO `CryptoTransform`).
//!
//! Made by [`Cipher::create_encryptor`](crate::Cipher::create_encryptor) /
//! [`create_decryptor`](crate::Cipher::create_decryptor). Call [`transform`](CryptoTransform::transform)
//! for each piece and [`finalize`](CryptoTransform::finalize) once at the end.
//!
//! For GCM the transform follows POCO's tag handling: read the tag with
//! [`tag`](CryptoTransform::tag) after finalizing an encryption, and give it to the decryptor
//! with [`set_tag`](CryptoTransform::set_tag) before finalizing. Unlike POCO (which streams
//! GCM plaintext out before the tag is checked) a GCM decryptor releases **no** plaintext
//! until `finalize` has verified the tag, so it buffers the data; for data larger than memory
//! use [`EncryptingWriter`](crate::EncryptingWriter) / [`DecryptingReader`](crate::DecryptingReader).
//!
//! ```
//! use rpoco_crypto::{Cipher, CipherKey};
//!
//! let cipher = Cipher::new(CipherKey::new("aes-256-gcm")?);
//! let mut enc = cipher.create_encryptor();
//! let mut ct = Vec::new();
//! enc.transform(b"hello, ", &mut ct)?;
//! enc.transform(b"world", &mut ct)?;
//! enc.finalize(&mut ct)?;
//! let tag = enc.tag(16)?;
//!
//! let mut dec = cipher.create_decryptor();
//! let mut pt = Vec::new();
//! dec.transform(&ct, &mut pt)?;
//! dec.set_tag(&tag)?;
//! dec.finalize(&mut pt)?;
//! assert_eq!(pt, b"hello, world");
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;

use crate::backend::GcmKey;
use crate::cbc_mode::{Cbc, CbcKey};
use crate::error::{Error, Result};

/// The shortest GCM tag accepted: 96 bits (NIST SP 800-38D §5.2.1.2 allows 64 and 32 bits
/// only under conditions a general-purpose API cannot check).
pub const MIN_GCM_TAG_LEN: usize = 12;
/// The full GCM tag length.
pub const GCM_TAG_LEN: usize = 16;

/// Whether a transform encrypts or decrypts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Encryption.
    Encrypt,
    /// Decryption.
    Decrypt,
}

pub(crate) struct GcmState {
    key: Arc<GcmKey>,
    iv: Vec<u8>,
    aad: Vec<u8>,
    data: Vec<u8>,
    tag: Option<Vec<u8>>,
}

enum Inner {
    Cbc(Box<Cbc>),
    Gcm(Box<GcmState>),
}

/// One encryption or decryption in progress (POCO `CryptoTransform`).
pub struct CryptoTransform {
    direction: Direction,
    inner: Inner,
    finalized: bool,
}

impl fmt::Debug for CryptoTransform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.inner {
            Inner::Cbc(_) => "CBC",
            Inner::Gcm(_) => "GCM",
        };
        f.debug_struct("CryptoTransform")
            .field("mode", &mode)
            .field("direction", &self.direction)
            .field("finalized", &self.finalized)
            .finish()
    }
}

fn check_tag_len(len: usize) -> Result<()> {
    if len < MIN_GCM_TAG_LEN {
        return Err(Error::Unsupported(format!(
            "GCM tags shorter than {MIN_GCM_TAG_LEN} bytes are not supported (got {len})"
        )));
    }
    if len > GCM_TAG_LEN {
        return Err(Error::invalid(format!("a GCM tag has at most {GCM_TAG_LEN} bytes, got {len}")));
    }
    Ok(())
}

impl CryptoTransform {
    pub(crate) fn cbc(key: &CbcKey, iv: &[u8], direction: Direction) -> Result<Self> {
        let cbc = Cbc::new(key, iv, direction == Direction::Encrypt)?;
        Ok(CryptoTransform { direction, inner: Inner::Cbc(Box::new(cbc)), finalized: false })
    }

    pub(crate) fn gcm(key: Arc<GcmKey>, iv: &[u8], direction: Direction) -> Self {
        let state = GcmState { key, iv: iv.to_vec(), aad: Vec::new(), data: Vec::new(), tag: None };
        CryptoTransform { direction, inner: Inner::Gcm(Box::new(state)), finalized: false }
    }

    /// Encrypting or decrypting.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The cipher's block size (16 for CBC, 1 for GCM), as POCO's `blockSize()`.
    pub fn block_size(&self) -> usize {
        match self.inner {
            Inner::Cbc(_) => 16,
            Inner::Gcm(_) => 1,
        }
    }

    /// Turns PKCS#7 padding on (the default) or off (POCO `setPadding`). Without padding the
    /// total length must be a multiple of the block size. GCM has no padding; the call is
    /// accepted and ignored, as OpenSSL does.
    pub fn set_padding(&mut self, padding: bool) {
        if let Inner::Cbc(c) = &mut self.inner {
            c.set_padding(padding);
        }
    }

    /// Sets data that GCM authenticates but does not encrypt (additional authenticated data).
    /// Must be given before [`finalize`](Self::finalize); replaces earlier AAD. CBC cannot
    /// authenticate anything: [`Error::InvalidArgument`].
    pub fn set_associated_data(&mut self, aad: &[u8]) -> Result<()> {
        self.not_finalized()?;
        match &mut self.inner {
            Inner::Gcm(g) => {
                g.aad = aad.to_vec();
                Ok(())
            }
            Inner::Cbc(_) => Err(Error::invalid("associated data needs an AEAD cipher (GCM), not CBC")),
        }
    }

    fn not_finalized(&self) -> Result<()> {
        if self.finalized {
            return Err(Error::IllegalState("the transform is already finalized".into()));
        }
        Ok(())
    }

    /// Processes `input` and appends whatever output is ready to `output`; returns the number
    /// of bytes appended. CBC emits whole blocks; GCM emits nothing until `finalize`.
    pub fn transform(&mut self, input: &[u8], output: &mut Vec<u8>) -> Result<usize> {
        self.not_finalized()?;
        Ok(match &mut self.inner {
            Inner::Cbc(c) => c.update(input, output),
            Inner::Gcm(g) => {
                g.data.extend_from_slice(input);
                0
            }
        })
    }

    /// Finishes: appends the remaining output and returns its length. For a CBC decryptor this
    /// checks the padding ([`Error::BadDecrypt`]); for a GCM decryptor it verifies the tag set
    /// with [`set_tag`](Self::set_tag) ([`Error::TagMismatch`]) and only then appends plaintext.
    pub fn finalize(&mut self, output: &mut Vec<u8>) -> Result<usize> {
        self.not_finalized()?;
        self.finalized = true;
        match &mut self.inner {
            Inner::Cbc(c) => c.finalize(output),
            Inner::Gcm(g) => {
                let mut data = std::mem::take(&mut g.data);
                match self.direction {
                    Direction::Encrypt => {
                        let tag = g
                            .key
                            .seal(&g.iv, &g.aad, &mut data)
                            .ok_or_else(|| Error::invalid("GCM input exceeds 2^36 - 32 bytes"))?;
                        g.tag = Some(tag.to_vec());
                    }
                    Direction::Decrypt => {
                        let tag = g.tag.as_ref().ok_or_else(|| {
                            Error::IllegalState(
                                "set_tag() must be called before finalize() to decrypt GCM".into(),
                            )
                        })?;
                        if !g.key.open(&g.iv, &g.aad, &mut data, tag) {
                            return Err(Error::TagMismatch);
                        }
                    }
                }
                let n = data.len();
                output.extend_from_slice(&data);
                Ok(n)
            }
        }
    }

    /// The first `tag_size` bytes of the GCM tag, after an encryption was finalized (POCO
    /// `getTag(tagSize = 16)`). Sizes from 12 to 16 bytes are accepted.
    pub fn tag(&self, tag_size: usize) -> Result<Vec<u8>> {
        check_tag_len(tag_size)?;
        match (&self.inner, self.direction) {
            (Inner::Gcm(g), Direction::Encrypt) => match &g.tag {
                Some(t) => Ok(t[..tag_size].to_vec()),
                None => Err(Error::IllegalState("the GCM tag is available only after finalize()".into())),
            },
            (Inner::Gcm(_), Direction::Decrypt) => {
                Err(Error::IllegalState("tag() is for encryption; a decryptor takes set_tag()".into()))
            }
            (Inner::Cbc(_), _) => Err(Error::invalid("CBC has no authentication tag")),
        }
    }

    /// Gives a GCM decryptor the expected tag (12 to 16 bytes); must precede `finalize` (POCO
    /// `setTag`).
    pub fn set_tag(&mut self, tag: &[u8]) -> Result<()> {
        self.not_finalized()?;
        check_tag_len(tag.len())?;
        match (&mut self.inner, self.direction) {
            (Inner::Gcm(g), Direction::Decrypt) => {
                g.tag = Some(tag.to_vec());
                Ok(())
            }
            (Inner::Gcm(_), Direction::Encrypt) => {
                Err(Error::IllegalState("set_tag() is for decryption; an encryptor produces tag()".into()))
            }
            (Inner::Cbc(_), _) => Err(Error::invalid("CBC has no authentication tag")),
        }
    }
}
