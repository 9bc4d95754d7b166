//! [`Pop3ClientSession`] (POCO `POP3ClientSession`): reading a mailbox over POP3
//! (RFC 1939), with STLS (RFC 2595). POP3S (port 995) is in `rpoco-netssl`.

use std::io::{BufReader, Write};
use std::time::Duration;

use super::error::{MailProtocol, invalid_argument, protocol, reply};
use super::header_reader::{HeaderBlockLimits, read_header};
use super::line_conn::{DEFAULT_TIMEOUT, LineConn};
use super::message::MailMessage;
use super::read::{MailLimits, PartHandler};
use super::smtp_reply::mismatch_hint;
use super::stream::MailInputStream;
use crate::error::{Error, Result};
use crate::http::message::MessageHeader;
use crate::socket::{Connector, StreamSocket, Transport};

/// The most lines a multi-line command reply (LIST, UIDL, CAPA) may have.
const MAX_LIST_LINES: usize = 1_000_000;

/// One entry of [`Pop3ClientSession::list_messages`] (POCO `MessageInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageInfo {
    /// The message number.
    pub id: u32,
    /// Its size in octets.
    pub size: u64,
}

/// POCO `POP3ClientSession`: `login` (greeting, USER, PASS), `message_count` (STAT),
/// `list_messages` (LIST), `retrieve_message` (RETR), `retrieve_header` (TOP n 0),
/// `delete_message` (DELE), `close` (QUIT, which commits deletions).
///
/// Each reply must arrive within the session's timeout (default 60 s) and each read of
/// message data too. A `-ERR` is a `POP3Exception` error with the server's text in its
/// [`ServerReplyError`](super::ServerReplyError).
#[derive(Debug)]
pub struct Pop3ClientSession {
    conn: LineConn,
    host: String,
    greeted: bool,
    is_open: bool,
    max_message_size: u64,
}

impl Pop3ClientSession {
    /// The POP3 port, 110.
    pub const POP3_PORT: u16 = 110;

    /// Connects to `host:port` (POCO `POP3ClientSession(host, port)`).
    pub fn connect(host: &str, port: u16) -> Result<Self> {
        Self::connect_timeout(host, port, Some(DEFAULT_TIMEOUT))
    }

    /// [`connect`](Self::connect) with a timeout for the connect and every later step.
    pub fn connect_timeout(host: &str, port: u16, timeout: Option<Duration>) -> Result<Self> {
        Self::connect_with(&crate::PlainConnector, host, port, timeout)
    }

    /// Connects through `connector` (the shared connection chain; implicit TLS for POP3S).
    pub fn connect_with(
        connector: &dyn Connector,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let socket = connector.connect_tcp(host, port, timeout)?;
        let transport = connector.wrap(socket, host, timeout)?;
        Self::from_transport(transport, host, timeout)
    }

    /// A session on a connected socket (POCO `POP3ClientSession(const StreamSocket&)`).
    pub fn from_socket(socket: StreamSocket, host: &str) -> Result<Self> {
        Self::from_transport(Box::new(socket), host, Some(DEFAULT_TIMEOUT))
    }

    /// A session on any connected transport.
    pub fn from_transport(
        transport: Box<dyn Transport>,
        host: &str,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        Ok(Pop3ClientSession {
            conn: LineConn::new(transport, timeout)?,
            host: host.to_owned(),
            greeted: false,
            is_open: true,
            max_message_size: 256 * 1024 * 1024,
        })
    }

