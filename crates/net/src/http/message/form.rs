//! [`HtmlForm`] (POCO `HTMLForm`): URL-encoded and multipart forms, read and written.

use std::io::{Read, Write};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

use super::header::{MessageHeader, split_parameters};
use super::message::{HTTP_1_0, HttpMessage};
use super::multipart::{MultipartLimits, MultipartReader, MultipartWriter, PartHandler};
use super::name_value::NameValueCollection;
use super::request::HttpRequest;
use crate::error::{Error, ErrorKind, Limit, Result};
use crate::http::encoding::{uri_decode, uri_encode};

/// `application/x-www-form-urlencoded`
pub const ENCODING_URL: &str = "application/x-www-form-urlencoded";
/// `multipart/form-data`
pub const ENCODING_MULTIPART: &str = "multipart/form-data";

const URL_RESERVED: &str = "!?#/'\",;:$&()[]*+=@";

/// The content of a file part (POCO `PartSource`: `StringPartSource` from bytes,
/// `FilePartSource` streaming a file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartSource {
    /// The bytes (empty for a part streamed from [`path`](Self::path)).
    pub data: Vec<u8>,
    /// The media type, e.g. `text/plain`.
    pub media_type: String,
    /// The file name sent in `Content-Disposition` (empty: none).
    pub filename: String,
    /// A file whose content is streamed when the form is written, instead of `data`.
    pub path: Option<PathBuf>,
}

impl PartSource {
    /// A part from bytes (POCO `StringPartSource`).
    pub fn from_bytes(data: impl Into<Vec<u8>>, media_type: &str, filename: &str) -> Self {
        PartSource {
            data: data.into(),
            media_type: media_type.to_owned(),
            filename: filename.to_owned(),
            path: None,
        }
    }

    /// A part streamed from a file when the form is written (POCO `FilePartSource`); the
    /// file name is the path's last segment. The file must exist and be readable now.
    pub fn from_file(path: impl AsRef<Path>, media_type: &str) -> Result<Self> {
        let path = path.as_ref();
        std::fs::File::open(path)
            .map_err(|e| Error::new(ErrorKind::OpenFile, format!("{}: {e}", path.display())))?;
        let filename = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(PartSource {
            data: Vec::new(),
            media_type: media_type.to_owned(),
            filename,
            path: Some(path.to_owned()),
        })
    }

    /// The content's length (a file's current size).
    pub fn len(&self) -> Result<u64> {
        match &self.path {
            Some(p) => Ok(std::fs::metadata(p)
                .map_err(|e| Error::new(ErrorKind::OpenFile, format!("{}: {e}", p.display())))?
                .len()),
            None => Ok(self.data.len() as u64),
        }
    }

    /// Whether the content is empty.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The content as a reader (the file opened now, or the bytes).
    pub fn open(&self) -> Result<Box<dyn Read + '_>> {
        match &self.path {
            Some(p) => Ok(Box::new(
                std::fs::File::open(p)
                    .map_err(|e| Error::new(ErrorKind::OpenFile, format!("{}: {e}", p.display())))?,
            )),
            None => Ok(Box::new(&self.data[..])),
        }
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
/// at most 1024 multipart parts; [`load`](Self::load) keeps file parts in memory up to 16 MiB
/// each, [`load_with_handler`](Self::load_with_handler) streams them to a [`PartHandler`].
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
    part_limit: usize,
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
            part_limit: 1024,
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

