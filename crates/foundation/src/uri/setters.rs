//! The setters of [`Uri`], each with POCO's encoding rule for its component.
//!
//! Setters that take text which could not be written back out (a bad scheme or host, a raw
//! query containing `#`, control characters) return an error and leave the URI unchanged.

use super::Uri;
use super::encode::{self, snippet};
use super::parse;
use crate::{Error, Result};

impl Uri {
    /// Sets the scheme (lower-cased). An empty scheme makes the URI relative. The port is
    /// left alone: [`port`](Uri::port) then reports the new scheme's well-known port if no port
    /// was given.
    ///
    /// # Errors
    ///
    /// When `scheme` is not RFC 3986 scheme syntax (a letter, then letters, digits, `+-.`).
    pub fn set_scheme(&mut self, scheme: &str) -> Result<()> {
        if !scheme.is_empty() {
            parse::check_scheme(scheme)?;
        }
        self.scheme = parse::scheme_name(scheme);
        Ok(())
    }

    /// Sets the user info from its **encoded** form, which is percent-decoded first, as POCO's
    /// `setUserInfo` does ([`user_info`](Uri::user_info) returns the stored text unchanged).
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let mut uri = Uri::parse("ftp://ftp.example.com/pub/")?;
    /// uri.set_user_info("anonymous%3Aguest")?;
    /// assert_eq!(uri.to_string(), "ftp://anonymous:guest@ftp.example.com/pub/");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A bad percent-escape, or decoded text that cannot stand in an authority (a space, a
    /// control character, `/`, `?` or `#`).
    pub fn set_user_info(&mut self, user_info: &str) -> Result<()> {
        let decoded = encode::decode("user info", user_info, false)?;
        parse::check_user_info(&decoded)?;
        if let Some(c) = decoded.chars().find(|c| matches!(c, '/' | '?' | '#')) {
            return Err(Error::uri(
                "user info",
                format!("{c:?} cannot appear in user info {:?}", snippet(&decoded)),
            ));
        }
        self.user_info = decoded;
        Ok(())
    }

    /// Sets the host: a registered name (lower-cased unless it starts with `%`, as when
    /// parsing), or an IPv6 address with or without brackets (stored without).
    ///
    /// # Errors
    ///
    /// When `host` has characters a host cannot contain, or is not a valid IPv6 literal while
    /// containing `:`.
    pub fn set_host(&mut self, host: &str) -> Result<()> {
        let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
        match bare {
            Some(literal) => parse::check_ip_literal(literal)?,
            None if host.contains(':') => parse::check_ip_literal(host)?,
            None => parse::check_reg_name(host)?,
        }
        self.host = parse::lower_host(bare.unwrap_or(host));
        Ok(())
    }

    /// Sets the port; 0 means none is given, so [`port`](Uri::port) reports the well-known one.
    pub fn set_port(&mut self, port: u16) {
        self.port = port;
    }

    /// Replaces user info, host and port with those parsed from `authority`
    /// (`[user-info@]host[:port]`).
    ///
    /// # Errors
    ///
    /// As [`Uri::parse`] for an authority; the URI is then unchanged.
    pub fn set_authority(&mut self, authority: &str) -> Result<()> {
        let mut parsed = Uri::new();
        parse::parse_authority(&mut parsed, authority)?;
        self.user_info = parsed.user_info;
        self.host = parsed.host;
        self.port = parsed.port;
        Ok(())
    }

    /// Sets the path from its **encoded** form, which is percent-decoded and stored decoded,
    /// as POCO's `setPath` does: `set_path("/file%20with%20spaces.html")` gives the path
    /// `/file with spaces.html`. To store a decoded path that contains `%`, encode it first
    /// with [`Uri::encode`].
    ///
    /// # Errors
    ///
    /// A bad percent-escape, or bytes that do not decode to UTF-8.
    pub fn set_path(&mut self, path: &str) -> Result<()> {
        self.path = encode::decode("path", path, false)?;
        Ok(())
    }

    /// Sets the path from the form [`raw_path`](Uri::raw_path) returns; the same as
    /// [`set_path`](Uri::set_path), since POCO's `setPath` already takes the encoded form.
    ///
    /// # Errors
    ///
    /// As [`set_path`](Uri::set_path).
    pub fn set_raw_path(&mut self, path: &str) -> Result<()> {
        self.set_path(path)
    }

