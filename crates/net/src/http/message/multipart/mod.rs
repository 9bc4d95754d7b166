//! Streaming MIME multipart (RFC 2046 §5.1; `multipart/form-data` is RFC 7578):
//! [`MultipartReader`] and [`MultipartWriter`] (POCO's names), [`PartHandler`] for whoever
//! takes the parts, [`NullPartHandler`] and [`PartStore`] (parts spooled to temporary files).
//!
//! The reader holds one fixed buffer (64 KiB, or more if the part-header limit is larger),
//! so a part of any size streams through in bounded memory. Every size has a limit
//! ([`MultipartLimits`]): the number of parts, the bytes of one part's header block; a body
//! that ends before its closing delimiter is an error, never a short part.
//!
//! This is the general core: HTTP forms ([`HtmlForm`](crate::HtmlForm)) and mail messages
//! both read their multipart bodies with it.
//!
//! ```
//! use std::io::Read;
//! use rpoco_net::{MessageHeader, MultipartReader, MultipartWriter};
//!
//! let mut w = MultipartWriter::new(Vec::new(), "b0undary");
//! let mut h = MessageHeader::new();
//! h.set("Content-Disposition", "form-data; name=\"a\"");
//! w.next_part(&h)?;
//! std::io::Write::write_all(&mut w, b"first\r\n--not a boundary")?;
//! w.next_part(&MessageHeader::new())?;
//! std::io::Write::write_all(&mut w, b"second")?;
//! let body = w.close()?;
//!
//! let mut r = MultipartReader::new(&body[..], "b0undary")?;
//! let mut texts = Vec::new();
//! while let Some(header) = r.next_part()? {
//!     let mut text = String::new();
//!     r.read_to_string(&mut text)?;
//!     texts.push((header.get("Content-Disposition").map(str::to_owned), text));
//! }
//! assert_eq!(texts[0].1, "first\r\n--not a boundary");
//! assert_eq!(texts[1], (None, "second".to_owned()));
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod reader;
mod store;
mod writer;

use std::io::Read;

pub use reader::{MultipartLimits, MultipartReader};
pub use store::{PartStore, StoredPart};
pub use writer::MultipartWriter;

use super::header::MessageHeader;
use crate::error::Result;

/// POCO `PartHandler`: receives each file part of a form (or each part of a message) with
/// its header; `body` reads the part's content and ends where the part ends.
pub trait PartHandler {
    /// Handles one part. What the handler leaves unread is skipped.
    fn handle_part(&mut self, header: &MessageHeader, body: &mut dyn Read) -> Result<()>;
}

impl<F: FnMut(&MessageHeader, &mut dyn Read) -> Result<()>> PartHandler for F {
    fn handle_part(&mut self, header: &MessageHeader, body: &mut dyn Read) -> Result<()> {
        self(header, body)
    }
}

/// POCO `NullPartHandler`: discards every part (reading it, so the body stays in step).
#[derive(Debug, Clone, Copy, Default)]
pub struct NullPartHandler;

impl PartHandler for NullPartHandler {
    fn handle_part(&mut self, _header: &MessageHeader, body: &mut dyn Read) -> Result<()> {
        std::io::copy(body, &mut std::io::sink())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
