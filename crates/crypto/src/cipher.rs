//! `Cipher` and `CipherFactory`: encrypting strings, byte slices and streams with a
//! [`CipherKey`] (POCO `Crypto::Cipher`).
//!
//! - [`Cipher::encrypt_string`] / [`decrypt_string`](Cipher::decrypt_string) with POCO's
//!   [`Encoding`]s (binary, Base64 with CRLF every 72 characters, lowercase hex with LF every
//!   72, and the variants without line breaks), using the key's IV as POCO does.
//! - [`Cipher::encrypt`] / [`decrypt`](Cipher::decrypt): the same from a reader to a writer.
//! - [`Cipher::seal`] / [`open`](Cipher::open): AES-GCM with a fresh random nonce per
//!   message, in one self-describing buffer `nonce (12) ‖ ciphertext ‖ tag (16)`. The
//!   recommended way to encrypt a message: callers cannot reuse a nonce by accident.
//! - [`Cipher::encrypt_aead`] / [`decrypt_aead`](Cipher::decrypt_aead): AES-GCM with a nonce
//!   and associated data the caller manages.
//!
//! The CBC ciphers (`"aes256"` = `"aes-256-cbc"`, POCO's default) are **legacy and
//! unauthenticated**: they exist to read and write data POCO programs produced.
//!
//! ```
//! use rpoco_crypto::{Cipher, CipherFactory, CipherKey, Encoding};
//!
//! let key = CipherKey::from_passphrase("aes256", "secret", "asdff8723lasdf(**923412")?;
//! let cipher = CipherFactory::default_factory().create_cipher(key);
//! let b64 = cipher.encrypt_string(b"Hello, world!", Encoding::Base64, true)?;
//! assert_eq!(b64, b"dwKkG8jQcI8gEw5DdZLcHg=="); // what C++ POCO produces for the same key
//! assert_eq!(cipher.decrypt_string(&b64, Encoding::Base64, true)?, b"Hello, world!");
//!
//! let gcm = Cipher::new(CipherKey::new("aes-256-gcm")?);
//! let sealed = gcm.seal(b"attack at dawn", b"header")?;
//! assert_eq!(gcm.open(&sealed, b"header")?, b"attack at dawn");
//! assert!(gcm.open(&sealed, b"other header").is_err());
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;

use rpoco_foundation::base64::{self, Base64Decoder, Base64Encoder, Base64Options};
use rpoco_foundation::hex::{self, HexDecoder, HexEncoder, HexOptions};

use crate::backend::GcmKey;
use crate::cbc_mode::{Cbc, CbcKey};
use crate::error::{Error, Result};
use crate::key::{CipherKey, Mode};
use crate::random;
use crate::transform::{CryptoTransform, Direction, GCM_TAG_LEN};

/// The sealed format's nonce length.
pub const SEALED_NONCE_LEN: usize = 12;

/// How [`Cipher::encrypt_string`] encodes its output (POCO `Cipher::Encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Encoding {
    /// Raw bytes (POCO `ENC_NONE`, 0x00).
    #[default]
    None = 0x00,
    /// Base64 with `"\r\n"` after every 72 characters (POCO `ENC_BASE64`, 0x01).
    Base64 = 0x01,
    /// Lowercase hex with `"\n"` after every 72 characters (POCO `ENC_BINHEX`, 0x02).
    BinHex = 0x02,
    /// Base64 without line breaks (POCO `ENC_BASE64_NO_LF`, 0x81).
    Base64NoLf = 0x81,
    /// Lowercase hex without line breaks (POCO `ENC_BINHEX_NO_LF`, 0x82).
    BinHexNoLf = 0x82,
}

impl Encoding {
    /// The encoding with POCO's numeric value, if there is one.
    pub fn from_u8(value: u8) -> Option<Self> {
        Some(match value {
            0x00 => Encoding::None,
            0x01 => Encoding::Base64,
            0x02 => Encoding::BinHex,
            0x81 => Encoding::Base64NoLf,
            0x82 => Encoding::BinHexNoLf,
            _ => return None,
        })
    }

