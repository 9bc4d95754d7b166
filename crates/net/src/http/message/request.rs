//! [`HttpRequest`] (POCO `HTTPRequest`).

use std::io::Write;

use super::header::{MessageHeader, trim_ows};
use super::message::{HTTP_1_0, HttpMessage};
use super::name_value::NameValueCollection;
use crate::error::{Error, ErrorKind, Result};

/// An HTTP request head: method, request target ("URI"), version and header fields.
///
/// The default is `GET / HTTP/1.0`, as in POCO.
///
/// ```
/// use rpoco_net::{HttpMessage, HttpRequest, HTTP_1_1};
/// let mut req = HttpRequest::new(HttpRequest::HTTP_GET, "/index.html", HTTP_1_1);
/// req.set_host("example.com", 443); // POCO omits 80 and 443 whatever the scheme
/// req.set("User-Agent", "rpoco");
/// assert_eq!(req.to_bytes(), b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: rpoco\r\n\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: String,
    uri: String,
    version: String,
    header: MessageHeader,
}

impl Default for HttpRequest {
    fn default() -> Self {
        HttpRequest::new(Self::HTTP_GET, "/", HTTP_1_0)
    }
}

impl HttpRequest {
    /// `GET`
    pub const HTTP_GET: &'static str = "GET";
    /// `HEAD`
    pub const HTTP_HEAD: &'static str = "HEAD";
    /// `PUT`
    pub const HTTP_PUT: &'static str = "PUT";
    /// `POST`
    pub const HTTP_POST: &'static str = "POST";
    /// `OPTIONS`
    pub const HTTP_OPTIONS: &'static str = "OPTIONS";
    /// `DELETE`
    pub const HTTP_DELETE: &'static str = "DELETE";
    /// `TRACE`
    pub const HTTP_TRACE: &'static str = "TRACE";
    /// `CONNECT`
    pub const HTTP_CONNECT: &'static str = "CONNECT";
    /// `PATCH`
    pub const HTTP_PATCH: &'static str = "PATCH";

    /// A request with the given method, target and version.
    pub fn new(method: &str, uri: &str, version: &str) -> Self {
        HttpRequest {
            method: method.to_owned(),
            uri: uri.to_owned(),
            version: version.to_owned(),
            header: MessageHeader::new(),
        }
    }

    /// `method uri HTTP/1.0`.
    pub fn with_method(method: &str, uri: &str) -> Self {
        Self::new(method, uri, HTTP_1_0)
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Sets the method.
    pub fn set_method(&mut self, method: &str) {
        self.method = method.to_owned();
    }

    /// The request target as sent (`/path?query`, or an absolute URI through a proxy).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Sets the request target.
    pub fn set_uri(&mut self, uri: &str) {
        self.uri = uri.to_owned();
    }

    /// Whether the method is idempotent (RFC 9110 9.2.2: GET, HEAD, PUT, DELETE, OPTIONS,
    /// TRACE), i.e. safe to retry.
    pub fn is_idempotent(&self) -> bool {
        matches!(self.method.as_str(), "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE")
    }

    /// Sets `Host: host[:port]`, bracketing IPv6 literals and omitting ports 80 and 443
    /// (POCO's rule, whatever the scheme).
    pub fn set_host(&mut self, host: &str, port: u16) {
        let mut value =
            if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_owned() };
        if port != 80 && port != 443 {
            value.push(':');
            value.push_str(&port.to_string());
        }
        self.set("Host", &value);
    }

    /// Sets `Host` to `host` verbatim.
    pub fn set_host_only(&mut self, host: &str) {
        self.set("Host", host);
    }

    /// The `Host` field.
    pub fn host(&self) -> Option<&str> {
        self.get("Host")
    }

    /// Adds one `Cookie: a=1; b=2` field from `cookies`.
    pub fn set_cookies(&mut self, cookies: &NameValueCollection) {
        if cookies.is_empty() {
            return;
        }
        let value = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ");
        self.add("Cookie", &value);
    }

    /// Every cookie of every `Cookie` field.
    pub fn cookies(&self) -> NameValueCollection {
        let mut out = NameValueCollection::new();
        for v in self.header.get_all("Cookie") {
            for pair in v.split(';') {
                let pair = trim_ows(pair);
                if pair.is_empty() {
                    continue;
                }
                let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
                out.add(trim_ows(n), super::header::unquote(trim_ows(v)));
            }
        }
        out
    }

