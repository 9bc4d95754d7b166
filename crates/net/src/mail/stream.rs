//! [`MailOutputStream`] and [`MailInputStream`] (POCO `MailOutputStream`,
//! `MailInputStream`): the SMTP `DATA` / POP3 `RETR` framing, a message ended by a line
//! holding one `.`, with a `.` doubled at the start of lines (RFC 5321 section 4.5.2).
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_net::mail::{MailInputStream, MailOutputStream};
//! let mut out = MailOutputStream::new(Vec::new());
//! out.write_all(b"Hello\n.hidden\r\nbye")?;
//! let wire = out.finish()?;
//! assert_eq!(wire, b"Hello\r\n..hidden\r\nbye\r\n.\r\n");
//! let mut back = Vec::new();
//! MailInputStream::new(&wire[..]).read_to_end(&mut back)?;
//! assert_eq!(back, b"Hello\r\n.hidden\r\nbye\r\n");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead, Read, Write};

/// Writes a message for SMTP `DATA`: lines starting with `.` get another `.`, bare LF
/// becomes CRLF, and [`finish`](Self::finish) ends the last line and writes `.` CRLF.
#[derive(Debug)]
pub struct MailOutputStream<W: Write> {
    inner: W,
    line_start: bool,
    cr: bool,
    out: Vec<u8>,
}

impl<W: Write> MailOutputStream<W> {
    /// A stream writing to `inner`.
    pub fn new(inner: W) -> Self {
        MailOutputStream { inner, line_start: true, cr: false, out: Vec::with_capacity(16 * 1024) }
    }

