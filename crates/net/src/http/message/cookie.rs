//! [`HttpCookie`] (POCO `HTTPCookie`).

use std::fmt;
use std::time::{Duration, SystemTime};

use super::header::trim_ows;
use super::name_value::NameValueCollection;
use crate::error::Result;
use crate::http::encoding::{uri_decode, uri_encode};

/// The `SameSite` attribute of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// Not set (POCO `SAME_SITE_NOT_SPECIFIED`).
    #[default]
    NotSpecified,
    /// `SameSite=None`.
    None,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=Strict`.
    Strict,
}

/// An HTTP cookie, Netscape (version 0) or RFC 2109 (version 1) style, as POCO models it.
///
/// Defaults: version 0, max-age -1 (a session cookie, no `Expires`), not secure, not
/// HttpOnly, SameSite unset.
///
/// ```
/// use rpoco_net::{HttpCookie, SameSite};
/// let mut c = HttpCookie::new("id", "42");
/// c.set_path("/");
/// c.set_http_only(true);
/// c.set_same_site(SameSite::Lax);
/// assert_eq!(c.to_string(), "id=42; Path=/; SameSite=Lax; HttpOnly");
/// let parsed = HttpCookie::parse("id=42; Path=/; Secure; Max-Age=60");
/// assert_eq!((parsed.name(), parsed.value(), parsed.secure(), parsed.max_age()), ("id", "42", true, 60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCookie {
    version: u32,
    name: String,
    value: String,
    comment: String,
    domain: String,
    path: String,
    priority: String,
    secure: bool,
    max_age: i64,
    http_only: bool,
    same_site: SameSite,
}

impl Default for HttpCookie {
    fn default() -> Self {
        HttpCookie {
            version: 0,
            name: String::new(),
            value: String::new(),
            comment: String::new(),
            domain: String::new(),
            path: String::new(),
            priority: String::new(),
            secure: false,
            max_age: -1,
            http_only: false,
            same_site: SameSite::NotSpecified,
        }
    }
}

macro_rules! string_attr {
    ($get:ident, $set:ident, $doc:literal) => {
        #[doc = concat!("The ", $doc, ".")]
        pub fn $get(&self) -> &str {
            &self.$get
        }
        #[doc = concat!("Sets the ", $doc, ".")]
        pub fn $set(&mut self, v: &str) {
            self.$get = v.to_owned();
        }
    };
}

impl HttpCookie {
    /// A version 0 cookie `name=value`.
    pub fn new(name: &str, value: &str) -> Self {
        HttpCookie { name: name.to_owned(), value: value.to_owned(), ..Default::default() }
    }

    /// Parses a `Set-Cookie` value (POCO: `splitParameters` + `HTTPCookie(nvc)`).
    pub fn parse(set_cookie: &str) -> Self {
        let mut nvc = NameValueCollection::new();
        for part in set_cookie.split(';') {
            let part = trim_ows(part);
            if part.is_empty() {
                continue;
            }
            let (n, v) = part.split_once('=').unwrap_or((part, ""));
            nvc.push(trim_ows(n).to_owned(), super::header::unquote(trim_ows(v)));
        }
        Self::from_fields(&nvc)
    }

    /// POCO `HTTPCookie(const NameValueCollection&)`: known attributes (case-insensitive)
    /// are taken as such; the first other pair is the cookie's name and value.
    pub fn from_fields(nvc: &NameValueCollection) -> Self {
        let mut c = HttpCookie::default();
        let mut have_name = false;
        for (n, v) in nvc.iter() {
            match n.to_ascii_lowercase().as_str() {
                "comment" => c.comment = v.to_owned(),
                "domain" => c.domain = v.to_owned(),
                "path" => c.path = v.to_owned(),
                "priority" => c.priority = v.to_owned(),
                "max-age" => c.max_age = trim_ows(v).parse().unwrap_or(c.max_age),
                "secure" => c.secure = true,
                "httponly" => c.http_only = true,
                "version" => c.version = trim_ows(v).parse().unwrap_or(0),
                "samesite" => {
                    c.same_site = match v.to_ascii_lowercase().as_str() {
                        "none" => SameSite::None,
                        "lax" => SameSite::Lax,
                        "strict" => SameSite::Strict,
                        _ => SameSite::NotSpecified,
                    }
                }
                "expires" => {
                    if let Ok(t) = httpdate::parse_http_date(v) {
                        c.max_age = match t.duration_since(SystemTime::now()) {
                            Ok(d) => d.as_secs() as i64,
                            Err(_) => 0,
                        };
                    }
                }
                _ if !have_name => {
                    have_name = true;
                    c.name = n.to_owned();
                    c.value = v.to_owned();
                }
                _ => {}
            }
        }
        c
    }

