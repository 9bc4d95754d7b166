//! [`DetachedConnection`]: a connection that HTTP hands over to another protocol.

use std::io::{self, Read, Write};

use super::transport::Transport;

/// A connection handed over by HTTP after a protocol switch (a `101 Switching Protocols`
/// answer, a `CONNECT` tunnel): the transport, plain or TLS, and the bytes HTTP had already
/// read from it past the end of the last message, which belong to the new protocol.
///
/// POCO: the `StreamSocket` returned by `HTTPSession::detachSocket()` and
/// `HTTPServerRequestImpl::detachSocket()`. POCO drops the bytes its session buffer already
/// holds; here they travel with the connection, and [`Read`] returns them first.
/// Whoever holds a `DetachedConnection` owns the connection: the session or server that
/// gave it up no longer reads, writes, times out or closes it.
#[derive(Debug)]
pub struct DetachedConnection {
    /// The connection itself.
    pub transport: Box<dyn Transport>,
    /// Bytes already received on `transport` and not consumed by HTTP, oldest first.
    pub buffered: Vec<u8>,
}

impl DetachedConnection {
    /// A connection with nothing buffered.
    pub fn new(transport: Box<dyn Transport>) -> Self {
        DetachedConnection { transport, buffered: Vec::new() }
    }

    /// The transport and the buffered bytes.
    pub fn into_parts(self) -> (Box<dyn Transport>, Vec<u8>) {
        (self.transport, self.buffered)
    }
}

impl Read for DetachedConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.buffered.is_empty() {
            return self.transport.read(buf);
        }
        let n = buf.len().min(self.buffered.len());
        buf[..n].copy_from_slice(&self.buffered[..n]);
        self.buffered.drain(..n);
        Ok(n)
    }
}

impl Write for DetachedConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.transport.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.transport.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ServerSocket, SocketAddress, StreamSocket};

    #[test]
    fn buffered_bytes_come_first_then_the_transport() {
        let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
        let client = StreamSocket::connect(&server.address().unwrap()).unwrap();
        let (peer, _) = server.accept_connection().unwrap();
        peer.send_bytes(b"world").unwrap();
        let mut detached = DetachedConnection { transport: Box::new(client), buffered: b"hello ".to_vec() };
        let mut got = vec![0u8; 11];
        detached.read_exact(&mut got).unwrap();
        assert_eq!(got, b"hello world");
    }
}
