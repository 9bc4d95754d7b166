//! Saying why no response arrived: a stale kept-alive connection, a fresh connection the
//! server closed, or a TLS server answering plain HTTP with a TLS record.

use std::sync::atomic::Ordering;

use super::HttpClientSession;
use crate::error::{Detail, Error, ErrorKind};
use crate::http::proto::client::silent_close;

/// The TLS record a TLS server answers plain bytes with, described (RFC 8446 §5.1: content
/// type 21 alert or 22 handshake, legacy version 3.x), and as a typed detail.
pub(super) fn tls_record(bytes: &[u8]) -> Option<(String, Detail)> {
    let (text, content_type, alert) = match bytes {
        [0x15, 0x03, minor, _, _, level, description, ..] if *minor <= 4 => {
            (format!("TLS alert record (level {level}, description {description})"), 21, Some(*description))
        }
        [0x15, 0x03, minor, ..] if *minor <= 4 => ("TLS alert record".into(), 21, None),
        [0x16, 0x03, minor, ..] if *minor <= 4 => ("TLS handshake record".into(), 22, None),
        _ => return None,
    };
    Some((text, Detail::TlsRecord { content_type, alert }))
}

impl HttpClientSession {
    /// The error for a response head that did not arrive: `buffered` is what the server did
    /// send, `cause` the read or parse error (`None`: the connection closed).
    pub(super) fn no_response(&self, buffered: &[u8], cause: Option<Error>) -> Error {
        if self.abort.aborted.load(Ordering::SeqCst) {
            return Error::new(
                ErrorKind::ConnectionAborted,
                "receive response: session aborted through its AbortHandle",
            );
        }
        if let Some((record, detail)) = tls_record(buffered) {
            let message = format!(
                "the server at {}:{} answered with a {record}: it speaks TLS on this port (use https)",
                self.host, self.port
            );
            let e = Error::new(ErrorKind::Protocol, message).with_detail(detail);
            return match cause {
                Some(cause) => e.with_source(cause),
                None => e,
            };
        }
        cause.unwrap_or_else(|| silent_close(self.reused))
    }
}

#[cfg(test)]
mod tests {
    use super::tls_record;

    #[test]
    fn tls_records_are_recognised_and_http_is_not() {
        assert_eq!(
            tls_record(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]).map(|r| r.1),
            Some(super::Detail::TlsRecord { content_type: 21, alert: Some(70) })
        );
        assert!(tls_record(&[0x16, 0x03, 0x01, 0x02, 0x00]).is_some());
        assert!(tls_record(b"HTTP/1.1 200 OK\r\n").is_none());
        assert!(tls_record(&[0x15, 0x09]).is_none());
    }
}
