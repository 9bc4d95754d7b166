//! [`MultipartReader`]: parts of a multipart body, one after another, each read as a stream.

use std::io::{self, Read};

use memchr::memmem::Finder;

use crate::error::{Error, ErrorKind, Limit, Result};
use crate::http::message::MessageHeader;

/// Limits a [`MultipartReader`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultipartLimits {
    /// At most this many parts (default 1024).
    pub max_parts: usize,
    /// At most this many bytes in one part's header block (default 16 KiB).
    pub max_header_bytes: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits { max_parts: 1024, max_header_bytes: 16 * 1024 }
    }
}

const BUFFER: usize = 64 * 1024;
/// Bytes of transport padding (RFC 2046 `transport-padding`) accepted after a delimiter.
const MAX_PADDING: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading the preamble (`discard`) or a part's content.
    Content { discard: bool },
    /// Just after a delimiter (`\n--boundary`): a part header or `--` follows.
    Delimiter,
    /// After the close delimiter.
    Closed,
}

/// POCO `MultipartReader`: reads a multipart body part by part.
///
/// [`next_part`](Self::next_part) skips what is left of the current part and returns the
/// next part's header (or `None` after the close delimiter); the reader itself is the
/// current part's content as a [`Read`]. Delimiters may end in CRLF or a bare LF; the
/// boundary may be given, or found from the first delimiter line (`""`, as POCO).
///
/// A body that ends before the close delimiter → [`ErrorKind::Message`](crate::ErrorKind::Message); too many parts or too
/// long a part header → [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
pub struct MultipartReader<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    delim: Vec<u8>,
    finder: Finder<'static>,
    state: State,
    parts: usize,
    limits: MultipartLimits,
    header_limits: crate::http::message::HeaderLimits,
}

impl<R> std::fmt::Debug for MultipartReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartReader")
            .field("boundary", &String::from_utf8_lossy(self.delim.get(3..).unwrap_or_default()))
            .field("parts", &self.parts)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

fn malformed(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::Message, format!("multipart body: {}", what.into()))
}

impl<R: Read> MultipartReader<R> {
    /// A reader for a body with `boundary` (from the `Content-Type`), or `""` to take the
    /// boundary from the first delimiter line.
    pub fn new(inner: R, boundary: &str) -> Result<Self> {
        Self::with_limits(inner, boundary, MultipartLimits::default())
    }

