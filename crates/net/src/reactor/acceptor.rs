//! [`SocketAcceptor`] and the [`ServiceHandler`] it creates per connection.

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use super::core::{HandlerId, Notification, SocketReactor};
use crate::error::{Error, Result};
use crate::socket::{ServerSocket, SocketId, StreamSocket};

/// How many connections one readable event accepts at most, so one busy listener does not
/// starve the reactor's other sockets (the rest are taken next round: level-triggered).
const ACCEPT_BATCH: usize = 64;

/// A connection's handler, created by a [`SocketAcceptor`] or [`SocketConnector`]
/// (POCO's `ServiceHandler` template argument, whose constructor takes the socket and the
/// reactor). `open` registers the handler's callbacks with the reactor.
///
/// [`SocketConnector`]: super::SocketConnector
pub trait ServiceHandler: Send + 'static {
    /// Sets up the handler for a new connection (POCO: `new ServiceHandler(socket, reactor)`).
    /// An error closes the connection.
    fn open(socket: StreamSocket, reactor: &SocketReactor) -> Result<()>;

    /// A [`SocketConnector`](super::SocketConnector)'s connection attempt failed (POCO
    /// `onError`); the default logs it.
    fn connect_failed(error: Error, reactor: &SocketReactor) {
        let _ = reactor;
        log::warn!("SocketConnector: connect failed: {error}");
    }
}

pub(crate) type Factory = dyn FnMut(StreamSocket, &SocketReactor) -> Result<()> + Send;

/// POCO `SocketAcceptor`: accepts connections on a [`ServerSocket`] inside a reactor and
/// hands each to a new service handler. Dropping it (or [`unregister`](Self::unregister))
/// stops accepting. A handler that fails or panics in `open` costs only its connection.
#[derive(Debug)]
pub struct SocketAcceptor {
    socket: ServerSocket,
    reactor: SocketReactor,
    id: HandlerId,
}

impl SocketAcceptor {
    /// Accepts on `socket` in `reactor`, creating an `H` per connection (POCO
    /// `SocketAcceptor<H>(socket, reactor)`).
    pub fn new<H: ServiceHandler>(socket: ServerSocket, reactor: &SocketReactor) -> Result<Self> {
        Self::with_factory(socket, reactor, |s, r| H::open(s, r))
    }

    /// Accepts on `socket` in `reactor`, calling `factory` with each connection.
    pub fn with_factory(
        socket: ServerSocket,
        reactor: &SocketReactor,
        factory: impl FnMut(StreamSocket, &SocketReactor) -> Result<()> + Send + 'static,
    ) -> Result<Self> {
        Self::with_boxed(socket, reactor, Arc::new(Mutex::new(Box::new(factory))))
    }

    pub(crate) fn with_boxed(
        socket: ServerSocket,
        reactor: &SocketReactor,
        factory: Arc<Mutex<Box<Factory>>>,
    ) -> Result<Self> {
        socket.set_blocking(false)?;
        let listener = socket.clone();
        let id = reactor.add_event_handler(&socket, Notification::Readable, move |reactor, _| {
            accept_batch(&listener, reactor, &factory);
        })?;
        Ok(SocketAcceptor { socket, reactor: reactor.clone(), id })
    }

    /// Stops accepting (POCO `unregisterAcceptor`).
    pub fn unregister(&self) {
        self.reactor.remove_handler(self.id);
    }

    /// The listening socket.
    pub fn socket(&self) -> &ServerSocket {
        &self.socket
    }
}

impl Drop for SocketAcceptor {
    fn drop(&mut self) {
        self.unregister();
    }
}

fn accept_batch(listener: &ServerSocket, reactor: &SocketReactor, factory: &Mutex<Box<Factory>>) {
    for _ in 0..ACCEPT_BATCH {
        let socket = match listener.as_tcp_listener().accept() {
            Ok((stream, _)) => StreamSocket::from(stream),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Out of descriptors and the like: try again next round.
                log::warn!("SocketAcceptor: accept failed: {e}");
                return;
            }
        };
        open_guarded(socket, reactor, factory);
    }
}

/// Runs a factory on one connection; its error or panic closes only that connection.
pub(crate) fn open_guarded(socket: StreamSocket, reactor: &SocketReactor, factory: &Mutex<Box<Factory>>) {
    let mut f = factory.lock().unwrap_or_else(|p| p.into_inner());
    match catch_unwind(AssertUnwindSafe(|| f(socket.clone(), reactor))) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            log::warn!("SocketAcceptor: service handler failed to open: {e}");
            reactor.remove_socket(&socket);
        }
        Err(payload) => {
            log::error!("SocketAcceptor: service handler panicked while opening; connection closed");
            reactor.remove_socket(&socket);
            reactor.report_panic(Notification::Readable, SocketId::of(&socket), payload.as_ref());
        }
    }
}
