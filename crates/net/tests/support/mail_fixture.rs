//! The message the SMTP tests send to their peers (aiosmtpd in rpoco-netssl's `mail_smtp`,
//! OpenSMTPD in rpoco-net's `mail_opensmtpd`): a non-ASCII sender, To, Cc and Bcc, a subject
//! that needs folding, quoted-printable text with dot-stuffing cases, a binary attachment.
#![allow(dead_code)]

use rpoco_net::mail::{ContentTransferEncoding, MailMessage, MailPartSource, MailRecipient, RecipientType};

/// The attachment's bytes: every byte value, 70,000 of them.
pub(crate) fn attachment() -> Vec<u8> {
    (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect()
}

/// The message.
pub(crate) fn message() -> MailMessage {
    let mut m = MailMessage::new();
    m.set_sender("Sändər <sender@example.com>");
    m.add_recipient(MailRecipient::new(RecipientType::Primary, "to@example.com", "Zoë Tö"));
    m.add_recipient(MailRecipient::new(RecipientType::Cc, "cc@example.com", ""));
    m.add_recipient(MailRecipient::new(RecipientType::Bcc, "hidden@example.com", "Hidden"));
    m.set_subject("Grüße – a test with a rather long subject line that needs folding, ok?");
    let body = "Hello,\r\n.a line starting with a dot\r\n..two dots\r\n.\r\nünïcode body\r\n";
    m.add_content(
        MailPartSource::from_bytes(body, "text/plain; charset=utf-8", ""),
        ContentTransferEncoding::QuotedPrintable,
    );
    m.add_attachment(
        "data.bin",
        MailPartSource::from_bytes(attachment(), "application/octet-stream", "data.bin"),
        ContentTransferEncoding::Base64,
    );
    m
}