    /// A reader with the given limits.
    pub fn with_limits(inner: R, boundary: &str, limits: MultipartLimits) -> Result<Self> {
        if boundary.len() > 200 || boundary.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("bad multipart boundary `{boundary}`"),
            ));
        }
        let cap = BUFFER.max(limits.max_header_bytes + boundary.len() + MAX_PADDING + 8);
        let mut r = MultipartReader {
            inner,
            buf: vec![0; cap].into_boxed_slice(),
            start: 0,
            end: 1,
            eof: false,
            delim: Vec::new(),
            finder: Finder::new(b"\n--").into_owned(),
            state: State::Content { discard: true },
            parts: 0,
            limits,
            header_limits: Default::default(),
        };
        // A virtual line break before the body lets the first delimiter match at its start.
        r.buf[0] = b'\n';
        let boundary = if boundary.is_empty() { r.guess_boundary()? } else { boundary.to_owned() };
        r.delim = format!("\n--{boundary}").into_bytes();
        r.finder = Finder::new(&r.delim).into_owned();
        Ok(r)
    }

    /// The boundary.
    pub fn boundary(&self) -> String {
        String::from_utf8_lossy(self.delim.get(3..).unwrap_or_default()).into_owned()
    }

    /// Parts started so far.
    pub fn parts(&self) -> usize {
        self.parts
    }

    /// Sets the limits applied to each part's header fields (POCO `MessageHeader` limits).
    pub fn set_header_limits(&mut self, limits: crate::http::message::HeaderLimits) {
        self.header_limits = limits;
    }

    fn guess_boundary(&mut self) -> Result<String> {
        loop {
            let avail = &self.buf[self.start + 1..self.end];
            if let Some(nl) = avail.iter().position(|&b| b == b'\n') {
                let line = std::str::from_utf8(&avail[..nl])
                    .map_err(|_| malformed("first line is not a delimiter"))?
                    .trim_end();
                return match line.strip_prefix("--") {
                    Some(b) if !b.is_empty() => Ok(b.to_owned()),
                    _ => Err(malformed("first line is not a delimiter and no boundary was given")),
                };
            }
            if avail.len() > 300 || !self.fill()? {
                return Err(malformed("no delimiter line at the start and no boundary was given"));
            }
        }
    }

    /// Reads more input after the buffered bytes; `false` at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            return Ok(true);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Fills until at least `n` bytes are buffered (or input ends).
    fn want(&mut self, n: usize) -> io::Result<bool> {
        while self.end - self.start < n {
            if !self.fill()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// POCO `hasNextPart`: whether another part follows (skips the rest of this one).
    pub fn has_next_part(&mut self) -> Result<bool> {
        self.skip_content()?;
        if self.state == State::Closed {
            return Ok(false);
        }
        if !self.want(2)? {
            return Err(malformed("ends after a delimiter"));
        }
        Ok(&self.buf[self.start..self.start + 2] != b"--")
    }

    fn skip_content(&mut self) -> Result<()> {
        if matches!(self.state, State::Content { .. }) {
            let mut sink = [0u8; 8192];
            while self.read_content(&mut sink)? > 0 {}
        }
        Ok(())
    }

    /// Skips the rest of the current part and returns the next part's header, or `None`
    /// after the close delimiter.
    pub fn next_part(&mut self) -> Result<Option<MessageHeader>> {
        self.skip_content()?;
        if self.state == State::Closed {
            return Ok(None);
        }
        if !self.want(2)? {
            return Err(malformed("ends after a delimiter"));
        }
        if &self.buf[self.start..self.start + 2] == b"--" {
            self.state = State::Closed;
            return Ok(None);
        }
        self.skip_padding()?;
        if self.parts == self.limits.max_parts {
            return Err(Error::limit(
                Limit::Form,
                format!("more than {} multipart parts", self.limits.max_parts),
            ));
        }
        let header = self.read_header()?;
        self.parts += 1;
        self.state = State::Content { discard: false };
        Ok(Some(header))
    }

    /// POCO `nextPart(MessageHeader&)`: the next part's header into `header`; no further
    /// part is an error.
    pub fn next_part_into(&mut self, header: &mut MessageHeader) -> Result<()> {
        let h = self.next_part()?.ok_or_else(|| malformed("no more parts"))?;
        for (n, v) in h.fields().iter() {
            header.add(n, v);
        }
        Ok(())
    }

    /// POCO `stream()`: the current part's content.
    pub fn stream(&mut self) -> &mut Self {
        self
    }

    fn skip_padding(&mut self) -> Result<()> {
        let mut skipped = 0;
        loop {
            if !self.want(1)? {
                return Err(malformed("ends after a delimiter"));
            }
            match self.buf[self.start] {
                b' ' | b'\t' if skipped < MAX_PADDING => {
                    self.start += 1;
                    skipped += 1;
                }
                b'\r' => {
                    if !self.want(2)? || self.buf[self.start + 1] != b'\n' {
                        return Err(malformed("bad delimiter line (CR without LF)"));
                    }
                    self.start += 2;
                    return Ok(());
                }
                b'\n' => {
                    self.start += 1;
                    return Ok(());
                }
                _ => return Err(malformed(format!("bad delimiter line after `--{}`", self.boundary()))),
            }
        }
    }

    fn read_header(&mut self) -> Result<MessageHeader> {
        let max = self.limits.max_header_bytes;
        let mut searched: usize = 0;
        loop {
            let avail = &self.buf[self.start..self.end];
            // An empty header block: the part starts with the blank line.
            let end = if avail.starts_with(b"\r\n") {
                Some(2)
            } else if avail.starts_with(b"\n") {
                Some(1)
            } else {
                blank_line_end(avail, searched.saturating_sub(3))
            };
            if let Some(end) = end {
                if end > max + 2 {
                    break;
                }
                let mut header = MessageHeader::new();
                header.set_limits(self.header_limits);
                header.read(&mut &avail[..end])?;
                self.start += end;
                return Ok(header);
            }
            searched = avail.len();
            if searched > max {
                break;
            }
            if !self.fill()? {
                return Err(malformed(format!("ends inside the header of part {}", self.parts + 1)));
            }
        }
        Err(Error::limit(Limit::HeadLength, format!("multipart part header longer than {max} bytes")))
    }

    fn read_content(&mut self, out: &mut [u8]) -> Result<usize> {
        let State::Content { discard } = self.state else { return Ok(0) };
        loop {
            let avail = &self.buf[self.start..self.end];
            if let Some(i) = self.finder.find(avail) {
                let content = if i > 0 && avail[i - 1] == b'\r' { i - 1 } else { i };
                if content == 0 {
                    self.start += i + self.delim.len();
                    self.state = State::Delimiter;
                    return Ok(0);
                }
                if discard {
                    self.start += content;
                    continue;
                }
                let n = content.min(out.len());
                out[..n].copy_from_slice(&avail[..n]);
                self.start += n;
                return Ok(n);
            }
            // A delimiter (and the CR before it) may start in the last `delim.len()` bytes.
            let safe = avail.len().saturating_sub(self.delim.len());
            if safe > 0 {
                if discard {
                    self.start += safe;
                    continue;
                }
                let n = safe.min(out.len());
                out[..n].copy_from_slice(&avail[..n]);
                self.start += n;
                return Ok(n);
            }
            if !self.fill()? {
                return Err(malformed(if discard {
                    format!("no delimiter `--{}` found", self.boundary())
                } else {
                    format!("ends inside part {} (no closing delimiter)", self.parts)
                }));
            }
        }
    }
}

/// The end of the first blank line (`\n\n` or `\n\r\n`) at or after `from`.
fn blank_line_end(avail: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(p) = memchr::memchr(b'\n', &avail[i..]) {
        let q = i + p;
        match avail.get(q + 1..q + 3) {
            Some([b'\n', _]) => return Some(q + 2),
            Some(b"\r\n") => return Some(q + 3),
            None if avail.get(q + 1) == Some(&b'\n') => return Some(q + 2),
            _ => i = q + 1,
        }
    }
    None
}

impl<R: Read> Read for MultipartReader<R> {
    /// Reads the current part's content; 0 at its end.
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        self.read_content(out).map_err(io::Error::from)
    }
}