    pub(crate) fn encode(self, data: &[u8]) -> Vec<u8> {
        match self {
            Encoding::None => data.to_vec(),
            Encoding::Base64 => base64::encode(data).into_bytes(),
            Encoding::Base64NoLf => base64::encode_with(data, Base64Options::no_line_breaks()).into_bytes(),
            Encoding::BinHex => hex::encode(data).into_bytes(),
            Encoding::BinHexNoLf => hex::encode_with(data, HexOptions::no_line_breaks()).into_bytes(),
        }
    }

    pub(crate) fn decode(self, data: &[u8]) -> Result<Vec<u8>> {
        Ok(match self {
            Encoding::None => data.to_vec(),
            Encoding::Base64 | Encoding::Base64NoLf => base64::decode(data)?,
            Encoding::BinHex | Encoding::BinHexNoLf => hex::decode(data)?,
        })
    }
}

/// Encrypts and decrypts with one [`CipherKey`] (POCO `Crypto::Cipher`).
///
/// Cheap to clone; the expanded key is shared.
#[derive(Clone)]
pub struct Cipher {
    key: CipherKey,
    gcm: Option<Arc<GcmKey>>,
    cbc: Option<CbcKey>,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cipher").field("name", &self.key.name()).finish_non_exhaustive()
    }
}

impl Cipher {
    /// A cipher for `key` (POCO `CipherFactory::createCipher(key)`).
    pub fn new(key: CipherKey) -> Self {
        // The key length was checked when the CipherKey was made, so neither can fail.
        let (gcm, cbc) = match key.mode() {
            Mode::Gcm => (GcmKey::new(key.key()).map(Arc::new), None),
            Mode::Cbc => (None, CbcKey::new(key.key()).ok()),
        };
        Cipher { key, gcm, cbc }
    }

    /// The cipher name (POCO `name()`).
    pub fn name(&self) -> &str {
        self.key.name()
    }

    /// The key.
    pub fn key(&self) -> &CipherKey {
        &self.key
    }

    fn gcm_key(&self) -> Result<&Arc<GcmKey>> {
        self.gcm.as_ref().ok_or_else(|| {
            Error::invalid(format!("{} is not an AEAD cipher; use aes-128/192/256-gcm", self.key.algorithm()))
        })
    }

    fn create(&self, direction: Direction) -> CryptoTransform {
        match (&self.gcm, &self.cbc) {
            (Some(k), _) => CryptoTransform::gcm(Arc::clone(k), self.key.iv(), direction),
            // CipherKey guarantees a valid key and IV length for CBC, so this cannot fail.
            (None, Some(k)) => CryptoTransform::cbc(k, self.key.iv(), direction)
                .unwrap_or_else(|e| unreachable!("CipherKey held an invalid CBC IV: {e}")),
            (None, None) => unreachable!("a Cipher always holds a GCM or a CBC key"),
        }
    }

    /// CBC in one pass, without the piecewise transform's buffering.
    fn cbc_all(&self, key: &CbcKey, data: &[u8], encrypt: bool, padding: bool) -> Result<Vec<u8>> {
        let mut c = Cbc::new(key, self.key.iv(), encrypt)?;
        c.set_padding(padding);
        let mut out = Vec::with_capacity(data.len() + 16);
        c.run_all(data, &mut out)?;
        Ok(out)
    }

    /// A transform that encrypts with the key and its IV (POCO `createEncryptor()`).
    pub fn create_encryptor(&self) -> CryptoTransform {
        self.create(Direction::Encrypt)
    }

    /// A transform that decrypts with the key and its IV (POCO `createDecryptor()`).
    pub fn create_decryptor(&self) -> CryptoTransform {
        self.create(Direction::Decrypt)
    }

