//! Message heads: parsing with `httparse` under POCO's limits, and encoding.

use crate::error::{Error, ErrorKind, Limit, Result};
use crate::http::message::{
    HTTP_1_0, HTTP_1_1, HeaderLimits, HttpMessage, HttpRequest, HttpResponse, HttpStatus, MessageHeader,
    NameValueCollection, decode_words,
};

/// Limits for request heads (the server side): POCO's method (32), URI (16384) and header
/// limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Maximum method length (POCO 32).
    pub max_method_length: usize,
    /// Maximum request-target length (POCO 16384).
    pub max_uri_length: usize,
    /// Header field limits.
    pub header: HeaderLimits,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits { max_method_length: 32, max_uri_length: 16384, header: HeaderLimits::default() }
    }
}

/// Maximum reason-phrase length (POCO 512).
const MAX_REASON: usize = 512;
/// Room for the status line before the fields.
const MAX_STATUS_LINE: usize = 8 + 1 + 3 + 1 + MAX_REASON + 2;

/// Parses a response head from the start of `buf`.
///
/// `Ok(None)`: incomplete, read more and call again with the longer buffer. `Ok(Some((r,
/// n)))`: the head took `n` bytes; the body (if any) starts at `buf[n..]`. Leading empty
/// lines are skipped. Like POCO, responses may use LF line endings, folded (obs-fold)
/// values, and lines without a colon (ignored); the limits in `limits` apply and a head
/// longer than they allow is [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded). A malformed head is
/// [`ErrorKind::Message`](crate::ErrorKind::Message) naming the line and byte offset (a non-numeric status:
/// [`ErrorKind::Syntax`](crate::ErrorKind::Syntax), as POCO).
///
/// ```
/// use rpoco_net::{HttpMessage, HeaderLimits};
/// use rpoco_net::proto::parse_response_head;
/// let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
/// let (res, n) = parse_response_head(bytes, &HeaderLimits::default())?.unwrap();
/// assert_eq!((res.status().code(), res.content_length(), &bytes[n..]), (200, Some(2), &b"hi"[..]));
/// assert!(parse_response_head(b"HTTP/1.1 200 OK\r\n", &HeaderLimits::default())?.is_none());
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub fn parse_response_head(buf: &[u8], limits: &HeaderLimits) -> Result<Option<(HttpResponse, usize)>> {
    with_header_array(limits.max_fields, |headers| {
        let mut res = httparse::Response::new(headers);
        let status = httparse::ParserConfig::default()
            .allow_obsolete_multiline_headers_in_responses(true)
            .allow_spaces_after_header_name_in_responses(true)
            .allow_multiple_spaces_in_response_status_delimiters(true)
            .ignore_invalid_headers_in_responses(true)
            .parse_response(&mut res, buf);
        match status {
            Ok(httparse::Status::Partial) => {
                check_partial(buf, MAX_STATUS_LINE, limits)?;
                Ok(None)
            }
            Ok(httparse::Status::Complete(n)) => {
                let reason = res.reason.unwrap_or("");
                if reason.len() > MAX_REASON {
                    return Err(Error::new(
                        ErrorKind::Message,
                        format!("reason phrase longer than {MAX_REASON} bytes"),
                    ));
                }
                let version = if res.version == Some(0) { HTTP_1_0 } else { HTTP_1_1 };
                let mut out = HttpResponse::with_reason(version, HttpStatus(res.code.unwrap_or(0)), reason);
                let fields = convert_fields(res.headers, limits, true)?;
                fill(out.header_mut(), fields, limits);
                Ok(Some((out, n)))
            }
            Err(httparse::Error::TooManyHeaders) => Err(too_many(limits)),
            Err(httparse::Error::Status) => Err(Error::new(
                ErrorKind::Syntax,
                format!("bad status code in status line `{}`", first_line(buf)),
            )),
            Err(e) => Err(describe(buf, e, "response")),
        }
    })
}

/// [`parse_response_head`] for a head that arrives in pieces: a piece that ends no line is
/// not parsed again (unless the head would now pass a limit), so a head trickled a byte at a
/// time costs a parse per line, not per byte. The verdict is the same as parsing every
/// piece; a malformed incomplete line is reported when it ends, a limit is crossed, or at
/// the end of input ([`parse_response_head`] on what was received).
#[derive(Debug, Default)]
pub(crate) struct ResponseHeadScan {
    /// The length of the input at the last partial parse (0: parse the next input).
    parsed: usize,
}

