//! HTTP authentication: [`HttpBasicCredentials`] and [`HttpDigestCredentials`]
//! (RFC 7617 and RFC 7616).

use md5::Md5;
use sha2::{Digest, Sha256};

use super::header::{split_elements, unquote};
use super::message::HttpMessage;
use super::request::HttpRequest;
use super::response::HttpResponse;
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

/// POCO `HTTPDigestCredentials`: RFC 7616 Digest authentication with `MD5` or `SHA-256`
/// (and their `-sess` variants), `qop=auth` or the RFC 2069 form without `qop`.
///
/// Use: send a request; on `401` (or `407` from a proxy) call
/// [`authenticate`](Self::authenticate) (or [`proxy_authenticate`](Self::proxy_authenticate))
/// with the response, resend; later requests to the same server call
/// [`update_auth_info`](Self::update_auth_info) (the nonce count goes up).
///
/// ```
/// use rpoco_net::{HttpDigestCredentials, HttpMessage, HttpRequest, HttpResponse, HttpStatus};
/// let mut challenge = HttpResponse::new(HttpStatus::UNAUTHORIZED);
/// challenge.set("WWW-Authenticate", r#"Digest realm="test", nonce="abc", qop="auth", algorithm=SHA-256"#);
/// let mut req = HttpRequest::with_method("GET", "/private");
/// let mut creds = HttpDigestCredentials::new("user", "pass");
/// creds.authenticate(&mut req, &challenge)?;
/// let auth = req.get("Authorization").unwrap();
/// assert!(auth.starts_with("Digest ") && auth.contains("algorithm=SHA-256") && auth.contains("nc=00000001"));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct HttpDigestCredentials {
    username: String,
    password: String,
    challenge: Vec<(String, String)>,
    nonce_count: u32,
}

impl std::fmt::Debug for HttpDigestCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpDigestCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

impl HttpDigestCredentials {
    /// Credentials for `username` and `password`.
    pub fn new(username: &str, password: &str) -> Self {
        HttpDigestCredentials {
            username: username.to_owned(),
            password: password.to_owned(),
            ..Default::default()
        }
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether a challenge was received (so [`update_auth_info`](Self::update_auth_info) can
    /// work without a new one).
    pub fn has_challenge(&self) -> bool {
        !self.challenge.is_empty()
    }

    /// Answers the `WWW-Authenticate: Digest` challenge in `response`.
    pub fn authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        self.answer(request, response, "WWW-Authenticate", "Authorization")
    }

    /// Answers the `Proxy-Authenticate: Digest` challenge in `response`.
    pub fn proxy_authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        self.answer(request, response, "Proxy-Authenticate", "Proxy-Authorization")
    }

    /// Sets `Authorization` for a further request under the last challenge.
    pub fn update_auth_info(&mut self, request: &mut HttpRequest) -> Result<()> {
        let v = self.response_value(request.method(), request.uri())?;
        request.set("Authorization", &v);
        Ok(())
    }

    /// Sets `Proxy-Authorization` for a further request under the last challenge.
    pub fn update_proxy_auth_info(&mut self, request: &mut HttpRequest) -> Result<()> {
        let v = self.response_value(request.method(), request.uri())?;
        request.set("Proxy-Authorization", &v);
        Ok(())
    }

    fn answer(
        &mut self,
        request: &mut HttpRequest,
        response: &HttpResponse,
        from: &str,
        to: &str,
    ) -> Result<()> {
        let challenge = response
            .header()
            .get_all(from)
            .find(|v| v.trim_start().get(..7).is_some_and(|s| s.eq_ignore_ascii_case("digest ")))
            .ok_or_else(|| {
                Error::new(ErrorKind::NotAuthenticated, format!("no Digest challenge in {from}"))
            })?;
        self.set_challenge(challenge)?;
        let v = self.response_value(request.method(), request.uri())?;
        request.set(to, &v);
        Ok(())
    }

