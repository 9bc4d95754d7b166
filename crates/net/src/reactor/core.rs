//! [`SocketReactor`]: the event loop and its handler registry.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::os::fd::{AsFd, BorrowedFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::socket::{PollBuffers, PollMode, PollSet, SocketId};

/// What a handler is told (POCO's `SocketNotification` subclasses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notification {
    /// POCO `ReadableNotification`: data, a connection to accept, or end of stream.
    Readable,
    /// POCO `WritableNotification`: the socket can take more data (or a connect finished).
    Writable,
    /// POCO `ErrorNotification`: the socket has an error or was hung up.
    Error,
    /// POCO `TimeoutNotification`: the reactor's timeout passed with no event at all; sent to
    /// every handler registered for it.
    Timeout,
    /// POCO `IdleNotification`: the reactor has no socket to watch; sent each timeout.
    Idle,
    /// POCO `ShutdownNotification`: the reactor is stopping; sent once when `run` ends.
    Shutdown,
}

impl Notification {
    fn mode(self) -> PollMode {
        match self {
            Notification::Readable => PollMode::READ,
            Notification::Writable => PollMode::WRITE,
            Notification::Error => PollMode::ERROR,
            _ => PollMode::NONE,
        }
    }
}

/// Identifies one registered handler, for [`SocketReactor::remove_handler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandlerId(u64);

/// A handler that panicked, as given to [`SocketReactor::set_panic_handler`]. A service
/// handler whose `open` panics (in a [`SocketAcceptor`](super::SocketAcceptor)) is reported
/// with [`Notification::Readable`], the listener's event that accepted it, and the
/// connection's socket.
#[derive(Debug, Clone)]
pub struct HandlerPanic {
    /// What it was called for.
    pub notification: Notification,
    /// The socket it was registered for.
    pub socket: SocketId,
    /// The panic message.
    pub message: String,
}

type HandlerFn = dyn FnMut(&SocketReactor, Notification) + Send;
type PanicHandler = Arc<dyn Fn(&HandlerPanic) + Send + Sync>;

struct Slot {
    id: u64,
    kind: Notification,
    removed: AtomicBool,
    f: Mutex<Box<HandlerFn>>,
}

/// A registered socket, kept open while it has handlers (POCO keeps a `Socket` copy).
#[derive(Clone)]
struct Held(Arc<dyn AsFd + Send + Sync>);

impl AsFd for Held {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

struct Entry {
    socket: Held,
    slots: Vec<Arc<Slot>>,
}

struct Shared {
    poll: PollSet<Held>,
    registry: Mutex<HashMap<SocketId, Entry>>,
    next_id: AtomicU64,
    stop: AtomicBool,
    /// In nanoseconds: read once per loop, so an atomic rather than a lock.
    timeout_ns: AtomicU64,
    panics: AtomicU64,
    panic_handler: Mutex<Option<PanicHandler>>,
}

/// POCO `SocketReactor`: waits for events on registered sockets and calls their handlers,
/// all on the thread that calls [`run`](Self::run).
///
/// Handlers are closures `FnMut(&SocketReactor, Notification)`, registered per socket and
/// [`Notification`]. The registry is never locked while a handler runs, so a handler may
/// read, write, close its socket, add handlers and remove itself or others from inside its
/// call; handlers removed during a round are not called later in it. Any thread may add or
/// remove handlers or [`stop`](Self::stop) the reactor. Polling is level-triggered: a
/// readable handler that leaves data unread is called again.
///
/// A handler that panics is caught: the panic is logged, counted ([`panics`](Self::panics)),
/// passed to the [`panic handler`](Self::set_panic_handler) if any, and that one handler is
/// removed; the reactor and every other handler go on. The same holds for a service
/// handler's `open` called by an acceptor (its connection is closed).
///
/// Clones share one reactor. Handlers get the reactor as an argument; one that keeps a clone
/// keeps the reactor alive until it is removed.
#[derive(Clone)]
pub struct SocketReactor {
    shared: Arc<Shared>,
}

impl fmt::Debug for SocketReactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketReactor").field("sockets", &self.registry().len()).finish()
    }
}

/// A duration in nanoseconds, saturating (584 years).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// POCO's default reactor timeout: 250 ms.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

impl SocketReactor {
    /// A reactor with POCO's default timeout (250 ms).
    pub fn new() -> Result<Self> {
        Self::with_timeout(DEFAULT_TIMEOUT)
    }

