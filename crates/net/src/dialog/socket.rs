//! [`DialogSocket`]: the I/O driver of the reply parser, over any [`Transport`].

use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use super::error::DialogError;
use super::reply::{DialogLimits, LineReader, Reply, ReplyParser};
use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::socket::{DetachedConnection, SocketAddress, StreamSocket, Transport};

/// POCO's Telnet codes that `DialogSocket` can send (`TELNET_IP`, `TELNET_DM`, ...).
pub mod telnet {
    /// Interpret As Command: starts every Telnet command.
    pub const IAC: u8 = 255;
    /// Interrupt Process (sent before `ABOR`).
    pub const IP: u8 = 244;
    /// Data Mark (the synch signal).
    pub const DM: u8 = 242;
}

const READ_CHUNK: usize = 16 * 1024;

/// A line-oriented command/reply connection (POCO `Net::DialogSocket`): SMTP, POP3 and FTP
/// control connections stand on it.
///
/// Commands go out as lines ([`send_message`](Self::send_message)); replies come back as
/// lines ([`receive_message`](Self::receive_message)) or as status replies
/// ([`receive_status_message`](Self::receive_status_message), single- or multi-line, FTP and
/// SMTP style), read by the sans-IO [`ReplyParser`]. Every receive is bounded by the receive
/// timeout (the whole reply, not each read), by [`DialogLimits`] and by nothing else; a
/// timed-out receive keeps what it read, so calling it again resumes the same reply.
///
/// The connection is any [`Transport`], plain or TLS, and
/// [`upgrade`](Self::upgrade) swaps it in place for STARTTLS, `STLS` and `AUTH TLS`.
///
/// ```
/// use std::io::{Read, Write};
/// use rpoco_net::{DialogSocket, ServerSocket, SocketAddress};
///
/// let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
/// let address = server.address()?;
/// let peer = std::thread::spawn(move || {
///     let (mut peer, _) = server.accept_connection().unwrap();
///     peer.write_all(b"220-mail.example ESMTP\r\n220 ready\r\n").unwrap();
///     let mut command = [0u8; 16];
///     let n = peer.read(&mut command).unwrap();
///     assert_eq!(&command[..n], b"EHLO client\r\n");
///     peer.write_all(b"250 hello\r\n").unwrap();
/// });
/// let mut dialog = DialogSocket::connect(&address, None)?;
/// let greeting = dialog.receive_status_message()?;
/// assert_eq!(greeting.code(), 220);
/// assert_eq!(greeting.text(), "mail.example ESMTP\nready");
/// dialog.send_message("EHLO client")?;
/// assert!(dialog.receive_status_message()?.is_positive_completion());
/// peer.join().unwrap();
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct DialogSocket {
    transport: Option<Box<dyn Transport>>,
    buf: Vec<u8>,
    start: usize,
    parser: ReplyParser,
    lines: LineReader,
    receive_timeout: Option<Duration>,
    /// Set when a limit or syntax error left the reply stream out of step.
    broken: Option<String>,
}

impl DialogSocket {
    /// A dialog over `transport`, with the default limits and no timeout.
    pub fn new(transport: Box<dyn Transport>) -> Self {
        DialogSocket {
            transport: Some(transport),
            buf: Vec::new(),
            start: 0,
            parser: ReplyParser::new(DialogLimits::default()),
            lines: LineReader::new(DialogLimits::default().max_line_length),
            receive_timeout: None,
            broken: None,
        }
    }

    /// A dialog over a connection another protocol handed over; its buffered bytes are read
    /// first.
    pub fn from_detached(connection: DetachedConnection) -> Self {
        let (transport, buffered) = connection.into_parts();
        let mut dialog = Self::new(transport);
        dialog.buf = buffered;
        dialog
    }

    /// Connects over plain TCP to `address`, the connect bounded by `timeout`.
    pub fn connect(address: &SocketAddress, timeout: Option<Duration>) -> Result<Self> {
        Ok(Self::new(Box::new(StreamSocket::connect_timeout(address, timeout)?)))
    }

    /// Sets the line and reply size limits (a reply being read keeps the old ones).
    pub fn set_limits(&mut self, limits: DialogLimits) {
        if !self.parser.is_partial() {
            self.parser = ReplyParser::new(limits);
        }
        if !self.lines.is_partial() {
            self.lines = LineReader::new(limits.max_line_length);
        }
    }

    /// The limits.
    pub fn limits(&self) -> DialogLimits {
        self.parser.limits()
    }

    /// Sets how long a receive may take in all (`None`: no limit); expiry is
    /// [`ErrorKind::Timeout`].
    pub fn set_receive_timeout(&mut self, timeout: Option<Duration>) {
        self.receive_timeout = timeout.filter(|t| !t.is_zero());
    }

    /// The receive timeout.
    pub fn receive_timeout(&self) -> Option<Duration> {
        self.receive_timeout
    }

