//! The poller: parked connections wait here for their sockets to become readable or
//! writable (or for their deadline), holding no thread. There is no poller thread: the
//! worker that leads (see the dispatcher) waits in [`Poller::wait`] and serves what it
//! finds itself.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io;
use std::os::fd::AsRawFd;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Registry, Token, Waker};

use super::connection::TcpServerConnection;
use crate::socket::StreamSocket;

const WAKER: Token = Token(0);

/// A connection of the server, outside a worker: its id (also its poll token), socket, and
/// whether its socket is registered with the poll yet.
pub(crate) struct Entry {
    pub(crate) id: u64,
    pub(crate) socket: StreamSocket,
    pub(crate) conn: Box<dyn TcpServerConnection>,
    pub(crate) registered: bool,
}

/// A parked connection and its deadline.
struct Resting {
    entry: Entry,
    deadline: Option<Instant>,
}

/// What [`Poller::park`] did with a connection.
pub(crate) enum Parked {
    /// It waits in the poller.
    Waiting,
    /// Its socket became ready while it was out: run it again now.
    Ready(Entry),
    /// It cannot wait (the server stops, or its socket cannot be watched): close it.
    Refused(Entry),
}

#[derive(Default)]
struct Set {
    parked: HashMap<u64, Resting>,
    /// Connections whose socket signalled while they were not parked (see `park`).
    early: HashSet<u64>,
    deadlines: BTreeSet<(Instant, u64)>,
    /// When the leader's wait ends by itself (`None`: no leader waiting, or only for events).
    wakes_at: Option<Instant>,
    waiting: bool,
    stopping: bool,
}

/// The parked connections and the poll they wait in.
pub(crate) struct Poller {
    /// Held by the leading worker while it waits; never contended (the dispatcher lets one
    /// worker lead at a time).
    poll: Mutex<(Poll, Events)>,
    registry: Registry,
    waker: Waker,
    set: Mutex<Set>,
}

impl Poller {
    pub(crate) fn new() -> io::Result<Poller> {
        let poll = Poll::new()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        let registry = poll.registry().try_clone()?;
        Ok(Poller {
            poll: Mutex::new((poll, Events::with_capacity(256))),
            registry,
            waker,
            set: Mutex::new(Set::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Set> {
        self.set.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Parks a connection until its socket signals or its deadline passes.
    ///
    /// The socket is registered once, at its first park, for both directions and
    /// edge-triggered, and stays registered until it is closed, so parking costs no system
    /// call. An edge that comes while the connection is out of the poller (running, or
    /// queued) is remembered, and the park that follows gives the connection straight back
    /// ([`Parked::Ready`]): no wake-up is lost between the connection's last `WouldBlock`
    /// and its park. A connection waiting to read may be woken by its socket becoming
    /// writable (and the other way round); it then finds nothing to do and parks again.
    pub(crate) fn park(&self, mut entry: Entry, deadline: Option<Instant>) -> Parked {
        let mut set = self.lock();
        if set.stopping {
            return Parked::Refused(entry);
        }
        if !entry.registered {
            let fd = entry.socket.as_tcp_stream().as_raw_fd();
            let token = Token(entry.id as usize);
            let both = Interest::READABLE | Interest::WRITABLE;
            if let Err(e) = self.registry.register(&mut SourceFd(&fd), token, both) {
                log::warn!("TcpServer: cannot watch a waiting connection ({e}); closing it");
                return Parked::Refused(entry);
            }
            entry.registered = true;
        }
        if set.early.remove(&entry.id) {
            return Parked::Ready(entry);
        }
        if let Some(deadline) = deadline {
            set.deadlines.insert((deadline, entry.id));
            if set.waiting && set.wakes_at.is_none_or(|at| deadline < at) {
                set.wakes_at = Some(deadline);
                let _ = self.waker.wake();
            }
        }
        set.parked.insert(entry.id, Resting { entry, deadline });
        Parked::Waiting
    }

    /// Number of parked connections.
    pub(crate) fn len(&self) -> usize {
        self.lock().parked.len()
    }

    fn take(set: &mut Set, id: u64) -> Option<Entry> {
        let parked = set.parked.remove(&id)?;
        if let Some(d) = parked.deadline {
            set.deadlines.remove(&(d, id));
        }
        Some(parked.entry)
    }

    /// Stops watching a connection's socket before it is dropped: a socket that outlives its
    /// entry (handed over after a protocol switch) must not wake the poll.
    pub(crate) fn forget(&self, entry: &Entry) {
        if entry.registered {
            self.lock().early.remove(&entry.id);
            let fd = entry.socket.as_tcp_stream().as_raw_fd();
            let _ = self.registry.deregister(&mut SourceFd(&fd));
        }
    }

    /// Wakes the leader's [`wait`](Self::wait) (new work is queued, or the server stops).
    pub(crate) fn wake(&self) {
        let _ = self.waker.wake();
    }

    /// Marks the poller stopping and returns every parked connection, for closing.
    pub(crate) fn stop(&self) -> Vec<Entry> {
        let mut set = self.lock();
        set.stopping = true;
        let ids: Vec<u64> = set.parked.keys().copied().collect();
        let all = ids.into_iter().filter_map(|id| Self::take(&mut set, id)).collect();
        drop(set);
        let _ = self.waker.wake();
        all
    }

    /// The leader's wait: up to `idle` (or the first deadline), then the connections that
    /// are ready or whose deadline passed. Empty after a wake-up or the idle time.
    pub(crate) fn wait(&self, idle: Duration) -> Vec<Entry> {
        let mut guard = self.poll.lock().unwrap_or_else(|p| p.into_inner());
        let (poll, events) = &mut *guard;
        let timeout = {
            let mut set = self.lock();
            if set.stopping {
                return Vec::new();
            }
            let idle_until = Instant::now() + idle;
            let until = set.deadlines.first().map_or(idle_until, |&(at, _)| at.min(idle_until));
            set.wakes_at = Some(until);
            set.waiting = true;
            until.saturating_duration_since(Instant::now())
        };
        if let Err(e) = poll.poll(events, Some(timeout))
            && e.kind() != io::ErrorKind::Interrupted
        {
            log::error!("TcpServer: poll failed: {e}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut set = self.lock();
        set.waiting = false;
        set.wakes_at = None;
        let mut ready = Vec::new();
        for event in events.iter() {
            if event.token() == WAKER {
                continue;
            }
            let id = event.token().0 as u64;
            match Self::take(&mut set, id) {
                Some(entry) => ready.push(entry),
                // Out of the poller (running or queued): its next park returns it at once.
                None => {
                    set.early.insert(id);
                }
            }
        }
        let now = Instant::now();
        while let Some(&(at, id)) = set.deadlines.first() {
            if at > now {
                break;
            }
            set.deadlines.pop_first();
            if let Some(entry) = Self::take(&mut set, id) {
                ready.push(entry);
            }
        }
        ready
    }
}
