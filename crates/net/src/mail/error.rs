//! How the mail code builds its errors: every constructor is here, so the rest of the
//! module says *what* went wrong and this file says which [`Error`] that is.
//!
//! An SMTP refusal is a [`DialogError::UnexpectedReply`] (kind [`ErrorKind::Smtp`], POCO
//! `SMTPException`; [`Error::reply`] gives the code and text). A POP3 `-ERR` has no code: it
//! is kind [`ErrorKind::Pop3`] (POCO `POP3Exception`) with the server's line as
//! [`Detail::Peer`](crate::error::Detail::Peer).

use crate::dialog::{DialogError, DialogProtocol, Reply};
use crate::error::{Error, ErrorKind, Limit};

/// The SMTP server answered `command` with `reply`, which it did not expect.
pub(crate) fn smtp_reply(command: impl Into<String>, reply: &Reply) -> Error {
    DialogError::UnexpectedReply {
        protocol: DialogProtocol::Smtp,
        command: command.into(),
        reply: reply.clone(),
    }
    .into()
}

/// The SMTP server's reply to `command` has the right code but cannot be used.
pub(crate) fn smtp_bad_reply(command: impl Into<String>, problem: impl Into<String>, reply: &Reply) -> Error {
    DialogError::BadReply {
        protocol: DialogProtocol::Smtp,
        command: command.into(),
        problem: problem.into(),
        reply: reply.clone(),
    }
    .into()
}

/// The POP3 server answered `command` with `line` (a `-ERR`, or a reply it cannot use).
pub(crate) fn pop3_reply(command: &str, line: &str) -> Error {
    let shown = DialogError::excerpt(line);
    Error::peer(ErrorKind::Pop3, line, format!("{command}: server replied {shown}"))
}

/// A malformed message (MIME, quoted-printable, base64, headers).
pub(crate) fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Message, message.into())
}

/// Which mail limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailLimit {
    /// A header block.
    Header,
    /// The number of header fields.
    Fields,
    /// The number of MIME parts.
    Parts,
    /// Multipart nesting.
    Depth,
    /// A whole message, part or list kept in memory.
    Size,
}

/// A configured limit was exceeded.
pub(crate) fn limit(which: MailLimit, message: impl Into<String>) -> Error {
    let limit = match which {
        MailLimit::Header => Limit::HeadLength,
        MailLimit::Fields => Limit::FieldCount,
        MailLimit::Parts => Limit::Parts,
        MailLimit::Depth => Limit::Nesting,
        MailLimit::Size => Limit::Body,
    };
    Error::limit(limit, message.into())
}

/// A caller's mistake (no recipients, an unsupported login method).
pub(crate) fn invalid_argument(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message.into())
}

/// A call in the wrong state (sending before `open`).
pub(crate) fn illegal_state(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::IllegalState, message.into())
}
