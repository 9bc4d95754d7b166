//! The connection under the SMTP and POP3 sessions: a [`Transport`] with a read buffer,
//! CRLF lines with a length limit, a deadline on every reply and a timeout on every read
//! and write, and the hand-over of the plain socket for STARTTLS/STLS.

use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use super::error::{MailLimit, illegal_state, limit};
use crate::error::{Error, Result};
use crate::socket::{StreamSocket, Transport};

/// POCO's default SMTP/POP3 timeout is the socket's (none); ours is one minute per step.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest reply line accepted (RFC 5321 allows 512; real servers send longer).
pub(crate) const MAX_LINE: usize = 8 * 1024;

#[derive(Debug)]
pub(crate) struct LineConn {
    transport: Option<Box<dyn Transport>>,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    timeout: Option<Duration>,
    /// While reading a reply: when it must be complete.
    deadline: Option<Instant>,
}

impl LineConn {
    pub(crate) fn new(transport: Box<dyn Transport>, timeout: Option<Duration>) -> Result<Self> {
        transport.set_send_timeout(timeout)?;
        transport.set_receive_timeout(timeout)?;
        Ok(LineConn {
            transport: Some(transport),
            buf: vec![0; 16 * 1024].into(),
            pos: 0,
            len: 0,
            timeout,
            deadline: None,
        })
    }

    fn transport_mut(&mut self) -> Result<&mut Box<dyn Transport>> {
        self.transport.as_mut().ok_or_else(|| illegal_state("the mail session is closed"))
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    pub(crate) fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.timeout = timeout;
        if let Some(t) = &self.transport {
            t.set_send_timeout(timeout)?;
            t.set_receive_timeout(timeout)?;
        }
        Ok(())
    }

    /// Writes `line` and CRLF.
    pub(crate) fn send_line(&mut self, line: &str) -> Result<()> {
        let mut out = Vec::with_capacity(line.len() + 2);
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
        let t = self.transport_mut()?;
        t.write_all(&out).map_err(|e| Error::from_io_during(e, "sending a mail command"))?;
        t.flush().map_err(|e| Error::from_io_during(e, "sending a mail command"))?;
        Ok(())
    }

    /// Starts the deadline for one reply (the timeout from now).
    pub(crate) fn begin_reply(&mut self) {
        self.deadline = self.timeout.map(|t| Instant::now() + t);
    }

    pub(crate) fn end_reply(&mut self) {
        self.deadline = None;
    }

    /// Reads one line without its CRLF (or LF). `None`: the peer closed before any byte.
    pub(crate) fn read_line(&mut self) -> Result<Option<String>> {
        let mut line = Vec::new();
        loop {
            if self.pos == self.len
                && self.fill().map_err(|e| Error::from_io_during(e, "receiving a mail reply"))? == 0
            {
                if line.is_empty() {
                    return Ok(None);
                }
                return Err(Error::new(
                    crate::ErrorKind::ConnectionReset,
                    format!(
                        "the mail server closed the connection in the middle of the line `{}`",
                        String::from_utf8_lossy(&line[..line.len().min(80)])
                    ),
                ));
            }
            let avail = &self.buf[self.pos..self.len];
            let (take, done) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            line.extend_from_slice(&avail[..take]);
            self.pos += take;
            if line.len() > MAX_LINE + 2 {
                return Err(limit(MailLimit::Line, format!("mail reply line longer than {MAX_LINE} bytes")));
            }
            if done {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
        }
    }

    fn fill(&mut self) -> io::Result<usize> {
        let Some(t) = self.transport.as_mut() else {
            return Err(io::Error::new(io::ErrorKind::NotConnected, "the mail session is closed"));
        };
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "mail reply deadline passed"));
            }
            let per_read = self.timeout.map_or(left, |t| t.min(left));
            t.set_receive_timeout(Some(per_read.max(Duration::from_millis(1)))).map_err(io::Error::from)?;
        }
        let n = loop {
            match t.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.pos = 0;
        self.len = n;
        Ok(n)
    }

    /// The connection as a buffered reader (for dot-terminated data), each read bounded
    /// by the timeout.
    pub(crate) fn reader(&mut self) -> Reader<'_> {
        self.deadline = None;
        if let Some(t) = &self.transport {
            let _ = t.set_receive_timeout(self.timeout);
        }
        Reader(self)
    }

    /// The connection as a writer (for message data).
    pub(crate) fn writer(&mut self) -> Result<&mut dyn Write> {
        Ok(self.transport_mut()?.as_mut())
    }

    /// Whether bytes the server sent are buffered unread.
    pub(crate) fn has_buffered(&self) -> bool {
        self.pos < self.len || self.transport.as_ref().is_some_and(|t| t.has_buffered_data())
    }

    /// Takes the plain socket out for a TLS handshake (STARTTLS/STLS). Refuses when the
    /// server sent more than the reply (RFC 3207: such bytes must not be trusted) or the
    /// connection is already TLS.
    pub(crate) fn take_plain_socket(&mut self) -> Result<StreamSocket> {
        if self.has_buffered() {
            return Err(Error::new(
                crate::ErrorKind::Protocol,
                "the mail server sent data after its reply to STARTTLS/STLS (refused: it could be injected)",
            ));
        }
        let t = self.transport.take().ok_or_else(|| illegal_state("the mail session is closed"))?;
        let any: Box<dyn std::any::Any> = t;
        match any.downcast::<StreamSocket>() {
            Ok(s) => Ok(*s),
            Err(_) => Err(illegal_state("the mail connection is already secure (TLS)")),
        }
    }

    /// Puts the (now TLS) transport back.
    pub(crate) fn set_transport(&mut self, transport: Box<dyn Transport>) -> Result<()> {
        transport.set_send_timeout(self.timeout)?;
        transport.set_receive_timeout(self.timeout)?;
        self.transport = Some(transport);
        self.pos = 0;
        self.len = 0;
        Ok(())
    }

    pub(crate) fn is_secure(&self) -> bool {
        self.transport.as_ref().is_some_and(|t| t.is_secure())
    }

    /// Shuts the connection down (TLS sends close_notify) and drops it.
    pub(crate) fn close(&mut self) -> Result<()> {
        match self.transport.take() {
            Some(mut t) => t.shutdown(),
            None => Ok(()),
        }
    }
}

pub(crate) struct Reader<'c>(&'c mut LineConn);

impl Read for Reader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Reader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.0.pos == self.0.len {
            self.0.fill()?;
        }
        Ok(&self.0.buf[self.0.pos..self.0.len])
    }

    fn consume(&mut self, n: usize) {
        self.0.pos = (self.0.pos + n).min(self.0.len);
    }
}
