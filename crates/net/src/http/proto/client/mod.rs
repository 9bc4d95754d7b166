//! The client side of one HTTP/1.1 exchange as a sans-IO state machine (the shape of
//! ureq-proto): bytes in, bytes and events out, one state per step, each a type, so an
//! impossible step does not compile. [`HttpClientSession`](crate::HttpClientSession) is the
//! one I/O driver; these types never touch a socket.
//!
//! ```text
//!  Call::new ─► Prepare ──write_head──┬──────────────► SendBody ──finish──┐  (bodyless:
//!                                     │ Expect: 100     ▲                  ▼   finish at once)
//!                                     └─► Await100 ─100─┘            RecvResponse ◄─┐
//!                                              └─final answer─┐     │  │  1xx ───────┘
//!                                                             │     │  └─closed, nothing read,
//!                                                             ▼     ▼    reused, idempotent:
//!                                                         RecvBody ◄┘    Retry (send again once)
//!                                                             │
//!                                                             ▼
//!                                                         Cleanup: keep the connection or close
//! ```
//!
//! ```
//! use rpoco_net::{HttpRequest, HTTP_1_1};
//! use rpoco_net::proto::client::{Call, AfterHead, Fed};
//!
//! let mut out = Vec::new();
//! let call = Call::new(&HttpRequest::new("GET", "/", HTTP_1_1), false)?;
//! let AfterHead::SendBody(call) = call.write_head(&mut out) else { unreachable!() };
//! assert!(out.starts_with(b"GET / HTTP/1.1\r\n") && !call.has_body());
//! let call = call.finish(None, &mut out)?;
//! let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
//! let Fed::Response { used, response, call: mut body } = call.feed(wire)? else { unreachable!() };
//! assert_eq!(response.status().code(), 200);
//! let mut data = [0u8; 8];
//! let (n, got) = body.read(&wire[used..], &mut data)?;
//! assert_eq!((&data[..got], n), (&b"ok"[..], 2));
//! assert!(body.finish().is_ok_and(|done| done.keep_alive()));
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod await_100;
mod cleanup;
mod prepare;
mod recv_body;
mod recv_response;
mod send_body;
#[cfg(test)]
mod tests;

pub use await_100::{Await100, Await100Next};
pub use cleanup::Cleanup;
pub use prepare::{AfterHead, Prepare};
pub use recv_body::RecvBody;
pub(crate) use recv_response::silent_close;
pub use recv_response::{Fed, RecvResponse, Retry};
pub use send_body::SendBody;

use crate::http::message::HeaderLimits;
use crate::http::proto::BodyFraming;

/// One exchange in state `S`; each state has only the operations valid in it.
#[derive(Debug)]
pub struct Call<S> {
    shared: Box<Shared>,
    state: S,
}

/// What every state knows about the exchange.
#[derive(Debug, Clone)]
struct Shared {
    /// The request method (framing of the response depends on it).
    method: String,
    /// How the request body is framed.
    framing: BodyFraming,
    /// The request head, kept to send again on a new connection when the request is
    /// idempotent and has no body (the stale-connection retry).
    replay: Option<Vec<u8>>,
    /// Whether the connection carried an earlier exchange (only then is a silent close a
    /// stale connection rather than a failure).
    reused: bool,
    /// Limits for the response head and trailers.
    limits: HeaderLimits,
}

impl<S> Call<S> {
    fn with_state<T>(self, state: T) -> Call<T> {
        Call { shared: self.shared, state }
    }

    /// The request method.
    pub fn method(&self) -> &str {
        &self.shared.method
    }

    /// Whether the connection carried an earlier exchange.
    pub fn is_reused(&self) -> bool {
        self.shared.reused
    }

    /// Sets the limits the response head and trailers must keep.
    pub fn set_response_limits(&mut self, limits: HeaderLimits) {
        self.shared.limits = limits;
    }
}
