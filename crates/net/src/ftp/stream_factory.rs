//! [`FtpStreamFactory`]: `ftp://` URIs for [`UriStreamOpener`](crate::UriStreamOpener).

use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;

use rpoco_foundation::Uri;

use super::session::{DEFAULT_TIMEOUT, FTP_PORT, FileType, FtpClientSession};
use crate::error::{Error, ErrorKind, Result};
use crate::http::client::{Opened, UriStreamFactory, UriStreamOpener};

/// Supplies the password for a user named in an `ftp://user@host/` URI without one (POCO
/// `FTPPasswordProvider`).
pub trait FtpPasswordProvider: Send + Sync {
    /// The password of `username` on `host`; `None` if unknown.
    fn password(&self, username: &str, host: &str) -> Option<String>;
}

/// Makes the (unconnected) session for each URI opened.
pub type SessionMaker = Arc<dyn Fn() -> FtpClientSession + Send + Sync>;

/// POCO `FTPStreamFactory`: downloads `ftp://[user[:password]@]host[:port]/path[;type=a|i|d]`.
///
/// Without a user the login is `anonymous` with the anonymous password (POCO's default
/// `poco@localhost`); a user without a password asks the [`FtpPasswordProvider`]. The
/// session changes to the directory part of the path and retrieves the file (`type=i`,
/// binary, by default; `type=a` text; `type=d` lists the directory with `NLST`). The stream
/// checks the server's final reply at its end, so a transfer the server reports as failed
/// is a read error, never a silently short body.
///
/// `rpoco-netssl`'s `ftps` factory is this factory with FTPS sessions
/// ([`with_sessions`](Self::with_sessions)).
#[derive(Clone)]
pub struct FtpStreamFactory {
    sessions: SessionMaker,
    default_port: u16,
    anonymous_password: String,
    password_provider: Option<Arc<dyn FtpPasswordProvider>>,
    timeout: Duration,
}

impl fmt::Debug for FtpStreamFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FtpStreamFactory")
            .field("default_port", &self.default_port)
            .field("password_provider", &self.password_provider.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Default for FtpStreamFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl FtpStreamFactory {
    /// A factory for plain FTP.
    pub fn new() -> Self {
        Self::with_sessions(FTP_PORT, Arc::new(FtpClientSession::new))
    }

    /// A factory whose sessions come from `sessions` (not connected yet; FTPS sessions for
    /// `ftps://`), on `default_port` when the URI names none.
    pub fn with_sessions(default_port: u16, sessions: SessionMaker) -> Self {
        FtpStreamFactory {
            sessions,
            default_port,
            anonymous_password: "poco@localhost".into(),
            password_provider: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Replaces where the sessions come from and the default port, keeping the other
    /// settings (how `rpoco-netssl`'s `ftps` factory makes FTPS sessions).
    pub fn set_sessions(&mut self, default_port: u16, sessions: SessionMaker) {
        self.default_port = default_port;
        self.sessions = sessions;
    }

    /// Sets the password for anonymous logins (POCO `setAnonymousPassword`).
    pub fn set_anonymous_password(&mut self, password: &str) {
        self.anonymous_password = password.to_string();
    }

    /// The anonymous password (POCO `getAnonymousPassword`).
    pub fn anonymous_password(&self) -> &str {
        &self.anonymous_password
    }

    /// Sets the password provider (POCO `setPasswordProvider`).
    pub fn set_password_provider(&mut self, provider: Option<Arc<dyn FtpPasswordProvider>>) {
        self.password_provider = provider;
    }

    /// Sets the sessions' timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Registers a plain FTP factory for `ftp` with the default opener (POCO
    /// `FTPStreamFactory::registerFactory`).
    pub fn register_factory() {
        UriStreamOpener::default_opener().register_stream_factory("ftp", Arc::new(FtpStreamFactory::new()));
    }

    /// Opens `uri` and returns the stream of the file (or listing).
    pub fn open_stream(&self, uri: &Uri) -> Result<FtpDownloadStream> {
        let host = uri.host();
        if host.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, format!("{uri}: no host")));
        }
        let (username, password) = self.credentials(uri)?;
        let (directory, file, kind) = split_path(uri.path())?;
        let mut session = (self.sessions)();
        session.set_timeout(self.timeout);
        session.open(host, uri.specified_port().unwrap_or(self.default_port))?;
        session.login(&username, &password)?;
        if kind == 'a' {
            session.set_file_type(FileType::Text)?;
        }
        if !directory.is_empty() {
            session.set_working_directory(&directory)?;
        }
        if kind == 'd' {
            session.begin_list(&file, false)?;
        } else {
            session.begin_download(&file)?;
        }
        Ok(FtpDownloadStream { session, done: false })
    }

    fn credentials(&self, uri: &Uri) -> Result<(String, String)> {
        let info = uri.user_info();
        let (user, password) = match info.split_once(':') {
            Some((u, p)) => (decode(u)?, Some(decode(p)?)),
            None => (decode(info)?, None),
        };
        if user.is_empty() {
            return Ok(("anonymous".into(), self.anonymous_password.clone()));
        }
        if let Some(password) = password {
            return Ok((user, password));
        }
        match self.password_provider.as_ref().and_then(|p| p.password(&user, uri.host())) {
            Some(password) => Ok((user, password)),
            None => Err(Error::new(
                ErrorKind::NotAuthenticated,
                format!("password required for {user}@{}", uri.host()),
            )),
        }
    }
}