    /// Sets the send timeout of the connection.
    pub fn set_send_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.transport()?.set_send_timeout(timeout)
    }

    /// The connection.
    pub fn transport(&self) -> Result<&dyn Transport> {
        self.transport.as_deref().ok_or_else(Self::gone)
    }

    /// The connection, mutably.
    pub fn transport_mut(&mut self) -> Result<&mut dyn Transport> {
        match self.transport.as_deref_mut() {
            Some(t) => Ok(t),
            None => Err(Self::gone()),
        }
    }

    /// Whether the connection is encrypted.
    pub fn is_secure(&self) -> bool {
        self.transport.as_ref().is_some_and(|t| t.is_secure())
    }

    /// The peer's address.
    pub fn peer_address(&self) -> Result<SocketAddress> {
        self.transport()?.peer_address()
    }

    /// The local address.
    pub fn address(&self) -> Result<SocketAddress> {
        self.transport()?.address()
    }

    /// Sends `message` followed by CRLF (POCO `sendMessage`). A CR or LF inside it is
    /// refused with [`ErrorKind::InvalidArgument`]: it would smuggle in another command.
    pub fn send_message(&mut self, message: &str) -> Result<()> {
        if message.contains(['\r', '\n']) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("a command line must not contain CR or LF: {:?}", DialogError::excerpt(message)),
            ));
        }
        let mut line = Vec::with_capacity(message.len() + 2);
        line.extend_from_slice(message.as_bytes());
        line.extend_from_slice(b"\r\n");
        self.send_bytes(&line)
    }

    /// Sends `command` and its arguments separated by spaces, then CRLF (POCO's
    /// `sendMessage(message, arg1, arg2)`; empty arguments are left out).
    pub fn send_command(&mut self, command: &str, args: &[&str]) -> Result<()> {
        let mut line = command.to_string();
        for arg in args.iter().filter(|a| !a.is_empty()) {
            line.push(' ');
            line.push_str(arg);
        }
        self.send_message(&line)
    }

    /// Sends `text` as it is (POCO `sendString`).
    pub fn send_string(&mut self, text: &str) -> Result<()> {
        self.send_bytes(text.as_bytes())
    }

    /// Sends a Telnet command: IAC and `command` (POCO `sendTelnetCommand`).
    pub fn send_telnet_command(&mut self, command: u8) -> Result<()> {
        self.send_bytes(&[telnet::IAC, command])
    }

    /// Sends raw bytes (POCO `sendBytes`).
    pub fn send_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        let transport = self.transport_mut()?;
        transport
            .write_all(bytes)
            .and_then(|()| transport.flush())
            .map_err(|e| Error::from_io_during(e, "send"))
    }

    /// Receives one line, without its line end (POCO `receiveMessage`); `None` when the peer
    /// closed the connection before sending any byte of it.
    pub fn receive_message(&mut self) -> Result<Option<String>> {
        let partial = self.lines.partial_len();
        let lines = &mut self.lines;
        let line = drive(
            &mut self.transport,
            &mut self.buf,
            &mut self.start,
            &mut self.broken,
            self.receive_timeout,
            |input| lines.push(input),
            partial,
        );
        match line {
            Ok(line) => Ok(Some(String::from_utf8_lossy(&line).into_owned())),
            Err(e) if e.kind() == ErrorKind::NoMessage => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Receives a status reply, single- or multi-line (POCO `receiveStatusMessage`: its code
    /// is [`Reply::code`], its text [`Reply::message`]). The peer closing the connection
    /// before the reply is [`ErrorKind::NoMessage`], during it [`ErrorKind::ConnectionReset`]; a
    /// broken limit or syntax is a [`DialogError`] inside the error.
    pub fn receive_status_message(&mut self) -> Result<Reply> {
        let parser = &mut self.parser;
        let partial = parser.partial_len();
        drive(
            &mut self.transport,
            &mut self.buf,
            &mut self.start,
            &mut self.broken,
            self.receive_timeout,
            |input| parser.parse(input),
            partial,
        )
    }

    /// Receives raw bytes: first those already buffered, then from the connection (POCO
    /// `receiveRawBytes`). Bounded by the receive timeout; 0 at the end of the stream.
    pub fn receive_raw_bytes(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.read(buf).map_err(|e| Error::from_io_during(e, "receive"))
    }

    /// The bytes received and not consumed yet.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Replaces the connection in place with what `upgrade` makes of it (STARTTLS, `STLS`,
    /// `AUTH TLS`: layer TLS on it). Refused with [`ErrorKind::Protocol`] when the server sent
    /// anything the client has not read yet, or a reply is half read: bytes that arrived in
    /// plaintext must never be taken as coming through TLS (the STARTTLS command injection
    /// of CVE-2011-0411). If `upgrade` fails the dialog has no connection any more.
    pub fn upgrade<F>(&mut self, upgrade: F) -> Result<()>
    where
        F: FnOnce(Box<dyn Transport>) -> Result<Box<dyn Transport>>,
    {
        if self.start < self.buf.len() || self.parser.is_partial() || self.lines.is_partial() {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!(
                    "the server sent {} bytes before the TLS handshake; refusing to upgrade",
                    self.buf.len() - self.start + self.parser.partial_len() + self.lines.partial_len()
                ),
            ));
        }
        let transport = self.transport.take().ok_or_else(Self::gone)?;
        self.transport = Some(upgrade(transport)?);
        Ok(())
    }

    /// Gives up the connection and the bytes read and not consumed (a half-read reply is
    /// lost).
    pub fn into_detached(mut self) -> Result<DetachedConnection> {
        let transport = self.transport.take().ok_or_else(Self::gone)?;
        Ok(DetachedConnection { transport, buffered: self.buf.split_off(self.start) })
    }

    /// Closes the connection (TLS: `close_notify` first). Further use is
    /// [`ErrorKind::IllegalState`].
    pub fn close(&mut self) -> Result<()> {
        match self.transport.take() {
            Some(mut t) => t.shutdown(),
            None => Ok(()),
        }
    }

    /// Whether the connection is still held (not closed, not lost in a failed upgrade).
    pub fn is_open(&self) -> bool {
        self.transport.is_some()
    }

    fn gone() -> Error {
        Error::new(ErrorKind::IllegalState, "the dialog's connection is closed")
    }
}

