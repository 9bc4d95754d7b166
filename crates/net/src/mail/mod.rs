//! Internet mail: [`MailMessage`] (RFC 5322 and MIME), [`MailStream`](MailOutputStream)
//! framing, quoted-printable, RFC 2047 words, and the SMTP and POP3 client sessions
//! (POCO `MailMessage`, `MailRecipient`, `MailStream`, `QuotedPrintableEncoder`/`Decoder`,
//! `SMTPClientSession`, `POP3ClientSession`; TLS variants are in `rpoco-netssl`).
//!
//! ```
//! use rpoco_net::mail::{ContentTransferEncoding, MailMessage, MailPartSource, MailRecipient};
//! let mut m = MailMessage::new();
//! m.set_sender("sender@example.com");
//! m.add_recipient(MailRecipient::to("rcpt@example.com"));
//! m.set_subject("Report");
//! m.add_content(MailPartSource::from_bytes("See attached.\r\n", "text/plain", ""), ContentTransferEncoding::QuotedPrintable);
//! m.add_attachment("data.bin", MailPartSource::from_bytes(vec![0u8, 1, 2], "application/octet-stream", "data.bin"), ContentTransferEncoding::Base64);
//! let wire = m.to_bytes()?;
//! let back = MailMessage::from_bytes(&wire)?;
//! assert_eq!(back.parts().len(), 2);
//! assert_eq!(back.parts()[1].source.bytes(), Some(&[0u8, 1, 2][..]));
//! assert_eq!(back.parts()[1].source.filename(), "data.bin");
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod connection;
mod date;
mod encoded_word;
mod error;
mod header_reader;
mod message;
mod mime_reader;
mod part_source;
mod pop3;
mod quoted_printable;
mod read;
mod recipient;
mod smtp;
mod smtp_auth;
mod smtp_reply;
mod stream;
mod write;

pub use crate::http::message::PartHandler;
pub use encoded_word::{encode_word, encode_word_bytes};
pub use message::{ContentDisposition, ContentTransferEncoding, MailMessage, MailPart};
pub use mime_reader::{MultipartReader, PartBody};
pub use part_source::MailPartSource;
pub use pop3::{MessageInfo, Pop3ClientSession};
pub use quoted_printable::{
    QuotedPrintableDecoder, QuotedPrintableEncoder, quoted_printable_decode, quoted_printable_encode,
};
pub use read::MailLimits;
pub use recipient::{MailRecipient, RecipientType};
pub use smtp::{SmtpClientSession, local_hostname};
pub use smtp_auth::LoginMethod;
pub use stream::{MailInputStream, MailOutputStream};
