//! [`Uri`]: an RFC 3986 URI reference with the semantics of POCO's `Poco::URI`.
//!
//! A `Uri` holds a scheme, user info, host, port, path, query and fragment. As in POCO, the
//! path is stored percent-**decoded** and re-encoded when written out, while the query and
//! fragment keep their raw (encoded) spelling; the scheme and host are lower-cased; the port
//! of a known scheme is implied; and two URIs are equal when they name the same effective
//! port. Relative references are first-class: they parse, resolve against a base, print and
//! compare like absolute ones.
//!
//! ```
//! use rpoco_foundation::Uri;
//!
//! let mut uri: Uri = "HTTP://www.Example.com/a/b%20c?q=1%202#top".parse()?;
//! assert_eq!(uri.scheme(), "http");
//! assert_eq!(uri.host(), "www.example.com");
//! assert_eq!(uri.port(), 80); // the well-known port, since none was given
//! assert_eq!(uri.path(), "/a/b c"); // decoded
//! assert_eq!(uri.raw_query(), "q=1%202"); // raw
//! assert_eq!(uri.query()?, "q=1 2");
//! assert_eq!(uri, "http://www.example.com:80/a/b%20c?q=1%202#top");
//!
//! uri.resolve("../d?x=y")?;
//! assert_eq!(uri.to_string(), "http://www.example.com/d?x=y");
//!
//! // POCO's parsing rules: `host:port` without a scheme is a scheme and a path.
//! let odd: Uri = "localhost:8080".parse()?;
//! assert_eq!((odd.scheme(), odd.path()), ("localhost", "8080"));
//! # Ok::<(), rpoco_foundation::Error>(())
//! ```
//!
//! Where rpoco departs from POCO (RFC 3986 resolution of `//g`, stricter scheme, host and port
//! checks, UTF-8 only, a few `to_string` corner cases), `docs/porting.md` lists each case.

mod convert;
mod encode;
mod parse;
mod resolve;
mod setters;

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::Result;
use encode::EncodeSet;

/// A URI reference (RFC 3986) with POCO's semantics (`Poco::URI`).
///
/// Build one with [`Uri::parse`] (or [`str::parse`]), one of the constructors mirroring POCO's
/// ([`from_scheme_path_etc`](Uri::from_scheme_path_etc),
/// [`from_scheme_authority_path_etc`](Uri::from_scheme_authority_path_etc),
/// [`from_parts`](Uri::from_parts), [`resolve_from`](Uri::resolve_from)), or [`Uri::new`] and
/// the setters. [`Display`](fmt::Display) writes the URI back; parsing that text gives an equal
/// `Uri`, with two exceptions: POCO's rule that after `//` an empty path followed by a query
/// or fragment, or a rootless path, gets a `/` (so it comes back with that `/`), and a
/// relative `Uri` given an authority through setters, which prints as the network-path
/// reference `//host/path` that `parse`, like POCO, reads as a path.
///
/// Equality is POCO's: scheme, user info, host, **effective** [`port`](Uri::port), decoded
/// path, raw query and raw fragment, so `http://a` equals `HTTP://a:80`. [`Hash`] agrees.
#[derive(Clone, Debug, Default)]
pub struct Uri {
    /// Lower-cased; common schemes borrow a static string, saving an allocation per URI.
    scheme: Cow<'static, str>,
    user_info: String,
    host: String,
    /// The port given in the URI; 0 when none was.
    port: u16,
    /// Percent-decoded.
    path: String,
    /// Raw.
    query: String,
    /// Raw.
    fragment: String,
}

impl Uri {
    /// POCO's `URI::RESERVED_PATH`: the characters [`Uri::encode`] is given for paths.
    pub const RESERVED_PATH: &'static str = "?#";
    /// POCO's `URI::RESERVED_QUERY`: what [`set_query`](Uri::set_query) encodes.
    pub const RESERVED_QUERY: &'static str = "?#/:;+@";
    /// POCO's `URI::RESERVED_QUERY_PARAM`: what query-parameter names and values encode.
    pub const RESERVED_QUERY_PARAM: &'static str = "?#/:;+@&=";
    /// POCO's `URI::RESERVED_FRAGMENT` (empty): what [`set_fragment`](Uri::set_fragment) encodes.
    pub const RESERVED_FRAGMENT: &'static str = "";
    /// POCO's `URI::ILLEGAL`: characters [`Uri::encode`] always encodes.
    pub const ILLEGAL: &'static str = encode::ILLEGAL;

