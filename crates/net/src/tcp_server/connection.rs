//! The connection traits: [`TcpServerConnection`], [`TcpServerConnectionFactory`] and
//! [`Next`], what a connection asks for when its `run` returns.

use std::time::Instant;

use crate::socket::StreamSocket;

/// What a connection wants once [`TcpServerConnection::run`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The connection is done; the server drops it (closing its socket).
    Close,
    /// The connection waits for its peer: it is parked in the server's poller, holding no
    /// thread, and `run` is called again on a worker thread when the socket becomes readable
    /// or, at the latest, at `deadline` (the connection must check which: a read attempt on a
    /// non-blocking socket says). POCO has no such state: an idle keep-alive connection
    /// there blocks a pool thread.
    ///
    /// Return it only after a read on the socket reported `WouldBlock`: readiness is
    /// edge-triggered, so bytes already received (in the socket or in a transport's own
    /// buffer) would not wake the connection.
    WaitReadable {
        /// When to run the connection even if nothing arrived (`None`: only when readable).
        deadline: Option<Instant>,
    },
    /// Like [`WaitReadable`](Self::WaitReadable), until the socket can take more bytes (a
    /// response the peer reads slowly): return it only after a write reported `WouldBlock`.
    WaitWritable {
        /// When to run the connection even if the socket stayed full.
        deadline: Option<Instant>,
    },
}

/// One connection of a [`TcpServer`](crate::TcpServer) (POCO `TCPServerConnection`).
///
/// The server calls [`run`](Self::run) on one of its worker threads; the connection serves
/// its socket and returns [`Next::Close`] when done, as POCO's `run()` does by returning.
/// A connection that waits for its peer without work to do returns
/// [`Next::WaitReadable`] instead and costs no thread until the peer sends something.
///
/// A panic in `run` is caught: the connection is dropped and the worker thread carries on.
///
/// ```
/// use std::io::{Read, Write};
/// use rpoco_net::{Next, StreamSocket, TcpServerConnection};
///
/// /// Echoes one message and closes.
/// struct EchoOnce(StreamSocket);
///
/// impl TcpServerConnection for EchoOnce {
///     fn run(&mut self) -> Next {
///         let mut buf = [0u8; 1024];
///         if let Ok(n) = self.0.read(&mut buf) {
///             let _ = self.0.write_all(&buf[..n]);
///         }
///         Next::Close
///     }
/// }
/// ```
pub trait TcpServerConnection: Send {
    /// Serves the connection until it is done or must wait for its peer.
    fn run(&mut self) -> Next;
}

/// Makes a [`TcpServerConnection`] for each accepted socket (POCO
/// `TCPServerConnectionFactory`). Called on a worker thread, so it may do blocking setup.
///
/// Closures `Fn(StreamSocket) -> Box<dyn TcpServerConnection>` are factories.
pub trait TcpServerConnectionFactory: Send + Sync {
    /// A connection serving `socket`.
    fn create_connection(&self, socket: StreamSocket) -> Box<dyn TcpServerConnection>;
}

impl<F> TcpServerConnectionFactory for F
where
    F: Fn(StreamSocket) -> Box<dyn TcpServerConnection> + Send + Sync,
{
    fn create_connection(&self, socket: StreamSocket) -> Box<dyn TcpServerConnection> {
        self(socket)
    }
}
