//! The dispatcher (POCO `TCPServerDispatcher`): the bounded pool of worker threads, run as
//! leader/followers over one poll, and the bookkeeping `stop` needs.
//!
//! One worker at a time leads: it waits in the poller, and when connections become ready
//! it queues them and serves them itself, first come first served (no hand-off to another
//! thread). It wakes a follower (or starts a thread, up to `max_threads`) only while
//! fewer workers run than the machine has cores and more work is queued: more runnable
//! threads than cores would only switch between each other. A worker done with a
//! connection parks it (or closes it) and takes the next queued job, or leads if nobody
//! does, or waits as a follower. New sockets from the accepting thread are queued (bounded
//! by `max_queued`, refused beyond).
//!
//! A handler that blocks must hold only its own thread: a worker whose job has run longer
//! than [`STALL`] does not count as using a core, and the accepting thread's
//! [`watch`](Dispatcher::watch) wakes (or starts) one more worker whenever work waits and
//! nothing has started or finished for [`STALL`], so ready connections never wait for a
//! slow handler, up to `max_threads`.

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::connection::{Next, TcpServerConnectionFactory};
use super::params::TcpServerParams;
use super::poller::{Entry, Parked, Poller};
use crate::socket::StreamSocket;

/// Work for a worker thread.
enum Job {
    /// A freshly accepted socket: make its connection, then run it.
    New { id: u64, socket: StreamSocket },
    /// A parked connection that is ready (or whose deadline passed), left over from a
    /// leader's batch.
    Resume(Entry),
}

/// How long a running job counts as using a core, and how long waiting work may see no
/// progress before [`Dispatcher::watch`] adds a worker.
pub(crate) const STALL: Duration = Duration::from_millis(20);

/// One job in this many is sampled for blocking (two `getrusage` calls).
const SAMPLE_EVERY: u32 = 4;

/// The calling thread's voluntary context switches so far: a job that waited (for a lock,
/// a sleep, blocking I/O) gave up the CPU at least once; one only preempted did not.
fn voluntary_switches() -> Option<i64> {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD)
        .ok()
        .map(|u| u.voluntary_context_switches())
}

/// A connection a worker is running: its socket (for `stop`) and since when.
struct Running {
    socket: StreamSocket,
    since: Instant,
}

/// How often [`Dispatcher::watch`] wants to run while no connection is running or queued.
pub(crate) const WATCH_IDLE: Duration = Duration::from_millis(50);

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    /// New connections in `queue` (the ones `max_queued` limits).
    queued_new: usize,
    threads: usize,
    /// Followers waiting for work or leadership.
    idle_threads: usize,
    /// Threads started that have not reached their loop yet (they will take work).
    starting: usize,
    /// Whether a worker is waiting in the poller.
    leading: bool,
    /// The connections workers are running (so `stop` can shut their sockets down).
    active: HashMap<u64, Running>,
    /// When a job last started or finished (`None`: not since the last watch).
    progress: Option<Instant>,
    /// How many of the sampled jobs blocked (gave up the CPU while running), in 1/1024, as a
    /// moving average: it raises the workers run at once from `cores` towards
    /// `max_threads` (see [`Dispatcher::target`]).
    blocking: usize,
    stopping: bool,
}

impl State {
    /// Records a connection as running on a worker from `now`.
    fn begin(&mut self, id: u64, socket: &StreamSocket, now: Instant) {
        self.active.insert(id, Running { socket: socket.clone(), since: now });
    }
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
    /// The workers that may run at once without stalls: the machine's cores (at most
    /// `max_threads`).
    cores: usize,
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
        let max_threads = params.effective_max_threads();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(max_threads);
        Dispatcher {
            max_threads,
            cores,
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
        if self.busy(&st) < self.target(&st) && !self.wake_one(&mut st) && st.leading {
            // No thread to wake or start: the leader takes it.
            self.poller.wake();
        }
    }

    /// How many workers should run at once: the cores while handlers compute; up to
    /// `max_threads` as more of them block (a handler waiting for a database leaves its core
    /// to another), as POCO's pool runs `max_threads` handlers at once.
    fn target(&self, st: &State) -> usize {
        self.cores + (self.max_threads - self.cores) * st.blocking / 1024
    }

    /// Workers running a job that counts as using a core: every running one while fewer
    /// than the target run, else those that started less than [`STALL`] ago.
    fn busy(&self, st: &State) -> usize {
        let n = st.active.len();
        if n < self.target(st) {
            return n;
        }
        let now = Instant::now();
        st.active.values().filter(|r| now.duration_since(r.since) < STALL).count()
    }