    /// Takes a `Digest ...` challenge value.
    pub fn set_challenge(&mut self, challenge: &str) -> Result<()> {
        let params = challenge.trim_start()[6..].trim();
        let mut parsed = Vec::new();
        for element in split_elements(params, false) {
            let (n, v) = element.split_once('=').unwrap_or((element.as_str(), ""));
            parsed.push((n.trim().to_ascii_lowercase(), unquote(v.trim())));
        }
        if !parsed.iter().any(|(n, _)| n == "nonce") {
            return Err(Error::new(ErrorKind::NotAuthenticated, "Digest challenge without a nonce"));
        }
        self.challenge = parsed;
        self.nonce_count = 0;
        Ok(())
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.challenge.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn response_value(&mut self, method: &str, uri: &str) -> Result<String> {
        if self.challenge.is_empty() {
            return Err(Error::new(ErrorKind::NotAuthenticated, "no Digest challenge received yet"));
        }
        let realm = self.param("realm").unwrap_or("").to_owned();
        let nonce = self.param("nonce").unwrap_or("").to_owned();
        let opaque = self.param("opaque").map(str::to_owned);
        let algorithm = self.param("algorithm").unwrap_or("MD5").to_owned();
        let (hash, sess): (fn(&str) -> String, bool) = match algorithm.to_ascii_uppercase().as_str() {
            "MD5" => (md5_hex, false),
            "MD5-SESS" => (md5_hex, true),
            "SHA-256" => (sha256_hex, false),
            "SHA-256-SESS" => (sha256_hex, true),
            other => {
                return Err(Error::new(
                    ErrorKind::NotAuthenticated,
                    format!("unsupported Digest algorithm `{other}`"),
                ));
            }
        };
        let qop =
            self.param("qop").map(|q| split_elements(q, true).iter().any(|q| q.eq_ignore_ascii_case("auth")));
        if qop == Some(false) {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                "Digest challenge offers no supported qop (only `auth` is)",
            ));
        }
        self.nonce_count += 1;
        let nc = format!("{:08x}", self.nonce_count);
        let cnonce = crate::http::random_hex(16);
        let mut ha1 = hash(&format!("{}:{}:{}", self.username, realm, self.password));
        if sess {
            ha1 = hash(&format!("{ha1}:{nonce}:{cnonce}"));
        }
        let ha2 = hash(&format!("{method}:{uri}"));
        let response = if qop == Some(true) {
            hash(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"))
        } else {
            hash(&format!("{ha1}:{nonce}:{ha2}"))
        };
        let mut v = format!(
            "Digest username=\"{}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", algorithm={algorithm}",
            self.username
        );
        if qop == Some(true) {
            v.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
        }
        if let Some(o) = opaque {
            v.push_str(&format!(", opaque=\"{o}\""));
        }
        Ok(v)
    }
}

fn md5_hex(s: &str) -> String {
    rpoco_foundation::hex::encode_with(
        &Md5::digest(s.as_bytes()),
        rpoco_foundation::hex::HexOptions::no_line_breaks(),
    )
}

fn sha256_hex(s: &str) -> String {
    rpoco_foundation::hex::encode_with(
        &Sha256::digest(s.as_bytes()),
        rpoco_foundation::hex::HexOptions::no_line_breaks(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2617_md5_vector_without_qop() {
        // RFC 2069-style response (no qop) is deterministic: check against a hand computation.
        let mut c = HttpDigestCredentials::new("Mufasa", "Circle Of Life");
        c.set_challenge(r#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#)
            .unwrap();
        let v = c.response_value("GET", "/dir/index.html").unwrap();
        let ha1 = md5_hex("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = md5_hex("GET:/dir/index.html");
        let expected = md5_hex(&format!("{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:{ha2}"));
        assert!(v.contains(&format!("response=\"{expected}\"")), "{v}");
        assert_eq!(ha1, "939e7578ed9e3c518a452acee763bce9");
    }

    #[test]
    fn rfc7616_sha256_vector() {
        // RFC 7616 section 3.9.1 with its fixed cnonce: recompute and compare.
        let ha1 = sha256_hex("Mufasa:http-auth@example.org:Circle of Life");
        let ha2 = sha256_hex("GET:/dir/index.html");
        let r = sha256_hex(&format!(
            "{ha1}:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:{ha2}"
        ));
        assert_eq!(r, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    #[test]
    fn basic_rejects_other_schemes() {
        assert!(matches!(
            HttpBasicCredentials::from_auth_info("Digest", "x"),
            Err(e) if e.kind() == ErrorKind::NotAuthenticated
        ));
    }
}