    /// POCO `setTimeout`.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.conn.set_timeout(timeout)
    }

    /// POCO `getTimeout`.
    pub fn timeout(&self) -> Option<Duration> {
        self.conn.timeout()
    }

    /// The longest message [`retrieve_message`](Self::retrieve_message) reads (default
    /// 256 MiB; streaming with [`retrieve_message_to`](Self::retrieve_message_to) has none).
    pub fn set_max_message_size(&mut self, bytes: u64) {
        self.max_message_size = bytes;
    }

    /// Whether the connection is TLS.
    pub fn is_secure(&self) -> bool {
        self.conn.is_secure()
    }

    /// Reads the greeting (`+OK`) once; [`login`](Self::login) does this first.
    pub fn open(&mut self) -> Result<String> {
        if self.greeted {
            return Ok(String::new());
        }
        let line = self.read_status().map_err(|e| {
            if e.is_timeout() {
                Error::new(crate::ErrorKind::Timeout, format!(
                    "no POP3 greeting within {:?}: if the server speaks TLS on this port (995), use POP3S \
                     (SecurePop3ClientSession)",
                    self.conn.timeout()
                ))
            } else {
                e
            }
        })?;
        self.greeted = true;
        positive(line, "The POP3 service is unavailable")
    }

    /// POCO `login`: greeting, USER, PASS.
    pub fn login(&mut self, username: &str, password: &str) -> Result<()> {
        self.open()?;
        self.command(&format!("USER {username}"), "Login rejected for user")?;
        self.command(&format!("PASS {password}"), "Password rejected for user")?;
        Ok(())
    }

    /// POCO `messageCount` (STAT).
    pub fn message_count(&mut self) -> Result<u32> {
        let text = self.command("STAT", "Cannot determine message count")?;
        text.split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| protocol(MailProtocol::Pop3, "STAT reply without a message count", &text))
    }

    /// POCO `listMessages` (LIST): id and size of every message.
    pub fn list_messages(&mut self) -> Result<Vec<MessageInfo>> {
        self.command("LIST", "Cannot get message list")?;
        let lines = self.read_lines()?;
        lines
            .iter()
            .map(|l| {
                let mut it = l.split_whitespace();
                let id = it.next().and_then(|v| v.parse().ok());
                let size = it.next().and_then(|v| v.parse().ok());
                match (id, size) {
                    (Some(id), Some(size)) => Ok(MessageInfo { id, size }),
                    _ => Err(protocol(MailProtocol::Pop3, "malformed LIST line", l)),
                }
            })
            .collect()
    }

    /// CAPA (RFC 2449): the server's capabilities, e.g. `STLS`, `TOP`, `UIDL`.
    pub fn capabilities(&mut self) -> Result<Vec<String>> {
        self.open()?;
        self.command("CAPA", "Cannot get capabilities")?;
        self.read_lines()
    }

    /// POCO `retrieveMessage(id, message)`: RETR, read into `message`.
    pub fn retrieve_message(&mut self, id: u32, message: &mut MailMessage) -> Result<()> {
        self.retrieve_with(id, |input| message.read(input))
    }

    /// POCO `retrieveMessage(id, message, handler)`: RETR, parts streamed to `handler`.
    pub fn retrieve_message_with(
        &mut self,
        id: u32,
        message: &mut MailMessage,
        handler: &mut dyn PartHandler,
    ) -> Result<()> {
        self.retrieve_with(id, |input| message.read_with(input, handler, &MailLimits::default()))
    }

    /// POCO `retrieveMessage(id, ostream)`: RETR, the raw message (dots unstuffed) written
    /// to `out`. Returns the byte count.
    pub fn retrieve_message_to(&mut self, id: u32, out: &mut dyn Write) -> Result<u64> {
        self.command(&format!("RETR {id}"), "Cannot retrieve message")?;
        let mut input = MailInputStream::new(self.conn.reader());
        std::io::copy(&mut input, out).map_err(|e| Error::from_io_during(e, "retrieving a message"))
    }

    fn retrieve_with(
        &mut self,
        id: u32,
        read: impl FnOnce(&mut dyn std::io::BufRead) -> Result<()>,
    ) -> Result<()> {
        self.command(&format!("RETR {id}"), "Cannot retrieve message")?;
        let limit = self.max_message_size;
        let mut input = BufReader::new(MailInputStream::new(self.conn.reader()).with_limit(limit));
        let parsed = read(&mut input);
        // Read any remaining junk up to the end line, so the session stays usable.
        let rest = std::io::copy(&mut input, &mut std::io::sink());
        parsed?;
        rest.map_err(|e| Error::from_io_during(e, "retrieving a message"))?;
        Ok(())
    }

    /// POCO `retrieveHeader` (TOP id 0).
    pub fn retrieve_header(&mut self, id: u32) -> Result<MessageHeader> {
        self.command(&format!("TOP {id} 0"), "Cannot retrieve header")?;
        let mut input = BufReader::new(MailInputStream::new(self.conn.reader()).with_limit(1024 * 1024));
        let limits = MailLimits::default();
        let header = read_header(
            &mut input,
            HeaderBlockLimits { max_size: limits.max_header_size, max_fields: limits.max_header_fields },
        );
        let rest = std::io::copy(&mut input, &mut std::io::sink());
        let header = header?;
        rest.map_err(|e| Error::from_io_during(e, "retrieving a header"))?;
        Ok(header)
    }

    /// POCO `deleteMessage` (DELE; done at QUIT).
    pub fn delete_message(&mut self, id: u32) -> Result<()> {
        self.command(&format!("DELE {id}"), "Cannot mark message for deletion")?;
        Ok(())
    }

    /// POCO `sendCommand`: one command and its status line; `(positive, line)`.
    pub fn send_command(&mut self, command: &str) -> Result<(bool, String)> {
        if command.contains(['\r', '\n']) {
            return Err(invalid_argument("a POP3 command must not contain CR or LF"));
        }
        self.open()?;
        self.conn.send_line(command)?;
        let line = self.read_status()?;
        Ok((line.starts_with('+'), line))
    }

    /// STLS (RFC 2595): on `+OK`, hands the plain socket to `connector.wrap`. Called by
    /// `rpoco-netssl`'s `SecurePop3ClientSession::start_tls`.
    pub fn start_tls_with(&mut self, connector: &dyn Connector) -> Result<()> {
        if self.conn.is_secure() {
            return Err(super::error::illegal_state("the POP3 connection is already secure (TLS)"));
        }
        self.command("STLS", "STLS refused")?;
        let socket = self.conn.take_plain_socket()?;
        let tls = connector.wrap(socket, &self.host, self.conn.timeout())?;
        self.conn.set_transport(tls)
    }

    /// POCO `close`: QUIT (deletions take effect) and the connection closed.
    pub fn close(&mut self) -> Result<()> {
        if !self.is_open {
            return Ok(());
        }
        self.is_open = false;
        let quit = if self.greeted {
            self.conn
                .send_line("QUIT")
                .and_then(|_| self.read_status())
                .and_then(|l| positive(l, "QUIT failed"))
        } else {
            Ok(String::new())
        };
        let closed = self.conn.close();
        quit?;
        closed
    }

    fn command(&mut self, command: &str, what: &str) -> Result<String> {
        let (_, line) = self.send_command(command)?;
        positive(line, what)
    }

    fn read_status(&mut self) -> Result<String> {
        self.conn.begin_reply();
        let line = self.conn.read_line();
        self.conn.end_reply();
        let line = line?.ok_or_else(|| {
            Error::new(crate::ErrorKind::ConnectionReset, "the POP3 server closed the connection")
        })?;
        if !line.starts_with("+OK") && !line.starts_with("-ERR") && !line.starts_with('+') {
            return Err(protocol(MailProtocol::Pop3, "malformed POP3 status line", &mismatch_hint(&line)));
        }
        Ok(line)
    }

    /// The lines of a multi-line reply, up to `.` (dot-unstuffed).
    fn read_lines(&mut self) -> Result<Vec<String>> {
        let mut lines = Vec::new();
        self.conn.begin_reply();
        let r = loop {
            match self.conn.read_line() {
                Ok(Some(l)) if l == "." => break Ok(lines),
                Ok(Some(l)) => {
                    if lines.len() >= MAX_LIST_LINES {
                        break Err(super::error::limit(
                            super::error::MailLimit::Size,
                            format!("POP3 reply longer than {MAX_LIST_LINES} lines"),
                        ));
                    }
                    lines.push(l.strip_prefix('.').map(str::to_owned).unwrap_or(l));
                }
                Ok(None) => {
                    break Err(Error::new(
                        crate::ErrorKind::ConnectionReset,
                        "the POP3 server closed the connection in a reply",
                    ));
                }
                Err(e) => break Err(e),
            }
        };
        self.conn.end_reply();
        r
    }
}

impl Drop for Pop3ClientSession {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// The text after `+OK`, or the `-ERR` as an error for `what`.
fn positive(line: String, what: &str) -> Result<String> {
    if let Some(rest) = line.strip_prefix("+OK") {
        return Ok(rest.trim_start().to_owned());
    }
    if line.starts_with('+') {
        return Ok(line[1..].trim_start().to_owned());
    }
    Err(reply(MailProtocol::Pop3, what, None, &line))
}
