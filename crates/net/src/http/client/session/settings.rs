//! Getters and setters of [`HttpClientSession`]: host, port, connector, proxy, keep-alive,
//! timeouts, abort handle, connection state.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{AbortHandle, Exchange, HttpClientSession};
use crate::connect::{Chain, ConnectOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::http::client::proxy::ProxyConfig;
use crate::http::message::MessageHeader;
use crate::socket::{ConnectionInfo, Connector, Transport};

impl HttpClientSession {
    fn ensure_unconnected(&self, what: &str) -> Result<()> {
        if self.conn.is_some() {
            return Err(Error::new(
                ErrorKind::IllegalState,
                format!("cannot change the {what} of a connected session"),
            ));
        }
        Ok(())
    }

    /// From now on, plain connections through an HTTP proxy go through a `CONNECT` tunnel
    /// (protocols that take the connection over, such as WebSocket: proxies do not forward
    /// upgrades); a connection opened the other way is replaced at the next request.
    pub(crate) fn set_tunnel_plain(&mut self, on: bool) {
        if self.chain.tunnels_plain() != on {
            if self.conn.is_some() {
                self.must_reconnect = true;
            }
            self.chain = self.chain.clone().with_tunnel_plain(on);
        }
    }

    /// The server host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Sets the server host; [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState) while connected.
    pub fn set_host(&mut self, host: &str) -> Result<()> {
        self.ensure_unconnected("host")?;
        self.host = host.to_owned();
        Ok(())
    }

    /// The server port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sets the server port; [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState) while connected.
    pub fn set_port(&mut self, port: u16) -> Result<()> {
        self.ensure_unconnected("port")?;
        self.port = port;
        Ok(())
    }

    /// The connector (the chain's TLS step).
    pub fn connector(&self) -> &Arc<dyn Connector> {
        self.chain.tls()
    }

    /// Replaces the connector; [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState) while connected.
    pub fn set_connector(&mut self, connector: Arc<dyn Connector>) -> Result<()> {
        self.ensure_unconnected("connector")?;
        let options = self.chain.options().clone();
        self.chain = Chain::new(connector).with_options(options).with_proxy_lenient(self.proxy.clone());
        Ok(())
    }

    /// The chain connections are built with (TCP options, proxy, TLS step).
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// The TCP options: per-attempt and overall limits, the Happy Eyeballs delay, the
    /// resolver.
    pub fn connect_options(&self) -> &ConnectOptions {
        self.chain.options()
    }

    /// Replaces the TCP options (their attempt timeout is the connect timeout).
    pub fn set_connect_options(&mut self, options: ConnectOptions) {
        self.chain = self.chain.clone().with_options(options);
    }

    /// The proxy configuration.
    pub fn proxy_config(&self) -> &ProxyConfig {
        &self.proxy
    }

    /// Sets the proxy configuration; [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState)
    /// while connected, [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for a
    /// `non_proxy_hosts` that is not a valid expression (compiled here, once).
    pub fn set_proxy_config(&mut self, config: ProxyConfig) -> Result<()> {
        self.ensure_unconnected("proxy")?;
        self.chain = self.chain.clone().with_proxy(config.clone())?;
        self.proxy = config;
        self.proxy_digest = None;
        Ok(())
    }

    /// POCO `setProxy(host, port)`.
    pub fn set_proxy(&mut self, host: &str, port: u16) -> Result<()> {
        let mut p = self.proxy.clone();
        p.host = host.to_owned();
        p.port = port;
        self.set_proxy_config(p)
    }

    /// POCO `setProxyCredentials(username, password)`.
    pub fn set_proxy_credentials(&mut self, username: &str, password: &str) {
        self.proxy.username = username.to_owned();
        self.proxy.password = password.to_owned();
        self.chain = self.chain.clone().with_proxy_lenient(self.proxy.clone());
        self.proxy_digest = None;
    }

    /// Whether connections are kept open between requests.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Turns keep-alive on or off (default off, as POCO).
    pub fn set_keep_alive(&mut self, on: bool) {
        self.keep_alive = on;
    }

    /// The keep-alive timeout (default 8 s).
    pub fn keep_alive_timeout(&self) -> Duration {
        self.keep_alive_timeout
    }

    /// A kept-alive connection idle this long since the last request was sent is replaced.
    pub fn set_keep_alive_timeout(&mut self, timeout: Duration) {
        self.keep_alive_timeout = timeout;
    }

    /// POCO `setTimeout(t)`: sets the connect, send and receive timeouts.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.set_timeouts(timeout, timeout, timeout);
    }

    /// Sets the connect, send and receive timeouts (`None` = none).
    pub fn set_timeouts(
        &mut self,
        connect: Option<Duration>,
        send: Option<Duration>,
        receive: Option<Duration>,
    ) {
        let z = |t: Option<Duration>| t.filter(|d| !d.is_zero());
        let options = self.chain.options().clone().with_attempt_timeout(z(connect));
        self.chain = self.chain.clone().with_options(options);
        self.send_timeout = z(send);
        self.receive_timeout = z(receive);
        if let Some(c) = &self.conn {
            let _ = c.transport.set_send_timeout(self.send_timeout);
            let _ = c.transport.set_receive_timeout(self.receive_timeout);
        }
    }

    /// POCO `getTimeout()`: the receive timeout (what [`set_timeout`](Self::set_timeout)
    /// set, unless [`set_timeouts`](Self::set_timeouts) changed it since).
    pub fn timeout(&self) -> Option<Duration> {
        self.receive_timeout
    }

    /// The connect timeout: each address's attempt, and each proxy or TLS handshake step.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.chain.options().attempt_timeout()
    }

    /// The send timeout.
    pub fn send_timeout(&self) -> Option<Duration> {
        self.send_timeout
    }

    /// The receive timeout.
    pub fn receive_timeout(&self) -> Option<Duration> {
        self.receive_timeout
    }

    /// An overall time limit for each request, from `send_request` until its response body
    /// is read (an rpoco addition): every connect, write and read is bounded by what is
    /// left, and [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) is returned once it is spent.
    pub fn set_request_timeout(&mut self, timeout: Option<Duration>) {
        self.request_timeout = timeout.filter(|d| !d.is_zero());
    }

    /// The overall per-request time limit.
    pub fn request_timeout(&self) -> Option<Duration> {
        self.request_timeout
    }

    /// A handle another thread can use to abort this session's operations.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle { shared: self.abort.clone() }
    }

    /// Whether a connection is open.
    pub fn connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The connection's transport, if connected (netssl reads the peer certificate through
    /// it). **Public API for netssl.**
    pub fn transport(&self) -> Option<&dyn Transport> {
        self.conn.as_ref().map(|c| c.transport.as_ref())
    }

    /// What the transport of the current connection, or of the most recent one if it was
    /// closed or detached since, reported about itself: rpoco-netssl's TLS handshake facts
    /// (peer certificate, protocol, cipher, resumption), recovered with
    /// `(info as &dyn Any).downcast_ref`. `None` before the first connection and for plain
    /// TCP. **Public API for netssl.**
    pub fn connection_info(&self) -> Option<&dyn ConnectionInfo> {
        self.info.as_deref()
    }

    /// Whether the connection is encrypted (POCO `secure()`).
    pub fn secure(&self) -> bool {
        self.chain.tls().is_secure()
    }

    /// The trailer fields of the last chunked response (POCO `responseTrailer()`).
    pub fn response_trailers(&self) -> &MessageHeader {
        &self.trailers
    }

    /// Closes the connection, if any (POCO `reset()`), and clears an abort.
    pub fn reset(&mut self) {
        self.close();
        self.abort.aborted.store(false, Ordering::SeqCst);
    }

    /// Closes the connection gracefully (TLS: `close_notify`).
    pub fn close(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = c.transport.shutdown();
        }
        if let Ok(mut g) = self.abort.socket.lock() {
            *g = None;
        }
        self.exchange = Exchange::Idle;
    }
}
