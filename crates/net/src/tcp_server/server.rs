//! [`TcpServer`]: POCO's multithreaded TCP server.

use std::fmt;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};

use super::connection::TcpServerConnectionFactory;
use super::dispatcher::Dispatcher;
use super::params::TcpServerParams;
use super::poller::Poller;
use crate::error::{Error, ErrorKind, Result};
use crate::socket::{ServerSocket, SocketAddress, StreamSocket};

/// Decides whether an accepted connection is served (POCO `TCPServerConnectionFilter`).
/// Runs on the accepting thread: keep it quick.
pub type ConnectionFilter = dyn Fn(&StreamSocket, &SocketAddress) -> bool + Send + Sync;

const LISTENER: Token = Token(1);
const STOP: Token = Token(0);

/// POCO `TCPServer`: accepts connections on a [`ServerSocket`] and serves each with a
/// [`TcpServerConnection`](crate::TcpServerConnection) from a factory, on a bounded pool of
/// worker threads.
///
/// One thread accepts (polling the listening socket, as POCO's acceptor does), queues the
/// new socket for the workers, and refuses it (accepts and closes it, counted in
/// [`refused_connections`](Self::refused_connections)) when
/// [`max_queued`](TcpServerParams::max_queued) sockets are already waiting. Up to
/// [`max_threads`](TcpServerParams::max_threads) workers run connections; a worker idle for
/// [`thread_idle_time`](TcpServerParams::thread_idle_time) exits. Connections that wait for
/// their peer ([`Next::WaitReadable`](crate::Next::WaitReadable),
/// [`Next::WaitWritable`](crate::Next::WaitWritable)) are parked in a poller and hold no
/// thread: thousands of idle connections cost nothing but their sockets. There is no
/// poller thread and no hand-off per request: the workers take turns waiting in the poll
/// (leader/followers), and the one that learns a connection is ready serves it, after
/// promoting another worker to wait in its place.
/// Accepted sockets get `TCP_NODELAY`, as in POCO.
///
/// ```
/// use std::io::{Read, Write};
/// use rpoco_net::{Next, ServerSocket, SocketAddress, StreamSocket, TcpServer, TcpServerConnection};
///
/// struct Echo(StreamSocket);
/// impl TcpServerConnection for Echo {
///     fn run(&mut self) -> Next {
///         let mut buf = [0u8; 4096];
///         while let Ok(n @ 1..) = self.0.read(&mut buf) {
///             if self.0.write_all(&buf[..n]).is_err() {
///                 break;
///             }
///         }
///         Next::Close
///     }
/// }
///
/// let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, true)?;
/// let server = TcpServer::new(
///     |s: StreamSocket| Box::new(Echo(s)) as Box<dyn TcpServerConnection>,
///     socket,
///     None,
/// )?;
/// server.start()?;
/// let mut client = StreamSocket::connect(&server.address()?)?;
/// client.write_all(b"ping")?;
/// let mut reply = [0u8; 4];
/// client.read_exact(&mut reply)?;
/// assert_eq!(&reply, b"ping");
/// server.stop();
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub struct TcpServer {
    dispatcher: Arc<Dispatcher>,
    socket: ServerSocket,
    filter: Mutex<Option<Arc<ConnectionFilter>>>,
    threads: Mutex<Threads>,
    stop_waker: Arc<Waker>,
    accept_poll: Mutex<Option<Poll>>,
}

#[derive(Default)]
struct Threads {
    acceptor: Option<JoinHandle<()>>,
    started: bool,
    stopped: bool,
}

impl fmt::Debug for TcpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpServer")
            .field("address", &self.socket.address().ok())
            .field("params", self.dispatcher.params())
            .finish_non_exhaustive()
    }
}

impl TcpServer {
    /// A server for `socket` whose connections come from `factory` (POCO
    /// `TCPServer(factory, socket, params)`); `None` takes [`TcpServerParams::default`].
    /// Nothing is accepted until [`start`](Self::start).
    pub fn new(
        factory: impl TcpServerConnectionFactory + 'static,
        socket: ServerSocket,
        params: Option<TcpServerParams>,
    ) -> Result<Self> {
        Self::with_factory(Arc::new(factory), socket, params.unwrap_or_default())
    }

