//! Streaming encryption for data larger than memory: segmented AES-GCM
//! (POCO's `CryptoOutputStream` / `CryptoInputStream`, made authenticated throughout).
//!
//! [`EncryptingWriter`] cuts the plaintext into segments (64 KiB by default) and seals each
//! one with AES-GCM under a per-stream subkey; [`DecryptingReader`] verifies each segment
//! before it releases a byte of it. Every segment's nonce carries its index and a
//! final-segment flag, so the reader detects, segment by segment:
//!
//! - **tampering** with any byte or the header → [`Error::TagMismatch`],
//! - **reordering**, duplication or removal of segments → [`Error::TagMismatch`],
//! - **truncation** at a segment boundary (the last segment read is not marked final) or
//!   inside the header → [`Error::Truncated`]; a cut inside a segment changes that segment
//!   and fails as [`Error::TagMismatch`].
//!
//! Wire format (version 1):
//!
//! ```text
//! header  = "RPOCOSA1" ‖ segment_size (u32 BE) ‖ salt (16) ‖ nonce_prefix (7)     35 bytes
//! subkey  = HMAC-SHA256(key, "rpoco-crypto segmented aead v1" ‖ salt)[..key_len]
//! nonce_i = nonce_prefix ‖ i (u32 BE) ‖ final (0x00 or 0x01)                        12 bytes
//! segment_i = AES-GCM(subkey, nonce_i, aad = header, plaintext_i) ‖ tag (16)
//! ```
//!
//! Every segment but the last holds exactly `segment_size` plaintext bytes; the last holds
//! 0 to `segment_size` bytes and is always present, so an empty stream is 35 + 16 bytes.
//! The random salt gives each stream its own subkey, so one key can encrypt many streams
//! without nonce reuse. The key's IV is not used.
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_crypto::{Cipher, CipherKey, DecryptingReader, EncryptingWriter};
//!
//! let cipher = Cipher::new(CipherKey::new("aes-256-gcm")?);
//! let mut w = EncryptingWriter::new(Vec::new(), &cipher)?;
//! w.write_all(&vec![7u8; 200_000])?;
//! let encrypted = w.finish()?;
//!
//! let mut plain = Vec::new();
//! DecryptingReader::new(&encrypted[..], &cipher)?.read_to_end(&mut plain)?;
//! assert_eq!(plain, vec![7u8; 200_000]);
//!
//! // Cut off after the third segment: detected, not a short read.
//! let cut = &encrypted[..rpoco_crypto::stream::STREAM_HEADER_LEN + 3 * (64 * 1024 + 16)];
//! let err = DecryptingReader::new(cut, &cipher)?.read_to_end(&mut Vec::new()).unwrap_err();
//! assert!(matches!(rpoco_crypto::Error::from(err), rpoco_crypto::Error::Truncated(_)));
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use std::fmt;
use std::io::{self, Read, Write};

use crate::backend::GcmKey;
use crate::cipher::Cipher;
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::hmac::HmacEngine;
use crate::key::Mode;
use crate::random;
use crate::transform::GCM_TAG_LEN;

const MAGIC: &[u8; 8] = b"RPOCOSA1";
const SALT_LEN: usize = 16;
const PREFIX_LEN: usize = 7;
/// Length of the stream header.
pub const STREAM_HEADER_LEN: usize = 8 + 4 + SALT_LEN + PREFIX_LEN;
/// The default plaintext segment size: 64 KiB.
pub const DEFAULT_SEGMENT_SIZE: usize = 64 * 1024;
/// The largest segment size a writer accepts or a reader believes: 16 MiB.
pub const MAX_SEGMENT_SIZE: usize = 16 * 1024 * 1024;

fn subkey(cipher: &Cipher, salt: &[u8]) -> Result<GcmKey> {
    if cipher.key().mode() != Mode::Gcm {
        return Err(Error::invalid(format!(
            "segmented streams need an AES-GCM key, not {}",
            cipher.key().algorithm()
        )));
    }
    let mut mac = HmacEngine::new(DigestAlgorithm::Sha256, cipher.key().key());
    mac.update(b"rpoco-crypto segmented aead v1");
    mac.update(salt);
    let okm = mac.digest();
    GcmKey::new(&okm[..cipher.key().key_size()]).ok_or_else(|| Error::invalid("bad AES key size"))
}

