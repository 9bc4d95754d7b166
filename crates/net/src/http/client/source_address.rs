//! `HttpClientSession::set_source_address` (POCO `setSourceAddress`, the SetSourceIP
//! sample): connections leave from a chosen local address.

use super::session::HttpClientSession;
use crate::error::{Error, ErrorKind, Result};
use crate::socket::SocketAddress;

impl HttpClientSession {
    /// POCO `setSourceAddress`: later connections leave from `address` (port 0: any).
    /// Set it before the first request; a connected session → [`ErrorKind::IllegalState`](crate::ErrorKind::IllegalState).
    ///
    /// ```
    /// use rpoco_net::{HttpClientSession, SocketAddress};
    /// let mut s = HttpClientSession::new("127.0.0.1", 80);
    /// s.set_source_address(SocketAddress::parse("127.0.0.1:0")?)?;
    /// # Ok::<(), rpoco_net::Error>(())
    /// ```
    pub fn set_source_address(&mut self, address: SocketAddress) -> Result<()> {
        if self.connected() {
            return Err(Error::new(ErrorKind::IllegalState, "set_source_address on a connected session"));
        }
        // The chain binds each attempt: every connection (direct, to a proxy, before TLS)
        // leaves from it.
        let options = self.connect_options().clone().with_source_address(address);
        self.set_connect_options(options);
        Ok(())
    }
}
