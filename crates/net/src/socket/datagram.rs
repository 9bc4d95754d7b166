//! [`DatagramSocket`]: POCO's UDP socket.

use std::net::UdpSocket;
use std::time::Duration;

use super::address::SocketAddress;
use crate::error::{Error, Result};

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
        let inner = UdpSocket::bind(address.as_std()).map_err(|e| Error::from_io_during(e, "bind"))?;
        Ok(DatagramSocket { inner })
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
