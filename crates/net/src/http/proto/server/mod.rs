//! The server side of an HTTP/1.1 exchange, sans-IO: checks of a received request head
//! (a [`RequestHeadReader`]: syntax, limits, target form, `Host`, framing, and the status
//! to refuse with), the keep-alive decision, and the budgets of whole transfers.

mod budget;
mod request;
mod target;

pub use budget::TransferBudget;
pub use request::{KeepAlivePolicy, ReceivedRequest, Rejection, RequestHeadReader, rejection_status};
pub use target::{TargetForm, check_request_target};
