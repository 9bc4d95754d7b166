//! Reading a [`MailMessage`] (POCO `MailMessage::read`), streaming parts to a
//! [`PartHandler`] within [`MailLimits`]. The handler is the crate's one `PartHandler` (POCO
//! shares it between HTML forms and mail); for a message it gets each leaf part's header and
//! its decoded body (quoted-printable and base64 undone), nested multiparts walked in order.

use std::io::{self, BufRead, Read};

use rpoco_foundation::base64::Base64Decoder;

use super::error::{MailLimit, limit, malformed};
use super::header_reader::{HeaderBlockLimits, read_header};
use super::message::{ContentDisposition, ContentTransferEncoding, MailMessage, MailPart};
use super::mime_reader::MultipartReader;
use super::part_source::MailPartSource;
use super::quoted_printable::QuotedPrintableDecoder;
use super::recipient::{MailRecipient, RecipientType, parse_address_list};
use crate::error::Result;
use crate::http::message::{MediaType, MessageHeader, PartHandler, split_parameters};

/// Limits applied while reading a message; exceeding one is an
/// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) error whose
/// [`Limit`](crate::Limit) names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLimits {
    /// Bytes in one header block, the message's or a part's (default 256 KiB).
    pub max_header_size: usize,
    /// Fields in one header block (default 1000: relayed mail has many `Received`).
    pub max_header_fields: usize,
    /// MIME parts in the whole message, nested ones included (default 1000; POCO 100000).
    pub max_parts: usize,
    /// Multipart nesting depth (default 16; the message's own multipart is depth 1).
    pub max_depth: usize,
    /// Decoded bytes [`MailMessage::read`] keeps in memory, all parts together (default
    /// 64 MiB). [`MailMessage::read_with`] keeps nothing, so this does not apply there.
    pub max_content_size: usize,
}

impl Default for MailLimits {
    fn default() -> Self {
        MailLimits {
            max_header_size: 256 * 1024,
            max_header_fields: 1000,
            max_parts: 1000,
            max_depth: 16,
            max_content_size: 64 * 1024 * 1024,
        }
    }
}

impl MailLimits {
    fn header_block(&self) -> HeaderBlockLimits {
        HeaderBlockLimits { max_size: self.max_header_size, max_fields: self.max_header_fields }
    }
}

impl MailMessage {
    /// Parses a message from bytes (default limits).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut m = MailMessage::empty();
        m.read(&mut &bytes[..])?;
        Ok(m)
    }

    /// POCO `read(istr)`: replaces this message with the one read from `input`: headers,
    /// recipients (from `To` and `CC`), and the content or the parts, decoded, in memory.
    pub fn read(&mut self, input: &mut dyn BufRead) -> Result<()> {
        self.read_with_limits(input, &MailLimits::default())
    }

    /// [`read`](Self::read) with explicit limits.
    pub fn read_with_limits(&mut self, input: &mut dyn BufRead, limits: &MailLimits) -> Result<()> {
        let mut store =
            Store { parts: Vec::new(), content: Vec::new(), kept: 0, limit: limits.max_content_size };
        self.read_entity(input, limits, &mut store)?;
        self.parts = store.parts;
        if !self.is_multipart() {
            self.content = store.content;
        }
        Ok(())
    }

    /// POCO `read(istr, handler)`: reads the headers into this message and hands the body
    /// (single part) or each leaf part (multipart) to `handler`, without keeping content.
    pub fn read_with(
        &mut self,
        input: &mut dyn BufRead,
        handler: &mut dyn PartHandler,
        limits: &MailLimits,
    ) -> Result<()> {
        self.read_entity(input, limits, &mut Forward(handler))
    }

    fn read_entity(
        &mut self,
        input: &mut dyn BufRead,
        limits: &MailLimits,
        sink: &mut dyn Sink,
    ) -> Result<()> {
        *self = MailMessage::empty();
        self.header = read_header(input, limits.header_block())?;
        self.recipients = recipients_from(&self.header);
        let encoding =
            self.get(Self::HEADER_CONTENT_TRANSFER_ENCODING).and_then(ContentTransferEncoding::parse);
        self.encoding = encoding.unwrap_or(ContentTransferEncoding::SevenBit);
        let mut walker = Walker { limits, parts: 0, sink };
        if self.is_multipart() {
            let media = MediaType::parse(self.content_type());
            self.boundary = boundary_of(&media)?;
            walker.multipart(input, &self.boundary.clone(), 1)?;
            // The epilogue (and anything after it) is not part of any part.
            io::copy(input, &mut io::sink())?;
        } else {
            walker.leaf(&self.header.clone(), input, true)?;
        }
        Ok(())
    }
}

fn boundary_of(media: &MediaType) -> Result<String> {
    match media.parameter("boundary") {
        Some(b) if !b.is_empty() && b.len() <= 200 => Ok(b.to_owned()),
        Some(_) => Err(malformed("multipart boundary is empty or longer than 200 characters")),
        None => Err(malformed(format!("multipart content type `{media}` has no boundary"))),
    }
}

/// Where leaf parts go.
trait Sink {
    fn part(&mut self, header: &MessageHeader, body: &mut dyn Read, top: bool) -> Result<()>;
}

struct Forward<'h>(&'h mut dyn PartHandler);

impl Sink for Forward<'_> {
    fn part(&mut self, header: &MessageHeader, body: &mut dyn Read, _top: bool) -> Result<()> {
        self.0.handle_part(header, body)
    }
}

