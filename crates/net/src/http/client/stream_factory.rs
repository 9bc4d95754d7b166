//! [`HttpStreamFactory`] and [`UriStreamOpener`]: open a URI, get a `Read`.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use rpoco_foundation::Uri;

use super::proxy::ProxyConfig;
use super::session::HttpClientSession;
use crate::error::{Error, ErrorKind, Result};
use crate::http::message::{
    HTTP_1_1, HttpBasicCredentials, HttpMessage, HttpRequest, HttpResponse, HttpStatus,
};
use crate::socket::{Connector, PlainConnector};

/// What a [`UriStreamFactory`] produced: the resource, or a redirect to a URI another
/// factory must open (POCO's `URIRedirection`).
pub enum Opened {
    /// The resource's bytes.
    Stream(Box<dyn Read + Send>),
    /// Open this URI instead (its scheme belongs to another factory).
    Redirect(Uri),
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Opened::Stream(_) => f.write_str("Opened::Stream(..)"),
            Opened::Redirect(u) => write!(f, "Opened::Redirect({u})"),
        }
    }
}

/// POCO `URIStreamFactory`: opens URIs of one scheme. **Public API for netssl**, whose
/// `HttpsStreamFactory` is an [`HttpStreamFactory`] with a TLS connector.
pub trait UriStreamFactory: Send + Sync {
    /// Opens `uri`.
    fn open(&self, uri: &Uri) -> Result<Opened>;

    /// Opens `uri` with a method, headers and body, giving the final response (rpoco
    /// addition; see [`UriStreamOpener::open_request`]). The default handles `GET`
    /// without a body through [`open`](Self::open) and reports status 200.
    fn open_request(&self, uri: &Uri, request: &super::UriRequest) -> Result<super::UriOpened> {
        super::opener_request::open_request_with_open(self, uri, request)
    }
}

/// POCO `HTTPStreamFactory`: `GET` with `User-Agent` and `Accept: */*`, following redirects
/// (301, 302, 303, 307 and, per RFC 9110, 308) up to a bound (default 10), answering one
/// `401` with the URI's user info as Basic credentials. A non-2xx final status is
/// [`ErrorKind::Http`](crate::ErrorKind::Http) naming it.
///
/// ```no_run
/// use std::io::Read;
/// use rpoco_net::UriStreamOpener;
/// let mut body = String::new();
/// UriStreamOpener::default_opener().open("http://127.0.0.1:8080/")?.read_to_string(&mut body)?;
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpStreamFactory {
    pub(super) connector: Arc<dyn Connector>,
    pub(super) proxy: Option<ProxyConfig>,
    pub(super) max_redirects: u32,
    pub(super) timeout: Option<Duration>,
}

impl Default for HttpStreamFactory {
    fn default() -> Self {
        Self::with_connector(Arc::new(PlainConnector))
    }
}

impl HttpStreamFactory {
    /// The `http` factory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A factory for the connector's scheme (netssl: `https`).
    pub fn with_connector(connector: Arc<dyn Connector>) -> Self {
        HttpStreamFactory { connector, proxy: None, max_redirects: 10, timeout: None }
    }

    /// Uses `proxy` for every session.
    pub fn set_proxy(&mut self, proxy: ProxyConfig) {
        self.proxy = Some(proxy);
    }

    /// Sets the redirect bound.
    pub fn set_max_redirects(&mut self, n: u32) {
        self.max_redirects = n;
    }

    /// Sets the connect/send/receive timeout of each session (default POCO's).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Opens `uri` and returns the response stream (following redirects within this
    /// scheme); a redirect to another scheme comes back as [`Opened::Redirect`].
    pub fn open_stream(&self, uri: &Uri) -> Result<Opened> {
        let mut uri = uri.clone();
        let mut redirects = 0;
        let mut authenticated = false;
        loop {
            if !uri.scheme().eq_ignore_ascii_case(self.connector.scheme()) {
                return Ok(Opened::Redirect(uri));
            }
            let mut session =
                HttpClientSession::with_connector(uri.host(), uri.port(), self.connector.clone());
            if let Some(p) = &self.proxy {
                session.set_proxy_config(p.clone())?;
            }
            if let Some(t) = self.timeout {
                session.set_timeout(Some(t));
            }
            let path = uri.path_and_query();
            let mut req = HttpRequest::new("GET", if path.is_empty() { "/" } else { &path }, HTTP_1_1);
            req.set("User-Agent", concat!("rpoco/", env!("CARGO_PKG_VERSION")));
            req.set("Accept", "*/*");
            if authenticated {
                let (u, p) = uri.user_info().split_once(':').unwrap_or((uri.user_info(), ""));
                HttpBasicCredentials::new(u, p).authenticate(&mut req);
            }
            session.send_request(&mut req)?;
            let mut res = HttpResponse::default();
            let body = session.receive_response(&mut res)?;
            let status = res.status();
            if matches!(status.code(), 301 | 302 | 303 | 307 | 308) {
                drop(body);
                redirects += 1;
                if redirects > self.max_redirects {
                    return Err(Error::new(
                        ErrorKind::Http,
                        format!("too many redirects (more than {}) at {uri}", self.max_redirects),
                    ));
                }
                let location = res
                    .get("Location")
                    .ok_or_else(|| {
                        Error::new(ErrorKind::Http, format!("redirect {status} without Location from {uri}"))
                    })?
                    .to_owned();
                uri.resolve(&location)?;
                continue;
            }
            if status == HttpStatus::UNAUTHORIZED && !authenticated && !uri.user_info().is_empty() {
                drop(body);
                authenticated = true;
                continue;
            }
            if !status.is_success() {
                // The server's status line travels as its own words.
                let words = format!("{} {}", status.code(), res.reason());
                return Err(Error::peer(ErrorKind::Http, &words, format!("{words} for {uri}")));
            }
            // The body reader borrows the session; the stream owns the session instead and
            // keeps reading the same exchange.
            std::mem::forget(body);
            return Ok(Opened::Stream(Box::new(HttpResponseStream { session, response: res })));
        }
    }
}

