//! [`Prepare`]: the request head is checked, framed and encoded.

use super::{Await100, Call, SendBody, Shared};
use crate::error::Result;
use crate::http::message::{HeaderLimits, HttpRequest};
use crate::http::proto::{
    BodyEncoder, BodyFraming, encode_request_head, outgoing_framing, validate_request_head,
};

/// The first state: a request head ready to be written.
#[derive(Debug)]
pub struct Prepare {
    head: Vec<u8>,
    expect_continue: bool,
}

/// Where an exchange goes once its head is written.
#[derive(Debug)]
pub enum AfterHead {
    /// Write the body, if the request has one ([`Call::has_body`]), then finish it.
    SendBody(Call<SendBody>),
    /// `Expect: 100-continue`: flush the head and wait for the server's word first.
    Await100(Call<Await100>),
}

impl Call<Prepare> {
    /// Checks `request` (method, URI, fields safe on the wire; a body framed by
    /// `Content-Length` or chunked), encodes its head. `reused`: the connection it will go on
    /// carried an earlier exchange.
    pub fn new(request: &HttpRequest, reused: bool) -> Result<Self> {
        Self::with_limits(request, reused, HeaderLimits::default())
    }

    /// [`new`](Self::new) with the limits the response head must keep.
    pub fn with_limits(request: &HttpRequest, reused: bool, limits: HeaderLimits) -> Result<Self> {
        validate_request_head(request)?;
        let framing = outgoing_framing(request)?;
        let mut head = Vec::with_capacity(256);
        encode_request_head(request, &mut head);
        let bodyless = matches!(framing, BodyFraming::None | BodyFraming::Length(0));
        let replay = (request.is_idempotent() && bodyless).then(|| head.clone());
        let shared =
            Box::new(Shared { method: request.method().to_owned(), framing, replay, reused, limits });
        let expect_continue = !bodyless && request.expect_continue();
        Ok(Call { shared, state: Prepare { head, expect_continue } })
    }

    /// The encoded head.
    pub fn head(&self) -> &[u8] {
        &self.state.head
    }

    /// Appends the head to `out` and moves on.
    pub fn write_head(self, out: &mut Vec<u8>) -> AfterHead {
        out.extend_from_slice(&self.state.head);
        let framing = self.shared.framing;
        if self.state.expect_continue {
            return AfterHead::Await100(self.with_state(Await100::new()));
        }
        AfterHead::SendBody(self.with_state(SendBody::new(BodyEncoder::new(framing))))
    }
}
