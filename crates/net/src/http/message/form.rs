//! [`HtmlForm`] (POCO `HTMLForm`): URL-encoded and multipart forms, read and written.

use std::io::{Read, Write};
use std::ops::{Deref, DerefMut};
use std::path::Path;

use super::header::{MessageHeader, split_parameters};
use super::message::{HTTP_1_0, HttpMessage};
use super::name_value::NameValueCollection;
use super::request::HttpRequest;
use crate::error::{Error, ErrorKind, Limit, Result};
use crate::http::encoding::{uri_decode, uri_encode};

/// `application/x-www-form-urlencoded`
pub const ENCODING_URL: &str = "application/x-www-form-urlencoded";
/// `multipart/form-data`
pub const ENCODING_MULTIPART: &str = "multipart/form-data";

const URL_RESERVED: &str = "!?#/'\",;:$&()[]*+=@";

/// The content of a file part (POCO `PartSource`: `StringPartSource`, `FilePartSource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartSource {
    /// The bytes.
    pub data: Vec<u8>,
    /// The media type, e.g. `text/plain`.
    pub media_type: String,
    /// The file name sent in `Content-Disposition` (empty: none).
    pub filename: String,
}

impl PartSource {
    /// A part from bytes (POCO `StringPartSource`).
    pub fn from_bytes(data: impl Into<Vec<u8>>, media_type: &str, filename: &str) -> Self {
        PartSource { data: data.into(), media_type: media_type.to_owned(), filename: filename.to_owned() }
    }

    /// A part from a file (POCO `FilePartSource`); the file name is the path's last segment.
    pub fn from_file(path: impl AsRef<Path>, media_type: &str) -> Result<Self> {
        let path = path.as_ref();
        let data = std::fs::read(path)
            .map_err(|e| Error::io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))))?;
        let filename = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(PartSource { data, media_type: media_type.to_owned(), filename })
    }
}

/// A file part received in a multipart form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePart {
    /// The form field name.
    pub name: String,
    /// The part's content and its media type and file name.
    pub source: PartSource,
}

/// POCO `HTMLForm`: form fields (it dereferences to a [`NameValueCollection`]) plus file
/// parts, read from a request and written in either encoding.
///
/// Limits (POCO): 100 fields, 1024-byte names, 256 KiB values → [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded);
/// received file parts are kept in memory up to 16 MiB each (POCO hands them to a
/// `PartHandler` instead).
///
/// ```
/// use rpoco_net::{HtmlForm, HttpMessage, HttpRequest, HTTP_1_1};
/// let mut form = HtmlForm::new();
/// form.add("name", "Jane Doe");
/// form.add("q", "a&b=c");
/// let mut req = HttpRequest::new("POST", "/submit", HTTP_1_1);
/// form.prepare_submit(&mut req)?;
/// assert_eq!(req.content_type(), "application/x-www-form-urlencoded");
/// let mut body = Vec::new();
/// form.write(&mut body)?;
/// assert_eq!(body, b"name=Jane%20Doe&q=a%26b%3Dc");
/// assert_eq!(req.content_length(), Some(body.len() as u64));
///
/// let mut back = HtmlForm::new();
/// back.load(&req, &mut &body[..])?;
/// assert_eq!(back.get("q"), Some("a&b=c"));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HtmlForm {
    fields: NameValueCollection,
    encoding: String,
    boundary: String,
    parts: Vec<FilePart>,
    field_limit: usize,
    name_length_limit: usize,
    value_length_limit: usize,
    file_length_limit: usize,
}

impl Default for HtmlForm {
    fn default() -> Self {
        HtmlForm {
            fields: NameValueCollection::new(),
            encoding: ENCODING_URL.to_owned(),
            boundary: String::new(),
            parts: Vec::new(),
            field_limit: 100,
            name_length_limit: 1024,
            value_length_limit: 256 * 1024,
            file_length_limit: 16 * 1024 * 1024,
        }
    }
}

impl Deref for HtmlForm {
    type Target = NameValueCollection;
    fn deref(&self) -> &NameValueCollection {
        &self.fields
    }
}

impl DerefMut for HtmlForm {
    fn deref_mut(&mut self) -> &mut NameValueCollection {
        &mut self.fields
    }
}

impl HtmlForm {
    /// An empty URL-encoded form.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty form with the given encoding ([`ENCODING_URL`] or [`ENCODING_MULTIPART`]).
    pub fn with_encoding(encoding: &str) -> Self {
        HtmlForm { encoding: encoding.to_owned(), ..Default::default() }
    }

    /// The encoding.
    pub fn encoding(&self) -> &str {
        &self.encoding
    }

    /// Sets the encoding.
    pub fn set_encoding(&mut self, encoding: &str) {
        self.encoding = encoding.to_owned();
    }

    /// The multipart boundary (set by [`prepare_submit`](Self::prepare_submit) or on read).
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// Sets the field-count limit.
    pub fn set_field_limit(&mut self, limit: usize) {
        self.field_limit = limit;
    }

