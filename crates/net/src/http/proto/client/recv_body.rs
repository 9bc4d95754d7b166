//! [`RecvBody`]: the response body, framed as its head and the request method say.

use super::{Call, Cleanup, Shared};
use crate::error::Result;
use crate::http::message::{HttpMessage, HttpResponse, HttpStatus, MessageHeader};
use crate::http::proto::{BodyDecoder, BodyFraming, Decoded, response_framing};

/// Reading the response body.
#[derive(Debug)]
pub struct RecvBody {
    decoder: BodyDecoder,
    /// The connection cannot carry another exchange after this body.
    close: bool,
    /// `101 Switching Protocols`: the connection now belongs to another protocol.
    switched: bool,
}

impl RecvBody {
    /// The body state for `response`; `rejected`: the request body was never sent.
    pub(super) fn for_response(shared: &Shared, response: &HttpResponse, rejected: bool) -> Result<Self> {
        let framing = response_framing(&shared.method, response)?;
        let switched = response.status() == HttpStatus::SWITCHING_PROTOCOLS;
        let close = rejected
            || switched
            || !response.keep_alive()
            || response.header().has_token("Connection", "close")
            || framing == BodyFraming::Close;
        Ok(RecvBody { decoder: BodyDecoder::with_limits(framing, shared.limits), close, switched })
    }
}

impl Call<RecvBody> {
    /// Decodes body bytes from `input` into `out`: `(consumed, produced)`. `(n, 0)` with
    /// `n > 0` means framing bytes only; `(0, 0)` means more input is needed (or the body is
    /// finished: see [`is_finished`](Self::is_finished)).
    pub fn read(&mut self, input: &[u8], out: &mut [u8]) -> Result<(usize, usize)> {
        match self.state.decoder.decode_max(input, out.len())? {
            (used, Decoded::Data(data)) => {
                out[..data.len()].copy_from_slice(data);
                Ok((used, data.len()))
            }
            (used, Decoded::End | Decoded::NeedMore) => Ok((used, 0)),
        }
    }

    /// The decoder itself, for a driver that decodes in place.
    pub fn decoder(&mut self) -> &mut BodyDecoder {
        &mut self.state.decoder
    }

    /// The connection closed: fine for a close-delimited body, otherwise the body was cut
    /// short (`UnexpectedEof`).
    pub fn end_of_input(&mut self) -> Result<()> {
        self.state.decoder.end_of_input()
    }

    /// Whether the whole body (and any trailers) has been read.
    pub fn is_finished(&self) -> bool {
        self.state.decoder.is_finished()
    }

    /// Whether the connection must close after this body.
    pub fn must_close(&self) -> bool {
        self.state.close
    }

    /// Whether the response switched protocols (`101`).
    pub fn switched(&self) -> bool {
        self.state.switched
    }

    /// The trailers read so far.
    pub fn trailers(&self) -> &MessageHeader {
        self.state.decoder.trailers()
    }

    /// Ends the exchange once the body is finished; gives the body back otherwise.
    // The "error" is the unfinished state itself, handed back by value for the caller to go on.
    #[allow(clippy::result_large_err)]
    pub fn finish(mut self) -> std::result::Result<Call<Cleanup>, Self> {
        if !self.state.decoder.is_finished() {
            return Err(self);
        }
        let trailers = self.state.decoder.take_trailers();
        let (close, switched) = (self.state.close, self.state.switched);
        Ok(self.with_state(Cleanup::new(close, switched, trailers)))
    }
}
