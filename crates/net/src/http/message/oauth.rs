//! OAuth for HTTP requests: [`OAuth10Credentials`] (RFC 5849 signatures, HMAC-SHA1 or
//! PLAINTEXT; POCO `OAuth10Credentials`) and [`OAuth20Credentials`] (RFC 6750 bearer tokens;
//! POCO `OAuth20Credentials`).

use hmac::{Hmac, KeyInit, Mac};
use rpoco_foundation::Uri;
use sha1::Sha1;

use super::auth_params::HttpAuthenticationParams;
use super::form::HtmlForm;
use super::message::HttpMessage;
use super::request::HttpRequest;
use crate::error::{Error, ErrorKind, Result};
use crate::http::encoding::uri_decode;

/// How an OAuth 1.0 request is signed (RFC 5849 §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OAuthSignatureMethod {
    /// `HMAC-SHA1` (POCO `SIGN_HMAC_SHA1`).
    #[default]
    HmacSha1,
    /// `PLAINTEXT`, only over TLS (POCO `SIGN_PLAINTEXT`).
    Plaintext,
}

impl OAuthSignatureMethod {
    fn name(self) -> &'static str {
        match self {
            OAuthSignatureMethod::HmacSha1 => "HMAC-SHA1",
            OAuthSignatureMethod::Plaintext => "PLAINTEXT",
        }
    }
}

/// POCO `OAuth10Credentials`: signs requests with a consumer key and secret and, once
/// obtained, a token and token secret (RFC 5849).
///
/// ```
/// use rpoco_foundation::Uri;
/// use rpoco_net::{HttpMessage, HttpRequest, OAuth10Credentials, OAuthSignatureMethod};
/// let mut creds = OAuth10Credentials::new("key", "secret");
/// creds.set_token("token", "token-secret");
/// let mut req = HttpRequest::with_method("GET", "/photos?size=original");
/// let uri = Uri::parse("http://photos.example.net/photos?size=original")?;
/// creds.authenticate(&mut req, &uri, OAuthSignatureMethod::HmacSha1)?;
/// assert!(req.get("Authorization").unwrap().starts_with("OAuth oauth_consumer_key=\"key\""));
/// assert!(creds.verify(&req, &uri, None)?);
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct OAuth10Credentials {
    consumer_key: String,
    consumer_secret: String,
    token: String,
    token_secret: String,
    callback: String,
    realm: String,
    fixed: Option<(String, String)>,
}

impl std::fmt::Debug for OAuth10Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth10Credentials").field("consumer_key", &self.consumer_key).finish_non_exhaustive()
    }
}

