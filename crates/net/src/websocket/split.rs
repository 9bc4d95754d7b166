//! [`WebSocketReader`] and [`WebSocketWriter`]: one WebSocket used from two threads.
//!
//! The writer sends under a lock on the connection; the reader waits for bytes without
//! holding it (a `peek` on the socket underneath) and takes it only to read what arrived —
//! over TLS without blocking, so a partial record never holds up the writer.

use std::sync::Arc;

use super::proto::Opcode;
use super::socket::{Message, ReadSide, Shared};
use crate::error::Result;

/// The reading half of a [`WebSocket`](super::WebSocket) after `split`.
#[derive(Debug)]
pub struct WebSocketReader {
    shared: Arc<Shared>,
    read: ReadSide,
}

/// The writing half of a [`WebSocket`](super::WebSocket) after `split`; clones share it.
#[derive(Debug, Clone)]
pub struct WebSocketWriter {
    shared: Arc<Shared>,
}

impl WebSocketReader {
    pub(crate) fn new(shared: Arc<Shared>, read: ReadSide) -> Self {
        WebSocketReader { shared, read }
    }

    /// See [`WebSocket::read_message`](super::WebSocket::read_message); pings are answered
    /// from this thread.
    pub fn read_message(&mut self) -> Result<Message> {
        self.read.read_message(&self.shared)
    }

    /// See [`WebSocket::receive_frame_vec`](super::WebSocket::receive_frame_vec).
    pub fn receive_frame_vec(&mut self) -> Result<(Vec<u8>, i32)> {
        self.read.receive_frame(&self.shared)
    }
}

impl WebSocketWriter {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        WebSocketWriter { shared }
    }

    /// Sends a whole text message.
    pub fn send_text(&self, text: &str) -> Result<()> {
        self.shared.send(true, Opcode::Text, text.as_bytes())
    }

    /// Sends a whole binary message.
    pub fn send_binary(&self, data: &[u8]) -> Result<()> {
        self.shared.send(true, Opcode::Binary, data)
    }

    /// Sends a ping.
    pub fn send_ping(&self, data: &[u8]) -> Result<()> {
        self.shared.send(true, Opcode::Ping, data)
    }

    /// See [`WebSocket::send_frame`](super::WebSocket::send_frame).
    pub fn send_frame(&self, data: &[u8], flags: i32) -> Result<usize> {
        self.shared.send_flags(data, flags)
    }

    /// Sends the close frame; the reader gets the peer's answer as `Message::Close` and
    /// then the connection ends.
    pub fn close(&self, code: u16, reason: &str) -> Result<()> {
        self.shared.send_close(code, reason)
    }
}
