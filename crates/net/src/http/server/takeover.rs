//! A handler's takeover of its connection after a protocol switch: the server gives up the
//! transport and the bytes it read past the request, as a [`DetachedConnection`].
//!
//! The contract (see [`HttpServerRequest::detach_socket`](super::HttpServerRequest::detach_socket)):
//! - only after the handler sent a `101 Switching Protocols` response (or a `2xx` answer to
//!   `CONNECT`), and after the whole request body was read: the new protocol starts right
//!   after the body;
//! - the response head is flushed to the client before the connection is handed over;
//! - the transport comes back in blocking mode, with the server's
//!   [`timeout`](crate::HttpServerParams::timeout) as its receive and send timeouts (the new
//!   owner sets its own);
//! - from then on the server neither reads, writes, times out, lingers on nor closes the
//!   connection: when the handler returns, the server only forgets it. `HttpServer::stop`
//!   still shuts down connections whose handler is running past the drain timeout.

use std::io;
use std::time::Instant;

use super::connection::Io;
use crate::error::{Error, Result};
use crate::socket::{DetachedConnection, StreamSocket, Transport};

/// What the server keeps in place of a transport it handed over: reads and writes fail, so
/// nothing the server does afterwards can touch the connection's bytes.
#[derive(Debug)]
struct HandedOver(StreamSocket);

impl io::Read for HandedOver {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(handed_over())
    }
}

impl io::Write for HandedOver {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(handed_over())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for HandedOver {
    fn socket(&self) -> &StreamSocket {
        &self.0
    }

    fn shutdown(&mut self) -> Result<()> {
        Ok(())
    }

    fn handshake_deadline(&self) -> Option<Instant> {
        None
    }
}

fn handed_over() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the connection was handed over to a handler")
}

/// Whether a response with `status` to a request with `method` switches the connection to
/// another protocol (RFC 9110 15.2.2, 9.3.6).
pub(crate) fn switches_protocol(method: &str, status: u16) -> bool {
    status == 101 || (method == "CONNECT" && (200..300).contains(&status))
}

impl Io {
    /// Hands the connection over (see the module docs for the contract).
    pub(crate) fn detach(&mut self) -> Result<DetachedConnection> {
        if self.detached {
            return Err(Error::new(crate::ErrorKind::IllegalState, "the connection was already handed over"));
        }
        if !self.switched {
            return Err(Error::new(
                crate::ErrorKind::IllegalState,
                "detach the connection only after sending 101 Switching Protocols (or 2xx to CONNECT)",
            ));
        }
        self.blocking()
            .and_then(|conn| conn.flush())
            .map_err(|e| Error::from_io_during(e, "send the 101 response"))?;
        let buffered = self.conn.buffered().to_vec();
        self.conn.consume(buffered.len());
        let placeholder = Box::new(HandedOver(self.conn.transport.socket().clone()));
        let transport = std::mem::replace(&mut self.conn.transport, placeholder);
        self.detached = true;
        Ok(DetachedConnection { transport, buffered })
    }
}
