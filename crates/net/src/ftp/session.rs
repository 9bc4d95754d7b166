//! [`FtpClientSession`]: POCO's `FTPClientSession`, the control connection and its commands.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use super::data::PasvAddressPolicy;
use super::transfer::Transfer;
use crate::connect::Chain;
use crate::dialog::{DialogError, DialogLimits, DialogProtocol, DialogSocket, Reply};
use crate::error::{Error, ErrorKind, Result};
use crate::http::client::ProxyConfig;
use crate::socket::{Connector, StreamSocket, Transport};

/// The FTP port (POCO `FTP_PORT`).
pub const FTP_PORT: u16 = 21;

/// The implicit FTPS port (RFC 4217 does not define it; it is the port servers use).
pub const FTPS_IMPLICIT_PORT: u16 = 990;

/// The default timeout of the control and data connections (POCO: 30 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The representation type of transfers (POCO `FileType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileType {
    /// `TYPE A`: text, line ends converted by the server (POCO `TYPE_TEXT`).
    Text,
    /// `TYPE I`: bytes as they are (POCO `TYPE_BINARY`; the default here and in POCO).
    #[default]
    Binary,
}

/// When the control connection becomes TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FtpTlsMode {
    /// `AUTH TLS` after the greeting (RFC 4217), then `PBSZ 0` and `PROT P` after login.
    Explicit,
    /// TLS from the first byte (port 990), then `PBSZ 0` and `PROT P` after login.
    Implicit,
}

/// The TLS step of FTPS, which `rpoco-netssl` provides (**public API for netssl**): it
/// secures the control connection and each data connection, resuming the control
/// connection's TLS session on the data connections.
pub trait FtpTls: Send + Sync + Debug {
    /// Layers TLS on the control connection to `host`; `timeout` bounds the handshake.
    fn secure_control(
        &self,
        control: Box<dyn Transport>,
        host: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn Transport>>;

    /// Layers TLS on a data connection to `host` (the client is the TLS client in both
    /// directions, RFC 4217 7), resuming `control`'s session.
    fn secure_data(
        &self,
        control: &dyn Transport,
        data: StreamSocket,
        host: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn Transport>>;

    /// Ends an upload's data connection so that the server reads every byte: `close_notify`,
    /// then waiting (within the socket's receive timeout) for the server to close its side.
    fn close_data(&self, data: &mut dyn Transport) -> Result<()>;
}

/// An FTP client session (POCO `Net::FTPClientSession`, RFC 959, RFC 2428, RFC 3659):
/// one control connection, one data connection per transfer.
///
/// Passive mode by default (`EPSV`, then `PASV` if the server refuses it), active mode with
/// `EPRT`/`PORT`; every reply outside what a command expects is an error carrying the reply
/// ([`Error::reply`], POCO's `FTPException`). The control and data connections have a
/// timeout ([`set_timeout`](Self::set_timeout), 30 s); a `PASV` reply pointing at another
/// host is refused ([`PasvAddressPolicy`]); an active data connection is taken only from the
/// server. Transfers are streams: [`begin_download`](Self::begin_download) /
/// [`end_download`](Self::end_download) as in POCO, or [`download_to`](Self::download_to).
///
/// ```no_run
/// use std::io::Read;
/// use rpoco_net::ftp::FtpClientSession;
///
/// let mut session = FtpClientSession::connect("127.0.0.1", 2121)?;
/// session.login("user", "secret")?;
/// let mut text = String::new();
/// session.begin_download("README")?.read_to_string(&mut text)?;
/// session.end_download()?;
/// session.close()?;
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct FtpClientSession {
    pub(super) chain: Chain,
    pub(super) tls: Option<(Arc<dyn FtpTls>, FtpTlsMode)>,
    pub(super) control: Option<DialogSocket>,
    pub(super) host: String,
    pub(super) timeout: Duration,
    pub(super) passive: bool,
    pub(super) extended: bool,
    pub(super) epsv_refused: bool,
    pub(super) pasv_policy: PasvAddressPolicy,
    file_type: FileType,
    limits: DialogLimits,
    welcome: Option<Reply>,
    logged_in: bool,
    pub(super) protect_data: bool,
    pub(super) transfer: Option<Transfer>,
}

impl Default for FtpClientSession {
    fn default() -> Self {
        Self::new()
    }
}

impl FtpClientSession {
    /// A session that is not connected yet (POCO's default constructor).
    pub fn new() -> Self {
        Self::with_chain(Chain::plain())
    }

    /// A session whose connections go through `connector` (its last step; TLS for FTPS
    /// comes from [`set_tls`](Self::set_tls)).
    pub fn with_connector(connector: Arc<dyn Connector>) -> Self {
        Self::with_chain(Chain::new(connector))
    }

    /// A session whose control and data connections go through `chain` (its TCP options,
    /// proxy and last step; the session's timeout is each connect attempt's limit). A
    /// SOCKS5 proxy carries both connections, an HTTP proxy a `CONNECT` tunnel for each;
    /// through a proxy only passive mode works.
    pub fn with_chain(chain: Chain) -> Self {
        FtpClientSession {
            chain,
            tls: None,
            control: None,
            host: String::new(),
            timeout: DEFAULT_TIMEOUT,
            passive: true,
            extended: true,
            epsv_refused: false,
            pasv_policy: PasvAddressPolicy::default(),
            file_type: FileType::Binary,
            limits: DialogLimits::default(),
            welcome: None,
            logged_in: false,
            protect_data: false,
            transfer: None,
        }
    }

    /// Connects to `host:port` and reads the greeting (POCO's constructor with host and port).
    pub fn connect(host: &str, port: u16) -> Result<Self> {
        let mut session = Self::new();
        session.open(host, port)?;
        Ok(session)
    }

    /// Makes the session FTPS (used by `rpoco-netssl`'s `FtpsClientSession`). Must be
    /// called before [`open`](Self::open).
    pub fn set_tls(&mut self, tls: Arc<dyn FtpTls>, mode: FtpTlsMode) -> Result<()> {
        self.check_closed("set_tls")?;
        self.tls = Some((tls, mode));
        Ok(())
    }

    /// Sets the timeout of the control and data connections: connects, each reply, and each
    /// read or write of a transfer (POCO `setTimeout`).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        if let Some(control) = &mut self.control {
            control.set_receive_timeout(Some(timeout));
            let _ = control.set_send_timeout(Some(timeout));
        }
    }

