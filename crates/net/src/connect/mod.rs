//! The connection chain every client protocol uses: TCP → proxy → TLS.
//!
//! ```text
//!   Chain::connect(host, port)
//!     │  TCP step (tcp.rs): resolve (URL refused first), every address, Happy Eyeballs
//!     │  (RFC 8305), per-attempt limit, overall deadline, TCP_NODELAY
//!     ▼
//!   StreamSocket ── to the proxy, when one is configured and NO_PROXY does not match
//!     │  proxy step: SOCKS5 (RFC 1928/1929, remote DNS) or HTTP CONNECT (Basic/Digest),
//!     │  or nothing for plain HTTP through an HTTP proxy (requests are forwarded)
//!     ▼
//!   StreamSocket ── reaching the origin server
//!     │  TLS step: the chain's Connector::wrap (netssl: handshake, SNI, verification);
//!     │  the plain connector returns the socket itself
//!     ▼
//!   Box<dyn Transport>
//! ```
//!
//! An HTTPS request crosses into netssl once (the TLS step) and comes back once (its
//! transport or its error, net's [`ErrorKind::Tls`](crate::ErrorKind::Tls)). WebSocket,
//! SMTP, POP3 and FTP use the same [`Chain`], so proxies, limits and errors behave alike.
//!
//! ```
//! use rpoco_net::{Chain, ServerSocket, SocketAddress};
//! let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let port = server.address()?.port();
//! let transport = Chain::plain().connect("127.0.0.1", port)?;
//! assert_eq!(transport.peer_address()?.port(), port);
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod tcp;

use std::sync::Arc;
use std::time::Instant;

pub use tcp::{ConnectOptions, RFC8305_ATTEMPT_DELAY, ResolveFn};

use crate::ProxyConfig;
use crate::error::{Error, Result, Timeout};
use crate::http::client::proxy::{NoProxy, connect_tunnel, socks5_connect};
use crate::http::message::HttpDigestCredentials;
use crate::socket::{Connector, PlainConnector, StreamSocket, Transport};

/// How connections are built: the TCP options, an optional proxy (with its `NO_PROXY`
/// expression compiled once) and the TLS step. Cheap to clone; immutable once built.
#[derive(Debug, Clone)]
pub struct Chain {
    options: ConnectOptions,
    proxy: Option<Arc<Proxy>>,
    tls: Arc<dyn Connector>,
    tunnel_plain: bool,
}

#[derive(Debug)]
struct Proxy {
    config: ProxyConfig,
    bypass: NoProxy,
}

/// What a connection goes through, for one target: decided once per connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Straight to the server.
    Direct,
    /// Through a SOCKS5 proxy (the proxy resolves the name).
    Socks5,
    /// Through an HTTP `CONNECT` tunnel.
    Tunnel,
    /// To an HTTP proxy that forwards requests with absolute URIs (plain HTTP only).
    Forward,
}

/// Hooks for the caller while a connection is built.
pub struct Hooks<'a> {
    /// Called with each TCP socket as soon as it exists (an abort handle shuts it down).
    pub on_socket: &'a mut dyn FnMut(&StreamSocket),
    /// The Digest credentials a `CONNECT` tunnel answered a challenge with, kept between
    /// connections.
    pub digest: &'a mut Option<HttpDigestCredentials>,
}

impl Chain {
    /// A chain with `tls` as its last step (netssl's connector, or [`PlainConnector`]).
    pub fn new(tls: Arc<dyn Connector>) -> Self {
        Chain { options: ConnectOptions::default(), proxy: None, tls, tunnel_plain: false }
    }

    /// Plain TCP, no proxy.
    pub fn plain() -> Self {
        Self::new(Arc::new(PlainConnector))
    }

    /// Replaces the TCP options.
    pub fn with_options(mut self, options: ConnectOptions) -> Self {
        self.options = options;
        self
    }

    /// Goes through `proxy` (an unset config means none); its `non_proxy_hosts` expression
    /// is compiled here, once. An invalid expression is an error.
    pub fn with_proxy(mut self, proxy: ProxyConfig) -> Result<Self> {
        self.proxy = if proxy.is_set() {
            let bypass = NoProxy::compile(&proxy.non_proxy_hosts)?;
            Some(Arc::new(Proxy { config: proxy, bypass }))
        } else {
            None
        };
        Ok(self)
    }