/// Runs `step` over buffered bytes, reading more from `transport` until it yields a value,
/// within `timeout` in all. `partial` says how much of the value `step` already holds.
fn drive<T>(
    transport: &mut Option<Box<dyn Transport>>,
    buf: &mut Vec<u8>,
    start: &mut usize,
    broken: &mut Option<String>,
    timeout: Option<Duration>,
    mut step: impl FnMut(&[u8]) -> std::result::Result<(usize, Option<T>), DialogError>,
    partial: usize,
) -> Result<T> {
    if let Some(why) = broken {
        return Err(Error::new(
            ErrorKind::IllegalState,
            format!("the reply stream is out of step after: {why}"),
        ));
    }
    let transport = transport.as_deref_mut().ok_or_else(DialogSocket::gone)?;
    let deadline = timeout.map(|t| (Instant::now() + t, t));
    let mut seen = partial;
    loop {
        if *start < buf.len() {
            match step(&buf[*start..]) {
                Ok((used, value)) => {
                    *start += used;
                    seen += used;
                    if *start == buf.len() {
                        buf.clear();
                        *start = 0;
                    }
                    if let Some(value) = value {
                        return Ok(value);
                    }
                }
                Err(e) => {
                    *broken = Some(e.to_string());
                    buf.clear();
                    *start = 0;
                    return Err(e.into());
                }
            }
        }
        if let Some((at, limit)) = deadline {
            let left = at.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out(limit, seen));
            }
            transport.set_receive_timeout(Some(left))?;
        }
        buf.resize(READ_CHUNK, 0);
        let n = loop {
            match transport.read(&mut buf[..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    buf.clear();
                    return Err(match deadline {
                        Some((_, limit)) => timed_out(limit, seen),
                        None => Error::from_io_during(e, "receive reply"),
                    });
                }
                Err(e) => {
                    buf.clear();
                    return Err(Error::from_io_during(e, "receive reply"));
                }
            }
        };
        buf.truncate(n);
        *start = 0;
        if n == 0 {
            return Err(if seen == 0 {
                Error::new(ErrorKind::NoMessage, "the server closed the connection before replying")
            } else {
                Error::new(
                    ErrorKind::ConnectionReset,
                    format!("the server closed the connection after {seen} bytes of a reply"),
                )
            });
        }
    }
}

fn timed_out(limit: Duration, seen: usize) -> Error {
    Error::timeout(Timeout::Read, Some(limit), format_args!("a complete reply ({seen} bytes of it received)"))
}

impl Read for DialogSocket {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.start < self.buf.len() {
            let n = out.len().min(self.buf.len() - self.start);
            out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
            self.start += n;
            return Ok(n);
        }
        let timeout = self.receive_timeout;
        let transport = self.transport_mut().map_err(io::Error::from)?;
        if timeout.is_some() {
            transport.set_receive_timeout(timeout).map_err(io::Error::from)?;
        }
        transport.read(out)
    }
}

/// Reading data that follows a reply on the same connection (SMTP/POP3 dot-terminated
/// data) through the dialog's own buffer, so no byte after the data is lost to another
/// buffer. Each read from the connection is bounded by the receive timeout.
impl BufRead for DialogSocket {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.buf.len() {
            let timeout = self.receive_timeout;
            let transport = self.transport.as_deref_mut().ok_or_else(|| io::Error::from(Self::gone()))?;
            if timeout.is_some() {
                transport.set_receive_timeout(timeout).map_err(io::Error::from)?;
            }
            self.buf.resize(READ_CHUNK, 0);
            let n = loop {
                match transport.read(&mut self.buf[..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.buf.clear();
                        self.start = 0;
                        return Err(e);
                    }
                }
            };
            self.buf.truncate(n);
            self.start = 0;
        }
        Ok(&self.buf[self.start..])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buf.len());
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }
}

impl Write for DialogSocket {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.transport_mut().map_err(io::Error::from)?.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.transport_mut().map_err(io::Error::from)?.flush()
    }
}

#[cfg(test)]
#[path = "socket_tests.rs"]
mod tests;
