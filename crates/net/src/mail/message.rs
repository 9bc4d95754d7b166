//! [`MailMessage`] (POCO `MailMessage`): the message model, its headers and parts.
//! Writing is in `write.rs`, reading in `read.rs`.

use std::time::SystemTime;

use super::part_source::MailPartSource;
use super::recipient::MailRecipient;
use crate::http::message::{MediaType, MessageHeader};

/// How a part's content is encoded on the wire (POCO `ContentTransferEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ContentTransferEncoding {
    /// `7bit`: written as is.
    SevenBit,
    /// `8bit`: written as is.
    EightBit,
    /// `quoted-printable` (POCO's default for `setContent`).
    #[default]
    QuotedPrintable,
    /// `base64` (POCO's default for attachments).
    Base64,
}

impl ContentTransferEncoding {
    /// The header value (`7bit`, `8bit`, `quoted-printable`, `base64`).
    pub fn as_str(self) -> &'static str {
        match self {
            ContentTransferEncoding::SevenBit => MailMessage::CTE_7BIT,
            ContentTransferEncoding::EightBit => MailMessage::CTE_8BIT,
            ContentTransferEncoding::QuotedPrintable => MailMessage::CTE_QUOTED_PRINTABLE,
            ContentTransferEncoding::Base64 => MailMessage::CTE_BASE64,
        }
    }

    /// Parses a header value (case-insensitive, parameters ignored); unknown → `None`.
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.split(';').next().unwrap_or("").trim();
        [Self::SevenBit, Self::EightBit, Self::QuotedPrintable, Self::Base64]
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(v))
    }
}

/// Whether a part is shown in the body or offered as a file (POCO `ContentDisposition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ContentDisposition {
    /// `inline`
    #[default]
    Inline,
    /// `attachment`
    Attachment,
}

/// One part of a multipart message (POCO `MailMessage::Part`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPart {
    /// The part name (the `name` parameter of its `Content-Type`; empty: none).
    pub name: String,
    /// The content.
    pub source: MailPartSource,
    /// Inline or attachment.
    pub disposition: ContentDisposition,
    /// The transfer encoding used when writing.
    pub encoding: ContentTransferEncoding,
}

/// POCO `MailMessage`: an Internet message (RFC 5322) with MIME parts (RFC 2045/2046).
///
/// Headers are a [`MessageHeader`] ([`header`](Self::header), [`header_mut`](Self::header_mut));
/// recipients are kept apart and become `To`/`CC` when written (`BCC` never does). Header
/// values that are not ASCII are written as RFC 2047 encoded words and decoded when read.
///
/// ```
/// use rpoco_net::mail::{MailMessage, MailRecipient, RecipientType, ContentTransferEncoding};
/// let mut m = MailMessage::new();
/// m.set_sender("poco@appinf.com");
/// m.add_recipient(MailRecipient::new(RecipientType::Primary, "john.doe@no.where", "John Doe"));
/// m.set_subject("Grüße");
/// m.set_content("Hello, world!\r\n", ContentTransferEncoding::EightBit);
/// let mut out = Vec::new();
/// m.write(&mut out)?;
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=\r\n"));
/// assert!(text.ends_with("\r\n\r\nHello, world!\r\n"));
///
/// let back = MailMessage::from_bytes(text.as_bytes())?;
/// assert_eq!(back.subject(), "Grüße");
/// assert_eq!(back.content(), b"Hello, world!\r\n");
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    pub(super) header: MessageHeader,
    pub(super) recipients: Vec<MailRecipient>,
    pub(super) content: Vec<u8>,
    pub(super) encoding: ContentTransferEncoding,
    pub(super) parts: Vec<MailPart>,
    pub(super) boundary: String,
}

impl Default for MailMessage {
    fn default() -> Self {
        Self::new()
    }
}

impl MailMessage {
    /// `Subject`
    pub const HEADER_SUBJECT: &'static str = "Subject";
    /// `From`
    pub const HEADER_FROM: &'static str = "From";
    /// `To`
    pub const HEADER_TO: &'static str = "To";
    /// `CC`
    pub const HEADER_CC: &'static str = "CC";
    /// `BCC`
    pub const HEADER_BCC: &'static str = "BCC";
    /// `Date`
    pub const HEADER_DATE: &'static str = "Date";
    /// `Content-Type`
    pub const HEADER_CONTENT_TYPE: &'static str = "Content-Type";
    /// `Content-Transfer-Encoding`
    pub const HEADER_CONTENT_TRANSFER_ENCODING: &'static str = "Content-Transfer-Encoding";
    /// `Content-Disposition`
    pub const HEADER_CONTENT_DISPOSITION: &'static str = "Content-Disposition";
    /// `Content-ID`
    pub const HEADER_CONTENT_ID: &'static str = "Content-ID";
    /// `Mime-Version`
    pub const HEADER_MIME_VERSION: &'static str = "Mime-Version";
    /// `text/plain`
    pub const TEXT_PLAIN: &'static str = "text/plain";
    /// `7bit`
    pub const CTE_7BIT: &'static str = "7bit";
    /// `8bit`
    pub const CTE_8BIT: &'static str = "8bit";
    /// `quoted-printable`
    pub const CTE_QUOTED_PRINTABLE: &'static str = "quoted-printable";
    /// `base64`
    pub const CTE_BASE64: &'static str = "base64";

