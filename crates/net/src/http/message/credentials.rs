//! [`HttpBasicCredentials`] (RFC 7617).

use super::request::HttpRequest;
use crate::error::{Error, ErrorKind, Result};

/// POCO `HTTPBasicCredentials`: user name and password for `Basic` authentication.
///
/// ```
/// use rpoco_net::{HttpBasicCredentials, HttpMessage, HttpRequest};
/// let mut req = HttpRequest::default();
/// HttpBasicCredentials::new("Aladdin", "open sesame").authenticate(&mut req);
/// assert_eq!(req.get("Authorization"), Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
/// let back = HttpBasicCredentials::from_request(&req)?;
/// assert_eq!((back.username(), back.password()), ("Aladdin", "open sesame"));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct HttpBasicCredentials {
    username: String,
    password: String,
}

impl std::fmt::Debug for HttpBasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpBasicCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

impl HttpBasicCredentials {
    /// Credentials for `username` and `password`.
    pub fn new(username: &str, password: &str) -> Self {
        HttpBasicCredentials { username: username.to_owned(), password: password.to_owned() }
    }

    /// Reads `Authorization: Basic ...` from a request; another scheme or none →
    /// [`ErrorKind::NotAuthenticated`](crate::ErrorKind::NotAuthenticated).
    pub fn from_request(request: &HttpRequest) -> Result<Self> {
        let (scheme, info) = request.credentials()?;
        Self::from_auth_info(&scheme, &info)
    }

    /// Decodes scheme and info (`Basic`, base64 of `user:password`; the user name ends at the
    /// first `:`).
    pub fn from_auth_info(scheme: &str, info: &str) -> Result<Self> {
        if !scheme.eq_ignore_ascii_case("Basic") {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                format!("basic authentication expected, got `{scheme}`"),
            ));
        }
        let raw = rpoco_foundation::base64::decode(info)?;
        let text = String::from_utf8(raw)
            .map_err(|_| Error::new(ErrorKind::NotAuthenticated, "credentials are not UTF-8"))?;
        let (u, p) = text.split_once(':').unwrap_or((text.as_str(), ""));
        Ok(Self::new(u, p))
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Sets the user name.
    pub fn set_username(&mut self, u: &str) {
        self.username = u.to_owned();
    }

    /// Sets the password.
    pub fn set_password(&mut self, p: &str) {
        self.password = p.to_owned();
    }

    /// Whether both are empty.
    pub fn is_empty(&self) -> bool {
        self.username.is_empty() && self.password.is_empty()
    }

    /// The `Basic ...` token (no line breaks).
    pub fn token(&self) -> String {
        rpoco_foundation::base64::encode_with(
            format!("{}:{}", self.username, self.password).as_bytes(),
            rpoco_foundation::base64::Base64Options::no_line_breaks(),
        )
    }

    /// Sets `Authorization: Basic ...`.
    pub fn authenticate(&self, request: &mut HttpRequest) {
        request.set_credentials("Basic", &self.token());
    }

    /// Sets `Proxy-Authorization: Basic ...`.
    pub fn proxy_authenticate(&self, request: &mut HttpRequest) {
        request.set_proxy_credentials("Basic", &self.token());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_rejects_other_schemes() {
        assert!(matches!(
            HttpBasicCredentials::from_auth_info("Digest", "x"),
            Err(e) if e.kind() == ErrorKind::NotAuthenticated
        ));
    }
}
