//! [`WebSocket`]: the one I/O driver that moves bytes between a connection and the sans-IO
//! [`Receiver`] and [`Sender`], with POCO's frame API and the message API over it.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::deflate::{Deflater, Inflater};
use super::error::{WebSocketErrorCode, ws_error};
use super::handshake::Negotiated;
use super::proto::{Opcode, Role};
use super::receiver::{CloseFrame, Incoming, Receiver};
use super::sender::Sender;
use super::split::{WebSocketReader, WebSocketWriter};
use super::{StatusCode, WebSocketConfig, WebSocketError, flags};
use crate::error::{Error, ErrorKind, Result};
use crate::socket::{DetachedConnection, SocketAddress, StreamSocket, Transport};

/// A message, or a control frame, as [`WebSocket::read_message`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A ping (already answered with a pong).
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// The peer's close frame (already answered); `None` without status code.
    Close(Option<CloseFrame>),
}

#[derive(Debug)]
struct WriteSide {
    sender: Sender,
    pending: Vec<u8>,
    written: usize,
}

/// What both halves share: the connection, the sending state, the close flags.
#[derive(Debug)]
pub(crate) struct Shared {
    transport: Mutex<Box<dyn Transport>>,
    socket: StreamSocket,
    writer: Mutex<WriteSide>,
    role: Role,
    close_sent: AtomicBool,
    close_received: AtomicBool,
    config: WebSocketConfig,
    negotiated: Negotiated,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another thread mid-write leaves the bytes in `pending`, still consistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// Sends one frame; the bytes a timed-out send left unsent go out first.
    pub(crate) fn send(&self, fin: bool, opcode: Opcode, payload: &[u8]) -> Result<()> {
        if self.close_sent.load(Ordering::Acquire) {
            return Err(ws_error(WebSocketErrorCode::Closed, "the close frame was already sent"));
        }
        let mut w = lock(&self.writer);
        let WriteSide { sender, pending, written } = &mut *w;
        if *written == pending.len() {
            pending.clear();
            *written = 0;
        }
        sender.frame(pending, fin, opcode, payload)?;
        if opcode == Opcode::Close {
            self.close_sent.store(true, Ordering::Release);
        }
        self.flush(&mut w)
    }

    /// POCO `sendFrame`'s flags: `FRAME_FLAG_FIN` and an opcode.
    pub(crate) fn send_flags(&self, data: &[u8], flags: i32) -> Result<usize> {
        let opcode = Opcode::from_u8((flags & flags::FRAME_OP_BITMASK) as u8).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, format!("frame flags {flags:#x} name a reserved opcode"))
        })?;
        self.send(flags & flags::FRAME_FLAG_FIN != 0, opcode, data)?;
        Ok(data.len())
    }

    pub(crate) fn send_close(&self, code: u16, reason: &str) -> Result<()> {
        if self.close_sent.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let mut w = lock(&self.writer);
        let WriteSide { sender, pending, .. } = &mut *w;
        sender.close(pending, code, reason);
        self.flush(&mut w)
    }

    fn flush(&self, w: &mut WriteSide) -> Result<()> {
        let mut t = lock(&self.transport);
        while w.written < w.pending.len() {
            match t.write(&w.pending[w.written..]) {
                Ok(0) => {
                    return Err(Error::new(
                        ErrorKind::ConnectionReset,
                        "WebSocket send: the connection is closed",
                    ));
                }
                Ok(n) => w.written += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::from_io_during(e, "WebSocket send")),
            }
        }
        t.flush().map_err(|e| Error::from_io_during(e, "WebSocket send"))?;
        w.pending.clear();
        w.written = 0;
        Ok(())
    }

    pub(crate) fn shutdown_transport(&self) {
        let _ = lock(&self.transport).shutdown();
    }

    pub(crate) fn role(&self) -> Role {
        self.role
    }

    pub(crate) fn config(&self) -> &WebSocketConfig {
        &self.config
    }

    pub(crate) fn close_received(&self) -> bool {
        self.close_received.load(Ordering::Acquire)
    }

    pub(crate) fn close_sent(&self) -> bool {
        self.close_sent.load(Ordering::Acquire)
    }
}

/// How much one read asks the transport for.
const READ_CHUNK: usize = 64 * 1024;

/// The receiving side: the protocol state (its decoder holds the read buffer).
#[derive(Debug)]
pub(crate) struct ReadSide {
    receiver: Receiver,
    /// Split: wait for data without holding the transport lock, so the writer can send.
    split: bool,
    failed: bool,
    /// Payload a `Read::read` could not fit into the caller's buffer.
    unread: Option<Vec<u8>>,
}

