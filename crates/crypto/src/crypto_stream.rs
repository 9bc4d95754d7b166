//! POCO's `CryptoInputStream` / `CryptoOutputStream`: a [`CryptoTransform`] applied to
//! everything read or written, in POCO's own data format.
//!
//! As in POCO, the transform decides the direction: `CryptoOutputStream::new(sink,
//! cipher.create_encryptor())` encrypts what is written to it, `CryptoInputStream::new(source,
//! cipher.create_decryptor())` decrypts what is read through it (POCO's convenience
//! constructors taking a `Cipher&` do the opposite, divergence 15, so they are not ported:
//! pass the transform you mean). The output stream needs [`CryptoOutputStream::close`], which
//! finalizes and returns the transform so a GCM tag can be read, as POCO's `close()` then
//! `getTag()`.
//!
//! These carry POCO's format for interop. For new data larger than memory prefer
//! [`EncryptingWriter`](crate::EncryptingWriter) / [`DecryptingReader`](crate::DecryptingReader),
//! which authenticate every segment; a GCM transform here holds the data until the end.
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_crypto::{Cipher, CipherKey, CryptoInputStream, CryptoOutputStream};
//!
//! let cipher = Cipher::new(CipherKey::from_passphrase("aes256", "secret", "salt")?);
//! let mut out = CryptoOutputStream::new(Vec::new(), cipher.create_encryptor());
//! out.write_all(b"streamed through AES-256-CBC")?;
//! let (encrypted, _transform) = out.close()?;
//!
//! let mut plain = String::new();
//! CryptoInputStream::new(&encrypted[..], cipher.create_decryptor()).read_to_string(&mut plain)?;
//! assert_eq!(plain, "streamed through AES-256-CBC");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::{self, Read, Write};

use crate::error::Result;
use crate::transform::CryptoTransform;

/// POCO's stream buffer size.
const BUFFER: usize = 8192;

/// Applies a [`CryptoTransform`] to everything written, writing the result to `inner`
/// (POCO `CryptoOutputStream(ostr, transform)`).
pub struct CryptoOutputStream<W: Write> {
    inner: W,
    transform: CryptoTransform,
    out: Vec<u8>,
}

impl<W: Write> fmt::Debug for CryptoOutputStream<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoOutputStream").field("transform", &self.transform).finish_non_exhaustive()
    }
}

impl<W: Write> CryptoOutputStream<W> {
    /// A stream writing `transform`'s output to `inner`.
    pub fn new(inner: W, transform: CryptoTransform) -> Self {
        CryptoOutputStream { inner, transform, out: Vec::with_capacity(BUFFER + 32) }
    }

    /// Finalizes the transform, writes its last output, flushes and returns the inner writer
    /// and the transform (for [`CryptoTransform::tag`]). Without it the final block or the GCM
    /// output is lost, which is why it returns `Result` where POCO's destructor stays silent.
    pub fn close(mut self) -> Result<(W, CryptoTransform)> {
        self.out.clear();
        self.transform.finalize(&mut self.out)?;
        self.inner.write_all(&self.out)?;
        self.inner.flush()?;
        Ok((self.inner, self.transform))
    }
}

impl<W: Write> Write for CryptoOutputStream<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.out.clear();
        self.transform.transform(data, &mut self.out)?;
        self.inner.write_all(&self.out)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Applies a [`CryptoTransform`] to everything read from `inner`
/// (POCO `CryptoInputStream(istr, transform)`). The transform is finalized at the end of
/// `inner`; an error there (bad padding, tag mismatch) is returned by that `read`.
pub struct CryptoInputStream<R: Read> {
    inner: R,
    transform: CryptoTransform,
    buf: Vec<u8>,
    pos: usize,
    finished: bool,
}

impl<R: Read> fmt::Debug for CryptoInputStream<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoInputStream")
            .field("transform", &self.transform)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<R: Read> CryptoInputStream<R> {
    /// A stream yielding `transform` applied to what `inner` yields.
    pub fn new(inner: R, transform: CryptoTransform) -> Self {
        CryptoInputStream { inner, transform, buf: Vec::with_capacity(BUFFER + 32), pos: 0, finished: false }
    }

    /// The transform, e.g. to read a GCM tag once the stream is exhausted.
    pub fn transform(&self) -> &CryptoTransform {
        &self.transform
    }

    /// Gives a GCM decryptor its expected tag before the end of the data is read.
    pub fn transform_mut(&mut self) -> &mut CryptoTransform {
        &mut self.transform
    }
}

impl<R: Read> Read for CryptoInputStream<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut chunk = [0u8; BUFFER];
        while self.pos == self.buf.len() {
            if self.finished || out.is_empty() {
                return Ok(0);
            }
            self.buf.clear();
            self.pos = 0;
            let n = match self.inner.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.finished = true;
                self.transform.finalize(&mut self.buf)?;
            } else {
                self.transform.transform(&chunk[..n], &mut self.buf)?;
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cipher, CipherKey, Encoding, Error};

    #[test]
    fn same_bytes_as_encrypt_string_in_both_directions() {
        for name in ["aes-128-cbc", "aes-256-gcm"] {
            let c = Cipher::new(CipherKey::from_passphrase(name, "p", "s").unwrap());
            let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
            let mut w = CryptoOutputStream::new(Vec::new(), c.create_encryptor());
            for piece in data.chunks(777) {
                w.write_all(piece).unwrap();
            }
            let (mut ct, t) = w.close().unwrap();
            if let Ok(tag) = t.tag(16) {
                ct.extend_from_slice(&tag);
            }
            assert_eq!(ct, c.encrypt_string(&data, Encoding::None, true).unwrap(), "{name}");

            // Encrypting through an input stream gives the same bytes.
            let mut r = CryptoInputStream::new(&data[..], c.create_encryptor());
            let mut via_read = Vec::new();
            r.read_to_end(&mut via_read).unwrap();
            if let Ok(tag) = r.transform().tag(16) {
                via_read.extend_from_slice(&tag);
            }
            assert_eq!(via_read, ct, "{name}");

            let mut dec = c.create_decryptor();
            let body = if name.ends_with("gcm") {
                dec.set_tag(&ct[ct.len() - 16..]).unwrap();
                &ct[..ct.len() - 16]
            } else {
                &ct[..]
            };
            let mut back = Vec::new();
            CryptoInputStream::new(body, dec).read_to_end(&mut back).unwrap();
            assert_eq!(back, data, "{name}");
        }
    }

    #[test]
    fn errors_surface_at_the_end() {
        let c = Cipher::new(CipherKey::from_passphrase("aes256", "p", "s").unwrap());
        let ct = c.encrypt_string(b"hello", Encoding::None, true).unwrap();
        let other = Cipher::new(CipherKey::from_passphrase("aes256", "q", "s").unwrap());
        let e = CryptoInputStream::new(&ct[..], other.create_decryptor())
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(matches!(Error::from(e), Error::BadDecrypt));
        let gcm = Cipher::new(CipherKey::new("aes-256-gcm").unwrap());
        let mut d = gcm.create_decryptor();
        d.set_tag(&[0u8; 16]).unwrap();
        let mut got = Vec::new();
        let e = CryptoInputStream::new(&[1u8; 40][..], d).read_to_end(&mut got).unwrap_err();
        assert!(matches!(Error::from(e), Error::TagMismatch));
        assert!(got.is_empty());
    }
}