impl ResponseHeadScan {
    pub(crate) fn parse(
        &mut self,
        input: &[u8],
        limits: &HeaderLimits,
    ) -> Result<Option<(HttpResponse, usize)>> {
        if self.parsed > 0
            && input.len() >= self.parsed
            && !input[self.parsed..].contains(&b'\n')
            && check_partial(input, MAX_STATUS_LINE, limits).is_ok()
        {
            return Ok(None);
        }
        let parsed = parse_response_head(input, limits)?;
        self.parsed = if parsed.is_none() { input.len() } else { 0 };
        Ok(parsed)
    }
}

/// Parses a request head from the start of `buf` (the server side), strictly: CRLF or LF
/// line endings, no obs-fold, no colon-less lines, no bare CR; POCO's method, URI and
/// header limits (a too-long URI or request line is [`Limit::Uri`], so a server can answer
/// 414; header limits can answer 431).
///
/// ```
/// use rpoco_net::HttpMessage;
/// use rpoco_net::proto::{parse_request_head, RequestLimits};
/// let (req, n) = parse_request_head(b"GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n", &RequestLimits::default())?.unwrap();
/// assert_eq!((req.method(), req.uri(), req.version(), req.host(), n), ("GET", "/a?b", "HTTP/1.1", Some("x"), 30));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub fn parse_request_head(buf: &[u8], limits: &RequestLimits) -> Result<Option<(HttpRequest, usize)>> {
    let max_line = limits.max_method_length + limits.max_uri_length + 8 + 4;
    with_header_array(limits.header.max_fields, |headers| {
        let mut req = httparse::Request::new(headers);
        match httparse::ParserConfig::default().parse_request(&mut req, buf) {
            Ok(httparse::Status::Partial) => {
                let trimmed = skip_empty_lines(buf);
                let line_done = trimmed.contains(&b'\n');
                if !line_done && trimmed.len() > max_line {
                    return Err(Error::limit(
                        Limit::Uri,
                        format!("request line longer than {max_line} bytes"),
                    ));
                }
                check_request_line_partial(trimmed, limits)?;
                check_partial(buf, max_line, &limits.header)?;
                Ok(None)
            }
            Ok(httparse::Status::Complete(n)) => {
                let method = req.method.unwrap_or("");
                let uri = req.path.unwrap_or("");
                if method.len() > limits.max_method_length {
                    return Err(Error::limit(
                        Limit::Method,
                        format!("method longer than {} bytes", limits.max_method_length),
                    ));
                }
                if uri.len() > limits.max_uri_length {
                    return Err(Error::limit(
                        Limit::Uri,
                        format!("request URI of {} bytes exceeds {}", uri.len(), limits.max_uri_length),
                    ));
                }
                let version = if req.version == Some(0) { HTTP_1_0 } else { HTTP_1_1 };
                let mut out = HttpRequest::new(method, uri, version);
                let fields = convert_fields(req.headers, &limits.header, false)?;
                fill(out.header_mut(), fields, &limits.header);
                Ok(Some((out, n)))
            }
            Err(httparse::Error::TooManyHeaders) => Err(too_many(&limits.header)),
            Err(e) => {
                check_request_line_partial(skip_empty_lines(buf), limits)?;
                Err(describe(buf, e, "request"))
            }
        }
    })
}

/// Parses a block of header fields ending with an empty line (trailers, multipart part
/// headers), strictly. Returns the fields and the bytes used.
pub fn parse_fields(
    buf: &[u8],
    limits: &HeaderLimits,
    auto_decode: bool,
    offset: u64,
) -> Result<(NameValueCollection, usize)> {
    with_header_array(limits.max_fields, |headers| match httparse::parse_headers(buf, headers) {
        Ok(httparse::Status::Complete((n, parsed))) => {
            let fields = convert_fields(parsed, limits, false)?;
            let mut nvc = NameValueCollection::new();
            for (name, value) in fields {
                nvc.push(name, if auto_decode { decode_words(&value) } else { value });
            }
            Ok((nvc, n))
        }
        Ok(httparse::Status::Partial) => Err(Error::new(
            ErrorKind::Message,
            format!("header block at byte {offset} is incomplete ({} bytes)", buf.len()),
        )),
        Err(httparse::Error::TooManyHeaders) => Err(too_many(limits)),
        Err(e) => Err(describe_fields(buf, 0, offset, e)),
    })
}

/// Writes `METHOD SP URI SP VERSION CRLF`, the fields and the empty line.
pub fn encode_request_head(req: &HttpRequest, out: &mut Vec<u8>) {
    out.extend_from_slice(req.method().as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.uri().as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.version().as_bytes());
    out.extend_from_slice(b"\r\n");
    req.header().write_to_vec(out);
    out.extend_from_slice(b"\r\n");
}