impl ReadSide {
    fn serve(&mut self, mut payload: Vec<u8>, buf: &mut [u8]) -> usize {
        let n = payload.len().min(buf.len());
        crate::copy::copy_from_slice(&mut buf[..n], &payload[..n]);
        if n < payload.len() {
            payload.drain(..n);
            self.unread = Some(payload);
        }
        n
    }

    pub(crate) fn set_split(&mut self) {
        self.split = true;
    }

    fn fill(&mut self, shared: &Shared) -> Result<usize> {
        let split = self.split;
        // Straight into the decoder's buffer: no copy between the read and the decoding.
        let room = self.receiver.decoder().spare(READ_CHUNK);
        let n =
            if split { fill_shared(shared, room)? } else { read_once(&mut **lock(&shared.transport), room)? };
        self.receiver.decoder().commit(n);
        Ok(n)
    }

    /// The next frame or message; `None` when the connection ended between frames.
    fn next(&mut self, shared: &Shared, whole: bool) -> Result<Option<Incoming>> {
        if self.failed {
            return Err(ws_error(WebSocketErrorCode::Closed, "the connection failed earlier"));
        }
        self.receiver.set_whole_messages(whole);
        loop {
            match self.receiver.poll() {
                Ok(Some(ev)) => {
                    if matches!(ev, Incoming::Close(_)) {
                        shared.close_received.store(true, Ordering::Release);
                    }
                    return Ok(Some(ev));
                }
                Ok(None) => {}
                Err(e) => return Err(self.fail(shared, e)),
            }
            if self.fill(shared)? == 0 {
                if self.receiver.idle() {
                    return Ok(None);
                }
                self.failed = true;
                return Err(ws_error(
                    WebSocketErrorCode::IncompleteFrame,
                    "the connection ended inside a frame",
                ));
            }
        }
    }

    /// A protocol violation: close with its status (1002, 1007, 1009), drop the connection.
    fn fail(&mut self, shared: &Shared, e: WebSocketError) -> Error {
        self.failed = true;
        if let Some(status) = e.code().close_status() {
            let _ = shared.send_close(status, e.message());
        }
        shared.shutdown_transport();
        e.into()
    }

    /// The message API: answers pings and the close handshake, returns each message.
    pub(crate) fn read_message(&mut self, shared: &Shared) -> Result<Message> {
        if shared.close_received() {
            return Err(ws_error(WebSocketErrorCode::Closed, "the close handshake is over"));
        }
        let ev = self.next(shared, true)?.ok_or_else(|| {
            Error::new(
                ErrorKind::ConnectionReset,
                "the peer closed the connection without a close frame (1006)",
            )
        })?;
        Ok(match ev {
            Incoming::Data { opcode: Opcode::Text, payload, .. } => Message::Text(
                String::from_utf8(payload)
                    .map_err(|_| ws_error(WebSocketErrorCode::InvalidUtf8, "text message"))?,
            ),
            Incoming::Data { payload, .. } => Message::Binary(payload),
            Incoming::Ping(p) => {
                if !shared.close_sent() {
                    shared.send(true, Opcode::Pong, &p)?;
                }
                Message::Ping(p)
            }
            Incoming::Pong(p) => Message::Pong(p),
            Incoming::Close(frame) => {
                let code = frame.as_ref().map_or(0, |f| f.code);
                shared.send_close(code, "")?;
                self.finish_close(shared);
                Message::Close(frame)
            }
        })
    }

    /// After both close frames: the server drops TCP now, the client waits for it first.
    fn finish_close(&mut self, shared: &Shared) {
        if shared.role() == Role::Client {
            let deadline = Instant::now() + shared.config().close_timeout;
            let _ = shared.socket.set_receive_timeout(Some(shared.config().close_timeout));
            let mut sink = vec![0; READ_CHUNK];
            while Instant::now() < deadline {
                match read_once(&mut **lock(&shared.transport), &mut sink) {
                    Ok(n) if n > 0 => continue,
                    _ => break,
                }
            }
        }
        shared.shutdown_transport();
    }

    /// POCO `receiveFrame`: one frame, no automatic answers; `(0, 0)` at the end.
    pub(crate) fn receive_frame(&mut self, shared: &Shared) -> Result<(Vec<u8>, i32)> {
        let Some(ev) = self.next(shared, false)? else { return Ok((Vec::new(), 0)) };
        Ok(match ev {
            Incoming::Data { opcode, fin, payload } => {
                (payload, i32::from(opcode.as_u8()) | if fin { flags::FRAME_FLAG_FIN } else { 0 })
            }
            Incoming::Ping(p) => (p, flags::FRAME_FLAG_FIN | flags::FRAME_OP_PING),
            Incoming::Pong(p) => (p, flags::FRAME_FLAG_FIN | flags::FRAME_OP_PONG),
            Incoming::Close(f) => {
                let mut p = Vec::new();
                if let Some(f) = f {
                    p.extend_from_slice(&f.code.to_be_bytes());
                    p.extend_from_slice(f.reason.as_bytes());
                }
                (p, flags::FRAME_FLAG_FIN | flags::FRAME_OP_CLOSE)
            }
        })
    }

