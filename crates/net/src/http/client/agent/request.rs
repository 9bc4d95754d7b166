//! [`AgentRequest`]: one request's builder and the exchange loop (redirects, credentials,
//! cookies, decoding).

use std::io::Write;
use std::time::{Duration, Instant};

use rpoco_foundation::Uri;

use super::pool::Key;
use super::response::{AgentResponse, Body, Raw};
use super::{Agent, RedirectPolicy};
use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::http::message::{
    AuthScheme, HTTP_1_1, HtmlForm, HttpCredentials, HttpMessage, HttpRequest, HttpResponse,
};

/// Headers that carry credentials: not sent to another origin after a redirect.
const SENSITIVE: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// A request being built by an [`Agent`]; send it with [`call`](Self::call) (no body),
/// [`send`](Self::send), [`send_form`](Self::send_form) or `send_json` (feature `json`).
#[derive(Debug)]
pub struct AgentRequest {
    agent: Agent,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    credentials: Option<HttpCredentials>,
    timeout_global: Option<Duration>,
}

fn origin(u: &Uri) -> (String, String, u16) {
    (u.scheme().to_ascii_lowercase(), u.host().to_ascii_lowercase(), u.port())
}

impl AgentRequest {
    pub(super) fn new(agent: Agent, method: &str, url: &str) -> Self {
        let timeout_global = agent.config.timeout_global;
        AgentRequest {
            agent,
            method: method.to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            credentials: None,
            timeout_global,
        }
    }

    /// Adds a header field.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Answers a `401` from the first origin with these credentials (Digest, NTLM or
    /// Basic, as [`HttpCredentials`]); without this, the URL's user info is used.
    pub fn credentials(mut self, username: &str, password: &str) -> Self {
        self.credentials = Some(HttpCredentials::new(username, password));
        self
    }

    /// A limit on this request's whole exchange, redirects included.
    pub fn timeout_global(mut self, timeout: Option<Duration>) -> Self {
        self.timeout_global = timeout;
        self
    }

    /// Sends without a body.
    pub fn call(self) -> Result<AgentResponse> {
        self.run(None)
    }

    /// Sends `body` (with its `Content-Length`).
    pub fn send(self, body: impl AsRef<[u8]>) -> Result<AgentResponse> {
        self.run(Some(body.as_ref().to_vec()))
    }

    /// Sends a form: URL-encoded, or multipart if it has file parts (files are read when
    /// the request is built, so that a 307/308 redirect can send them again).
    pub fn send_form(mut self, form: &mut HtmlForm) -> Result<AgentResponse> {
        let mut probe = HttpRequest::new("POST", "/", HTTP_1_1);
        form.prepare_submit(&mut probe)?;
        let mut body = Vec::new();
        form.write(&mut body)?;
        self.headers.push(("Content-Type".into(), probe.content_type().to_owned()));
        self.run(Some(body))
    }

