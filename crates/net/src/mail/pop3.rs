//! [`Pop3ClientSession`] (POCO `POP3ClientSession`): reading a mailbox over POP3
//! (RFC 1939), with STLS (RFC 2595). POP3S (port 995) is in `rpoco-netssl`.

use std::io::{BufReader, Write};
use std::time::Duration;

use super::connection::{DEFAULT_TIMEOUT, open_dialog, plain_chain, upgrade_to_tls};
use super::error::{MailLimit, illegal_state, limit, pop3_reply};
use super::header_reader::{HeaderBlockLimits, read_header};
use super::message::MailMessage;
use super::read::MailLimits;
use super::stream::MailInputStream;
use crate::dialog::{DialogError, DialogSocket};
use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::http::message::MessageHeader;
use crate::http::message::PartHandler;
use crate::socket::{Connector, StreamSocket, Transport};

/// The default limit of a multi-line command reply (LIST, UIDL, CAPA), all lines together.
const MAX_LIST_SIZE: usize = 16 * 1024 * 1024;

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
/// message data too. A `-ERR` is an [`ErrorKind::Pop3`] error (POCO `POP3Exception`) with
/// the server's line as its [`Detail::Peer`](crate::error::Detail::Peer). The connection is a
/// [`DialogSocket`], as in POCO.
#[derive(Debug)]
pub struct Pop3ClientSession {
    dialog: DialogSocket,
    host: String,
    timeout: Option<Duration>,
    greeted: bool,
    is_open: bool,
    max_message_size: u64,
    max_list_size: usize,
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
        Self::connect_chain(&plain_chain(timeout), host, port, timeout)
    }

    /// Connects through the shared connection chain ([`Chain`](crate::Chain): every address
    /// with Happy Eyeballs, a SOCKS5 or HTTP CONNECT proxy, then its TLS step), as HTTP and
    /// WebSocket do; `timeout` bounds every later step.
    pub fn connect_chain(
        chain: &crate::Chain,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let transport = chain.connect(host, port)?;
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
        let dialog = open_dialog(transport, timeout)?;
        Ok(Pop3ClientSession {
            dialog,
            host: host.to_owned(),
            timeout,
            greeted: false,
            is_open: true,
            max_message_size: 256 * 1024 * 1024,
            max_list_size: MAX_LIST_SIZE,
        })
    }

    /// POCO `setTimeout`.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.dialog.set_send_timeout(timeout)?;
        self.dialog.set_receive_timeout(timeout);
        self.timeout = timeout;
        Ok(())
    }

    /// POCO `getTimeout`.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The command/reply connection (POCO `socket()`).
    pub fn dialog(&mut self) -> &mut DialogSocket {
        &mut self.dialog
    }

    /// The longest message [`retrieve_message`](Self::retrieve_message) reads (default
    /// 256 MiB; streaming with [`retrieve_message_to`](Self::retrieve_message_to) has none).
    pub fn set_max_message_size(&mut self, bytes: u64) {
        self.max_message_size = bytes;
    }

    /// The largest multi-line command reply (LIST, CAPA) accepted, all lines together
    /// (default 16 MiB); a longer one is [`ErrorKind::LimitExceeded`] and ends the session.
    pub fn set_max_list_size(&mut self, bytes: usize) {
        self.max_list_size = bytes;
    }

    /// The line and status-line limits of the connection ([`DialogSocket::set_limits`]).
    pub fn set_limits(&mut self, limits: crate::dialog::DialogLimits) {
        self.dialog.set_limits(limits);
    }

    /// Whether the connection is TLS.
    pub fn is_secure(&self) -> bool {
        self.dialog.is_secure()
    }

    /// Reads the greeting (`+OK`) once; [`login`](Self::login) does this first.
    pub fn open(&mut self) -> Result<String> {
        if self.greeted {
            return Ok(String::new());
        }
        let timeout = self.timeout;
        let line = self.read_status().map_err(|e| {
            if !e.is_timeout() {
                return e;
            }
            Error::timeout(
                Timeout::Read,
                timeout,
                "the POP3 greeting (if the server speaks TLS on this port, like 995, use POP3S)",
            )
            .with_source(e)
        })?;
        self.greeted = true;
        positive(line, "the greeting (the POP3 service is unavailable)")
    }

    /// POCO `login`: greeting, USER, PASS.
    pub fn login(&mut self, username: &str, password: &str) -> Result<()> {
        self.open()?;
        let user = format!("USER {username}");
        self.command(&user, &user)?;
        self.command(&format!("PASS {password}"), "PASS ***")?;
        Ok(())
    }

    /// POCO `messageCount` (STAT).
    pub fn message_count(&mut self) -> Result<u32> {
        let text = self.command("STAT", "STAT")?;
        text.split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| pop3_reply("STAT (no message count)", &text))
    }

    /// POCO `listMessages` (LIST): id and size of every message.
    pub fn list_messages(&mut self) -> Result<Vec<MessageInfo>> {
        self.command("LIST", "LIST")?;
        let lines = self.read_lines()?;
        lines
            .iter()
            .map(|l| {
                let mut it = l.split_whitespace();
                let id = it.next().and_then(|v| v.parse().ok());
                let size = it.next().and_then(|v| v.parse().ok());
                match (id, size) {
                    (Some(id), Some(size)) => Ok(MessageInfo { id, size }),
                    _ => Err(pop3_reply("LIST (a malformed line)", l)),
                }
            })
            .collect()
    }

    /// CAPA (RFC 2449): the server's capabilities, e.g. `STLS`, `TOP`, `UIDL`.
    pub fn capabilities(&mut self) -> Result<Vec<String>> {
        self.open()?;
        self.command("CAPA", "CAPA")?;
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
        let retr = format!("RETR {id}");
        self.command(&retr, &retr)?;
        let mut input = MailInputStream::new(&mut self.dialog);
        std::io::copy(&mut input, out).map_err(|e| Error::from_io_during(e, "retrieving a message"))
    }

    fn retrieve_with(
        &mut self,
        id: u32,
        read: impl FnOnce(&mut dyn std::io::BufRead) -> Result<()>,
    ) -> Result<()> {
        let retr = format!("RETR {id}");
        self.command(&retr, &retr)?;
        let limit = self.max_message_size;
        let mut input = BufReader::new(MailInputStream::new(&mut self.dialog).with_limit(limit));
        let parsed = read(&mut input);
        // Read any remaining junk up to the end line, so the session stays usable.
        let rest = std::io::copy(&mut input, &mut std::io::sink());
        drop(input);
        if rest.is_err() {
            // The end of the message was not reached: the stream is out of step.
            let _ = self.dialog.close();
        }
        parsed?;
        rest.map_err(|e| Error::from_io_during(e, "retrieving a message"))?;
        Ok(())
    }

    /// POCO `retrieveHeader` (TOP id 0).
    pub fn retrieve_header(&mut self, id: u32) -> Result<MessageHeader> {
        let top = format!("TOP {id} 0");
        self.command(&top, &top)?;
        let mut input = BufReader::new(MailInputStream::new(&mut self.dialog).with_limit(1024 * 1024));
        let limits = MailLimits::default();
        let header = read_header(
            &mut input,
            HeaderBlockLimits { max_size: limits.max_header_size, max_fields: limits.max_header_fields },
        );
        let rest = std::io::copy(&mut input, &mut std::io::sink());
        drop(input);
        if rest.is_err() {
            let _ = self.dialog.close();
        }
        let header = header?;
        rest.map_err(|e| Error::from_io_during(e, "retrieving a header"))?;
        Ok(header)
    }

    /// POCO `deleteMessage` (DELE; done at QUIT).
    pub fn delete_message(&mut self, id: u32) -> Result<()> {
        let dele = format!("DELE {id}");
        self.command(&dele, &dele)?;
        Ok(())
    }

    /// POCO `sendCommand`: one command and its status line; `(positive, line)`.
    pub fn send_command(&mut self, command: &str) -> Result<(bool, String)> {
        self.open()?;
        self.dialog.send_message(command)?;
        let line = self.read_status()?;
        Ok((line.starts_with('+'), line))
    }

    /// STLS (RFC 2595): on `+OK`, hands the plain socket to `connector.wrap`. Called by
    /// `rpoco-netssl`'s `SecurePop3ClientSession::start_tls`.
    pub fn start_tls_with(&mut self, connector: &dyn Connector) -> Result<()> {
        if self.dialog.is_secure() {
            return Err(illegal_state("the POP3 connection is already secure (TLS)"));
        }
        self.command("STLS", "STLS")?;
        let (host, timeout) = (self.host.clone(), self.timeout);
        upgrade_to_tls(&mut self.dialog, connector, &host, timeout)
    }

    /// POCO `close`: QUIT (deletions take effect) and the connection closed.
    pub fn close(&mut self) -> Result<()> {
        if !self.is_open {
            return Ok(());
        }
        self.is_open = false;
        let quit = if self.greeted {
            self.dialog
                .send_message("QUIT")
                .and_then(|_| self.read_status())
                .and_then(|l| positive(l, "QUIT"))
        } else {
            Ok(String::new())
        };
        let closed = self.dialog.close();
        quit?;
        closed
    }

    fn command(&mut self, command: &str, what: &str) -> Result<String> {
        let (_, line) = self.send_command(command)?;
        positive(line, what)
    }

    fn read_status(&mut self) -> Result<String> {
        let line = self.dialog.receive_message()?.ok_or_else(|| {
            Error::new(ErrorKind::ConnectionReset, "the POP3 server closed the connection before replying")
        })?;
        if !line.starts_with('+') && !line.starts_with("-ERR") {
            return Err(Error::new(ErrorKind::Protocol, mismatch_hint(&line)));
        }
        Ok(line)
    }

    /// The lines of a multi-line reply, up to `.` (dot-unstuffed), within the line count
    /// limit and the timeout as a whole.
    fn read_lines(&mut self) -> Result<Vec<String>> {
        let deadline = self.timeout.map(|t| std::time::Instant::now() + t);
        let mut lines = Vec::new();
        let mut size = 0;
        loop {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return Err(Error::timeout(
                    Timeout::Read,
                    self.timeout,
                    "the end of a POP3 multi-line reply",
                ));
            }
            let line = self.dialog.receive_message()?.ok_or_else(|| {
                Error::new(
                    ErrorKind::ConnectionReset,
                    "the POP3 server closed the connection in a multi-line reply",
                )
            })?;
            if line == "." {
                return Ok(lines);
            }
            size += line.len() + 2;
            if size > self.max_list_size {
                let _ = self.dialog.close();
                let max = self.max_list_size;
                return Err(limit(MailLimit::Size, format!("POP3 multi-line reply longer than {max} bytes")));
            }
            lines.push(line.strip_prefix('.').map(str::to_owned).unwrap_or(line));
        }
    }
}

/// The status line as shown in an error, saying so when it looks like TLS or SMTP.
fn mismatch_hint(line: &str) -> String {
    let b = line.as_bytes();
    let shown = DialogError::excerpt(line);
    if b.first().is_some_and(|&c| c == 0x15 || c == 0x16) && b.get(1) == Some(&3) {
        format!("the server speaks TLS on this port (use POP3S): {shown:?}")
    } else if b.len() >= 3 && b[..3].iter().all(u8::is_ascii_digit) {
        format!("the server speaks SMTP or FTP, not POP3: {shown:?}")
    } else {
        format!("not a POP3 status line: {shown:?}")
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
    if let Some(rest) = line.strip_prefix('+') {
        return Ok(rest.trim_start().to_owned());
    }
    Err(pop3_reply(what, &line))
}
