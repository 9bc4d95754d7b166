//! Body framing: deciding it (RFC 9112 section 6), decoding it and encoding it.

use crate::error::{Error, ErrorKind, Limit, Result};
use crate::http::message::{HeaderLimits, HttpMessage, HttpRequest, HttpResponse, MessageHeader, trim_ows};

/// How a message body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body at all (HEAD responses, 1xx/204/304, requests without length).
    None,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// `Transfer-Encoding: chunked`, possibly with trailers.
    Chunked,
    /// Until the connection closes (responses without length).
    Close,
}

/// The framing of a response to a request with `request_method` (client side).
///
/// No body for `HEAD`, 1xx, 204 and 304 (and a 2xx answer to `CONNECT`); chunked when the
/// last transfer coding is `chunked` (it wins over `Content-Length`, RFC 9112 6.3); other
/// transfer codings: close-delimited; then `Content-Length`, which must be one number
/// (repeated identical values are accepted, differing ones are [`ErrorKind::Message`](crate::ErrorKind::Message)); else
/// close-delimited.
///
/// ```
/// use rpoco_net::{HttpMessage, HttpResponse, HttpStatus};
/// use rpoco_net::proto::{response_framing, BodyFraming};
/// let mut r = HttpResponse::new(HttpStatus::OK);
/// assert_eq!(response_framing("GET", &r)?, BodyFraming::Close);
/// r.set_content_length(Some(3));
/// assert_eq!(response_framing("GET", &r)?, BodyFraming::Length(3));
/// assert_eq!(response_framing("HEAD", &r)?, BodyFraming::None);
/// r.set("Transfer-Encoding", "gzip, chunked");
/// assert_eq!(response_framing("GET", &r)?, BodyFraming::Chunked);
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub fn response_framing(request_method: &str, response: &HttpResponse) -> Result<BodyFraming> {
    let code = response.status().code();
    if request_method.eq_ignore_ascii_case("HEAD") || code < 200 || code == 204 || code == 304 {
        return Ok(BodyFraming::None);
    }
    if request_method.eq_ignore_ascii_case("CONNECT") && (200..300).contains(&code) {
        return Ok(BodyFraming::None);
    }
    if let Some(chunked) = last_coding_is_chunked(response)? {
        return Ok(if chunked { BodyFraming::Chunked } else { BodyFraming::Close });
    }
    match content_length(response)? {
        Some(n) => Ok(BodyFraming::Length(n)),
        None => Ok(BodyFraming::Close),
    }
}

/// The framing of a received request (server side), strictly (RFC 9112 6.1, 6.3): both
/// `Transfer-Encoding` and `Content-Length`, a transfer coding other than a final
/// `chunked`, or a bad or conflicting `Content-Length` are [`ErrorKind::Message`](crate::ErrorKind::Message) (answer 400
/// and close: these are request-smuggling vectors). Neither header: no body (POCO 1.15).
pub fn request_framing(request: &HttpRequest) -> Result<BodyFraming> {
    let te = last_coding_is_chunked(request)?;
    if te.is_some() && request.has("Content-Length") {
        return Err(Error::new(ErrorKind::Message, "request has both Transfer-Encoding and Content-Length"));
    }
    match te {
        Some(true) => return Ok(BodyFraming::Chunked),
        Some(false) => {
            return Err(Error::new(
                ErrorKind::Message,
                format!(
                    "request Transfer-Encoding `{}` does not end in chunked",
                    request.transfer_encoding()
                ),
            ));
        }
        None => {}
    }
    Ok(match content_length(request)? {
        Some(0) | None => BodyFraming::None,
        Some(n) => BodyFraming::Length(n),
    })
}

/// The framing for sending a message as its header fields say (both sides): chunked when
/// `Transfer-Encoding` is `chunked` (as POCO decides), a fixed length when `Content-Length`
/// is set, else no body. A message whose body length the header cannot express must set
/// one of them; writing body bytes under [`BodyFraming::None`] is an error.
pub fn outgoing_framing(message: &impl HttpMessage) -> Result<BodyFraming> {
    if message.chunked_transfer_encoding() {
        return Ok(BodyFraming::Chunked);
    }
    if message.has("Transfer-Encoding") {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "cannot send a body with Transfer-Encoding `{}` (only chunked is supported)",
                message.transfer_encoding()
            ),
        ));
    }
    Ok(match content_length(message)? {
        Some(n) => BodyFraming::Length(n),
        None => BodyFraming::None,
    })
}