    /// Sends `value` as JSON (`Content-Type: application/json`; feature `json`).
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Result<AgentResponse> {
        let body = serde_json::to_vec(value)
            .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("value cannot be JSON: {e}")))?;
        if !self.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
            self.headers.push(("Content-Type".into(), "application/json".into()));
        }
        self.run(Some(body))
    }

    fn run(mut self, mut body: Option<Vec<u8>>) -> Result<AgentResponse> {
        let config = self.agent.config.clone();
        let mut url = Uri::parse(&self.url)?;
        let mut creds = self.credentials.take();
        if !url.user_info().is_empty() {
            if creds.is_none() {
                creds = Some(HttpCredentials::from_uri(&url)?);
            }
            url.set_user_info("")?;
        }
        let first_origin = origin(&url);
        let deadline = self.timeout_global.map(|t| Instant::now() + t);
        let mut method = self.method.clone();
        let mut redirects = Vec::new();
        let mut left_origin = false;
        let mut auth_header: Option<(String, String)> = None;
        let mut auth_rounds = 0;
        loop {
            let remaining = match deadline {
                Some(d) => Some(
                    d.checked_duration_since(Instant::now()).filter(|r| !r.is_zero()).ok_or_else(|| {
                        Error::timeout(
                            Timeout::Deadline,
                            self.timeout_global,
                            format_args!("request to {url}"),
                        )
                    })?,
                ),
                None => None,
            };
            let (scheme, _, port) = origin(&url);
            let key = Key { scheme, host: url.host().to_owned(), port };
            let mut session = self.agent.session_for(&key)?;
            session.set_request_timeout(remaining);
            let path = url.path_and_query();
            let mut req = HttpRequest::new(&method, if path.is_empty() { "/" } else { &path }, HTTP_1_1);
            for (n, v) in &self.headers {
                if left_origin && SENSITIVE.contains(&n.to_ascii_lowercase().as_str()) {
                    continue;
                }
                if body.is_none() && n.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                req.add(n, v);
            }
            if let Some(ua) = &config.user_agent
                && !req.has("User-Agent")
            {
                req.set("User-Agent", ua);
            }
            if !req.has("Accept") {
                req.set("Accept", "*/*");
            }
            let decode = config.decompress && !req.has("Accept-Encoding");
            if decode {
                req.set("Accept-Encoding", super::decode::ACCEPT_ENCODING);
            }
            if let Some(jar) = &config.cookies
                && !req.has("Cookie")
            {
                jar.add_cookie_header(&url, &mut req);
            }
            if !left_origin && let Some((n, v)) = &auth_header {
                req.set(n, v);
            }
            if let Some(b) = &body {
                req.set_content_length(Some(b.len() as u64));
            }
            let mut out = session.send_request(&mut req)?;
            if let Some(b) = &body {
                out.write_all(b)?;
            }
            out.finish()?;
            let mut head = HttpResponse::default();
            let rb = session.receive_response(&mut head)?;
            // The body is read through the session (`read_body`) by `Raw`; the borrowing
            // reader must not run its drop, which would discard the body.
            std::mem::forget(rb);
            if let Some(jar) = &config.cookies {
                jar.store_response_cookies(&url, &head);
            }
            let mut raw = Raw::new(session, self.agent.pool.clone(), key);
            let status = head.status().code();
            // 401: answer once (NTLM needs two rounds on one connection).
            if status == 401
                && !left_origin
                && let Some(c) = creds.as_mut()
            {
                let max_rounds = if c.scheme() == Some(AuthScheme::Ntlm) { 3 } else { 1 };
                if auth_rounds < max_rounds {
                    let mut scratch = HttpRequest::new(&method, req.uri(), HTTP_1_1);
                    if c.authenticate(&mut scratch, &head).is_ok() {
                        auth_rounds += 1;
                        auth_header =
                            scratch.get("Authorization").map(|v| ("Authorization".to_owned(), v.to_owned()));
                        std::io::copy(&mut raw, &mut std::io::sink())?;
                        continue;
                    }
                }
            }
            if matches!(status, 301 | 302 | 303 | 307 | 308)
                && let Some(location) = head.get("Location")
            {
                let limit = match config.redirects {
                    RedirectPolicy::None => None,
                    RedirectPolicy::Limit(n) | RedirectPolicy::SameOrigin(n) => Some(n),
                };
                if let Some(limit) = limit {
                    let mut next = url.clone();
                    next.resolve(location)?;
                    let same = origin(&next) == first_origin;
                    let known = config.connectors.contains_key(&next.scheme().to_ascii_lowercase());
                    let allowed = (same || !matches!(config.redirects, RedirectPolicy::SameOrigin(_)))
                        && (known || !config.return_foreign_redirects);
                    if allowed {
                        if redirects.len() as u32 >= limit {
                            return Err(Error::new(
                                ErrorKind::Http,
                                format!("too many redirects (more than {limit}) at {url}"),
                            ));
                        }
                        if !known {
                            return Err(Error::new(
                                ErrorKind::UnsupportedRedirect,
                                format!("{url} redirects to {next}"),
                            ));
                        }
                        // RFC 9110 §15.4: 303 turns into GET; so do 301/302 after POST, as
                        // every browser does.
                        if status == 303 || (matches!(status, 301 | 302) && method == "POST") {
                            if method != "HEAD" {
                                method = "GET".into();
                            }
                            body = None;
                        }
                        std::io::copy(&mut raw, &mut std::io::sink())?;
                        left_origin |= !same;
                        redirects.push(url.clone());
                        url = next;
                        continue;
                    }
                }
            }
            if status >= 400 && config.status_as_error {
                let words = format!("{status} {}", head.reason());
                return Err(Error::peer(ErrorKind::Http, &words, format!("{words} for {url}")));
            }
            let coding = if decode && method != "HEAD" && !matches!(status, 204 | 304) {
                head.get("Content-Encoding").and_then(super::decode::Coding::from_header)
            } else {
                None
            };
            if coding.is_some() {
                head.erase("Content-Encoding");
                head.erase("Content-Length");
            }
            let body = Body::new(raw, coding, config.decompress_limit)?;
            return Ok(AgentResponse { head, url, body, redirects });
        }
    }
}
