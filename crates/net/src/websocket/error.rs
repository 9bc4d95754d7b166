//! [`WebSocketError`]: POCO's `WebSocketException` with its error codes, and the close
//! status a protocol violation maps to.

use std::fmt;

use crate::error::{Detail, Error, ErrorKind};

/// POCO `WebSocket::ErrorCodes`: why a handshake or a frame was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebSocketErrorCode {
    /// `WS_ERR_NO_HANDSHAKE` (1): the request or response is not a WebSocket upgrade.
    NoHandshake,
    /// `WS_ERR_HANDSHAKE_NO_VERSION` (2): no `Sec-WebSocket-Version` field.
    HandshakeNoVersion,
    /// `WS_ERR_HANDSHAKE_UNSUPPORTED_VERSION` (3): a version other than 13.
    HandshakeUnsupportedVersion,
    /// `WS_ERR_HANDSHAKE_NO_KEY` (4): no (or a malformed) `Sec-WebSocket-Key`.
    HandshakeNoKey,
    /// `WS_ERR_HANDSHAKE_ACCEPT` (5): the server's `Sec-WebSocket-Accept` (or its
    /// extension or subprotocol answer) does not match what the client sent.
    HandshakeAccept,
    /// `WS_ERR_UNAUTHORIZED` (6): the server answered `401` and the credentials (if any)
    /// did not help.
    Unauthorized,
    /// `WS_ERR_PAYLOAD_TOO_BIG` (10): a frame or message exceeds the limit, or the
    /// caller's buffer.
    PayloadTooBig,
    /// `WS_ERR_INCOMPLETE_FRAME` (11): the connection ended inside a frame.
    IncompleteFrame,
    /// Not in POCO: the peer broke RFC 6455 / 7692 framing (close status 1002).
    Protocol,
    /// Not in POCO: a text message or close reason is not UTF-8 (close status 1007).
    InvalidUtf8,
    /// Not in POCO: the socket was used after the close handshake ended.
    Closed,
}

impl WebSocketErrorCode {
    /// POCO's numeric code (`WS_ERR_*`); the codes POCO lacks use 100 and up.
    pub fn code(self) -> i32 {
        match self {
            WebSocketErrorCode::NoHandshake => 1,
            WebSocketErrorCode::HandshakeNoVersion => 2,
            WebSocketErrorCode::HandshakeUnsupportedVersion => 3,
            WebSocketErrorCode::HandshakeNoKey => 4,
            WebSocketErrorCode::HandshakeAccept => 5,
            WebSocketErrorCode::Unauthorized => 6,
            WebSocketErrorCode::PayloadTooBig => 10,
            WebSocketErrorCode::IncompleteFrame => 11,
            WebSocketErrorCode::Protocol => 100,
            WebSocketErrorCode::InvalidUtf8 => 101,
            WebSocketErrorCode::Closed => 102,
        }
    }

    /// The close status a peer gets for this error, if it is one the peer caused.
    pub fn close_status(self) -> Option<u16> {
        match self {
            WebSocketErrorCode::Protocol | WebSocketErrorCode::IncompleteFrame => Some(1002),
            WebSocketErrorCode::InvalidUtf8 => Some(1007),
            WebSocketErrorCode::PayloadTooBig => Some(1009),
            _ => None,
        }
    }
}

/// A WebSocket failure: POCO `WebSocketException` with its [`code`](Self::code).
///
/// The sans-IO layers return it; it becomes a [`crate::Error`] of kind
/// [`ErrorKind::WebSocket`] (`poco_class()` `"WebSocketException"`) whose detail is
/// [`Detail::WebSocket`] with the code ([`WebSocketError::code_of`] reads it back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketError {
    code: WebSocketErrorCode,
    message: String,
}

impl WebSocketError {
    /// An error with `code` and a message saying which check failed.
    pub fn new(code: WebSocketErrorCode, message: impl Into<String>) -> Self {
        WebSocketError { code, message: message.into() }
    }

    /// Which of POCO's error codes this is.
    pub fn code(&self) -> WebSocketErrorCode {
        self.code
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The WebSocket error code of a crate [`Error`], if it has one.
    pub fn code_of(error: &Error) -> Option<WebSocketErrorCode> {
        match error.detail() {
            Detail::WebSocket(code) => Some(*code),
            _ => None,
        }
    }
}

impl fmt::Display for WebSocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WebSocketError {}

impl From<WebSocketError> for Error {
    fn from(e: WebSocketError) -> Self {
        Error::new(ErrorKind::WebSocket, e.message).with_detail(Detail::WebSocket(e.code))
    }
}

/// Shorthand: a crate [`Error`] carrying a [`WebSocketError`].
pub(crate) fn ws_error(code: WebSocketErrorCode, message: impl Into<String>) -> Error {
    WebSocketError::new(code, message).into()
}
