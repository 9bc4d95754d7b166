//! Sockets: addresses, TCP stream and server sockets, UDP, the buffered [`SocketStream`],
//! and the [`Transport`]/[`Connector`] seam that TLS plugs into.
//!
//! ```
//! use rpoco_net::{ServerSocket, SocketAddress, StreamSocket};
//! let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let socket = StreamSocket::connect(&server.address()?)?;
//! assert_eq!(socket.peer_address()?, server.address()?);
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod address;
mod datagram;
mod detached;
mod ip_math;
mod listener;
mod multicast;
mod options;
mod poll_set;
mod server;
mod socket_stream;
mod stream;
mod transport;
mod unix;

pub(crate) use address::split_host_port;
pub use address::{AddressFamily, IpAddress, SocketAddress};
pub use datagram::DatagramSocket;
pub use detached::DetachedConnection;
pub use ip_math::{IpAddressExt, ip_mask};
pub use listener::Listener;
pub use multicast::MulticastSocket;
pub use options::Socket;
pub(crate) use poll_set::PollBuffers;
pub use poll_set::{PollMode, PollSet, SocketId};
pub use server::{DEFAULT_BACKLOG, ServerSocket};
pub use socket_stream::SocketStream;
pub use stream::StreamSocket;
pub use transport::{ConnectionInfo, Connector, PlainConnector, Transport};
pub use unix::LocalConnector;
pub(crate) use unix::accept as accept_any;
