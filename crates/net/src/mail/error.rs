//! How the mail code builds its errors: every constructor is here, so the rest of the
//! module says *what* went wrong and this file says which [`Error`] that is.

use std::fmt;

use crate::error::{Error, Limit};

/// Which mail protocol a server reply came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailProtocol {
    /// SMTP (POCO `SMTPException`).
    Smtp,
    /// POP3 (POCO `POP3Exception`).
    Pop3,
}

impl MailProtocol {
    /// The POCO exception class for this protocol's errors.
    pub fn poco_class(self) -> &'static str {
        match self {
            MailProtocol::Smtp => "SMTPException",
            MailProtocol::Pop3 => "POP3Exception",
        }
    }

    /// POCO's exception name.
    pub fn name(self) -> &'static str {
        match self {
            MailProtocol::Smtp => "SMTP Exception",
            MailProtocol::Pop3 => "POP3 Exception",
        }
    }
}

/// A mail server refused or failed a step: which step, and the server's reply code and text
/// (POCO's `SMTPException(msg, response, code)` / `POP3Exception(msg, response)`).
///
/// It travels inside [`Error`] as the [`source`](std::error::Error::source); use
/// [`ServerReplyError::of`] to get it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerReplyError {
    /// The protocol.
    pub protocol: MailProtocol,
    /// What the client was doing, e.g. `"Recipient rejected: <a@b>"`.
    pub what: String,
    /// The reply code (SMTP: 3 digits; POP3: none, its replies are `+OK`/`-ERR`).
    pub code: Option<u16>,
    /// The server's reply text, lines joined with `\n` (POCO's `response`).
    pub text: String,
}

impl ServerReplyError {
    /// The reply error inside `error`, if it is one.
    pub fn of(error: &Error) -> Option<&ServerReplyError> {
        std::error::Error::source(error).and_then(|s| s.downcast_ref::<ServerReplyError>())
    }
}

impl fmt::Display for ServerReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) if !self.text.starts_with(&code.to_string()) => {
                write!(f, "{}: server replied {code} {}", self.what, self.text)
            }
            _ => write!(f, "{}: server replied {}", self.what, self.text),
        }
    }
}

impl std::error::Error for ServerReplyError {}

/// The server refused `what` with `code`/`text`.
pub(crate) fn reply(protocol: MailProtocol, what: impl Into<String>, code: Option<u16>, text: &str) -> Error {
    let source = ServerReplyError { protocol, what: what.into(), code, text: text.to_owned() };
    let kind = match protocol {
        MailProtocol::Smtp => crate::ErrorKind::Smtp,
        MailProtocol::Pop3 => crate::ErrorKind::Pop3,
    };
    Error::new(kind, source.to_string()).with_source(source)
}

/// A protocol violation by the server (a reply that is not a reply).
pub(crate) fn protocol(protocol: MailProtocol, what: impl Into<String>, text: &str) -> Error {
    reply(protocol, what, None, text)
}

/// A malformed message (MIME, quoted-printable, headers).
pub(crate) fn malformed(message: impl Into<String>) -> Error {
    Error::new(crate::ErrorKind::Message, message.into())
}

/// Which mail limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailLimit {
    /// A header block.
    Header,
    /// The number of MIME parts.
    Parts,
    /// Multipart nesting.
    Depth,
    /// A reply or protocol line.
    Line,
    /// A whole reply, message or part kept in memory.
    Size,
}

/// A configured limit was exceeded.
pub(crate) fn limit(which: MailLimit, message: impl Into<String>) -> Error {
    let limit = match which {
        MailLimit::Header => Limit::HeadLength,
        MailLimit::Line => Limit::HeadLength,
        MailLimit::Parts | MailLimit::Depth | MailLimit::Size => Limit::Body,
    };
    Error::limit(limit, message.into())
}

/// A caller's mistake (no recipients, an unsupported login method).
pub(crate) fn invalid_argument(message: impl Into<String>) -> Error {
    Error::new(crate::ErrorKind::InvalidArgument, message.into())
}

/// A call in the wrong state (sending before `open`).
pub(crate) fn illegal_state(message: impl Into<String>) -> Error {
    Error::new(crate::ErrorKind::IllegalState, message.into())
}
