//! [`SocketStream`]: buffered `Read` + `Write` over a [`StreamSocket`].

use std::io::{self, BufRead, Read, Write};

use super::stream::StreamSocket;

/// POCO `SocketStream`: a buffered stream over a [`StreamSocket`] (1024-byte buffers, as
/// POCO). Writes are buffered until the buffer fills or [`flush`](Write::flush) is called;
/// call `flush` before dropping (dropping flushes too, ignoring errors, like POCO's
/// destructor).
///
/// ```
/// use std::io::{BufRead, Write};
/// use rpoco_net::{ServerSocket, SocketAddress, SocketStream, StreamSocket};
///
/// let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
/// let mut client = SocketStream::new(StreamSocket::connect(&server.address()?)?);
/// let (peer, _) = server.accept_connection()?;
/// client.write_all(b"line one\nline two\n")?;
/// client.flush()?;
/// let mut peer = SocketStream::new(peer);
/// let mut line = String::new();
/// peer.read_line(&mut line)?;
/// assert_eq!(line, "line one\n");
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct SocketStream {
    socket: StreamSocket,
    rbuf: Box<[u8]>,
    rpos: usize,
    rend: usize,
    wbuf: Vec<u8>,
}

const BUFFER_SIZE: usize = 1024;

impl SocketStream {
    /// Wraps `socket` with POCO's 1024-byte buffers.
    pub fn new(socket: StreamSocket) -> Self {
        SocketStream {
            socket,
            rbuf: vec![0; BUFFER_SIZE].into_boxed_slice(),
            rpos: 0,
            rend: 0,
            wbuf: Vec::with_capacity(BUFFER_SIZE),
        }
    }

    /// The socket (POCO `socket()`).
    pub fn socket(&self) -> &StreamSocket {
        &self.socket
    }
}

impl Read for SocketStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.rpos == self.rend && buf.len() >= self.rbuf.len() {
            return (&self.socket).read(buf);
        }
        let n = self.fill_buf()?.read(buf)?;
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for SocketStream {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.rpos == self.rend {
            self.rend = (&self.socket).read(&mut self.rbuf)?;
            self.rpos = 0;
        }
        Ok(&self.rbuf[self.rpos..self.rend])
    }
    fn consume(&mut self, amt: usize) {
        self.rpos = (self.rpos + amt).min(self.rend);
    }
}

impl Write for SocketStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.wbuf.len() + buf.len() > BUFFER_SIZE {
            self.flush()?;
        }
        if buf.len() >= BUFFER_SIZE {
            return (&self.socket).write(buf);
        }
        self.wbuf.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.wbuf.is_empty() {
            (&self.socket).write_all(&self.wbuf)?;
            self.wbuf.clear();
        }
        Ok(())
    }
}

impl Drop for SocketStream {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}