    /// Encrypts `data` with the key's IV and encodes the result (POCO `encryptString`).
    ///
    /// `padding` turns PKCS#7 padding off for CBC (then `data` must be a whole number of
    /// blocks). For GCM the 16-byte tag is appended to the ciphertext — POCO drops it, which
    /// leaves the data unverifiable. The IV is the key's, fixed: encrypting different data
    /// under one GCM key this way reuses the nonce, so prefer [`seal`](Self::seal).
    pub fn encrypt_string(&self, data: &[u8], encoding: Encoding, padding: bool) -> Result<Vec<u8>> {
        if let Some(k) = &self.cbc {
            let out = self.cbc_all(k, data, true, padding)?;
            return Ok(if encoding == Encoding::None { out } else { encoding.encode(&out) });
        }
        let mut t = self.create_encryptor();
        t.set_padding(padding);
        let mut out = Vec::with_capacity(data.len() + 32);
        t.transform(data, &mut out)?;
        t.finalize(&mut out)?;
        if self.gcm.is_some() {
            out.extend_from_slice(&t.tag(GCM_TAG_LEN)?);
        }
        Ok(encoding.encode(&out))
    }

    /// Decodes and decrypts what [`encrypt_string`](Self::encrypt_string) (or POCO's
    /// `encryptString` for CBC) produced (POCO `decryptString`). Base64 and hex input may
    /// contain line breaks and other whitespace, as POCO's decoders allow.
    pub fn decrypt_string(&self, data: &[u8], encoding: Encoding, padding: bool) -> Result<Vec<u8>> {
        let raw = encoding.decode(data)?;
        self.decrypt_raw(&raw, padding)
    }

    fn decrypt_raw(&self, raw: &[u8], padding: bool) -> Result<Vec<u8>> {
        if let Some(k) = &self.cbc {
            return self.cbc_all(k, raw, false, padding);
        }
        let mut t = self.create_decryptor();
        t.set_padding(padding);
        let body = if self.gcm.is_some() {
            let split = raw.len().checked_sub(GCM_TAG_LEN).ok_or_else(|| {
                Error::truncated(format!(
                    "GCM data has {} bytes, less than its {GCM_TAG_LEN}-byte tag",
                    raw.len()
                ))
            })?;
            t.set_tag(&raw[split..])?;
            &raw[..split]
        } else {
            raw
        };
        let mut out = Vec::with_capacity(body.len());
        t.transform(body, &mut out)?;
        t.finalize(&mut out)?;
        Ok(out)
    }

    /// Encrypts everything `source` yields into `sink` with the given encoding (POCO
    /// `encrypt(istream, ostream, encoding)`); returns the plaintext bytes read. CBC streams
    /// in 8 KiB pieces; GCM holds the data until the tag is computed.
    pub fn encrypt(
        &self,
        source: &mut impl Read,
        sink: &mut impl Write,
        encoding: Encoding,
        padding: bool,
    ) -> Result<u64> {
        let mut t = self.create_encryptor();
        t.set_padding(padding);
        match encoding {
            Encoding::None => self.pump(&mut t, source, sink),
            Encoding::Base64 | Encoding::Base64NoLf => {
                let options = if encoding == Encoding::Base64 {
                    Base64Options::default()
                } else {
                    Base64Options::no_line_breaks()
                };
                let mut enc = Base64Encoder::with_options(sink, options);
                let n = self.pump(&mut t, source, &mut enc)?;
                enc.finish()?;
                Ok(n)
            }
            Encoding::BinHex | Encoding::BinHexNoLf => {
                let options = if encoding == Encoding::BinHex {
                    HexOptions::default()
                } else {
                    HexOptions::no_line_breaks()
                };
                let mut enc = HexEncoder::with_options(sink, options);
                self.pump(&mut t, source, &mut enc)
            }
        }
    }