fn nonce(prefix: &[u8], index: u32, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..PREFIX_LEN].copy_from_slice(prefix);
    n[PREFIX_LEN..11].copy_from_slice(&index.to_be_bytes());
    n[11] = u8::from(last);
    n
}

/// Encrypts everything written to it into `inner` as a segmented AES-GCM stream.
///
/// Call [`finish`](Self::finish): it writes the final segment, without which the reader
/// reports the stream as truncated (dropping the writer does not finish it).
pub struct EncryptingWriter<W: Write> {
    inner: W,
    key: GcmKey,
    header: [u8; STREAM_HEADER_LEN],
    header_written: bool,
    segment_size: usize,
    index: u32,
    buf: Vec<u8>,
}

impl<W: Write> fmt::Debug for EncryptingWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptingWriter")
            .field("segment_size", &self.segment_size)
            .field("segments_written", &self.index)
            .finish_non_exhaustive()
    }
}

impl<W: Write> EncryptingWriter<W> {
    /// A writer with 64 KiB segments. `cipher` must be AES-GCM.
    pub fn new(inner: W, cipher: &Cipher) -> Result<Self> {
        Self::with_segment_size(inner, cipher, DEFAULT_SEGMENT_SIZE)
    }

    /// A writer with `segment_size`-byte plaintext segments (1 to 16 MiB).
    pub fn with_segment_size(inner: W, cipher: &Cipher, segment_size: usize) -> Result<Self> {
        if segment_size == 0 || segment_size > MAX_SEGMENT_SIZE {
            return Err(Error::invalid(format!(
                "segment size must be 1 to {MAX_SEGMENT_SIZE}, got {segment_size}"
            )));
        }
        let mut header = [0u8; STREAM_HEADER_LEN];
        header[..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&(segment_size as u32).to_be_bytes());
        random::fill_random(&mut header[12..])?;
        let key = subkey(cipher, &header[12..12 + SALT_LEN])?;
        Ok(EncryptingWriter {
            inner,
            key,
            header,
            header_written: false,
            segment_size,
            index: 0,
            buf: Vec::with_capacity(segment_size + GCM_TAG_LEN),
        })
    }

    fn emit(&mut self, last: bool) -> Result<()> {
        if !self.header_written {
            self.inner.write_all(&self.header)?;
            self.header_written = true;
        }
        let n = nonce(&self.header[12 + SALT_LEN..], self.index, last);
        let tag = self
            .key
            .seal(&n, &self.header, &mut self.buf)
            .ok_or_else(|| Error::invalid("segment exceeds the GCM limit"))?;
        self.buf.extend_from_slice(&tag);
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.index = self.index.checked_add(1).ok_or_else(|| {
            Error::invalid("stream too long: more than 2^32 segments; use a larger segment size")
        })?;
        Ok(())
    }

    /// Writes the final segment, flushes and returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        self.emit(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }
}