    /// [`with_proxy`](Self::with_proxy) for POCO's infallible constructors: an invalid
    /// `non_proxy_hosts` expression bypasses nothing (POCO's behaviour), with a warning.
    pub(crate) fn with_proxy_lenient(self, proxy: ProxyConfig) -> Self {
        match self.clone().with_proxy(proxy.clone()) {
            Ok(chain) => chain,
            Err(e) => {
                log::warn!("{e}; no host bypasses the proxy");
                let mut chain = self;
                chain.proxy = Some(Arc::new(Proxy { config: proxy, bypass: NoProxy::default() }));
                chain
            }
        }
    }

    /// Plain connections through an HTTP proxy go through a `CONNECT` tunnel too, as TLS
    /// ones do, instead of being forwarded: for protocols that take the connection over
    /// (WebSocket), since proxies do not forward upgrades.
    pub fn with_tunnel_plain(mut self, on: bool) -> Self {
        self.tunnel_plain = on;
        self
    }

    /// Whether plain connections through an HTTP proxy tunnel ([`with_tunnel_plain`](Self::with_tunnel_plain)).
    pub fn tunnels_plain(&self) -> bool {
        self.tunnel_plain
    }

    /// The TCP options.
    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }

    /// The TLS step.
    pub fn tls(&self) -> &Arc<dyn Connector> {
        &self.tls
    }

    /// The proxy, if one is set.
    pub fn proxy(&self) -> Option<&ProxyConfig> {
        self.proxy.as_ref().map(|p| &p.config)
    }

    /// How a connection to `host` goes.
    pub fn route(&self, host: &str) -> Route {
        match &self.proxy {
            None => Route::Direct,
            Some(p) if p.bypass.matches(host) => Route::Direct,
            Some(p) if p.config.is_socks5() => Route::Socks5,
            Some(_) if self.tls.is_secure() || self.tunnel_plain => Route::Tunnel,
            Some(_) => Route::Forward,
        }
    }

    /// Builds a connection to `host:port` (port 0: the TLS step's default port).
    pub fn connect(&self, host: &str, port: u16) -> Result<Box<dyn Transport>> {
        let mut digest = None;
        self.connect_with(host, port, Hooks { on_socket: &mut |_| {}, digest: &mut digest })
    }

    /// [`connect`](Self::connect) with hooks for the caller.
    pub fn connect_with(&self, host: &str, port: u16, hooks: Hooks<'_>) -> Result<Box<dyn Transport>> {
        let port = if port == 0 { self.tls.default_port() } else { port };
        let deadline = self.options.deadline();
        let route = self.route(host);
        let Hooks { on_socket, digest } = hooks;
        let socket = match (route, &self.proxy) {
            (Route::Direct, _) | (_, None) => tcp::connect(host, port, &self.options, deadline)?,
            (_, Some(proxy)) => {
                let p = &proxy.config;
                tcp::connect(&p.host, p.port, &self.options, deadline)?
            }
        };
        on_socket(&socket);
        let step = self.step_timeout(deadline)?;
        let socket = match (route, &self.proxy) {
            (Route::Socks5, Some(proxy)) => {
                socks5_connect(&socket, &proxy.config, host, port, step)?;
                socket
            }
            (Route::Tunnel, Some(proxy)) => {
                socket.set_receive_timeout(step)?;
                socket.set_send_timeout(step)?;
                let (ph, pp) = (&proxy.config.host, proxy.config.port);
                let reconnect = || tcp::connect(ph, pp, &self.options, deadline);
                let socket = connect_tunnel(socket, &proxy.config, digest, host, port, reconnect)?;
                on_socket(&socket);
                socket
            }
            _ => socket,
        };
        if route == Route::Forward {
            return Ok(Box::new(socket));
        }
        let step = self.step_timeout(deadline)?;
        self.tls.wrap(socket, host, step)
    }

    /// The limit for a proxy or TLS step: the per-attempt limit, cut to the deadline.
    fn step_timeout(&self, deadline: Option<Instant>) -> Result<Option<std::time::Duration>> {
        let per_step = self.options.attempt_timeout();
        let Some(deadline) = deadline else { return Ok(per_step) };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::timeout(Timeout::Deadline, self.options.timeout(), "connect"));
        }
        Ok(Some(per_step.map_or(left, |t| t.min(left))))
    }
}

/// A TCP connection to `host:port` with `options` (every address, Happy Eyeballs, limits).
pub fn connect_tcp(host: &str, port: u16, options: &ConnectOptions) -> Result<StreamSocket> {
    tcp::connect(host, port, options, options.deadline())
}

impl Default for Chain {
    fn default() -> Self {
        Self::plain()
    }
}
