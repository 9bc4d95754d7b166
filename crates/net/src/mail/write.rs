//! Writing a [`MailMessage`] as RFC 5322 / MIME (POCO `MailMessage::write`).

use std::io::{self, Read, Write};

use rpoco_foundation::base64::Base64Encoder;

use super::encoded_word::encode_word;
use super::message::{ContentDisposition, ContentTransferEncoding, MailMessage, MailPart};
use super::quoted_printable::QuotedPrintableEncoder;
use super::recipient::{MailRecipient, RecipientType, encode_address_list};
use crate::error::Result;
use crate::http::message::{MediaType, MessageHeader, NameValueCollection, quote};

impl MailMessage {
    /// POCO `write`: the header (with `To`/`CC` from the recipients, `Mime-Version` and the
    /// boundary for multipart), an empty line, and the content or the parts, each in its
    /// transfer encoding. File parts are streamed.
    ///
    /// A header value with a line break that is not a fold (CRLF followed by space or tab)
    /// is refused ([`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)): it would
    /// inject header lines.
    pub fn write(&self, out: &mut dyn Write) -> Result<()> {
        let mut header = self.header.clone();
        self.set_recipient_headers(&mut header);
        let mut out = io::BufWriter::with_capacity(16 * 1024, out);
        if self.is_multipart() {
            let mut media = MediaType::parse(self.content_type());
            media.set_parameter("boundary", &self.boundary);
            header.set(Self::HEADER_CONTENT_TYPE, media.to_string());
            header.set(Self::HEADER_MIME_VERSION, "1.0");
            write_header(header.fields(), &mut out)?;
            write_parts(&self.parts, &self.boundary, &mut out)?;
        } else {
            write_header(header.fields(), &mut out)?;
            write_encoded(&mut &self.content[..], &mut out, self.encoding)?;
        }
        out.flush()?;
        Ok(())
    }

    /// The message as bytes ([`write`](Self::write) into a `Vec`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(out)
    }

    fn set_recipient_headers(&self, header: &mut MessageHeader) {
        let mut to = String::new();
        let mut cc = String::new();
        for r in &self.recipients {
            match r.kind() {
                RecipientType::Primary => append_recipient(r, &mut to),
                RecipientType::Cc => append_recipient(r, &mut cc),
                RecipientType::Bcc => {}
            }
        }
        if !to.is_empty() {
            header.set(Self::HEADER_TO, to);
        }
        if !cc.is_empty() {
            header.set(Self::HEADER_CC, cc);
        }
    }
}

/// POCO `appendRecipient`: `, `-separated, folded before a line would pass 70 characters.
fn append_recipient(r: &MailRecipient, out: &mut String) {
    if !out.is_empty() {
        out.push_str(", ");
    }
    let rec = if r.real_name().is_empty() { format!("<{}>", r.address()) } else { r.to_header_value() };
    let line = out.rsplit('\n').next().unwrap_or("").len();
    if line + rec.len() > 70 {
        out.push_str("\r\n\t");
    }
    out.push_str(&rec);
}

/// Header fields, non-ASCII values as encoded words, then the empty line.
fn write_header(fields: &NameValueCollection, out: &mut dyn Write) -> Result<()> {
    for (name, value) in fields.iter() {
        check_value(name, value)?;
        let value = if value.is_ascii() {
            value.to_owned()
        } else if is_address_header(name) {
            encode_address_list(value)
        } else {
            encode_word(value, "UTF-8")
        };
        out.write_all(name.as_bytes())?;
        out.write_all(b": ")?;
        out.write_all(value.as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    out.write_all(b"\r\n")?;
    Ok(())
}

fn is_address_header(name: &str) -> bool {
    ["From", "To", "CC", "BCC", "Reply-To", "Sender", "Resent-From", "Resent-To", "Resent-Cc"]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

fn check_value(name: &str, value: &str) -> Result<()> {
    let bad_name = name.is_empty() || name.bytes().any(|c| !(33..=126).contains(&c) || c == b':');
    let b = value.as_bytes();
    let bad_break = b.iter().enumerate().any(|(i, &c)| match c {
        b'\r' => b.get(i + 1) != Some(&b'\n'),
        b'\n' => i == 0 || b[i - 1] != b'\r' || !matches!(b.get(i + 1), Some(b' ' | b'\t')),
        _ => false,
    });
    if bad_name || bad_break {
        return Err(super::error::invalid_argument(format!(
            "header `{}` has a line break or character that would break the message header",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// POCO `MultipartWriter` + `writePart`: each part after `--boundary`, then `--boundary--`.
fn write_parts(parts: &[MailPart], boundary: &str, out: &mut dyn Write) -> Result<()> {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\r\n")?;
        }
        write!(out, "--{boundary}\r\n")?;
        let mut header = part.source.headers().clone();
        let mut media = MediaType::parse(part.source.media_type());
        if !part.name.is_empty() {
            media.set_parameter("name", &part.name);
        }
        header.set(MailMessage::HEADER_CONTENT_TYPE, media.to_string());
        header.set(MailMessage::HEADER_CONTENT_TRANSFER_ENCODING, part.encoding.as_str());
        let disposition = match part.disposition {
            ContentDisposition::Attachment => {
                let filename = part.source.filename();
                if filename.is_empty() {
                    "attachment".to_owned()
                } else if filename.is_ascii() {
                    format!("attachment; filename={}", quote(filename))
                } else {
                    format!("attachment; filename*=UTF-8''{}", rfc2231_encode(filename))
                }
            }
            ContentDisposition::Inline => "inline".to_owned(),
        };
        header.set(MailMessage::HEADER_CONTENT_DISPOSITION, disposition);
        write_header(&header, out)?;
        let mut source = part.source.open()?;
        write_encoded(&mut source, out, part.encoding)?;
    }
    if !parts.is_empty() {
        out.write_all(b"\r\n")?;
    }
    write!(out, "--{boundary}--\r\n")?;
    Ok(())
}

/// RFC 2231 extended parameter value: UTF-8, percent-encoded outside attribute-chars.
fn rfc2231_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for &c in value.as_bytes() {
        if c.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// POCO `writeEncoded`.
pub(super) fn write_encoded(
    src: &mut dyn Read,
    out: &mut dyn Write,
    encoding: ContentTransferEncoding,
) -> Result<()> {
    match encoding {
        ContentTransferEncoding::SevenBit | ContentTransferEncoding::EightBit => {
            io::copy(src, out)?;
        }
        ContentTransferEncoding::QuotedPrintable => {
            let mut enc = QuotedPrintableEncoder::new(&mut *out);
            io::copy(src, &mut enc)?;
            enc.finish()?;
        }
        ContentTransferEncoding::Base64 => {
            let mut enc = Base64Encoder::new(&mut *out);
            io::copy(src, &mut enc)?;
            enc.finish()?;
        }
    }
    Ok(())
}