    /// The timeout (POCO `getTimeout`).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Passive (`true`, the default) or active mode; `use_extended` tries `EPSV`/`EPRT`
    /// before `PASV`/`PORT` (POCO `setPassive(flag, useRFC1738)`).
    pub fn set_passive(&mut self, passive: bool, use_extended: bool) {
        self.passive = passive;
        self.extended = use_extended;
    }

    /// Whether passive mode is on (POCO `getPassive`).
    pub fn passive(&self) -> bool {
        self.passive
    }

    /// What to do with a `PASV` reply naming another host (default: refuse).
    pub fn set_pasv_address_policy(&mut self, policy: PasvAddressPolicy) {
        self.pasv_policy = policy;
    }

    /// Sends the connections through `proxy` (SOCKS5, or an HTTP proxy's `CONNECT`
    /// tunnels); an unset config means none. Before [`open`](Self::open).
    pub fn set_proxy(&mut self, proxy: ProxyConfig) -> Result<()> {
        self.check_closed("set_proxy")?;
        self.chain = self.chain.clone().with_proxy(proxy)?;
        Ok(())
    }

    /// The connection chain.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Sets the reply limits of the control connection.
    pub fn set_limits(&mut self, limits: DialogLimits) {
        self.limits = limits;
        if let Some(control) = &mut self.control {
            control.set_limits(limits);
        }
    }

    /// Connects to `host:port` and reads the greeting (POCO `open` without credentials);
    /// implicit FTPS handshakes first, explicit FTPS sends `AUTH TLS` after it.
    pub fn open(&mut self, host: &str, port: u16) -> Result<()> {
        self.check_closed("open")?;
        let timeout = Some(self.timeout);
        self.host = host.to_string();
        let mut transport = self.connection(host, port)?;
        if let Some((tls, FtpTlsMode::Implicit)) = &self.tls {
            transport = tls.secure_control(transport, host, timeout)?;
        }
        let mut control = DialogSocket::new(transport);
        control.set_limits(self.limits);
        control.set_receive_timeout(timeout);
        control.set_send_timeout(timeout)?;
        self.control = Some(control);
        let mut greeting = self.receive("greeting")?;
        if greeting.code() == 120 {
            greeting = self.receive("greeting")?;
        }
        if greeting.code() != 220 {
            let _ = self.control_mut().and_then(DialogSocket::close);
            self.control = None;
            return Err(self.unexpected("greeting", greeting));
        }
        self.welcome = Some(greeting);
        if let Some((tls, FtpTlsMode::Explicit)) = self.tls.clone() {
            self.expect("AUTH", "TLS", |r| r.code() == 234)?;
            let host = self.host.clone();
            self.control_mut()?.upgrade(|t| tls.secure_control(t, &host, timeout))?;
        }
        Ok(())
    }

