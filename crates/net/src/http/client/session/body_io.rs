//! The body half of an exchange: writing request bodies, peeking for `100 Continue`,
//! reading response bodies through the sans-IO decoder.

use std::io;

use super::{Exchange, HttpClientSession};
use crate::error::{Error, ErrorKind, Result};
use crate::http::message::{HttpMessage, HttpResponse, HttpStatus, MessageHeader};
use crate::http::proto::{Decoded, parse_response_head};

impl HttpClientSession {
    /// Ends the request body (for [`RequestBody::finish`] and `receive_response`).
    pub(in crate::http::client) fn finish_body(&mut self, trailers: Option<&MessageHeader>) -> Result<()> {
        let Exchange::Sending(encoder) = &mut self.exchange else {
            return Ok(());
        };
        let conn = self.conn.as_mut().ok_or_else(|| Error::new(ErrorKind::IllegalState, "not connected"))?;
        if let Err(e) = encoder.finish(trailers, &mut conn.wbuf) {
            self.close();
            return Err(e);
        }
        self.flush_head()?;
        self.exchange = Exchange::AwaitingResponse;
        Ok(())
    }

    /// Flushes the head and reads one response (POCO `peekResponse`, for
    /// `Expect: 100-continue`): `true` if it was `100 Continue` (send the body now); `false`
    /// if it was a final response (stored for `receive_response`; do not send the body — the
    /// connection will be closed after that response).
    pub(in crate::http::client) fn peek_response(&mut self, response: &mut HttpResponse) -> Result<bool> {
        self.flush_head()?;
        let limits = response.header().limits();
        let conn = self.conn.as_mut().ok_or_else(|| Error::new(ErrorKind::IllegalState, "not connected"))?;
        let head = match conn.read_head(|b| parse_response_head(b, &limits)) {
            Ok(Some(h)) => h,
            Ok(None) => {
                self.close();
                return Err(Error::new(
                    ErrorKind::NoMessage,
                    "connection closed before a response was received",
                ));
            }
            Err(e) => {
                self.close();
                return Err(e);
            }
        };
        *response = head.clone();
        if head.status() == HttpStatus::CONTINUE {
            return Ok(true);
        }
        // A final answer before the body: the request body is never sent, so the connection
        // cannot be reused.
        self.peeked = Some(head);
        self.exchange = Exchange::Idle;
        self.must_reconnect = true;
        Ok(false)
    }

    /// Writes request body bytes (for [`RequestBody`]).
    pub(in crate::http::client) fn write_body(&mut self, data: &[u8]) -> io::Result<usize> {
        self.check_abort().map_err(io::Error::from)?;
        let Exchange::Sending(encoder) = &mut self.exchange else {
            return Err(Error::new(ErrorKind::IllegalState, "no request body is being sent").into());
        };
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| io::Error::from(Error::new(ErrorKind::IllegalState, "not connected")))?;
        encoder.prepare(data.len(), &mut conn.wbuf).map_err(io::Error::from)?;
        let suffix = encoder.chunk_suffix(data.len());
        if conn.wbuf.len() + data.len() < 16 * 1024 {
            conn.wbuf.extend_from_slice(data);
            conn.wbuf.extend_from_slice(suffix);
            return Ok(data.len());
        }
        self.apply_deadline().map_err(io::Error::from)?;
        let conn = self.conn.as_mut().expect("checked");
        let r = conn.write_through(data).map(|()| conn.wbuf.extend_from_slice(suffix));
        if let Err(e) = r {
            let err = self.io_error(e, "send request body");
            self.close();
            return Err(err.into());
        }
        Ok(data.len())
    }

    /// Reads response body bytes (for [`ResponseBody`] and the stream factory).
    pub(crate) fn read_body(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let Exchange::Receiving(decoder) = &mut self.exchange else {
                return Ok(0);
            };
            if decoder.is_finished() {
                self.trailers = decoder.take_trailers();
                self.exchange = Exchange::Idle;
                if self.must_reconnect && !self.switched {
                    self.close();
                }
                return Ok(0);
            }
            let Some(conn) = self.conn.as_mut() else {
                return Err(Error::new(ErrorKind::IllegalState, "connection closed").into());
            };
            // Large reads of an unframed or fixed-length body go straight to the caller.
            if conn.buffered().is_empty() && out.len() >= 8192 && decoder.remaining() != Some(0) {
                let direct = match decoder.remaining() {
                    Some(n) => Some(n.min(out.len() as u64) as usize),
                    None if decoder.is_close_delimited() => Some(out.len()),
                    None => None,
                };
                if let Some(len) = direct {
                    self.apply_deadline().map_err(io::Error::from)?;
                    let Exchange::Receiving(decoder) = &mut self.exchange else { unreachable!() };
                    let conn = self.conn.as_mut().expect("checked");
                    let n = match conn.read_direct(&mut out[..len]) {
                        Ok(n) => n,
                        Err(e) => return Err(self.fail_read(e)),
                    };
                    if n == 0 {
                        if let Err(e) = decoder.end_of_input() {
                            self.close();
                            return Err(e.into_io(io::ErrorKind::UnexpectedEof));
                        }
                        continue;
                    }
                    decoder.decode(&out[..n]).map_err(io::Error::from)?;
                    return Ok(n);
                }
            }
            let Exchange::Receiving(decoder) = &mut self.exchange else { unreachable!() };
            let conn = self.conn.as_mut().expect("checked");
            let (used, event) = match decoder.decode_max(conn.buffered(), out.len()) {
                Ok(r) => r,
                Err(e) => {
                    self.close();
                    return Err(e.into());
                }
            };
            match event {
                Decoded::Data(d) => {
                    let n = d.len();
                    out[..n].copy_from_slice(d);
                    conn.consume(used);
                    return Ok(n);
                }
                Decoded::End => {
                    conn.consume(used);
                }
                Decoded::NeedMore => {
                    conn.consume(used);
                    self.apply_deadline().map_err(io::Error::from)?;
                    let conn = self.conn.as_mut().expect("checked");
                    match conn.fill() {
                        Ok(0) => {
                            let Exchange::Receiving(decoder) = &mut self.exchange else { unreachable!() };
                            if let Err(e) = decoder.end_of_input() {
                                self.close();
                                return Err(e.into_io(io::ErrorKind::UnexpectedEof));
                            }
                        }
                        Ok(_) => {}
                        Err(e) => return Err(self.fail_read(e)),
                    }
                }
            }
        }
    }

    fn fail_read(&mut self, e: io::Error) -> io::Error {
        let err = self.io_error(e, "receive response body");
        self.close();
        err.into()
    }
}
