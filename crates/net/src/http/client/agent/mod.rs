//! [`Agent`]: a one-statement HTTP client for Rust users, built on [`HttpClientSession`]
//! (beside the POCO classes, which stay reachable underneath).
//!
//! One agent keeps pooled keep-alive sessions per scheme, host and port (HTTP and, with a
//! TLS connector from `rpoco-netssl`, HTTPS behind the same type), follows redirects by a
//! [`RedirectPolicy`], decodes `gzip`/`deflate` (and `br`, `zstd` with the features of those
//! names), keeps an [`HttpCookieJar`], answers one `401` with credentials, and applies
//! timeouts to every step.
//!
//! ```no_run
//! let agent = rpoco_net::Agent::new();
//! let text = agent.get("http://127.0.0.1:8080/hello").call()?.into_string()?;
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod decode;
mod pool;
mod request;
mod response;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub use request::AgentRequest;
pub use response::{AgentResponse, Body, DEFAULT_BODY_LIMIT};

use crate::http::client::{HttpClientSession, HttpCookieJar, ProxyConfig};
use crate::socket::{Connector, PlainConnector};
use pool::Pool;

/// How an [`Agent`] follows redirects (301, 302, 303, 307, 308).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectPolicy {
    /// Return the redirect response itself.
    None,
    /// Follow up to this many redirects, to any origin; `Authorization` and headers the
    /// caller set for credentials are dropped when the origin changes (default: 10).
    Limit(u32),
    /// Follow up to this many redirects, but only within the same origin (scheme, host and
    /// port); a redirect elsewhere is returned as the response.
    SameOrigin(u32),
}

/// An agent's configuration (immutable once built; see [`AgentBuilder`]).
#[derive(Debug, Clone)]
pub(super) struct Config {
    connectors: HashMap<String, Arc<dyn Connector>>,
    proxy: Option<ProxyConfig>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    timeout_global: Option<Duration>,
    redirects: RedirectPolicy,
    decompress: bool,
    decompress_limit: u64,
    status_as_error: bool,
    user_agent: Option<String>,
    cookies: Option<Arc<HttpCookieJar>>,
    /// A redirect to a scheme without a connector is returned, not an error.
    return_foreign_redirects: bool,
}

/// Builds an [`Agent`].
///
/// ```
/// use std::time::Duration;
/// use rpoco_net::{Agent, RedirectPolicy};
/// let agent = Agent::builder()
///     .timeout(Some(Duration::from_secs(10)))
///     .redirects(RedirectPolicy::SameOrigin(5))
///     .http_status_as_error(false)
///     .build();
/// # let _ = agent;
/// ```
#[derive(Debug, Clone)]
pub struct AgentBuilder {
    config: Config,
    max_idle_per_host: usize,
    idle_timeout: Duration,
}

impl Default for AgentBuilder {
    fn default() -> Self {
        let mut connectors: HashMap<String, Arc<dyn Connector>> = HashMap::new();
        connectors.insert("http".into(), Arc::new(PlainConnector));
        AgentBuilder {
            config: Config {
                connectors,
                proxy: None,
                timeout: Some(Duration::from_secs(30)),
                connect_timeout: None,
                timeout_global: None,
                redirects: RedirectPolicy::Limit(10),
                decompress: true,
                decompress_limit: 1 << 30,
                status_as_error: true,
                user_agent: Some(concat!("rpoco/", env!("CARGO_PKG_VERSION")).to_owned()),
                cookies: Some(Arc::new(HttpCookieJar::new())),
                return_foreign_redirects: false,
            },
            max_idle_per_host: 4,
            idle_timeout: Duration::from_secs(8),
        }
    }
}

impl AgentBuilder {
    /// Opens `scheme` URLs with `connector` (`rpoco-netssl`'s `TlsConnector` for `https`).
    pub fn connector(mut self, scheme: &str, connector: Arc<dyn Connector>) -> Self {
        self.config.connectors.insert(scheme.to_ascii_lowercase(), connector);
        self
    }

