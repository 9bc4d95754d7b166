//! [`Cleanup`]: the exchange is over; keep the connection for the next one or close it.

use super::Call;
use crate::http::message::MessageHeader;

/// The end of an exchange.
#[derive(Debug)]
pub struct Cleanup {
    close: bool,
    switched: bool,
    trailers: MessageHeader,
}

impl Cleanup {
    pub(super) fn new(close: bool, switched: bool, trailers: MessageHeader) -> Self {
        Cleanup { close, switched, trailers }
    }
}

impl Call<Cleanup> {
    /// Whether the connection can carry the next exchange.
    pub fn keep_alive(&self) -> bool {
        !self.state.close
    }

    /// Whether the connection switched protocols: hand it over, do not close it.
    pub fn switched(&self) -> bool {
        self.state.switched
    }

    /// The response's trailer fields.
    pub fn into_trailers(self) -> MessageHeader {
        self.state.trailers
    }
}