    /// Binds `0.0.0.0:port` (POCO `TCPServer(factory, port, params)`; port 0 picks a free one).
    pub fn with_port(
        factory: impl TcpServerConnectionFactory + 'static,
        port: u16,
        params: Option<TcpServerParams>,
    ) -> Result<Self> {
        Self::new(factory, ServerSocket::new(port)?, params)
    }

    pub(crate) fn with_factory(
        factory: Arc<dyn TcpServerConnectionFactory>,
        socket: ServerSocket,
        params: TcpServerParams,
    ) -> Result<Self> {
        let poller = Poller::new().map_err(|e| Error::from_io_during(e, "create poller"))?;
        let accept_poll = Poll::new().map_err(|e| Error::from_io_during(e, "create poller"))?;
        let stop_waker = Arc::new(
            Waker::new(accept_poll.registry(), STOP).map_err(|e| Error::from_io_during(e, "create waker"))?,
        );
        Ok(TcpServer {
            dispatcher: Arc::new(Dispatcher::new(factory, params, poller)),
            socket,
            filter: Mutex::new(None),
            threads: Mutex::new(Threads::default()),
            stop_waker,
            accept_poll: Mutex::new(Some(accept_poll)),
        })
    }

    /// Starts accepting (POCO `start()`): launches the accepting thread.
    /// Calling it again does nothing; after [`stop`](Self::stop) it is an error.
    pub fn start(&self) -> Result<()> {
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        if threads.stopped {
            return Err(Error::new(ErrorKind::IllegalState, "the server was stopped"));
        }
        if threads.started {
            return Ok(());
        }
        let accept_poll = self.accept_poll.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(accept_poll) = accept_poll else {
            return Err(Error::new(ErrorKind::IllegalState, "the server cannot be restarted"));
        };
        self.socket.set_blocking(false)?;
        let fd = self.socket.as_tcp_listener().as_raw_fd();
        accept_poll
            .registry()
            .register(&mut SourceFd(&fd), LISTENER, Interest::READABLE)
            .map_err(|e| Error::from_io_during(e, "watch the listening socket"))?;
        let acceptor = Acceptor {
            dispatcher: self.dispatcher.clone(),
            socket: self.socket.clone(),
            filter: self.filter.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        };
        threads.acceptor = Some(
            std::thread::Builder::new()
                .name("rpoco-tcp-acceptor".into())
                .spawn(move || acceptor.run(accept_poll))
                .map_err(|e| Error::from_io_during(e, "start the acceptor thread"))?,
        );
        threads.started = true;
        Ok(())
    }

    /// Stops the server (POCO `stop()`): stops accepting, closes idle (parked) and queued
    /// connections, lets running connections finish for up to
    /// [`drain_timeout`](TcpServerParams::drain_timeout), then shuts down the sockets of
    /// those still running, and returns. Idempotent.
    pub fn stop(&self) {
        self.stop_within(self.dispatcher.params().drain_timeout);
    }

    /// [`stop`](Self::stop) with an explicit drain bound (zero: abort running connections
    /// at once).
    pub fn stop_within(&self, drain: Duration) {
        let acceptor = {
            let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
            if threads.stopped {
                return;
            }
            threads.stopped = true;
            threads.acceptor.take()
        };
        self.dispatcher.begin_stop();
        let _ = self.stop_waker.wake();
        if let Some(t) = acceptor {
            let _ = t.join();
        }
        self.dispatcher.drain(drain);
    }

