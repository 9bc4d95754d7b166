//! [`StreamSocket`]: POCO's connected TCP socket.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use socket2::SockRef;

use super::address::SocketAddress;
use crate::error::{Error, ErrorKind, Result, Timeout};

/// POCO `StreamSocket`: a connected TCP socket.
///
/// Copies of a POCO socket share one OS socket; so do clones of a `StreamSocket` (an `Arc`
/// over one `TcpStream`, not a duplicated descriptor). That is what lets another thread
/// [`shutdown`](StreamSocket::shutdown) a socket a reader is blocked on, and what an
/// [`AbortHandle`](crate::AbortHandle) uses. The socket closes when the last clone drops.
///
/// No timeouts are set by default (POCO). `Read`/`Write` are implemented for the socket and
/// for `&StreamSocket`. A receive timeout surfaces as [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) from
/// [`receive_bytes`](StreamSocket::receive_bytes) and as `io::ErrorKind::WouldBlock` or
/// `TimedOut` from `read`.
///
/// ```
/// use std::io::{Read, Write};
/// use rpoco_net::{ServerSocket, SocketAddress, StreamSocket};
///
/// let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, true)?;
/// let addr = server.address()?;
/// let t = std::thread::spawn(move || -> rpoco_net::Result<()> {
///     let (peer, _) = server.accept_connection()?;
///     let mut buf = [0u8; 5];
///     (&peer).read_exact(&mut buf)?;
///     peer.send_bytes(&buf)?;
///     Ok(())
/// });
/// let socket = StreamSocket::connect(&addr)?;
/// socket.send_bytes(b"hello")?;
/// let mut echo = [0u8; 5];
/// (&socket).read_exact(&mut echo)?;
/// assert_eq!(&echo, b"hello");
/// t.join().unwrap()?;
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StreamSocket {
    inner: Arc<TcpStream>,
}

impl StreamSocket {
    /// Connects to `address` (POCO `StreamSocket(address)` / `connect(address)`).
    pub fn connect(address: &SocketAddress) -> Result<Self> {
        if address.is_unix_local() {
            return Self::connect_local(address);
        }
        let stream = TcpStream::connect(address.as_std())
            .map_err(|e| Error::from_io_during(e, &format!("connect to {address}")))?;
        Ok(StreamSocket::from(stream))
    }