    /// Whether an `Authorization` field is present.
    pub fn has_credentials(&self) -> bool {
        self.has("Authorization")
    }

    /// `Authorization` split into scheme and authentication info; absent →
    /// [`ErrorKind::NotAuthenticated`](crate::ErrorKind::NotAuthenticated).
    pub fn credentials(&self) -> Result<(String, String)> {
        split_credentials(self.get("Authorization"))
    }

    /// Sets `Authorization: <scheme> <info>`.
    pub fn set_credentials(&mut self, scheme: &str, info: &str) {
        self.set("Authorization", &format!("{scheme} {info}"));
    }

    /// Removes `Authorization`.
    pub fn remove_credentials(&mut self) {
        self.erase("Authorization");
    }

    /// Whether a `Proxy-Authorization` field is present.
    pub fn has_proxy_credentials(&self) -> bool {
        self.has("Proxy-Authorization")
    }

    /// `Proxy-Authorization` split into scheme and info; absent → [`ErrorKind::NotAuthenticated`](crate::ErrorKind::NotAuthenticated).
    pub fn proxy_credentials(&self) -> Result<(String, String)> {
        split_credentials(self.get("Proxy-Authorization"))
    }

    /// Sets `Proxy-Authorization: <scheme> <info>`.
    pub fn set_proxy_credentials(&mut self, scheme: &str, info: &str) {
        self.set("Proxy-Authorization", &format!("{scheme} {info}"));
    }

    /// Removes `Proxy-Authorization`.
    pub fn remove_proxy_credentials(&mut self) {
        self.erase("Proxy-Authorization");
    }

    /// Sets or removes `Expect: 100-continue`.
    pub fn set_expect_continue(&mut self, on: bool) {
        if on { self.set("Expect", "100-continue") } else { self.erase("Expect") }
    }

    /// Whether `Expect: 100-continue` is present.
    pub fn expect_continue(&self) -> bool {
        self.get("Expect").is_some_and(|v| trim_ows(v).eq_ignore_ascii_case("100-continue"))
    }

    /// Writes the head: request line, fields, empty line.
    pub fn write(&self, out: &mut impl Write) -> Result<()> {
        out.write_all(&self.to_bytes())?;
        Ok(())
    }

    /// The head as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        crate::http::proto::encode_request_head(self, &mut out);
        out
    }
}

fn split_credentials(value: Option<&str>) -> Result<(String, String)> {
    let value = trim_ows(
        value.ok_or_else(|| Error::new(ErrorKind::NotAuthenticated, "no credentials in the request"))?,
    );
    let (scheme, info) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    Ok((scheme.to_owned(), trim_ows(info).to_owned()))
}

impl HttpMessage for HttpRequest {
    fn header(&self) -> &MessageHeader {
        &self.header
    }
    fn header_mut(&mut self) -> &mut MessageHeader {
        &mut self.header
    }
    fn version(&self) -> &str {
        &self.version
    }
    fn set_version(&mut self, version: &str) {
        self.version = version.to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_rules() {
        let mut r = HttpRequest::default();
        r.set_host("::1", 8080);
        assert_eq!(r.host(), Some("[::1]:8080"));
        r.set_host("h", 80);
        assert_eq!(r.host(), Some("h"));
    }

    #[test]
    fn cookies_and_credentials() {
        let mut r = HttpRequest::default();
        let c: NameValueCollection = [("a", "1"), ("b", "2")].into_iter().collect();
        r.set_cookies(&c);
        r.add("Cookie", "c=\"3\"");
        assert_eq!(r.get("Cookie"), Some("a=1; b=2"));
        assert_eq!(r.cookies().iter().collect::<Vec<_>>(), [("a", "1"), ("b", "2"), ("c", "3")]);
        assert!(matches!(r.credentials().map_err(|e| e.kind()), Err(ErrorKind::NotAuthenticated)));
        r.set_credentials("Basic", "Zm9v");
        assert_eq!(r.credentials().unwrap(), ("Basic".to_owned(), "Zm9v".to_owned()));
    }
}