    /// An empty URI (POCO's default constructor): no scheme, no host, empty path.
    pub const fn new() -> Self {
        Uri {
            scheme: Cow::Borrowed(""),
            user_info: String::new(),
            host: String::new(),
            port: 0,
            path: String::new(),
            query: String::new(),
            fragment: String::new(),
        }
    }

    /// Parses a URI reference, absolute or relative (POCO's `URI(const std::string&)`).
    ///
    /// POCO's rules apply: the scheme and host are lower-cased, the path is percent-decoded,
    /// the query and fragment are kept raw, `host:8080` is the scheme `host` with the path
    /// `8080`, and a leading `//` without a scheme is part of the path (use
    /// [`resolve`](Uri::resolve) for RFC 3986 network-path references).
    ///
    /// # Errors
    ///
    /// [`Error::UriSyntax`](crate::Error::UriSyntax) naming the component, for: a scheme that
    /// is not RFC 3986 syntax or has nothing after its `:`; a port that is not a number in 1..=65535; a host with
    /// characters a host cannot contain, or a bad or unterminated `[IPv6]` literal; a bad
    /// percent-escape in the path or host, or a path that does not decode to UTF-8; control
    /// characters anywhere.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let uri = Uri::parse("ldap://[2001:DB8::7]/c=GB?objectClass?one")?;
    /// assert_eq!(uri.host(), "2001:db8::7");
    /// assert_eq!(uri.port(), 389);
    /// assert!(Uri::parse("http://example.com:65536/").is_err());
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    pub fn parse(uri: &str) -> Result<Self> {
        parse::parse_reference(uri, false).map(|(uri, _)| uri)
    }

    /// POCO's `URI(scheme, pathEtc)`: a scheme and a path with optional `?query#fragment`.
    ///
    /// # Errors
    ///
    /// As [`Uri::parse`], for the scheme (which may be empty) and the path, query and fragment.
    pub fn from_scheme_path_etc(scheme: &str, path_etc: &str) -> Result<Self> {
        let mut uri = Uri::new();
        uri.set_scheme(scheme)?;
        parse::parse_path_etc(&mut uri, path_etc)?;
        Ok(uri)
    }

    /// POCO's `URI(scheme, authority, pathEtc)`.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let uri = Uri::from_scheme_authority_path_etc("http", "user@www.appinf.com:8000", "/index.html?q#f")?;
    /// assert_eq!(uri.to_string(), "http://user@www.appinf.com:8000/index.html?q#f");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Uri::parse`], for each part.
    pub fn from_scheme_authority_path_etc(scheme: &str, authority: &str, path_etc: &str) -> Result<Self> {
        let mut uri = Uri::new();
        uri.set_scheme(scheme)?;
        parse::parse_authority(&mut uri, authority)?;
        parse::parse_path_etc(&mut uri, path_etc)?;
        Ok(uri)
    }

    /// POCO's `URI(scheme, authority, path, query, fragment)` (and, with an empty fragment, the
    /// 4-argument form): the path, query and fragment are stored **verbatim**: the path is
    /// taken as already decoded, the query and fragment as already encoded.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let uri = Uri::from_parts("http", "www.appinf.com", "/a b", "query=test", "fragment")?;
    /// assert_eq!(uri.path_etc(), "/a%20b?query=test#fragment");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Uri::parse`] for the scheme and authority; a query containing `#` or a query or
    /// fragment containing control characters is refused, since it could not be written out.
    pub fn from_parts(
        scheme: &str,
        authority: &str,
        path: &str,
        query: &str,
        fragment: &str,
    ) -> Result<Self> {
        let mut uri = Uri::new();
        uri.set_scheme(scheme)?;
        parse::parse_authority(&mut uri, authority)?;
        uri.path = path.to_owned();
        uri.set_raw_query(query)?;
        uri.set_raw_fragment(fragment)?;
        Ok(uri)
    }

