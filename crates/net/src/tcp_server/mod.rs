//! POCO's `TCPServer` family: [`TcpServer`], [`TcpServerParams`],
//! [`TcpServerConnection`] and [`TcpServerConnectionFactory`].
//!
//! A bounded pool of worker threads serves accepted connections; connections waiting for
//! their peer ([`Next::WaitReadable`]) sit in a poller (`mio`) and cost no thread.
//! [`HttpServer`](crate::HttpServer) runs on it.

mod connection;
mod dispatcher;
mod params;
mod poller;
mod server;

pub use connection::{Next, TcpServerConnection, TcpServerConnectionFactory};
pub use params::TcpServerParams;
pub use server::{ConnectionFilter, TcpServer};
