//! The sending half of an exchange: the request head, its body, `Expect: 100-continue`.
//! Decisions are the sans-IO [`Call`](crate::proto::client::Call)'s; this moves the bytes.

use std::io;
use std::time::Instant;

use super::{Exchange, HttpClientSession};
use crate::error::{Error, ErrorKind, Result};
use crate::http::client::body::RequestBody;
use crate::http::conn::Conn;
use crate::http::message::{HttpMessage, HttpRequest, HttpResponse, MessageHeader};
use crate::http::proto::client::{AfterHead, Await100Next, Call};

impl HttpClientSession {
    /// Sends the request head (POCO `sendRequest`) and returns the body writer.
    ///
    /// Reconnects first if needed (keep-alive off, the server asked to close, the keep-alive
    /// timeout passed since the last request was sent, or the idle connection was closed by
    /// the server meanwhile). Sends `Host` first (adding it if absent) and `Connection:
    /// Close` when keep-alive is off; through an HTTP proxy, prefixes the URI and adds proxy
    /// credentials (only if configured). A request without a body is sent at once;
    /// otherwise the head goes out with the first body bytes or at [`RequestBody::finish`].
    /// If the first write on a reused connection fails, the session reconnects and sends
    /// again once.
    pub fn send_request(&mut self, request: &mut HttpRequest) -> Result<RequestBody<'_>> {
        self.check_abort()?;
        self.deadline = self.request_timeout.map(|t| Instant::now() + t);
        self.finish_previous_exchange();
        self.drop_unusable_connection();
        self.must_reconnect = false;
        self.switched = false;
        self.prepare_request(request)?;
        let call = Call::new(request, self.conn.is_some())?;
        let head = call.head().to_vec();
        if self.conn.is_none() {
            self.connect()?;
        } else {
            self.reused = true;
        }
        self.last_request = Some(Instant::now());
        let mut staged = Vec::new();
        match call.write_head(&mut staged) {
            AfterHead::SendBody(call) if !call.has_body() => {
                self.send_head_now(&head)?;
                // Still "sending": a write of body bytes gets the encoder's clear error.
                self.exchange = Exchange::Sending(call);
            }
            AfterHead::SendBody(call) => {
                self.conn_mut()?.wbuf.extend_from_slice(&staged);
                self.exchange = Exchange::Sending(call);
            }
            AfterHead::Await100(call) => {
                self.conn_mut()?.wbuf.extend_from_slice(&staged);
                self.exchange = Exchange::Awaiting100(call);
                self.flush_head()?;
            }
        }
        Ok(RequestBody::new(self))
    }

    /// Closes a kept connection that cannot carry the next request.
    fn drop_unusable_connection(&mut self) {
        let Some(conn) = &self.conn else { return };
        // A connection that has served no request yet (given to `from_transport` or
        // `attach_socket`) serves this one, whatever keep-alive says.
        let served = self.last_request.is_some();
        let stale = self.last_request.is_some_and(|t| t.elapsed() >= self.keep_alive_timeout);
        // The server closed the idle connection (or sent something unasked): nothing may be
        // written on it.
        let closed = served && !conn.idle_and_open();
        if (served && !self.keep_alive) || self.must_reconnect || stale || closed {
            self.close();
        }
    }

    /// What the session adds to a request: keep-alive, `Host` (first), proxy forwarding.
    fn prepare_request(&mut self, request: &mut HttpRequest) -> Result<()> {
        if !self.keep_alive {
            request.set_keep_alive(false);
        }
        if !request.has("Host") && !self.host.is_empty() {
            request.set_host(&self.host, self.port);
        }
        // RFC 9110 §7.2: Host is the first field line (POCO appends it last).
        request.header_mut().move_to_front("Host");
        if self.forwards_through_proxy() {
            let uri = request.uri().to_owned();
            if !(uri.starts_with("http://") || uri.starts_with("https://")) {
                request.set_uri(&format!("{}{}", self.proxy_request_prefix(), uri));
            }
            if self.keep_alive {
                request.set("Proxy-Connection", "Keep-Alive");
            }
            let proxy = self.proxy.clone();
            proxy.authorize(request, &mut self.proxy_digest)?;
        }
        Ok(())
    }

    pub(in crate::http::client) fn conn_mut(&mut self) -> Result<&mut Conn> {
        self.conn.as_mut().ok_or_else(|| Error::new(ErrorKind::IllegalState, "not connected"))
    }

    /// Sends `head` now; on a reused connection a failed write reconnects and retries once
    /// (POCO does the same).
    pub(super) fn send_head_now(&mut self, head: &[u8]) -> Result<()> {
        self.apply_deadline()?;
        match self.conn_mut()?.write_through(head) {
            Ok(()) => Ok(()),
            Err(_) if self.reused => {
                self.close();
                self.connect()?;
                self.apply_deadline()?;
                let written = self.conn_mut()?.write_through(head);
                written.map_err(|e| self.io_error(e, "send request"))
            }
            Err(e) => {
                let err = self.io_error(e, "send request");
                self.close();
                Err(err)
            }
        }
    }

    pub(in crate::http::client) fn flush_head(&mut self) -> Result<()> {
        self.apply_deadline()?;
        if let Err(e) = self.conn_mut()?.flush() {
            let err = self.io_error(e, "send request");
            self.close();
            return Err(err);
        }
        Ok(())
    }

    fn proxy_request_prefix(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let scheme = self.chain.tls().scheme();
        if self.port == self.chain.tls().default_port() {
            format!("{scheme}://{host}")
        } else {
            format!("{scheme}://{host}:{}", self.port)
        }
    }

    /// Ends the request body (for [`RequestBody::finish`] and `receive_response`).
    pub(in crate::http::client) fn finish_body(&mut self, trailers: Option<&MessageHeader>) -> Result<()> {
        let call = match std::mem::replace(&mut self.exchange, Exchange::Idle) {
            Exchange::Sending(call) => call,
            Exchange::Awaiting100(call) => call.proceed(),
            other => {
                self.exchange = other;
                return Ok(());
            }
        };
        let finished = call.finish(trailers, &mut self.conn_mut()?.wbuf);
        match finished {
            Ok(next) => {
                self.flush_head()?;
                self.exchange = Exchange::AwaitingResponse(next);
                Ok(())
            }
            Err(e) => {
                self.close();
                Err(e)
            }
        }
    }

    /// Flushes the head and reads one response (POCO `peekResponse`, for
    /// `Expect: 100-continue`): `true` if it was `100 Continue` (send the body now); `false`
    /// if it was a final response (kept for `receive_response`; do not send the body — the
    /// connection will be closed after that response). Without `Expect: 100-continue`
    /// there is nothing to peek: [`ErrorKind::IllegalState`].
    pub(in crate::http::client) fn peek_response(&mut self, response: &mut HttpResponse) -> Result<bool> {
        self.flush_head()?;
        let mut call = match std::mem::replace(&mut self.exchange, Exchange::Idle) {
            Exchange::Awaiting100(call) => call,
            other => {
                self.exchange = other;
                return Err(Error::new(
                    ErrorKind::IllegalState,
                    "peek_response: the request has no Expect: 100-continue",
                ));
            }
        };
        call.set_response_limits(response.header().limits());
        loop {
            let conn = self.conn_mut()?;
            let fed = call.feed(conn.buffered());
            match fed {
                Ok(Await100Next::NeedMore(waiting)) => {
                    call = waiting;
                    self.apply_deadline()?;
                    let filled = self.conn_mut()?.fill();
                    match filled {
                        Ok(0) => return Err(self.fail_head(None)),
                        Ok(_) => {}
                        Err(e) => return Err(self.fail_head(Some(self.io_error(e, "receive response")))),
                    }
                }
                Ok(Await100Next::Continue { used, response: head, call }) => {
                    self.conn_mut()?.consume(used);
                    *response = head;
                    self.exchange = Exchange::Sending(call);
                    return Ok(true);
                }
                Ok(Await100Next::Rejected { used, response: head, call }) => {
                    self.conn_mut()?.consume(used);
                    *response = head.clone();
                    self.exchange = Exchange::Answered(head, call);
                    return Ok(false);
                }
                Err(e) => return Err(self.fail_head(Some(e))),
            }
        }
    }

    /// Writes request body bytes (for [`RequestBody`]).
    pub(in crate::http::client) fn write_body(&mut self, data: &[u8]) -> io::Result<usize> {
        self.check_abort().map_err(io::Error::from)?;
        if let Exchange::Awaiting100(_) = &self.exchange
            && let Exchange::Awaiting100(call) = std::mem::replace(&mut self.exchange, Exchange::Idle)
        {
            self.exchange = Exchange::Sending(call.proceed());
        }
        let Exchange::Sending(call) = &mut self.exchange else {
            return Err(Error::new(ErrorKind::IllegalState, "no request body is being sent").into());
        };
        let Some(conn) = self.conn.as_mut() else {
            return Err(Error::new(ErrorKind::IllegalState, "not connected").into());
        };
        call.begin(data.len(), &mut conn.wbuf).map_err(io::Error::from)?;
        let suffix = call.chunk_suffix(data.len());
        if conn.wbuf.len() + data.len() < 16 * 1024 {
            conn.wbuf.extend_from_slice(data);
            conn.wbuf.extend_from_slice(suffix);
            return Ok(data.len());
        }
        self.apply_deadline().map_err(io::Error::from)?;
        let conn = self.conn_mut().map_err(io::Error::from)?;
        let r = conn.write_through(data).map(|()| conn.wbuf.extend_from_slice(suffix));
        if let Err(e) = r {
            let err = self.io_error(e, "send request body");
            self.close();
            return Err(err.into());
        }
        Ok(data.len())
    }
}
