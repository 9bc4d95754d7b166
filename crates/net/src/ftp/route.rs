//! How an [`FtpClientSession`] reaches its server: every connection, control and data, goes
//! through the session's [`Chain`] (the TCP step with its limits, a SOCKS5 proxy or an HTTP
//! proxy's `CONNECT` tunnel), as HTTP, WebSocket and mail do.

use super::data::PasvAddressPolicy;
use super::session::FtpClientSession;
use crate::connect::{Chain, Route};
use crate::error::{Error, ErrorKind, Result};
use crate::socket::{StreamSocket, Transport};

impl FtpClientSession {
    /// The chain with the session's timeout as the per-attempt connect limit. An HTTP
    /// proxy is used through a `CONNECT` tunnel: FTP is not HTTP it could forward.
    fn timed_chain(&self) -> Chain {
        let options = self.chain.options().clone().with_attempt_timeout(Some(self.timeout));
        self.chain.clone().with_options(options).with_tunnel_plain(true)
    }

    /// Whether connections go through a proxy.
    pub(super) fn proxied(&self) -> bool {
        self.chain.route(&self.host) != Route::Direct
    }

    /// A connection to `host:port` through the chain, before any FTPS step.
    pub(super) fn connection(&self, host: &str, port: u16) -> Result<Box<dyn Transport>> {
        self.timed_chain().connect(host, port)
    }

    /// The socket of a passive data connection to the port the server announced. Through a
    /// proxy it goes to the control connection's host (the announced address cannot be
    /// checked against a server the client does not see).
    pub(super) fn data_connection(&self, announced: std::net::SocketAddr) -> Result<StreamSocket> {
        let host = if self.proxied() { self.host.clone() } else { announced.ip().to_string() };
        let transport = self.connection(&host, announced.port())?;
        Ok(transport.socket().clone())
    }

    /// The `PASV` policy in effect: through a proxy the data connection goes to the control
    /// host whatever the reply says.
    pub(super) fn effective_pasv_policy(&self) -> PasvAddressPolicy {
        if self.proxied() { PasvAddressPolicy::UseControlHost } else { self.pasv_policy }
    }

    /// Active mode needs the server to reach the client directly.
    pub(super) fn check_active_allowed(&self) -> Result<()> {
        if self.proxied() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "active FTP mode through a proxy: the server cannot connect back; use passive mode",
            ));
        }
        Ok(())
    }
}