/// Writes `VERSION SP STATUS SP REASON CRLF`, the fields and the empty line.
pub fn encode_response_head(res: &HttpResponse, out: &mut Vec<u8>) {
    out.extend_from_slice(res.version().as_bytes());
    out.push(b' ');
    out.extend_from_slice(format!("{:03}", res.status().code()).as_bytes());
    out.push(b' ');
    out.extend_from_slice(res.reason().as_bytes());
    out.extend_from_slice(b"\r\n");
    res.header().write_to_vec(out);
    out.extend_from_slice(b"\r\n");
}

/// Checks that a request head can go on the wire unchanged: method a token, URI and
/// version without spaces or controls, field names tokens, no CR, LF or NUL in values
/// (they would let one header smuggle another). Error: [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) naming
/// the part.
pub fn validate_request_head(req: &HttpRequest) -> Result<()> {
    if req.method().is_empty() || !req.method().bytes().all(is_token_byte) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("method `{}` is not a token", req.method().escape_debug()),
        ));
    }
    for (what, part) in [("request URI", req.uri()), ("version", req.version())] {
        if part.is_empty() || part.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{what} `{}` is empty or has spaces or controls", part.escape_debug()),
            ));
        }
    }
    validate_fields(req.header())
}

/// Like [`validate_request_head`], for a response head.
pub fn validate_response_head(res: &HttpResponse) -> Result<()> {
    if res.version().is_empty() || res.version().bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("version `{}` has spaces or controls", res.version().escape_debug()),
        ));
    }
    if !(100..=999).contains(&res.status().code()) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("status {} is not three digits", res.status().code()),
        ));
    }
    if res.reason().bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Error::new(ErrorKind::InvalidArgument, "reason phrase contains CR, LF or NUL"));
    }
    validate_fields(res.header())
}

fn validate_fields(header: &MessageHeader) -> Result<()> {
    for (name, value) in header.iter() {
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("header name `{}` is not a token", name.escape_debug()),
            ));
        }
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("value of header `{name}` contains CR, LF or NUL"),
            ));
        }
    }
    Ok(())
}

pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn with_header_array<'b, T>(max_fields: usize, f: impl FnOnce(&mut [httparse::Header<'b>]) -> T) -> T {
    const STACK: usize = 128;
    if max_fields <= STACK {
        let mut headers = [httparse::EMPTY_HEADER; STACK];
        f(&mut headers[..max_fields])
    } else {
        let mut headers = vec![httparse::EMPTY_HEADER; max_fields];
        f(&mut headers)
    }
}

fn too_many(limits: &HeaderLimits) -> Error {
    Error::limit(Limit::FieldCount, format!("more than {} header fields", limits.max_fields))
}