    /// A reactor that sends [`Notification::Timeout`] after `timeout` without events.
    pub fn with_timeout(timeout: Duration) -> Result<Self> {
        Ok(SocketReactor {
            shared: Arc::new(Shared {
                poll: PollSet::new()?,
                registry: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1),
                stop: AtomicBool::new(false),
                timeout_ns: AtomicU64::new(nanos(timeout)),
                panics: AtomicU64::new(0),
                panic_handler: Mutex::new(None),
            }),
        })
    }

    fn registry(&self) -> MutexGuard<'_, HashMap<SocketId, Entry>> {
        self.shared.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the timeout (POCO `setTimeout`); takes effect from the next wait.
    pub fn set_timeout(&self, timeout: Duration) {
        self.shared.timeout_ns.store(nanos(timeout), Ordering::Release);
        let _ = self.shared.poll.wake_up();
    }

    /// The timeout (POCO `getTimeout`).
    pub fn timeout(&self) -> Duration {
        Duration::from_nanos(self.shared.timeout_ns.load(Ordering::Acquire))
    }

    /// Registers `handler` for `notification` on `socket` (POCO `addEventHandler`). The
    /// reactor keeps a clone of the socket while any handler for it is registered.
    pub fn add_event_handler<S, F>(
        &self,
        socket: &S,
        notification: Notification,
        handler: F,
    ) -> Result<HandlerId>
    where
        S: AsFd + Clone + Send + Sync + 'static,
        F: FnMut(&SocketReactor, Notification) + Send + 'static,
    {
        let key = SocketId::of(socket);
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            id,
            kind: notification,
            removed: AtomicBool::new(false),
            f: Mutex::new(Box::new(handler)),
        });
        let mut reg = self.registry();
        let entry = reg
            .entry(key)
            .or_insert_with(|| Entry { socket: Held(Arc::new(socket.clone())), slots: Vec::new() });
        entry.slots.push(slot);
        if let Err(e) = self.sync_mode(&mut reg, key) {
            if let Some(entry) = reg.get_mut(&key) {
                entry.slots.retain(|s| s.id != id);
            }
            let _ = self.sync_mode(&mut reg, key);
            return Err(e);
        }
        Ok(HandlerId(id))
    }

    /// Whether a handler for `notification` is registered on `socket` (POCO `hasEventHandler`).
    pub fn has_event_handler(&self, socket: &impl AsFd, notification: Notification) -> bool {
        self.registry()
            .get(&SocketId::of(socket))
            .is_some_and(|e| e.slots.iter().any(|s| s.kind == notification))
    }

    /// Removes every handler for `notification` on `socket` (POCO `removeEventHandler`).
    pub fn remove_event_handler(&self, socket: &impl AsFd, notification: Notification) {
        self.remove_where(SocketId::of(socket), |s| s.kind == notification);
    }

    /// Removes one handler.
    pub fn remove_handler(&self, id: HandlerId) {
        let key = self.registry().iter().find(|(_, e)| e.slots.iter().any(|s| s.id == id.0)).map(|(k, _)| *k);
        if let Some(key) = key {
            self.remove_where(key, |s| s.id == id.0);
        }
    }

    /// Removes every handler on `socket` and lets go of the reactor's clone of it: what a
    /// service handler does to close itself.
    pub fn remove_socket(&self, socket: &impl AsFd) {
        self.remove_where(SocketId::of(socket), |_| true);
    }

    fn remove_where(&self, key: SocketId, pred: impl Fn(&Slot) -> bool) {
        let mut reg = self.registry();
        let Some(entry) = reg.get_mut(&key) else { return };
        entry.slots.retain(|s| {
            let gone = pred(s);
            if gone {
                s.removed.store(true, Ordering::Release);
            }
            !gone
        });
        let _ = self.sync_mode(&mut reg, key);
    }

    /// Brings the poll set in line with the handlers registered for `key`; drops the entry
    /// when no handler is left.
    fn sync_mode(&self, reg: &mut HashMap<SocketId, Entry>, key: SocketId) -> Result<()> {
        let Some(entry) = reg.get(&key) else { return Ok(()) };
        let mode = entry.slots.iter().fold(PollMode::NONE, |m, s| m | s.kind.mode());
        let poll = &self.shared.poll;
        if mode.is_empty() {
            poll.remove(key);
        } else if poll.mode(key) != Some(mode) {
            poll.add(entry.socket.clone(), mode)?;
        }
        if entry.slots.is_empty() {
            reg.remove(&key);
        }
        Ok(())
    }

    /// How many sockets have handlers.
    pub fn socket_count(&self) -> usize {
        self.registry().len()
    }

    /// How many handler panics were caught since the reactor was made.
    pub fn panics(&self) -> u64 {
        self.shared.panics.load(Ordering::Relaxed)
    }

    /// Called with each caught handler panic (POCO routes these to its `ErrorHandler`).
    pub fn set_panic_handler(&self, f: impl Fn(&HandlerPanic) + Send + Sync + 'static) {
        *self.shared.panic_handler.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(f));
    }

    /// Runs the event loop on this thread until [`stop`](Self::stop) (POCO `run`), then
    /// sends [`Notification::Shutdown`]. A `stop` made before `run` makes it return at once.
    pub fn run(&self) {
        let mut last_event = Instant::now();
        // Kept across rounds: a round allocates nothing.
        let mut buffers = PollBuffers::default();
        let mut slots = Vec::new();
        while !self.shared.stop.load(Ordering::Acquire) {
            let timeout = self.timeout();
            if self.shared.poll.is_empty() {
                self.dispatch_all(Notification::Idle);
            }
            let ready = match self.shared.poll.poll_into(Some(timeout), &mut buffers) {
                Ok(ready) => ready,
                Err(e) => {
                    log::error!("SocketReactor: poll failed: {e}");
                    std::thread::sleep(timeout.min(Duration::from_millis(100)));
                    continue;
                }
            };
            if ready.is_empty() {
                // A wake-up (a new timeout, a stop) is not a timeout.
                if last_event.elapsed() >= timeout && !self.shared.stop.load(Ordering::Acquire) {
                    self.dispatch_all(Notification::Timeout);
                    last_event = Instant::now();
                }
                continue;
            }
            last_event = Instant::now();
            for &(key, mode) in ready {
                self.dispatch(key, mode, &mut slots);
            }
        }
        self.dispatch_all(Notification::Shutdown);
        self.shared.stop.store(false, Ordering::Release);
    }

    /// Makes [`run`](Self::run) return after the handlers now running (POCO `stop`). Any
    /// thread, or a handler, may call it.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        let _ = self.shared.poll.wake_up();
    }

    /// Wakes the loop so it re-reads its timeout and stop flag (POCO `wakeUp`).
    pub fn wake_up(&self) {
        let _ = self.shared.poll.wake_up();
    }

    /// Calls a ready socket's handlers for what happened: readable, then writable, then
    /// error, each in the order they were added.
    fn dispatch(&self, key: SocketId, mode: PollMode, slots: &mut Vec<Arc<Slot>>) {
        {
            let registry = self.registry();
            let Some(e) = registry.get(&key) else { return };
            for kind in [Notification::Readable, Notification::Writable, Notification::Error] {
                if mode.contains(kind.mode()) {
                    slots.extend(e.slots.iter().filter(|s| s.kind == kind).cloned());
                }
            }
        }
        for slot in slots.drain(..) {
            self.call(key, &slot);
        }
    }

    fn dispatch_all(&self, kind: Notification) {
        let slots: Vec<(SocketId, Arc<Slot>)> = self
            .registry()
            .iter()
            .flat_map(|(k, e)| e.slots.iter().filter(|s| s.kind == kind).map(|s| (*k, s.clone())))
            .collect();
        for (key, slot) in slots {
            self.call(key, &slot);
        }
    }

    fn call(&self, key: SocketId, slot: &Slot) {
        if slot.removed.load(Ordering::Acquire) {
            return;
        }
        let outcome = {
            let mut f = slot.f.lock().unwrap_or_else(|p| p.into_inner());
            catch_unwind(AssertUnwindSafe(|| (f)(self, slot.kind)))
        };
        if let Err(payload) = outcome {
            log::error!("SocketReactor: a {:?} handler panicked; it is removed", slot.kind);
            self.remove_where(key, |s| s.id == slot.id);
            self.report_panic(slot.kind, key, payload.as_ref());
        }
    }

    /// Counts a caught panic and hands it to the panic handler: a handler's, or a service
    /// handler's `open` run by an acceptor or connector.
    pub(crate) fn report_panic(
        &self,
        notification: Notification,
        socket: SocketId,
        payload: &(dyn Any + Send),
    ) {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_owned());
        self.shared.panics.fetch_add(1, Ordering::Relaxed);
        log::error!("SocketReactor: caught a panic in a {notification:?} callback: {message}");
        let handler = self.shared.panic_handler.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(h) = handler {
            let report = HandlerPanic { notification, socket, message };
            if catch_unwind(AssertUnwindSafe(|| h(&report))).is_err() {
                log::error!("SocketReactor: the panic handler panicked too");
            }
        }
    }
}
