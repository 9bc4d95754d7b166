//! Conversions: from text (`FromStr`, comparison with `str` as POCO's `operator==(string)`)
//! and to and from `url::Url`.

use std::str::FromStr;

use super::Uri;
use super::encode::{self, snippet};
use super::parse;
use crate::{Error, Result};

impl FromStr for Uri {
    type Err = Error;

    /// [`Uri::parse`].
    fn from_str(s: &str) -> Result<Self> {
        Uri::parse(s)
    }
}

/// POCO's `operator==(const std::string&)`: the text is parsed and compared; text that does
/// not parse equals no `Uri`.
impl PartialEq<str> for Uri {
    fn eq(&self, other: &str) -> bool {
        Uri::parse(other).is_ok_and(|other| *self == other)
    }
}

impl PartialEq<&str> for Uri {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<Uri> for str {
    fn eq(&self, other: &Uri) -> bool {
        *other == *self
    }
}

impl PartialEq<Uri> for &str {
    fn eq(&self, other: &Uri) -> bool {
        *other == **self
    }
}

/// A `url::Url` component by component: its serialization is valid RFC 3986, so only the path
/// can fail, when it percent-decodes to bytes that are not UTF-8 (hence `TryFrom`, not `From`).
impl TryFrom<&url::Url> for Uri {
    type Error = Error;

    fn try_from(url: &url::Url) -> Result<Self> {
        let mut uri = Uri::new();
        uri.set_scheme(url.scheme())?;
        let mut user_info = url.username().to_owned();
        if let Some(password) = url.password() {
            user_info.push(':');
            user_info.push_str(password);
        }
        parse::check_user_info(&user_info)?;
        uri.user_info = user_info;
        match url.host() {
            Some(url::Host::Ipv6(addr)) => uri.host = addr.to_string(),
            Some(host) => uri.set_host(&host.to_string())?,
            None => {}
        }
        uri.port = url.port().unwrap_or(0);
        uri.path = encode::decode("path", url.path(), false)?;
        uri.set_raw_query(url.query().unwrap_or(""))?;
        uri.set_raw_fragment(url.fragment().unwrap_or(""))?;
        Ok(uri)
    }
}

impl TryFrom<url::Url> for Uri {
    type Error = Error;

    fn try_from(url: url::Url) -> Result<Self> {
        Uri::try_from(&url)
    }
}

/// Parses [`Uri`]'s text with `url` (WHATWG rules, which normalize it further).
impl TryFrom<&Uri> for url::Url {
    type Error = Error;

    fn try_from(uri: &Uri) -> Result<Self> {
        let text = uri.to_string();
        url::Url::parse(&text).map_err(|e| Error::uri("uri", format!("{e}: {:?}", snippet(&text))))
    }
}

impl Uri {
    /// The host in ASCII: internationalized domain names converted to punycode (IDNA, by the
    /// `url` crate, with WHATWG host rules, so IPv4 numbers are normalized too); IPv6 addresses
    /// are returned without brackets, as [`host`](Uri::host) does.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// assert_eq!(Uri::parse("http://Bücher.example/")?.host_to_ascii()?, "xn--bcher-kva.example");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the host is not a valid domain name or address.
    pub fn host_to_ascii(&self) -> Result<String> {
        let host = if self.host.contains(':') {
            url::Host::parse(&format!("[{}]", self.host))
        } else {
            url::Host::parse(&self.host)
        };
        match host {
            Ok(url::Host::Ipv6(addr)) => Ok(addr.to_string()),
            Ok(host) => Ok(host.to_string()),
            Err(e) => Err(Error::uri("host", format!("{e}: {:?}", snippet(&self.host)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_comparison_parses_both_ways() {
        let uri = Uri::parse("http://www.appinf.com").unwrap();
        assert!(uri == "HTTP://www.appinf.com:80");
        assert!("http://www.appinf.com:" == uri);
        assert!(uri != "http://www.appinf.com:99999");
        assert!(*"http://www.appinf.com/" != uri);
    }

    #[test]
    fn url_round_trip() {
        let url = url::Url::parse("https://user:pw@Bücher.example:8443/a%20b/c?x=1#frag").unwrap();
        let uri = Uri::try_from(&url).unwrap();
        assert_eq!(uri.scheme(), "https");
        assert_eq!(uri.user_info(), "user:pw");
        assert_eq!(uri.host(), "xn--bcher-kva.example");
        assert_eq!(uri.port(), 8443);
        assert_eq!(uri.path(), "/a b/c");
        assert_eq!(uri.raw_query(), "x=1");
        assert_eq!(uri.raw_fragment(), "frag");
        let back = url::Url::try_from(&uri).unwrap();
        assert_eq!(back, url);

        let v6 = Uri::try_from(url::Url::parse("http://[::1]:8080/").unwrap()).unwrap();
        assert_eq!((v6.host(), v6.port()), ("::1", 8080));
        let bare = Uri::try_from(url::Url::parse("foo:").unwrap()).unwrap();
        assert_eq!((bare.scheme(), bare.path()), ("foo", ""));
        assert!(Uri::try_from(url::Url::parse("http://x/%FF").unwrap()).is_err());
        assert!(url::Url::try_from(&Uri::parse("/relative").unwrap()).is_err());
    }
}