    /// Sets a filter that decides, before queueing, whether an accepted connection is served
    /// (POCO `setConnectionFilter`); rejected connections are closed. Only before `start`.
    pub fn set_connection_filter(
        &self,
        filter: impl Fn(&StreamSocket, &SocketAddress) -> bool + Send + Sync + 'static,
    ) -> Result<()> {
        let threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        if threads.started {
            return Err(Error::new(ErrorKind::IllegalState, "set the connection filter before start()"));
        }
        *self.filter.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(filter));
        Ok(())
    }

    /// The settings.
    pub fn params(&self) -> &TcpServerParams {
        self.dispatcher.params()
    }

    /// The port the server listens on (POCO `port()`).
    pub fn port(&self) -> u16 {
        self.socket.address().map(|a| a.port()).unwrap_or(0)
    }

    /// The address the server listens on.
    pub fn address(&self) -> Result<SocketAddress> {
        self.socket.address()
    }

    /// The listening socket.
    pub fn socket(&self) -> &ServerSocket {
        &self.socket
    }

    /// Worker threads now running (POCO `currentThreads()`); the accepting and polling
    /// threads are not counted.
    pub fn current_threads(&self) -> usize {
        self.dispatcher.current_threads()
    }

    /// The most worker threads (POCO `maxThreads()`).
    pub fn max_threads(&self) -> usize {
        self.dispatcher.max_threads()
    }

    /// Connections accepted and queued since the start (POCO `totalConnections()`); refused
    /// and filtered-out connections are not counted.
    pub fn total_connections(&self) -> u64 {
        self.dispatcher.stats.total.load(Ordering::Relaxed)
    }

    /// Open connections: queued, running, or idle in the poller (POCO
    /// `currentConnections()`, where idle keep-alive connections occupy threads).
    pub fn current_connections(&self) -> usize {
        self.dispatcher.stats.current.load(Ordering::Relaxed)
    }

    /// The most connections open at once (POCO `maxConcurrentConnections()`).
    pub fn max_concurrent_connections(&self) -> usize {
        self.dispatcher.stats.max_concurrent.load(Ordering::Relaxed)
    }

    /// Accepted connections waiting for a worker (POCO `queuedConnections()`).
    pub fn queued_connections(&self) -> usize {
        self.dispatcher.queued()
    }

    /// Connections accepted and closed at once because the queue was full (POCO
    /// `refusedConnections()`).
    pub fn refused_connections(&self) -> u64 {
        self.dispatcher.stats.refused.load(Ordering::Relaxed)
    }

    /// Connections parked in the poller, waiting for their peer without a thread.
    pub fn idle_connections(&self) -> usize {
        self.dispatcher.poller.len()
    }
}

impl Drop for TcpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Acceptor {
    dispatcher: Arc<Dispatcher>,
    socket: ServerSocket,
    filter: Option<Arc<ConnectionFilter>>,
}

impl Acceptor {
    fn run(self, mut poll: Poll) {
        let mut events = Events::with_capacity(16);
        let mut wait = super::dispatcher::WATCH_IDLE;
        loop {
            // Edge-triggered readiness: a connection left in the backlog after an error is
            // picked up by the next timed wake-up (POCO's acceptor polls every 250 ms). The
            // wake-ups also watch the workers for stalls (`Dispatcher::watch`).
            if let Err(e) = poll.poll(&mut events, Some(wait))
                && e.kind() != io::ErrorKind::Interrupted
            {
                log::error!("TcpServer: poll on the listening socket failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
            if self.dispatcher.is_stopping() {
                let fd = self.socket.as_tcp_listener().as_raw_fd();
                let _ = poll.registry().deregister(&mut SourceFd(&fd));
                return;
            }
            self.accept_all();
            wait = self.dispatcher.watch();
        }
    }

    fn accept_all(&self) {
        loop {
            // Any listening socket: TCP, or Unix-domain (an HttpServer on a local socket).
            match crate::socket::accept_any(self.socket.as_tcp_listener()) {
                Ok((socket, peer)) => {
                    // Accepted sockets do not inherit non-blocking mode on Linux; be sure.
                    let _ = socket.set_blocking(true);
                    let _ = socket.set_no_delay(true);
                    if let Some(filter) = &self.filter
                        && !filter(&socket, &peer)
                    {
                        let _ = socket.shutdown();
                        continue;
                    }
                    self.dispatcher.enqueue_new(socket);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                    ) =>
                {
                    continue;
                }
                Err(e) => {
                    // Out of descriptors or memory: back off instead of spinning; the
                    // connection stays in the backlog until the next attempt.
                    log::warn!("TcpServer: accept failed: {e}");
                    std::thread::sleep(Duration::from_millis(50));
                    return;
                }
            }
        }
    }
}
