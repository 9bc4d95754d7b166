//! [`ServerSocket`]: POCO's listening TCP socket.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;

use socket2::{Domain, Protocol, Socket, Type};

use super::address::SocketAddress;
use super::stream::StreamSocket;
use crate::error::{Error, Result};

/// POCO `ServerSocket`: a listening TCP socket.
///
/// [`ServerSocket::new`] binds the IPv4 wildcard address with `SO_REUSEADDR` and
/// `SO_REUSEPORT` and a backlog of 64, as POCO's `ServerSocket(port)` does;
/// [`ServerSocket::bind`] takes an address and sets both reuse options to `reuse`.
/// Clones share one listening socket.
///
/// ```
/// use rpoco_net::{ServerSocket, SocketAddress, StreamSocket};
/// let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
/// let client = StreamSocket::connect(&server.address()?)?;
/// let (accepted, peer) = server.accept_connection()?;
/// assert_eq!(peer, client.address()?);
/// assert_eq!(accepted.peer_address()?, client.address()?);
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServerSocket {
    inner: Arc<TcpListener>,
}

/// POCO's default listen backlog.
pub const DEFAULT_BACKLOG: i32 = 64;

impl ServerSocket {
    /// Binds `0.0.0.0:port` with address and port reuse and listens (POCO
    /// `ServerSocket(port, 64)`).
    pub fn new(port: u16) -> Result<Self> {
        let addr = SocketAddress::from_ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
        Self::bind_with(&addr, true, true, DEFAULT_BACKLOG)
    }

    /// Binds `address`, setting `SO_REUSEADDR` and `SO_REUSEPORT` to `reuse`, and listens
    /// with a backlog of 64.
    pub fn bind(address: &SocketAddress, reuse: bool) -> Result<Self> {
        Self::bind_with(address, reuse, reuse, DEFAULT_BACKLOG)
    }

    /// Binds with every option spelled out. An IPv6 address is bound IPv6-only.
    pub fn bind_with(
        address: &SocketAddress,
        reuse_address: bool,
        reuse_port: bool,
        backlog: i32,
    ) -> Result<Self> {
        if address.is_unix_local() {
            return Self::bind_local(address);
        }
        let addr: SocketAddr = address.as_std();
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        if addr.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        socket.set_reuse_address(reuse_address)?;
        #[cfg(all(unix, not(any(target_os = "solaris", target_os = "illumos"))))]
        socket.set_reuse_port(reuse_port)?;
        #[cfg(not(all(unix, not(any(target_os = "solaris", target_os = "illumos")))))]
        let _ = reuse_port;
        socket.bind(&addr.into()).map_err(|e| Error::from_io_during(e, &format!("bind {address}")))?;
        socket.listen(backlog)?;
        Ok(ServerSocket { inner: Arc::new(socket.into()) })
    }

    /// Accepts a connection; returns the connected socket and the peer's address.
    pub fn accept_connection(&self) -> Result<(StreamSocket, SocketAddress)> {
        loop {
            match super::unix::accept(&self.inner) {
                Ok(accepted) => return Ok(accepted),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::from_io_during(e, "accept")),
            }
        }
    }

    /// The bound address (with the port the system chose for port 0).
    pub fn address(&self) -> Result<SocketAddress> {
        super::unix::local_address(&*self.inner)
    }

    /// Sets blocking (default) or non-blocking accepts.
    pub fn set_blocking(&self, blocking: bool) -> Result<()> {
        Ok(self.inner.set_nonblocking(!blocking)?)
    }

    /// The standard-library listener, for pollers and options this type does not wrap.
    pub fn as_tcp_listener(&self) -> &TcpListener {
        &self.inner
    }
}

impl From<TcpListener> for ServerSocket {
    fn from(listener: TcpListener) -> Self {
        ServerSocket { inner: Arc::new(listener) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_binds_the_ipv4_wildcard_with_reuse() {
        let s = ServerSocket::new(0).unwrap();
        let a = s.address().unwrap();
        assert!(a.host().is_unspecified() && a.host().is_ipv4());
        let sock = socket2::SockRef::from(s.as_tcp_listener());
        assert!(sock.reuse_address().unwrap());
        assert!(sock.reuse_port().unwrap());
    }
}
