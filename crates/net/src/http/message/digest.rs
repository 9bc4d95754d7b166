//! [`HttpDigestCredentials`] (POCO `HTTPDigestCredentials`): RFC 7616 Digest access
//! authentication, client and server side.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512, Sha512_256};

use super::auth_params::HttpAuthenticationParams;
use super::message::HttpMessage;
use super::request::HttpRequest;
use super::response::HttpResponse;
use crate::error::{Error, ErrorKind, Result};

/// A Digest hash algorithm (RFC 7616 §6.1 registry, plus POCO's `SHA` = SHA-1 and
/// `SHA-512`), each with a `-sess` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// `MD5` (the default when a challenge names none).
    Md5,
    /// `SHA` (SHA-1; POCO's name, not in RFC 7616).
    Sha1,
    /// `SHA-256`.
    Sha256,
    /// `SHA-512-256` (SHA-512/256).
    Sha512_256,
    /// `SHA-512` (POCO; not in RFC 7616).
    Sha512,
}

impl DigestAlgorithm {
    /// Parses `MD5`, `SHA`, `SHA-256`, `SHA-512-256`, `SHA-512`, each optionally with
    /// `-sess`; returns the algorithm and whether it is a session variant.
    pub fn parse(name: &str) -> Option<(Self, bool)> {
        let upper = name.to_ascii_uppercase();
        let (base, sess) = match upper.strip_suffix("-SESS") {
            Some(b) => (b, true),
            None => (upper.as_str(), false),
        };
        let alg = match base {
            "MD5" => DigestAlgorithm::Md5,
            "SHA" | "SHA-1" => DigestAlgorithm::Sha1,
            "SHA-256" => DigestAlgorithm::Sha256,
            "SHA-512-256" => DigestAlgorithm::Sha512_256,
            "SHA-512" => DigestAlgorithm::Sha512,
            _ => return None,
        };
        Some((alg, sess))
    }

    /// The lowercase hex digest of `data`.
    pub fn hex(self, data: &[u8]) -> String {
        fn h<D: Digest>(data: &[u8]) -> String {
            rpoco_foundation::hex::encode_with(
                &D::digest(data),
                rpoco_foundation::hex::HexOptions::no_line_breaks(),
            )
        }
        match self {
            DigestAlgorithm::Md5 => h::<Md5>(data),
            DigestAlgorithm::Sha1 => h::<Sha1>(data),
            DigestAlgorithm::Sha256 => h::<Sha256>(data),
            DigestAlgorithm::Sha512_256 => h::<Sha512_256>(data),
            DigestAlgorithm::Sha512 => h::<Sha512>(data),
        }
    }
}

/// POCO `HTTPDigestCredentials`: RFC 7616 Digest with `MD5`, `SHA-256`, `SHA-512-256`,
/// POCO's `SHA` (SHA-1) and `SHA-512`, each with its `-sess` form; `qop=auth` (and
/// `auth-int` for requests without a body) or the RFC 2069 form without `qop`;
/// `userhash` and `username*` (RFC 7616 §3.4.4) for non-ASCII user names.
///
/// Of several Digest challenges (RFC 7616 §3.7) the first one with a supported algorithm
/// is answered.
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
    challenge: Option<HttpAuthenticationParams>,
    nonce_count: u32,
}

impl std::fmt::Debug for HttpDigestCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpDigestCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

