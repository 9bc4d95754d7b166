//! [`MailPartSource`]: the content of one MIME part, in memory or streamed from a file
//! (POCO `PartSource`, `StringPartSource`, `FilePartSource`).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::http::message::{NameValueCollection, PartSource};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// The content of a MIME part with its media type, file name and extra part headers.
///
/// A file source is opened and streamed each time the message is written, so a large
/// attachment never sits in memory and a message can be written more than once (POCO's
/// `FilePartSource` opens the file once, when it is made).
///
/// ```
/// use rpoco_net::mail::MailPartSource;
/// let mut p = MailPartSource::from_bytes("This is some binary data.", "application/octet-stream", "sample.dat");
/// p.headers_mut().set("Content-ID", "abcd1234");
/// assert_eq!(p.filename(), "sample.dat");
/// assert_eq!(p.bytes(), Some(&b"This is some binary data."[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPartSource {
    content: Content,
    media_type: String,
    filename: String,
    headers: NameValueCollection,
}

impl MailPartSource {
    /// Content from bytes (POCO `StringPartSource(content, mediaType, filename)`).
    pub fn from_bytes(data: impl Into<Vec<u8>>, media_type: &str, filename: &str) -> Self {
        MailPartSource {
            content: Content::Bytes(data.into()),
            media_type: media_type.to_owned(),
            filename: filename.to_owned(),
            headers: NameValueCollection::new(),
        }
    }

    /// Content streamed from the file at `path` (POCO `FilePartSource(path, mediaType)`);
    /// the file name is the path's last segment. Fails now if the file cannot be opened.
    pub fn from_file(path: impl AsRef<Path>, media_type: &str) -> crate::Result<Self> {
        let path = path.as_ref();
        File::open(path).map_err(|e| {
            crate::Error::new(crate::ErrorKind::OpenFile, format!("cannot open {}", path.display()))
                .with_source(e)
        })?;
        let filename = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(MailPartSource {
            content: Content::File(path.to_owned()),
            media_type: media_type.to_owned(),
            filename,
            headers: NameValueCollection::new(),
        })
    }

    /// POCO `mediaType()`.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// POCO `filename()` (empty: none).
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// Sets the file name.
    pub fn set_filename(&mut self, filename: &str) {
        self.filename = filename.to_owned();
    }

    /// Extra headers written with the part (POCO `headers()`), e.g. `Content-ID`.
    pub fn headers(&self) -> &NameValueCollection {
        &self.headers
    }

    /// The extra headers, to change.
    pub fn headers_mut(&mut self) -> &mut NameValueCollection {
        &mut self.headers
    }

    /// The bytes, for an in-memory source.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.content {
            Content::Bytes(b) => Some(b),
            Content::File(_) => None,
        }
    }

    /// The file, for a file source.
    pub fn path(&self) -> Option<&Path> {
        match &self.content {
            Content::File(p) => Some(p),
            Content::Bytes(_) => None,
        }
    }

    /// The content, read all at once (a file source reads its file).
    pub fn to_vec(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open()?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// A reader over the content (POCO `stream()`): the bytes, or the file opened anew.
    pub fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        match &self.content {
            Content::Bytes(b) => Ok(Box::new(&b[..])),
            Content::File(p) => Ok(Box::new(
                File::open(p).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?,
            )),
        }
    }
}

impl From<PartSource> for MailPartSource {
    /// The HTML-form part source (in memory) as a mail part.
    fn from(p: PartSource) -> Self {
        MailPartSource::from_bytes(p.data, &p.media_type, &p.filename)
    }
}
