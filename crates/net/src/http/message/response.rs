//! [`HttpResponse`] (POCO `HTTPResponse`).

use std::io::Write;
use std::time::SystemTime;

use super::cookie::HttpCookie;
use super::header::MessageHeader;
use super::message::{HTTP_1_0, HttpMessage};
use super::status::HttpStatus;
use crate::error::{Error, ErrorKind, Result};

/// An HTTP response head: version, status, reason phrase and header fields.
///
/// The default is `HTTP/1.0 200 OK`, as in POCO.
///
/// ```
/// use rpoco_net::{HttpMessage, HttpResponse, HttpStatus, HTTP_1_1};
/// let mut res = HttpResponse::with_version(HTTP_1_1, HttpStatus::NOT_FOUND);
/// res.set_content_length(Some(0));
/// assert_eq!(res.to_bytes(), b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    version: String,
    status: HttpStatus,
    reason: String,
    header: MessageHeader,
}

impl Default for HttpResponse {
    fn default() -> Self {
        HttpResponse::new(HttpStatus::OK)
    }
}

impl HttpResponse {
    /// `HTTP/1.0 <status> <reason>`.
    pub fn new(status: HttpStatus) -> Self {
        Self::with_version(HTTP_1_0, status)
    }

    /// A response with the given version and status and the status's reason phrase.
    pub fn with_version(version: &str, status: HttpStatus) -> Self {
        Self::with_reason(version, status, status.reason())
    }

    /// A response with an explicit reason phrase.
    pub fn with_reason(version: &str, status: HttpStatus, reason: &str) -> Self {
        HttpResponse {
            version: version.to_owned(),
            status,
            reason: reason.to_owned(),
            header: MessageHeader::new(),
        }
    }

    /// The status.
    pub fn status(&self) -> HttpStatus {
        self.status
    }

    /// Sets the status and its standard reason phrase (POCO `setStatusAndReason(status)`).
    pub fn set_status(&mut self, status: HttpStatus) {
        self.status = status;
        self.reason = status.reason().to_owned();
    }

    /// Sets status and reason phrase.
    pub fn set_status_and_reason(&mut self, status: HttpStatus, reason: &str) {
        self.status = status;
        self.reason = reason.to_owned();
    }

    /// The reason phrase.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Sets the reason phrase.
    pub fn set_reason(&mut self, reason: &str) {
        self.reason = reason.to_owned();
    }

    /// Sets `Date` (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`).
    pub fn set_date(&mut self, date: SystemTime) {
        self.set("Date", &httpdate::fmt_http_date(date));
    }

    /// `Date` as a time; absent → [`ErrorKind::NotFound`](crate::ErrorKind::NotFound), unparsable → [`ErrorKind::Syntax`](crate::ErrorKind::Syntax).
    pub fn date(&self) -> Result<SystemTime> {
        let v = self.get("Date").ok_or_else(|| Error::new(ErrorKind::NotFound, "Date"))?;
        httpdate::parse_http_date(v)
            .map_err(|_| Error::new(ErrorKind::Syntax, format!("bad Date header `{v}`")))
    }

    /// Adds a `Set-Cookie` field.
    pub fn add_cookie(&mut self, cookie: &HttpCookie) {
        self.add("Set-Cookie", &cookie.to_string());
    }

    /// Every cookie of every `Set-Cookie` field.
    pub fn cookies(&self) -> Vec<HttpCookie> {
        self.header.get_all("Set-Cookie").map(HttpCookie::parse).collect()
    }

    /// Removes the `Set-Cookie` fields for cookie `name`.
    pub fn remove_cookie(&mut self, name: &str) {
        self.header
            .entries_mut()
            .retain(|(n, v)| !(n.eq_ignore_ascii_case("Set-Cookie") && HttpCookie::parse(v).name() == name));
    }

    /// Replaces the `Set-Cookie` field for the cookie's name, or adds one.
    pub fn replace_cookie(&mut self, cookie: &HttpCookie) {
        self.remove_cookie(cookie.name());
        self.add_cookie(cookie);
    }

    /// Writes the head: status line, fields, empty line.
    pub fn write(&self, out: &mut impl Write) -> Result<()> {
        out.write_all(&self.to_bytes())?;
        Ok(())
    }

    /// The head as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        crate::http::proto::encode_response_head(self, &mut out);
        out
    }

    /// Resets to `HTTP/1.0 200 OK` with no fields but the same limits (reuse between
    /// requests).
    pub fn clear(&mut self) {
        let limits = self.header.limits();
        let auto = self.header.auto_decode();
        *self = HttpResponse::default();
        self.header.set_limits(limits);
        self.header.set_auto_decode(auto);
    }
}

impl HttpMessage for HttpResponse {
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
    fn cookies_round_trip() {
        let mut r = HttpResponse::default();
        r.add_cookie(&HttpCookie::new("a", "1"));
        r.add_cookie(&HttpCookie::new("b", "2"));
        r.replace_cookie(&HttpCookie::new("a", "3"));
        let names: Vec<_> = r.cookies().iter().map(|c| format!("{}={}", c.name(), c.value())).collect();
        assert_eq!(names, ["b=2", "a=3"]);
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(784111777);
        r.set_date(t);
        assert_eq!(r.get("Date"), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert_eq!(r.date().unwrap(), t);
    }
}