    /// POCO's `URI(baseURI, relativeURI)`: `relative` resolved against `base`
    /// (see [`resolve`](Uri::resolve)).
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let base = Uri::parse("http://www.appinf.com/")?;
    /// assert_eq!(Uri::resolve_from(&base, "index.html")?.to_string(), "http://www.appinf.com/index.html");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `relative` does not parse.
    pub fn resolve_from(base: &Uri, relative: &str) -> Result<Self> {
        let (rel, presence) = parse::parse_reference(relative, true)?;
        // Copy only the parts of the base that the result can keep or that merging reads.
        let keeps_authority = rel.scheme.is_empty() && !presence.authority && rel.host.is_empty();
        let keep = |keep: bool, part: &String| if keep { part.clone() } else { String::new() };
        let mut uri = Uri {
            scheme: if rel.scheme.is_empty() { base.scheme.clone() } else { Cow::Borrowed("") },
            user_info: keep(keeps_authority, &base.user_info),
            host: keep(keeps_authority, &base.host),
            port: base.port,
            path: String::new(),
            query: keep(keeps_authority && rel.path.is_empty(), &base.query),
            fragment: String::new(),
        };
        resolve::resolve(&mut uri, Cow::Borrowed(&base.path), rel, presence);
        Ok(uri)
    }

    /// The scheme, lower-cased; empty for a relative reference.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The user info, raw (as it appears in the URI).
    pub fn user_info(&self) -> &str {
        &self.user_info
    }

    /// The host, lower-cased unless it starts with `%`; an IPv6 address without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port: the one given, else the scheme's well-known port (see
    /// [`well_known_port`](Uri::well_known_port)), else 0.
    pub fn port(&self) -> u16 {
        if self.port == 0 { self.well_known_port() } else { self.port }
    }

    /// The port given in the URI, if any (POCO's `getSpecifiedPort`, with 0 as `None`).
    pub fn specified_port(&self) -> Option<u16> {
        (self.port != 0).then_some(self.port)
    }

    /// The well-known port of the scheme, or 0 (POCO's table: ftp 21, ssh 22, telnet 23,
    /// smtp 25, dns 53, http/ws 80, nntp 119, imap 143, ldap 389, https/wss 443, smtps 465,
    /// rtsp 554, ldaps 636, dnss 853, imaps 993, sip 5060, sips 5061, xmpp 5222).
    pub fn well_known_port(&self) -> u16 {
        well_known_port(&self.scheme)
    }