impl UriStreamFactory for HttpStreamFactory {
    fn open(&self, uri: &Uri) -> Result<Opened> {
        self.open_stream(uri)
    }

    fn open_request(&self, uri: &Uri, request: &super::UriRequest) -> Result<super::UriOpened> {
        self.open_request_stream(uri, request)
    }
}

/// A response body that owns its session (what [`HttpStreamFactory`] returns).
#[derive(Debug)]
pub struct HttpResponseStream {
    session: HttpClientSession,
    response: HttpResponse,
}

impl HttpResponseStream {
    /// The final response head.
    pub fn response(&self) -> &HttpResponse {
        &self.response
    }
}

impl Read for HttpResponseStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.session.read_body(buf)
    }
}

/// POCO `URIStreamOpener`: opens a URI with the factory registered for its scheme,
/// following redirects between schemes (bounded).
///
/// [`default_opener`](Self::default_opener) is process-wide (as POCO's) and knows `http`;
/// `rpoco-netssl` registers `https` there.
///
/// ```
/// use rpoco_net::{ErrorKind, UriStreamOpener};
/// let opener = UriStreamOpener::new();
/// assert!(matches!(opener.open("gopher://x/").map_err(|e| e.kind()), Err(ErrorKind::UnknownUriScheme)));
/// ```
#[derive(Default)]
pub struct UriStreamOpener {
    factories: RwLock<HashMap<String, Arc<dyn UriStreamFactory>>>,
}

impl std::fmt::Debug for UriStreamOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let schemes: Vec<String> =
            self.factories.read().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        f.debug_struct("UriStreamOpener").field("schemes", &schemes).finish()
    }
}

impl UriStreamOpener {
    /// An opener with no factories.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process-wide opener (with `http` registered).
    pub fn default_opener() -> &'static UriStreamOpener {
        static DEFAULT: OnceLock<UriStreamOpener> = OnceLock::new();
        DEFAULT.get_or_init(|| {
            let o = UriStreamOpener::new();
            o.register_stream_factory("http", Arc::new(HttpStreamFactory::new()));
            o
        })
    }

    /// Registers (or replaces) the factory for `scheme`.
    pub fn register_stream_factory(&self, scheme: &str, factory: Arc<dyn UriStreamFactory>) {
        if let Ok(mut m) = self.factories.write() {
            m.insert(scheme.to_ascii_lowercase(), factory);
        }
    }

    /// Removes the factory for `scheme`.
    pub fn unregister_stream_factory(&self, scheme: &str) {
        if let Ok(mut m) = self.factories.write() {
            m.remove(&scheme.to_ascii_lowercase());
        }
    }

    /// Whether a factory for `scheme` is registered.
    pub fn supports_scheme(&self, scheme: &str) -> bool {
        self.factories.read().is_ok_and(|m| m.contains_key(&scheme.to_ascii_lowercase()))
    }

    pub(super) fn factory(&self, scheme: &str) -> Result<Arc<dyn UriStreamFactory>> {
        self.factories
            .read()
            .ok()
            .and_then(|m| m.get(&scheme.to_ascii_lowercase()).cloned())
            .ok_or_else(|| Error::new(ErrorKind::UnknownUriScheme, scheme.to_owned()))
    }

    /// Opens `uri`.
    pub fn open(&self, uri: &str) -> Result<Box<dyn Read + Send>> {
        self.open_uri(&Uri::parse(uri)?)
    }

    /// Opens a parsed URI.
    pub fn open_uri(&self, uri: &Uri) -> Result<Box<dyn Read + Send>> {
        let mut uri = uri.clone();
        for _ in 0..10 {
            let factory = self
                .factories
                .read()
                .ok()
                .and_then(|m| m.get(&uri.scheme().to_ascii_lowercase()).cloned())
                .ok_or_else(|| Error::new(ErrorKind::UnknownUriScheme, uri.scheme().to_owned()))?;
            match factory.open(&uri)? {
                Opened::Stream(s) => return Ok(s),
                Opened::Redirect(next) => uri = next,
            }
        }
        Err(Error::new(ErrorKind::Http, format!("too many redirects between schemes at {uri}")))
    }
}
