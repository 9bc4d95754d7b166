//! # rpoco-net
//!
//! The port of POCO's Net module: sockets (`SocketAddress`, `StreamSocket`, `ServerSocket`),
//! the HTTP message model (`HttpRequest`, `HttpResponse`, `MessageHeader`), `HttpClientSession`,
//! `TcpServer` and `HttpServer`. HTTP/1.1 framing is a sans-IO core that plain sockets and
//! TLS (from `rpoco-netssl`) both drive through one transport abstraction.
//!
//! This crate is being filled in; see `docs/porting.md` for what has landed.
//!
//! ```
//! // Nothing public yet: the crate builds and documents itself.
//! ```