    /// Sets the value-length limit.
    pub fn set_value_length_limit(&mut self, limit: usize) {
        self.value_length_limit = limit;
    }

    /// Sets the per-file limit for received file parts.
    pub fn set_file_length_limit(&mut self, limit: usize) {
        self.file_length_limit = limit;
    }

    /// Adds a file part (switches the form to multipart, as POCO does).
    pub fn add_part(&mut self, name: &str, source: PartSource) {
        self.encoding = ENCODING_MULTIPART.to_owned();
        self.parts.push(FilePart { name: name.to_owned(), source });
    }

    /// File parts (added, or received by [`load`](Self::load)).
    pub fn parts(&self) -> &[FilePart] {
        &self.parts
    }

    /// POCO `load(request, body)`: fields from the URI query, and for POST and PUT from the
    /// body (URL-encoded or multipart, by `Content-Type`).
    pub fn load(&mut self, request: &HttpRequest, body: &mut impl Read) -> Result<()> {
        if let Some((_, query)) = request.uri().split_once('?') {
            let query = query.split('#').next().unwrap_or("");
            self.read_url(query)?;
        }
        if matches!(request.method(), "POST" | "PUT") {
            let media = request.content_type().to_owned();
            let (value, params) = split_parameters(&media);
            if value.eq_ignore_ascii_case(ENCODING_MULTIPART) {
                let boundary = params
                    .get("boundary")
                    .ok_or_else(|| Error::new(ErrorKind::HtmlForm, "multipart form without a boundary"))?
                    .to_owned();
                self.read_multipart(body, &boundary)?;
            } else {
                let limit =
                    self.field_limit.saturating_mul(self.name_length_limit + self.value_length_limit + 2);
                let mut text = String::new();
                let n = body.take(limit as u64 + 1).read_to_string(&mut text)?;
                if n > limit {
                    return Err(Error::limit(Limit::Form, format!("form body longer than {limit} bytes")));
                }
                self.read_url(&text)?;
            }
        }
        Ok(())
    }

