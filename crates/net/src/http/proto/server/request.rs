//! The request side of the server's exchange, sans-IO: from the bytes a client sent to a
//! checked request head (or the status to refuse it with), and the decisions that follow
//! from the head alone (keep-alive, `100 Continue`, how its body is read).

use crate::error::{Error, ErrorKind, Limit};
use crate::http::message::{HTTP_1_1, HttpMessage, HttpRequest, HttpStatus};
use crate::http::proto::{
    BodyDecoder, BodyFraming, RequestLimits, bare_lf, parse_request_head, request_framing,
};

use super::target::{TargetForm, check_request_target};

/// A request head the server accepted.
#[derive(Debug)]
pub struct ReceivedRequest {
    /// The head; the target in origin form (see [`TargetForm`]).
    pub head: HttpRequest,
    /// The form the target had on the wire.
    pub target: TargetForm,
    /// How the body is delimited.
    pub framing: BodyFraming,
    /// Bytes of the input the head took; the body starts after them.
    pub used: usize,
}

impl ReceivedRequest {
    /// Whether the client waits for `100 Continue` before sending the body.
    pub fn expects_continue(&self) -> bool {
        self.head.version() == HTTP_1_1 && self.head.expect_continue()
    }

    /// A decoder for the body, strict about line ends as a server must be.
    pub fn body_decoder(&self) -> BodyDecoder {
        BodyDecoder::with_limits(self.framing, self.head.header().limits()).strict_line_ends()
    }
}

/// A request the server refuses: the answer's status, and why (for the log).
#[derive(Debug)]
pub struct Rejection {
    /// `400`, `414` or `431`.
    pub status: HttpStatus,
    /// What was wrong.
    pub error: Error,
}

impl From<Error> for Rejection {
    fn from(error: Error) -> Self {
        Rejection { status: rejection_status(&error), error }
    }
}

/// The status a server answers a request head with that failed `error`: `414` for a too
/// long target, `431` for header limits, `400` for everything else (a method longer than
/// any the server knows included, as POCO; RFC 9110 9.1 allows 501 or 400).
pub fn rejection_status(error: &Error) -> HttpStatus {
    match (error.kind(), error.limit_kind()) {
        (_, Some(Limit::Uri)) => HttpStatus::REQUEST_URI_TOO_LONG,
        (_, Some(Limit::Method | Limit::Chunk)) => HttpStatus::BAD_REQUEST,
        (ErrorKind::LimitExceeded, _) => HttpStatus::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => HttpStatus::BAD_REQUEST,
    }
}

/// Reads request heads from the start of a growing buffer (the server's first step):
/// strict syntax (no bare LF, no obs-fold), POCO's limits, then the target, `Host` and
/// framing checks. It remembers how far the last incomplete attempt got and parses again
/// only when a line ended (or 1 KiB more came), so a client sending a byte at a time costs
/// linear time, not quadratic.
///
/// ```
/// use rpoco_net::HttpMessage;
/// use rpoco_net::proto::BodyFraming;
/// use rpoco_net::proto::server::RequestHeadReader;
/// let mut reader = RequestHeadReader::new(Default::default());
/// let wire = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";
/// assert!(reader.read(&wire[..20]).unwrap().is_none());
/// let request = reader.read(wire).unwrap().unwrap();
/// assert_eq!((request.head.uri(), request.framing, &wire[request.used..]), ("/a", BodyFraming::Length(2), &b"hi"[..]));
/// let refused = reader.read(b"GET / HTTP/1.1\r\n\r\n").unwrap_err();
/// assert_eq!(refused.status.code(), 400); // no Host
/// ```
#[derive(Debug, Clone)]
pub struct RequestHeadReader {
    limits: RequestLimits,
    /// Buffered length at the last incomplete parse (0: none).
    mark: usize,
}

impl RequestHeadReader {
    /// A reader under `limits`.
    pub fn new(limits: RequestLimits) -> Self {
        RequestHeadReader { limits, mark: 0 }
    }

    /// Tries to read a head from `buf` (everything received and not yet used, oldest
    /// first). `Ok(None)`: read more and call again with the longer buffer.
    pub fn read(&mut self, buf: &[u8]) -> Result<Option<ReceivedRequest>, Rejection> {
        let max_line = self.limits.max_method_length + self.limits.max_uri_length + 12;
        if buf.is_empty() || !worth_parsing(buf, self.mark, max_line) {
            return Ok(None);
        }
        let Some((mut head, used)) = parse_request_head(buf, &self.limits)? else {
            self.mark = buf.len();
            return Ok(None);
        };
        self.mark = 0;
        if let Some(at) = bare_lf(&buf[..used]) {
            return Err(Error::new(
                ErrorKind::Message,
                format!("line ends in a bare LF at byte {at} of the request head"),
            )
            .into());
        }
        let target = check_request_target(&mut head)?;
        let framing = request_framing(&head)?;
        Ok(Some(ReceivedRequest { head, target, framing, used }))
    }
}