/// The default handler of [`MailMessage::read`]: keeps content and parts (POCO's
/// `StringPartHandler` and `MultiPartHandler`).
struct Store {
    parts: Vec<MailPart>,
    content: Vec<u8>,
    kept: usize,
    limit: usize,
}

impl Sink for Store {
    fn part(&mut self, header: &MessageHeader, body: &mut dyn Read, top: bool) -> Result<()> {
        let mut data = Vec::new();
        let room = self.limit.saturating_sub(self.kept);
        body.take(room as u64 + 1).read_to_end(&mut data)?;
        if data.len() > room {
            return Err(limit(
                MailLimit::Size,
                format!("message content larger than {} bytes (MailLimits::max_content_size)", self.limit),
            ));
        }
        self.kept += data.len();
        if top {
            self.content = data;
            return Ok(());
        }
        let content_type = header.get(MailMessage::HEADER_CONTENT_TYPE).unwrap_or(MailMessage::TEXT_PLAIN);
        let disposition = header.get(MailMessage::HEADER_CONTENT_DISPOSITION);
        let filename = disposition
            .and_then(|d| filename_param(d, "filename"))
            .or_else(|| filename_param(content_type, "name"))
            .unwrap_or_default();
        let mut source = MailPartSource::from_bytes(data, content_type, &filename);
        for (n, v) in header.iter() {
            source.headers_mut().add(n, v);
        }
        let disposition = match disposition.map(|d| split_parameters(d).0) {
            Some(d) if !d.is_empty() && !d.eq_ignore_ascii_case("inline") => ContentDisposition::Attachment,
            _ => ContentDisposition::Inline,
        };
        let encoding = header
            .get(MailMessage::HEADER_CONTENT_TRANSFER_ENCODING)
            .and_then(ContentTransferEncoding::parse)
            .unwrap_or(ContentTransferEncoding::SevenBit);
        let name = MediaType::parse(content_type).parameter("name").unwrap_or("").to_owned();
        self.parts.push(MailPart { name, source, disposition, encoding });
        Ok(())
    }
}

/// A parameter, RFC 2231 `name*=charset''value` form included.
fn filename_param(value: &str, name: &str) -> Option<String> {
    let (_, params) = split_parameters(value);
    if let Some(v) = params.get(&format!("{name}*")) {
        let (_, rest) = v.split_once("''")?;
        let bytes = crate::http::encoding::uri_decode(rest, false).ok()?;
        return Some(bytes);
    }
    params.get(name).filter(|v| !v.is_empty()).map(str::to_owned)
}

struct Walker<'l, 's> {
    limits: &'l MailLimits,
    parts: usize,
    sink: &'s mut dyn Sink,
}

impl Walker<'_, '_> {
    fn multipart(&mut self, src: &mut dyn BufRead, boundary: &str, depth: usize) -> Result<()> {
        if depth > self.limits.max_depth {
            return Err(limit(
                MailLimit::Depth,
                format!("multipart nested deeper than {} levels", self.limits.max_depth),
            ));
        }
        let mut reader = MultipartReader::new(src, boundary);
        while let Some(header) =
            reader.next_part(self.limits.max_header_size, self.limits.max_header_fields)?
        {
            self.parts += 1;
            if self.parts > self.limits.max_parts {
                return Err(limit(
                    MailLimit::Parts,
                    format!("more than {} MIME parts", self.limits.max_parts),
                ));
            }
            let media =
                MediaType::parse(header.get(MailMessage::HEADER_CONTENT_TYPE).unwrap_or("text/plain"));
            let mut body = reader.body();
            if media.matches_type("multipart") {
                let inner = boundary_of(&media)?;
                self.multipart(&mut body, &inner, depth + 1)?;
                io::copy(&mut body, &mut io::sink())?;
            } else {
                self.leaf(&header, &mut body, false)?;
            }
        }
        Ok(())
    }

    /// Decodes a leaf part by its `Content-Transfer-Encoding` and hands it on; skips what
    /// the handler leaves.
    fn leaf(&mut self, header: &MessageHeader, body: &mut dyn BufRead, top: bool) -> Result<()> {
        let encoding = header
            .get(MailMessage::HEADER_CONTENT_TRANSFER_ENCODING)
            .and_then(ContentTransferEncoding::parse);
        match encoding {
            Some(ContentTransferEncoding::QuotedPrintable) => {
                self.sink.part(header, &mut QuotedPrintableDecoder::new(&mut *body), top)?
            }
            Some(ContentTransferEncoding::Base64) => {
                self.sink.part(header, &mut Base64Decoder::new(&mut *body), top)?
            }
            _ => self.sink.part(header, &mut *body, top)?,
        }
        io::copy(body, &mut io::sink())?;
        Ok(())
    }
}

/// Recipients from the `To` and `CC` headers (`Name <addr>` or `addr`, comma-separated).
fn recipients_from(header: &MessageHeader) -> Vec<MailRecipient> {
    let mut out = Vec::new();
    for (name, kind) in
        [(MailMessage::HEADER_TO, RecipientType::Primary), (MailMessage::HEADER_CC, RecipientType::Cc)]
    {
        for value in header.get_all(name) {
            for (real, addr) in parse_address_list(value) {
                out.push(MailRecipient::new(kind, &addr, &real));
            }
        }
    }
    out
}