    /// Connects and logs in (POCO `open(host, port, username, password)`).
    pub fn open_and_login(&mut self, host: &str, port: u16, username: &str, password: &str) -> Result<()> {
        self.open(host, port)?;
        self.login(username, password)
    }

    /// Logs in with `USER` and `PASS` (POCO `login`), then sets the file type (binary by
    /// default) and, on FTPS, `PBSZ 0` and `PROT P` so transfers are encrypted too.
    pub fn login(&mut self, username: &str, password: &str) -> Result<()> {
        if self.logged_in {
            return Err(Error::new(ErrorKind::IllegalState, "already logged in"));
        }
        let reply = self.command("USER", username)?;
        let reply = match reply.code() {
            230 => reply,
            331 => self.command("PASS", password)?,
            _ => return Err(self.unexpected(&shown("USER", username), reply)),
        };
        if reply.code() != 230 && reply.code() != 202 {
            return Err(self.unexpected(&shown("PASS", password), reply));
        }
        self.logged_in = true;
        if self.tls.is_some() {
            self.expect("PBSZ", "0", |r| r.code() == 200)?;
            self.expect("PROT", "P", |r| r.code() == 200)?;
            self.protect_data = true;
        }
        self.set_file_type(self.file_type)
    }

    /// Ends any transfer, sends `QUIT` and closes the connection (POCO `close`). Safe to call
    /// twice.
    pub fn close(&mut self) -> Result<()> {
        if self.control.is_none() {
            return Ok(());
        }
        let _ = self.end_transfer_quietly();
        let quit = self.command("QUIT", "");
        self.logged_in = false;
        self.protect_data = false;
        let closed = self.control.take().map_or(Ok(()), |mut c| c.close());
        quit.map(drop).and(closed)
    }

    /// Whether the control connection is open (POCO `isOpen`).
    pub fn is_open(&self) -> bool {
        self.control.is_some()
    }

    /// Whether the session is logged in (POCO `isLoggedIn`).
    pub fn is_logged_in(&self) -> bool {
        self.logged_in
    }

    /// Whether the control connection is encrypted.
    pub fn is_secure(&self) -> bool {
        self.control.as_ref().is_some_and(DialogSocket::is_secure)
    }

    /// Whether transfers are encrypted (`PROT P` in effect).
    pub fn is_data_protected(&self) -> bool {
        self.protect_data
    }

    /// The server's greeting (POCO `welcomeMessage`).
    pub fn welcome_message(&self) -> Option<&Reply> {
        self.welcome.as_ref()
    }

    /// The control connection.
    pub fn control(&self) -> Result<&DialogSocket> {
        self.control.as_ref().ok_or_else(not_open)
    }

    /// Sets the file type with `TYPE A` or `TYPE I` (POCO `setFileType`).
    pub fn set_file_type(&mut self, file_type: FileType) -> Result<()> {
        let arg = match file_type {
            FileType::Text => "A",
            FileType::Binary => "I",
        };
        self.expect("TYPE", arg, |r| r.code() == 200)?;
        self.file_type = file_type;
        Ok(())
    }

    /// The file type (POCO `getFileType`).
    pub fn file_type(&self) -> FileType {
        self.file_type
    }

    /// The server's system type from `SYST` (POCO `systemType`).
    pub fn system_type(&mut self) -> Result<String> {
        Ok(self.expect("SYST", "", |r| r.code() == 215)?.text())
    }

    /// Changes the working directory with `CWD` (POCO `setWorkingDirectory`).
    pub fn set_working_directory(&mut self, path: &str) -> Result<()> {
        self.expect("CWD", path, Reply::is_positive_completion).map(drop)
    }

    /// The working directory from `PWD` (POCO `getWorkingDirectory`).
    pub fn working_directory(&mut self) -> Result<String> {
        let reply = self.expect("PWD", "", |r| r.code() == 257)?;
        self.quoted_path("PWD", reply)
    }

    /// Goes to the parent directory with `CDUP` (POCO `cdup`).
    pub fn cdup(&mut self) -> Result<()> {
        self.expect("CDUP", "", Reply::is_positive_completion).map(drop)
    }

    /// Renames with `RNFR` and `RNTO` (POCO `rename`).
    pub fn rename(&mut self, old_name: &str, new_name: &str) -> Result<()> {
        self.expect("RNFR", old_name, |r| r.code() == 350)?;
        self.expect("RNTO", new_name, Reply::is_positive_completion).map(drop)
    }

    /// Deletes a file with `DELE` (POCO `remove`).
    pub fn remove(&mut self, path: &str) -> Result<()> {
        self.expect("DELE", path, Reply::is_positive_completion).map(drop)
    }

