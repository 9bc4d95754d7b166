//! Parsing: POCO's `URI::parse`, `parseAuthority`, `parseHostAndPort` and `parsePathEtc`, with
//! RFC 3986 checks of the scheme, host and port on top (POCO accepts any text there).
//!
//! Every index used for slicing is the position of an ASCII delimiter found by a byte search,
//! so slices always fall on character boundaries, whatever the input.

use std::borrow::Cow;
use std::net::Ipv6Addr;

use super::Uri;
use super::encode::{decode, decode_escape, is_unreserved, snippet};
use crate::{Error, Result};

/// What the string form said beyond the stored components. RFC 3986 §5.2.2 tells an empty
/// authority or query from an absent one; `Uri`, like POCO's `URI`, stores only the text.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Presence {
    /// The reference had an authority (`//...`), perhaps an empty one.
    pub(super) authority: bool,
    /// The reference had a query (`?...`), perhaps an empty one.
    pub(super) query: bool,
}

/// Parses a URI reference. With `network_path`, a leading `//` starts an authority as RFC 3986
/// says (used by `resolve`); without it, POCO's rule applies and `//x` is a path.
pub(super) fn parse_reference(s: &str, network_path: bool) -> Result<(Uri, Presence)> {
    let mut uri = Uri::new();
    let mut presence = Presence::default();
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return Ok((uri, presence));
    };
    let mut rest = s;
    if !matches!(first, b'/' | b'.' | b'?' | b'#') {
        let stop = bytes.iter().position(|&b| matches!(b, b':' | b'/' | b'?' | b'#'));
        if let Some(colon) = stop.filter(|&i| bytes[i] == b':') {
            let scheme = &s[..colon];
            check_scheme(scheme)?;
            rest = &s[colon + 1..];
            if rest.is_empty() {
                return Err(Error::uri(
                    "scheme",
                    format!("URI scheme {:?} must be followed by an authority or a path", snippet(scheme)),
                ));
            }
            uri.scheme = scheme_name(scheme);
            if let Some(after) = rest.strip_prefix("//") {
                rest = parse_authority_prefix(&mut uri, after)?;
                presence.authority = true;
            }
        }
    } else if network_path && let Some(after) = s.strip_prefix("//") {
        rest = parse_authority_prefix(&mut uri, after)?;
        presence.authority = true;
    }
    presence.query = parse_path_etc(&mut uri, rest)?;
    Ok((uri, presence))
}

/// Parses the authority at the start of `s` (which follows `//`) and returns what comes after.
fn parse_authority_prefix<'a>(uri: &mut Uri, s: &'a str) -> Result<&'a str> {
    let end = s.bytes().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(s.len());
    parse_authority(uri, &s[..end])?;
    Ok(&s[end..])
}

/// POCO's `parseAuthority`: user info before the last `@`, then host and port. Sets all three.
pub(super) fn parse_authority(uri: &mut Uri, authority: &str) -> Result<()> {
    let (user_info, host_port) = match authority.rfind('@') {
        Some(at) => (&authority[..at], &authority[at + 1..]),
        None => ("", authority),
    };
    check_user_info(user_info)?;
    let (host, port) = if let Some(literal) = host_port.strip_prefix('[') {
        let Some(close) = literal.find(']') else {
            return Err(Error::uri(
                "host",
                format!("unterminated IPv6 address literal {:?}: missing ']'", snippet(host_port)),
            ));
        };
        let (host, after) = (&literal[..close], &literal[close + 1..]);
        check_ip_literal(host)?;
        match after.strip_prefix(':') {
            Some(port) => (host, port),
            None if after.is_empty() => (host, ""),
            None => {
                return Err(Error::uri(
                    "host",
                    format!("unexpected {:?} after IPv6 address literal [{}]", snippet(after), snippet(host)),
                ));
            }
        }
    } else {
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
        check_reg_name(host)?;
        (host, port)
    };
    uri.port = parse_port(port)?;
    uri.user_info = user_info.to_owned();
    uri.host = lower_host(host);
    Ok(())
}