fn convert_fields(
    headers: &[httparse::Header<'_>],
    limits: &HeaderLimits,
    folded: bool,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::with_capacity(headers.len());
    for h in headers {
        if h.name.len() > limits.max_name_length {
            return Err(Error::limit(
                Limit::NameLength,
                format!(
                    "header name `{}...` longer than {} bytes",
                    &h.name[..32.min(h.name.len())],
                    limits.max_name_length
                ),
            ));
        }
        if h.value.len() > limits.max_value_length {
            return Err(Error::limit(
                Limit::ValueLength,
                format!(
                    "value of header `{}` is {} bytes, limit {}",
                    h.name,
                    h.value.len(),
                    limits.max_value_length
                ),
            ));
        }
        let mut value = match std::str::from_utf8(h.value) {
            Ok(s) => s.to_owned(),
            // obs-text: the bytes were ISO-8859-1 historically; keep every byte as its char.
            Err(_) => h.value.iter().map(|&b| b as char).collect(),
        };
        if folded && value.contains('\n') {
            value = value.replace("\r\n", "").replace('\n', "");
        }
        out.push((h.name.to_owned(), value));
    }
    Ok(out)
}

fn fill(header: &mut MessageHeader, fields: Vec<(String, String)>, limits: &HeaderLimits) {
    header.set_limits(*limits);
    let decode = header.auto_decode();
    for (name, value) in fields {
        let value = if decode { decode_words(&value) } else { value };
        header.push(name, value);
    }
}

fn skip_empty_lines(buf: &[u8]) -> &[u8] {
    let mut b = buf;
    loop {
        if let Some(rest) = b.strip_prefix(b"\r\n") {
            b = rest;
        } else if let Some(rest) = b.strip_prefix(b"\n") {
            b = rest;
        } else {
            return b;
        }
    }
}

fn check_request_line_partial(line: &[u8], limits: &RequestLimits) -> Result<()> {
    let end = line.iter().position(|&b| b == b'\n').unwrap_or(line.len());
    let line = &line[..end];
    let mut parts = line.splitn(3, |&b| b == b' ');
    let method = parts.next().unwrap_or(&[]);
    // Binary junk (a TLS ClientHello sent to a plain port) is a bad request, not a long one.
    if let Some(at) = method.iter().position(|&b| !is_token_byte(b)) {
        return Err(Error::new(
            ErrorKind::Message,
            format!("request method has the byte 0x{:02x} at {at}, not a token character", method[at]),
        ));
    }
    if method.len() > limits.max_method_length {
        return Err(Error::limit(
            Limit::Method,
            format!("method longer than {} bytes", limits.max_method_length),
        ));
    }
    if let Some(uri) = parts.next()
        && uri.len() > limits.max_uri_length
    {
        return Err(Error::limit(
            Limit::Uri,
            format!("request URI longer than {} bytes", limits.max_uri_length),
        ));
    }
    Ok(())
}

fn check_partial(buf: &[u8], first_line_max: usize, limits: &HeaderLimits) -> Result<()> {
    let max = first_line_max.saturating_add(limits.max_block_length()).saturating_add(2);
    if buf.len() > max {
        return Err(Error::limit(Limit::HeadLength, format!("message head longer than {max} bytes")));
    }
    // A single field line longer than name + value limits can be refused before the head ends.
    let last_line_start = buf.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let pending = buf.len() - last_line_start;
    if last_line_start > 0 && pending > limits.max_name_length + limits.max_value_length + 4 {
        return Err(Error::limit(
            Limit::ValueLength,
            format!(
                "header line at byte {last_line_start} longer than {} bytes",
                limits.max_name_length + limits.max_value_length + 4
            ),
        ));
    }
    Ok(())
}

fn first_line(buf: &[u8]) -> String {
    let b = skip_empty_lines(buf);
    let end = b.iter().position(|&c| c == b'\n').unwrap_or(b.len()).min(80);
    String::from_utf8_lossy(&b[..end]).trim_end().escape_debug().to_string()
}

/// Turns an httparse error into a message naming the line and byte offset.
fn describe(buf: &[u8], e: httparse::Error, what: &str) -> Error {
    let start = buf.len() - skip_empty_lines(buf).len();
    let first_end = buf[start..].iter().position(|&b| b == b'\n').map(|p| start + p + 1);
    match (e, first_end) {
        (
            httparse::Error::HeaderName | httparse::Error::HeaderValue | httparse::Error::NewLine,
            Some(end),
        ) => describe_fields(&buf[end..], 2, end as u64, e),
        _ => Error::new(ErrorKind::Message, format!("malformed {what} line `{}` ({e})", first_line(buf))),
    }
}

fn describe_fields(buf: &[u8], first_line_no: usize, offset: u64, e: httparse::Error) -> Error {
    let mut pos = 0;
    let mut line_no = first_line_no.max(1);
    while pos < buf.len() {
        let end = buf[pos..].iter().position(|&b| b == b'\n').map_or(buf.len(), |p| pos + p);
        let raw = &buf[pos..end];
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let at = offset + pos as u64;
        let show = String::from_utf8_lossy(&line[..line.len().min(60)]).escape_debug().to_string();
        if line.is_empty() {
            break;
        }
        let problem = if line.contains(&b'\r') {
            Some("bare CR")
        } else if line[0] == b' ' || line[0] == b'\t' {
            Some("obsolete line folding")
        } else {
            match line.iter().position(|&b| b == b':') {
                None => Some("no colon"),
                Some(0) => Some("empty field name"),
                Some(c) if !line[..c].iter().all(|&b| is_token_byte(b)) => {
                    Some("invalid character in field name")
                }
                Some(c) if line[c + 1..].iter().any(|&b| b < 0x20 && b != b'\t' || b == 0x7f) => {
                    Some("control character in field value")
                }
                _ => None,
            }
        };
        if let Some(p) = problem {
            return Error::new(
                ErrorKind::Message,
                format!("malformed header line {line_no} at byte {at}: {p}: `{show}`"),
            );
        }
        pos = end + 1;
        line_no += 1;
    }
    Error::new(ErrorKind::Message, format!("malformed header block at byte {offset} ({e})"))
}

/// The offset of the first LF not preceded by CR. RFC 9112 (section 2.2) lets a recipient
/// accept a bare LF as a line end; the server does not, as proxies disagree on it
/// (a request smuggling vector).
pub(crate) fn bare_lf(head: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = head[from..].iter().position(|&b| b == b'\n') {
        let at = from + p;
        if at == 0 || head[at - 1] != b'\r' {
            return Some(at);
        }
        from = at + 1;
    }
    None
}
