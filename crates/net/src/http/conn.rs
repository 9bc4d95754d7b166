//! A buffered connection over a [`Transport`]: the I/O half that drives the sans-IO core.

use std::io::{self, Write};

use crate::error::{Error, ErrorKind, Result};
use crate::socket::Transport;

const INITIAL_READ_BUFFER: usize = 8 * 1024;

/// A transport with a read buffer (heads are parsed in place, body bytes decoded from it)
/// and a write buffer (a head and a small body leave in one write).
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) transport: Box<dyn Transport>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    pub(crate) wbuf: Vec<u8>,
}

impl Conn {
    pub(crate) fn new(transport: Box<dyn Transport>) -> Self {
        Conn {
            transport,
            buf: vec![0; INITIAL_READ_BUFFER],
            start: 0,
            end: 0,
            wbuf: Vec::with_capacity(4096),
        }
    }

    /// Puts bytes received elsewhere (a [`DetachedConnection`](crate::DetachedConnection)'s)
    /// in front of what is read next.
    pub(crate) fn preload(&mut self, bytes: &[u8]) {
        let pending = self.buffered().to_vec();
        self.buf = [bytes, &pending].concat();
        self.start = 0;
        self.end = self.buf.len();
        if self.buf.len() < INITIAL_READ_BUFFER {
            self.buf.resize(INITIAL_READ_BUFFER, 0);
        }
    }

    /// Bytes received and not yet consumed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads more bytes into the buffer; 0 = end of stream.
    pub(crate) fn fill(&mut self) -> io::Result<usize> {
        if self.buf.is_empty() {
            self.buf = vec![0; INITIAL_READ_BUFFER];
        }
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                // A head larger than the buffer: the parser's limits bound the growth.
                let len = self.buf.len() * 2;
                self.buf.resize(len, 0);
            }
        }
        loop {
            match self.transport.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads straight into `out` when nothing is buffered (large body reads skip a copy).
    pub(crate) fn read_direct(&mut self, out: &mut [u8]) -> io::Result<usize> {
        debug_assert!(self.buffered().is_empty());
        loop {
            match self.transport.read(out) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }

    /// Reads and parses a head with `parse`. `Ok(None)`: the peer closed before sending a
    /// byte (POCO `NoMessageException` territory, or a stale kept-alive connection).
    pub(crate) fn read_head<T>(
        &mut self,
        mut parse: impl FnMut(&[u8]) -> Result<Option<(T, usize)>>,
    ) -> Result<Option<T>> {
        loop {
            if !self.buffered().is_empty()
                && let Some((value, n)) = parse(self.buffered())?
            {
                self.consume(n);
                return Ok(Some(value));
            }
            if self.fill().map_err(|e| Error::from_io_during(e, "receive"))? == 0 {
                let got = self.buffered().len();
                if got == 0 {
                    return Ok(None);
                }
                return Err(Error::new(
                    ErrorKind::Message,
                    format!("connection closed inside the message head after {got} bytes"),
                ));
            }
        }
    }

    /// Whether an idle connection can carry a new request: nothing unread is buffered and a
    /// non-blocking peek finds the socket neither closed (EOF, reset) nor holding bytes
    /// (a TLS `close_notify`, a server's unsolicited `408`). Never blocks.
    pub(crate) fn idle_and_open(&self) -> bool {
        if !self.buffered().is_empty() || self.transport.has_buffered_data() {
            return false;
        }
        let tcp = self.transport.socket().as_tcp_stream();
        if tcp.set_nonblocking(true).is_err() {
            return false;
        }
        let peeked = tcp.peek(&mut [0u8; 1]);
        let restored = tcp.set_nonblocking(false).is_ok();
        restored && matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Whether the read or write buffer holds memory.
    pub(crate) fn holds_buffers(&self) -> bool {
        !self.buf.is_empty() || self.wbuf.capacity() > 0
    }

    /// Frees the buffers of a connection with nothing buffered (an idle server connection
    /// waiting for its next request); they are made again when needed.
    pub(crate) fn release_buffers(&mut self) {
        if self.start == self.end && self.wbuf.is_empty() {
            self.buf = Vec::new();
            self.start = 0;
            self.end = 0;
            self.wbuf = Vec::new();
        }
    }

    /// Sends the write buffer.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if !self.wbuf.is_empty() {
            let r = self.transport.write_all(&self.wbuf);
            self.wbuf.clear();
            r?;
        }
        self.transport.flush()
    }

    /// Sends the write buffer, then `data` without copying it.
    pub(crate) fn write_through(&mut self, data: &[u8]) -> io::Result<()> {
        if !self.wbuf.is_empty() {
            self.wbuf.extend_from_slice(data);
            return self.flush();
        }
        self.transport.write_all(data)
    }
}
