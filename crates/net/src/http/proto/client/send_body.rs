//! [`SendBody`]: the request body, framed as its head said.

use super::{Call, RecvResponse};
use crate::error::Result;
use crate::http::message::MessageHeader;
use crate::http::proto::{BodyEncoder, BodyFraming};

/// Writing the request body.
#[derive(Debug)]
pub struct SendBody {
    encoder: BodyEncoder,
}

impl SendBody {
    pub(super) fn new(encoder: BodyEncoder) -> Self {
        SendBody { encoder }
    }
}

impl Call<SendBody> {
    /// Appends `data`, framed, to `out`. More than a `Content-Length` allows is an error.
    pub fn write(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.state.encoder.encode(data, out)
    }

    /// For a caller that sends `len` bytes itself without copying them: appends what goes
    /// before them (a chunk-size line) to `out`; after them goes [`chunk_suffix`](Self::chunk_suffix).
    pub fn begin(&mut self, len: usize, out: &mut Vec<u8>) -> Result<()> {
        self.state.encoder.prepare(len, out)
    }

    /// What follows `len` bytes sent after [`begin`](Self::begin) (`\r\n` when chunked).
    pub fn chunk_suffix(&self, len: usize) -> &'static [u8] {
        self.state.encoder.chunk_suffix(len)
    }

    /// Whether the request has a body to write (a bodyless one only needs
    /// [`finish`](Self::finish); writing to it is an error naming the missing framing).
    pub fn has_body(&self) -> bool {
        !matches!(self.state.encoder.framing(), BodyFraming::None | BodyFraming::Length(0))
    }

    /// Body bytes written so far.
    pub fn written(&self) -> u64 {
        self.state.encoder.written()
    }

    /// Ends the body (the last chunk and `trailers` when chunked; a `Content-Length` body
    /// short of its length is an error) and moves on to the response.
    pub fn finish(
        mut self,
        trailers: Option<&MessageHeader>,
        out: &mut Vec<u8>,
    ) -> Result<Call<RecvResponse>> {
        self.state.encoder.finish(trailers, out)?;
        Ok(self.with_state(RecvResponse::new()))
    }
}
