//! UDP services: [`UdpServer`] runs a [`UdpHandler`] on datagrams with a bounded number of
//! threads and buffers (POCO `UDPServer`/`UDPHandler`); [`UdpClient`] sends requests and
//! waits for replies (POCO `UDPClient`).
//!
//! ```
//! use std::time::Duration;
//! use rpoco_net::{DatagramSocket, SocketAddress, UdpClient, UdpServer, UdpServerParams};
//!
//! let socket = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0")?)?;
//! // Answers each datagram with the same bytes upper-cased.
//! let server = UdpServer::new(
//!     |data: &[u8], from: SocketAddress, socket: &DatagramSocket| {
//!         let _ = socket.send_to(&data.to_ascii_uppercase(), &from);
//!     },
//!     socket,
//!     UdpServerParams::default(),
//! )?;
//! let client = UdpClient::connect(&server.address()?)?;
//! assert_eq!(client.request(b"ping", Duration::from_secs(5), 3)?, b"PING");
//! server.stop();
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod client;
mod server;

pub use client::UdpClient;
pub use server::{UdpHandler, UdpServer, UdpServerParams, UdpServerStats};
