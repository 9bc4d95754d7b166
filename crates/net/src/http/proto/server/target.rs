//! The request target and `Host` (RFC 9112 3.2): which form the target has, whether `Host`
//! is present once and well formed, and the origin-form path a handler sees.

use crate::error::{Error, ErrorKind, Result};
use crate::http::message::{HTTP_1_1, HttpMessage, HttpRequest};

/// The form of a request target (RFC 9112 3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetForm {
    /// `/path?query`, the usual form.
    Origin,
    /// `http://host/path?query` (what proxies receive; origin servers must accept it).
    /// [`check_request_target`] rewrites the request to origin form and `Host` to the
    /// authority; the scheme and the raw target are kept here.
    Absolute {
        /// `http` or `https`, lower case.
        scheme: String,
        /// The target as received.
        raw: String,
    },
    /// `host:port`, only for `CONNECT`.
    Authority,
    /// `*`, only for `OPTIONS`.
    Asterisk,
}

/// Checks a received request's target and `Host` and brings the target to the form
/// handlers compare (`uri() == "/"`), as RFC 9112 3.2 requires of a server:
///
/// - HTTP/1.1 needs exactly one `Host` field, HTTP/1.0 at most one; its value must be
///   `host[:port]` (a reg-name, IPv4 address or bracketed IP literal; no user info, path,
///   query or spaces). Otherwise an error of kind [`ErrorKind::Message`] (answer 400).
/// - An absolute-form target (`GET http://h/p?q`) is rewritten to `/p?q`, and `Host` is set
///   to its authority (section 3.2.2: the target's authority wins over `Host`). Only `http`
///   and `https` are accepted.
/// - Authority form only with `CONNECT` (and `CONNECT` only with it), `*` only with
///   `OPTIONS`.
///
/// ```
/// use rpoco_net::{HttpMessage, HttpRequest, HTTP_1_1};
/// use rpoco_net::proto::server::{check_request_target, TargetForm};
/// let mut req = HttpRequest::new("GET", "http://example.com:8080/a?b", HTTP_1_1);
/// req.set("Host", "ignored.example");
/// let form = check_request_target(&mut req)?;
/// assert!(matches!(form, TargetForm::Absolute { .. }));
/// assert_eq!((req.uri(), req.host()), ("/a?b", Some("example.com:8080")));
///
/// let mut bad = HttpRequest::new("GET", "/", HTTP_1_1);
/// bad.set("Host", "user:pw@example.com");
/// assert!(check_request_target(&mut bad).is_err());
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub fn check_request_target(request: &mut HttpRequest) -> Result<TargetForm> {
    let hosts: Vec<&str> = request.header().get_all("Host").collect();
    match hosts.as_slice() {
        [] if request.version() == HTTP_1_1 => {
            return Err(Error::new(ErrorKind::Message, "HTTP/1.1 request without Host"));
        }
        [] => {}
        [one] => check_authority(one, "Host")?,
        _ => return Err(Error::new(ErrorKind::Message, format!("request has {} Host fields", hosts.len()))),
    }
    let target = request.uri();
    let method = request.method();
    if target == "*" {
        return if method == "OPTIONS" {
            Ok(TargetForm::Asterisk)
        } else {
            Err(Error::new(ErrorKind::Message, format!("request target `*` with method {method}")))
        };
    }
    if method == "CONNECT" {
        check_authority(target, "CONNECT target")?;
        if target.is_empty() {
            return Err(Error::new(ErrorKind::Message, "empty CONNECT target"));
        }
        return Ok(TargetForm::Authority);
    }
    if target.starts_with('/') {
        return Ok(TargetForm::Origin);
    }
    let Some((scheme, rest)) = target.split_once("://") else {
        return Err(Error::new(
            ErrorKind::Message,
            format!("request target `{}` is neither a path nor an absolute URI", target.escape_debug()),
        ));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(Error::new(
            ErrorKind::Message,
            format!("request target with scheme `{}`", scheme.escape_debug()),
        ));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    check_authority(authority, "request target authority")?;
    if authority.is_empty() || path.starts_with('#') {
        return Err(Error::new(
            ErrorKind::Message,
            format!("request target `{}` is malformed", target.escape_debug()),
        ));
    }
    let origin = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    let authority = authority.to_owned();
    let raw = target.to_owned();
    request.set_uri(&origin);
    request.set("Host", &authority);
    Ok(TargetForm::Absolute { scheme, raw })
}

/// `uri-host [":" port]` (RFC 9110 7.2, RFC 3986 3.2.2): no user info, path or spaces.
fn check_authority(value: &str, what: &str) -> Result<()> {
    let bad =
        || Error::new(ErrorKind::Message, format!("{what} `{}` is not host[:port]", value.escape_debug()));
    let (host_ok, port) = if let Some(rest) = value.strip_prefix('[') {
        let (literal, after) = rest.split_once(']').ok_or_else(bad)?;
        let literal_ok = !literal.is_empty()
            && literal
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b":.vV".contains(&b) || is_sub_delim_or_unreserved(b));
        (literal_ok, after)
    } else {
        let end = value.find(':').unwrap_or(value.len());
        let (host, after) = value.split_at(end);
        (is_reg_name(host), after)
    };
    if !host_ok {
        return Err(bad());
    }
    match port.strip_prefix(':') {
        None if port.is_empty() => Ok(()),
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() <= 5 => Ok(()),
        _ => Err(bad()),
    }
}

