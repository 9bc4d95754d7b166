//! Command/reply dialogs: POCO's `DialogSocket`, on which SMTP, POP3 and FTP stand.
//!
//! The reply parser is the sans-IO part (bytes in, lines and [`Reply`]s out, with
//! [`DialogLimits`]); [`DialogSocket`] is its one I/O driver over any
//! [`Transport`](crate::Transport); [`DialogError`] is what it reports inside
//! [`crate::Error`], including a server's unexpected reply with its code.

mod error;
mod reply;
mod socket;

pub use error::{DialogError, DialogProtocol};
pub use reply::{DialogLimits, LineReader, Reply, ReplyParser, StatusClass};
pub use socket::{DialogSocket, telnet};
