//! HTTPS for rpoco-net's session factory and agent: [`HttpsSessionInstantiator`] (POCO
//! `HTTPSSessionInstantiator`) and [`https_agent`]/[`https_agent_builder`], an
//! [`Agent`](rpoco_net::Agent) that speaks `http` and `https` behind one type.

use std::sync::Arc;

use rpoco_foundation::Uri;
use rpoco_net::{AgentBuilder, HttpClientSession, HttpSessionFactory, SessionInstantiator};

use crate::context::Context;
use crate::secure_socket::TlsConnector;
use crate::ssl_manager::SslManager;

/// POCO `HTTPSSessionInstantiator`: `https` sessions with a context (or [`SslManager`]'s
/// default client context at the time each session is created).
#[derive(Debug, Clone, Default)]
pub struct HttpsSessionInstantiator {
    context: Option<Arc<Context>>,
}

impl HttpsSessionInstantiator {
    /// With [`SslManager`]'s default client context.
    pub fn new() -> Self {
        Self::default()
    }

    /// With `context` for every session.
    pub fn with_context(context: Arc<Context>) -> Self {
        HttpsSessionInstantiator { context: Some(context) }
    }

    /// POCO `registerInstantiator`: registers for `https` on the default factory.
    pub fn register_instantiator() {
        HttpSessionFactory::default_factory().register_protocol("https", Arc::new(Self::new()));
    }

    /// POCO `registerInstantiator(pContext)`.
    pub fn register_instantiator_with(context: Arc<Context>) {
        HttpSessionFactory::default_factory()
            .register_protocol("https", Arc::new(Self::with_context(context)));
    }

    /// POCO `unregisterInstantiator`.
    pub fn unregister_instantiator() {
        HttpSessionFactory::default_factory().unregister_protocol("https");
    }

    fn context(&self) -> rpoco_net::Result<Arc<Context>> {
        match &self.context {
            Some(c) => Ok(c.clone()),
            None => SslManager::instance().default_client_context().map_err(rpoco_net::Error::from),
        }
    }
}

impl SessionInstantiator for HttpsSessionInstantiator {
    fn create_client_session(&self, uri: &Uri) -> rpoco_net::Result<HttpClientSession> {
        if !uri.scheme().eq_ignore_ascii_case("https") {
            return Err(rpoco_net::Error::new(
                rpoco_net::ErrorKind::UnknownUriScheme,
                format!("{} (HttpsSessionInstantiator handles https)", uri.scheme()),
            ));
        }
        Ok(HttpClientSession::with_connector(
            uri.host(),
            uri.port(),
            Arc::new(TlsConnector::new(self.context()?)),
        ))
    }
}

/// An agent builder with `https` through `context` (plain `http` as always).
pub fn https_agent_builder(context: Arc<Context>) -> AgentBuilder {
    rpoco_net::Agent::builder().connector("https", Arc::new(TlsConnector::new(context)))
}

/// An agent for `http` and `https` with [`SslManager`]'s default client context.
///
/// ```no_run
/// let body = rpoco_netssl::https_agent()?.get("https://example.com/").call()?.into_string()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn https_agent() -> crate::Result<rpoco_net::Agent> {
    Ok(https_agent_builder(SslManager::instance().default_client_context()?).build())
}
