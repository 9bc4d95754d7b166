//! [`MultipartReader`]: a streaming reader of MIME multipart bodies (RFC 2046 section 5.1,
//! POCO `MultipartReader`). Self-contained so the HTTP form reader can share it.
//!
//! The reader never holds more than one input chunk plus one delimiter line: part bodies
//! stream out through [`MultipartReader::body`] (a [`BufRead`]), preamble and epilogue are
//! skipped without being kept.
//!
//! ```
//! use std::io::Read;
//! use rpoco_net::mail::MultipartReader;
//! let body = b"preamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\none\r\n--XX\r\n\r\ntwo\r\n--XX--\r\n";
//! let mut input = &body[..];
//! let mut reader = MultipartReader::new(&mut input, "XX");
//! let mut parts = Vec::new();
//! while let Some(header) = reader.next_part(4096, 100)? {
//!     let mut text = String::new();
//!     reader.body().read_to_string(&mut text)?;
//!     parts.push((header.get("content-type").unwrap_or("").to_owned(), text));
//! }
//! assert_eq!(parts, [("text/plain".to_owned(), "one".to_owned()), (String::new(), "two".to_owned())]);
//! # Ok::<(), rpoco_net::Error>(())
//! ```

use std::io::{self, BufRead, Read};

use super::header_reader::{HeaderBlockLimits, read_header};
use crate::error::Result;
use crate::http::message::MessageHeader;

/// How far past a boundary the reader looks for the end of the delimiter line (transport
/// padding); a longer run means the text was not a delimiter.
const MAX_DELIMITER_LINE: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In the preamble or a part body; `line_start`: at the very start of it, where a
    /// delimiter needs no line break before it.
    Body { line_start: bool },
    /// A delimiter was found: the body ends at `end`, the next line starts at `next`.
    Delimiter { end: usize, next: usize, close: bool },
    /// Reading a part's header.
    Header,
    /// After the close delimiter.
    Done,
}

/// Reads the parts of a multipart body with the given boundary.
pub struct MultipartReader<'a> {
    src: &'a mut dyn BufRead,
    delimiter: Vec<u8>,
    buf: Vec<u8>,
    pos: usize,
    src_eof: bool,
    state: State,
    /// `buf[pos..known]` is known to be body (scanned, no delimiter in it).
    known: usize,
}

