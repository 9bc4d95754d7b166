//! [`RecvResponse`]: reading the response head, skipping interim (1xx) answers.

use super::{Call, RecvBody};
use crate::error::{Error, ErrorKind, Result};
use crate::http::message::{HttpResponse, HttpStatus};
use crate::http::proto::head::ResponseHeadScan;
use crate::http::proto::parse_response_head;

/// Waiting for the response head.
#[derive(Debug)]
pub struct RecvResponse {
    scan: ResponseHeadScan,
}

impl RecvResponse {
    pub(super) fn new() -> Self {
        RecvResponse { scan: ResponseHeadScan::default() }
    }
}

/// What feeding bytes produced.
/// (The head is moved out at once; boxing it would only add an allocation.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Fed {
    /// No whole head yet: feed more bytes.
    NeedMore(Call<RecvResponse>),
    /// An interim response (`100 Continue`, `103 Early Hints`, ...) of `used` bytes was
    /// skipped; feed the rest.
    Interim {
        /// Bytes of input consumed.
        used: usize,
        /// The exchange, still waiting for the final head.
        call: Call<RecvResponse>,
    },
    /// The final head (or `101 Switching Protocols`).
    Response {
        /// Bytes of input consumed.
        used: usize,
        /// The response head.
        response: HttpResponse,
        /// Its body.
        call: Call<RecvBody>,
    },
}

/// A request to send again, once, on a new connection: the reused connection was closed
/// before any byte of a response, and the request is idempotent without a body.
#[derive(Debug)]
pub struct Retry {
    /// The request head, as first sent.
    pub head: Vec<u8>,
    /// The exchange on the new connection, waiting for its response.
    pub call: Call<RecvResponse>,
}

impl Call<RecvResponse> {
    /// Feeds the bytes received so far (unconsumed ones again on the next call).
    pub fn feed(mut self, input: &[u8]) -> Result<Fed> {
        let Some((response, used)) = self.state.scan.parse(input, &self.shared.limits)? else {
            return Ok(Fed::NeedMore(self));
        };
        if response.status().is_informational() && response.status() != HttpStatus::SWITCHING_PROTOCOLS {
            return Ok(Fed::Interim { used, call: self });
        }
        let body = RecvBody::for_response(&self.shared, &response, false)?;
        Ok(Fed::Response { used, response, call: self.with_state(body) })
    }

    /// The connection ended with `received` bytes unparsed. On a reused connection with
    /// nothing received, an idempotent request without a body is sent again once
    /// (`Ok(Retry)`, on a new connection); otherwise the error says what happened.
    pub fn end_of_input(self, received: &[u8]) -> std::result::Result<Retry, Error> {
        if received.is_empty()
            && self.shared.reused
            && let Some(head) = self.shared.replay.clone()
        {
            let mut shared = self.shared;
            shared.reused = false;
            shared.replay = None;
            return Ok(Retry { head, call: Call { shared, state: RecvResponse::new() } });
        }
        if received.is_empty() {
            return Err(silent_close(self.shared.reused));
        }
        // A malformed line not yet parsed (see `ResponseHeadScan`) is the better verdict.
        parse_response_head(received, &self.shared.limits)?;
        Err(Error::at_offset(
            received.len(),
            format!("connection closed inside the message head after {} bytes", received.len()),
        ))
    }

    /// Whether this exchange may be sent again after a silent close (see
    /// [`end_of_input`](Self::end_of_input)).
    pub fn can_retry(&self) -> bool {
        self.shared.reused && self.shared.replay.is_some()
    }
}

/// The error for a connection closed before any byte of a response: on a reused connection
/// it was stale, on a new one the server closed it unanswered.
pub(crate) fn silent_close(reused: bool) -> Error {
    let message = if reused {
        "the server closed the kept-alive connection before answering (it was stale)"
    } else {
        "the server closed a new connection before sending a response"
    };
    Error::new(ErrorKind::NoMessage, message).with_detail(crate::error::Detail::Closed { reused })
}
