//! Quoted-printable (RFC 2045 section 6.7) as POCO's `QuotedPrintableEncoder` and
//! `QuotedPrintableDecoder` do it: streaming [`Write`] and [`Read`] adapters.
//!
//! ```
//! use rpoco_net::mail::{quoted_printable_decode, quoted_printable_encode};
//! let encoded = quoted_printable_encode(b"caf\xc3\xa9 = 1 \r\n");
//! assert_eq!(encoded, "caf=C3=A9 =3D 1=20\r\n");
//! assert_eq!(quoted_printable_decode(encoded.as_bytes()).unwrap(), b"caf\xc3\xa9 = 1 \r\n");
//! ```

use std::io::{self, Read, Write};

/// A [`Write`] adapter that quoted-printable-encodes what is written (POCO
/// `QuotedPrintableEncoder`): line breaks in the input stay line breaks, space and tab
/// before a line break become `=20`/`=09`, other bytes outside `!`..`~` and `=` become
/// `=XX`, and lines are soft-broken with `=\r\n` before 76 characters.
///
/// Call [`finish`](Self::finish) at the end: it writes a held-back trailing space or tab
/// (encoded, as RFC 2045 requires at the end of the data).
#[derive(Debug)]
pub struct QuotedPrintableEncoder<W: Write> {
    inner: W,
    pending: Option<u8>,
    line_length: usize,
    out: Vec<u8>,
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

impl<W: Write> QuotedPrintableEncoder<W> {
    /// An encoder writing to `inner`.
    pub fn new(inner: W) -> Self {
        QuotedPrintableEncoder { inner, pending: None, line_length: 0, out: Vec::with_capacity(1024) }
    }

    /// Writes a held-back trailing space or tab and returns the inner writer (POCO `close`).
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(p) = self.pending.take() {
            self.encoded(p);
        }
        self.inner.write_all(&self.out)?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn encode_byte(&mut self, c: u8) {
        if let Some(p) = self.pending.take() {
            if c == b'\r' || c == b'\n' {
                self.encoded(p);
            } else {
                self.raw(p);
            }
        }
        match c {
            b'\t' | b' ' => self.pending = Some(c),
            b'\r' | b'\n' => self.raw(c),
            33..=126 if c != b'=' => self.raw(c),
            _ => self.encoded(c),
        }
    }

    fn encoded(&mut self, c: u8) {
        if self.line_length >= 73 {
            self.out.extend_from_slice(b"=\r\n");
            self.line_length = 3;
        } else {
            self.line_length += 3;
        }
        self.out.extend_from_slice(&[b'=', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]]);
    }

    fn raw(&mut self, c: u8) {
        if c == b'\r' || c == b'\n' {
            self.out.push(c);
            self.line_length = 0;
        } else if self.line_length < 75 {
            self.out.push(c);
            self.line_length += 1;
        } else {
            self.out.extend_from_slice(b"=\r\n");
            self.out.push(c);
            self.line_length = 1;
        }
    }
}

impl<W: Write> Write for QuotedPrintableEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &c in buf {
            self.encode_byte(c);
        }
        if self.out.len() >= 8192 {
            self.inner.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.out)?;
        self.out.clear();
        self.inner.flush()
    }
}

/// A [`Read`] adapter that decodes quoted-printable (POCO `QuotedPrintableDecoder`):
/// `=XX` (either case) becomes the byte, `=` before a line break (soft break, also with
/// trailing spaces or tabs before the break) disappears.
///
/// Any other `=` is an [`io::ErrorKind::InvalidData`] error naming the byte offset.
#[derive(Debug)]
pub struct QuotedPrintableDecoder<R: Read> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    offset: u64,
}

impl<R: Read> QuotedPrintableDecoder<R> {
    /// A decoder reading from `inner`.
    pub fn new(inner: R) -> Self {
        QuotedPrintableDecoder { inner, buf: vec![0; 8192].into_boxed_slice(), pos: 0, len: 0, offset: 0 }
    }

