//! WebSocket (RFC 6455) with permessage-deflate (RFC 7692), client and server, plain and
//! over TLS (any [`Transport`](crate::Transport), so `rpoco-netssl`'s secure sockets too).
//!
//! POCO `Poco::Net::WebSocket`: [`WebSocket`] has POCO's frame API (`send_frame`,
//! `receive_frame`, `shutdown`, `set_max_payload_size`, the `FRAME_*` flags and the
//! status codes in [`StatusCode`]) and, over the same implementation, a message API
//! ([`WebSocket::send_text`], [`WebSocket::read_message`]) that answers pings, runs the
//! close handshake and puts fragments together. [`WebSocket::split`] gives a reader and a
//! writer for two threads.
//!
//! The layers, each usable alone: [`proto`] (the frame codec, sans-IO), [`Receiver`] and
//! [`Sender`] (the protocol rules, sans-IO), [`handshake`] and [`deflate`] (negotiation),
//! and the socket (the one I/O driver).
//!
//! ```
//! use rpoco_net::websocket::{Message, WebSocket, WebSocketConfig};
//! use rpoco_net::{DetachedConnection, ServerSocket, SocketAddress, StreamSocket};
//!
//! let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let addr = server.address()?;
//! let echo = std::thread::spawn(move || -> rpoco_net::Result<()> {
//!     let (peer, _) = server.accept_connection()?;
//!     let (mut ws, _request) = WebSocket::server_handshake(DetachedConnection::new(Box::new(peer)), WebSocketConfig::default())?;
//!     while let Message::Text(t) = ws.read_message()? {
//!         ws.send_text(&t)?;
//!     }
//!     Ok(())
//! });
//! let socket = StreamSocket::connect(&addr)?;
//! let (mut ws, _response) = WebSocket::client_handshake(DetachedConnection::new(Box::new(socket)), &addr.to_string(), "/", WebSocketConfig::default())?;
//! ws.send_text("hello")?;
//! assert_eq!(ws.read_message()?, Message::Text("hello".into()));
//! ws.close(1000, "bye")?;
//! echo.join().unwrap()?;
//! # Ok::<(), rpoco_net::Error>(())
//! ```

pub mod deflate;
mod error;
pub mod handshake;
mod http;
pub mod proto;
mod receiver;
mod sender;
mod socket;
mod split;
mod upgrade;
mod utf8;

use std::time::Duration;

pub use deflate::DeflateConfig;
pub use error::{WebSocketError, WebSocketErrorCode};
pub use handshake::{Negotiated, accept_key};
pub use http::{Credentials, has_code};
pub use proto::{Opcode, Role};
pub use receiver::{CloseFrame, Incoming, Receiver, parse_close, valid_close_code};
pub use sender::Sender;
pub use socket::{Message, WebSocket};
pub use split::{WebSocketReader, WebSocketWriter};
pub use utf8::Utf8Validator;

/// POCO `WebSocket::FrameFlags` and `FrameOpcodes` (the first byte of a frame).
pub mod flags {
    /// `FRAME_FLAG_FIN`: the final fragment.
    pub const FRAME_FLAG_FIN: i32 = 0x80;
    /// `FRAME_FLAG_RSV1` (compressed message under permessage-deflate).
    pub const FRAME_FLAG_RSV1: i32 = 0x40;
    /// `FRAME_FLAG_RSV2`.
    pub const FRAME_FLAG_RSV2: i32 = 0x20;
    /// `FRAME_FLAG_RSV3`.
    pub const FRAME_FLAG_RSV3: i32 = 0x10;
    /// `FRAME_OP_CONT`.
    pub const FRAME_OP_CONT: i32 = 0x00;
    /// `FRAME_OP_TEXT`.
    pub const FRAME_OP_TEXT: i32 = 0x01;
    /// `FRAME_OP_BINARY`.
    pub const FRAME_OP_BINARY: i32 = 0x02;
    /// `FRAME_OP_CLOSE`.
    pub const FRAME_OP_CLOSE: i32 = 0x08;
    /// `FRAME_OP_PING`.
    pub const FRAME_OP_PING: i32 = 0x09;
    /// `FRAME_OP_PONG`.
    pub const FRAME_OP_PONG: i32 = 0x0A;
    /// `FRAME_OP_BITMASK`.
    pub const FRAME_OP_BITMASK: i32 = 0x0F;
    /// `FRAME_TEXT`: a whole text message in one frame.
    pub const FRAME_TEXT: i32 = FRAME_FLAG_FIN | FRAME_OP_TEXT;
    /// `FRAME_BINARY`: a whole binary message in one frame.
    pub const FRAME_BINARY: i32 = FRAME_FLAG_FIN | FRAME_OP_BINARY;
}

