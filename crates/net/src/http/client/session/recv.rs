//! The receiving half of an exchange: the response head (interim answers skipped, the
//! stale-connection retry), the body through the sans-IO decoder, and what happens to the
//! connection after it. Decisions are the [`Call`](crate::proto::client::Call)'s.

use std::io;
use std::sync::atomic::Ordering;

use super::{Exchange, HttpClientSession, first_bytes};
use crate::error::{Error, ErrorKind, Result};
use crate::http::client::body::ResponseBody;
use crate::http::client::proxy::ProxyAuth;
use crate::http::message::{HttpDigestCredentials, HttpMessage, HttpResponse, HttpStatus, MessageHeader};
use crate::http::proto::Decoded;
use crate::http::proto::client::{Call, Fed, RecvBody, RecvResponse};

impl HttpClientSession {
    /// Reads the response head (POCO `receiveResponse`), skipping `100 Continue` and other
    /// interim responses, and returns the body reader. No body for `HEAD`, 1xx, 204 and
    /// 304. If a request sent on a reused connection gets no response at all (the server
    /// had closed it), an idempotent request without a body is sent again once on a new
    /// connection. A response without a byte → [`ErrorKind::NoMessage`](crate::ErrorKind::NoMessage).
    pub fn receive_response(&mut self, response: &mut HttpResponse) -> Result<ResponseBody<'_>> {
        self.check_abort()?;
        if matches!(self.exchange, Exchange::Sending(_) | Exchange::Awaiting100(_)) {
            self.finish_body(None)?;
        }
        let limits = response.header().limits();
        let auto = response.header().auto_decode();
        let (head, call) = match std::mem::replace(&mut self.exchange, Exchange::Idle) {
            Exchange::AwaitingResponse(mut call) => {
                call.set_response_limits(limits);
                self.read_final_head(call)?
            }
            Exchange::Answered(head, call) => (head, call),
            other @ Exchange::Receiving(_) => {
                self.exchange = other;
                return Err(Error::new(
                    ErrorKind::IllegalState,
                    "the previous response body is still being read",
                ));
            }
            other => {
                self.exchange = other;
                return Err(Error::new(ErrorKind::IllegalState, "receive_response without a request sent"));
            }
        };
        *response = head;
        response.header_mut().set_auto_decode(auto);
        self.remember_proxy_challenge(response);
        self.must_reconnect = call.must_close();
        self.switched = call.switched();
        self.trailers = MessageHeader::new();
        self.exchange = Exchange::Receiving(call);
        Ok(ResponseBody::new(self))
    }

    /// Keeps a forward proxy's Digest challenge so the next request answers it (the `407`
    /// itself goes to the caller, as POCO's credential helpers expect).
    fn remember_proxy_challenge(&mut self, response: &HttpResponse) {
        if response.status() != HttpStatus::PROXY_AUTHENTICATION_REQUIRED
            || !self.forwards_through_proxy()
            || self.proxy.auth != ProxyAuth::Digest
            || self.proxy.username.is_empty()
        {
            return;
        }
        let digest = response
            .header()
            .get_all("Proxy-Authenticate")
            .find(|v| v.trim_start().get(..7).is_some_and(|p| p.eq_ignore_ascii_case("digest ")));
        if let Some(challenge) = digest {
            let mut creds = HttpDigestCredentials::new(&self.proxy.username, &self.proxy.password);
            if creds.set_challenge(challenge).is_ok() {
                self.proxy_digest = Some(creds);
            }
        }
    }

    /// Feeds the connection's bytes to `call` until the final head, reading more as needed;
    /// a silent close of a reused connection sends an idempotent request again once.
    fn read_final_head(&mut self, mut call: Call<RecvResponse>) -> Result<(HttpResponse, Call<RecvBody>)> {
        loop {
            let conn = self.conn_mut()?;
            match call.feed(conn.buffered()) {
                Ok(Fed::Response { used, response, call }) => {
                    conn.consume(used);
                    return Ok((response, call));
                }
                Ok(Fed::Interim { used, call: next }) => {
                    conn.consume(used);
                    call = next;
                    continue;
                }
                Ok(Fed::NeedMore(next)) => call = next,
                Err(e) => return Err(self.fail_head(Some(e))),
            }
            self.apply_deadline()?;
            let filled = self.conn_mut()?.fill();
            let silent = match filled {
                Ok(0) => true,
                Ok(_) => continue,
                // A reset before any byte of the response is the same silent close.
                Err(e)
                    if e.kind() == io::ErrorKind::ConnectionReset
                        && self.conn_mut()?.buffered().is_empty() =>
                {
                    true
                }
                Err(e) => return Err(self.fail_head(Some(self.io_error(e, "receive response")))),
            };
            debug_assert!(silent);
            if self.abort.aborted.load(Ordering::SeqCst) {
                return Err(self.fail_head(None));
            }
            let received = self.conn_mut()?.buffered().to_vec();
            match call.end_of_input(&received) {
                Ok(retry) => {
                    self.close();
                    self.connect()?;
                    self.send_head_now(&retry.head)?;
                    call = retry.call;
                }
                Err(e) => return Err(self.fail_head(Some(e))),
            }
        }
    }

    /// The error for a response head that did not arrive (see `diagnose`), closing the
    /// connection.
    pub(super) fn fail_head(&mut self, cause: Option<Error>) -> Error {
        let seen = self.conn.as_ref().map(|c| first_bytes(c.buffered())).unwrap_or_default();
        let e = self.no_response(&seen, cause);
        self.close();
        e
    }

    /// Leaves the connection ready for a new request: completes what can be completed
    /// without blocking, closes it otherwise.
    pub(super) fn finish_previous_exchange(&mut self) {
        match &self.exchange {
            Exchange::Idle => {}
            Exchange::Receiving(_) => self.discard_buffered_body(),
            _ => self.close(),
        }
    }

    /// The body ended: keep the connection for the next exchange, or close it.
    fn end_of_body(&mut self, call: Call<RecvBody>) {
        match call.finish() {
            Ok(done) => {
                let (keep, switched) = (done.keep_alive(), done.switched());
                self.trailers = done.into_trailers();
                self.exchange = Exchange::Idle;
                if !keep && !switched {
                    self.close();
                }
            }
            Err(unfinished) => self.exchange = Exchange::Receiving(unfinished),
        }
    }

    /// Finishes an unread response body from buffered bytes only; closes the connection
    /// if more would have to be read. Called when a [`ResponseBody`] is dropped early.
    pub(in crate::http::client) fn discard_buffered_body(&mut self) {
        let Exchange::Receiving(mut call) = std::mem::replace(&mut self.exchange, Exchange::Idle) else {
            return;
        };
        let Some(conn) = self.conn.as_mut() else { return };
        loop {
            match call.decoder().decode(conn.buffered()) {
                Ok((used, Decoded::Data(_))) => conn.consume(used),
                Ok((used, Decoded::End)) => {
                    conn.consume(used);
                    return self.end_of_body(call);
                }
                Ok((_, Decoded::NeedMore)) | Err(_) => return self.close(),
            }
        }
    }

    /// Reads response body bytes (for [`ResponseBody`] and the stream factory).
    pub(crate) fn read_body(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let Exchange::Receiving(call) = std::mem::replace(&mut self.exchange, Exchange::Idle) else {
                return Ok(0);
            };
            if call.is_finished() {
                self.end_of_body(call);
                return Ok(0);
            }
            match self.read_body_step(call, out) {
                Ok((call, 0)) => self.exchange = Exchange::Receiving(call),
                Ok((call, n)) => {
                    self.exchange = Exchange::Receiving(call);
                    return Ok(n);
                }
                Err(e) => {
                    self.close();
                    return Err(e);
                }
            }
        }
    }

    /// One step of a body read: bytes for `out` (0: framing consumed or more was read from
    /// the connection; the caller loops). Errors leave the exchange for the caller to close.
    fn read_body_step(
        &mut self,
        mut call: Call<RecvBody>,
        out: &mut [u8],
    ) -> io::Result<(Call<RecvBody>, usize)> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(Error::new(ErrorKind::IllegalState, "connection closed").into());
        };
        let decoder = call.decoder();
        // Large reads of an unframed or fixed-length body go straight to the caller.
        let direct = match decoder.remaining() {
            _ if !conn.buffered().is_empty() || out.len() < 8192 => None,
            Some(0) => None,
            Some(n) => Some(n.min(out.len() as u64) as usize),
            None if decoder.is_close_delimited() => Some(out.len()),
            None => None,
        };
        if let Some(len) = direct {
            self.apply_deadline().map_err(io::Error::from)?;
            let conn = self.conn_mut().map_err(io::Error::from)?;
            let n = conn.read_direct(&mut out[..len]).map_err(|e| self.read_error(e))?;
            if n == 0 {
                call.end_of_input().map_err(|e| e.into_io(io::ErrorKind::UnexpectedEof))?;
                return Ok((call, 0));
            }
            call.decoder().decode(&out[..n]).map_err(io::Error::from)?;
            return Ok((call, n));
        }
        let (used, produced) = call.read(conn.buffered(), out).map_err(io::Error::from)?;
        conn.consume(used);
        if used > 0 || produced > 0 || call.is_finished() {
            return Ok((call, produced));
        }
        self.apply_deadline().map_err(io::Error::from)?;
        let conn = self.conn_mut().map_err(io::Error::from)?;
        match conn.fill() {
            Ok(0) => call.end_of_input().map_err(|e| e.into_io(io::ErrorKind::UnexpectedEof))?,
            Ok(_) => {}
            Err(e) => return Err(self.read_error(e)),
        }
        Ok((call, 0))
    }

    fn read_error(&self, e: io::Error) -> io::Error {
        self.io_error(e, "receive response body").into()
    }
}
