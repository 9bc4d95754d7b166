//! [`HttpCredentials`] (POCO `HTTPCredentials`): one set of user credentials that answers
//! whichever scheme the server asks for, Digest, NTLM or Basic.

use rpoco_foundation::Uri;

use super::auth_params::HttpAuthenticationParams;
use super::credentials::HttpBasicCredentials;
use super::digest::{DigestAlgorithm, HttpDigestCredentials};
use super::message::HttpMessage;
use super::ntlm::HttpNtlmCredentials;
use super::request::HttpRequest;
use super::response::HttpResponse;
use crate::error::{Error, ErrorKind, Result};
use crate::http::encoding::uri_decode;

/// The scheme an [`HttpCredentials`] answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// RFC 7617 Basic.
    Basic,
    /// RFC 7616 Digest.
    Digest,
    /// NTLM (MS-NLMP).
    Ntlm,
}

#[derive(Debug, Clone, Default)]
struct SchemeState {
    digest: HttpDigestCredentials,
    ntlm: HttpNtlmCredentials,
    active: Option<AuthScheme>,
}

/// POCO `HTTPCredentials`: user name and password answering a `401` (or `407`) with the
/// scheme the server offers.
///
/// Of several challenges the strongest supported one is answered: Digest (with a supported
/// algorithm), then NTLM, then Basic (RFC 7235 §2.1 leaves the choice to the client; POCO
/// takes the first header). Credentials come from [`new`](Self::new) or from a URI's user
/// info ([`from_uri`](Self::from_uri), percent-decoded).
///
/// ```
/// use rpoco_net::{HttpCredentials, HttpMessage, HttpRequest, HttpResponse, HttpStatus};
/// let mut res = HttpResponse::new(HttpStatus::UNAUTHORIZED);
/// res.add("WWW-Authenticate", r#"Basic realm="x""#);
/// res.add("WWW-Authenticate", r#"Digest realm="x", nonce="n", qop="auth", algorithm=SHA-256"#);
/// let mut creds = HttpCredentials::new("user", "pass");
/// let mut req = HttpRequest::with_method("GET", "/private");
/// creds.authenticate(&mut req, &res)?;
/// assert!(req.get("Authorization").unwrap().starts_with("Digest "));
/// let mut next = HttpRequest::with_method("GET", "/other");
/// creds.update_auth_info(&mut next)?; // nc=00000002 under the same challenge
/// assert!(next.get("Authorization").unwrap().contains("nc=00000002"));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct HttpCredentials {
    username: String,
    password: String,
    origin: SchemeState,
    proxy: SchemeState,
}

impl std::fmt::Debug for HttpCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

impl HttpCredentials {
    /// Credentials for `username` (for NTLM optionally `DOMAIN\user`) and `password`.
    pub fn new(username: &str, password: &str) -> Self {
        let mut c = HttpCredentials::default();
        c.set(username, password);
        c
    }

    /// From `user:password` user info (percent-decoded; POCO `fromUserInfo`).
    pub fn from_user_info(user_info: &str) -> Result<Self> {
        let (u, p) = Self::split_user_info(user_info)?;
        Ok(Self::new(&u, &p))
    }

    /// From the user info of `uri` (POCO `fromURI`).
    pub fn from_uri(uri: &Uri) -> Result<Self> {
        Self::from_user_info(uri.user_info())
    }

    /// POCO `extractCredentials`: the user name and password in a URI's user info.
    pub fn extract_credentials(uri: &Uri) -> Result<(String, String)> {
        Self::split_user_info(uri.user_info())
    }

    fn split_user_info(info: &str) -> Result<(String, String)> {
        let (u, p) = info.split_once(':').unwrap_or((info, ""));
        Ok((uri_decode(u, false)?, uri_decode(p, false)?))
    }