/// POCO's `parsePathEtc`: path (decoded), `?` query (raw), `#` fragment (raw). Returns whether
/// a query was present.
pub(super) fn parse_path_etc(uri: &mut Uri, s: &str) -> Result<bool> {
    let bytes = s.as_bytes();
    let path_end = bytes.iter().position(|&b| b == b'?' || b == b'#').unwrap_or(bytes.len());
    let path = &s[..path_end];
    check_no_controls("path", path)?;
    uri.path = decode("path", path, false)?;
    let mut rest = &s[path_end..];
    let mut has_query = false;
    if let Some(after) = rest.strip_prefix('?') {
        let end = after.find('#').unwrap_or(after.len());
        let query = &after[..end];
        check_no_controls("query", query)?;
        uri.query = query.to_owned();
        has_query = true;
        rest = &after[end..];
    }
    if let Some(fragment) = rest.strip_prefix('#') {
        check_no_controls("fragment", fragment)?;
        uri.fragment = fragment.to_owned();
    }
    Ok(has_query)
}

/// RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`. POCO takes any text before
/// the first `:` as the scheme; we reject what could not be one.
pub(super) fn check_scheme(scheme: &str) -> Result<()> {
    let bytes = scheme.as_bytes();
    let valid = bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if valid {
        return Ok(());
    }
    let message = if scheme.is_empty() {
        "missing scheme before ':'".to_owned()
    } else {
        format!(
            "invalid scheme {:?}: a scheme is a letter followed by letters, digits, '+', '-' or '.' \
             (a relative reference whose first segment contains ':' must start with \"./\")",
            snippet(scheme)
        )
    };
    Err(Error::uri("scheme", message))
}

/// User info is kept raw, as POCO does; characters that can never be part of a URI
/// (controls, space) and malformed percent-escapes are rejected, as is text that would not
/// decode to UTF-8 (what `user_info()` callers and `set_user_info` work with).
pub(super) fn check_user_info(user_info: &str) -> Result<()> {
    check_no_controls("user info", user_info)?;
    if let Some(at) = user_info.find(' ') {
        return Err(Error::uri(
            "user info",
            format!("space at byte {at} of user info {:?}", snippet(user_info)),
        ));
    }
    check_escapes_decode("user info", user_info)
}

/// Percent-escapes in `s` are well formed and decode to UTF-8 (RFC 3986 §3.2.2 for hosts).
fn check_escapes_decode(component: &'static str, s: &str) -> Result<()> {
    if s.contains('%') {
        decode(component, s, false)?;
    }
    Ok(())
}

/// RFC 3986 `reg-name` (unreserved / pct-encoded / sub-delims), plus non-ASCII characters for
/// internationalized names (`Uri::host_to_ascii` converts those).
pub(super) fn check_reg_name(host: &str) -> Result<()> {
    let bytes = host.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%' {
            decode_escape("host", host, i)?;
        } else if !(b >= 0x80 || is_unreserved(b) || is_sub_delim(b)) {
            // `b` is ASCII, so `i` is a character boundary.
            let c = host[i..].chars().next().unwrap_or_default();
            return Err(Error::uri(
                "host",
                format!("invalid character {c:?} at byte {i} of host {:?}", snippet(host)),
            ));
        }
    }
    check_escapes_decode("host", host)
}