    /// An empty `text/plain` message dated now (POCO's constructor).
    pub fn new() -> Self {
        let mut m = Self::empty();
        m.set_date(SystemTime::now());
        m.set_content_type(Self::TEXT_PLAIN);
        m
    }

    /// A message without any header (what [`read`](Self::read) fills).
    pub(super) fn empty() -> Self {
        MailMessage {
            header: MessageHeader::new(),
            recipients: Vec::new(),
            content: Vec::new(),
            encoding: ContentTransferEncoding::QuotedPrintable,
            parts: Vec::new(),
            boundary: String::new(),
        }
    }

    /// The headers.
    pub fn header(&self) -> &MessageHeader {
        &self.header
    }

    /// The headers, to change (e.g. `Reply-To`, `Message-ID`).
    pub fn header_mut(&mut self) -> &mut MessageHeader {
        &mut self.header
    }

    /// A header's value (`None` when absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.header.get(name)
    }

    /// Sets a header (replacing the first with that name).
    pub fn set(&mut self, name: &str, value: &str) {
        self.header.set(name, value);
    }

    /// POCO `addRecipient`.
    pub fn add_recipient(&mut self, recipient: MailRecipient) {
        self.recipients.push(recipient);
    }

    /// POCO `setRecipients`.
    pub fn set_recipients(&mut self, recipients: Vec<MailRecipient>) {
        self.recipients = recipients;
    }

    /// POCO `recipients`: to, cc and bcc. After [`read`](Self::read) these come from the
    /// `To` and `CC` headers.
    pub fn recipients(&self) -> &[MailRecipient] {
        &self.recipients
    }

    /// POCO `setSender`: the `From` header, e.g. `Jane <jane@x.org>` or `jane@x.org`.
    pub fn set_sender(&mut self, sender: &str) {
        self.set(Self::HEADER_FROM, sender);
    }

    /// POCO `getSender` (empty when absent).
    pub fn sender(&self) -> &str {
        self.get(Self::HEADER_FROM).unwrap_or("")
    }

    /// POCO `setSubject`. Non-ASCII text is encoded when written.
    pub fn set_subject(&mut self, subject: &str) {
        self.set(Self::HEADER_SUBJECT, subject);
    }

    /// POCO `getSubject` (decoded; empty when absent).
    pub fn subject(&self) -> &str {
        self.get(Self::HEADER_SUBJECT).unwrap_or("")
    }

    /// POCO `setContent`: the body of a single-part message and its transfer encoding.
    pub fn set_content(&mut self, content: impl Into<Vec<u8>>, encoding: ContentTransferEncoding) {
        self.content = content.into();
        self.encoding = encoding;
        self.set(Self::HEADER_CONTENT_TRANSFER_ENCODING, encoding.as_str());
    }

    /// POCO `getContent`: the decoded body of a single-part message.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The transfer encoding of the content (as set, or as read).
    pub fn encoding(&self) -> ContentTransferEncoding {
        self.encoding
    }

    /// POCO `setContentType`.
    pub fn set_content_type(&mut self, media_type: &str) {
        self.set(Self::HEADER_CONTENT_TYPE, media_type);
    }

    /// POCO `getContentType` (`text/plain` when absent).
    pub fn content_type(&self) -> &str {
        self.get(Self::HEADER_CONTENT_TYPE).unwrap_or(Self::TEXT_PLAIN)
    }

    /// POCO `setDate`: the `Date` header in POCO's RFC 1123 form.
    pub fn set_date(&mut self, time: SystemTime) {
        self.set(Self::HEADER_DATE, &super::date::format(time));
    }

    /// POCO `getDate`: the `Date` header parsed (`None` when absent or unreadable).
    pub fn date(&self) -> Option<SystemTime> {
        self.get(Self::HEADER_DATE).and_then(super::date::parse)
    }

    /// POCO `isMultipart`: whether the content type is `multipart/*`.
    pub fn is_multipart(&self) -> bool {
        MediaType::parse(self.content_type()).matches_type("multipart")
    }

    /// POCO `addPart`: adds a part and makes the message `multipart/mixed` (unless it is
    /// already multipart).
    pub fn add_part(
        &mut self,
        name: &str,
        source: impl Into<MailPartSource>,
        disposition: ContentDisposition,
        encoding: ContentTransferEncoding,
    ) {
        self.make_multipart();
        self.parts.push(MailPart { name: name.to_owned(), source: source.into(), disposition, encoding });
    }

    /// POCO `addContent`: an inline part.
    pub fn add_content(&mut self, source: impl Into<MailPartSource>, encoding: ContentTransferEncoding) {
        self.add_part("", source, ContentDisposition::Inline, encoding);
    }

    /// POCO `addAttachment`: an attachment part (POCO's default encoding is base64).
    pub fn add_attachment(
        &mut self,
        name: &str,
        source: impl Into<MailPartSource>,
        encoding: ContentTransferEncoding,
    ) {
        self.add_part(name, source, ContentDisposition::Attachment, encoding);
    }

    /// The parts (added, or read).
    pub fn parts(&self) -> &[MailPart] {
        &self.parts
    }

    /// The multipart boundary (chosen when the first part is added, or read).
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    fn make_multipart(&mut self) {
        if !self.is_multipart() {
            self.set_content_type("multipart/mixed");
        }
        if self.boundary.is_empty() {
            self.boundary = format!("MIME_boundary_{}", crate::http::random_hex(8).to_ascii_uppercase());
        }
    }
}
