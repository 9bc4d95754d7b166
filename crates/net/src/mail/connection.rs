//! What the SMTP and POP3 sessions share about their connection: the chain that builds it,
//! the dialog on top with the session's timeouts, and the STARTTLS/STLS hand-over of the
//! plain socket to a TLS step.

use std::time::Duration;

use super::error::illegal_state;
use crate::connect::{Chain, ConnectOptions};
use crate::dialog::DialogSocket;
use crate::error::Result;
use crate::socket::{Connector, StreamSocket, Transport};

/// The default timeout of every step of a mail session. POCO's is the socket's (none); a
/// peer that stops answering must not hang the caller.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The plain chain behind `connect_timeout`: every address with Happy Eyeballs, the whole
/// connect bounded by `timeout`, as for HTTP.
pub(crate) fn plain_chain(timeout: Option<Duration>) -> Chain {
    Chain::plain().with_options(ConnectOptions::new().with_timeout(timeout))
}

/// A dialog on `transport` whose sends and receives are bounded by `timeout`.
pub(crate) fn open_dialog(transport: Box<dyn Transport>, timeout: Option<Duration>) -> Result<DialogSocket> {
    let mut dialog = DialogSocket::new(transport);
    dialog.set_send_timeout(timeout)?;
    dialog.set_receive_timeout(timeout);
    Ok(dialog)
}

/// Hands the dialog's plain socket to `connector.wrap` (the TLS handshake with `host`'s
/// name), after the server said yes to STARTTLS or STLS. Refused when the server sent
/// anything beyond its reply (it would be plaintext smuggled in front of the TLS session).
pub(crate) fn upgrade_to_tls(
    dialog: &mut DialogSocket,
    connector: &dyn Connector,
    host: &str,
    timeout: Option<Duration>,
) -> Result<()> {
    dialog.upgrade(|transport| {
        let tls = connector.wrap(plain_socket(transport)?, host, timeout)?;
        tls.set_send_timeout(timeout)?;
        Ok(tls)
    })
}

/// The plain TCP socket under `transport`, for a TLS handshake on it.
fn plain_socket(transport: Box<dyn Transport>) -> Result<StreamSocket> {
    let any: Box<dyn std::any::Any> = transport;
    match any.downcast::<StreamSocket>() {
        Ok(s) => Ok(*s),
        Err(_) => Err(illegal_state("the connection is not a plain TCP socket (already TLS?)")),
    }
}