/// What one Digest answer is computed from.
struct Answer<'a> {
    method: &'a str,
    uri: &'a str,
    cnonce: &'a str,
    nc: u32,
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

    /// Sets the user name.
    pub fn set_username(&mut self, u: &str) {
        self.username = u.to_owned();
    }

    /// Sets the password.
    pub fn set_password(&mut self, p: &str) {
        self.password = p.to_owned();
    }

    /// Forgets the challenge (POCO `reset`).
    pub fn reset(&mut self) {
        self.challenge = None;
        self.nonce_count = 0;
    }

    /// Whether a challenge was received (so [`update_auth_info`](Self::update_auth_info) can
    /// work without a new one).
    pub fn has_challenge(&self) -> bool {
        self.challenge.is_some()
    }

    /// POCO `isAlgorithmSupported`.
    pub fn is_algorithm_supported(algorithm: &str) -> bool {
        DigestAlgorithm::parse(algorithm).is_some()
    }

    /// Answers the `WWW-Authenticate: Digest` challenge in `response`.
    pub fn authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        self.answer(request, response, HttpAuthenticationParams::WWW_AUTHENTICATE, "Authorization")
    }

    /// Answers the `Proxy-Authenticate: Digest` challenge in `response`.
    pub fn proxy_authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        self.answer(request, response, HttpAuthenticationParams::PROXY_AUTHENTICATE, "Proxy-Authorization")
    }

    /// Sets `Authorization` for a further request under the last challenge.
    pub fn update_auth_info(&mut self, request: &mut HttpRequest) -> Result<()> {
        let v = self.next_value(request)?;
        request.set("Authorization", &v);
        Ok(())
    }

    /// Sets `Proxy-Authorization` for a further request under the last challenge.
    pub fn update_proxy_auth_info(&mut self, request: &mut HttpRequest) -> Result<()> {
        let v = self.next_value(request)?;
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
        let all = HttpAuthenticationParams::challenges(response, from)?;
        let mut digests = all.into_iter().filter(|c| c.is_scheme("Digest")).peekable();
        if digests.peek().is_none() {
            return Err(Error::new(ErrorKind::NotAuthenticated, format!("no Digest challenge in {from}")));
        }
        let mut last_error = None;
        for c in digests {
            match self.take_challenge(c) {
                Ok(()) => {
                    let v = self.next_value(request)?;
                    request.set(to, &v);
                    return Ok(());
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error
            .unwrap_or_else(|| Error::new(ErrorKind::NotAuthenticated, "no usable Digest challenge")))
    }

    /// Takes a `Digest ...` challenge value.
    pub fn set_challenge(&mut self, challenge: &str) -> Result<()> {
        let c = HttpAuthenticationParams::parse(challenge)?;
        if !c.is_scheme("Digest") {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                format!("`{}` is not a Digest challenge", c.scheme()),
            ));
        }
        self.take_challenge(c)
    }

    fn take_challenge(&mut self, c: HttpAuthenticationParams) -> Result<()> {
        if c.get("nonce").is_none() {
            return Err(Error::new(ErrorKind::NotAuthenticated, "Digest challenge without a nonce"));
        }
        let alg = c.get("algorithm").unwrap_or("MD5");
        if DigestAlgorithm::parse(alg).is_none() {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                format!("unsupported Digest algorithm `{alg}`"),
            ));
        }
        if let Some(q) = c.get("qop")
            && !q.split(',').any(|q| matches!(q.trim().to_ascii_lowercase().as_str(), "auth" | "auth-int"))
        {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                format!("Digest challenge offers no supported qop (`{q}`)"),
            ));
        }
        self.challenge = Some(c);
        self.nonce_count = 0;
        Ok(())
    }

    fn next_value(&mut self, request: &HttpRequest) -> Result<String> {
        self.nonce_count += 1;
        let cnonce = crate::http::random_hex(16);
        let has_body = request.content_length().is_some_and(|n| n > 0) || request.chunked_transfer_encoding();
        let a =
            Answer { method: request.method(), uri: request.uri(), cnonce: &cnonce, nc: self.nonce_count };
        Ok(self.compute(&a, has_body)?.to_string())
    }

    /// The `Authorization: Digest` parameters for one request.
    fn compute(&self, a: &Answer<'_>, has_body: bool) -> Result<HttpAuthenticationParams> {
        let c = self
            .challenge
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::NotAuthenticated, "no Digest challenge received yet"))?;
        let alg_name = c.get("algorithm").unwrap_or("MD5");
        let (alg, sess) = DigestAlgorithm::parse(alg_name).ok_or_else(|| {
            Error::new(ErrorKind::NotAuthenticated, format!("unsupported Digest algorithm `{alg_name}`"))
        })?;
        let realm = c.realm();
        let nonce = c.get("nonce").unwrap_or("");
        let qop = match c.get("qop") {
            None => None,
            Some(q) => {
                let offered: Vec<String> = q.split(',').map(|q| q.trim().to_ascii_lowercase()).collect();
                if offered.iter().any(|q| q == "auth") {
                    Some("auth")
                } else if !has_body {
                    Some("auth-int")
                } else {
                    return Err(Error::new(
                        ErrorKind::NotAuthenticated,
                        "Digest qop=auth-int with a request body is not supported (only `auth` is)",
                    ));
                }
            }
        };
        let userhash = c.get("userhash").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let mut ha1 = alg.hex(format!("{}:{realm}:{}", self.username, self.password).as_bytes());
        if sess {
            ha1 = alg.hex(format!("{ha1}:{nonce}:{}", a.cnonce).as_bytes());
        }
        let ha2 = match qop {
            Some("auth-int") => alg.hex(format!("{}:{}:{}", a.method, a.uri, alg.hex(b"")).as_bytes()),
            _ => alg.hex(format!("{}:{}", a.method, a.uri).as_bytes()),
        };
        let nc = format!("{:08x}", a.nc);
        let response = match qop {
            Some(q) => alg.hex(format!("{ha1}:{nonce}:{nc}:{}:{q}:{ha2}", a.cnonce).as_bytes()),
            None => alg.hex(format!("{ha1}:{nonce}:{ha2}").as_bytes()),
        };
        let mut p = HttpAuthenticationParams::new("Digest");
        if userhash {
            p.set("username", &alg.hex(format!("{}:{realm}", self.username).as_bytes()));
        } else if self.username.is_ascii() && !self.username.contains('"') {
            p.set("username", &self.username);
        } else {
            p.set("username*", &format!("UTF-8''{}", ext_value(&self.username)));
        }
        p.set("realm", realm);
        p.set("uri", a.uri);
        p.set("algorithm", alg_name);
        p.set("nonce", nonce);
        if let Some(q) = qop {
            p.set("nc", &nc);
            p.set("cnonce", a.cnonce);
            p.set("qop", q);
        }
        p.set("response", &response);
        if let Some(o) = c.get("opaque") {
            p.set("opaque", o);
        }
        if userhash {
            p.set("userhash", "true");
        }
        Ok(p)
    }

    /// Server side (POCO `verifyAuthInfo`): whether `request`'s `Authorization: Digest`
    /// answers the challenge this object holds, with this object's user name and password.
    pub fn verify_auth_info(&self, request: &HttpRequest) -> bool {
        let Ok(p) = HttpAuthenticationParams::from_request(request) else { return false };
        let Some(c) = &self.challenge else { return false };
        if !p.is_scheme("Digest") || p.get("nonce") != c.get("nonce") || p.get("realm") != c.get("realm") {
            return false;
        }
        let nc = p.get("nc").and_then(|n| u32::from_str_radix(n, 16).ok()).unwrap_or(0);
        let a = Answer {
            method: request.method(),
            uri: p.get("uri").unwrap_or(""),
            cnonce: p.get("cnonce").unwrap_or(""),
            nc,
        };
        if a.uri != request.uri() {
            return false;
        }
        self.compute(&a, false)
            .is_ok_and(|ours| ours.get("response").is_some() && ours.get("response") == p.get("response"))
    }
}

/// RFC 8187 `ext-value` percent-encoding (attr-char kept).
fn ext_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