    /// Sets the query from its decoded form: it is encoded with POCO's `RESERVED_QUERY`
    /// (`?#/:;+@`, plus controls, space, non-ASCII and [`ILLEGAL`](Uri::ILLEGAL)); `&` and `=`
    /// pass through.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let mut uri = Uri::parse("http://google.com/search")?;
    /// uri.set_query("q=foo/bar baz");
    /// assert_eq!(uri.raw_query(), "q=foo%2Fbar%20baz");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    pub fn set_query(&mut self, query: &str) {
        self.query.clear();
        encode::encode_into(&mut self.query, query, encode::QUERY);
    }

    /// Sets the raw query verbatim (without the `?`).
    ///
    /// # Errors
    ///
    /// When `query` contains `#` (which would start the fragment) or control characters.
    pub fn set_raw_query(&mut self, query: &str) -> Result<()> {
        parse::check_no_controls("query", query)?;
        if let Some(at) = query.find('#') {
            return Err(Error::uri(
                "query",
                format!("'#' at byte {at} of raw query {:?} would start the fragment", snippet(query)),
            ));
        }
        query.clone_into(&mut self.query);
        Ok(())
    }

    /// Sets the fragment from its decoded form, encoded with POCO's `RESERVED_FRAGMENT`
    /// (nothing beyond controls, space, non-ASCII and [`ILLEGAL`](Uri::ILLEGAL); a `#` stays).
    pub fn set_fragment(&mut self, fragment: &str) {
        self.fragment.clear();
        encode::encode_into(&mut self.fragment, fragment, encode::FRAGMENT);
    }

    /// Sets the raw fragment verbatim (without the `#`).
    ///
    /// # Errors
    ///
    /// When `fragment` contains control characters.
    pub fn set_raw_fragment(&mut self, fragment: &str) -> Result<()> {
        parse::check_no_controls("fragment", fragment)?;
        fragment.clone_into(&mut self.fragment);
        Ok(())
    }

    /// Replaces path, query and fragment with those parsed from `path_etc`
    /// (`path[?query][#fragment]`; the path is decoded, query and fragment kept raw).
    ///
    /// # Errors
    ///
    /// As [`Uri::parse`] for those parts; the URI is then unchanged.
    pub fn set_path_etc(&mut self, path_etc: &str) -> Result<()> {
        let mut parsed = Uri::new();
        parse::parse_path_etc(&mut parsed, path_etc)?;
        self.path = parsed.path;
        self.query = parsed.query;
        self.fragment = parsed.fragment;
        Ok(())
    }

    /// Replaces the query with `name=value` pairs joined by `&`, each name and value encoded
    /// with POCO's `RESERVED_QUERY_PARAM` (`?#/:;+@&=`; a space becomes `%20`).
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let mut uri = Uri::parse("http://google.com/search")?;
    /// uri.set_query_parameters([("q", "foo&bar"), ("client", "")]);
    /// assert_eq!(uri.to_string(), "http://google.com/search?q=foo%26bar&client=");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    pub fn set_query_parameters<I, K, V>(&mut self, params: I)
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.query.clear();
        for (name, value) in params {
            self.add_query_parameter(name.as_ref(), value.as_ref());
        }
    }

    /// Appends `name=value` to the query (with `&` if it is not empty), both encoded with
    /// POCO's `RESERVED_QUERY_PARAM`. The `=` is always written, even for an empty value.
    pub fn add_query_parameter(&mut self, name: &str, value: &str) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        encode::encode_into(&mut self.query, name, encode::QUERY_PARAM);
        self.query.push('=');
        encode::encode_into(&mut self.query, value, encode::QUERY_PARAM);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_setters_leave_the_uri_unchanged() {
        let mut uri = Uri::parse("http://u@host:8080/p?q#f").unwrap();
        let before = uri.clone();
        assert!(uri.set_scheme("1http").is_err());
        assert!(uri.set_host("a b").is_err());
        assert!(uri.set_host("::g").is_err());
        assert!(uri.set_authority("host:70000").is_err());
        assert!(uri.set_path("/%zz").is_err());
        assert!(uri.set_path_etc("/a?b\n").is_err());
        assert!(uri.set_raw_query("a#b").is_err());
        assert!(uri.set_raw_fragment("a\rb").is_err());
        assert!(uri.set_user_info("a%2Fb").is_err());
        assert!(uri.set_user_info("a%0Db").is_err());
        assert_eq!(uri, before);
        assert_eq!(uri.to_string(), before.to_string());
    }

    #[test]
    fn set_host_accepts_ipv6_with_or_without_brackets() {
        let mut uri = Uri::parse("http://x/").unwrap();
        uri.set_host("[2001:DB8::1]").unwrap();
        assert_eq!(uri.host(), "2001:db8::1");
        uri.set_host("::1").unwrap();
        assert_eq!(uri.to_string(), "http://[::1]/");
        uri.set_host("Example.COM").unwrap();
        assert_eq!(uri.host(), "example.com");
    }

    #[test]
    fn set_fragment_keeps_a_hash_literal() {
        let mut uri = Uri::parse("http://x/").unwrap();
        uri.set_fragment("a#b c");
        assert_eq!(uri.raw_fragment(), "a#b%20c");
        assert_eq!(uri.fragment().unwrap(), "a#b c");
        assert_eq!(Uri::parse(&uri.to_string()).unwrap(), uri);
    }
}