/// RFC 5849 §3.6: percent-encode everything except the RFC 3986 unreserved characters.
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl OAuth10Credentials {
    /// Credentials for a consumer key and secret.
    pub fn new(consumer_key: &str, consumer_secret: &str) -> Self {
        OAuth10Credentials {
            consumer_key: consumer_key.to_owned(),
            consumer_secret: consumer_secret.to_owned(),
            ..Default::default()
        }
    }

    /// Reads the consumer key, token, callback and realm from a request's
    /// `Authorization: OAuth` (POCO `OAuth10Credentials(request)`); secrets stay empty.
    pub fn from_request(request: &HttpRequest) -> Result<Self> {
        let p = HttpAuthenticationParams::from_request(request)?;
        if !p.is_scheme("OAuth") {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                format!("OAuth expected, got `{}`", p.scheme()),
            ));
        }
        let get = |n: &str| p.get(n).map(|v| uri_decode(v, false)).transpose().map(Option::unwrap_or_default);
        Ok(OAuth10Credentials {
            consumer_key: get("oauth_consumer_key")?,
            token: get("oauth_token")?,
            callback: get("oauth_callback")?,
            realm: p.realm().to_owned(),
            ..Default::default()
        })
    }

    /// The consumer key.
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The token (empty before one was obtained).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Sets the consumer secret (e.g. on the server after [`from_request`](Self::from_request)).
    pub fn set_consumer_secret(&mut self, secret: &str) {
        self.consumer_secret = secret.to_owned();
    }

    /// Sets the token and its secret.
    pub fn set_token(&mut self, token: &str, token_secret: &str) {
        self.token = token.to_owned();
        self.token_secret = token_secret.to_owned();
    }

    /// Sets `oauth_callback` (sent while obtaining a request token).
    pub fn set_callback(&mut self, callback: &str) {
        self.callback = callback.to_owned();
    }

    /// Sets the `realm` sent in the header.
    pub fn set_realm(&mut self, realm: &str) {
        self.realm = realm.to_owned();
    }

    /// Fixes nonce and timestamp, for reproducible signatures in tests (POCO
    /// `nonceAndTimestampForTesting`).
    pub fn nonce_and_timestamp_for_testing(&mut self, nonce: &str, timestamp: &str) {
        self.fixed = Some((nonce.to_owned(), timestamp.to_owned()));
    }

    /// Signs `request` for `uri` (the full request URI) and sets `Authorization: OAuth`.
    pub fn authenticate(
        &self,
        request: &mut HttpRequest,
        uri: &Uri,
        method: OAuthSignatureMethod,
    ) -> Result<()> {
        self.authenticate_with_form(request, uri, None, method)
    }

    /// Signs including URL-encoded body parameters (RFC 5849 §3.4.1.3.1).
    pub fn authenticate_with_form(
        &self,
        request: &mut HttpRequest,
        uri: &Uri,
        form: Option<&HtmlForm>,
        method: OAuthSignatureMethod,
    ) -> Result<()> {
        let (nonce, timestamp) = self.fixed.clone().unwrap_or_else(|| {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            (crate::http::random_hex(16), t.as_secs().to_string())
        });
        let mut oauth = vec![("oauth_consumer_key", self.consumer_key.clone()), ("oauth_nonce", nonce)];
        oauth.push(("oauth_signature_method", method.name().to_owned()));
        oauth.push(("oauth_timestamp", timestamp));
        if !self.token.is_empty() {
            oauth.push(("oauth_token", self.token.clone()));
        }
        if !self.callback.is_empty() {
            oauth.push(("oauth_callback", self.callback.clone()));
        }
        oauth.push(("oauth_version", "1.0".to_owned()));
        let owned: Vec<(String, String)> = oauth.iter().map(|(n, v)| ((*n).to_owned(), v.clone())).collect();
        let signature = self.sign(request.method(), uri, &owned, form, method)?;
        oauth.push(("oauth_signature", signature));
        oauth.sort_by(|a, b| a.0.cmp(b.0));
        let mut value = String::from("OAuth ");
        if !self.realm.is_empty() {
            value.push_str(&format!("realm=\"{}\", ", pct(&self.realm)));
        }
        let fields: Vec<String> = oauth.iter().map(|(n, v)| format!("{n}=\"{}\"", pct(v))).collect();
        value.push_str(&fields.join(", "));
        request.set("Authorization", &value);
        Ok(())
    }

    /// Server side (POCO `verify`): whether the request's signature is right for these
    /// credentials' secrets.
    pub fn verify(&self, request: &HttpRequest, uri: &Uri, form: Option<&HtmlForm>) -> Result<bool> {
        let p = HttpAuthenticationParams::from_request(request)?;
        let mut oauth = Vec::new();
        let mut given = None;
        let mut method = OAuthSignatureMethod::HmacSha1;
        for (n, v) in p.params().iter() {
            let v = uri_decode(v, false)?;
            match n {
                "oauth_signature" => given = Some(v),
                "realm" => {}
                "oauth_signature_method" if v == "PLAINTEXT" => method = OAuthSignatureMethod::Plaintext,
                _ => oauth.push((n.to_owned(), v)),
            }
        }
        let Some(given) = given else { return Ok(false) };
        Ok(self.sign(request.method(), uri, &oauth, form, method)? == given)
    }

    /// RFC 5849 §3.4.1: the signature base string.
    pub fn signature_base_string(
        http_method: &str,
        uri: &Uri,
        oauth_params: &[(String, String)],
        form: Option<&HtmlForm>,
    ) -> Result<String> {
        let scheme = uri.scheme().to_ascii_lowercase();
        let mut base = format!("{scheme}://{}", uri.host().to_ascii_lowercase());
        if uri.specified_port().is_some_and(|p| p != uri.well_known_port()) {
            base.push_str(&format!(":{}", uri.port()));
        }
        let path = if uri.path().is_empty() { "/".to_owned() } else { uri.raw_path() };
        base.push_str(&path);
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in uri.raw_query().split('&').filter(|p| !p.is_empty()) {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            params.push((uri_decode(n, true)?, uri_decode(v, true)?));
        }
        params.extend(oauth_params.iter().filter(|(n, _)| n != "oauth_signature" && n != "realm").cloned());
        if let Some(f) = form {
            params.extend(f.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
        }
        let mut encoded: Vec<(String, String)> = params.iter().map(|(n, v)| (pct(n), pct(v))).collect();
        encoded.sort();
        let normalized: Vec<String> = encoded.iter().map(|(n, v)| format!("{n}={v}")).collect();
        Ok(format!("{}&{}&{}", http_method.to_ascii_uppercase(), pct(&base), pct(&normalized.join("&"))))
    }

    fn sign(
        &self,
        http_method: &str,
        uri: &Uri,
        oauth: &[(String, String)],
        form: Option<&HtmlForm>,
        method: OAuthSignatureMethod,
    ) -> Result<String> {
        let key = format!("{}&{}", pct(&self.consumer_secret), pct(&self.token_secret));
        if method == OAuthSignatureMethod::Plaintext {
            return Ok(key);
        }
        let base = Self::signature_base_string(http_method, uri, oauth, form)?;
        // HMAC takes keys of any length: `new_from_slice` does not fail in practice.
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).map_err(|e| {
            crate::Error::new(crate::ErrorKind::InvalidArgument, format!("OAuth HMAC key: {e}"))
        })?;
        mac.update(base.as_bytes());
        Ok(rpoco_foundation::base64::encode_with(
            &mac.finalize().into_bytes(),
            rpoco_foundation::base64::Base64Options::no_line_breaks(),
        ))
    }
}