    /// Reads URL-encoded fields (`+` is a space; a UTF-8 BOM before the first name is
    /// dropped).
    pub fn read_url(&mut self, text: &str) -> Result<()> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for pair in text.split('&') {
            if pair.is_empty() {
                continue;
            }
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            let n = uri_decode(n, true)?;
            let v = uri_decode(v, true)?;
            self.add_checked(n, v)?;
        }
        Ok(())
    }

    fn add_checked(&mut self, name: String, value: String) -> Result<()> {
        if self.fields.len() >= self.field_limit {
            return Err(Error::limit(
                Limit::Form,
                format!("too many form fields (limit {})", self.field_limit),
            ));
        }
        if name.len() > self.name_length_limit {
            return Err(Error::limit(
                Limit::Form,
                format!("form field name longer than {}", self.name_length_limit),
            ));
        }
        if value.len() > self.value_length_limit {
            return Err(Error::limit(
                Limit::Form,
                format!("form field `{name}` longer than {} bytes", self.value_length_limit),
            ));
        }
        self.fields.add(name, value);
        Ok(())
    }

    fn read_multipart(&mut self, body: &mut impl Read, boundary: &str) -> Result<()> {
        self.boundary = boundary.to_owned();
        let limit = self
            .field_limit
            .saturating_mul(self.value_length_limit + self.name_length_limit + 512)
            .saturating_add(self.file_length_limit.saturating_mul(4));
        let mut data = Vec::new();
        let n = body.take(limit as u64 + 1).read_to_end(&mut data)?;
        if n > limit {
            return Err(Error::limit(Limit::Form, format!("multipart body longer than {limit} bytes")));
        }
        let delim = format!("--{boundary}").into_bytes();
        let mut pos = find(&data, &delim, 0).ok_or_else(|| {
            Error::new(ErrorKind::HtmlForm, format!("multipart body without boundary `{boundary}`"))
        })?;
        loop {
            pos += delim.len();
            if data[pos..].starts_with(b"--") {
                return Ok(());
            }
            pos += if data[pos..].starts_with(b"\r\n") {
                2
            } else if data[pos..].starts_with(b"\n") {
                1
            } else {
                return Err(Error::new(
                    ErrorKind::HtmlForm,
                    format!("bad multipart delimiter line at byte {pos}"),
                ));
            };
            let mut header = MessageHeader::new();
            let mut rest = &data[pos..];
            let before = rest.len();
            header.read(&mut rest)?;
            pos += before - rest.len();
            let mut close = delim.clone();
            close.splice(0..0, *b"\r\n");
            let end = find(&data, &close, pos).ok_or_else(|| {
                Error::new(ErrorKind::HtmlForm, format!("multipart part at byte {pos} is not terminated"))
            })?;
            let content = &data[pos..end];
            self.add_part_from(&header, content)?;
            pos = end + 2;
        }
    }

    fn add_part_from(&mut self, header: &MessageHeader, content: &[u8]) -> Result<()> {
        let disposition = header.get("Content-Disposition").unwrap_or("");
        let (_, params) = split_parameters(disposition);
        let name = params.get("name").unwrap_or("").to_owned();
        if let Some(filename) = params.get("filename") {
            if content.len() > self.file_length_limit {
                return Err(Error::limit(
                    Limit::Form,
                    format!("file part `{name}` longer than {}", self.file_length_limit),
                ));
            }
            let media = header.get("Content-Type").unwrap_or("text/plain");
            self.parts.push(FilePart { name, source: PartSource::from_bytes(content, media, filename) });
            return Ok(());
        }
        let value = String::from_utf8(content.to_vec())
            .map_err(|_| Error::new(ErrorKind::HtmlForm, format!("form field `{name}` is not UTF-8")))?;
        self.add_checked(name, value)
    }

    /// POCO `prepareSubmit`: for POST/PUT sets `Content-Type` (with a fresh boundary for
    /// multipart) and `Content-Length` (or chunked for multipart on HTTP/1.1); for other
    /// methods appends `?` and the encoded fields to the request URI.
    pub fn prepare_submit(&mut self, request: &mut HttpRequest) -> Result<()> {
        if matches!(request.method(), "POST" | "PUT") {
            if self.encoding.eq_ignore_ascii_case(ENCODING_MULTIPART) {
                self.boundary = format!("MIME_boundary_{}", crate::http::random_hex(8).to_ascii_uppercase());
                request.set_content_type(&format!("{}; boundary=\"{}\"", ENCODING_MULTIPART, self.boundary));
                if request.version() == HTTP_1_0 {
                    request.set_keep_alive(false);
                    request.set_content_length(Some(self.multipart_bytes().len() as u64));
                } else {
                    request.set_chunked_transfer_encoding(true);
                }
            } else {
                request.set_content_type(&self.encoding);
                request.set_content_length(Some(self.url_encoded().len() as u64));
            }
        } else {
            let uri = format!("{}?{}", request.uri(), self.url_encoded());
            request.set_uri(&uri);
        }
        Ok(())
    }

    /// The fields URL-encoded, `&`-joined.
    pub fn url_encoded(&self) -> String {
        self.fields
            .iter()
            .map(|(n, v)| format!("{}={}", uri_encode(n, URL_RESERVED), uri_encode(v, URL_RESERVED)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn multipart_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let b = &self.boundary;
        for (n, v) in self.fields.iter() {
            out.extend_from_slice(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n").as_bytes(),
            );
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        for p in &self.parts {
            let mut disp = format!("form-data; name=\"{}\"", p.name);
            if !p.source.filename.is_empty() {
                disp.push_str(&format!("; filename=\"{}\"", p.source.filename));
            }
            out.extend_from_slice(
                format!(
                    "--{b}\r\nContent-Disposition: {disp}\r\nContent-Type: {}\r\n\r\n",
                    p.source.media_type
                )
                .as_bytes(),
            );
            out.extend_from_slice(&p.source.data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        out
    }

    /// Writes the form body in its encoding. For multipart, call
    /// [`prepare_submit`](Self::prepare_submit) first (it chooses the boundary).
    pub fn write(&mut self, out: &mut impl Write) -> Result<()> {
        if self.encoding.eq_ignore_ascii_case(ENCODING_MULTIPART) {
            if self.boundary.is_empty() {
                self.boundary = format!("MIME_boundary_{}", crate::http::random_hex(8).to_ascii_uppercase());
            }
            out.write_all(&self.multipart_bytes())?;
        } else {
            out.write_all(self.url_encoded().as_bytes())?;
        }
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HTTP_1_1;

    #[test]
    fn multipart_round_trip_with_file() {
        let mut form = HtmlForm::with_encoding(ENCODING_MULTIPART);
        form.add("field", "value 1");
        form.add_part(
            "upload",
            PartSource::from_bytes(&b"file\r\n--data"[..], "application/octet-stream", "a.bin"),
        );
        let mut req = HttpRequest::new("POST", "/", HTTP_1_1);
        form.prepare_submit(&mut req).unwrap();
        assert!(req.chunked_transfer_encoding());
        let mut body = Vec::new();
        form.write(&mut body).unwrap();
        let mut back = HtmlForm::new();
        back.load(&req, &mut &body[..]).unwrap();
        assert_eq!(back.get("field"), Some("value 1"));
        assert_eq!(back.parts()[0].source.data, b"file\r\n--data");
        assert_eq!(back.parts()[0].source.filename, "a.bin");
    }

    #[test]
    fn get_appends_query_and_limits_apply() {
        let mut form = HtmlForm::new();
        form.add("a b", "c");
        let mut req = HttpRequest::with_method("GET", "/x");
        form.prepare_submit(&mut req).unwrap();
        assert_eq!(req.uri(), "/x?a%20b=c");
        let mut f = HtmlForm::new();
        f.set_field_limit(1);
        assert!(matches!(f.read_url("a=1&b=2"), Err(e) if e.limit_kind() == Some(Limit::Form)));
        let mut g = HtmlForm::new();
        g.read_url("\u{feff}x=1+2").unwrap();
        assert_eq!(g.get("x"), Some("1 2"));
    }
}
