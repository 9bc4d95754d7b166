//! Hex encoding and decoding as POCO's `HexBinaryEncoder` / `HexBinaryDecoder` do it
//! (the "BinHex" encoding of POCO's `Crypto::Cipher`).
//!
//! POCO writes **lowercase** digits and a `"\n"` after every 72 characters by default; the
//! decoder accepts either case and skips whitespace. The digit conversion itself comes from
//! the `hex` crate.
//!
//! ```
//! use rpoco_foundation::hex::{self, HexOptions};
//!
//! assert_eq!(hex::encode(b"\x00\x01\xab\xff"), "0001abff");
//! assert_eq!(hex::encode_with(b"\xab", HexOptions::default().uppercase()), "AB");
//! assert_eq!(hex::decode("00 01\nAB ff").unwrap(), b"\x00\x01\xab\xff");
//! assert!(hex::decode("0g").is_err());
//! ```

use std::io::{self, Read, Write};

use crate::base64::describe;
use crate::error::{Error, Result};

/// POCO's default line length for hex output, in characters.
pub const DEFAULT_LINE_LENGTH: usize = 72;

/// How hex is written: digit case and line length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexOptions {
    uppercase: bool,
    line_length: usize,
}

impl Default for HexOptions {
    /// POCO's default: lowercase digits, `"\n"` after every 72 characters.
    fn default() -> Self {
        HexOptions { uppercase: false, line_length: DEFAULT_LINE_LENGTH }
    }
}

impl HexOptions {
    /// Lowercase digits without line breaks (POCO's `ENC_BINHEX_NO_LF`).
    pub fn no_line_breaks() -> Self {
        Self::default().with_line_length(0)
    }

    /// Uppercase digits (POCO's `setUppercase(true)`).
    pub fn uppercase(mut self) -> Self {
        self.uppercase = true;
        self
    }

    /// Break lines after `line_length` characters (0 disables); rounded up to a whole byte.
    pub fn with_line_length(mut self, line_length: usize) -> Self {
        self.line_length = line_length;
        self
    }

    /// The line length in characters (0 means no line breaks).
    pub fn line_length(&self) -> usize {
        self.line_length
    }
}

/// Encodes `data` as POCO does by default: lowercase, `"\n"` after every 72 characters.
pub fn encode(data: &[u8]) -> String {
    encode_with(data, HexOptions::default())
}

/// Encodes `data` with the given options.
pub fn encode_with(data: &[u8], options: HexOptions) -> String {
    let mut encoder = HexEncoder::with_options(Vec::with_capacity(data.len() * 2 + 2), options);
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    String::from_utf8(encoder.into_inner()).unwrap_or_default()
}

/// Decodes hex digits of either case, skipping whitespace.
pub fn decode(text: impl AsRef<[u8]>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    HexDecoder::new(text.as_ref()).read_to_end(&mut out)?;
    Ok(out)
}

/// A [`Write`] adapter that hex-encodes everything written to it (POCO's `HexBinaryEncoder`).
#[derive(Debug)]
pub struct HexEncoder<W: Write> {
    inner: W,
    options: HexOptions,
    column: usize,
    scratch: Vec<u8>,
}

impl<W: Write> HexEncoder<W> {
    /// An encoder with POCO's default options.
    pub fn new(inner: W) -> Self {
        Self::with_options(inner, HexOptions::default())
    }

    /// An encoder with the given options.
    pub fn with_options(inner: W, options: HexOptions) -> Self {
        HexEncoder { inner, options, column: 0, scratch: Vec::new() }
    }

    /// Returns the inner writer. Hex has no trailing state, so nothing is lost.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for HexEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let line = self.options.line_length.div_ceil(2) * 2;
        for chunk in buf.chunks(4096) {
            self.scratch.clear();
            self.scratch.resize(chunk.len() * 2, 0);
            hex::encode_to_slice(chunk, &mut self.scratch).map_err(io::Error::other)?;
            if self.options.uppercase {
                self.scratch.make_ascii_uppercase();
            }
            let mut encoded = &self.scratch[..];
            if line == 0 {
                self.inner.write_all(encoded)?;
                continue;
            }
            while !encoded.is_empty() {
                let take = (line - self.column).min(encoded.len());
                self.inner.write_all(&encoded[..take])?;
                encoded = &encoded[take..];
                self.column += take;
                if self.column >= line {
                    self.inner.write_all(b"\n")?;
                    self.column = 0;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A [`Read`] adapter that decodes hex from an inner reader (POCO's `HexBinaryDecoder`).
///
/// Malformed input is an [`io::Error`] of kind `InvalidData` wrapping [`Error::DataFormat`].
#[derive(Debug)]
pub struct HexDecoder<R: Read> {
    inner: R,
    offset: u64,
    /// A digit whose partner has not arrived yet.
    half: Option<u8>,
    decoded: Vec<u8>,
    decoded_pos: usize,
    eof: bool,
}

impl<R: Read> HexDecoder<R> {
    /// A decoder over `inner`.
    pub fn new(inner: R) -> Self {
        HexDecoder { inner, offset: 0, half: None, decoded: Vec::new(), decoded_pos: 0, eof: false }
    }

    /// Returns the inner reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut input = [0u8; 4096];
        let n = loop {
            match self.inner.read(&mut input) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.decoded.clear();
        self.decoded_pos = 0;
        if n == 0 {
            self.eof = true;
            if self.half.is_some() {
                return Err(Error::data_format("hex", self.offset, "odd number of hex digits").into());
            }
            return Ok(());
        }
        for (i, &c) in input[..n].iter().enumerate() {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                continue;
            }
            if !c.is_ascii_hexdigit() {
                let at = self.offset + i as u64;
                return Err(
                    Error::data_format("hex", at, format!("invalid hex digit {}", describe(c))).into()
                );
            }
            match self.half.take() {
                None => self.half = Some(c),
                Some(first) => {
                    let mut byte = [0u8; 1];
                    hex::decode_to_slice([first, c], &mut byte).map_err(io::Error::other)?;
                    self.decoded.push(byte[0]);
                }
            }
        }
        self.offset += n as u64;
        Ok(())
    }
}

impl<R: Read> Read for HexDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.decoded_pos == self.decoded.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = (self.decoded.len() - self.decoded_pos).min(buf.len());
        buf[..n].copy_from_slice(&self.decoded[self.decoded_pos..self.decoded_pos + n]);
        self.decoded_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poco_defaults_lowercase_and_newline_every_72() {
        let out = encode(&[0xAB; 36]);
        assert_eq!(out.len(), 73);
        assert!(out.ends_with('\n'));
        assert_eq!(&out[..4], "abab");
        let out = encode(&[0xAB; 40]);
        assert_eq!(out.find('\n'), Some(72));
        assert_eq!(encode_with(&[0xAB; 40], HexOptions::no_line_breaks()).len(), 80);
        assert_eq!(encode_with(&[0x0f], HexOptions::default().uppercase()), "0F");
    }

    #[test]
    fn decode_round_trip_and_errors() {
        let data: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(encode(&data)).unwrap(), data);
        let err = decode("00 1x").unwrap_err();
        assert!(matches!(err, Error::DataFormat { format: "hex", offset: 4, .. }), "{err}");
        let err = decode("abc").unwrap_err();
        assert!(err.to_string().contains("odd number"), "{err}");
    }
}
