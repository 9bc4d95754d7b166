//! POCO's reactor: [`SocketReactor`] dispatches socket events to handlers on one thread;
//! [`SocketAcceptor`] and [`SocketConnector`] create a [`ServiceHandler`] per connection;
//! [`ParallelSocketAcceptor`] spreads connections over [`ParallelSocketReactor`]s.
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_net::{Notification, ServerSocket, ServiceHandler, SocketAcceptor, SocketAddress,
//!     SocketReactor, StreamSocket};
//!
//! /// Echoes what it reads; removes itself when the peer closes.
//! struct Echo;
//! impl ServiceHandler for Echo {
//!     fn open(socket: StreamSocket, reactor: &SocketReactor) -> rpoco_net::Result<()> {
//!         let s = socket.clone();
//!         reactor.add_event_handler(&socket, Notification::Readable, move |reactor, _| {
//!             let mut buf = [0u8; 1024];
//!             match s.receive_bytes(&mut buf) {
//!                 Ok(n) if n > 0 => { let _ = s.send_bytes(&buf[..n]); }
//!                 _ => reactor.remove_socket(&s),
//!             }
//!         })?;
//!         Ok(())
//!     }
//! }
//!
//! let reactor = SocketReactor::new()?;
//! let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let addr = server.address()?;
//! let _acceptor = SocketAcceptor::new::<Echo>(server, &reactor)?;
//! let r = reactor.clone();
//! let thread = std::thread::spawn(move || r.run());
//! let mut client = StreamSocket::connect(&addr)?;
//! client.write_all(b"ping")?;
//! let mut buf = [0u8; 4];
//! client.read_exact(&mut buf)?;
//! assert_eq!(&buf, b"ping");
//! reactor.stop();
//! thread.join().unwrap();
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod acceptor;
mod connector;
mod core;
mod parallel;

pub use acceptor::{ServiceHandler, SocketAcceptor};
pub use connector::SocketConnector;
pub use core::{HandlerId, HandlerPanic, Notification, SocketReactor};
pub use parallel::{ParallelSocketAcceptor, ParallelSocketReactor};