    /// Our close frame is out: read (and drop) until the peer's close frame, then end.
    pub(crate) fn await_close(&mut self, shared: &Shared) -> Result<()> {
        let deadline = Instant::now() + shared.config().close_timeout;
        let _ = shared.socket.set_receive_timeout(Some(shared.config().close_timeout));
        while !shared.close_received() && Instant::now() < deadline {
            match self.next(shared, true) {
                Ok(Some(Incoming::Close(_))) => break,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        self.finish_close(shared);
        Ok(())
    }
}

/// The split reader's read: waits for bytes without holding the transport lock, so the
/// writer can send meanwhile.
fn fill_shared(shared: &Shared, buf: &mut [u8]) -> Result<usize> {
    loop {
        {
            let mut t = lock(&shared.transport);
            if t.has_buffered_data() {
                return read_once(&mut **t, buf);
            }
        }
        // Block outside the lock until bytes arrive (or the receive timeout expires).
        let mut probe = [0u8; 1];
        if shared.socket.peek(&mut probe)? == 0 {
            return Ok(0);
        }
        let mut t = lock(&shared.transport);
        if !t.is_secure() {
            return read_once(&mut **t, buf);
        }
        // TLS: a partial record must not block the writer, so read without blocking.
        t.socket().set_blocking(false)?;
        let r = read_once(&mut **t, buf);
        t.socket().set_blocking(true)?;
        match r {
            // Non-blocking, so "timed out" means "would block": only part of a record.
            Err(e) if e.is_timeout() => continue,
            other => return other,
        }
    }
}

fn read_once(t: &mut dyn Transport, buf: &mut [u8]) -> Result<usize> {
    loop {
        match t.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::from_io_during(e, "WebSocket receive")),
        }
    }
}

/// A WebSocket connection (POCO `WebSocket`), client or server side.
///
/// Made by a handshake ([`client_handshake`](Self::client_handshake),
/// [`server_handshake`](Self::server_handshake)) or from a connection whose handshake is
/// done ([`from_connection`](Self::from_connection)).
#[derive(Debug)]
pub struct WebSocket {
    shared: Arc<Shared>,
    read: ReadSide,
}

impl WebSocket {
    /// `WS_SERVER` / `WS_CLIENT`, POCO's `Mode` values.
    pub const WS_SERVER: Role = Role::Server;
    /// See [`WS_SERVER`](Self::WS_SERVER).
    pub const WS_CLIENT: Role = Role::Client;

    /// A WebSocket over a connection whose opening handshake is over, as `role`, with
    /// what the handshake `negotiated`; bytes already read past the handshake come first.
    pub fn from_connection(
        conn: DetachedConnection,
        role: Role,
        config: WebSocketConfig,
        negotiated: Negotiated,
    ) -> Result<Self> {
        let (transport, buffered) = conn.into_parts();
        if let Some(t) = config.timeout {
            transport.set_receive_timeout(Some(t))?;
            transport.set_send_timeout(Some(t))?;
        }
        let deflater = negotiated.deflate.as_ref().map(Deflater::new);
        let inflater = negotiated.deflate.as_ref().map(Inflater::new);
        let mut receiver = Receiver::new(role, config.max_frame_size, config.max_message_size, inflater);
        receiver.decoder().feed(&buffered);
        let socket = transport.socket().clone();
        let shared = Arc::new(Shared {
            transport: Mutex::new(transport),
            socket,
            writer: Mutex::new(WriteSide {
                sender: Sender::new(role, deflater),
                pending: Vec::new(),
                written: 0,
            }),
            role,
            close_sent: AtomicBool::new(false),
            close_received: AtomicBool::new(false),
            config,
            negotiated,
        });
        Ok(WebSocket { shared, read: ReadSide { receiver, split: false, failed: false, unread: None } })
    }

    /// Sends a whole text message.
    pub fn send_text(&mut self, text: &str) -> Result<()> {
        self.shared.send(true, Opcode::Text, text.as_bytes())
    }

