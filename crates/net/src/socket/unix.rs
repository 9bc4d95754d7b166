//! Unix-domain sockets (POCO `SocketAddress::UNIX_LOCAL`): addresses for paths and Linux
//! abstract names, stream and server sockets over them, and [`LocalConnector`], which runs
//! an [`HttpClientSession`](crate::HttpClientSession) over a Unix socket.
//!
//! A Unix stream is carried by the same [`StreamSocket`] / [`ServerSocket`] types as TCP (one
//! descriptor, the same socket calls), so everything built on them, `HttpServer` included,
//! serves Unix sockets unchanged. TCP-only options (`set_no_delay`) fail on them.

use std::net::TcpListener;
use std::os::fd::{AsFd, OwnedFd};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

use socket2::{SockAddr, SockRef};

use super::address::{LOCAL_NAME_MAX, LocalName, Repr, SocketAddress};
use super::server::ServerSocket;
use super::stream::StreamSocket;
use super::transport::{Connector, PlainConnector, Transport};
use crate::error::{Error, ErrorKind, Result};

impl SocketAddress {
    /// POCO `SocketAddress(UNIX_LOCAL, path)`: a Unix-domain socket path (at most 107 bytes).
    ///
    /// ```
    /// use rpoco_net::{AddressFamily, SocketAddress};
    /// let a = SocketAddress::unix_local("/run/app.sock")?;
    /// assert_eq!(a.family(), AddressFamily::UnixLocal);
    /// assert_eq!(a.to_string(), "/run/app.sock");
    /// assert_eq!(SocketAddress::parse("/run/app.sock")?, a);
    /// # Ok::<(), rpoco_net::Error>(())
    /// ```
    pub fn unix_local(path: impl AsRef<Path>) -> Result<Self> {
        Self::local(path.as_ref().as_os_str().as_bytes(), false)
    }

    /// A Linux abstract socket name (no file; `@name` in `ss` and in `Display`).
    pub fn unix_abstract(name: &[u8]) -> Result<Self> {
        Self::local(name, true)
    }

    fn local(name: &[u8], abstract_name: bool) -> Result<Self> {
        if name.len() > LOCAL_NAME_MAX {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("Unix socket name of {} bytes is longer than {LOCAL_NAME_MAX}", name.len()),
            ));
        }
        if !abstract_name && name.contains(&0) {
            return Err(Error::new(ErrorKind::InvalidArgument, "Unix socket path contains a NUL byte"));
        }
        let mut bytes = [0u8; LOCAL_NAME_MAX];
        bytes[..name.len()].copy_from_slice(name);
        Ok(SocketAddress(Repr::Local(LocalName { abstract_name, len: name.len() as u8, bytes })))
    }

    /// Whether this is a Unix-domain address.
    pub fn is_unix_local(&self) -> bool {
        matches!(self.0, Repr::Local(_))
    }

    /// The path of a Unix-domain address (`None` for IP and abstract addresses; an unnamed
    /// client socket has the empty path).
    pub fn unix_path(&self) -> Option<&Path> {
        match &self.0 {
            Repr::Local(n) if !n.abstract_name => {
                Some(Path::new(std::ffi::OsStr::from_bytes(&n.bytes[..usize::from(n.len)])))
            }
            _ => None,
        }
    }

    /// The name of a Linux abstract address.
    pub fn unix_abstract_name(&self) -> Option<&[u8]> {
        match &self.0 {
            Repr::Local(n) if n.abstract_name => Some(&n.bytes[..usize::from(n.len)]),
            _ => None,
        }
    }

    fn to_unix(self) -> Result<UnixAddr> {
        let r = match (self.unix_path(), self.unix_abstract_name()) {
            (Some(p), _) => UnixAddr::from_pathname(p),
            (_, Some(n)) => UnixAddr::from_abstract_name(n),
            _ => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{self} is not a Unix-domain address"),
                ));
            }
        };
        r.map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("Unix socket address {self}: {e}")))
    }

    fn from_sock_addr(a: &SockAddr) -> Result<Self> {
        if let Some(ip) = a.as_socket() {
            return Ok(ip.into());
        }
        if let Some(name) = a.as_abstract_namespace() {
            return Self::unix_abstract(name);
        }
        if a.is_unix() {
            return Self::unix_local(a.as_pathname().unwrap_or(Path::new("")));
        }
        Err(Error::new(ErrorKind::InvalidAddress, "not an IP or Unix-domain address"))
    }
}

/// The local address of any socket, IP or Unix-domain.
pub(crate) fn local_address(fd: &impl AsFd) -> Result<SocketAddress> {
    SocketAddress::from_sock_addr(&SockRef::from(fd).local_addr()?)
}

/// The peer address of any connected socket, IP or Unix-domain.
pub(crate) fn peer_address(fd: &impl AsFd) -> Result<SocketAddress> {
    SocketAddress::from_sock_addr(&SockRef::from(fd).peer_addr()?)
}

/// Accepts on any listening socket, IP or Unix-domain.
pub(crate) fn accept(listener: &TcpListener) -> std::io::Result<(StreamSocket, SocketAddress)> {
    let (socket, peer) = SockRef::from(listener).accept()?;
    let peer = SocketAddress::from_sock_addr(&peer).unwrap_or_default();
    Ok((StreamSocket::from(std::net::TcpStream::from(socket)), peer))
}