    /// The authority: `user-info@host:port`, the host in brackets if it contains `:`, and the
    /// port only if one was given and it is not the scheme's well-known port.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// assert_eq!(Uri::parse("http://u@[::1]:80/")?.authority(), "u@[::1]");
    /// assert_eq!(Uri::parse("http://u@[::1]:8080/")?.authority(), "u@[::1]:8080");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    pub fn authority(&self) -> String {
        let mut auth = String::new();
        // Writing to a `String` cannot fail.
        let _ = self.write_authority(&mut auth);
        auth
    }

    /// The path, percent-decoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path as it is written in the URI: percent-encoded with POCO's path rules
    /// (`?`, `#`, `%`, controls, non-ASCII and POCO's `ILLEGAL` characters).
    pub fn raw_path(&self) -> String {
        let mut out = String::with_capacity(self.path.len());
        encode::encode_into(&mut out, &self.path, encode::PATH);
        out
    }

    /// The query, percent-decoded (`+` stays `+`).
    ///
    /// # Errors
    ///
    /// When the raw query has a bad percent-escape or does not decode to UTF-8.
    pub fn query(&self) -> Result<String> {
        encode::decode("query", &self.query, false)
    }

    /// The query as it is written in the URI, without the `?`.
    pub fn raw_query(&self) -> &str {
        &self.query
    }

    /// The fragment, percent-decoded.
    ///
    /// # Errors
    ///
    /// When the raw fragment has a bad percent-escape or does not decode to UTF-8.
    pub fn fragment(&self) -> Result<String> {
        encode::decode("fragment", &self.fragment, false)
    }

    /// The fragment as it is written in the URI, without the `#`.
    pub fn raw_fragment(&self) -> &str {
        &self.fragment
    }

    /// The encoded path and `?` raw query: what an HTTP request line needs. An empty path
    /// stays empty (POCO's rule; HTTP clients send `/` then).
    pub fn path_and_query(&self) -> String {
        let mut out = self.raw_path();
        if !self.query.is_empty() {
            out.push('?');
            out.push_str(&self.query);
        }
        out
    }

    /// The encoded path, `?` raw query and `#` raw fragment.
    pub fn path_etc(&self) -> String {
        let mut out = self.path_and_query();
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&self.fragment);
        }
        out
    }

    /// The path's non-empty segments, decoded (POCO's `getPathSegments`).
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let uri = Uri::parse("/a//b%2Fc/")?;
    /// assert_eq!(uri.path_segments().collect::<Vec<_>>(), ["a", "b", "c"]);
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    pub fn path_segments(&self) -> impl Iterator<Item = &str> + '_ {
        self.path.split('/').filter(|s| !s.is_empty())
    }

    /// The query split into `(name, value)` pairs, each percent-decoded (POCO's
    /// `getQueryParameters`): pairs split at `&`, the name ends at the first `=`, a name
    /// without `=` gets an empty value, and a trailing `&` adds nothing. With `plus_as_space`
    /// (POCO's default), `+` is turned into a space **before** decoding, so `%2B` stays `+`.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let uri = Uri::parse("http://x/search?q=hello+world%2B&flag&")?;
    /// let params = uri.query_parameters(true)?;
    /// assert_eq!(params, [("q".to_string(), "hello world+".to_string()), ("flag".into(), "".into())]);
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When a name or value has a bad percent-escape or does not decode to UTF-8.
    pub fn query_parameters(&self, plus_as_space: bool) -> Result<Vec<(String, String)>> {
        let decode = |s: &str| {
            if plus_as_space && s.contains('+') {
                encode::decode("query", &s.replace('+', " "), false)
            } else {
                encode::decode("query", s, false)
            }
        };
        self.query
            .split_terminator('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                Ok((decode(name)?, decode(value)?))
            })
            .collect()
    }

    /// Whether the URI is relative, i.e. has no scheme.
    pub fn is_relative(&self) -> bool {
        self.scheme.is_empty()
    }

    /// Whether every component is empty (POCO's `empty()`).
    #[doc(alias = "empty")]
    pub fn is_empty(&self) -> bool {
        self.scheme.is_empty()
            && self.user_info.is_empty()
            && self.host.is_empty()
            && self.port == 0
            && self.path.is_empty()
            && self.query.is_empty()
            && self.fragment.is_empty()
    }

    /// Empties every component.
    pub fn clear(&mut self) {
        *self = Uri::new();
    }

    fn has_authority(&self) -> bool {
        !self.user_info.is_empty() || !self.host.is_empty() || self.shows_port()
    }

    fn shows_port(&self) -> bool {
        self.port != 0 && self.port != self.well_known_port()
    }

    fn write_authority<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        if !self.user_info.is_empty() {
            out.write_str(&self.user_info)?;
            out.write_char('@')?;
        }
        if self.host.contains(':') {
            write!(out, "[{}]", self.host)?;
        } else {
            out.write_str(&self.host)?;
        }
        if self.shows_port() {
            write!(out, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// The scheme's well-known port, as POCO's `getWellKnownPort`.
fn well_known_port(scheme: &str) -> u16 {
    match scheme {
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "dns" => 53,
        "http" | "ws" => 80,
        "nntp" => 119,
        "imap" => 143,
        "ldap" => 389,
        "https" | "wss" => 443,
        "smtps" => 465,
        "rtsp" => 554,
        "ldaps" => 636,
        "dnss" => 853,
        "imaps" => 993,
        "sip" => 5060,
        "sips" => 5061,
        "xmpp" => 5222,
        _ => 0,
    }
}

/// POCO's `toString()`, with the corner cases that POCO gets wrong made to round-trip (see
/// `docs/porting.md`): `//` is written for an empty authority when the path starts with `//`
/// or nothing follows the scheme, a `/` is put in front of a rootless path after `//`, and a
/// `:` in the first segment of a relative path is written `%3A`.
impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One buffer sized up front, then one write: far fewer reallocations in `to_string()`
        // than many small writes, and `pad` honours width and alignment.
        let guess = self.scheme.len()
            + self.user_info.len()
            + self.host.len()
            + self.path.len() * 3 / 2
            + self.query.len()
            + self.fragment.len()
            + 16;
        let mut text = String::with_capacity(guess);
        self.write_to(&mut text)?;
        f.pad(&text)
    }
}

