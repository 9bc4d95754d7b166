//! The transport seam: [`Transport`] and [`Connector`] (public API for `rpoco-netssl`).
//!
//! Everything HTTP in this crate talks to a `Box<dyn Transport>`: a plain [`StreamSocket`]
//! here, a TLS socket in `rpoco-netssl`. A [`Connector`] is the last step of the
//! connection [`Chain`](crate::Chain): the chain opens TCP (to the server or the proxy),
//! runs any proxy tunnel (HTTP `CONNECT`, SOCKS5) on the plain socket, and then calls
//! [`Connector::wrap`] once with the socket that reaches the origin server; TLS does its
//! handshake there (SNI and certificate checks for `host`) and returns its transport or
//! its error, once.
//!
//! ```
//! use rpoco_net::{Connector, PlainConnector, ServerSocket, SocketAddress, Transport};
//!
//! let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let port = server.address()?.port();
//! let connector = PlainConnector;
//! let socket = connector.connect_tcp("127.0.0.1", port, None)?;
//! let transport = connector.wrap(socket, "127.0.0.1", None)?;
//! assert!(!transport.is_secure());
//! assert_eq!(transport.socket().peer_address()?.port(), port);
//! # Ok::<(), rpoco_net::Error>(())
//! ```

use std::any::Any;
use std::fmt::Debug;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::address::SocketAddress;
use super::stream::StreamSocket;
use crate::error::Result;

/// A connected byte stream that HTTP runs over: a plain TCP socket or a TLS socket.
///
/// **Public API for `rpoco-netssl`.** Implementors provide `Read` + `Write` of the
/// application data and the [`StreamSocket`] underneath (for timeouts, addresses, and so an
/// [`AbortHandle`](crate::AbortHandle) can shut it down from another thread). `Transport`
/// has `Any` as a supertrait, so `&dyn Transport` upcasts to `&dyn Any` and the concrete
/// type (for instance netssl's secure socket, to read the peer certificate) can be recovered
/// with `downcast_ref`.
pub trait Transport: Read + Write + Send + Debug + Any {
    /// The TCP socket underneath.
    fn socket(&self) -> &StreamSocket;

    /// Whether the transport encrypts (POCO `HTTPSession::secure()`).
    fn is_secure(&self) -> bool {
        false
    }

    /// Closes the connection gracefully. TLS sends `close_notify` first; then the TCP
    /// connection is shut down in both directions.
    fn shutdown(&mut self) -> Result<()> {
        self.socket().shutdown()
    }

    /// Sets the receive timeout of the socket underneath (`None` = none).
    fn set_receive_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        self.socket().set_receive_timeout(timeout)
    }

    /// Sets the send timeout of the socket underneath (`None` = none).
    fn set_send_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        self.socket().set_send_timeout(timeout)
    }

    /// The peer's address.
    fn peer_address(&self) -> Result<SocketAddress> {
        self.socket().peer_address()
    }

    /// The local address.
    fn address(&self) -> Result<SocketAddress> {
        self.socket().address()
    }

    /// Whether application data is already buffered inside the transport (decrypted TLS
    /// records), so a read would not touch the socket. Plain sockets buffer nothing.
    fn has_buffered_data(&self) -> bool {
        false
    }

    /// While a handshake runs in steps on a non-blocking socket (a TLS server connection
    /// waiting in the server's poller), when it must be done: the server wakes the connection
    /// no later than that. `None` when no handshake is pending (plain sockets never have one).
    fn handshake_deadline(&self) -> Option<Instant> {
        None
    }

    /// What the connection established beyond its bytes, for a client session to keep
    /// after the connection is gone (netssl: the TLS handshake's peer certificate,
    /// protocol, cipher suite and resumption). Plain sockets report nothing.
    fn connection_info(&self) -> Option<Arc<dyn ConnectionInfo>> {
        None
    }
}

/// Facts a [`Transport`] reports about its connection ([`Transport::connection_info`]);
/// any `Debug + Send + Sync` type is one. Recover the concrete type with
/// `(info as &dyn Any).downcast_ref::<T>()`.
pub trait ConnectionInfo: Any + Debug + Send + Sync {}

impl<T: Any + Debug + Send + Sync> ConnectionInfo for T {}

impl Transport for StreamSocket {
    fn socket(&self) -> &StreamSocket {
        self
    }
}

/// Opens connections for an [`HttpClientSession`](crate::HttpClientSession): the TCP part
/// and the transport layered on it.
///
/// **Public API for `rpoco-netssl`**, whose TLS connector overrides [`wrap`](Self::wrap),
/// [`scheme`](Self::scheme), [`default_port`](Self::default_port) and
/// [`is_secure`](Self::is_secure). The [`Chain`](crate::Chain) calls `wrap` once per
/// connection, after TCP and any proxy tunnel, with the origin server's host name.
pub trait Connector: Send + Sync + Debug {
    /// The URI scheme this connector serves: `"http"` or `"https"`.
    fn scheme(&self) -> &'static str {
        "http"
    }

    /// The port used when none is given (80 for HTTP, 443 for HTTPS).
    fn default_port(&self) -> u16 {
        80
    }

    /// Whether [`wrap`](Self::wrap) produces an encrypted transport. Secure connectors always
    /// tunnel through HTTP proxies with `CONNECT`.
    fn is_secure(&self) -> bool {
        false
    }

    /// Opens a TCP connection to `host:port` as the [`Chain`](crate::Chain)'s TCP step does
    /// (every address, Happy Eyeballs, each attempt bounded by `timeout`, `TCP_NODELAY`).
    /// A convenience for code that layers its own steps; the chain does not call it.
    fn connect_tcp(&self, host: &str, port: u16, timeout: Option<Duration>) -> Result<StreamSocket> {
        crate::connect::connect_tcp(host, port, &crate::ConnectOptions::new().with_attempt_timeout(timeout))
    }

    /// Layers the transport on `socket`, which already reaches the origin server `host`
    /// (directly or through a proxy tunnel). `timeout` bounds any handshake. The plain
    /// connector returns the socket itself.
    fn wrap(&self, socket: StreamSocket, host: &str, timeout: Option<Duration>)
    -> Result<Box<dyn Transport>>;
}

/// The plain-TCP [`Connector`] (scheme `http`, port 80).
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainConnector;

impl Connector for PlainConnector {
    fn wrap(
        &self,
        socket: StreamSocket,
        _host: &str,
        _timeout: Option<Duration>,
    ) -> Result<Box<dyn Transport>> {
        Ok(Box::new(socket))
    }
}
