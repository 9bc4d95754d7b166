//! [`HttpMessage`]: what requests and responses share (POCO `HTTPMessage`).

use super::header::MessageHeader;

/// `"HTTP/1.0"`, the default version of new messages (as in POCO).
pub const HTTP_1_0: &str = "HTTP/1.0";
/// `"HTTP/1.1"`.
pub const HTTP_1_1: &str = "HTTP/1.1";
/// `"identity"`: no transfer coding.
pub const IDENTITY_TRANSFER_ENCODING: &str = "identity";
/// `"chunked"`.
pub const CHUNKED_TRANSFER_ENCODING: &str = "chunked";

/// The common part of [`HttpRequest`](crate::HttpRequest) and
/// [`HttpResponse`](crate::HttpResponse): version and header fields, with POCO's helpers for
/// the fields that frame a message.
///
/// ```
/// use rpoco_net::{HttpMessage, HttpRequest, HTTP_1_1};
/// let mut r = HttpRequest::default();
/// assert_eq!(r.version(), "HTTP/1.0");
/// assert!(!r.keep_alive());
/// r.set_version(HTTP_1_1);
/// assert!(r.keep_alive());
/// r.set_content_length(Some(5));
/// assert_eq!(r.get("Content-Length"), Some("5"));
/// r.set_transfer_encoding("gzip, chunked");
/// assert!(!r.chunked_transfer_encoding()); // POCO: only exactly "chunked" counts
/// ```
pub trait HttpMessage {
    /// The header fields.
    fn header(&self) -> &MessageHeader;
    /// The header fields, mutable.
    fn header_mut(&mut self) -> &mut MessageHeader;
    /// The protocol version, e.g. `"HTTP/1.1"`.
    fn version(&self) -> &str;
    /// Sets the protocol version.
    fn set_version(&mut self, version: &str);

    /// Replaces the first field `name` (or adds it).
    fn set(&mut self, name: &str, value: &str) {
        self.header_mut().set(name, value);
    }
    /// Adds a field.
    fn add(&mut self, name: &str, value: &str) {
        self.header_mut().add(name, value);
    }
    /// The first field `name`.
    fn get(&self, name: &str) -> Option<&str> {
        self.header().get(name)
    }
    /// Whether a field `name` exists.
    fn has(&self, name: &str) -> bool {
        self.header().has(name)
    }
    /// Removes every field `name`.
    fn erase(&mut self, name: &str) {
        self.header_mut().erase(name);
    }

    /// Sets `Content-Length`; `None` removes it (POCO: `-1`).
    fn set_content_length(&mut self, length: Option<u64>) {
        match length {
            Some(n) => self.set("Content-Length", &n.to_string()),
            None => self.erase("Content-Length"),
        }
    }
    /// `Content-Length` as a number; `None` if absent or not a number (POCO: `-1`).
    fn content_length(&self) -> Option<u64> {
        self.get("Content-Length").and_then(|v| super::header::trim_ows(v).parse().ok())
    }
    /// Whether `Content-Length` is present.
    fn has_content_length(&self) -> bool {
        self.has("Content-Length")
    }

    /// Sets `Transfer-Encoding`; `"identity"` removes it.
    fn set_transfer_encoding(&mut self, encoding: &str) {
        if encoding.eq_ignore_ascii_case(IDENTITY_TRANSFER_ENCODING) {
            self.erase("Transfer-Encoding");
        } else {
            self.set("Transfer-Encoding", encoding);
        }
    }
    /// `Transfer-Encoding`, `"identity"` if absent.
    fn transfer_encoding(&self) -> &str {
        self.get("Transfer-Encoding").unwrap_or(IDENTITY_TRANSFER_ENCODING)
    }
    /// Sets or removes `Transfer-Encoding: chunked`.
    fn set_chunked_transfer_encoding(&mut self, on: bool) {
        self.set_transfer_encoding(if on { CHUNKED_TRANSFER_ENCODING } else { IDENTITY_TRANSFER_ENCODING });
    }
    /// Whether `Transfer-Encoding` is exactly `chunked` (case-insensitive), as POCO decides.
    fn chunked_transfer_encoding(&self) -> bool {
        self.get("Transfer-Encoding")
            .is_some_and(|v| super::header::trim_ows(v).eq_ignore_ascii_case(CHUNKED_TRANSFER_ENCODING))
    }

    /// Sets `Content-Type`; empty removes it.
    fn set_content_type(&mut self, media_type: &str) {
        if media_type.is_empty() {
            self.erase("Content-Type");
        } else {
            self.set("Content-Type", media_type);
        }
    }
    /// `Content-Type`, empty if absent.
    fn content_type(&self) -> &str {
        self.get("Content-Type").unwrap_or("")
    }

    /// Sets `Connection: Keep-Alive` or `Connection: Close`.
    fn set_keep_alive(&mut self, keep_alive: bool) {
        self.set("Connection", if keep_alive { "Keep-Alive" } else { "Close" });
    }
    /// Whether the connection persists after this message (RFC 9112 9.3): not if any
    /// `Connection` field lists `close`; else yes for HTTP/1.1, and for HTTP/1.0 only with
    /// `keep-alive` listed. (POCO compares the whole value with `close`, so
    /// `Connection: keep-alive, close` kept the connection.)
    fn keep_alive(&self) -> bool {
        let mut keep_alive_listed = false;
        for value in self.header().get_all("Connection") {
            for option in value.split(',').map(super::header::trim_ows) {
                if option.eq_ignore_ascii_case("close") {
                    return false;
                }
                keep_alive_listed |= option.eq_ignore_ascii_case("keep-alive");
            }
        }
        self.version() == HTTP_1_1 || keep_alive_listed
    }
}
