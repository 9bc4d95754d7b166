//! The server side of an HTTP/1.1 exchange, sans-IO: checks of a received request head
//! beyond its syntax (target form and `Host`).

mod target;

pub use target::{TargetForm, check_request_target};