    /// Sets the most multipart parts read (fields and files together; default 1024).
    pub fn set_part_limit(&mut self, limit: usize) {
        self.part_limit = limit;
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
    /// body (URL-encoded or multipart, by `Content-Type`). File parts are kept in memory (up
    /// to the file-length limit each); use [`load_with_handler`](Self::load_with_handler) to
    /// stream them instead.
    pub fn load(&mut self, request: &HttpRequest, body: &mut impl Read) -> Result<()> {
        let mut memory = InMemory { parts: Vec::new(), limit: self.file_length_limit };
        self.load_with_handler(request, body, &mut memory)?;
        self.parts.extend(memory.parts);
        Ok(())
    }

    /// POCO `load(request, body, handler)`: as [`load`](Self::load), but each file part (a
    /// part with a `filename`) goes to `handler` as a stream, so uploads of any size are read
    /// in bounded memory. Other parts are fields, under the field limits.
    pub fn load_with_handler(
        &mut self,
        request: &HttpRequest,
        body: &mut impl Read,
        handler: &mut dyn PartHandler,
    ) -> Result<()> {
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
                self.read_multipart(body, &boundary, handler)?;
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

    fn read_multipart(
        &mut self,
        body: &mut impl Read,
        boundary: &str,
        handler: &mut dyn PartHandler,
    ) -> Result<()> {
        self.boundary = boundary.to_owned();
        let limits = MultipartLimits { max_parts: self.part_limit, ..MultipartLimits::default() };
        let mut reader = MultipartReader::with_limits(body, boundary, limits)?;
        while let Some(header) = reader.next_part()? {
            let disposition = header.get("Content-Disposition").unwrap_or("");
            let (_, params) = split_parameters(disposition);
            let name = params.get("name").unwrap_or("").to_owned();
            if params.get("filename").is_some() {
                handler.handle_part(&header, &mut reader)?;
                continue;
            }
            let mut raw = Vec::new();
            let n = (&mut reader).take(self.value_length_limit as u64 + 1).read_to_end(&mut raw)?;
            if n > self.value_length_limit {
                return Err(Error::limit(
                    Limit::Form,
                    format!("form field `{name}` longer than {} bytes", self.value_length_limit),
                ));
            }
            let value = String::from_utf8(raw)
                .map_err(|_| Error::new(ErrorKind::HtmlForm, format!("form field `{name}` is not UTF-8")))?;
            self.add_checked(name, value)?;
        }
        Ok(())
    }

    /// POCO `prepareSubmit`: for POST/PUT sets `Content-Type` (with a fresh boundary for
    /// multipart) and `Content-Length` (or chunked for multipart on HTTP/1.1); for other
    /// methods appends `?` and the encoded fields to the request URI.
    pub fn prepare_submit(&mut self, request: &mut HttpRequest) -> Result<()> {
        if matches!(request.method(), "POST" | "PUT") {
            if self.encoding.eq_ignore_ascii_case(ENCODING_MULTIPART) {
                self.boundary = MultipartWriter::<Vec<u8>>::create_boundary();
                request.set_content_type(&format!("{}; boundary=\"{}\"", ENCODING_MULTIPART, self.boundary));
                if request.version() == HTTP_1_0 {
                    request.set_keep_alive(false);
                    request.set_content_length(Some(self.calculate_content_length()?));
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

    fn part_headers(&self) -> Vec<(MessageHeader, Option<&PartSource>, &str)> {
        let mut out = Vec::new();
        for (n, v) in self.fields.iter() {
            let mut h = MessageHeader::new();
            h.set("Content-Disposition", format!("form-data; name={}", quote_always(n)));
            out.push((h, None, v));
        }
        for p in &self.parts {
            let mut disp = format!("form-data; name={}", quote_always(&p.name));
            if !p.source.filename.is_empty() {
                disp.push_str(&format!("; filename={}", quote_always(&p.source.filename)));
            }
            let mut h = MessageHeader::new();
            h.set("Content-Disposition", &disp);
            h.set("Content-Type", &p.source.media_type);
            out.push((h, Some(&p.source), ""));
        }
        out
    }

    /// POCO `calculateContentLength`: the body's length in its encoding (files by their
    /// current size); for multipart, call [`prepare_submit`](Self::prepare_submit) first.
    pub fn calculate_content_length(&self) -> Result<u64> {
        if !self.encoding.eq_ignore_ascii_case(ENCODING_MULTIPART) {
            return Ok(self.url_encoded().len() as u64);
        }
        let w = MultipartWriter::new(std::io::sink(), &self.boundary);
        let mut total = 0;
        let parts = self.part_headers();
        for (i, (h, source, value)) in parts.iter().enumerate() {
            total += w.part_overhead(h, i == 0);
            total += match source {
                Some(s) => s.len()?,
                None => value.len() as u64,
            };
        }
        Ok(total + w.close_overhead(!parts.is_empty()))
    }

    /// Writes the form body in its encoding, streaming file parts. For multipart, call
    /// [`prepare_submit`](Self::prepare_submit) first (it chooses the boundary).
    pub fn write(&mut self, out: &mut impl Write) -> Result<()> {
        if self.encoding.eq_ignore_ascii_case(ENCODING_MULTIPART) {
            if self.boundary.is_empty() {
                self.boundary = MultipartWriter::<Vec<u8>>::create_boundary();
            }
            let mut w = MultipartWriter::new(out, &self.boundary);
            for (h, source, value) in self.part_headers() {
                w.next_part(&h)?;
                match source {
                    Some(s) => {
                        std::io::copy(&mut s.open()?, &mut w)?;
                    }
                    None => w.write_all(value.as_bytes())?,
                }
            }
            w.close()?;
        } else {
            out.write_all(self.url_encoded().as_bytes())?;
        }
        Ok(())
    }
}

/// A quoted-string for `Content-Disposition` parameters (RFC 7578 §4.2).
fn quote_always(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// What [`HtmlForm::load`] does with file parts: keeps them in memory, up to a limit each.
struct InMemory {
    parts: Vec<FilePart>,
    limit: usize,
}

impl PartHandler for InMemory {
    fn handle_part(&mut self, header: &MessageHeader, body: &mut dyn Read) -> Result<()> {
        let (_, params) = split_parameters(header.get("Content-Disposition").unwrap_or(""));
        let name = params.get("name").unwrap_or("").to_owned();
        let mut data = Vec::new();
        let n = body.take(self.limit as u64 + 1).read_to_end(&mut data)?;
        if n > self.limit {
            return Err(Error::limit(Limit::Form, format!("file part `{name}` longer than {}", self.limit)));
        }
        let media = header.get("Content-Type").unwrap_or("text/plain");
        let filename = params.get("filename").unwrap_or("");
        self.parts.push(FilePart { name, source: PartSource::from_bytes(data, media, filename) });
        Ok(())
    }
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
