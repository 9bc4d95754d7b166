//! The poller: parked connections wait here for their sockets to become readable or
//! writable (or for their deadline), holding no thread. There is no poller thread: the
//! worker that leads (see the dispatcher) waits in [`Poller::wait`] and serves what it
//! finds itself.

use std::collections::{BTreeSet, HashMap};
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

struct Parked {
    entry: Entry,
    deadline: Option<Instant>,
}

#[derive(Default)]
struct Set {
    parked: HashMap<u64, Parked>,
    deadlines: BTreeSet<(Instant, u64)>,
    /// When the leader's wait ends by itself (`None`: no leader waiting, or only for events).
    wakes_at: Option<Instant>,
    waiting: bool,
    stopping: bool,
}

/// What a connection waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Read,
    Write,
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

    /// Parks a connection until its socket is ready for `want` or its deadline passes.
    /// Gives the entry back if it cannot be parked (stopping, or registration failed).
    ///
    /// The socket stays registered from its first park to its close; each park re-arms it
    /// (`EPOLL_CTL_MOD`), which also reports readiness that arrived while it ran, so no
    /// wake-up is lost between the connection's last `WouldBlock` and the park.
    pub(crate) fn park(&self, mut entry: Entry, want: Want, deadline: Option<Instant>) -> Result<(), Entry> {
        let mut set = self.lock();
        if set.stopping {
            return Err(entry);
        }
        let interest = match want {
            Want::Read => Interest::READABLE,
            Want::Write => Interest::WRITABLE,
        };
        let fd = entry.socket.as_tcp_stream().as_raw_fd();
        let token = Token(entry.id as usize);
        let armed = if entry.registered {
            self.registry.reregister(&mut SourceFd(&fd), token, interest)
        } else {
            self.registry.register(&mut SourceFd(&fd), token, interest)
        };
        if let Err(e) = armed {
            log::warn!("TcpServer: cannot watch a waiting connection ({e}); closing it");
            return Err(entry);
        }
        entry.registered = true;
        if let Some(deadline) = deadline {
            set.deadlines.insert((deadline, entry.id));
            if set.waiting && set.wakes_at.is_none_or(|at| deadline < at) {
                set.wakes_at = Some(deadline);
                let _ = self.waker.wake();
            }
        }
        set.parked.insert(entry.id, Parked { entry, deadline });
        Ok(())
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
            if event.token() != WAKER
                && let Some(entry) = Self::take(&mut set, event.token().0 as u64)
            {
                ready.push(entry);
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