    /// Sends every request through `proxy`.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.config.proxy = Some(proxy);
        self
    }

    /// The limit on each connect, send and receive (default 30 s; `None`: none).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// A separate connect limit (default: [`timeout`](Self::timeout)'s).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// A limit on each request's whole exchange, redirects included (default none).
    pub fn timeout_global(mut self, timeout: Option<Duration>) -> Self {
        self.config.timeout_global = timeout;
        self
    }

    /// The redirect policy (default [`RedirectPolicy::Limit`]`(10)`).
    pub fn redirects(mut self, policy: RedirectPolicy) -> Self {
        self.config.redirects = policy;
        self
    }

    /// Whether to send `Accept-Encoding` (`gzip, deflate`, then `br` and `zstd` when those
    /// features are on) and decode the response (default on).
    pub fn decompress(mut self, on: bool) -> Self {
        self.config.decompress = on;
        self
    }

    /// The most bytes one decoded body may inflate to (the decompression-bomb limit;
    /// default 1 GiB).
    pub fn decompress_limit(mut self, bytes: u64) -> Self {
        self.config.decompress_limit = bytes;
        self
    }

    /// Whether a final status of 400 or more is an [`ErrorKind::Http`](crate::ErrorKind::Http)
    /// (default on, as ureq; off returns the response).
    pub fn http_status_as_error(mut self, on: bool) -> Self {
        self.config.status_as_error = on;
        self
    }

    /// The `User-Agent` (default `rpoco/VERSION`; `None`: none).
    pub fn user_agent(mut self, ua: Option<&str>) -> Self {
        self.config.user_agent = ua.map(str::to_owned);
        self
    }

    /// The cookie jar to use (default a fresh one; `None`: no cookies).
    pub fn cookie_jar(mut self, jar: Option<Arc<HttpCookieJar>>) -> Self {
        self.config.cookies = jar;
        self
    }

    /// Idle keep-alive connections kept per scheme, host and port (default 4; 0 disables
    /// reuse) and how long (default 8 s, POCO's keep-alive timeout).
    pub fn pool(mut self, max_idle_per_host: usize, idle_timeout: Duration) -> Self {
        self.max_idle_per_host = max_idle_per_host;
        self.idle_timeout = idle_timeout;
        self
    }

    pub(crate) fn return_foreign_redirects(mut self) -> Self {
        self.config.return_foreign_redirects = true;
        self
    }

    /// The agent.
    pub fn build(self) -> Agent {
        Agent {
            config: Arc::new(self.config),
            pool: Arc::new(Pool::new(self.max_idle_per_host, self.idle_timeout)),
        }
    }
}

/// A one-statement HTTP client (see the `agent` module documentation); cheap to clone, clones share
/// the pool and the cookie jar.
///
/// ```no_run
/// use rpoco_net::{Agent, HtmlForm};
/// let agent = Agent::new();
/// let page = agent.get("http://127.0.0.1:8080/").call()?.into_string()?;
/// let mut form = HtmlForm::new();
/// form.add("q", "rust");
/// let status = agent.post("http://127.0.0.1:8080/search").send_form(&mut form)?.status();
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Agent {
    config: Arc<Config>,
    pool: Arc<Pool>,
}

impl Default for Agent {
    fn default() -> Self {
        Self::new()
    }
}

impl Agent {
    /// An agent with the default configuration (plain `http` only; see [`AgentBuilder`]).
    pub fn new() -> Self {
        AgentBuilder::default().build()
    }

    /// A builder.
    pub fn builder() -> AgentBuilder {
        AgentBuilder::default()
    }

    /// The cookie jar, if the agent keeps cookies.
    pub fn cookie_jar(&self) -> Option<&Arc<HttpCookieJar>> {
        self.config.cookies.as_ref()
    }

    /// A request with `method` to `url`.
    pub fn request(&self, method: &str, url: &str) -> AgentRequest {
        AgentRequest::new(self.clone(), method, url)
    }

    /// A `GET` request.
    pub fn get(&self, url: &str) -> AgentRequest {
        self.request("GET", url)
    }

    /// A `HEAD` request.
    pub fn head(&self, url: &str) -> AgentRequest {
        self.request("HEAD", url)
    }

    /// A `POST` request.
    pub fn post(&self, url: &str) -> AgentRequest {
        self.request("POST", url)
    }

    /// A `PUT` request.
    pub fn put(&self, url: &str) -> AgentRequest {
        self.request("PUT", url)
    }

    /// A `DELETE` request.
    pub fn delete(&self, url: &str) -> AgentRequest {
        self.request("DELETE", url)
    }

    /// Runs an `http::Request` and returns an `http::Response` whose body is a reader.
    pub fn run<B: AsRef<[u8]>>(&self, request: http::Request<B>) -> crate::Result<http::Response<Body>> {
        let mut r = self.request(request.method().as_str(), &request.uri().to_string());
        for (n, v) in request.headers() {
            let v = v.to_str().map_err(|_| {
                crate::Error::new(
                    crate::ErrorKind::InvalidArgument,
                    format!("header `{n}` is not visible ASCII"),
                )
            })?;
            r = r.header(n.as_str(), v);
        }
        r.send(request.body().as_ref())?.into_http()
    }

    /// Idle pooled connections (for diagnostics).
    pub fn idle_connections(&self) -> usize {
        self.pool.idle_count()
    }

    fn session_for(&self, key: &pool::Key) -> crate::Result<HttpClientSession> {
        if let Some(s) = self.pool.take(key) {
            return Ok(s);
        }
        let connector = self.config.connectors.get(&key.scheme).cloned().ok_or_else(|| {
            crate::Error::new(
                crate::ErrorKind::UnknownUriScheme,
                format!("{} (the agent has no connector for it)", key.scheme),
            )
        })?;
        let mut s = HttpClientSession::with_connector(&key.host, key.port, connector);
        if let Some(p) = &self.config.proxy {
            s.set_proxy_config(p.clone())?;
        }
        s.set_keep_alive(true);
        s.set_timeout(self.config.timeout);
        if let Some(c) = self.config.connect_timeout {
            s.set_timeouts(Some(c), self.config.timeout, self.config.timeout);
        }
        Ok(s)
    }
}
