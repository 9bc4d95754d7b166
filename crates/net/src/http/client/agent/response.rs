//! [`AgentResponse`] and its [`Body`]: the final response of an agent request.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use rpoco_foundation::Uri;
use rpoco_foundation::compression::InflatingReader;

use super::decode::{self, Coding};
use super::pool::{Key, Pool};
use crate::error::{Error, ErrorKind, Limit, Result};
use crate::http::client::HttpClientSession;
use crate::http::message::{HttpMessage, HttpResponse, HttpStatus, MessageHeader};

/// The raw body: reads from the session and gives it back to the pool at the end.
pub(super) struct Raw {
    session: Option<HttpClientSession>,
    pool: Arc<Pool>,
    key: Key,
}

impl Raw {
    pub(super) fn new(session: HttpClientSession, pool: Arc<Pool>, key: Key) -> Self {
        Raw { session: Some(session), pool, key }
    }
}

impl Read for Raw {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(session) = self.session.as_mut() else { return Ok(0) };
        let n = session.read_body(buf)?;
        if n == 0
            && !buf.is_empty()
            && let Some(s) = self.session.take()
        {
            self.pool.put(self.key.clone(), s);
        }
        Ok(n)
    }
}

/// The compressed body's read buffer.
const CODED_BUFFER: usize = 32 * 1024;

// One per response and never moved in a loop: the plain variant carries the session itself.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Plain(Raw),
    /// `deflate` before its first bytes tell zlib from raw deflate (with the bomb limit).
    Deflate(Option<BufReader<Raw>>, u64),
    // Boxed: the decoders' state would make every plain body larger still.
    Inflate(Box<InflatingReader<BufReader<Raw>>>),
    #[cfg(any(feature = "brotli", feature = "zstd"))]
    Coded(Box<decode::Decoder<BufReader<Raw>>>),
}

/// A response body as a [`Read`]: decoded if the agent decodes `Content-Encoding`; the
/// connection goes back to the agent's pool when the body has been read to its end.
pub struct Body {
    inner: Inner,
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Body(..)")
    }
}

impl Body {
    pub(super) fn new(raw: Raw, coding: Option<Coding>, limit: u64) -> Result<Self> {
        let buffered = |raw| BufReader::with_capacity(CODED_BUFFER, raw);
        let inner = match coding {
            None => Inner::Plain(raw),
            Some(Coding::Gzip) => Inner::Inflate(Box::new(
                InflatingReader::from_buf_read(
                    buffered(raw),
                    rpoco_foundation::compression::StreamType::Gzip,
                )
                .with_limit(limit),
            )),
            Some(Coding::Deflate) => Inner::Deflate(Some(buffered(raw)), limit),
            #[cfg(any(feature = "brotli", feature = "zstd"))]
            Some(c) => Inner::Coded(Box::new(decode::Decoder::new(buffered(raw), c, limit)?)),
        };
        Ok(Body { inner })
    }

    /// Reads the whole body, refusing more than `limit` bytes.
    pub fn read_to_vec(&mut self, limit: u64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let n = self.take(limit + 1).read_to_end(&mut out)?;
        if n as u64 > limit {
            return Err(Error::limit(Limit::Body, format!("response body longer than {limit} bytes")));
        }
        Ok(out)
    }
}

/// Reads decoded bytes from `decoder`; at the coded stream's end, reads the rest of the
/// transfer from its source (`raw`) so the connection can be reused. Up to 64 KiB after the
/// end are read (and ignored); past that the connection is not reused.
fn read_decoded<D: Read>(
    decoder: &mut D,
    buf: &mut [u8],
    raw: impl FnOnce(&mut D) -> &mut BufReader<Raw>,
) -> io::Result<usize> {
    let n = decoder.read(buf)?;
    if n == 0 && !buf.is_empty() {
        let _ = io::copy(&mut raw(decoder).take(64 * 1024), &mut io::sink());
    }
    Ok(n)
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Plain(r) => r.read(buf),
            Inner::Deflate(raw, limit) => {
                let limit = *limit;
                let Some(mut raw) = raw.take() else { return Ok(0) };
                let kind = decode::deflate_stream_type(raw.fill_buf()?);
                self.inner =
                    Inner::Inflate(Box::new(InflatingReader::from_buf_read(raw, kind).with_limit(limit)));
                self.read(buf)
            }
            Inner::Inflate(r) => read_decoded(&mut **r, buf, |r| r.get_mut()),
            #[cfg(any(feature = "brotli", feature = "zstd"))]
            Inner::Coded(r) => read_decoded(&mut **r, buf, |r| r.get_mut()),
        }
    }
}

/// What an agent request returns: the final response head, the URL it came from (after
/// redirects) and the body.
#[derive(Debug)]
pub struct AgentResponse {
    pub(super) head: HttpResponse,
    pub(super) url: Uri,
    pub(super) body: Body,
    pub(super) redirects: Vec<Uri>,
}

/// Default limit for [`AgentResponse::into_string`] and friends: 10 MiB.
pub const DEFAULT_BODY_LIMIT: u64 = 10 * 1024 * 1024;

impl AgentResponse {
    /// The status.
    pub fn status(&self) -> HttpStatus {
        self.head.status()
    }

    /// A header value (the first, if repeated).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.get(name)
    }

    /// All header fields.
    pub fn headers(&self) -> &MessageHeader {
        self.head.header()
    }

    /// The response head (POCO `HTTPResponse`).
    pub fn head(&self) -> &HttpResponse {
        &self.head
    }

    /// The URL the response came from, after redirects.
    pub fn url(&self) -> &Uri {
        &self.url
    }

    /// The URLs redirected through, in order (empty if none).
    pub fn redirects(&self) -> &[Uri] {
        &self.redirects
    }

    /// The body as a reader.
    pub fn into_body(self) -> Body {
        self.body
    }

    /// The head and body.
    pub fn into_parts(self) -> (HttpResponse, Body) {
        (self.head, self.body)
    }

    /// The body as bytes, up to [`DEFAULT_BODY_LIMIT`].
    pub fn into_bytes(mut self) -> Result<Vec<u8>> {
        self.body.read_to_vec(DEFAULT_BODY_LIMIT)
    }

    /// The body as UTF-8 text, up to [`DEFAULT_BODY_LIMIT`].
    pub fn into_string(self) -> Result<String> {
        String::from_utf8(self.into_bytes()?)
            .map_err(|_| Error::new(ErrorKind::Message, "response body is not UTF-8"))
    }

    /// The body parsed as JSON, up to [`DEFAULT_BODY_LIMIT`] (feature `json`).
    #[cfg(feature = "json")]
    pub fn into_json<T: serde::de::DeserializeOwned>(self) -> Result<T> {
        let bytes = self.into_bytes()?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(ErrorKind::Message, format!("response body is not the JSON expected: {e}"))
        })
    }

    /// As an `http::Response` with the body as its reader.
    pub fn into_http(self) -> Result<http::Response<Body>> {
        let mut b = http::Response::builder().status(self.head.status().code());
        for (n, v) in self.head.header().fields().iter() {
            b = b.header(n, v);
        }
        b.body(self.body)
            .map_err(|e| Error::new(ErrorKind::Message, format!("response does not fit http::Response: {e}")))
    }
}