impl Uri {
    fn write_to<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let has_authority = self.has_authority();
        let slashes = if self.is_relative() {
            // POCO drops the authority of a relative URI; write a network-path reference.
            has_authority
        } else {
            f.write_str(&self.scheme)?;
            f.write_char(':')?;
            has_authority
                || self.scheme == "file"
                || self.path.starts_with("//")
                || (self.path.is_empty() && self.query.is_empty() && self.fragment.is_empty())
        };
        if slashes {
            f.write_str("//")?;
            self.write_authority(f)?;
        }
        if !self.path.is_empty() {
            if slashes && !self.path.starts_with('/') {
                f.write_char('/')?;
            }
            if self.is_relative() && !slashes && !self.path.starts_with('/') {
                let end = self.path.find('/').unwrap_or(self.path.len());
                encode::encode_to(f, &self.path[..end], FIRST_SEGMENT)?;
                encode::encode_to(f, &self.path[end..], encode::PATH)?;
            } else {
                encode::encode_to(f, &self.path, encode::PATH)?;
            }
        } else if slashes && (!self.query.is_empty() || !self.fragment.is_empty()) {
            f.write_char('/')?;
        }
        if !self.query.is_empty() {
            f.write_char('?')?;
            f.write_str(&self.query)?;
        }
        if !self.fragment.is_empty() {
            f.write_char('#')?;
            f.write_str(&self.fragment)?;
        }
        Ok(())
    }
}

/// The first segment of a scheme-less path also encodes `:`, which would make it a scheme.
const FIRST_SEGMENT: EncodeSet = encode::PATH.with(b":");

impl PartialEq for Uri {
    fn eq(&self, other: &Self) -> bool {
        self.scheme == other.scheme
            && self.user_info == other.user_info
            && self.host == other.host
            && self.port() == other.port()
            && self.path == other.path
            && self.query == other.query
            && self.fragment == other.fragment
    }
}

impl Eq for Uri {}

impl Hash for Uri {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.scheme.hash(state);
        self.user_info.hash(state);
        self.host.hash(state);
        self.port().hash(state);
        self.path.hash(state);
        self.query.hash(state);
        self.fragment.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(uri: &Uri) -> Uri {
        Uri::parse(&uri.to_string()).unwrap()
    }

    #[test]
    fn display_corner_cases_round_trip() {
        // No authority but a path starting with `//`: an empty authority is written.
        let uri = Uri::from_parts("http", "", "//x", "", "").unwrap();
        assert_eq!(uri.to_string(), "http:////x");
        assert_eq!(round_trip(&uri), uri);
        // Nothing after the scheme: `scheme://`, since `scheme:` does not parse.
        let uri = Uri::parse("http://").unwrap();
        assert_eq!(uri.to_string(), "http://");
        assert_eq!(round_trip(&uri), uri);
        // No authority, empty path, a query: no `/` is invented.
        let uri = Uri::parse("mailto:?subject=hi").unwrap();
        assert_eq!(uri.to_string(), "mailto:?subject=hi");
        // A relative path whose first segment has `:` cannot be read as a scheme.
        let mut uri = Uri::new();
        uri.set_path("a:b/c:d").unwrap();
        assert_eq!(uri.to_string(), "a%3Ab/c:d");
        assert_eq!(round_trip(&uri), uri);
        // A relative URI keeps its authority as a network-path reference.
        let mut uri = Uri::parse("/p").unwrap();
        uri.set_host("h").unwrap();
        assert_eq!(uri.to_string(), "//h/p");
        // `file` always gets `//`, and a rootless path a `/` after it.
        assert_eq!(Uri::parse("file:a").unwrap().to_string(), "file:///a");
    }

    #[test]
    fn equal_uris_hash_alike() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |uri: &Uri| {
            let mut h = DefaultHasher::new();
            uri.hash(&mut h);
            h.finish()
        };
        let (a, b) = (Uri::parse("http://a/").unwrap(), Uri::parse("HTTP://A:80/").unwrap());
        assert_eq!(a, b);
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(a, Uri::parse("http://a:81/").unwrap());
    }

    #[test]
    fn display_honours_width() {
        assert_eq!(format!("{:>10}", Uri::parse("/a").unwrap()), "        /a");
    }
}
