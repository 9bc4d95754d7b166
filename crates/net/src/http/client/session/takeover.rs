//! Handing the connection over to another protocol and taking one back (POCO
//! `HTTPSession::detachSocket` / `attachSocket`).

use super::{Exchange, HttpClientSession};
use crate::error::{Error, ErrorKind, Result};
use crate::http::conn::Conn;
use crate::socket::DetachedConnection;

impl HttpClientSession {
    /// Takes the connection out of the session (POCO `detachSocket()`), typically after a
    /// `101 Switching Protocols` response or a `CONNECT` tunnel: the transport (plain or TLS)
    /// and the bytes the session had already read past the last response head, which belong
    /// to the new protocol.
    ///
    /// Contract: from here on the session owns nothing of that connection: it does not read,
    /// write, time out, abort or close it; its socket timeouts stay as they were. Request
    /// bytes still waiting in the session's write buffer are sent first, so nothing written
    /// is lost. An unread response body stays on the connection (its bytes are among those
    /// handed over). The next request opens a new connection.
    /// [`ErrorKind::IllegalState`] if no connection is open.
    pub fn detach_socket(&mut self) -> Result<DetachedConnection> {
        let mut conn = self
            .conn
            .take()
            .ok_or_else(|| Error::new(ErrorKind::IllegalState, "detach_socket: no connection is open"))?;
        if let Ok(mut g) = self.abort.socket.lock() {
            *g = None;
        }
        self.exchange = Exchange::Idle;
        self.must_reconnect = false;
        self.switched = false;
        self.last_request = None;
        if let Err(e) = conn.flush() {
            return Err(Error::from_io_during(e, "detach_socket: send the buffered request bytes"));
        }
        Ok(conn.into_detached())
    }

    /// Gives the session a connection to send its next request over (POCO
    /// `attachSocket()`), closing the one it had. The connection's buffered bytes are read
    /// first, as the start of the next response. The session's send and receive timeouts
    /// apply to it from now on, and `host`/`port` stay as they are (for `Host` and later
    /// reconnects).
    pub fn attach_socket(&mut self, connection: DetachedConnection) {
        self.close();
        let (transport, buffered) = connection.into_parts();
        self.attach(transport);
        self.last_request = None;
        if let Some(conn) = self.conn.as_mut() {
            conn.preload(&buffered);
        }
    }
}

impl Conn {
    /// The connection and its unread bytes, for a [`DetachedConnection`].
    pub(crate) fn into_detached(self) -> DetachedConnection {
        let buffered = self.buffered().to_vec();
        DetachedConnection { transport: self.transport, buffered }
    }
}
