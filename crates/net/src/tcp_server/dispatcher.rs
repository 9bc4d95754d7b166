//! The dispatcher (POCO `TCPServerDispatcher`): the queue of work, the bounded pool of
//! worker threads that runs it, and the bookkeeping `stop` needs.

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::connection::{Next, TcpServerConnection, TcpServerConnectionFactory};
use super::params::TcpServerParams;
use super::poller::{Parked, Poller};
use crate::socket::StreamSocket;

/// Work for a worker thread.
pub(crate) enum Job {
    /// A freshly accepted socket: make its connection, then run it.
    New { id: u64, socket: StreamSocket },
    /// A parked connection whose socket became readable (or whose deadline passed).
    Resume(Parked),
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    /// New connections in `queue` (the ones `max_queued` limits).
    queued_new: usize,
    threads: usize,
    idle_threads: usize,
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

/// The shared heart of a `TcpServer`: queue, pool, poller and counters.
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
        // A panic never happens while the lock is held (user code runs outside it), but a
        // poisoned lock must not take the server down either.
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
        self.wake_worker(st);
    }

    /// Queues parked connections that have something to do.
    pub(crate) fn resume(self: &Arc<Self>, ready: Vec<Parked>) {
        if ready.is_empty() {
            return;
        }
        let mut st = self.lock();
        if st.stopping {
            drop(st);
            for parked in ready {
                self.close(parked.conn);
            }
            return;
        }
        let n = ready.len();
        st.queue.extend(ready.into_iter().map(Job::Resume));
        for _ in 1..n {
            self.work.notify_one();
        }
        self.wake_worker(st);
    }

    /// Wakes an idle worker, or starts one if none is idle and the pool has room.
    fn wake_worker(self: &Arc<Self>, mut st: MutexGuard<'_, State>) {
        if st.queue.len() > st.idle_threads && st.threads < self.max_threads {
            st.threads += 1;
            let me = self.clone();
            let spawned =
                std::thread::Builder::new().name("rpoco-tcp-worker".into()).spawn(move || me.worker());
            if let Err(e) = spawned {
                st.threads -= 1;
                log::error!("TcpServer: cannot start a worker thread: {e}");
            }
        }
        drop(st);
        self.work.notify_one();
    }

    fn worker(self: Arc<Self>) {
        while let Some(job) = self.next_job() {
            self.run_job(job);
        }
        let mut st = self.lock();
        st.threads -= 1;
        drop(st);
        self.changed.notify_all();
    }

    fn next_job(&self) -> Option<Job> {
        let mut st = self.lock();
        loop {
            if let Some(job) = st.queue.pop_front() {
                let (id, socket) = match &job {
                    Job::New { id, socket } => {
                        st.queued_new -= 1;
                        (*id, socket.clone())
                    }
                    Job::Resume(p) => (p.id, p.socket.clone()),
                };
                st.active.insert(id, socket);
                return Some(job);
            }
            if st.stopping {
                return None;
            }
            st.idle_threads += 1;
            let (guard, waited) =
                self.work.wait_timeout(st, self.params.thread_idle_time).unwrap_or_else(|p| p.into_inner());
            st = guard;
            st.idle_threads -= 1;
            if waited.timed_out() && st.queue.is_empty() {
                return None;
            }
        }
    }

    fn run_job(self: &Arc<Self>, job: Job) {
        let (id, socket, conn) = match job {
            Job::New { id, socket } => {
                let factory = &self.factory;
                match catch_unwind(AssertUnwindSafe(|| factory.create_connection(socket.clone()))) {
                    Ok(conn) => (id, socket, conn),
                    Err(_) => {
                        log::error!("TcpServer: the connection factory panicked; connection closed");
                        let _ = socket.shutdown();
                        self.stats.current.fetch_sub(1, Ordering::Relaxed);
                        self.finish_active(id);
                        return;
                    }
                }
            }
            Job::Resume(p) => (p.id, p.socket, p.conn),
        };
        let mut conn = conn;
        let outcome = catch_unwind(AssertUnwindSafe(|| conn.run()));
        let stopping = self.finish_active(id);
        match outcome {
            Ok(Next::WaitReadable { deadline }) if !stopping => {
                if let Err(conn) = self.poller.park(Parked { id, socket, conn, deadline }) {
                    self.close(conn);
                }
            }
            Ok(_) => self.close(conn),
            Err(_) => {
                log::error!("TcpServer: a connection panicked; connection closed");
                self.close(conn);
            }
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

    /// Drops a connection (closing its socket), counting it out.
    pub(crate) fn close(&self, conn: Box<dyn TcpServerConnection>) {
        if catch_unwind(AssertUnwindSafe(move || drop(conn))).is_err() {
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

    /// Marks the server stopping and drops every queued job (their sockets close).
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
                Job::Resume(p) => self.close(p.conn),
            }
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