fn decode(text: &str) -> Result<String> {
    Ok(Uri::decode(text, false)?)
}

/// Splits a URI path into directory, file name and the `;type=` code (`i` if none).
fn split_path(path: &str) -> Result<(String, String, char)> {
    let (path, kind) = match path.rsplit_once(";type=") {
        Some((p, t)) if t.len() == 1 && "aidAID".contains(t) => {
            (p, t.chars().next().unwrap_or('i').to_ascii_lowercase())
        }
        Some((_, t)) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown FTP transfer type ;type={t}"),
            ));
        }
        None => (path, 'i'),
    };
    let (directory, file) = match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    if file.is_empty() && kind != 'd' {
        return Err(Error::new(ErrorKind::InvalidArgument, format!("no file name in the FTP path {path:?}")));
    }
    Ok((directory.to_string(), file.to_string(), kind))
}

impl UriStreamFactory for FtpStreamFactory {
    fn open(&self, uri: &Uri) -> Result<Opened> {
        Ok(Opened::Stream(Box::new(self.open_stream(uri)?)))
    }
}

/// The body of an `ftp://` URI: reads the data connection, and at its end checks the
/// server's final reply (a failed transfer is an error, not a short body).
#[derive(Debug)]
pub struct FtpDownloadStream {
    session: FtpClientSession,
    done: bool,
}

impl FtpDownloadStream {
    /// The session, for instance for the server's greeting.
    pub fn session(&self) -> &FtpClientSession {
        &self.session
    }
}

impl Read for FtpDownloadStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let Some(stream) = self.session.data_stream() else { return Ok(0) };
        let n = stream.read(buf)?;
        if n == 0 {
            self.done = true;
            self.session.end_transfer_in_progress().map_err(io::Error::from)?;
            let _ = self.session.close();
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_types() {
        let s = |p: &str| split_path(p).ok();
        assert_eq!(s("/pub/file.txt"), Some(("/pub".into(), "file.txt".into(), 'i')));
        assert_eq!(s("/file.txt;type=a"), Some(("/".into(), "file.txt".into(), 'a')));
        assert_eq!(s("/pub/;type=d"), Some(("/pub".into(), "".into(), 'd')));
        assert_eq!(s("/pub/x;type=I"), Some(("/pub".into(), "x".into(), 'i')));
        assert_eq!(s("/pub/"), None);
        assert_eq!(s("/pub/x;type=z"), None);
    }
}
