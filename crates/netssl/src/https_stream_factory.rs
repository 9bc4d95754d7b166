//! [`HttpsStreamFactory`]: `https://` for rpoco-net's [`UriStreamOpener`] (POCO's
//! `HTTPSStreamFactory`). It is net's `HttpStreamFactory` with TLS connections, so requests,
//! redirects and errors are the same as for `http://`.
//!
//! ```no_run
//! use std::io::Read;
//! use rpoco_net::UriStreamOpener;
//! use rpoco_netssl::HttpsStreamFactory;
//!
//! // POCO: HTTPSStreamFactory::registerFactory();
//! HttpsStreamFactory::register();
//! let mut page = String::new();
//! UriStreamOpener::default_opener().open("https://example.com/")?.read_to_string(&mut page)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;
use std::time::Duration;

use rpoco_foundation::Uri;
use rpoco_net::{HttpStreamFactory, Opened, ProxyConfig, UriStreamFactory, UriStreamOpener};

use crate::context::Context;
use crate::secure_socket::TlsConnector;
use crate::ssl_manager::SslManager;

/// Opens `https://` URIs: `GET` with `User-Agent` and `Accept: */*`, following redirects
/// (a redirect to `http://` is handed to the opener's `http` factory, as POCO does), one
/// `401` answered with the URI's user info; a non-2xx final status is an error naming it.
///
/// Without a context of its own, each URI is opened with [`SslManager`]'s default client
/// context as it is at that moment (so [`SslManager::initialize_client`] after
/// [`register`](Self::register) takes effect), as POCO does.
#[derive(Debug, Clone, Default)]
pub struct HttpsStreamFactory {
    context: Option<Arc<Context>>,
    proxy: Option<ProxyConfig>,
    max_redirects: Option<u32>,
    timeout: Option<Duration>,
}

impl HttpsStreamFactory {
    /// A factory using [`SslManager`]'s default client context.
    pub fn new() -> Self {
        Self::default()
    }

    /// A factory using `context` for every connection.
    pub fn with_context(context: Arc<Context>) -> Self {
        HttpsStreamFactory { context: Some(context), ..Self::default() }
    }

    /// Registers a factory with the default context for `https` on
    /// [`UriStreamOpener::default_opener`] (POCO `HTTPSStreamFactory::registerFactory()`).
    pub fn register() {
        Self::new().register_with(UriStreamOpener::default_opener());
    }

    /// Removes the `https` factory from the default opener (POCO `unregisterFactory()`).
    pub fn unregister() {
        UriStreamOpener::default_opener().unregister_stream_factory("https");
    }

    /// Registers this factory for `https` on `opener`.
    pub fn register_with(self, opener: &UriStreamOpener) {
        opener.register_stream_factory("https", Arc::new(self));
    }

    /// Goes through `proxy` (an HTTP proxy is used as a `CONNECT` tunnel).
    pub fn set_proxy(&mut self, proxy: ProxyConfig) {
        self.proxy = Some(proxy);
    }

    /// Follows at most `n` redirects (default 10).
    pub fn set_max_redirects(&mut self, n: u32) {
        self.max_redirects = Some(n);
    }

    /// Sets each connection's connect (and handshake), send and receive timeout.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    fn http_factory(&self) -> rpoco_net::Result<HttpStreamFactory> {
        let context = match &self.context {
            Some(context) => context.clone(),
            None => SslManager::instance().default_client_context()?,
        };
        let mut factory = HttpStreamFactory::with_connector(Arc::new(TlsConnector::new(context)));
        if let Some(proxy) = &self.proxy {
            factory.set_proxy(proxy.clone());
        }
        if let Some(n) = self.max_redirects {
            factory.set_max_redirects(n);
        }
        if self.timeout.is_some() {
            factory.set_timeout(self.timeout);
        }
        Ok(factory)
    }
}

impl UriStreamFactory for HttpsStreamFactory {
    fn open(&self, uri: &Uri) -> rpoco_net::Result<Opened> {
        self.http_factory()?.open_stream(uri)
    }

    fn open_request(
        &self,
        uri: &Uri,
        request: &rpoco_net::UriRequest,
    ) -> rpoco_net::Result<rpoco_net::UriOpened> {
        self.http_factory()?.open_request_stream(uri, request)
    }
}
