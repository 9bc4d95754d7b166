//! Base64 encoding and decoding as POCO's `Base64Encoder` / `Base64Decoder` do it.
//!
//! POCO's default differs from most libraries in one way that matters when porting: the
//! encoder inserts `"\r\n"` after every 72 output characters. [`Base64Options`] selects
//! that default, no line breaks, no padding or the URL-safe alphabet (`-_`, never broken
//! into lines), matching POCO's `BASE64_URL_ENCODING` and `BASE64_NO_PADDING` options.
//! The alphabets themselves come from the `base64` crate.
//!
//! ```
//! use rpoco_foundation::base64::{self, Base64Options};
//!
//! assert_eq!(base64::encode(b"Hello, world!"), "SGVsbG8sIHdvcmxkIQ==");
//! let long = base64::encode(&[0u8; 60]);
//! assert_eq!(&long[72..74], "\r\n"); // POCO's line break after 72 characters
//! assert_eq!(base64::decode(&long).unwrap(), vec![0u8; 60]);
//!
//! let url = Base64Options::url().without_padding();
//! assert_eq!(base64::encode_with(&[0xfb, 0xff], url), "-_8");
//! assert_eq!(base64::decode_with("-_8", url).unwrap(), vec![0xfb, 0xff]);
//! ```

use std::io::{self, Read, Write};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::error::{Error, Result};

/// POCO's default line length for Base64 output, in characters.
pub const DEFAULT_LINE_LENGTH: usize = 72;

/// How Base64 is written and read: alphabet, padding and line length.
///
/// The default is POCO's: standard alphabet, `=` padding, `"\r\n"` after every 72 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base64Options {
    url: bool,
    padding: bool,
    line_length: usize,
}

impl Default for Base64Options {
    fn default() -> Self {
        Base64Options { url: false, padding: true, line_length: DEFAULT_LINE_LENGTH }
    }
}

impl Base64Options {
    /// POCO's default: standard alphabet, padding, a line break after 72 characters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Standard alphabet and padding, without line breaks (POCO's `setLineLength(0)`).
    pub fn no_line_breaks() -> Self {
        Self::default().with_line_length(0)
    }

    /// POCO's `BASE64_URL_ENCODING`: the URL-safe alphabet (`-` and `_`), no line breaks.
    /// The decoder does not skip whitespace in this mode.
    pub fn url() -> Self {
        Base64Options { url: true, padding: true, line_length: 0 }
    }

    /// POCO's `BASE64_NO_PADDING`: no `=` on output; input may omit it.
    pub fn without_padding(mut self) -> Self {
        self.padding = false;
        self
    }

    /// Break lines after `line_length` characters (0 disables line breaks).
    ///
    /// As in POCO, the check is made after each 4-character group, so a length that is not a
    /// multiple of 4 is rounded up.
    pub fn with_line_length(mut self, line_length: usize) -> Self {
        self.line_length = line_length;
        self
    }

    /// The line length in characters (0 means no line breaks).
    pub fn line_length(&self) -> usize {
        self.line_length
    }

    /// Whether the URL-safe alphabet is used.
    pub fn is_url(&self) -> bool {
        self.url
    }

    /// Whether `=` padding is written.
    pub fn has_padding(&self) -> bool {
        self.padding
    }

    fn engine(&self) -> GeneralPurpose {
        let alphabet = if self.url { &base64::alphabet::URL_SAFE } else { &base64::alphabet::STANDARD };
        let config = GeneralPurposeConfig::new()
            .with_encode_padding(self.padding)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true);
        GeneralPurpose::new(alphabet, config)
    }

    /// The characters per line actually produced (a whole number of 4-character groups).
    fn effective_line(&self) -> usize {
        self.line_length.div_ceil(4) * 4
    }

    fn is_data_char(&self, c: u8) -> bool {
        c.is_ascii_alphanumeric() || if self.url { c == b'-' || c == b'_' } else { c == b'+' || c == b'/' }
    }

    fn skips(&self, c: u8) -> bool {
        !self.url && matches!(c, b' ' | b'\r' | b'\n' | b'\t')
    }
}

/// Encodes `data` the way POCO's `Base64Encoder` does by default (line breaks every 72 chars).
pub fn encode(data: &[u8]) -> String {
    encode_with(data, Base64Options::default())
}

/// Encodes `data` with the given options.
pub fn encode_with(data: &[u8], options: Base64Options) -> String {
    let mut encoder = Base64Encoder::with_options(Vec::with_capacity(data.len() * 4 / 3 + 4), options);
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    let out = encoder.finish().unwrap_or_default();
    // Base64 output is ASCII by construction.
    String::from_utf8(out).unwrap_or_default()
}

/// Decodes POCO-style Base64: whitespace (space, tab, CR, LF) is skipped, padding is expected.
pub fn decode(text: impl AsRef<[u8]>) -> Result<Vec<u8>> {
    decode_with(text, Base64Options::default())
}

/// Decodes Base64 with the given options.
pub fn decode_with(text: impl AsRef<[u8]>, options: Base64Options) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    Base64Decoder::with_options(text.as_ref(), options).read_to_end(&mut out)?;
    Ok(out)
}

