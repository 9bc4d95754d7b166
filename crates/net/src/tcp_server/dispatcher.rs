//! The dispatcher (POCO `TCPServerDispatcher`): the bounded pool of worker threads, run as
//! leader/followers over one poll, and the bookkeeping `stop` needs.
//!
//! One worker at a time leads: it waits in the poller, and when connections become ready
//! it serves the first itself (no hand-off to another thread), queues the rest, and
//! promotes an idle follower (or starts a thread, up to `max_threads`) to lead in its place
//! while it serves. A worker done with a connection parks it (or closes it) and takes the
//! next queued job, or leads if nobody does, or waits as a follower. New sockets from the
//! accepting thread are queued (bounded by `max_queued`, refused beyond).

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::connection::{Next, TcpServerConnectionFactory};
use super::params::TcpServerParams;
use super::poller::{Entry, Poller, Want};
use crate::socket::StreamSocket;

/// Work for a worker thread.
enum Job {
    /// A freshly accepted socket: make its connection, then run it.
    New { id: u64, socket: StreamSocket },
    /// A parked connection that is ready (or whose deadline passed), left over from a
    /// leader's batch.
    Resume(Entry),
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    /// New connections in `queue` (the ones `max_queued` limits).
    queued_new: usize,
    threads: usize,
    /// Followers waiting for work or leadership.
    idle_threads: usize,
    /// Whether a worker is waiting in the poller.
    leading: bool,
    /// Sockets of the connections a worker is running, so `stop` can shut them down.
    active: HashMap<u64, StreamSocket>,
    stopping: bool,
}

/// Counters read by `TcpServer`'s accessors.
#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) total: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) current: AtomicUsize,
    pub(crate) max_concurrent: AtomicUsize,
}

/// The shared heart of a `TcpServer`: pool, poller and counters.
pub(crate) struct Dispatcher {
    params: TcpServerParams,
    max_threads: usize,
    factory: Arc<dyn TcpServerConnectionFactory>,
    state: Mutex<State>,
    work: Condvar,
    changed: Condvar,
    next_id: AtomicU64,
    pub(crate) stats: Stats,
    pub(crate) poller: Poller,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").field("params", &self.params).finish_non_exhaustive()
    }
}

impl Dispatcher {
    pub(crate) fn new(
        factory: Arc<dyn TcpServerConnectionFactory>,
        params: TcpServerParams,
        poller: Poller,
    ) -> Self {
        Dispatcher {
            max_threads: params.effective_max_threads(),
            params,
            factory,
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            changed: Condvar::new(),
            // 0 is the poller's waker token.
            next_id: AtomicU64::new(1),
            stats: Stats::default(),
            poller,
        }
    }

    pub(crate) fn params(&self) -> &TcpServerParams {
        &self.params
    }

