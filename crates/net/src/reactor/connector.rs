//! [`SocketConnector`]: a non-blocking connect inside a reactor.

use std::io;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use socket2::{Domain, Protocol, Socket, Type};

use super::acceptor::ServiceHandler;
use super::core::{Notification, SocketReactor};
use crate::error::{Error, Result};
use crate::socket::{SocketAddress, StreamSocket};

type Done = dyn FnMut(Result<StreamSocket>, &SocketReactor) + Send;

/// POCO `SocketConnector`: starts a non-blocking connect and, once the reactor sees it
/// finish, hands the connected socket to a new service handler (or reports the failure).
/// The connected socket is non-blocking, as the reactor left it.
///
/// ```
/// use std::sync::mpsc;
/// use rpoco_net::{ServerSocket, SocketAddress, SocketConnector, SocketReactor};
/// let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
/// let reactor = SocketReactor::new()?;
/// let (tx, rx) = mpsc::channel();
/// SocketConnector::with_callback(&server.address()?, &reactor, move |result, reactor| {
///     tx.send(result.map(|s| s.peer_address().unwrap())).unwrap();
///     reactor.stop();
/// })?;
/// reactor.run();
/// assert_eq!(rx.recv().unwrap()?, server.address()?);
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct SocketConnector;

impl SocketConnector {
    /// Connects to `address` and creates an `H` for the connection (POCO
    /// `SocketConnector<H>(address, reactor)`); a failure goes to `H::connect_failed`.
    pub fn new<H: ServiceHandler>(address: &SocketAddress, reactor: &SocketReactor) -> Result<Self> {
        Self::with_callback(address, reactor, |result, reactor| match result {
            Ok(socket) => {
                if let Err(e) = H::open(socket.clone(), reactor) {
                    log::warn!("SocketConnector: service handler failed to open: {e}");
                    reactor.remove_socket(&socket);
                }
            }
            Err(e) => H::connect_failed(e, reactor),
        })
    }

    /// Connects to `address` and calls `done` once with the connected socket or the error.
    /// Errors that happen at once (no route, a bad address) are returned here instead.
    pub fn with_callback(
        address: &SocketAddress,
        reactor: &SocketReactor,
        done: impl FnMut(Result<StreamSocket>, &SocketReactor) + Send + 'static,
    ) -> Result<Self> {
        let addr = address.as_std();
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_nonblocking(true)?;
        match socket.connect(&addr.into()) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INPROGRESS.raw_os_error()) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(Error::from_io_during(e, &format!("connect to {address}"))),
        }
        let stream = StreamSocket::from(TcpStream::from(socket));
        let done: Arc<Mutex<Option<Box<Done>>>> = Arc::new(Mutex::new(Some(Box::new(done))));
        let target = *address;
        for kind in [Notification::Writable, Notification::Error] {
            let (s, done) = (stream.clone(), done.clone());
            reactor.add_event_handler(&stream, kind, move |reactor, _| {
                reactor.remove_socket(&s);
                let result = match connect_error(&s) {
                    None => Ok(s.clone()),
                    Some(e) => Err(Error::from_io_during(e, &format!("connect to {target}"))),
                };
                let f = done.lock().unwrap_or_else(|p| p.into_inner()).take();
                if let Some(mut f) = f {
                    f(result, reactor);
                }
            })?;
        }
        Ok(SocketConnector)
    }
}

/// The connect's outcome: `SO_ERROR`, or a peer address check when that is clean.
fn connect_error(s: &StreamSocket) -> Option<io::Error> {
    match s.as_tcp_stream().take_error() {
        Ok(Some(e)) | Err(e) => Some(e),
        Ok(None) => s.as_tcp_stream().peer_addr().err(),
    }
}