/// `None` without `Transfer-Encoding`; else `Some(true)` if the final transfer coding is
/// `chunked` and `Some(false)` if it is another coding or there is none (an empty field).
/// A coding that is not a token (RFC 9110 10.1.4), or bytes outside visible ASCII, SP and
/// HTAB in the field, are errors of kind [`ErrorKind::Message`]: no lenient reading of this field is safe.
fn last_coding_is_chunked(m: &impl HttpMessage) -> Result<Option<bool>> {
    let header = m.header();
    if !header.has("Transfer-Encoding") {
        return Ok(None);
    }
    let mut last = false;
    for v in header.get_all("Transfer-Encoding") {
        if v.bytes().any(|b| !(b == b'\t' || (b' '..0x7f).contains(&b))) {
            return Err(Error::new(
                ErrorKind::Message,
                format!("invalid Transfer-Encoding `{}`", v.escape_debug()),
            ));
        }
        for coding in v.split(',').map(trim_ows).filter(|c| !c.is_empty()) {
            let (name, params) = coding.split_once(';').unwrap_or((coding, ""));
            let name = trim_ows(name);
            if name.is_empty() || !name.bytes().all(super::head::is_token_byte) {
                return Err(Error::new(
                    ErrorKind::Message,
                    format!("transfer coding `{}` is not a token", coding.escape_debug()),
                ));
            }
            // `chunked` takes no parameters (RFC 9112 7).
            last = name.eq_ignore_ascii_case("chunked") && params.is_empty();
        }
    }
    Ok(Some(last))
}

fn content_length(m: &impl HttpMessage) -> Result<Option<u64>> {
    let mut found: Option<u64> = None;
    for v in m.header().get_all("Content-Length") {
        for part in v.split(',') {
            let p = trim_ows(part);
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 19 {
                return Err(Error::new(
                    ErrorKind::Message,
                    format!("invalid Content-Length `{}`", v.escape_debug()),
                ));
            }
            let n: u64 = p
                .parse()
                .map_err(|_| Error::new(ErrorKind::Message, format!("invalid Content-Length `{v}`")))?;
            if found.is_some_and(|f| f != n) {
                return Err(Error::new(
                    ErrorKind::Message,
                    format!("conflicting Content-Length values ({} and {n})", found.unwrap_or(0)),
                ));
            }
            found = Some(n);
        }
    }
    Ok(found)
}

/// What [`BodyDecoder::decode`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// Body bytes (a slice of the input; no copy).
    Data(&'a [u8]),
    /// The input ends inside framing: read more, append, call again with the unconsumed rest.
    NeedMore,
    /// The body is complete (trailers, if any, are in [`BodyDecoder::trailers`]).
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Length(u64),
    Close,
    ChunkSize,
    ChunkData(u64),
    ChunkDataEnd,
    Trailers,
    Done,
}

/// Longest chunk-size line accepted, extensions included.
const MAX_CHUNK_LINE: usize = 4096;

/// A sans-IO body decoder: feed it bytes, get body data and the end of the body.
///
/// Fixed-length bodies end after their length; chunked bodies after the last chunk and
/// trailers; close-delimited bodies when [`end_of_input`](Self::end_of_input) is called.
/// A body that ends early is an error there (`UnexpectedEof` through `Read`), never a short
/// body (POCO ends silently). Chunk sizes are hex, up to 16 digits, extensions ignored.
///
/// ```
/// use rpoco_net::proto::{BodyDecoder, BodyFraming, Decoded};
/// let mut d = BodyDecoder::new(BodyFraming::Chunked);
/// let input = b"5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n";
/// let (n, ev) = d.decode(input)?;
/// assert_eq!((n, ev), (8, Decoded::Data(&b"hello"[..])));
/// let (m, ev) = d.decode(&input[n..])?;
/// assert_eq!(ev, Decoded::End);
/// assert_eq!(n + m, input.len());
/// assert_eq!(d.trailers().get("x-sum"), Some("1"));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BodyDecoder {
    state: State,
    position: u64,
    trailers: MessageHeader,
    limits: HeaderLimits,
    strict: bool,
    /// How far the unfinished chunk-size line or trailer section handed back last time was
    /// already searched for its end: the caller presents those bytes again with more, and
    /// searching them again would make a line trickled in byte by byte cost quadratic time.
    scanned: usize,
}