/// reg-name or IPv4 address: unreserved, pct-encoded and sub-delims (RFC 3986 3.2.2).
fn is_reg_name(host: &str) -> bool {
    let b = host.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
            continue;
        }
        if !is_sub_delim_or_unreserved(b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

fn is_sub_delim_or_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(method: &str, target: &str, version: &str, hosts: &[&str]) -> Result<(TargetForm, String)> {
        let mut req = HttpRequest::new(method, target, version);
        for h in hosts {
            req.add("Host", h);
        }
        check_request_target(&mut req).map(|f| (f, req.uri().to_owned()))
    }

    #[test]
    fn host_rules() {
        let ok: &[&[&str]] = &[&["x"], &["localhost:8080"], &["127.0.0.1"], &["[::1]:80"], &["a%41b"], &[""]];
        for hosts in ok {
            assert!(check("GET", "/", "HTTP/1.1", hosts).is_ok(), "{hosts:?}");
        }
        let bad: &[&[&str]] = &[
            &[],
            &["x", "x"],
            &["x", "y"],
            &["user:pw@localhost"],
            &["localhost/path"],
            &["local host"],
            &["x:80:80"],
            &["x:port"],
            &["[::1"],
            &["x:123456"],
            &["a%4"],
            &["x?q"],
            &["ex\u{a0}ample"],
        ];
        for hosts in bad {
            assert!(
                check("GET", "/", "HTTP/1.1", hosts).is_err_and(|e| e.kind() == ErrorKind::Message),
                "{hosts:?}"
            );
        }
        // HTTP/1.0 may omit Host, not repeat it.
        assert!(check("GET", "/", "HTTP/1.0", &[]).is_ok());
        assert!(check("GET", "/", "HTTP/1.0", &["a", "b"]).is_err());
    }

    #[test]
    fn target_forms() {
        let (form, uri) = check("GET", "http://h:1/p/q?x=1", "HTTP/1.1", &["other"]).unwrap();
        assert_eq!(uri, "/p/q?x=1");
        assert_eq!(form, TargetForm::Absolute { scheme: "http".into(), raw: "http://h:1/p/q?x=1".into() });
        assert_eq!(check("GET", "HTTPS://h", "HTTP/1.1", &["h"]).unwrap().1, "/");
        assert_eq!(check("GET", "http://h?x", "HTTP/1.1", &["h"]).unwrap().1, "/?x");
        assert_eq!(check("OPTIONS", "*", "HTTP/1.1", &["h"]).unwrap().0, TargetForm::Asterisk);
        assert_eq!(check("CONNECT", "h:443", "HTTP/1.1", &["h:443"]).unwrap().0, TargetForm::Authority);
        for (method, target) in [
            ("GET", "*"),
            ("GET", "h:443"),
            ("GET", "ftp://h/"),
            ("GET", "http:///p"),
            ("GET", "http://u@h/"),
            ("CONNECT", "/"),
            ("CONNECT", ""),
            ("GET", "http://h#f"),
        ] {
            assert!(check(method, target, "HTTP/1.1", &["h"]).is_err(), "{method} {target}");
        }
    }
}
