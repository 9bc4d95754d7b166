//! [`DialogError`]: what went wrong in a command/reply dialog, carried inside
//! [`crate::Error`].

use std::fmt;

use super::reply::Reply;
use crate::error::{Error, ErrorKind};

/// The protocol whose server sent an unexpected reply; it names the POCO exception class
/// (`FTPException`, `SMTPException`, `POP3Exception`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DialogProtocol {
    /// FTP (POCO `FTPException`).
    Ftp,
    /// SMTP (POCO `SMTPException`).
    Smtp,
    /// POP3 (POCO `POP3Exception`).
    Pop3,
}

impl DialogProtocol {
    fn kind(self) -> ErrorKind {
        match self {
            DialogProtocol::Ftp => ErrorKind::Ftp,
            DialogProtocol::Smtp => ErrorKind::Smtp,
            DialogProtocol::Pop3 => ErrorKind::Pop3,
        }
    }
}

/// A command/reply dialog's own failures: a reply that broke a limit or the syntax, and a
/// server's reply that the command did not expect (with its code and text).
///
/// It reaches callers inside [`crate::Error`]; [`Error::dialog`] and [`Error::reply`] get it
/// back, and [`Error::poco_class`] names POCO's class for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DialogError {
    /// A line longer than the limit (POCO: `IOException` "Line too long").
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
        /// How many bytes of the line had been seen when it was refused.
        seen: usize,
    },
    /// A reply whose lines together exceed the limit (a reply that never ends).
    ReplyTooLarge {
        /// The limit in bytes.
        limit: usize,
        /// How many bytes had been read when it was refused.
        seen: usize,
    },
    /// A reply line that does not start with a three-digit code 100..=599 followed by a
    /// space, a hyphen or the line end.
    MalformedReply {
        /// The line (its first 80 characters).
        line: String,
    },
    /// The server answered with a reply the command did not expect (POCO raises
    /// `FTPException`/`SMTPException`/`POP3Exception` with the server's text).
    UnexpectedReply {
        /// Which protocol.
        protocol: DialogProtocol,
        /// What was sent (a password is shown as `PASS ***`), or what was awaited.
        command: String,
        /// The reply.
        reply: Reply,
    },
    /// A reply that has the right code but cannot be used, such as a `227` without an
    /// address, or one whose address the client refuses.
    BadReply {
        /// Which protocol.
        protocol: DialogProtocol,
        /// What was sent.
        command: String,
        /// What is wrong with it.
        problem: String,
        /// The reply.
        reply: Reply,
    },
}

impl DialogError {
    /// The first 80 characters of `text`, for messages.
    pub(crate) fn excerpt(text: &str) -> String {
        match text.char_indices().nth(80) {
            Some((end, _)) => format!("{}...", &text[..end]),
            None => text.to_string(),
        }
    }

    /// The reply this error is about, if any.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            DialogError::UnexpectedReply { reply, .. } | DialogError::BadReply { reply, .. } => Some(reply),
            _ => None,
        }
    }

    /// The kind of [`crate::Error`] this becomes, which names POCO's exception class.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DialogError::LineTooLong { .. } => ErrorKind::Io,
            DialogError::ReplyTooLarge { .. } | DialogError::MalformedReply { .. } => ErrorKind::Message,
            DialogError::UnexpectedReply { protocol, .. } | DialogError::BadReply { protocol, .. } => {
                protocol.kind()
            }
        }
    }
}

impl fmt::Display for DialogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DialogError::LineTooLong { limit, seen } => {
                write!(f, "reply line too long: {seen} bytes seen, the limit is {limit}")
            }
            DialogError::ReplyTooLarge { limit, seen } => {
                write!(f, "reply too large: {seen} bytes without an end, the limit is {limit}")
            }
            DialogError::MalformedReply { line } => {
                write!(f, "reply line does not start with a status code 100-599: {line:?}")
            }
            DialogError::UnexpectedReply { command, reply, .. } => {
                write!(f, "{command}: server replied {}", Self::excerpt(&reply.message()))
            }
            DialogError::BadReply { command, problem, reply, .. } => {
                write!(f, "{command}: {problem} (server replied {})", Self::excerpt(&reply.message()))
            }
        }
    }
}

impl std::error::Error for DialogError {}

impl From<DialogError> for Error {
    fn from(e: DialogError) -> Self {
        Error::new(e.kind(), e.to_string()).with_source(e)
    }
}

impl Error {
    /// The command/reply failure inside this error, if it is one (a limit, a malformed or an
    /// unexpected reply from a `DialogSocket` or a session built on it).
    pub fn dialog(&self) -> Option<&DialogError> {
        self.source_as::<DialogError>()
    }

    /// The server's reply this error reports, if any: its code and text.
    ///
    /// ```
    /// use rpoco_net::{DialogError, DialogProtocol, Error, Reply};
    /// let e = Error::from(DialogError::UnexpectedReply {
    ///     protocol: DialogProtocol::Ftp,
    ///     command: "RETR missing.txt".into(),
    ///     reply: Reply::new(550, vec!["550 No such file".into()]),
    /// });
    /// assert_eq!(e.reply().map(|r| r.code()), Some(550));
    /// assert_eq!(e.poco_class(), "FTPException");
    /// ```
    pub fn reply(&self) -> Option<&Reply> {
        self.dialog().and_then(DialogError::reply)
    }
}
