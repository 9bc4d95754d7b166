//! `HttpClientSession::set_source_address` (POCO `setSourceAddress`, the SetSourceIP
//! sample): connections leave from a chosen local address.

use std::sync::Arc;
use std::time::Duration;

use super::session::HttpClientSession;
use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::socket::{Connector, SocketAddress, StreamSocket, Transport};

/// A connector that binds each TCP connection to `source` before connecting, then hands
/// the socket to the wrapped connector (so TLS and proxies work as before).
#[derive(Debug)]
pub struct SourceAddressConnector {
    inner: Arc<dyn Connector>,
    source: SocketAddress,
}

impl SourceAddressConnector {
    /// Binds `inner`'s connections to `source` (port 0: any port).
    pub fn new(inner: Arc<dyn Connector>, source: SocketAddress) -> Self {
        SourceAddressConnector { inner, source }
    }

    /// The source address.
    pub fn source(&self) -> &SocketAddress {
        &self.source
    }
}

fn connect_from(
    source: &SocketAddress,
    target: &SocketAddress,
    timeout: Option<Duration>,
) -> Result<StreamSocket> {
    let src = source.as_std();
    let dst = target.as_std();
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(dst),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )
    .map_err(|e| Error::from_io_during(e, "create socket"))?;
    socket
        .bind(&src.into())
        .map_err(|e| Error::from_io_during(e, &format!("bind to source address {source}")))?;
    let r = match timeout.filter(|t| !t.is_zero()) {
        Some(t) => socket.connect_timeout(&dst.into(), t),
        None => socket.connect(&dst.into()),
    };
    r.map_err(|e| match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            Error::timeout(Timeout::Connect, timeout, format_args!("connect to {target} from {source}"))
        }
        _ => Error::from_io_during(e, &format!("connect to {target} from {source}")),
    })?;
    Ok(StreamSocket::from(std::net::TcpStream::from(socket)))
}

impl Connector for SourceAddressConnector {
    fn scheme(&self) -> &'static str {
        self.inner.scheme()
    }

    fn default_port(&self) -> u16 {
        self.inner.default_port()
    }

    fn is_secure(&self) -> bool {
        self.inner.is_secure()
    }

    /// Connects from the source address to the first address of `host` in the same
    /// family that accepts.
    fn connect_tcp(&self, host: &str, port: u16, timeout: Option<Duration>) -> Result<StreamSocket> {
        let mut last = None;
        for addr in SocketAddress::resolve_all(host, port)? {
            if addr.family() != self.source.family() {
                continue;
            }
            match connect_from(&self.source, &addr, timeout) {
                Ok(s) => {
                    s.set_no_delay(true)?;
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::new(
                ErrorKind::HostNotFound,
                format!("{host}: no address in the family of source address {}", self.source),
            )
        }))
    }

    fn wrap(
        &self,
        socket: StreamSocket,
        host: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn Transport>> {
        self.inner.wrap(socket, host, timeout)
    }
}

impl HttpClientSession {
    /// POCO `setSourceAddress`: later connections leave from `address` (port 0: any).
    /// Set it before the first request; a connected session → [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState).
    ///
    /// ```
    /// use rpoco_net::{HttpClientSession, SocketAddress};
    /// let mut s = HttpClientSession::new("127.0.0.1", 80);
    /// s.set_source_address(SocketAddress::parse("127.0.0.1:0")?)?;
    /// # Ok::<(), rpoco_net::Error>(())
    /// ```
    pub fn set_source_address(&mut self, address: SocketAddress) -> Result<()> {
        if self.connected() {
            return Err(Error::new(ErrorKind::IllegalState, "set_source_address on a connected session"));
        }
        // The chain binds each attempt: every connection (direct, to a proxy, before TLS)
        // leaves from it.
        let options = self.connect_options().clone().with_source_address(address);
        self.set_connect_options(options);
        Ok(())
    }
}