/// POCO `WebSocket::StatusCodes`, the close status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCode;

impl StatusCode {
    /// `WS_NORMAL_CLOSE`
    pub const NORMAL_CLOSE: u16 = 1000;
    /// `WS_ENDPOINT_GOING_AWAY`
    pub const ENDPOINT_GOING_AWAY: u16 = 1001;
    /// `WS_PROTOCOL_ERROR`
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// `WS_PAYLOAD_NOT_ACCEPTABLE`
    pub const PAYLOAD_NOT_ACCEPTABLE: u16 = 1003;
    /// `WS_RESERVED`
    pub const RESERVED: u16 = 1004;
    /// `WS_RESERVED_NO_STATUS_CODE`: never on the wire; a close frame without status.
    pub const RESERVED_NO_STATUS_CODE: u16 = 1005;
    /// `WS_RESERVED_ABNORMAL_CLOSE`: never on the wire; the connection dropped.
    pub const RESERVED_ABNORMAL_CLOSE: u16 = 1006;
    /// `WS_MALFORMED_PAYLOAD` (bad UTF-8).
    pub const MALFORMED_PAYLOAD: u16 = 1007;
    /// `WS_POLICY_VIOLATION`
    pub const POLICY_VIOLATION: u16 = 1008;
    /// `WS_PAYLOAD_TOO_BIG`
    pub const PAYLOAD_TOO_BIG: u16 = 1009;
    /// `WS_EXTENSION_REQUIRED`
    pub const EXTENSION_REQUIRED: u16 = 1010;
    /// `WS_UNEXPECTED_CONDITION`
    pub const UNEXPECTED_CONDITION: u16 = 1011;
    /// `WS_RESERVED_TLS_FAILURE`: never on the wire.
    pub const RESERVED_TLS_FAILURE: u16 = 1015;
}

/// How a [`WebSocket`] behaves: limits, compression, subprotocols, timeouts. Immutable once
/// the socket is made; build it with struct update syntax from `default()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketConfig {
    /// The largest frame payload accepted (16 MiB).
    pub max_frame_size: u64,
    /// The largest message accepted, after decompression (64 MiB).
    pub max_message_size: usize,
    /// permessage-deflate to offer (client) or accept (server); `None` turns it off.
    pub deflate: Option<DeflateConfig>,
    /// Subprotocols the client offers, or the server accepts, in order of preference.
    pub protocols: Vec<String>,
    /// Receive and send timeout set on the connection (60 s); `None` leaves it as it is.
    /// A receive that times out mid-frame loses nothing: the next one resumes.
    pub timeout: Option<Duration>,
    /// How long [`WebSocket::close`] waits for the peer's close frame and TCP close (5 s).
    pub close_timeout: Duration,
    /// The largest HTTP head accepted in the handshake (64 KiB).
    pub max_handshake_size: usize,
}

impl Default for WebSocketConfig {
    fn default() -> Self {
        WebSocketConfig {
            max_frame_size: 16 << 20,
            max_message_size: 64 << 20,
            deflate: None,
            protocols: Vec::new(),
            timeout: Some(Duration::from_secs(60)),
            close_timeout: Duration::from_secs(5),
            max_handshake_size: 64 * 1024,
        }
    }
}

impl WebSocketConfig {
    /// This configuration with permessage-deflate on (default parameters).
    pub fn with_deflate(mut self) -> Self {
        self.deflate = Some(DeflateConfig::default());
        self
    }
}
