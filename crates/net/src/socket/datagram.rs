//! [`DatagramSocket`]: POCO's UDP socket.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, UdpSocket};
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, Type};

use super::address::{AddressFamily, SocketAddress};
use crate::error::{Error, ErrorKind, Result};

/// POCO `DatagramSocket`: a UDP socket.
///
/// ```
/// use rpoco_net::{DatagramSocket, SocketAddress};
/// let a = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0")?)?;
/// let b = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0")?)?;
/// b.set_receive_timeout(Some(std::time::Duration::from_secs(5)))?;
/// a.send_to(b"ping", &b.address()?)?;
/// let mut buf = [0u8; 16];
/// let (n, from) = b.receive_from(&mut buf)?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.address()?));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct DatagramSocket {
    inner: UdpSocket,
}

impl DatagramSocket {
    /// Binds a UDP socket to `address` (port 0 lets the system choose).
    pub fn bind(address: &SocketAddress) -> Result<Self> {
        Self::check_ip(address)?;
        let inner = UdpSocket::bind(address.as_std()).map_err(|e| Error::from_io_during(e, "bind"))?;
        Ok(DatagramSocket { inner })
    }

    /// An unconnected socket of `family` bound to the wildcard address and a port the system
    /// chooses (POCO `DatagramSocket(family)`, which binds on first send).
    pub fn new(family: AddressFamily) -> Result<Self> {
        let ip = match family {
            AddressFamily::IPv4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            AddressFamily::IPv6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            AddressFamily::UnixLocal => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "a UDP socket needs an IP address family",
                ));
            }
        };
        Self::bind(&SocketAddress::from_ip(ip, 0))
    }

    /// Binds with the reuse options spelled out (POCO `bind(address, reuseAddress,
    /// reusePort)`): `SO_REUSEADDR` lets several sockets share a multicast group's port,
    /// `SO_REUSEPORT` spreads datagrams over sockets bound to one port. An IPv6 address is
    /// bound IPv6-only.
    pub fn bind_with(address: &SocketAddress, reuse_address: bool, reuse_port: bool) -> Result<Self> {
        Self::check_ip(address)?;
        let addr = address.as_std();
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
        if addr.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        socket.set_reuse_address(reuse_address)?;
        socket.set_reuse_port(reuse_port)?;
        socket.bind(&addr.into()).map_err(|e| Error::from_io_during(e, &format!("bind {address}")))?;
        Ok(DatagramSocket { inner: socket.into() })
    }

    fn check_ip(address: &SocketAddress) -> Result<()> {
        if address.is_unix_local() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{address}: a UDP socket needs an IP address"),
            ));
        }
        Ok(())
    }

    /// Whether `SO_REUSEADDR` is set.
    pub fn reuse_address(&self) -> Result<bool> {
        Ok(SockRef::from(&self.inner).reuse_address()?)
    }

    /// Whether `SO_REUSEPORT` is set.
    pub fn reuse_port(&self) -> Result<bool> {
        Ok(SockRef::from(&self.inner).reuse_port()?)
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> Result<bool> {
        Ok(self.inner.broadcast()?)
    }

    /// Sets blocking (default) or non-blocking mode.
    pub fn set_blocking(&self, blocking: bool) -> Result<()> {
        Ok(self.inner.set_nonblocking(!blocking)?)
    }

    /// Sets the default destination for [`send_bytes`](Self::send_bytes) and the only source
    /// [`receive_bytes`](Self::receive_bytes) accepts.
    pub fn connect(&self, address: &SocketAddress) -> Result<()> {
        Ok(self.inner.connect(address.as_std())?)
    }

    /// Sends one datagram to the connected address.
    pub fn send_bytes(&self, data: &[u8]) -> Result<usize> {
        self.inner.send(data).map_err(|e| Error::from_io_during(e, "send"))
    }

    /// Receives one datagram from the connected address.
    pub fn receive_bytes(&self, buf: &mut [u8]) -> Result<usize> {
        self.inner.recv(buf).map_err(|e| Error::from_io_during(e, "receive"))
    }

    /// Sends one datagram to `address`.
    pub fn send_to(&self, data: &[u8], address: &SocketAddress) -> Result<usize> {
        self.inner.send_to(data, address.as_std()).map_err(|e| Error::from_io_during(e, "send"))
    }

    /// Receives one datagram and its sender's address.
    pub fn receive_from(&self, buf: &mut [u8]) -> Result<(usize, SocketAddress)> {
        let (n, from) = self.inner.recv_from(buf).map_err(|e| Error::from_io_during(e, "receive"))?;
        Ok((n, from.into()))
    }

    /// Sets the receive timeout (`None` or zero = none).
    pub fn set_receive_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        Ok(self.inner.set_read_timeout(timeout.filter(|t| !t.is_zero()))?)
    }

    /// Sets the send timeout (`None` or zero = none).
    pub fn set_send_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        Ok(self.inner.set_write_timeout(timeout.filter(|t| !t.is_zero()))?)
    }

    /// Sets `SO_BROADCAST`.
    pub fn set_broadcast(&self, on: bool) -> Result<()> {
        Ok(self.inner.set_broadcast(on)?)
    }

    /// The local address.
    pub fn address(&self) -> Result<SocketAddress> {
        Ok(self.inner.local_addr()?.into())
    }

    /// The standard-library socket.
    pub fn as_udp_socket(&self) -> &UdpSocket {
        &self.inner
    }
}

impl From<UdpSocket> for DatagramSocket {
    fn from(inner: UdpSocket) -> Self {
        DatagramSocket { inner }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_flags_let_two_sockets_share_a_port() {
        let any = SocketAddress::parse("127.0.0.1:0").unwrap();
        let a = DatagramSocket::bind_with(&any, true, true).unwrap();
        assert!(a.reuse_address().unwrap() && a.reuse_port().unwrap());
        let b = DatagramSocket::bind_with(&a.address().unwrap(), true, true).unwrap();
        assert_eq!(a.address().unwrap(), b.address().unwrap());
        let plain = DatagramSocket::bind(&any).unwrap();
        assert!(!plain.reuse_address().unwrap());
        assert!(DatagramSocket::bind(&plain.address().unwrap()).is_err());
        let v6 = DatagramSocket::new(AddressFamily::IPv6).unwrap();
        assert!(v6.address().unwrap().host().is_unspecified() && v6.address().unwrap().port() != 0);
        a.set_receive_buffer_size(256 * 1024).unwrap();
        assert!(a.receive_buffer_size().unwrap() >= 256 * 1024);
    }
}