    /// The inner reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn next(&mut self) -> io::Result<Option<u8>> {
        if self.pos == self.len {
            self.len = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.pos = 0;
            if self.len == 0 {
                return Ok(None);
            }
        }
        let c = self.buf[self.pos];
        self.pos += 1;
        self.offset += 1;
        Ok(Some(c))
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        let c = self.next()?;
        if c.is_some() {
            self.pos -= 1;
            self.offset -= 1;
        }
        Ok(c)
    }

    /// A malformed-message error with the offset as its detail, inside an `io::Error` of
    /// kind `InvalidData` (the reader's interface), which `Error::from` unwraps again.
    fn bad(&self, what: &str) -> io::Error {
        let offset = self.offset.saturating_sub(1);
        io::Error::from(crate::Error::at_offset(
            offset as usize,
            format!("quoted-printable: {what} at byte {offset}"),
        ))
    }

    /// Decodes after an `=`: `Some(byte)` for `=XX`, `None` for a soft line break.
    fn escape(&mut self) -> io::Result<Option<u8>> {
        let Some(c) = self.next()? else { return Err(self.bad("'=' at the end of the data")) };
        if let Some(hi) = hex_value(c) {
            let Some(lo) = self.next()?.and_then(hex_value) else {
                return Err(self.bad("incomplete hex number after '='"));
            };
            return Ok(Some(hi << 4 | lo));
        }
        let mut c = c;
        while c == b' ' || c == b'\t' {
            c = match self.next()? {
                Some(c) => c,
                None => return Ok(None),
            };
        }
        match c {
            b'\n' => Ok(None),
            b'\r' => {
                if self.peek()? == Some(b'\n') {
                    self.next()?;
                }
                Ok(None)
            }
            _ => Err(self.bad("invalid occurrence of '='")),
        }
    }
}

fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

impl<R: Read> Read for QuotedPrintableDecoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            // Stop at the end of what is buffered once something was produced, so a read
            // never waits for more input than it needs.
            if n > 0 && self.pos == self.len {
                break;
            }
            let Some(c) = self.next()? else { break };
            let decoded = if c == b'=' { self.escape()? } else { Some(c) };
            if let Some(b) = decoded {
                out[n] = b;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Encodes `data` as quoted-printable.
pub fn quoted_printable_encode(data: &[u8]) -> String {
    let mut enc = QuotedPrintableEncoder::new(Vec::with_capacity(data.len() + data.len() / 8));
    enc.write_all(data).expect("writing to a Vec");
    let out = enc.finish().expect("writing to a Vec");
    String::from_utf8(out).expect("quoted-printable output is ASCII")
}

/// Decodes quoted-printable `text`.
pub fn quoted_printable_decode(text: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    QuotedPrintableDecoder::new(text).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = "Lorem ipsum dolor sit amet, consectetuer adipiscing elit.\r\n\
        Proin id odio sit amet metus dignissim porttitor. \r\n\
        Aliquam nulla ipsum, faucibus non, aliquet quis, aliquet id, felis. Proin sodales molestie arcu.\r\n\
        \t\x08Sed suscipit, mi in facilisis feugiat, \t   \r\n";
    const ENCODED: &str = "Lorem ipsum dolor sit amet, consectetuer adipiscing elit.\r\n\
        Proin id odio sit amet metus dignissim porttitor.=20\r\n\
        Aliquam nulla ipsum, faucibus non, aliquet quis, aliquet id, felis. Proin s=\r\n\
        odales molestie arcu.\r\n\
        \t=08Sed suscipit, mi in facilisis feugiat, \t  =20\r\n\
        =80=81\r\n";

    fn plain() -> Vec<u8> {
        let mut p = PLAIN.as_bytes().to_vec();
        p.extend_from_slice(b"\x80\x81\r\n");
        p
    }

    #[test]
    fn poco_test_encode() {
        assert_eq!(quoted_printable_encode(&plain()), ENCODED);
        // Byte by byte gives the same.
        let mut enc = QuotedPrintableEncoder::new(Vec::new());
        for b in plain() {
            enc.write_all(&[b]).unwrap();
        }
        assert_eq!(enc.finish().unwrap(), ENCODED.as_bytes());
    }

    #[test]
    fn poco_test_decode() {
        assert_eq!(quoted_printable_decode(ENCODED.as_bytes()).unwrap(), plain());
        // One byte at a time through a reader that hands out one byte per read.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                let Some((&c, rest)) = self.0.split_first() else { return Ok(0) };
                b[0] = c;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut out = Vec::new();
        QuotedPrintableDecoder::new(Trickle(ENCODED.as_bytes())).read_to_end(&mut out).unwrap();
        assert_eq!(out, plain());
    }

    #[test]
    fn trailing_whitespace_at_the_end_is_kept() {
        assert_eq!(quoted_printable_encode(b"a "), "a=20");
        assert_eq!(quoted_printable_decode(b"a=20").unwrap(), b"a ");
    }

    #[test]
    fn lenient_soft_breaks_and_lower_case_hex() {
        assert_eq!(quoted_printable_decode(b"a= \t\r\nb=c3=a9=\nc").unwrap(), "abéc".as_bytes());
    }

    #[test]
    fn bad_escapes_are_errors_with_offsets() {
        for bad in [&b"ab=Z1"[..], b"ab=4", b"ab=", b"ab=4Z"] {
            let e = quoted_printable_decode(bad).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{bad:?}");
            let e = crate::Error::from(e);
            assert!(matches!(e.detail(), crate::Detail::Offset(2..=4)), "{e}");
        }
    }
}