    /// POCO `close`: ends the last line if needed, writes the `.` line, flushes, and
    /// returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.cr {
            self.out.push(b'\n');
        } else if !self.line_start {
            self.out.extend_from_slice(b"\r\n");
        }
        self.out.extend_from_slice(b".\r\n");
        self.inner.write_all(&self.out)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for MailOutputStream<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            if self.line_start && rest[0] == b'.' {
                self.out.push(b'.');
            }
            // Copy up to the next line break in one go.
            let run = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
            if run > 0 {
                self.out.extend_from_slice(&rest[..run]);
                self.line_start = false;
                self.cr = false;
                rest = &rest[run..];
                continue;
            }
            match rest[0] {
                b'\n' => {
                    if !self.cr {
                        self.out.push(b'\r');
                    }
                    self.out.push(b'\n');
                    self.line_start = true;
                    self.cr = false;
                }
                _ => {
                    self.out.push(b'\r');
                    self.line_start = false;
                    self.cr = true;
                }
            }
            rest = &rest[1..];
        }
        if self.out.len() >= 16 * 1024 {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum In {
    LineStart,
    Data,
    Dot,
    DotCr,
    Done,
}

/// Reads a dot-terminated message (POP3 `RETR`/`TOP`, SMTP-style): ends at the line
/// holding one `.` (CRLF or LF), removes the stuffed `.` from lines that start with `..`.
///
/// The input ending before the `.` line is an `UnexpectedEof` error; with
/// [`with_limit`](Self::with_limit), a message longer than the limit is an `InvalidData`
/// error instead of unbounded reading.
#[derive(Debug)]
pub struct MailInputStream<R: BufRead> {
    inner: R,
    state: In,
    read: u64,
    limit: u64,
    /// A `\r` after a lone `.` still to be handed out.
    pending_cr: bool,
}

impl<R: BufRead> MailInputStream<R> {
    /// A stream reading from `inner`, without a size limit.
    pub fn new(inner: R) -> Self {
        MailInputStream { inner, state: In::LineStart, read: 0, limit: u64::MAX, pending_cr: false }
    }

    /// Fails once more than `limit` bytes of the message were read.
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Whether the terminating `.` line has been read.
    pub fn is_done(&self) -> bool {
        self.state == In::Done
    }

    /// The inner reader (positioned after the `.` line once done).
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads and drops the rest of the message.
    pub fn skip_rest(&mut self) -> io::Result<u64> {
        io::copy(self, &mut io::sink())
    }
}

impl<R: BufRead> Read for MailInputStream<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < out.len() && self.state != In::Done {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                if n > 0 {
                    break;
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "mail message ended before its terminating \".\" line",
                ));
            }
            let mut used = 0;
            while used < buf.len() && n < out.len() {
                if self.pending_cr {
                    out[n] = b'\r';
                    n += 1;
                    self.pending_cr = false;
                    continue;
                }
                let c = buf[used];
                match self.state {
                    In::Data => {
                        // Copy to the end of the line in one go.
                        let room = out.len() - n;
                        let rest = &buf[used..];
                        let line = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1).min(room);
                        out[n..n + line].copy_from_slice(&rest[..line]);
                        n += line;
                        used += line;
                        if rest[line - 1] == b'\n' {
                            self.state = In::LineStart;
                        }
                        continue;
                    }
                    In::LineStart if c == b'.' => self.state = In::Dot,
                    In::LineStart => {
                        self.state = In::Data;
                        continue;
                    }
                    In::Dot => match c {
                        b'\r' => self.state = In::DotCr,
                        b'\n' => self.state = In::Done,
                        b'.' => {
                            out[n] = b'.';
                            n += 1;
                            self.state = In::Data;
                        }
                        _ => {
                            out[n] = b'.';
                            n += 1;
                            self.state = In::Data;
                            continue;
                        }
                    },
                    In::DotCr => {
                        if c == b'\n' {
                            self.state = In::Done;
                        } else {
                            out[n] = b'.';
                            n += 1;
                            self.pending_cr = true;
                            self.state = In::Data;
                            continue;
                        }
                    }
                    In::Done => break,
                }
                used += 1;
                if self.state == In::Done {
                    break;
                }
            }
            self.inner.consume(used);
        }
        self.read += n as u64;
        if self.read > self.limit {
            let message = format!("mail message longer than the limit of {} bytes", self.limit);
            return Err(io::Error::from(crate::Error::limit(crate::Limit::Body, message)));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unstuff(wire: &[u8], cap: usize) -> io::Result<Vec<u8>> {
        let mut s = MailInputStream::new(io::BufReader::with_capacity(cap, wire));
        let mut out = Vec::new();
        let mut buf = vec![0u8; cap.max(2)];
        loop {
            let n = s.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        Ok(out)
    }

    #[test]
    fn poco_mail_stream_test_write_and_read() {
        // POCO MailStreamTest::testWriteDot / testReadDot (data with dots at line starts).
        let mut out = MailOutputStream::new(Vec::new());
        out.write_all(b"From: john.doe@no.domain\r\nTo: jane.doe@no.domain\r\nSubject: test\r\n\r\nThis is a test.\r\n.\r\n..\r\n.test\r\n").unwrap();
        let wire = out.finish().unwrap();
        assert_eq!(
            wire,
            b"From: john.doe@no.domain\r\nTo: jane.doe@no.domain\r\nSubject: test\r\n\r\nThis is a test.\r\n..\r\n...\r\n..test\r\n.\r\n"
        );
        for cap in [1, 2, 3, 7, 8192] {
            let back = unstuff(&wire, cap).unwrap();
            assert_eq!(back, b"From: john.doe@no.domain\r\nTo: jane.doe@no.domain\r\nSubject: test\r\n\r\nThis is a test.\r\n.\r\n..\r\n.test\r\n", "cap {cap}");
        }
    }

    #[test]
    fn stops_at_the_terminator_and_leaves_the_rest() {
        let mut s = MailInputStream::new(&b"a\r\n.\r\n+OK next"[..]);
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a\r\n");
        assert_eq!(s.into_inner(), b"+OK next");
        assert_eq!(unstuff(b".\r\n", 4).unwrap(), b"");
        assert_eq!(unstuff(b"x\n.\n", 4).unwrap(), b"x\n");
        assert_eq!(unstuff(b".x\r\n.\r\n", 4).unwrap(), b".x\r\n");
    }

    #[test]
    fn truncated_and_overlong_messages_are_errors() {
        let e = unstuff(b"no end\r\n", 16).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let mut s = MailInputStream::new(&b"0123456789\r\n.\r\n"[..]).with_limit(5);
        assert_eq!(s.read_to_end(&mut Vec::new()).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn output_handles_bare_cr_lf_and_empty_messages() {
        let mut out = MailOutputStream::new(Vec::new());
        out.write_all(b"a\rb\n").unwrap();
        assert_eq!(out.finish().unwrap(), b"a\rb\r\n.\r\n");
        assert_eq!(MailOutputStream::new(Vec::new()).finish().unwrap(), b".\r\n");
        let mut out = MailOutputStream::new(Vec::new());
        out.write_all(b"x\r").unwrap();
        assert_eq!(out.finish().unwrap(), b"x\r\n.\r\n");
    }
}
