//! The body types of a client exchange: [`RequestBody`] (write) and [`ResponseBody`] (read).

use std::io::{self, Read, Write};

use super::session::{Exchange, HttpClientSession};
use crate::error::Result;
use crate::http::message::{HttpResponse, MessageHeader};

/// The request body writer returned by [`HttpClientSession::send_request`] (POCO's request
/// `std::ostream`).
///
/// Bytes are framed as the request's header says: a fixed `Content-Length` (writing more or
/// finishing with fewer is an error) or chunked. Small writes are buffered; call
/// [`finish`](Self::finish) (POCO does this when the stream is destroyed) — or just call
/// `receive_response`, which finishes the body first. Dropping it without either leaves the
/// body unfinished, and the next `send_request` opens a new connection.
#[derive(Debug)]
pub struct RequestBody<'a> {
    session: &'a mut HttpClientSession,
}

impl<'a> RequestBody<'a> {
    pub(super) fn new(session: &'a mut HttpClientSession) -> Self {
        RequestBody { session }
    }

    /// Ends the body (chunked: the last chunk) and sends everything buffered.
    pub fn finish(self) -> Result<()> {
        self.session.finish_body(None)
    }

    /// Ends a chunked body with trailer fields.
    pub fn finish_with_trailers(self, trailers: &MessageHeader) -> Result<()> {
        self.session.finish_body(Some(trailers))
    }

    /// POCO `peekResponse` for `Expect: 100-continue`: sends the head, reads one response.
    /// `true`: it was `100 Continue`, write the body. `false`: the server answered finally
    /// (in `response`); do not write the body, call `receive_response` for the body of that
    /// answer.
    pub fn peek_response(&mut self, response: &mut HttpResponse) -> Result<bool> {
        self.session.peek_response(response)
    }
}

impl Write for RequestBody<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.session.write_body(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.session.flush_head().map_err(io::Error::from)
    }
}

/// The response body reader returned by [`HttpClientSession::receive_response`] (POCO's
/// response `std::istream`).
///
/// Reads end (`Ok(0)`) exactly at the end of the body; a connection that closes before then
/// is an `UnexpectedEof` error, a malformed chunked body `InvalidData` (both carry an
/// [`Error`](crate::Error) that `From<io::Error>` recovers). Dropping the reader before the
/// end keeps the connection only if the rest was already received; otherwise it is closed
/// and the next request reconnects.
#[derive(Debug)]
pub struct ResponseBody<'a> {
    session: &'a mut HttpClientSession,
}

impl<'a> ResponseBody<'a> {
    pub(super) fn new(session: &'a mut HttpClientSession) -> Self {
        ResponseBody { session }
    }

    /// The trailers of a chunked body (complete once the body was read to its end).
    pub fn trailers(&self) -> &MessageHeader {
        self.session.response_trailers()
    }
}

impl Read for ResponseBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.session.read_body(buf)
    }
}

impl Drop for ResponseBody<'_> {
    fn drop(&mut self) {
        if matches!(self.session.exchange, Exchange::Receiving(_)) {
            self.session.discard_buffered_body();
        }
    }
}