    pub(crate) fn max_threads(&self) -> usize {
        self.max_threads
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // User code never runs while the lock is held, but a poisoned lock must not take
        // the server down either.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a freshly accepted socket; refuses it (closes it, counts it) when the queue is
    /// full, as POCO does.
    pub(crate) fn enqueue_new(self: &Arc<Self>, socket: StreamSocket) {
        let mut st = self.lock();
        if st.stopping {
            return;
        }
        if st.queued_new >= self.params.max_queued {
            drop(st);
            self.stats.refused.fetch_add(1, Ordering::Relaxed);
            let _ = socket.shutdown();
            return;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.stats.total.fetch_add(1, Ordering::Relaxed);
        let now = self.stats.current.fetch_add(1, Ordering::Relaxed) + 1;
        self.stats.max_concurrent.fetch_max(now, Ordering::Relaxed);
        st.queue.push_back(Job::New { id, socket });
        st.queued_new += 1;
        self.wake_workers(&mut st, 1);
    }

    /// Gets `wanted` more threads going: idle followers first, then new threads up to
    /// `max_threads`; if neither is possible, the leader is woken to take queued work.
    fn wake_workers(self: &Arc<Self>, st: &mut State, wanted: usize) {
        let from_idle = wanted.min(st.idle_threads);
        for _ in 0..from_idle {
            self.work.notify_one();
        }
        let mut missing = wanted - from_idle;
        while missing > 0 && st.threads < self.max_threads {
            st.threads += 1;
            let me = self.clone();
            let spawned =
                std::thread::Builder::new().name("rpoco-tcp-worker".into()).spawn(move || me.worker());
            if let Err(e) = spawned {
                st.threads -= 1;
                log::error!("TcpServer: cannot start a worker thread: {e}");
                break;
            }
            missing -= 1;
        }
        if missing > 0 && st.leading {
            self.poller.wake();
        }
    }

    fn worker(self: Arc<Self>) {
        let idle = self.params.thread_idle_time;
        let mut st = self.lock();
        loop {
            if let Some(job) = st.queue.pop_front() {
                let entry = match job {
                    Job::New { id, socket } => {
                        st.queued_new -= 1;
                        st.active.insert(id, socket.clone());
                        drop(st);
                        self.create(id, socket)
                    }
                    Job::Resume(entry) => {
                        st.active.insert(entry.id, entry.socket.clone());
                        drop(st);
                        Some(entry)
                    }
                };
                if let Some(entry) = entry {
                    self.run(entry);
                }
                st = self.lock();
                continue;
            }
            if st.stopping {
                break;
            }
            if !st.leading {
                st.leading = true;
                drop(st);
                let started = Instant::now();
                let ready = self.poller.wait(idle);
                st = self.lock();
                st.leading = false;
                let mut ready = ready.into_iter();
                let Some(mine) = ready.next() else {
                    let idle_out = started.elapsed() >= idle && st.queue.is_empty();
                    if idle_out && self.poller.len() == 0 && !st.stopping {
                        break;
                    }
                    continue;
                };
                let others = ready.len();
                st.queue.extend(ready.map(Job::Resume));
                // Someone must lead while this thread serves, and serve the others.
                self.wake_workers(&mut st, others + 1);
                st.active.insert(mine.id, mine.socket.clone());
                drop(st);
                self.run(mine);
                st = self.lock();
                continue;
            }
            st.idle_threads += 1;
            let (guard, waited) = self.work.wait_timeout(st, idle).unwrap_or_else(|p| p.into_inner());
            st = guard;
            st.idle_threads -= 1;
            if waited.timed_out() && st.queue.is_empty() && (st.leading || self.poller.len() == 0) {
                break;
            }
        }
        st.threads -= 1;
        drop(st);
        self.changed.notify_all();
    }

    /// Makes the connection for a new socket; `None` if the factory panicked.
    fn create(&self, id: u64, socket: StreamSocket) -> Option<Entry> {
        let factory = &self.factory;
        match catch_unwind(AssertUnwindSafe(|| factory.create_connection(socket.clone()))) {
            Ok(conn) => Some(Entry { id, socket, conn, registered: false }),
            Err(_) => {
                log::error!("TcpServer: the connection factory panicked; connection closed");
                let _ = socket.shutdown();
                self.stats.current.fetch_sub(1, Ordering::Relaxed);
                self.finish_active(id);
                None
            }
        }
    }

    /// Runs a connection on this thread, then parks or closes it.
    fn run(&self, mut entry: Entry) {
        let outcome = catch_unwind(AssertUnwindSafe(|| entry.conn.run()));
        let stopping = self.finish_active(entry.id);
        let (want, deadline) = match outcome {
            Ok(Next::WaitReadable { deadline }) if !stopping => (Want::Read, deadline),
            Ok(Next::WaitWritable { deadline }) if !stopping => (Want::Write, deadline),
            Ok(_) => return self.close(entry),
            Err(_) => {
                log::error!("TcpServer: a connection panicked; connection closed");
                return self.close(entry);
            }
        };
        if let Err(entry) = self.poller.park(entry, want, deadline) {
            self.close(entry);
        }
    }

    /// Forgets a connection's socket as running; says whether the server is stopping.
    fn finish_active(&self, id: u64) -> bool {
        let mut st = self.lock();
        st.active.remove(&id);
        let stopping = st.stopping;
        drop(st);
        if stopping {
            self.changed.notify_all();
        }
        stopping
    }

    /// Drops a connection (closing its socket unless it was handed over), counting it out.
    fn close(&self, entry: Entry) {
        self.poller.forget(&entry);
        if catch_unwind(AssertUnwindSafe(move || drop(entry))).is_err() {
            log::error!("TcpServer: dropping a connection panicked");
        }
        self.stats.current.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn current_threads(&self) -> usize {
        self.lock().threads
    }

    pub(crate) fn queued(&self) -> usize {
        self.lock().queued_new
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.lock().stopping
    }

    /// Marks the server stopping and closes every queued and parked connection.
    pub(crate) fn begin_stop(&self) {
        let dropped: Vec<Job> = {
            let mut st = self.lock();
            st.stopping = true;
            st.queued_new = 0;
            st.queue.drain(..).collect()
        };
        for job in dropped {
            match job {
                Job::New { socket, .. } => {
                    let _ = socket.shutdown();
                    self.stats.current.fetch_sub(1, Ordering::Relaxed);
                }
                Job::Resume(entry) => self.close(entry),
            }
        }
        for entry in self.poller.stop() {
            self.close(entry);
        }
        self.work.notify_all();
    }

    /// Waits until running connections finished or `drain` passed; then shuts down the
    /// sockets of those still running and waits (briefly) for the workers to exit.
    pub(crate) fn drain(&self, drain: Duration) {
        let deadline = Instant::now() + drain;
        let mut st = self.lock();
        while !st.active.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = self.changed.wait_timeout(st, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        for socket in st.active.values() {
            let _ = socket.shutdown();
        }
        // Shut-down sockets fail every blocked read and write at once; a handler that never
        // touches its socket again cannot be interrupted, so the wait is bounded.
        let grace = Instant::now() + Duration::from_secs(2);
        while st.threads > 0 {
            let left = grace.saturating_duration_since(Instant::now());
            if left.is_zero() {
                log::warn!(
                    "TcpServer::stop: {} worker thread(s) still busy; not waiting for them",
                    st.threads
                );
                break;
            }
            st = self.changed.wait_timeout(st, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}
