//! The poller: parked connections wait here for their sockets to become readable (or for
//! their deadline), holding no thread. One thread runs a `mio` poll over all of them.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::os::fd::AsRawFd;
use std::sync::{Mutex, MutexGuard, Weak};
use std::time::Instant;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Registry, Token, Waker};

use super::connection::TcpServerConnection;
use super::dispatcher::Dispatcher;
use crate::socket::StreamSocket;

const WAKER: Token = Token(0);

/// A connection waiting in the poller.
pub(crate) struct Parked {
    pub(crate) id: u64,
    pub(crate) socket: StreamSocket,
    pub(crate) conn: Box<dyn TcpServerConnection>,
    pub(crate) deadline: Option<Instant>,
}

#[derive(Default)]
struct Set {
    parked: HashMap<usize, Parked>,
    deadlines: BTreeSet<(Instant, usize)>,
    next_token: usize,
    /// When the poll thread will wake by itself (`None`: only for events).
    wakes_at: Option<Instant>,
    stopping: bool,
}

/// The registration side of the poller, shared with the workers.
pub(crate) struct Poller {
    registry: Registry,
    waker: Waker,
    set: Mutex<Set>,
}

impl Poller {
    /// A poller and the `Poll` its thread will run.
    pub(crate) fn new() -> io::Result<(Poller, Poll)> {
        let poll = Poll::new()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        let registry = poll.registry().try_clone()?;
        Ok((Poller { registry, waker, set: Mutex::new(Set { next_token: 1, ..Set::default() }) }, poll))
    }

    fn lock(&self) -> MutexGuard<'_, Set> {
        self.set.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Parks a connection until its socket is readable or its deadline passes. Gives the
    /// connection back if it cannot be parked (the server is stopping, or registration failed).
    pub(crate) fn park(&self, parked: Parked) -> Result<(), Box<dyn TcpServerConnection>> {
        let mut set = self.lock();
        if set.stopping {
            return Err(parked.conn);
        }
        let token = set.next_token;
        set.next_token = set.next_token.wrapping_add(1).max(1);
        let fd = parked.socket.as_tcp_stream().as_raw_fd();
        if let Err(e) = self.registry.register(&mut SourceFd(&fd), Token(token), Interest::READABLE) {
            log::warn!("TcpServer: cannot watch an idle connection ({e}); closing it");
            return Err(parked.conn);
        }
        if let Some(deadline) = parked.deadline {
            set.deadlines.insert((deadline, token));
            if set.wakes_at.is_none_or(|at| deadline < at) {
                set.wakes_at = Some(deadline);
                let _ = self.waker.wake();
            }
        }
        set.parked.insert(token, parked);
        Ok(())
    }

    /// Number of parked connections.
    pub(crate) fn len(&self) -> usize {
        self.lock().parked.len()
    }

    fn take(&self, set: &mut Set, token: usize) -> Option<Parked> {
        let parked = set.parked.remove(&token)?;
        if let Some(d) = parked.deadline {
            set.deadlines.remove(&(d, token));
        }
        let fd = parked.socket.as_tcp_stream().as_raw_fd();
        let _ = self.registry.deregister(&mut SourceFd(&fd));
        Some(parked)
    }

    /// Stops the poll thread; parked connections are handed back for closing by it.
    pub(crate) fn stop(&self) {
        self.lock().stopping = true;
        let _ = self.waker.wake();
    }

    /// The poll thread: hands ready connections to the dispatcher until stopped.
    pub(crate) fn run(dispatcher: Weak<Dispatcher>, mut poll: Poll) {
        let mut events = Events::with_capacity(1024);
        loop {
            let Some(d) = dispatcher.upgrade() else { return };
            let timeout = {
                let mut set = d.poller.lock();
                if set.stopping {
                    let tokens: Vec<usize> = set.parked.keys().copied().collect();
                    let all: Vec<Parked> =
                        tokens.into_iter().filter_map(|t| d.poller.take(&mut set, t)).collect();
                    drop(set);
                    for parked in all {
                        d.close(parked.conn);
                    }
                    return;
                }
                let first = set.deadlines.first().map(|&(at, _)| at);
                set.wakes_at = first;
                first.map(|at| at.saturating_duration_since(Instant::now()))
            };
            drop(d);
            if let Err(e) = poll.poll(&mut events, timeout)
                && e.kind() != io::ErrorKind::Interrupted
            {
                log::error!("TcpServer: poll failed: {e}");
                std::thread::sleep(std::time::Duration::from_millis(50));
                continue;
            }
            let Some(d) = dispatcher.upgrade() else { return };
            let ready = {
                let mut set = d.poller.lock();
                let mut ready = Vec::new();
                for event in events.iter() {
                    if event.token() != WAKER
                        && let Some(p) = d.poller.take(&mut set, event.token().0)
                    {
                        ready.push(p);
                    }
                }
                let now = Instant::now();
                while let Some(&(at, token)) = set.deadlines.first() {
                    if at > now {
                        break;
                    }
                    set.deadlines.pop_first();
                    if let Some(p) = d.poller.take(&mut set, token) {
                        ready.push(p);
                    }
                }
                ready
            };
            d.resume(ready);
        }
    }
}