    fn set(&mut self, username: &str, password: &str) {
        self.username = username.to_owned();
        self.password = password.to_owned();
        let fresh = SchemeState {
            digest: HttpDigestCredentials::new(username, password),
            ntlm: HttpNtlmCredentials::new(username, password),
            active: None,
        };
        self.origin = fresh.clone();
        self.proxy = fresh;
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Sets the user name (and forgets challenges).
    pub fn set_username(&mut self, u: &str) {
        let p = self.password.clone();
        self.set(u, &p);
    }

    /// Sets the password (and forgets challenges).
    pub fn set_password(&mut self, p: &str) {
        let u = self.username.clone();
        self.set(&u, p);
    }

    /// Whether user name and password are both empty.
    pub fn is_empty(&self) -> bool {
        self.username.is_empty() && self.password.is_empty()
    }

    /// Forgets user name, password and challenges (POCO `clear`).
    pub fn clear(&mut self) {
        self.set("", "");
    }

    /// The scheme used for the origin server, once [`authenticate`](Self::authenticate) ran.
    pub fn scheme(&self) -> Option<AuthScheme> {
        self.origin.active
    }

    /// Answers the challenges in `response`'s `WWW-Authenticate` on `request`.
    pub fn authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        let (u, p) = (self.username.clone(), self.password.clone());
        answer(&mut self.origin, &u, &p, request, response, false)
    }

    /// Answers the challenges in `response`'s `Proxy-Authenticate` on `request`.
    pub fn proxy_authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        let (u, p) = (self.username.clone(), self.password.clone());
        answer(&mut self.proxy, &u, &p, request, response, true)
    }

    /// Sets `Authorization` for a further request with the scheme already in use (Digest:
    /// the next nonce count; Basic: the same token; NTLM: nothing, the connection is
    /// authenticated).
    pub fn update_auth_info(&mut self, request: &mut HttpRequest) -> Result<()> {
        let (u, p) = (self.username.clone(), self.password.clone());
        update(&mut self.origin, &u, &p, request, false)
    }

    /// As [`update_auth_info`](Self::update_auth_info) for `Proxy-Authorization`.
    pub fn update_proxy_auth_info(&mut self, request: &mut HttpRequest) -> Result<()> {
        let (u, p) = (self.username.clone(), self.password.clone());
        update(&mut self.proxy, &u, &p, request, true)
    }

    /// Whether a challenge value is for Basic (POCO `isBasicCredentials`).
    pub fn is_basic_credentials(header: &str) -> bool {
        is_scheme(header, "Basic")
    }

    /// Whether a challenge value is for Digest (POCO `isDigestCredentials`).
    pub fn is_digest_credentials(header: &str) -> bool {
        is_scheme(header, "Digest")
    }

    /// Whether a challenge value is for NTLM (POCO `isNTLMCredentials`).
    pub fn is_ntlm_credentials(header: &str) -> bool {
        is_scheme(header, "NTLM")
    }

    /// Whether `request` carries `Authorization: Basic` (POCO `hasBasicCredentials`).
    pub fn has_basic_credentials(request: &HttpRequest) -> bool {
        request.get("Authorization").is_some_and(Self::is_basic_credentials)
    }

    /// Whether `request` carries `Authorization: Digest` (POCO `hasDigestCredentials`).
    pub fn has_digest_credentials(request: &HttpRequest) -> bool {
        request.get("Authorization").is_some_and(Self::is_digest_credentials)
    }

    /// Whether `request` carries `Authorization: NTLM` (POCO `hasNTLMCredentials`).
    pub fn has_ntlm_credentials(request: &HttpRequest) -> bool {
        request.get("Authorization").is_some_and(Self::is_ntlm_credentials)
    }
}

fn is_scheme(header: &str, scheme: &str) -> bool {
    let h = header.trim_start();
    h.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        && h[scheme.len()..].chars().next().is_none_or(|c| c == ' ' || c == '\t' || c == ',')
}