/// The inside of `[...]`: an IPv6 address with an optional RFC 6874 zone (`%25eth0`, and the
/// common unencoded `%eth0`), or an RFC 3986 IPvFuture (`v1.xyz`).
pub(super) fn check_ip_literal(literal: &str) -> Result<()> {
    let invalid = |why: &str| Err(Error::uri("host", format!("{why}: [{}]", snippet(literal))));
    if let Some(future) = literal.strip_prefix(['v', 'V']) {
        let Some((version, rest)) = future.split_once('.') else {
            return invalid("invalid IPvFuture address literal");
        };
        let version_ok = !version.is_empty() && version.bytes().all(|b| b.is_ascii_hexdigit());
        let rest_ok =
            !rest.is_empty() && rest.bytes().all(|b| is_unreserved(b) || is_sub_delim(b) || b == b':');
        return if version_ok && rest_ok { Ok(()) } else { invalid("invalid IPvFuture address literal") };
    }
    let (address, zone) = match literal.split_once('%') {
        Some((address, zone)) => (address, Some(zone)),
        None => (literal, None),
    };
    if address.parse::<Ipv6Addr>().is_err() {
        return invalid("invalid IPv6 address literal");
    }
    if let Some(zone) = zone {
        let zone_bytes = zone.as_bytes();
        let mut valid = !zone.is_empty() && zone != "25";
        for (i, &b) in zone_bytes.iter().enumerate() {
            valid &= is_unreserved(b) || (b == b'%' && decode_escape("host", zone, i).is_ok());
        }
        if !valid {
            return invalid("invalid zone identifier in IPv6 address literal");
        }
    }
    Ok(())
}