impl<W: Write> Write for EncryptingWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full buffer is sealed only once more data arrives, because until then it may be
        // the final segment.
        if self.buf.len() == self.segment_size {
            self.emit(false)?;
        }
        let n = data.len().min(self.segment_size - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    /// Flushes the inner writer. Buffered plaintext (up to one segment) stays buffered: it
    /// is sealed when the segment fills or at [`finish`](EncryptingWriter::finish).
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts a stream from [`EncryptingWriter`], releasing each segment only after its tag
/// verified. Errors are [`io::Error`]s wrapping an [`Error`]; `Error::from(io_error)`
/// recovers the variant.
pub struct DecryptingReader<R: Read> {
    inner: R,
    cipher: Cipher,
    key: Option<(GcmKey, [u8; STREAM_HEADER_LEN])>,
    segment_size: usize,
    index: u32,
    pending: Vec<u8>,
    plain: Vec<u8>,
    pos: usize,
    done: bool,
    failed: Option<(io::ErrorKind, String)>,
}

impl<R: Read> fmt::Debug for DecryptingReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptingReader")
            .field("segment_size", &self.segment_size)
            .field("segments_read", &self.index)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<R: Read> DecryptingReader<R> {
    /// A reader decrypting `inner` with `cipher` (AES-GCM, the key the writer used).
    pub fn new(inner: R, cipher: &Cipher) -> Result<Self> {
        if cipher.key().mode() != Mode::Gcm {
            return Err(Error::invalid(format!(
                "segmented streams need an AES-GCM key, not {}",
                cipher.key().algorithm()
            )));
        }
        Ok(DecryptingReader {
            inner,
            cipher: cipher.clone(),
            key: None,
            segment_size: 0,
            index: 0,
            pending: Vec::new(),
            plain: Vec::new(),
            pos: 0,
            done: false,
            failed: None,
        })
    }

    /// Reads until `pending` holds `want` bytes or the input ends; true at end of input.
    fn fill(&mut self, want: usize) -> Result<bool> {
        let mut chunk = [0u8; 8192];
        while self.pending.len() < want {
            let space = (want - self.pending.len()).min(chunk.len());
            match self.inner.read(&mut chunk[..space]) {
                Ok(0) => return Ok(true),
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(false)
    }

    fn read_header(&mut self) -> Result<()> {
        self.fill(STREAM_HEADER_LEN)?;
        if self.pending.len() < STREAM_HEADER_LEN {
            return Err(Error::truncated(format!(
                "stream header has {} of {STREAM_HEADER_LEN} bytes",
                self.pending.len()
            )));
        }
        let header: [u8; STREAM_HEADER_LEN] =
            self.pending[..STREAM_HEADER_LEN].try_into().map_err(|_| Error::format("bad header"))?;
        self.pending.drain(..STREAM_HEADER_LEN);
        if &header[..8] != MAGIC {
            return Err(Error::format("not an rpoco encrypted stream (bad magic or unknown version)"));
        }
        let size = u32::from_be_bytes([header[8], header[9], header[10], header[11]]) as usize;
        if size == 0 || size > MAX_SEGMENT_SIZE {
            return Err(Error::format(format!(
                "stream header gives segment size {size}, outside 1..={MAX_SEGMENT_SIZE}"
            )));
        }
        self.segment_size = size;
        self.key = Some((subkey(&self.cipher, &header[12..12 + SALT_LEN])?, header));
        Ok(())
    }

    fn next_segment(&mut self) -> Result<()> {
        if self.key.is_none() {
            self.read_header()?;
        }
        let seg_len = self.segment_size + GCM_TAG_LEN;
        // One byte of look-ahead tells whether this segment is the last.
        let eof = self.fill(seg_len + 1)?;
        let last = eof && self.pending.len() <= seg_len;
        let mut segment: Vec<u8> = if last {
            std::mem::take(&mut self.pending)
        } else {
            let rest = self.pending.split_off(seg_len);
            std::mem::replace(&mut self.pending, rest)
        };
        if segment.len() < GCM_TAG_LEN {
            return Err(Error::truncated(format!(
                "segment {} has {} bytes, less than its tag",
                self.index,
                segment.len()
            )));
        }
        let (key, header) = self.key.as_ref().ok_or_else(|| Error::format("no header"))?;
        let tag = segment.split_off(segment.len() - GCM_TAG_LEN);
        let prefix = &header[12 + SALT_LEN..];
        let backup = if last { Some(segment.clone()) } else { None };
        if !key.open(&nonce(prefix, self.index, last), header, &mut segment, &tag) {
            // Distinguish a stream cut at a segment boundary (this segment verifies as a
            // non-final one) from damage; nothing is released either way.
            if let Some(mut copy) = backup
                && segment.len() == self.segment_size
                && key.open(&nonce(prefix, self.index, false), header, &mut copy, &tag)
            {
                return Err(Error::truncated(format!(
                    "stream ends after segment {} without its final segment",
                    self.index
                )));
            }
            return Err(Error::TagMismatch);
        }
        self.index = self.index.checked_add(1).ok_or_else(|| Error::format("more than 2^32 segments"))?;
        self.plain = segment;
        self.pos = 0;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for DecryptingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, message)) = &self.failed {
            return Err(io::Error::new(*kind, format!("stream already failed: {message}")));
        }
        while self.pos == self.plain.len() {
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            if let Err(e) = self.next_segment() {
                self.plain.clear();
                self.pos = 0;
                let e = io::Error::from(e);
                self.failed = Some((e.kind(), e.to_string()));
                return Err(e);
            }
        }
        let n = buf.len().min(self.plain.len() - self.pos);
        buf[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