    fn pump(&self, t: &mut CryptoTransform, source: &mut impl Read, sink: &mut impl Write) -> Result<u64> {
        let mut buf = vec![0u8; 8192];
        let mut out = Vec::with_capacity(8192 + 32);
        let mut total = 0u64;
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            total += n as u64;
            out.clear();
            t.transform(&buf[..n], &mut out)?;
            sink.write_all(&out)?;
        }
        out.clear();
        t.finalize(&mut out)?;
        if self.gcm.is_some() {
            out.extend_from_slice(&t.tag(GCM_TAG_LEN)?);
        }
        sink.write_all(&out)?;
        sink.flush()?;
        Ok(total)
    }

    /// Decodes and decrypts everything `source` yields into `sink` (POCO
    /// `decrypt(istream, ostream, encoding)`); returns the plaintext bytes written. For GCM
    /// nothing is written unless the tag verifies.
    pub fn decrypt(
        &self,
        source: &mut impl Read,
        sink: &mut impl Write,
        encoding: Encoding,
        padding: bool,
    ) -> Result<u64> {
        let mut decoded: Box<dyn Read + '_> = match encoding {
            Encoding::None => Box::new(source),
            Encoding::Base64 | Encoding::Base64NoLf => Box::new(Base64Decoder::new(source)),
            Encoding::BinHex | Encoding::BinHexNoLf => Box::new(HexDecoder::new(source)),
        };
        if self.gcm.is_some() {
            let mut raw = Vec::new();
            decoded.read_to_end(&mut raw)?;
            let out = self.decrypt_raw(&raw, padding)?;
            sink.write_all(&out)?;
            sink.flush()?;
            return Ok(out.len() as u64);
        }
        let mut t = self.create_decryptor();
        t.set_padding(padding);
        let mut buf = vec![0u8; 8192];
        let mut out = Vec::with_capacity(8192 + 32);
        let mut total = 0u64;
        loop {
            let n = match decoded.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            out.clear();
            total += t.transform(&buf[..n], &mut out)? as u64;
            sink.write_all(&out)?;
        }
        out.clear();
        total += t.finalize(&mut out)? as u64;
        sink.write_all(&out)?;
        sink.flush()?;
        Ok(total)
    }

    /// AES-GCM encryption with a caller-chosen `nonce` and associated data `aad`; returns
    /// `ciphertext ‖ tag (16)`. The nonce must never repeat under one key: 12 bytes is standard
    /// (any non-empty length works, as in POCO/OpenSSL). CBC keys give
    /// [`Error::InvalidArgument`].
    pub fn encrypt_aead(&self, nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let key = self.gcm_key()?;
        if nonce.is_empty() {
            return Err(Error::invalid("a GCM nonce must not be empty"));
        }
        let mut out = Vec::with_capacity(plaintext.len() + GCM_TAG_LEN);
        out.extend_from_slice(plaintext);
        let tag = key
            .seal(nonce, aad, &mut out)
            .ok_or_else(|| Error::invalid("GCM input exceeds 2^36 - 32 bytes"))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// AES-GCM encryption of `buf` in place, without allocating; returns the 16-byte tag.
    /// Same rules as [`encrypt_aead`](Self::encrypt_aead).
    pub fn encrypt_aead_in_place(
        &self,
        nonce: &[u8],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; GCM_TAG_LEN]> {
        let key = self.gcm_key()?;
        if nonce.is_empty() {
            return Err(Error::invalid("a GCM nonce must not be empty"));
        }
        key.seal(nonce, aad, buf).ok_or_else(|| Error::invalid("GCM input exceeds 2^36 - 32 bytes"))
    }

    /// Verifies `tag` (12 to 16 bytes) and decrypts `buf` in place. On
    /// [`Error::TagMismatch`] `buf` holds no plaintext (it keeps the ciphertext or is zeroed).
    pub fn decrypt_aead_in_place(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        let key = self.gcm_key()?;
        if nonce.is_empty() {
            return Err(Error::invalid("a GCM nonce must not be empty"));
        }
        if tag.len() < crate::transform::MIN_GCM_TAG_LEN || tag.len() > GCM_TAG_LEN {
            return Err(Error::invalid(format!("a GCM tag has 12 to 16 bytes here, got {}", tag.len())));
        }
        if key.open(nonce, aad, buf, tag) { Ok(()) } else { Err(Error::TagMismatch) }
    }

    /// Verifies and decrypts `ciphertext ‖ tag (16)` from [`encrypt_aead`](Self::encrypt_aead).
    /// A wrong key, nonce or `aad`, or any modified byte, gives [`Error::TagMismatch`] and no
    /// plaintext.
    pub fn decrypt_aead(&self, nonce: &[u8], aad: &[u8], ciphertext_and_tag: &[u8]) -> Result<Vec<u8>> {
        self.decrypt_aead_with_tag_len(nonce, aad, ciphertext_and_tag, GCM_TAG_LEN)
    }

    /// Like [`decrypt_aead`](Self::decrypt_aead) for data whose tag was truncated to
    /// `tag_len` bytes (12 to 16).
    pub fn decrypt_aead_with_tag_len(
        &self,
        nonce: &[u8],
        aad: &[u8],
        ciphertext_and_tag: &[u8],
        tag_len: usize,
    ) -> Result<Vec<u8>> {
        let key = self.gcm_key()?;
        if nonce.is_empty() {
            return Err(Error::invalid("a GCM nonce must not be empty"));
        }
        let mut t = CryptoTransform::gcm(Arc::clone(key), nonce, Direction::Decrypt);
        let split = ciphertext_and_tag.len().checked_sub(tag_len).ok_or_else(|| {
            Error::truncated(format!(
                "GCM data has {} bytes, less than its {tag_len}-byte tag",
                ciphertext_and_tag.len()
            ))
        })?;
        t.set_tag(&ciphertext_and_tag[split..])?;
        t.set_associated_data(aad)?;
        let mut out = Vec::with_capacity(split);
        t.transform(&ciphertext_and_tag[..split], &mut out)?;
        t.finalize(&mut out)?;
        Ok(out)
    }

    /// Encrypts `plaintext` with AES-GCM under a fresh random 96-bit nonce and returns the
    /// sealed message `nonce (12) ‖ ciphertext ‖ tag (16)`; `aad` is authenticated, not
    /// stored. The key's IV is not used.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let key = self.gcm_key()?;
        let nonce = random::random_nonce()?;
        let mut out = Vec::with_capacity(SEALED_NONCE_LEN + plaintext.len() + GCM_TAG_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = key
            .seal(&nonce, aad, &mut out[SEALED_NONCE_LEN..])
            .ok_or_else(|| Error::invalid("GCM input exceeds 2^36 - 32 bytes"))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Opens a message from [`seal`](Self::seal). Shorter than nonce and tag:
    /// [`Error::Truncated`]; anything else wrong: [`Error::TagMismatch`], with no plaintext.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let key = self.gcm_key()?;
        if sealed.len() < SEALED_NONCE_LEN + GCM_TAG_LEN {
            return Err(Error::truncated(format!(
                "a sealed message has at least {} bytes (nonce and tag), got {}",
                SEALED_NONCE_LEN + GCM_TAG_LEN,
                sealed.len()
            )));
        }
        let (nonce, rest) = sealed.split_at(SEALED_NONCE_LEN);
        let (ct, tag) = rest.split_at(rest.len() - GCM_TAG_LEN);
        let mut out = ct.to_vec();
        if !key.open(nonce, aad, &mut out, tag) {
            return Err(Error::TagMismatch);
        }
        Ok(out)
    }
}

/// Makes [`Cipher`]s (POCO `CipherFactory`). Stateless; kept so ported code reads the same.
#[derive(Debug, Clone, Copy, Default)]
pub struct CipherFactory;

impl CipherFactory {
    /// The default factory (POCO `CipherFactory::defaultFactory()`).
    pub fn default_factory() -> CipherFactory {
        CipherFactory
    }

    /// A cipher for `key` (POCO `createCipher(key)`).
    pub fn create_cipher(&self, key: CipherKey) -> Cipher {
        Cipher::new(key)
    }
}