    /// Called by the accepting thread between its waits; returns how long until the next
    /// call. When queued work, or ready connections nobody polls for, have seen no job start
    /// or finish for [`STALL`], every running worker is blocked: wake or start one more.
    pub(crate) fn watch(self: &Arc<Self>) -> Duration {
        let mut st = self.lock();
        if st.stopping || (st.active.is_empty() && st.queue.is_empty()) {
            return WATCH_IDLE;
        }
        let now = Instant::now();
        let stuck = st.progress.is_none_or(|at| now.duration_since(at) >= STALL);
        if stuck && (!st.queue.is_empty() || (!st.leading && self.poller.len() > 0)) {
            self.wake_one(&mut st);
        }
        // One more worker per STALL at most.
        if stuck {
            st.progress = Some(now);
        }
        STALL
    }

    /// Gets one more worker going: an idle follower, else a new thread up to `max_threads`.
    /// Returns whether it could.
    fn wake_one(self: &Arc<Self>, st: &mut State) -> bool {
        if st.idle_threads > 0 {
            self.work.notify_one();
            return true;
        }
        if st.starting > 0 {
            return true;
        }
        if st.threads >= self.max_threads {
            return false;
        }
        st.threads += 1;
        st.starting += 1;
        let me = self.clone();
        match std::thread::Builder::new().name("rpoco-tcp-worker".into()).spawn(move || me.worker()) {
            Ok(_) => true,
            Err(e) => {
                st.threads -= 1;
                st.starting -= 1;
                log::error!("TcpServer: cannot start a worker thread: {e}");
                false
            }
        }
    }

    fn worker(self: Arc<Self>) {
        let idle = self.params.thread_idle_time;
        let mut st = self.lock();
        st.starting -= 1;
        let mut jobs: u32 = 0;
        loop {
            if !st.queue.is_empty()
                && self.busy(&st) < self.target(&st)
                && let Some(job) = st.queue.pop_front()
            {
                let now = Instant::now();
                st.progress = Some(now);
                // More queued and a core to spare: a helper does the same (so helpers join
                // one by one, up to the cores).
                if !st.queue.is_empty() && self.busy(&st) + 1 < self.target(&st) {
                    self.wake_one(&mut st);
                }
                let entry = match job {
                    Job::New { id, socket } => {
                        st.queued_new -= 1;
                        st.begin(id, &socket, now);
                        drop(st);
                        self.create(id, socket)
                    }
                    Job::Resume(entry) => {
                        st.begin(entry.id, &entry.socket, now);
                        drop(st);
                        Some(entry)
                    }
                };
                if let Some(entry) = entry {
                    jobs = jobs.wrapping_add(1);
                    self.run(entry, jobs.is_multiple_of(SAMPLE_EVERY));
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
                if ready.is_empty() {
                    let idle_out = started.elapsed() >= idle && st.queue.is_empty();
                    if idle_out && self.poller.len() == 0 && !st.stopping {
                        break;
                    }
                    continue;
                }
                // Served from the queue in order, by this thread first (see the top).
                st.queue.extend(ready.into_iter().map(Job::Resume));
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
                self.finish_active(id, None);
                None
            }
        }
    }

    /// Runs a connection on this thread, then parks or closes it; `sample`: learn whether it
    /// blocked.
    fn run(&self, mut entry: Entry, sample: bool) {
        loop {
            let before = if sample { voluntary_switches() } else { None };
            let outcome = catch_unwind(AssertUnwindSafe(|| entry.conn.run()));
            let blocked = before.and_then(|b| Some(voluntary_switches()? > b));
            let stopping = self.finish_active(entry.id, blocked);
            let deadline = match outcome {
                Ok(Next::WaitReadable { deadline } | Next::WaitWritable { deadline }) if !stopping => {
                    deadline
                }
                Ok(_) => return self.close(entry),
                Err(_) => {
                    log::error!("TcpServer: a connection panicked; connection closed");
                    return self.close(entry);
                }
            };
            match self.poller.park(entry, deadline) {
                Parked::Waiting => return,
                Parked::Refused(entry) => return self.close(entry),
                Parked::Ready(again) => {
                    entry = again;
                    self.lock().begin(entry.id, &entry.socket, Instant::now());
                }
            }
        }
    }

    /// Forgets a connection's socket as running, and learns whether its job blocked if it
    /// was sampled; says whether the server is stopping.
    fn finish_active(&self, id: u64, blocked: Option<bool>) -> bool {
        let mut st = self.lock();
        st.active.remove(&id);
        if let Some(blocked) = blocked {
            st.blocking = st.blocking - st.blocking / 4 + if blocked { 1024 / 4 } else { 0 };
        }
        st.progress = Some(Instant::now());
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
        for running in st.active.values() {
            let _ = running.socket.shutdown();
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