impl BodyDecoder {
    /// A decoder for `framing`, with POCO's header limits for trailers.
    pub fn new(framing: BodyFraming) -> Self {
        Self::with_limits(framing, HeaderLimits::default())
    }

    /// A decoder whose trailers obey `limits`.
    pub fn with_limits(framing: BodyFraming, limits: HeaderLimits) -> Self {
        let state = match framing {
            BodyFraming::None | BodyFraming::Length(0) => State::Done,
            BodyFraming::Length(n) => State::Length(n),
            BodyFraming::Chunked => State::ChunkSize,
            BodyFraming::Close => State::Close,
        };
        BodyDecoder { state, position: 0, trailers: MessageHeader::new(), limits, strict: false, scanned: 0 }
    }

    /// Requires CRLF after chunk sizes, chunk data and trailer lines (RFC 9112 7.1; the
    /// bare-LF leniency of section 2.2 is for heads): the server decodes requests so, as a
    /// lone LF there is read differently by different parsers. Responses are decoded
    /// leniently, as POCO does.
    pub fn strict_line_ends(mut self) -> Self {
        self.strict = true;
        self
    }

    /// Whether the whole body has been decoded.
    pub fn is_finished(&self) -> bool {
        self.state == State::Done
    }

    /// Whether the body runs until the connection closes.
    pub fn is_close_delimited(&self) -> bool {
        self.state == State::Close
    }

    /// Body bytes consumed so far (framing included), for error messages.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Bytes of a fixed-length body still to come.
    pub fn remaining(&self) -> Option<u64> {
        match self.state {
            State::Length(n) => Some(n),
            State::Done => Some(0),
            _ => None,
        }
    }

    /// The trailer fields of a chunked body (empty until the body ended).
    pub fn trailers(&self) -> &MessageHeader {
        &self.trailers
    }

    /// Takes the trailers out.
    pub fn take_trailers(&mut self) -> MessageHeader {
        std::mem::take(&mut self.trailers)
    }

