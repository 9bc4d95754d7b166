//! The server side of an HTTP/1.1 exchange, sans-IO: checks of a received request head
//! beyond its syntax (target form and `Host`), and the budgets of whole transfers.

mod budget;
mod target;

pub use budget::TransferBudget;
pub use target::{TargetForm, check_request_target};