fn is_sub_delim(b: u8) -> bool {
    matches!(b, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

/// The port after `:`: empty means none (0); otherwise decimal digits giving 1..=65535.
pub(super) fn parse_port(port: &str) -> Result<u16> {
    if port.is_empty() {
        return Ok(0);
    }
    let mut value: u32 = 0;
    for b in port.bytes() {
        if !b.is_ascii_digit() {
            return Err(Error::uri(
                "port",
                format!("invalid port number {:?}: not a decimal number", snippet(port)),
            ));
        }
        value = value.saturating_mul(10).saturating_add(u32::from(b - b'0'));
    }
    match u16::try_from(value) {
        Ok(0) => {
            Err(Error::uri("port", format!("invalid port number {:?}: port 0 is not allowed", snippet(port))))
        }
        Ok(port) => Ok(port),
        Err(_) => {
            Err(Error::uri("port", format!("invalid port number {:?}: greater than 65535", snippet(port))))
        }
    }
}

/// Rejects the C0 controls and DEL, which no URI may contain and which would be written out
/// verbatim from a raw query, fragment or user info (think CR LF in a request line).
pub(super) fn check_no_controls(component: &'static str, s: &str) -> Result<()> {
    match s.bytes().position(|b| b < 0x20 || b == 0x7F) {
        None => Ok(()),
        Some(i) => Err(Error::uri(
            component,
            format!(
                "control character {:?} at byte {i} of {component} {:?}",
                char::from(s.as_bytes()[i]),
                snippet(s)
            ),
        )),
    }
}

/// The lower-cased scheme; the common ones as static strings (no allocation).
pub(super) fn scheme_name(scheme: &str) -> Cow<'static, str> {
    const COMMON: &[&str] = &[
        "http", "https", "ws", "wss", "ftp", "file", "mailto", "urn", "tel", "data", "ldap", "ldaps", "ssh",
        "telnet", "smtp", "smtps", "imap", "imaps", "sip", "sips", "rtsp", "xmpp", "nntp", "dns", "dnss",
    ];
    match COMMON.iter().find(|common| common.eq_ignore_ascii_case(scheme)) {
        Some(common) => Cow::Borrowed(common),
        None => Cow::Owned(lower(scheme)),
    }
}

/// ASCII lower-casing, allocating once.
pub(super) fn lower(s: &str) -> String {
    if s.bytes().any(|b| b.is_ascii_uppercase()) { s.to_ascii_lowercase() } else { s.to_owned() }
}

/// POCO lower-cases the host unless it starts with `%` (a percent-encoded name).
pub(super) fn lower_host(host: &str) -> String {
    if host.starts_with('%') { host.to_owned() } else { lower(host) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(r: Result<(Uri, Presence)>) -> &'static str {
        match r {
            Err(Error::UriSyntax { component, .. }) => component,
            other => panic!("expected a URI syntax error, got {other:?}"),
        }
    }

    #[test]
    fn bad_ports_are_errors_naming_the_port() {
        for input in [
            "http://a:0/",
            "http://a:65536/",
            "http://a:99999999999999999999/",
            "http://a:8o/",
            "http://a:-1",
            "http://a:+80",
        ] {
            let err = parse_reference(input, false).unwrap_err();
            assert!(matches!(&err, Error::UriSyntax { component: "port", .. }), "{input}: {err}");
        }
        assert_eq!(parse_reference("http://a:65535/", false).unwrap().0.port, 65535);
        assert_eq!(parse_reference("http://a:0080/", false).unwrap().0.port, 80);
        assert_eq!(parse_reference("http://a:/", false).unwrap().0.port, 0);
    }

    #[test]
    fn bad_hosts_are_errors_naming_the_host() {
        for input in [
            "http://a b/",
            "http://a\tb/",
            "http://a<b/",
            "http://[::1/",
            "http://[::1]x/",
            "http://[::g]/",
            "http://[]/",
            "http://[fe80::1%]/",
            "http://a%zz/",
            "http://2c%cc%cc/", // escapes that do not decode to UTF-8 (found by fuzzing)
            "http://a[b]/",
            "http://[v1]/",
        ] {
            assert_eq!(component(parse_reference(input, false)), "host", "{input}");
        }
        for ok in [
            "http://[fe80::1%25eth0]/",
            "http://[fe80::1%eth0]/",
            "http://[v7.a:b]/",
            "http://bücher.de/",
            "http://%41b/",
            "http://b%C3%BCcher.de/",
        ] {
            assert!(parse_reference(ok, false).is_ok(), "{ok}");
        }
    }

    #[test]
    fn schemes_follow_rfc_3986() {
        for input in [":x", "1a:b", "a b:c", "%41:b", "ü:x", "127.0.0.1:8080"] {
            assert_eq!(component(parse_reference(input, false)), "scheme", "{input}");
        }
        assert_eq!(component(parse_reference("x:", false)), "scheme");
        let (uri, _) = parse_reference("Svn+SSH.v2:x", false).unwrap();
        assert_eq!(uri.scheme, "svn+ssh.v2");
    }

    #[test]
    fn controls_are_rejected_everywhere() {
        assert_eq!(component(parse_reference("http://a/b\r\nc", false)), "path");
        assert_eq!(component(parse_reference("http://a/?b\nc", false)), "query");
        assert_eq!(component(parse_reference("http://a/#\0", false)), "fragment");
        assert_eq!(component(parse_reference("http://u\x7f@a/", false)), "user info");
    }

    #[test]
    fn presence_and_network_paths() {
        let (uri, p) = parse_reference("//g/x?", true).unwrap();
        assert_eq!((uri.host.as_str(), uri.path.as_str(), p.authority, p.query), ("g", "/x", true, true));
        let (uri, p) = parse_reference("//g/x", false).unwrap();
        assert_eq!((uri.host.as_str(), uri.path.as_str(), p.authority), ("", "//g/x", false));
    }

    #[test]
    fn user_info_is_everything_before_the_last_at() {
        let (uri, _) = parse_reference("http://a@b:c@host/", false).unwrap();
        assert_eq!((uri.user_info.as_str(), uri.host.as_str()), ("a@b:c", "host"));
    }

    #[test]
    fn user_info_escapes_must_be_well_formed() {
        // Found by fuzzing: `resolve("//%f@")` used to store user info that printed as a
        // URI that could not be parsed back.
        for bad in ["http://%f@host/", "http://%zz@host/", "http://%ff@host/"] {
            assert_eq!(component(parse_reference(bad, false)), "user info", "{bad}");
        }
        let mut base = Uri::new();
        assert!(base.resolve("//%f@").is_err());
        assert!(base.resolve("//2c%ccccc").is_err());
        assert!(parse_reference("http://us%20er:p%40ss@host/", false).is_ok());
    }
}