    /// Decodes from `input`: returns how many bytes were used and what was found. Call
    /// repeatedly with the unused rest; [`Decoded::NeedMore`] asks for more bytes first.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Decoded<'a>)> {
        self.decode_max(input, usize::MAX)
    }

    /// Like [`decode`](Self::decode), returning at most `max` bytes of data (for a caller
    /// with a small output buffer); `max` must not be 0.
    pub fn decode_max<'a>(&mut self, input: &'a [u8], max: usize) -> Result<(usize, Decoded<'a>)> {
        let max = max.max(1) as u64;
        let mut used = 0;
        loop {
            let rest = &input[used..];
            match self.state {
                State::Done => return Ok(self.advance(used, Decoded::End)),
                State::Close => {
                    if rest.is_empty() {
                        return Ok(self.advance(used, Decoded::NeedMore));
                    }
                    let take = (max.min(rest.len() as u64)) as usize;
                    return Ok(self.advance(used + take, Decoded::Data(&rest[..take])));
                }
                State::Length(n) => {
                    if rest.is_empty() {
                        return Ok(self.advance(used, Decoded::NeedMore));
                    }
                    let take = (n.min(max).min(rest.len() as u64)) as usize;
                    self.state = if take as u64 == n { State::Done } else { State::Length(n - take as u64) };
                    return Ok(self.advance(used + take, Decoded::Data(&rest[..take])));
                }
                State::ChunkData(n) => {
                    if rest.is_empty() {
                        return Ok(self.advance(used, Decoded::NeedMore));
                    }
                    let take = (n.min(max).min(rest.len() as u64)) as usize;
                    self.state = if take as u64 == n {
                        State::ChunkDataEnd
                    } else {
                        State::ChunkData(n - take as u64)
                    };
                    return Ok(self.advance(used + take, Decoded::Data(&rest[..take])));
                }
                State::ChunkDataEnd => {
                    let skip = if rest.starts_with(b"\r\n") {
                        2
                    } else if rest.starts_with(b"\n") && !self.strict {
                        1
                    } else if rest.is_empty() || rest == b"\r" {
                        return Ok(self.advance(used, Decoded::NeedMore));
                    } else {
                        return Err(self.error(used, "missing CRLF after chunk data"));
                    };
                    used += skip;
                    self.state = State::ChunkSize;
                }
                State::ChunkSize => {
                    let from = std::mem::take(&mut self.scanned).min(rest.len());
                    let Some(lf) = rest[from..].iter().position(|&b| b == b'\n').map(|p| from + p) else {
                        if rest.len() > MAX_CHUNK_LINE {
                            return Err(self.limit_error(used, "chunk-size line too long"));
                        }
                        self.scanned = rest.len();
                        return Ok(self.advance(used, Decoded::NeedMore));
                    };
                    if lf > MAX_CHUNK_LINE {
                        return Err(self.limit_error(used, "chunk-size line too long"));
                    }
                    let line = &rest[..lf];
                    let line = match line.strip_suffix(b"\r") {
                        Some(line) => line,
                        None if self.strict => {
                            return Err(self.error(used + lf, "chunk-size line ends in a bare LF"));
                        }
                        None => line,
                    };
                    if self.strict && line.iter().any(|&b| b == b'\r' || b == 0) {
                        return Err(self.error(used, "bare CR or NUL in a chunk-size line"));
                    }
                    let size = self.parse_chunk_size(line, used)?;
                    used += lf + 1;
                    self.state = if size == 0 { State::Trailers } else { State::ChunkData(size) };
                }
                State::Trailers => {
                    if self.strict && rest.first() == Some(&b'\n') {
                        return Err(self.error(used, "the chunked body ends in a bare LF"));
                    }
                    if rest.starts_with(b"\r\n") || rest.starts_with(b"\n") {
                        used += if rest[0] == b'\r' { 2 } else { 1 };
                        self.state = State::Done;
                        continue;
                    }
                    // The end is "\n\r\n" or "\n\n": it may start up to 2 bytes before
                    // where the last search stopped.
                    let from = std::mem::take(&mut self.scanned).saturating_sub(2).min(rest.len());
                    let end = find_block_end(&rest[from..]).map(|e| from + e);
                    let max = self.limits.max_block_length() + 4;
                    match end {
                        None if rest.len() > max => {
                            return Err(self.limit_error(used, "trailer section too long"));
                        }
                        None => {
                            self.scanned = rest.len();
                            return Ok(self.advance(used, Decoded::NeedMore));
                        }
                        Some(end) => {
                            let at = self.position + used as u64;
                            if self.strict
                                && let Some(lf) = super::head::bare_lf(&rest[..end])
                            {
                                return Err(self.error(used + lf, "trailer line ends in a bare LF"));
                            }
                            let (fields, _) =
                                super::head::parse_fields(&rest[..end], &self.limits, false, at)?;
                            for (n, v) in fields.iter() {
                                self.trailers.add(n, v);
                            }
                            used += end;
                            self.state = State::Done;
                        }
                    }
                }
            }
        }
    }

    /// Tells the decoder the input ended (the peer closed). Completes a close-delimited body;
    /// for any other unfinished body returns [`ErrorKind::Message`](crate::ErrorKind::Message) saying how much was missing.
    pub fn end_of_input(&mut self) -> Result<()> {
        match self.state {
            State::Done => Ok(()),
            State::Close => {
                self.state = State::Done;
                Ok(())
            }
            State::Length(n) => Err(Error::new(
                ErrorKind::Message,
                format!(
                    "connection closed with {n} bytes of the body missing (after {} bytes)",
                    self.position
                ),
            )),
            _ => Err(Error::new(
                ErrorKind::Message,
                format!(
                    "connection closed inside a chunked body (incomplete chunked transfer encoding at body byte {})",
                    self.position
                ),
            )),
        }
    }

    fn advance<'a>(&mut self, used: usize, ev: Decoded<'a>) -> (usize, Decoded<'a>) {
        self.position += used as u64;
        (used, ev)
    }

    fn parse_chunk_size(&self, line: &[u8], used: usize) -> Result<u64> {
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == 0 {
            return Err(self.error(
                used,
                &format!("invalid chunk size line `{}`", String::from_utf8_lossy(line).escape_debug()),
            ));
        }
        if digits > 16 {
            return Err(self.limit_error(used, "chunk size has more than 16 hex digits"));
        }
        let rest = &line[digits..];
        let rest_trimmed: &[u8] = {
            let ws = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
            &rest[ws..]
        };
        if !(rest_trimmed.is_empty() || rest_trimmed[0] == b';') {
            return Err(self.error(
                used + digits,
                &format!(
                    "invalid character after chunk size in `{}`",
                    String::from_utf8_lossy(line).escape_debug()
                ),
            ));
        }
        let size = line[..digits]
            .iter()
            .fold(0u64, |acc, &b| (acc << 4) | u64::from((b as char).to_digit(16).unwrap_or(0)));
        Ok(size)
    }

    fn error(&self, used: usize, what: &str) -> Error {
        Error::new(ErrorKind::Message, format!("{what} at body byte {}", self.position + used as u64))
    }

    fn limit_error(&self, used: usize, what: &str) -> Error {
        Error::limit(Limit::Chunk, format!("{what} at body byte {}", self.position + used as u64))
    }
}

