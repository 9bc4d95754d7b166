//! [`Await100`]: `Expect: 100-continue` sent; the server says go on, or answers at once.

use super::{Call, RecvBody, SendBody};
use crate::error::Result;
use crate::http::message::{HttpResponse, HttpStatus};
use crate::http::proto::BodyEncoder;
use crate::http::proto::head::ResponseHeadScan;

/// Waiting for `100 Continue` before sending the body.
#[derive(Debug)]
pub struct Await100 {
    scan: ResponseHeadScan,
}

impl Await100 {
    pub(super) fn new() -> Self {
        Await100 { scan: ResponseHeadScan::default() }
    }
}

/// What the server's first bytes decided.
/// (The head is moved out at once; boxing it would only add an allocation.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Await100Next {
    /// No whole head yet: feed more bytes.
    NeedMore(Call<Await100>),
    /// `100 Continue` (`used` bytes): send the body.
    Continue {
        /// Bytes of input consumed.
        used: usize,
        /// The `100 Continue` head.
        response: HttpResponse,
        /// The body state.
        call: Call<SendBody>,
    },
    /// A final answer before the body: it is never sent, and the connection closes after
    /// this response.
    Rejected {
        /// Bytes of input consumed.
        used: usize,
        /// The response.
        response: HttpResponse,
        /// Its body.
        call: Call<RecvBody>,
    },
}

impl Call<Await100> {
    /// Sends the body without waiting any longer (RFC 9110 §10.1.1 allows it).
    pub fn proceed(self) -> Call<SendBody> {
        let encoder = BodyEncoder::new(self.shared.framing);
        self.with_state(SendBody::new(encoder))
    }

    /// Feeds the bytes received so far (unconsumed ones again on the next call).
    pub fn feed(mut self, input: &[u8]) -> Result<Await100Next> {
        let Some((response, used)) = self.state.scan.parse(input, &self.shared.limits)? else {
            return Ok(Await100Next::NeedMore(self));
        };
        if response.status() == HttpStatus::CONTINUE {
            let encoder = BodyEncoder::new(self.shared.framing);
            return Ok(Await100Next::Continue {
                used,
                response,
                call: self.with_state(SendBody::new(encoder)),
            });
        }
        let body = RecvBody::for_response(&self.shared, &response, true)?;
        Ok(Await100Next::Rejected { used, response, call: self.with_state(body) })
    }
}