/// A [`Write`] adapter that Base64-encodes everything written to it (POCO's `Base64Encoder`).
///
/// Call [`finish`](Base64Encoder::finish) to write the final group and padding; dropping the
/// encoder without it loses up to two bytes (POCO does that in its destructor, where errors
/// cannot be reported).
#[derive(Debug)]
pub struct Base64Encoder<W: Write> {
    inner: W,
    options: Base64Options,
    engine: GeneralPurpose,
    pending: [u8; 3],
    pending_len: usize,
    column: usize,
    scratch: Vec<u8>,
}

impl<W: Write> Base64Encoder<W> {
    /// An encoder with POCO's default options.
    pub fn new(inner: W) -> Self {
        Self::with_options(inner, Base64Options::default())
    }

    /// An encoder with the given options.
    pub fn with_options(inner: W, options: Base64Options) -> Self {
        Base64Encoder {
            inner,
            engine: options.engine(),
            options,
            pending: [0; 3],
            pending_len: 0,
            column: 0,
            scratch: Vec::new(),
        }
    }

    /// Writes the last partial group with its padding and returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        if self.pending_len > 0 {
            let tail = self.engine.encode(&self.pending[..self.pending_len]);
            self.inner.write_all(tail.as_bytes())?;
            self.pending_len = 0;
        }
        self.inner.flush()?;
        Ok(self.inner)
    }

    /// Encodes whole 3-byte groups from `data` and writes them, inserting line breaks.
    fn write_groups(&mut self, data: &[u8]) -> io::Result<()> {
        self.scratch.clear();
        self.scratch.resize(data.len() / 3 * 4, 0);
        let n = self.engine.encode_slice(data, &mut self.scratch).map_err(io::Error::other)?;
        let line = self.options.effective_line();
        let mut encoded = &self.scratch[..n];
        if line == 0 {
            return self.inner.write_all(encoded);
        }
        while !encoded.is_empty() {
            let take = (line - self.column).min(encoded.len());
            self.inner.write_all(&encoded[..take])?;
            encoded = &encoded[take..];
            self.column += take;
            if self.column >= line {
                self.inner.write_all(b"\r\n")?;
                self.column = 0;
            }
        }
        Ok(())
    }
}

impl<W: Write> Write for Base64Encoder<W> {
    fn write(&mut self, mut buf: &[u8]) -> io::Result<usize> {
        let len = buf.len();
        if self.pending_len > 0 {
            let take = (3 - self.pending_len).min(buf.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&buf[..take]);
            self.pending_len += take;
            buf = &buf[take..];
            if self.pending_len < 3 {
                return Ok(len);
            }
            let group = self.pending;
            self.pending_len = 0;
            self.write_groups(&group)?;
        }
        let whole = buf.len() / 3 * 3;
        // Bound the scratch buffer on large writes.
        for chunk in buf[..whole].chunks(3 * 4096) {
            self.write_groups(chunk)?;
        }
        let rest = &buf[whole..];
        self.pending[..rest.len()].copy_from_slice(rest);
        self.pending_len = rest.len();
        Ok(len)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A [`Read`] adapter that decodes Base64 from an inner reader (POCO's `Base64Decoder`).
///
/// Malformed input is reported as an [`io::Error`] of kind `InvalidData` wrapping
/// [`Error::DataFormat`] with the byte offset; `rpoco_foundation::Error::from` unwraps it.
#[derive(Debug)]
pub struct Base64Decoder<R: Read> {
    inner: R,
    options: Base64Options,
    engine: GeneralPurpose,
    /// Offset in the encoded input of the next byte to be read from `inner`.
    offset: u64,
    /// Data characters not yet decoded (fewer than 4 between reads).
    chars: Vec<u8>,
    /// Padding characters seen so far; after the first, only padding and whitespace may follow.
    padding: usize,
    decoded: Vec<u8>,
    decoded_pos: usize,
    eof: bool,
}

impl<R: Read> Base64Decoder<R> {
    /// A decoder with POCO's default options.
    pub fn new(inner: R) -> Self {
        Self::with_options(inner, Base64Options::default())
    }

    /// A decoder with the given options.
    pub fn with_options(inner: R, options: Base64Options) -> Self {
        Base64Decoder {
            inner,
            engine: options.engine(),
            options,
            offset: 0,
            chars: Vec::new(),
            padding: 0,
            decoded: Vec::new(),
            decoded_pos: 0,
            eof: false,
        }
    }

    /// Returns the inner reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn bad(&self, offset: u64, message: String) -> io::Error {
        Error::data_format("base64", offset, message).into()
    }

    /// Reads more input and decodes every complete group into `decoded`.
    fn fill(&mut self) -> io::Result<()> {
        let mut input = [0u8; 4096];
        let n = loop {
            match self.inner.read(&mut input) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            return self.finish_input();
        }
        for (i, &c) in input[..n].iter().enumerate() {
            let at = self.offset + i as u64;
            if self.options.skips(c) {
                continue;
            }
            if c == b'=' {
                self.padding += 1;
                let group = (self.chars.len() % 4) + self.padding;
                if self.chars.len() % 4 < 2 || group > 4 {
                    return Err(self.bad(at, "unexpected padding character '='".into()));
                }
                continue;
            }
            if !self.options.is_data_char(c) {
                return Err(self.bad(at, format!("invalid character {}", describe(c))));
            }
            if self.padding > 0 {
                return Err(self.bad(at, format!("character {} after padding", describe(c))));
            }
            self.chars.push(c);
        }
        self.offset += n as u64;
        let whole = self.chars.len() / 4 * 4;
        self.decode_chars(whole)
    }

    fn finish_input(&mut self) -> io::Result<()> {
        let rest = self.chars.len() % 4;
        if rest == 0 {
            return Ok(());
        }
        let complete = rest + self.padding == 4;
        if rest == 1 || (!complete && self.options.padding) {
            return Err(
                self.bad(self.offset, format!("truncated group: input ends after {rest} of 4 characters"))
            );
        }
        self.decode_chars(self.chars.len())
    }

    fn decode_chars(&mut self, count: usize) -> io::Result<()> {
        if count == 0 {
            return Ok(());
        }
        self.decoded.clear();
        self.decoded_pos = 0;
        self.decoded.resize(count.div_ceil(4) * 3, 0);
        let n = self
            .engine
            .decode_slice(&self.chars[..count], &mut self.decoded)
            .map_err(|e| self.bad(self.offset, e.to_string()))?;
        self.decoded.truncate(n);
        self.chars.drain(..count);
        Ok(())
    }
}

impl<R: Read> Read for Base64Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.decoded_pos == self.decoded.len() {
            if self.eof {
                return Ok(0);
            }
            self.decoded.clear();
            self.decoded_pos = 0;
            self.fill()?;
        }
        let n = (self.decoded.len() - self.decoded_pos).min(buf.len());
        buf[..n].copy_from_slice(&self.decoded[self.decoded_pos..self.decoded_pos + n]);
        self.decoded_pos += n;
        Ok(n)
    }
}

