//! The sans-IO HTTP/1.1 core: bytes in, messages and body events out; messages and body
//! data in, bytes out. No sockets here: the client session (and the server) drive it over
//! any [`Transport`](crate::Transport).
//!
//! - Heads: [`parse_response_head`] / [`parse_request_head`] (httparse plus POCO's limits),
//!   [`encode_request_head`] / [`encode_response_head`], and [`validate_request_head`] /
//!   [`validate_response_head`] before sending.
//! - Framing: [`response_framing`] (client), [`request_framing`] (server, strict),
//!   [`outgoing_framing`] (either side, sending).
//! - Bodies: [`BodyDecoder`] (fixed length, chunked with trailers, close-delimited, none)
//!   and [`BodyEncoder`] (fixed length, chunked with trailers).
//!
//! Both roles use the same decoders and encoders; only the framing rules differ.
//!
//! ```
//! use rpoco_net::{HeaderLimits, HttpMessage};
//! use rpoco_net::proto::{parse_response_head, response_framing, BodyDecoder, Decoded};
//! let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
//! let (res, n) = parse_response_head(wire, &HeaderLimits::default())?.unwrap();
//! let mut body = BodyDecoder::new(response_framing("GET", &res)?);
//! let (used, ev) = body.decode(&wire[n..])?;
//! assert_eq!(ev, Decoded::Data(b"abc"));
//! assert_eq!(body.decode(&wire[n + used..])?.1, Decoded::End);
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod body;
pub mod client;
mod head;
pub mod server;
#[cfg(test)]
mod tests;

pub use body::{
    BodyDecoder, BodyEncoder, BodyFraming, Decoded, outgoing_framing, request_framing, response_framing,
    write_chunk_header,
};
pub(crate) use head::bare_lf;
pub use head::{
    RequestLimits, encode_request_head, encode_response_head, parse_fields, parse_request_head,
    parse_response_head, validate_request_head, validate_response_head,
};