fn answer(
    state: &mut SchemeState,
    user: &str,
    pass: &str,
    request: &mut HttpRequest,
    response: &HttpResponse,
    proxy: bool,
) -> Result<()> {
    let header = if proxy {
        HttpAuthenticationParams::PROXY_AUTHENTICATE
    } else {
        HttpAuthenticationParams::WWW_AUTHENTICATE
    };
    let challenges = HttpAuthenticationParams::challenges(response, header)?;
    let has = |scheme: &str| challenges.iter().any(|c| c.is_scheme(scheme));
    let digest_ok = challenges.iter().any(|c| {
        c.is_scheme("Digest") && DigestAlgorithm::parse(c.get("algorithm").unwrap_or("MD5")).is_some()
    });
    if digest_ok {
        if proxy {
            state.digest.proxy_authenticate(request, response)?;
        } else {
            state.digest.authenticate(request, response)?;
        }
        state.active = Some(AuthScheme::Digest);
    } else if has("NTLM") {
        if proxy {
            state.ntlm.proxy_authenticate(request, response)?;
        } else {
            state.ntlm.authenticate(request, response)?;
        }
        state.active = Some(AuthScheme::Ntlm);
    } else if has("Basic") {
        let b = HttpBasicCredentials::new(user, pass);
        if proxy {
            b.proxy_authenticate(request)
        } else {
            b.authenticate(request)
        }
        state.active = Some(AuthScheme::Basic);
    } else {
        let offered: Vec<&str> = challenges.iter().map(|c| c.scheme()).collect();
        return Err(Error::new(
            ErrorKind::NotAuthenticated,
            format!(
                "no supported authentication scheme in {header} (offered: {})",
                if offered.is_empty() { "none".to_owned() } else { offered.join(", ") }
            ),
        ));
    }
    Ok(())
}

fn update(
    state: &mut SchemeState,
    user: &str,
    pass: &str,
    request: &mut HttpRequest,
    proxy: bool,
) -> Result<()> {
    match state.active {
        Some(AuthScheme::Digest) if proxy => state.digest.update_proxy_auth_info(request),
        Some(AuthScheme::Digest) => state.digest.update_auth_info(request),
        Some(AuthScheme::Basic) => {
            let b = HttpBasicCredentials::new(user, pass);
            if proxy {
                b.proxy_authenticate(request)
            } else {
                b.authenticate(request)
            }
            Ok(())
        }
        Some(AuthScheme::Ntlm) | None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpStatus;

    fn challenge(values: &[&str]) -> HttpResponse {
        let mut r = HttpResponse::new(HttpStatus::UNAUTHORIZED);
        for v in values {
            r.add("WWW-Authenticate", v);
        }
        r
    }

    #[test]
    fn picks_digest_over_ntlm_over_basic_and_names_what_was_offered() {
        let mut req = HttpRequest::with_method("GET", "/");
        let mut c = HttpCredentials::new("u", "p");
        c.authenticate(&mut req, &challenge(&["Basic realm=\"r\"", "NTLM"])).unwrap();
        assert_eq!(c.scheme(), Some(AuthScheme::Ntlm));
        assert!(HttpCredentials::has_ntlm_credentials(&req));
        let mut c = HttpCredentials::new("u", "p");
        c.authenticate(&mut req, &challenge(&["Basic realm=\"r\""])).unwrap();
        assert!(HttpCredentials::has_basic_credentials(&req));
        let err = HttpCredentials::new("u", "p")
            .authenticate(&mut req, &challenge(&["Negotiate", "Bearer"]))
            .unwrap_err();
        assert!(
            err.kind() == ErrorKind::NotAuthenticated && err.message().contains("Negotiate, Bearer"),
            "{err}"
        );
    }

    #[test]
    fn user_info_is_percent_decoded() {
        let uri = Uri::parse("http://us%65r:p%40ss:word@host/").unwrap();
        let c = HttpCredentials::from_uri(&uri).unwrap();
        assert_eq!((c.username(), c.password()), ("user", "p@ss:word"));
        assert!(HttpCredentials::is_digest_credentials("digest realm=x"));
        assert!(!HttpCredentials::is_digest_credentials("Digestive realm=x"));
    }
}