    /// The version: 0 (Netscape) or 1 (RFC 2109).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Sets the version.
    pub fn set_version(&mut self, version: u32) {
        self.version = version;
    }

    string_attr!(name, set_name, "cookie name");
    string_attr!(value, set_value, "cookie value");
    string_attr!(comment, set_comment, "comment (version 1 only)");
    string_attr!(domain, set_domain, "domain");
    string_attr!(path, set_path, "path");
    string_attr!(priority, set_priority, "priority");

    /// Whether the cookie is sent only over secure connections.
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Sets the `Secure` flag.
    pub fn set_secure(&mut self, on: bool) {
        self.secure = on;
    }

    /// Max-age in seconds; -1 = session cookie (no `Expires`/`Max-Age` written).
    pub fn max_age(&self) -> i64 {
        self.max_age
    }

    /// Sets max-age in seconds (-1 for a session cookie, 0 to delete).
    pub fn set_max_age(&mut self, seconds: i64) {
        self.max_age = seconds;
    }

    /// Whether `HttpOnly` is set.
    pub fn http_only(&self) -> bool {
        self.http_only
    }

    /// Sets `HttpOnly`.
    pub fn set_http_only(&mut self, on: bool) {
        self.http_only = on;
    }

    /// The `SameSite` attribute.
    pub fn same_site(&self) -> SameSite {
        self.same_site
    }

    /// Sets the `SameSite` attribute.
    pub fn set_same_site(&mut self, same_site: SameSite) {
        self.same_site = same_site;
    }

    /// POCO `HTTPCookie::escape`: percent-encodes with reserved characters `()[]/|\',;`.
    pub fn escape(s: &str) -> String {
        uri_encode(s, "()[]/|\\',;")
    }

    /// POCO `HTTPCookie::unescape`.
    pub fn unescape(s: &str) -> Result<String> {
        uri_decode(s, false)
    }
}

impl fmt::Display for HttpCookie {
    /// The `Set-Cookie` value, in POCO's layout for the cookie's version.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let same_site = match self.same_site {
            SameSite::NotSpecified => "",
            SameSite::None => "; SameSite=None",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::Strict => "; SameSite=Strict",
        };
        if self.version == 0 {
            write!(f, "{}={}", self.name, self.value)?;
            for (label, v) in [("Domain", &self.domain), ("Path", &self.path), ("Priority", &self.priority)] {
                if !v.is_empty() {
                    write!(f, "; {label}={v}")?;
                }
            }
            if self.max_age != -1 {
                // POCO: now + max-age (so 0 expires now).
                let now = SystemTime::now();
                let at = if self.max_age >= 0 {
                    now + Duration::from_secs(self.max_age as u64)
                } else {
                    now.checked_sub(Duration::from_secs(self.max_age.unsigned_abs())).unwrap_or(now)
                };
                write!(f, "; Expires={}", httpdate::fmt_http_date(at))?;
            }
        } else {
            write!(f, "{}=\"{}\"", self.name, self.value)?;
            for (label, v) in [
                ("Comment", &self.comment),
                ("Domain", &self.domain),
                ("Path", &self.path),
                ("Priority", &self.priority),
            ] {
                if !v.is_empty() {
                    write!(f, "; {label}=\"{v}\"")?;
                }
            }
            if self.max_age != -1 {
                write!(f, "; Max-Age=\"{}\"", self.max_age)?;
            }
        }
        f.write_str(same_site)?;
        if self.secure {
            f.write_str("; Secure")?;
        }
        if self.http_only {
            f.write_str("; HttpOnly")?;
        }
        if self.version != 0 {
            f.write_str("; Version=\"1\"")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_layout() {
        let mut c = HttpCookie::new("a", "b");
        c.set_version(1);
        c.set_comment("hi");
        c.set_max_age(10);
        c.set_secure(true);
        assert_eq!(c.to_string(), "a=\"b\"; Comment=\"hi\"; Max-Age=\"10\"; Secure; Version=\"1\"");
    }

    #[test]
    fn parse_takes_first_unknown_pair_and_expires() {
        let c = HttpCookie::parse(
            "Path=/x; sid=1; other=2; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict",
        );
        assert_eq!((c.name(), c.value(), c.path(), c.max_age()), ("sid", "1", "/x", 0));
        assert_eq!(c.same_site(), SameSite::Strict);
        let mut d = HttpCookie::new("x", "y");
        d.set_max_age(0);
        let s = d.to_string();
        let at = httpdate::parse_http_date(s.strip_prefix("x=y; Expires=").unwrap()).unwrap();
        assert!(at.duration_since(SystemTime::now()).map_or(true, |d| d.as_secs() <= 1));
        assert_eq!(HttpCookie::escape("a b;c"), "a%20b%3Bc");
    }
}
