//! Content codings for the server side (rpoco addition; POCO leaves it to the handler):
//! [`accepted_coding`] reads `Accept-Encoding` (RFC 9110 §12.5.3, with q-values) and
//! [`send_compressed`] sends a body gzip- or deflate-coded when the client accepts it and the
//! body is big enough to be worth it.

use rpoco_foundation::compression::{DeflatingWriter, Level, StreamType};

use crate::error::Result;
use crate::http::message::{HttpMessage, HttpRequest};
use crate::http::server::HttpServerResponse;

/// A content coding rpoco can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentCoding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `deflate`: the zlib format (RFC 1950), as RFC 9110 §8.4.1.2 defines it.
    Deflate,
}

impl ContentCoding {
    /// The token in `Content-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            ContentCoding::Gzip => "gzip",
            ContentCoding::Deflate => "deflate",
        }
    }

    /// The stream format for [`DeflatingWriter`]/`InflatingReader`.
    pub fn stream_type(self) -> StreamType {
        match self {
            ContentCoding::Gzip => StreamType::Gzip,
            ContentCoding::Deflate => StreamType::Zlib,
        }
    }
}

/// The coding to use for a request's `Accept-Encoding`: the acceptable one (q > 0) with the
/// highest q-value, gzip before deflate on a tie; `*` stands for codings not named; `None`
/// when neither is acceptable (send identity).
///
/// ```
/// use rpoco_net::{ContentCoding, accepted_coding};
/// assert_eq!(accepted_coding("gzip, deflate, br"), Some(ContentCoding::Gzip));
/// assert_eq!(accepted_coding("deflate;q=1, gzip;q=0.5"), Some(ContentCoding::Deflate));
/// assert_eq!(accepted_coding("gzip;q=0, *;q=0.1"), Some(ContentCoding::Deflate));
/// assert_eq!(accepted_coding("identity"), None);
/// ```
pub fn accepted_coding(accept_encoding: &str) -> Option<ContentCoding> {
    let q_of = |name: &str| -> Option<u32> {
        let mut star = None;
        for item in accept_encoding.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .next()
                .map_or(1000, parse_q);
            if coding.eq_ignore_ascii_case(name) || (name == "gzip" && coding.eq_ignore_ascii_case("x-gzip"))
            {
                return Some(q);
            }
            if coding == "*" {
                star = Some(q);
            }
        }
        star
    };
    let gzip = q_of("gzip").unwrap_or(0);
    let deflate = q_of("deflate").unwrap_or(0);
    match (gzip, deflate) {
        (0, 0) => None,
        (g, d) if g >= d => Some(ContentCoding::Gzip),
        _ => Some(ContentCoding::Deflate),
    }
}

/// A q-value in thousandths (RFC 9110 §12.4.2); a malformed one counts as 0.
fn parse_q(v: &str) -> u32 {
    let v = v.trim();
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let int: u32 = match int {
        "0" => 0,
        "1" => 1,
        _ => return 0,
    };
    let frac: u32 = format!("{frac:0<3}").parse().unwrap_or(0);
    (int * 1000 + frac).min(1000)
}

/// Options for [`send_compressed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompressionOptions {
    /// Bodies shorter than this go out as they are (default 1024 bytes: below about a
    /// packet, coding saves nothing).
    pub min_size: usize,
    /// The compression level (default zlib's 6).
    pub level: Level,
}

impl Default for CompressionOptions {
    fn default() -> Self {
        CompressionOptions { min_size: 1024, level: Level::DEFAULT }
    }
}

/// Sends `body` as the response, gzip- or deflate-coded when `request` accepts it, the body
/// is at least `options.min_size` bytes and no `Content-Encoding` is set yet; adds
/// `Vary: Accept-Encoding` either way (the answer depends on it). Returns the coding used.
pub fn send_compressed(
    request: &HttpRequest,
    response: &mut HttpServerResponse<'_>,
    body: &[u8],
    options: CompressionOptions,
) -> Result<Option<ContentCoding>> {
    response.add("Vary", "Accept-Encoding");
    let coding = request
        .get("Accept-Encoding")
        .and_then(accepted_coding)
        .filter(|_| body.len() >= options.min_size && !response.has("Content-Encoding"));
    let Some(coding) = coding else {
        response.send_buffer(body)?;
        return Ok(None);
    };
    let mut w =
        DeflatingWriter::with_level(Vec::with_capacity(body.len() / 3), coding.stream_type(), options.level);
    std::io::Write::write_all(&mut w, body)?;
    let coded = w.finish()?;
    response.set("Content-Encoding", coding.name());
    response.send_buffer(&coded)?;
    Ok(Some(coding))
}