/// POCO `OAuth20Credentials`: a bearer token sent as `Authorization: Bearer <token>`
/// (RFC 6750), with a configurable scheme.
///
/// ```
/// use rpoco_net::{HttpMessage, HttpRequest, OAuth20Credentials};
/// let mut req = HttpRequest::with_method("GET", "/api");
/// OAuth20Credentials::new("mF_9.B5f-4.1JqM").authenticate(&mut req);
/// assert_eq!(req.get("Authorization"), Some("Bearer mF_9.B5f-4.1JqM"));
/// assert_eq!(OAuth20Credentials::from_request(&req)?.bearer_token(), "mF_9.B5f-4.1JqM");
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct OAuth20Credentials {
    token: String,
    scheme: String,
}

impl std::fmt::Debug for OAuth20Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth20Credentials").field("scheme", &self.scheme).finish_non_exhaustive()
    }
}

impl OAuth20Credentials {
    /// POCO `OAuth20Credentials::SCHEME`.
    pub const SCHEME: &'static str = "Bearer";

    /// A bearer token.
    pub fn new(token: &str) -> Self {
        Self::with_scheme(token, Self::SCHEME)
    }

    /// A token sent under another scheme name.
    pub fn with_scheme(token: &str, scheme: &str) -> Self {
        OAuth20Credentials { token: token.to_owned(), scheme: scheme.to_owned() }
    }

    /// Reads `Authorization: Bearer <token>` from a request.
    pub fn from_request(request: &HttpRequest) -> Result<Self> {
        Self::from_request_with_scheme(request, Self::SCHEME)
    }

    /// Reads `Authorization: <scheme> <token>` from a request.
    pub fn from_request_with_scheme(request: &HttpRequest, scheme: &str) -> Result<Self> {
        let (s, info) = request.credentials()?;
        if !s.eq_ignore_ascii_case(scheme) || info.is_empty() {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                format!("{scheme} token expected, got `{s}`"),
            ));
        }
        Ok(Self::with_scheme(&info, scheme))
    }

    /// The token.
    pub fn bearer_token(&self) -> &str {
        &self.token
    }

    /// Sets the token.
    pub fn set_bearer_token(&mut self, token: &str) {
        self.token = token.to_owned();
    }

    /// The scheme (default `Bearer`).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Sets `Authorization: <scheme> <token>`.
    pub fn authenticate(&self, request: &mut HttpRequest) {
        request.set_credentials(&self.scheme, &self.token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5849 §3.4.1.1's example request and its signature base string.
    #[test]
    fn rfc5849_signature_base_string() {
        let uri = Uri::parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
        let mut form = HtmlForm::new();
        form.read_url("c2&a3=2+q").unwrap();
        let oauth: Vec<(String, String)> = [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        let base = OAuth10Credentials::signature_base_string("POST", &uri, &oauth, Some(&form)).unwrap();
        assert_eq!(
            base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
    }

    /// The OAuth 1.0 specification's (Appendix A.5) photos example: its published signature.
    #[test]
    fn oauth_core_1_0_photos_example_signature() {
        let mut c = OAuth10Credentials::new("dpf43f3p2l4k3l03", "kd94hf93k423kf44");
        c.set_token("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00");
        c.nonce_and_timestamp_for_testing("kllo9940pd9333jh", "1191242096");
        let uri = Uri::parse("http://photos.example.net/photos?file=vacation.jpg&size=original").unwrap();
        let mut req = HttpRequest::with_method("GET", "/photos?file=vacation.jpg&size=original");
        c.authenticate(&mut req, &uri, OAuthSignatureMethod::HmacSha1).unwrap();
        let auth = req.get("Authorization").unwrap();
        assert!(auth.contains("oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\""), "{auth}");
        assert!(c.verify(&req, &uri, None).unwrap());
        let mut other = c.clone();
        other.set_consumer_secret("wrong");
        assert!(!other.verify(&req, &uri, None).unwrap());
    }
}