    /// Sends a whole binary message.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<()> {
        self.shared.send(true, Opcode::Binary, data)
    }

    /// Sends a ping.
    pub fn send_ping(&mut self, data: &[u8]) -> Result<()> {
        self.shared.send(true, Opcode::Ping, data)
    }

    /// The next message or control frame. Pings are answered, fragments joined, text
    /// checked as UTF-8; a close frame is answered and ends the connection. A protocol
    /// violation closes with 1002, bad UTF-8 with 1007, a too large message with 1009,
    /// and the error says which.
    pub fn read_message(&mut self) -> Result<Message> {
        self.read.read_message(&self.shared)
    }

    /// The close handshake: sends a close frame with `code` and `reason`, waits (at most
    /// [`WebSocketConfig::close_timeout`]) for the peer's, then closes the connection.
    pub fn close(&mut self, code: u16, reason: &str) -> Result<()> {
        self.shared.send_close(code, reason)?;
        if self.shared.close_received() {
            self.read.finish_close(&self.shared);
            return Ok(());
        }
        self.read.await_close(&self.shared)
    }

    /// POCO `sendFrame(buffer, length, flags)`: one frame with `flags` (`FRAME_FLAG_FIN`
    /// and an opcode; RSV bits are the extension's business); returns the payload length.
    pub fn send_frame(&mut self, data: &[u8], flags: i32) -> Result<usize> {
        self.shared.send_flags(data, flags)
    }

    /// POCO `receiveFrame(buffer, length, flags)`: one frame into `buf`, returning its
    /// length and flags; `(0, 0)` when the peer closed the connection. Pings and close
    /// frames are returned, not answered (POCO's behaviour); a frame larger than `buf`
    /// fails with [`WebSocketErrorCode::PayloadTooBig`].
    pub fn receive_frame(&mut self, buf: &mut [u8]) -> Result<(usize, i32)> {
        let (payload, flags) = self.read.receive_frame(&self.shared)?;
        if payload.len() > buf.len() {
            return Err(ws_error(
                WebSocketErrorCode::PayloadTooBig,
                format!(
                    "frame payload of {} bytes does not fit the {}-byte buffer",
                    payload.len(),
                    buf.len()
                ),
            ));
        }
        buf[..payload.len()].copy_from_slice(&payload);
        Ok((payload.len(), flags))
    }

    /// POCO `receiveFrame(Buffer&, flags)`: one frame as a vector.
    pub fn receive_frame_vec(&mut self) -> Result<(Vec<u8>, i32)> {
        self.read.receive_frame(&self.shared)
    }

    /// POCO `shutdown()`: sends a close frame with 1000 (normal close).
    pub fn shutdown(&mut self) -> Result<()> {
        self.shutdown_with(StatusCode::NORMAL_CLOSE, "")
    }

    /// POCO `shutdown(statusCode, statusMessage)`: sends a close frame; the peer's answer
    /// comes from `receive_frame`.
    pub fn shutdown_with(&mut self, code: u16, reason: &str) -> Result<()> {
        self.shared.send_close(code, reason)
    }

    /// POCO `setMaxPayloadSize`: the largest frame and message accepted.
    pub fn set_max_payload_size(&mut self, size: usize) {
        self.read.receiver.set_limits(size as u64, size);
    }

    /// The receive timeout (POCO `Socket::setReceiveTimeout`).
    pub fn set_receive_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        self.shared.socket.set_receive_timeout(timeout)
    }

    /// The send timeout (POCO `Socket::setSendTimeout`).
    pub fn set_send_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        self.shared.socket.set_send_timeout(timeout)
    }

    /// POCO `mustMaskPayload()`: true on the client side.
    pub fn must_mask_payload(&self) -> bool {
        self.shared.role() == Role::Client
    }

    /// Which end this is.
    pub fn role(&self) -> Role {
        self.shared.role()
    }

    /// What the handshake settled (compression, subprotocol).
    pub fn negotiated(&self) -> &Negotiated {
        &self.shared.negotiated
    }

    /// The peer's address.
    pub fn peer_address(&self) -> Result<SocketAddress> {
        self.shared.socket.peer_address()
    }

    /// Splits into a reader and a writer for two threads: one may block in
    /// `read_message` while the other sends; the reader still answers pings.
    pub fn split(mut self) -> (WebSocketReader, WebSocketWriter) {
        self.read.set_split();
        (WebSocketReader::new(self.shared.clone(), self.read), WebSocketWriter::new(self.shared))
    }
}

impl Read for WebSocket {
    /// Reads the payload of the next data frames (POCO's `WebSocket` is a `StreamSocket`);
    /// control frames are answered as in the message API. Returns 0 at the close.
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(rest) = self.read.unread.take() {
            return Ok(self.read.serve(rest, buf));
        }
        loop {
            match self.read.next(&self.shared, false)? {
                None => return Ok(0),
                Some(Incoming::Ping(p)) => self.shared.send(true, Opcode::Pong, &p)?,
                Some(Incoming::Pong(_)) => {}
                Some(Incoming::Close(f)) => {
                    let _ = self.shared.send_close(f.map_or(0, |f| f.code), "");
                    return Ok(0);
                }
                Some(Incoming::Data { payload, .. }) if payload.is_empty() => {}
                Some(Incoming::Data { payload, .. }) => return Ok(self.read.serve(payload, buf)),
            }
        }
    }
}