fn find_block_end(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&c| c == b'\n') {
        let lf = i + p;
        let next = &b[lf + 1..];
        if next.starts_with(b"\r\n") {
            return Some(lf + 3);
        }
        if next.starts_with(b"\n") {
            return Some(lf + 2);
        }
        i = lf + 1;
    }
    None
}

/// A sans-IO body encoder: frames body bytes for the wire.
///
/// Writing more than `Content-Length`, fewer at [`finish`](Self::finish), or any byte under
/// [`BodyFraming::None`] is an error (POCO drops the excess and sends nothing; rpoco never
/// loses data silently).
///
/// ```
/// use rpoco_net::proto::{BodyEncoder, BodyFraming};
/// let mut e = BodyEncoder::new(BodyFraming::Chunked);
/// let mut out = Vec::new();
/// e.encode(b"hello, world", &mut out)?;
/// e.finish(None, &mut out)?;
/// assert_eq!(out, b"C\r\nhello, world\r\n0\r\n\r\n");
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BodyEncoder {
    framing: BodyFraming,
    written: u64,
    finished: bool,
}

impl BodyEncoder {
    /// An encoder for `framing`.
    pub fn new(framing: BodyFraming) -> Self {
        BodyEncoder { framing, written: 0, finished: false }
    }

    /// The framing.
    pub fn framing(&self) -> BodyFraming {
        self.framing
    }

    /// Body bytes accepted so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Whether [`finish`](Self::finish) succeeded.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Checks that `len` more bytes may be written and counts them; returns the prefix to
    /// send before them (a chunk header) or nothing. Use with [`chunk_suffix`](Self::chunk_suffix)
    /// to send large data without copying it.
    pub fn prepare(&mut self, len: usize, out: &mut Vec<u8>) -> Result<()> {
        if self.finished {
            return Err(Error::new(ErrorKind::IllegalState, "body already finished"));
        }
        match self.framing {
            BodyFraming::None if len > 0 => {
                return Err(Error::new(
                    ErrorKind::IllegalState,
                    "message has neither Content-Length nor chunked Transfer-Encoding: set one to send a body",
                ));
            }
            BodyFraming::Length(n) if self.written + len as u64 > n => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "body longer than its Content-Length: {} bytes written, {n} declared",
                        self.written + len as u64
                    ),
                ));
            }
            BodyFraming::Chunked if len > 0 => write_chunk_header(len, out),
            _ => {}
        }
        self.written += len as u64;
        Ok(())
    }

    /// What follows data announced with [`prepare`](Self::prepare): CRLF for a chunk.
    pub fn chunk_suffix(&self, len: usize) -> &'static [u8] {
        if self.framing == BodyFraming::Chunked && len > 0 { b"\r\n" } else { b"" }
    }

    /// Frames `data` into `out` (one chunk for chunked bodies; empty data writes nothing).
    pub fn encode(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.prepare(data.len(), out)?;
        out.extend_from_slice(data);
        out.extend_from_slice(self.chunk_suffix(data.len()));
        Ok(())
    }

    /// Ends the body: the last chunk and trailers for chunked bodies; for fixed-length bodies
    /// checks that all declared bytes were written.
    pub fn finish(&mut self, trailers: Option<&MessageHeader>, out: &mut Vec<u8>) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        match self.framing {
            BodyFraming::Chunked => {
                out.extend_from_slice(b"0\r\n");
                if let Some(t) = trailers {
                    t.write_to_vec(out);
                }
                out.extend_from_slice(b"\r\n");
            }
            BodyFraming::Length(n) if self.written < n => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("body shorter than its Content-Length: {} of {n} bytes written", self.written),
                ));
            }
            _ => {}
        }
        self.finished = true;
        Ok(())
    }
}

/// Writes a chunk header `<HEX>\r\n` (upper case, unpadded, as POCO).
pub fn write_chunk_header(len: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(format!("{len:X}\r\n").as_bytes());
}