impl StreamSocket {
    /// Connects to a Unix-domain address (what [`connect`](Self::connect) does for one).
    pub fn connect_local(address: &SocketAddress) -> Result<Self> {
        let stream = UnixStream::connect_addr(&address.to_unix()?)
            .map_err(|e| Error::from_io_during(e, &format!("connect to {address}")))?;
        Ok(StreamSocket::from(std::net::TcpStream::from(OwnedFd::from(stream))))
    }

    /// A connected pair of Unix-domain stream sockets (POCO `StreamSocket::pair`-like; for
    /// tests and in-process channels).
    pub fn pair() -> Result<(StreamSocket, StreamSocket)> {
        let (a, b) = UnixStream::pair()?;
        let wrap = |s: UnixStream| StreamSocket::from(std::net::TcpStream::from(OwnedFd::from(s)));
        Ok((wrap(a), wrap(b)))
    }
}

impl ServerSocket {
    /// Listens on a Unix-domain address (what [`bind_with`](Self::bind_with) does for one).
    /// A path must not exist yet; remove a stale one first (POCO does not either).
    pub fn bind_local(address: &SocketAddress) -> Result<Self> {
        let listener = UnixListener::bind_addr(&address.to_unix()?)
            .map_err(|e| Error::from_io_during(e, &format!("bind {address}")))?;
        Ok(ServerSocket::from(TcpListener::from(OwnedFd::from(listener))))
    }
}

/// A [`Connector`] that reaches a local daemon over a Unix-domain socket, whatever host and
/// port the session names (they still go into the `Host` header).
///
/// ```no_run
/// use rpoco_net::{HttpRequest, LocalConnector, SocketAddress};
/// let connector = LocalConnector::new(SocketAddress::unix_local("/var/run/docker.sock")?);
/// let mut session = connector.session("localhost");
/// session.send_request(&mut HttpRequest::new("GET", "/version", "HTTP/1.1"))?;
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LocalConnector {
    address: SocketAddress,
}

impl LocalConnector {
    /// Connects every session to `address`, a Unix-domain address.
    pub fn new(address: SocketAddress) -> Self {
        LocalConnector { address }
    }

    /// Connect options whose resolver answers every name with this connector's address, so
    /// the connection chain's TCP step opens the Unix-domain socket.
    pub fn connect_options(&self) -> crate::ConnectOptions {
        let address = self.address;
        crate::ConnectOptions::new().with_resolver(move |_, _| Ok(vec![address]))
    }

    /// An `HttpClientSession` for `host` (its `Host` header) over this Unix-domain socket.
    pub fn session(&self, host: &str) -> crate::HttpClientSession {
        let mut session =
            crate::HttpClientSession::with_connector(host, 80, std::sync::Arc::new(self.clone()));
        session.set_connect_options(self.connect_options());
        session
    }
}

impl Connector for LocalConnector {
    fn connect_tcp(&self, _host: &str, _port: u16, timeout: Option<Duration>) -> Result<StreamSocket> {
        let socket = StreamSocket::connect_local(&self.address)?;
        // A local connect does not wait for a peer, so only later calls need the limit.
        socket.set_send_timeout(timeout)?;
        Ok(socket)
    }

    fn wrap(
        &self,
        socket: StreamSocket,
        host: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn Transport>> {
        PlainConnector.wrap(socket, host, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AddressFamily;

    #[test]
    fn addresses_paths_and_abstract_names() {
        let a = SocketAddress::unix_abstract(b"rpoco-test").unwrap();
        assert_eq!((a.to_string(), a.family()), ("@rpoco-test".to_string(), AddressFamily::UnixLocal));
        assert_eq!(a.unix_abstract_name(), Some(&b"rpoco-test"[..]));
        assert!(a.unix_path().is_none() && a.port() == 0);
        assert_eq!(
            SocketAddress::unix_local("/x".repeat(60)).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidArgument)
        );
        assert_eq!(
            SocketAddress::unix_local("/a\0b").err().map(|e| e.kind()),
            Some(ErrorKind::InvalidArgument)
        );
        assert!(!SocketAddress::parse("127.0.0.1:1").unwrap().is_unix_local());
    }

    #[test]
    fn stream_over_an_abstract_name_and_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("rpoco-{}", std::process::id());
        for addr in [
            SocketAddress::unix_abstract(name.as_bytes()).unwrap(),
            SocketAddress::unix_local(dir.path().join("s.sock")).unwrap(),
        ] {
            let server = ServerSocket::bind_local(&addr).unwrap();
            assert_eq!(server.address().unwrap(), addr);
            let client = StreamSocket::connect(&addr).unwrap();
            let (peer, from) = server.accept_connection().unwrap();
            assert!(from.is_unix_local() && peer.address().unwrap() == addr);
            assert!(client.peer_address().unwrap() == addr);
            client.send_bytes(b"over unix").unwrap();
            let mut buf = [0u8; 9];
            std::io::Read::read_exact(&mut &peer, &mut buf).unwrap();
            assert_eq!(&buf, b"over unix");
            assert!(client.set_no_delay(true).is_err(), "TCP options fail on Unix sockets");
        }
    }
}
