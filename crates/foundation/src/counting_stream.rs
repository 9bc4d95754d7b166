//! POCO's `CountingInputStream` and `CountingOutputStream`: pass bytes through and count
//! them, with lines and the position in the current line.
//!
//! ```
//! use std::io::Read;
//! use rpoco_foundation::CountingReader;
//! let mut r = CountingReader::new(&b"one\ntwo\nthr"[..]);
//! let mut s = String::new();
//! r.read_to_string(&mut s)?;
//! assert_eq!((r.chars(), r.line_count(), r.pos(), r.current_line()), (11, 2, 3, 3));
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead, Read, Write};

/// The counts (POCO `CountingStreamBuf`): bytes, `\n`-terminated lines, the position in the
/// current line; `current_line` starts at the number given (POCO's `setCurrentLineNumber`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    chars: u64,
    lines: u64,
    pos: u64,
    current_line: u64,
}

impl Counts {
    fn add(&mut self, data: &[u8]) {
        self.chars += data.len() as u64;
        match memchr_last(data) {
            Some(last) => {
                let n = data.iter().filter(|&&b| b == b'\n').count() as u64;
                self.lines += n;
                self.current_line += n;
                self.pos = (data.len() - last - 1) as u64;
            }
            None => self.pos += data.len() as u64,
        }
    }
}

fn memchr_last(data: &[u8]) -> Option<usize> {
    data.iter().rposition(|&b| b == b'\n')
}

macro_rules! counting_accessors {
    () => {
        /// Bytes passed through (POCO `chars()`).
        pub fn chars(&self) -> u64 {
            self.counts.chars
        }

        /// Newlines passed through (POCO `lines()`; renamed because `BufRead::lines` takes that name).
        pub fn line_count(&self) -> u64 {
            self.counts.lines
        }

        /// Bytes since the last newline (POCO `pos()`).
        pub fn pos(&self) -> u64 {
            self.counts.pos
        }

        /// The current line number, 1 at the start unless set (POCO `getCurrentLineNumber()`).
        pub fn current_line(&self) -> u64 {
            self.counts.current_line
        }

        /// Sets the current line number (POCO `setCurrentLineNumber`).
        pub fn set_current_line(&mut self, line: u64) {
            self.counts.current_line = line;
        }

        /// Resets the counts (POCO `reset()`; the line number goes back to 1).
        pub fn reset(&mut self) {
            self.counts = Counts { current_line: 1, ..Counts::default() };
        }

        /// Adds `n` to the byte count without passing bytes (POCO `addChars`).
        pub fn add_chars(&mut self, n: u64) {
            self.counts.chars += n;
        }

        /// The inner stream.
        pub fn get_ref(&self) -> &T {
            &self.inner
        }

        /// The inner stream, mutably.
        pub fn get_mut(&mut self) -> &mut T {
            &mut self.inner
        }

        /// The inner stream.
        pub fn into_inner(self) -> T {
            self.inner
        }
    };
}

/// Counts what is read through it (POCO `CountingInputStream`).
#[derive(Debug)]
pub struct CountingReader<T> {
    inner: T,
    counts: Counts,
}

impl<T> CountingReader<T> {
    /// A counting reader over `inner`.
    pub fn new(inner: T) -> Self {
        CountingReader { inner, counts: Counts { current_line: 1, ..Counts::default() } }
    }

    counting_accessors!();
}

impl<T: Read> Read for CountingReader<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counts.add(&buf[..n]);
        Ok(n)
    }
}

impl<T: BufRead> BufRead for CountingReader<T> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.counts.add(&buf[..n]);
        }
        self.inner.consume(amt);
    }
}

/// Counts what is written through it (POCO `CountingOutputStream`); with
/// [`sink`](CountingWriter::sink) it only counts.
#[derive(Debug)]
pub struct CountingWriter<T> {
    inner: T,
    counts: Counts,
}

impl<T> CountingWriter<T> {
    /// A counting writer over `inner`.
    pub fn new(inner: T) -> Self {
        CountingWriter { inner, counts: Counts { current_line: 1, ..Counts::default() } }
    }

    counting_accessors!();
}

impl CountingWriter<io::Sink> {
    /// A writer that only counts (POCO `CountingOutputStream()` without a target).
    pub fn sink() -> Self {
        Self::new(io::sink())
    }
}

impl<T: Write> Write for CountingWriter<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.counts.add(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// POCO `CountingInputStream`.
pub type CountingInputStream<R> = CountingReader<R>;
/// POCO `CountingOutputStream`.
pub type CountingOutputStream<W> = CountingWriter<W>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_position_across_writes() {
        let mut w = CountingWriter::sink();
        w.write_all(b"ab").unwrap();
        w.write_all(b"c\nde\n").unwrap();
        w.write_all(b"f").unwrap();
        assert_eq!((w.chars(), w.line_count(), w.pos(), w.current_line()), (8, 2, 1, 3));
        w.reset();
        assert_eq!((w.chars(), w.line_count(), w.current_line()), (0, 0, 1));
    }

    #[test]
    fn buf_read_counts_only_what_is_consumed() {
        let mut r = CountingReader::new(&b"line one\nline two\n"[..]);
        let mut s = String::new();
        r.read_line(&mut s).unwrap();
        assert_eq!((r.chars(), r.line_count(), r.pos()), (9, 1, 0));
    }
}