    /// Connects with a timeout; expiry → [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) ("connect timed out").
    /// `None` waits as long as the operating system does.
    pub fn connect_timeout(address: &SocketAddress, timeout: Option<Duration>) -> Result<Self> {
        let Some(timeout) = timeout.filter(|t| !t.is_zero()) else {
            return Self::connect(address);
        };
        let stream = TcpStream::connect_timeout(&address.as_std(), timeout).map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                Error::timeout(Timeout::Connect, Some(timeout), format_args!("connect to {address}"))
                    .with_source(e)
            }
            _ => Error::from_io_during(e, &format!("connect to {address}")),
        })?;
        Ok(StreamSocket::from(stream))
    }

    /// Resolves `host` and connects to each of its addresses in turn until one accepts,
    /// each attempt bounded by `timeout`. The last error is returned if none does.
    pub fn connect_host(host: &str, port: u16, timeout: Option<Duration>) -> Result<Self> {
        let mut last = None;
        for addr in SocketAddress::resolve_all(host, port)? {
            match Self::connect_timeout(&addr, timeout) {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::new(ErrorKind::HostNotFound, host.to_owned())))
    }

    /// Sends all of `data` (POCO's blocking `sendBytes` loops until everything is sent).
    pub fn send_bytes(&self, data: &[u8]) -> Result<usize> {
        (&*self.inner).write_all(data).map_err(|e| Error::from_io_during(e, "send"))?;
        Ok(data.len())
    }

    /// Receives up to `buf.len()` bytes; 0 means the peer closed its side. A receive timeout
    /// → [`ErrorKind::Timeout`](crate::ErrorKind::Timeout).
    pub fn receive_bytes(&self, buf: &mut [u8]) -> Result<usize> {
        loop {
            match (&*self.inner).read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::from_io_during(e, "receive")),
            }
        }
    }

    /// Shuts down both directions; blocked readers and writers on any clone wake up.
    pub fn shutdown(&self) -> Result<()> {
        self.shutdown_how(Shutdown::Both)
    }

    /// Shuts down the receiving side.
    pub fn shutdown_receive(&self) -> Result<()> {
        self.shutdown_how(Shutdown::Read)
    }

    /// Shuts down the sending side (the peer reads end of stream).
    pub fn shutdown_send(&self) -> Result<()> {
        self.shutdown_how(Shutdown::Write)
    }

    fn shutdown_how(&self, how: Shutdown) -> Result<()> {
        match self.inner.shutdown(how) {
            // Already closed by the peer: nothing left to shut down.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            r => r.map_err(|e| Error::from_io_during(e, "shutdown")),
        }
    }

    /// Sets the send timeout (`None` or zero = no timeout, as POCO's zero `Timespan`).
    pub fn set_send_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        Ok(self.inner.set_write_timeout(timeout.filter(|t| !t.is_zero()))?)
    }

    /// The send timeout.
    pub fn send_timeout(&self) -> Result<Option<Duration>> {
        Ok(self.inner.write_timeout()?)
    }

    /// Sets the receive timeout (`None` or zero = no timeout).
    pub fn set_receive_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        Ok(self.inner.set_read_timeout(timeout.filter(|t| !t.is_zero()))?)
    }

    /// The receive timeout.
    pub fn receive_timeout(&self) -> Result<Option<Duration>> {
        Ok(self.inner.read_timeout()?)
    }

    /// Sets `TCP_NODELAY`.
    pub fn set_no_delay(&self, on: bool) -> Result<()> {
        Ok(self.inner.set_nodelay(on)?)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn no_delay(&self) -> Result<bool> {
        Ok(self.inner.nodelay()?)
    }

    /// Sets `SO_KEEPALIVE`.
    pub fn set_keep_alive(&self, on: bool) -> Result<()> {
        Ok(SockRef::from(&*self.inner).set_keepalive(on)?)
    }

    /// Whether `SO_KEEPALIVE` is set.
    pub fn keep_alive(&self) -> Result<bool> {
        Ok(SockRef::from(&*self.inner).keepalive()?)
    }

    /// Sets `SO_LINGER` (`None` disables lingering).
    pub fn set_linger(&self, linger: Option<Duration>) -> Result<()> {
        Ok(SockRef::from(&*self.inner).set_linger(linger)?)
    }

    /// Sets blocking (default) or non-blocking mode.
    pub fn set_blocking(&self, blocking: bool) -> Result<()> {
        Ok(self.inner.set_nonblocking(!blocking)?)
    }

    /// The local address (POCO `address()`).
    pub fn address(&self) -> Result<SocketAddress> {
        super::unix::local_address(&*self.inner)
    }

    /// The peer's address (POCO `peerAddress()`).
    pub fn peer_address(&self) -> Result<SocketAddress> {
        super::unix::peer_address(&*self.inner)
    }

    /// Reads without consuming (`MSG_PEEK`); used to see whether an idle connection was
    /// closed by the peer.
    pub fn peek(&self, buf: &mut [u8]) -> Result<usize> {
        Ok(self.inner.peek(buf)?)
    }

    /// The standard-library stream, for options this type does not wrap.
    pub fn as_tcp_stream(&self) -> &TcpStream {
        &self.inner
    }

    /// Whether `self` and `other` are clones sharing one OS socket.
    pub fn same_socket(&self, other: &StreamSocket) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl From<TcpStream> for StreamSocket {
    fn from(stream: TcpStream) -> Self {
        StreamSocket { inner: Arc::new(stream) }
    }
}

impl Read for &StreamSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.inner).read(buf)
    }
}

impl Write for &StreamSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.inner).write(buf)
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        (&*self.inner).write_vectored(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for StreamSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

impl Write for StreamSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        (&*self).write_vectored(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