pub(crate) fn describe(c: u8) -> String {
    if c.is_ascii_graphic() { format!("'{}'", c as char) } else { format!("0x{c:02X}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poco_test_vectors() {
        // From POCO's Base64Test::testEncoder / testDecoder.
        for (plain, encoded) in [
            (&b"\x00\x01\x02\x03"[..], "AAECAw=="),
            (b"ABCDEF", "QUJDREVG"),
            (b"\x00\xff\xf0\x0f", "AP/wDw=="),
            (b"ABCDEFG", "QUJDREVGRw=="),
            (b"", ""),
        ] {
            assert_eq!(encode(plain), encoded);
            assert_eq!(decode(encoded).unwrap(), plain);
        }
        assert_eq!(decode("QUJD\r\nREVG R w==").unwrap(), b"ABCDEFG");
    }

    #[test]
    fn line_breaks_after_every_72_characters_including_at_the_end() {
        let out = encode(&[7u8; 54]); // exactly 72 characters
        assert!(out.ends_with("\r\n"));
        assert_eq!(out.len(), 74);
        let out = encode(&[7u8; 55]);
        assert_eq!(out.matches("\r\n").count(), 1);
        assert!(out.ends_with("Bw=="));
        let odd = encode_with(&[1u8; 60], Base64Options::default().with_line_length(70));
        assert_eq!(odd.find("\r\n"), Some(72));
        assert!(!encode_with(&[1u8; 600], Base64Options::no_line_breaks()).contains('\n'));
    }

    #[test]
    fn streaming_in_small_pieces_matches_one_shot() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
        let mut enc = Base64Encoder::new(Vec::new());
        for piece in data.chunks(5) {
            enc.write_all(piece).unwrap();
        }
        let streamed = enc.finish().unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), encode(&data));
    }

    #[test]
    fn url_alphabet_and_no_padding() {
        let opts = Base64Options::url();
        assert_eq!(encode_with(&[0xfb, 0xff, 0xfe], opts), "-__-");
        assert_eq!(encode_with(&[0xfb], opts), "-w==");
        assert_eq!(encode_with(&[0xfb], opts.without_padding()), "-w");
        assert_eq!(decode_with("-w", opts.without_padding()).unwrap(), [0xfb]);
        // URL mode does not skip whitespace.
        assert!(decode_with("-w= =", opts).is_err());
        assert!(decode_with("-_", Base64Options::default()).is_err());
    }

    #[test]
    fn errors_name_the_offset_and_problem() {
        let err = decode("QUJD!EVG").unwrap_err();
        assert!(matches!(err, Error::DataFormat { format: "base64", offset: 4, .. }), "{err}");
        assert!(err.to_string().contains("'!'"));
        let err = decode("QUJDRE").unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(decode("QQ=A").is_err());
        assert!(decode("Q===").is_err());
        assert!(decode("QQ==QQ==").is_err());
        assert_eq!(decode_with("QUJDRE", Base64Options::default().without_padding()).unwrap(), b"ABCD");
    }
}
