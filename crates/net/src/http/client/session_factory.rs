//! [`HttpSessionFactory`] (POCO `HTTPSessionFactory`) and the per-scheme
//! [`SessionInstantiator`]s (POCO `HTTPSessionInstantiator`; `rpoco-netssl` has
//! `HttpsSessionInstantiator`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use rpoco_foundation::Uri;

use super::proxy::ProxyConfig;
use super::session::HttpClientSession;
use crate::error::{Error, ErrorKind, Result};

/// Creates client sessions for one URI scheme (POCO's `HTTPSessionInstantiator` interface).
pub trait SessionInstantiator: Send + Sync {
    /// A session for `uri`'s host and port, not yet connected.
    fn create_client_session(&self, uri: &Uri) -> Result<HttpClientSession>;
}

/// POCO `HTTPSessionInstantiator`: plain `http` sessions.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpSessionInstantiator;

impl HttpSessionInstantiator {
    /// POCO `registerInstantiator`: registers for `http` on the default factory.
    pub fn register_instantiator() {
        HttpSessionFactory::default_factory().register_protocol("http", Arc::new(HttpSessionInstantiator));
    }

    /// POCO `unregisterInstantiator`.
    pub fn unregister_instantiator() {
        HttpSessionFactory::default_factory().unregister_protocol("http");
    }
}

impl SessionInstantiator for HttpSessionInstantiator {
    fn create_client_session(&self, uri: &Uri) -> Result<HttpClientSession> {
        HttpClientSession::from_uri(uri)
    }
}

/// POCO `HTTPSessionFactory`: a registry of instantiators by scheme that creates sessions
/// for URIs, with a proxy applied to each.
///
/// ```
/// use rpoco_foundation::Uri;
/// use rpoco_net::{HttpSessionFactory, HttpSessionInstantiator};
/// use std::sync::Arc;
/// let factory = HttpSessionFactory::new();
/// factory.register_protocol("http", Arc::new(HttpSessionInstantiator));
/// factory.set_proxy("127.0.0.1", 3128);
/// let s = factory.create_client_session(&Uri::parse("http://example.com:8080/x")?)?;
/// assert_eq!((s.host(), s.port(), s.proxy_config().port), ("example.com", 8080, 3128));
/// assert!(factory.create_client_session(&Uri::parse("ftp://x/")?).is_err());
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Default)]
pub struct HttpSessionFactory {
    instantiators: RwLock<HashMap<String, Arc<dyn SessionInstantiator>>>,
    proxy: RwLock<Option<ProxyConfig>>,
}

impl std::fmt::Debug for HttpSessionFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let schemes: Vec<String> =
            self.instantiators.read().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        f.debug_struct("HttpSessionFactory").field("schemes", &schemes).finish_non_exhaustive()
    }
}

impl HttpSessionFactory {
    /// An empty factory.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process-wide factory (POCO `defaultFactory()`), with `http` registered.
    pub fn default_factory() -> &'static HttpSessionFactory {
        static DEFAULT: OnceLock<HttpSessionFactory> = OnceLock::new();
        DEFAULT.get_or_init(|| {
            let f = HttpSessionFactory::new();
            f.register_protocol("http", Arc::new(HttpSessionInstantiator));
            f
        })
    }

    /// Registers (or replaces) the instantiator for `scheme`.
    pub fn register_protocol(&self, scheme: &str, instantiator: Arc<dyn SessionInstantiator>) {
        if let Ok(mut m) = self.instantiators.write() {
            m.insert(scheme.to_ascii_lowercase(), instantiator);
        }
    }

    /// Removes the instantiator for `scheme`.
    pub fn unregister_protocol(&self, scheme: &str) {
        if let Ok(mut m) = self.instantiators.write() {
            m.remove(&scheme.to_ascii_lowercase());
        }
    }

    /// Whether `scheme` has an instantiator.
    pub fn supports_protocol(&self, scheme: &str) -> bool {
        self.instantiators.read().is_ok_and(|m| m.contains_key(&scheme.to_ascii_lowercase()))
    }

    /// Sends sessions through an HTTP proxy (POCO `setProxy`).
    pub fn set_proxy(&self, host: &str, port: u16) {
        let mut config = self.proxy_config().unwrap_or_default();
        config.host = host.to_owned();
        config.port = port;
        self.set_proxy_config(config);
    }

    /// Sets proxy credentials (POCO `setProxyCredentials`).
    pub fn set_proxy_credentials(&self, username: &str, password: &str) {
        let mut config = self.proxy_config().unwrap_or_default();
        config.username = username.to_owned();
        config.password = password.to_owned();
        self.set_proxy_config(config);
    }

    /// Sets the whole proxy configuration (POCO `setProxyConfig`).
    pub fn set_proxy_config(&self, config: ProxyConfig) {
        if let Ok(mut p) = self.proxy.write() {
            *p = Some(config);
        }
    }

    /// The proxy configuration, if one was set.
    pub fn proxy_config(&self) -> Option<ProxyConfig> {
        self.proxy.read().ok().and_then(|p| p.clone())
    }

    /// POCO `createClientSession`: a session for `uri` from its scheme's instantiator,
    /// with the factory's proxy; an unknown scheme → [`ErrorKind::UnknownUriScheme`](crate::ErrorKind::UnknownUriScheme).
    pub fn create_client_session(&self, uri: &Uri) -> Result<HttpClientSession> {
        let inst = self
            .instantiators
            .read()
            .ok()
            .and_then(|m| m.get(&uri.scheme().to_ascii_lowercase()).cloned())
            .ok_or_else(|| {
                Error::new(ErrorKind::UnknownUriScheme, format!("{} (no session instantiator)", uri.scheme()))
            })?;
        let mut session = inst.create_client_session(uri)?;
        if let Some(p) = self.proxy_config()
            && !p.host.is_empty()
        {
            session.set_proxy_config(p)?;
        }
        Ok(session)
    }
}