/// What decides whether a connection stays open after a response: the server's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAlivePolicy {
    /// Keep-alive is on (POCO `keepAlive`).
    pub enabled: bool,
    /// The most requests per connection, 0 = unlimited (POCO `maxKeepAliveRequests`).
    pub max_requests: u32,
    /// The server is stopping.
    pub stopping: bool,
}

impl KeepAlivePolicy {
    /// Whether the response to `request`, the `served`-th on its connection (from 1), may
    /// keep the connection: the server's policy and the client's wish (RFC 9112 9.3). The
    /// response's own framing can still close it (a body delimited by closing).
    pub fn allows(&self, request: &HttpRequest, served: u32) -> bool {
        let budget = self.max_requests == 0 || served < self.max_requests;
        self.enabled && budget && !self.stopping && request.keep_alive()
    }
}

/// Whether a new parse attempt can succeed or find a limit exceeded: once a line ended
/// since the last attempt, or 1 KiB more arrived, or the request line passed its limit.
fn worth_parsing(buf: &[u8], mark: usize, max_line: usize) -> bool {
    if mark == 0 || buf.len() < mark {
        return true;
    }
    buf.len() >= mark + 1024
        || (buf.len() > max_line && mark <= max_line)
        || buf[mark.saturating_sub(1)..].contains(&b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (wire bytes, the status refused with, or `None` if accepted)
    const TABLE: &[(&[u8], Option<u16>)] = &[
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", None),
        (b"GET / HTTP/1.0\r\n\r\n", None),
        (b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", None),
        (b"GET / HTTP/1.1\r\n\r\n", Some(400)),
        (b"GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", Some(400)),
        (b"GET / HTTP/1.1\r\nHost: u@x\r\n\r\n", Some(400)),
        (b"GET / HTTP/1.1\nHost: x\n\n", Some(400)),
        (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", Some(400)),
        (b"GET / HTTP/1.1\r\nHost: x\r\nA\rB: c\r\n\r\n", Some(400)),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", Some(400)),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", Some(400)),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\xa0\r\n\r\n", Some(400)),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\x85\r\n\r\n", Some(400)),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", Some(400)),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\nContent-Length: 1\r\n\r\n", Some(400)),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", Some(400)),
        (b"GET http://h/p HTTP/1.1\r\nHost: x\r\n\r\n", None),
        (b"GET ftp://h/p HTTP/1.1\r\nHost: x\r\n\r\n", Some(400)),
        (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", None),
        (b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", Some(400)),
    ];

    #[test]
    fn byte_table() {
        for (wire, refused) in TABLE {
            let got = RequestHeadReader::new(RequestLimits::default()).read(wire);
            match (got, refused) {
                (Ok(Some(_)), None) => {}
                (Err(r), Some(code)) => {
                    assert_eq!(r.status.code(), *code, "{:?}", String::from_utf8_lossy(wire))
                }
                (other, _) => panic!("{:?}: {other:?}", String::from_utf8_lossy(wire)),
            }
        }
    }

    #[test]
    fn limits_answer_414_and_431_and_byte_by_byte_works() {
        let limits = RequestLimits { max_uri_length: 10, ..RequestLimits::default() };
        let long_uri = RequestHeadReader::new(limits).read(b"GET /0123456789abcdef HTTP/1.1\r\n\r\n");
        assert_eq!(long_uri.unwrap_err().status.code(), 414);
        let mut many = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
        for i in 0..200 {
            many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        let fields = RequestHeadReader::new(RequestLimits::default()).read(&many);
        assert_eq!(fields.unwrap_err().status.code(), 431);

        let wire = b"GET /x?y HTTP/1.1\r\nHost: h:1\r\nTransfer-Encoding: chunked\r\n\r\n";
        let mut reader = RequestHeadReader::new(RequestLimits::default());
        for end in 1..wire.len() {
            assert!(reader.read(&wire[..end]).unwrap().is_none(), "complete at {end}");
        }
        let request = reader.read(wire).unwrap().unwrap();
        assert_eq!(
            (request.head.uri(), request.framing, request.used),
            ("/x?y", BodyFraming::Chunked, wire.len())
        );
    }

    #[test]
    fn keep_alive_is_decided_in_one_place() {
        let policy = KeepAlivePolicy { enabled: true, max_requests: 2, stopping: false };
        let mut request = HttpRequest::new("GET", "/", HTTP_1_1);
        assert!(policy.allows(&request, 1));
        assert!(!policy.allows(&request, 2), "the request budget");
        assert!(!KeepAlivePolicy { stopping: true, ..policy }.allows(&request, 1));
        assert!(!KeepAlivePolicy { enabled: false, ..policy }.allows(&request, 1));
        request.set("Connection", "keep-alive, close");
        assert!(!policy.allows(&request, 1), "close listed");
        let old = HttpRequest::new("GET", "/", crate::http::message::HTTP_1_0);
        assert!(!policy.allows(&old, 1), "HTTP/1.0 without keep-alive");
    }
}