impl<'a> MultipartReader<'a> {
    /// A reader of `src` for parts separated by `--boundary` lines.
    pub fn new(src: &'a mut dyn BufRead, boundary: &str) -> Self {
        let mut delimiter = b"--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        MultipartReader {
            src,
            delimiter,
            buf: Vec::with_capacity(16 * 1024),
            pos: 0,
            src_eof: false,
            state: State::Body { line_start: true },
            known: 0,
        }
    }

    /// Skips the rest of the current part (or the preamble), then reads the next part's
    /// header (at most `max_header_size` bytes and `max_fields` fields). `None` after the
    /// close delimiter (the epilogue stays unread), or at the end of the input when the
    /// close delimiter is missing (POCO and mail readers accept such truncated messages).
    pub fn next_part(&mut self, max_header_size: usize, max_fields: usize) -> Result<Option<MessageHeader>> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Header => break,
                State::Body { .. } => {
                    let end = self.fill_body()?;
                    match self.state {
                        State::Body { .. } if end == self.pos => {
                            // The input ended without the close delimiter: as POCO (and
                            // most readers) do, the parts read so far are the message.
                            self.state = State::Done;
                            return Ok(None);
                        }
                        State::Body { .. } => {
                            self.pos = end;
                            self.state = State::Body { line_start: false };
                        }
                        _ => self.pos = end,
                    }
                }
                State::Delimiter { end, next, close } => {
                    if self.pos < end {
                        self.pos = end;
                    }
                    self.pos = next;
                    self.state = if close { State::Done } else { State::Header };
                }
            }
        }
        let limits = HeaderBlockLimits { max_size: max_header_size, max_fields };
        let header = read_header(&mut Raw(self), limits)?;
        self.state = State::Body { line_start: true };
        Ok(Some(header))
    }

    /// The current part's body, up to the next delimiter.
    pub fn body(&mut self) -> PartBody<'_, 'a> {
        PartBody { reader: self }
    }

    /// Whether the close delimiter has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Pulls one more chunk from `src` into `buf`; false at its end.
    fn pull(&mut self) -> io::Result<bool> {
        if self.src_eof {
            return Ok(false);
        }
        if self.pos > 1 && self.pos * 2 >= self.buf.len() {
            self.shift();
        }
        let chunk = loop {
            match self.src.fill_buf() {
                Ok(c) => break c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if chunk.is_empty() {
            self.src_eof = true;
            return Ok(false);
        }
        let n = chunk.len();
        self.buf.extend_from_slice(chunk);
        self.src.consume(n);
        Ok(true)
    }

    /// Drops consumed bytes, keeping the one before `pos` (a delimiter's line break).
    fn shift(&mut self) {
        let shift = self.pos - 1;
        self.buf.drain(..shift);
        self.pos = 1;
        self.known = self.known.saturating_sub(shift);
        if let State::Delimiter { end, next, close } = self.state {
            self.state = State::Delimiter { end: end - shift, next: next - shift, close };
        }
    }

    /// The body bytes available now, as `buf[pos..end]` (empty at the body's end),
    /// finding the delimiter.
    fn fill_body(&mut self) -> io::Result<usize> {
        loop {
            match self.state {
                State::Delimiter { end, .. } => return Ok(end.max(self.pos)),
                State::Body { line_start } => {
                    if self.known > self.pos {
                        return Ok(self.known);
                    }
                    match self.scan(line_start)? {
                        Some(safe) if safe > self.pos => {
                            self.known = safe;
                            return Ok(safe);
                        }
                        _ if !matches!(self.state, State::Body { .. }) => continue,
                        // Input over: what is left is body without a delimiter.
                        None => return Ok(self.buf.len()),
                        Some(_) => {
                            self.pull()?;
                        }
                    }
                }
                State::Header | State::Done => return Ok(self.pos),
            }
        }
    }

    /// Looks for the delimiter in `buf[pos..]`. Switches to `Delimiter` when found; else
    /// returns how far the body is certainly not a delimiter (`Some`), or `None` when a
    /// delimiter line may be cut off and more input is needed.
    fn scan(&mut self, line_start: bool) -> io::Result<Option<usize>> {
        let dl = self.delimiter.len();
        let mut from = self.pos;
        while let Some(off) = memchr::memmem::find(&self.buf[from..], &self.delimiter) {
            let i = from + off;
            let at_line = (i == self.pos && line_start) || (i > 0 && self.buf[i - 1] == b'\n');
            if at_line {
                match self.delimiter_line(i + dl) {
                    Some(Some((next, close))) => {
                        let mut end = i;
                        if i > self.pos && self.buf[i - 1] == b'\n' {
                            end -= 1;
                            if end > self.pos && self.buf[end - 1] == b'\r' {
                                end -= 1;
                            }
                        }
                        self.state = State::Delimiter { end, next, close };
                        return Ok(Some(end));
                    }
                    // The line is cut off: emit up to the line break before it, wait for more.
                    None if !self.src_eof => return Ok(Some(i.saturating_sub(2).max(self.pos))),
                    _ => {}
                }
            }
            from = i + 1;
        }
        // Keep a tail that could be the start of a delimiter with its line break.
        let keep = dl + 2;
        let safe = self.buf.len().saturating_sub(keep).max(self.pos);
        if self.src_eof {
            return Ok(None);
        }
        Ok(Some(safe))
    }

    /// After `--boundary` at `at`: `Some(Some((next line, close)))` for a delimiter line,
    /// `Some(None)` for text that only starts like one, `None` when the line is cut off.
    fn delimiter_line(&self, at: usize) -> Option<Option<(usize, bool)>> {
        let rest = &self.buf[at..];
        let close = rest.starts_with(b"--");
        if rest.len() < 2 && !self.src_eof {
            return None;
        }
        let look = &rest[..rest.len().min(MAX_DELIMITER_LINE)];
        match memchr::memchr(b'\n', look) {
            Some(nl) => {
                let line = &look[..nl];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let padding = if close { &line[2..] } else { line };
                let ok = close || padding.iter().all(|&c| c == b' ' || c == b'\t');
                Some(ok.then_some((at + nl + 1, close)))
            }
            None if close && self.src_eof => Some(Some((self.buf.len(), true))),
            None if rest.len() >= MAX_DELIMITER_LINE || self.src_eof => Some(None),
            None => None,
        }
    }
}

impl std::fmt::Debug for MultipartReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartReader")
            .field("delimiter", &String::from_utf8_lossy(&self.delimiter))
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// The body of the current part: a [`BufRead`] that ends at the next delimiter.
#[derive(Debug)]
pub struct PartBody<'r, 'a> {
    reader: &'r mut MultipartReader<'a>,
}

impl Read for PartBody<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for PartBody<'_, '_> {
    /// At the end of the input without a delimiter the part ends there (see
    /// [`MultipartReader::next_part`]).
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let r = &mut *self.reader;
        let end = r.fill_body()?;
        Ok(&r.buf[r.pos..end])
    }

    fn consume(&mut self, n: usize) {
        if n > 0 {
            self.reader.pos += n;
            if let State::Body { .. } = self.reader.state {
                self.reader.state = State::Body { line_start: false };
            }
        }
    }
}

