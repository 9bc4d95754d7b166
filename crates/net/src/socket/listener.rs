//! The listener seam: [`Listener`], how a server's accepted connections become transports
//! (public API for `rpoco-netssl`).

use std::fmt::Debug;

use super::server::ServerSocket;
use super::stream::StreamSocket;
use super::transport::Transport;
use crate::error::Result;

/// A listening socket whose accepted connections become [`Transport`]s: a plain
/// [`ServerSocket`], or a TLS listener from `rpoco-netssl` (its `SecureServerSocket`).
///
/// **Public API for `rpoco-netssl`.** An [`HttpServer`](crate::HttpServer) over any listener
/// runs the same code: its accepting thread only accepts TCP connections on
/// [`server_socket`](Self::server_socket); [`wrap`](Self::wrap) then runs on a worker
/// thread, and a TLS handshake runs in steps as the client's bytes arrive, so neither
/// accepting nor any worker waits for a slow client. The socket passed to `wrap` already
/// has the server's receive and send timeouts.
///
/// A TLS listener implements it along these lines (rpoco-netssl's `SecureServerSocket`):
///
/// ```ignore
/// impl Listener for SecureServerSocket {
///     fn server_socket(&self) -> &ServerSocket { &self.socket }
///     fn wrap(&self, socket: StreamSocket) -> rpoco_net::Result<Box<dyn Transport>> {
///         // No handshake yet: it runs in steps on the server's first (non-blocking) reads.
///         let mut tls = SecureStreamSocket::attach_server(socket, &self.context, None)?;
///         tls.set_stepped_handshake(self.handshake_timeout); // crate-internal
///         Ok(Box::new(tls))
///     }
///     fn is_secure(&self) -> bool { true }
/// }
/// ```
///
/// The plain listener is the socket itself:
///
/// ```
/// use rpoco_net::{Listener, ServerSocket, SocketAddress, StreamSocket};
/// let listener = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, true)?;
/// let client = StreamSocket::connect(&listener.server_socket().address()?)?;
/// let (accepted, _) = listener.server_socket().accept_connection()?;
/// let transport = listener.wrap(accepted)?;
/// assert!(!transport.is_secure());
/// # drop(client);
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub trait Listener: Send + Sync + Debug + 'static {
    /// The listening TCP socket the server accepts on.
    fn server_socket(&self) -> &ServerSocket;

    /// Turns an accepted TCP connection into the transport HTTP runs over. Runs on a worker
    /// thread. It should not block: a transport with a handshake (TLS) should run it in steps
    /// on the first reads, which the server makes without blocking (answering `WouldBlock`
    /// parks the connection in the poller), and report its limit through
    /// [`Transport::handshake_deadline`]. A blocking `wrap` must bound itself. An error closes
    /// the connection.
    fn wrap(&self, socket: StreamSocket) -> Result<Box<dyn Transport>>;

    /// Whether [`wrap`](Self::wrap) produces encrypted transports.
    fn is_secure(&self) -> bool {
        false
    }
}

impl Listener for ServerSocket {
    fn server_socket(&self) -> &ServerSocket {
        self
    }

    fn wrap(&self, socket: StreamSocket) -> Result<Box<dyn Transport>> {
        Ok(Box::new(socket))
    }
}
