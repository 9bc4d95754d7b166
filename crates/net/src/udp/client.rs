//! [`UdpClient`]: datagrams to one server, replies with a deadline.

use std::time::{Duration, Instant};

use crate::error::{Error, Result, Timeout};
use crate::socket::{AddressFamily, DatagramSocket, PollMode, SocketAddress};

/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_536;

/// POCO `UDPClient`: a datagram socket connected to one server, so only its replies are
/// received. [`request`](Self::request) sends and waits for the reply, sending again after
/// each timeout, as a client of an unreliable transport must.
#[derive(Debug)]
pub struct UdpClient {
    socket: DatagramSocket,
}

impl UdpClient {
    /// A client of `server`, on a port the system chooses.
    pub fn connect(server: &SocketAddress) -> Result<Self> {
        let socket = DatagramSocket::new(if server.host().is_ipv4() {
            AddressFamily::IPv4
        } else {
            AddressFamily::IPv6
        })?;
        socket.connect(server)?;
        Ok(UdpClient { socket })
    }

    /// The socket.
    pub fn socket(&self) -> &DatagramSocket {
        &self.socket
    }

    /// Sends one datagram (POCO `send`).
    pub fn send(&self, data: &[u8]) -> Result<usize> {
        self.socket.send_bytes(data)
    }

    /// Waits up to `timeout` for one datagram from the server; `None` when none came.
    pub fn receive(&self, timeout: Duration) -> Result<Option<Vec<u8>>> {
        if !self.socket.poll(Some(timeout), PollMode::READ)? {
            return Ok(None);
        }
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let n = self.socket.receive_bytes(&mut buf)?;
        buf.truncate(n);
        Ok(Some(buf))
    }

    /// Sends `data` and returns the first reply, trying up to `attempts` times with
    /// `timeout` each; none → [`ErrorKind::Timeout`](crate::ErrorKind::Timeout).
    pub fn request(&self, data: &[u8], timeout: Duration, attempts: u32) -> Result<Vec<u8>> {
        let start = Instant::now();
        for _ in 0..attempts.max(1) {
            self.send(data)?;
            if let Some(reply) = self.receive(timeout)? {
                return Ok(reply);
            }
        }
        Err(Error::timeout(
            Timeout::Read,
            Some(timeout),
            format_args!(
                "UDP reply from {} ({} attempts in {:?})",
                self.socket
                    .as_udp_socket()
                    .peer_addr()
                    .map_or_else(|_| "the server".into(), |a| a.to_string()),
                attempts.max(1),
                start.elapsed()
            ),
        ))
    }
}