/// The raw input after the delimiter line (for reading a part header).
struct Raw<'r, 'a>(&'r mut MultipartReader<'a>);

impl Read for Raw<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Raw<'_, '_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.0.pos == self.0.buf.len() {
            self.0.pull()?;
        }
        Ok(&self.0.buf[self.0.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.0.pos += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(body: &[u8], boundary: &str, chunk: usize) -> Result<Vec<(MessageHeader, Vec<u8>)>> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(b.len());
                b[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut src = io::BufReader::with_capacity(chunk, Chunks(body, chunk));
        let mut r = MultipartReader::new(&mut src, boundary);
        let mut out = Vec::new();
        while let Some(h) = r.next_part(4096, 100)? {
            let mut data = Vec::new();
            r.body().read_to_end(&mut data)?;
            out.push((h, data));
        }
        Ok(out)
    }

    #[test]
    fn parts_at_every_chunk_size() {
        let body = b"This is the preamble.\r\n--b1\r\nA: 1\r\n\r\nfirst\r\n--b1x\r\nstill first\r\n\r\n--b1  \r\n\r\n\r\n--b1\nB: 2\n\nlf only\n--b1--\r\nepilogue";
        for chunk in [1, 2, 3, 5, 7, 16, 4096] {
            let p = parts(body, "b1", chunk).unwrap();
            assert_eq!(p.len(), 3, "chunk {chunk}");
            assert_eq!(p[0].0.get("A"), Some("1"));
            assert_eq!(p[0].1, b"first\r\n--b1x\r\nstill first\r\n", "chunk {chunk}");
            assert_eq!(p[1].1, b"", "chunk {chunk}");
            assert_eq!(p[2].0.get("B"), Some("2"));
            assert_eq!(p[2].1, b"lf only", "chunk {chunk}");
        }
    }

    #[test]
    fn delimiter_at_the_very_start_and_close_at_eof() {
        let p = parts(b"--q\r\n\r\nx\r\n--q--", "q", 3).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].1, b"x");
    }

    #[test]
    fn missing_close_delimiter_ends_at_the_end_of_input() {
        let p = parts(b"--q\r\n\r\nnever ends", "q", 4).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].1, b"never ends");
        assert!(parts(b"no delimiter at all", "q", 4).unwrap().is_empty());
        let p = parts(b"--q\r\n\r\nx\r\n--q\r\n", "q", 4).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].1, b"");
    }
}
