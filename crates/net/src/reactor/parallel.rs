//! [`ParallelSocketReactor`] and [`ParallelSocketAcceptor`]: connections spread over N
//! reactors, each on its own thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::acceptor::{Factory, ServiceHandler, SocketAcceptor, open_guarded};
use super::core::SocketReactor;
use crate::error::{Error, Result};
use crate::socket::{ServerSocket, StreamSocket};

/// POCO `ParallelSocketReactor`: a [`SocketReactor`] running on a thread of its own from
/// creation until drop (which stops and joins it).
#[derive(Debug)]
pub struct ParallelSocketReactor {
    reactor: SocketReactor,
    thread: Option<JoinHandle<()>>,
}

impl ParallelSocketReactor {
    /// Starts a reactor with POCO's default timeout on a new thread.
    pub fn new() -> Result<Self> {
        Self::start(SocketReactor::new()?)
    }

    /// Runs `reactor` on a new thread.
    pub fn start(reactor: SocketReactor) -> Result<Self> {
        let r = reactor.clone();
        let thread = std::thread::Builder::new()
            .name("rpoco-reactor".into())
            .spawn(move || r.run())
            .map_err(|e| Error::from_io_during(e, "start reactor thread"))?;
        Ok(ParallelSocketReactor { reactor, thread: Some(thread) })
    }

    /// The reactor.
    pub fn reactor(&self) -> &SocketReactor {
        &self.reactor
    }

    /// Stops the reactor and waits for its thread.
    pub fn stop(&mut self) {
        self.reactor.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ParallelSocketReactor {
    fn drop(&mut self) {
        self.stop();
    }
}

/// POCO `ParallelSocketAcceptor`: accepts in one reactor and opens each connection's service
/// handler in the next of `threads` [`ParallelSocketReactor`]s, in turn. Dropping it stops
/// accepting and stops those reactors.
#[derive(Debug)]
pub struct ParallelSocketAcceptor {
    acceptor: SocketAcceptor,
    reactors: Arc<Vec<ParallelSocketReactor>>,
}

impl ParallelSocketAcceptor {
    /// Accepts on `socket` in `reactor`, spreading `H`s over `threads` reactors (0: one per
    /// CPU, as POCO's `Environment::processorCount()` default).
    pub fn new<H: ServiceHandler>(
        socket: ServerSocket,
        reactor: &SocketReactor,
        threads: usize,
    ) -> Result<Self> {
        Self::with_factory(socket, reactor, threads, |s, r| H::open(s, r))
    }

    /// As [`new`](Self::new) with a factory closure.
    pub fn with_factory(
        socket: ServerSocket,
        reactor: &SocketReactor,
        threads: usize,
        factory: impl FnMut(StreamSocket, &SocketReactor) -> Result<()> + Send + 'static,
    ) -> Result<Self> {
        let threads =
            if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
        let reactors =
            Arc::new((0..threads).map(|_| ParallelSocketReactor::new()).collect::<Result<Vec<_>>>()?);
        let factory: Arc<Mutex<Box<Factory>>> = Arc::new(Mutex::new(Box::new(factory)));
        let next = AtomicUsize::new(0);
        let pool = reactors.clone();
        let spread: Box<Factory> = Box::new(move |socket: StreamSocket, _accepting: &SocketReactor| {
            let target = &pool[next.fetch_add(1, Ordering::Relaxed) % pool.len()];
            open_guarded(socket, target.reactor(), &factory);
            Ok(())
        });
        let acceptor = SocketAcceptor::with_boxed(socket, reactor, Arc::new(Mutex::new(spread)))?;
        Ok(ParallelSocketAcceptor { acceptor, reactors })
    }

    /// The reactors the connections are spread over.
    pub fn reactors(&self) -> impl Iterator<Item = &SocketReactor> {
        self.reactors.iter().map(|r| r.reactor())
    }

    /// Stops accepting.
    pub fn unregister(&self) {
        self.acceptor.unregister();
    }
}