    /// Creates a directory with `MKD` (POCO `createDirectory`).
    pub fn create_directory(&mut self, path: &str) -> Result<()> {
        self.expect("MKD", path, Reply::is_positive_completion).map(drop)
    }

    /// Removes a directory with `RMD` (POCO `removeDirectory`).
    pub fn remove_directory(&mut self, path: &str) -> Result<()> {
        self.expect("RMD", path, Reply::is_positive_completion).map(drop)
    }

    /// A file's size from `SIZE` (RFC 3659 4), in the current file type.
    pub fn file_size(&mut self, path: &str) -> Result<u64> {
        let reply = self.expect("SIZE", path, |r| r.code() == 213)?;
        reply.text().trim().parse().map_err(|_| self.bad_reply("SIZE", "the size is not a number", reply))
    }

    /// Sends a command and returns the server's reply, whatever it is (POCO `sendCommand`;
    /// the POCO reply code is [`Reply::code`]).
    pub fn send_command(&mut self, command: &str, arg: &str) -> Result<Reply> {
        self.command(command, arg)
    }

    /// Sends `command arg` and reads one reply.
    pub(super) fn command(&mut self, command: &str, arg: &str) -> Result<Reply> {
        let control = self.control_mut()?;
        control.send_command(command, &[arg])?;
        control.receive_status_message()
    }

    /// [`command`](Self::command), then an error unless `ok` accepts the reply.
    pub(super) fn expect(&mut self, command: &str, arg: &str, ok: impl Fn(&Reply) -> bool) -> Result<Reply> {
        let reply = self.command(command, arg)?;
        if ok(&reply) { Ok(reply) } else { Err(self.unexpected(&shown(command, arg), reply)) }
    }

    /// Reads one reply on the control connection.
    pub(super) fn receive(&mut self, _what: &str) -> Result<Reply> {
        self.control_mut()?.receive_status_message()
    }

    pub(super) fn control_mut(&mut self) -> Result<&mut DialogSocket> {
        self.control.as_mut().ok_or_else(not_open)
    }

    pub(super) fn unexpected(&self, command: &str, reply: Reply) -> Error {
        DialogError::UnexpectedReply { protocol: DialogProtocol::Ftp, command: command.to_string(), reply }
            .into()
    }

    pub(super) fn bad_reply(&self, command: &str, problem: &str, reply: Reply) -> Error {
        DialogError::BadReply {
            protocol: DialogProtocol::Ftp,
            command: command.to_string(),
            problem: problem.to_string(),
            reply,
        }
        .into()
    }

    fn quoted_path(&self, command: &str, reply: Reply) -> Result<String> {
        parse_quoted_path(&reply.text()).ok_or_else(|| self.bad_reply(command, "no quoted path", reply))
    }

    fn check_closed(&self, what: &str) -> Result<()> {
        if self.control.is_some() {
            return Err(Error::new(
                ErrorKind::IllegalState,
                format!("{what}: the session is already connected"),
            ));
        }
        Ok(())
    }
}

impl Drop for FtpClientSession {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

fn not_open() -> Error {
    Error::new(ErrorKind::IllegalState, "the FTP session is not connected")
}

/// How a command appears in errors: the password hidden.
pub(super) fn shown(command: &str, arg: &str) -> String {
    match (command, arg) {
        ("PASS", _) => "PASS ***".to_string(),
        (_, "") => command.to_string(),
        _ => format!("{command} {arg}"),
    }
}

/// The path in a `257 "path" ...` reply, with doubled quotes undone (RFC 959 Appendix II).
pub(super) fn parse_quoted_path(text: &str) -> Option<String> {
    let start = text.find('"')? + 1;
    let mut path = String::new();
    let mut chars = text[start..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
            } else {
                return Some(path);
            }
        }
        path.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_paths() {
        assert_eq!(parse_quoted_path("\"/home/ftp\" is the current directory").as_deref(), Some("/home/ftp"));
        assert_eq!(
            parse_quoted_path("\"/a \"\"quoted\"\" dir\" created").as_deref(),
            Some("/a \"quoted\" dir")
        );
        assert_eq!(parse_quoted_path("\"\"").as_deref(), Some(""));
        assert_eq!(parse_quoted_path("no quotes"), None);
        assert_eq!(parse_quoted_path("\"unterminated"), None);
    }

    #[test]
    fn passwords_are_hidden_in_errors() {
        assert_eq!(shown("PASS", "secret"), "PASS ***");
        assert_eq!(shown("RETR", "a b"), "RETR a b");
        assert_eq!(shown("PWD", ""), "PWD");
    }
}
