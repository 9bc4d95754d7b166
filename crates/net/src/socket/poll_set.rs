//! [`PollSet`] (POCO `PollSet`): a set of sockets watched for readability, writability and
//! errors, level-triggered as POCO's is, over `epoll` (through rustix's safe wrappers).

use std::collections::HashMap;
use std::io;
use std::ops::{BitOr, BitOrAssign};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rustix::buffer::spare_capacity;
use rustix::event::{EventfdFlags, Timespec, epoll, eventfd};

use crate::error::{Error, ErrorKind, Result};

/// Which events a socket is watched for, or which happened (POCO `PollSet::Mode`).
///
/// ```
/// use rpoco_net::PollMode;
/// let m = PollMode::READ | PollMode::WRITE;
/// assert!(m.contains(PollMode::READ) && !m.contains(PollMode::ERROR));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PollMode(u8);

impl PollMode {
    /// Nothing.
    pub const NONE: PollMode = PollMode(0);
    /// Readable (POCO `POLL_READ`): data, a pending connection, or end of stream.
    pub const READ: PollMode = PollMode(1);
    /// Writable (POCO `POLL_WRITE`): room in the send buffer, or a connect finished.
    pub const WRITE: PollMode = PollMode(2);
    /// An error or hang-up (POCO `POLL_ERROR`); always reported, asked for or not.
    pub const ERROR: PollMode = PollMode(4);

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: PollMode) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Whether no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The bits of `self` not in `other`.
    pub fn without(self, other: PollMode) -> PollMode {
        PollMode(self.0 & !other.0)
    }

    pub(crate) fn to_epoll(self) -> epoll::EventFlags {
        let mut f = epoll::EventFlags::empty();
        if self.contains(PollMode::READ) {
            f |= epoll::EventFlags::IN | epoll::EventFlags::RDHUP;
        }
        if self.contains(PollMode::WRITE) {
            f |= epoll::EventFlags::OUT;
        }
        // EPOLLERR and EPOLLHUP are always reported; asking adds nothing.
        f
    }

    fn from_epoll(f: epoll::EventFlags, asked: PollMode) -> PollMode {
        let mut m = PollMode::NONE;
        if f.intersects(epoll::EventFlags::IN | epoll::EventFlags::RDHUP) {
            m |= PollMode::READ;
        }
        if f.contains(epoll::EventFlags::OUT) {
            m |= PollMode::WRITE;
        }
        if f.contains(epoll::EventFlags::ERR) {
            m |= PollMode::ERROR;
        }
        // A hang-up reads as end of stream for a reader; for anyone else it is an error.
        if f.contains(epoll::EventFlags::HUP) {
            m |= if asked.contains(PollMode::READ) { PollMode::READ } else { PollMode::ERROR };
        }
        m
    }
}

impl BitOr for PollMode {
    type Output = PollMode;
    fn bitor(self, rhs: PollMode) -> PollMode {
        PollMode(self.0 | rhs.0)
    }
}

impl BitOrAssign for PollMode {
    fn bitor_assign(&mut self, rhs: PollMode) {
        self.0 |= rhs.0;
    }
}

/// The identity of a socket in a [`PollSet`]: its descriptor number, which stays unique
/// while the set holds the socket (the set keeps it open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(RawFd);

impl SocketId {
    /// The id of `socket`.
    pub fn of(socket: &impl AsFd) -> SocketId {
        SocketId(socket.as_fd().as_raw_fd())
    }
}

/// The largest number of events one [`PollSet::poll`] returns; the rest come next time
/// (level-triggered, so nothing is lost).
const MAX_EVENTS: usize = 1024;

/// The buffers of [`PollSet::poll_into`]: the kernel's events and the ready list.
#[derive(Default)]
pub(crate) struct PollBuffers {
    events: Vec<epoll::Event>,
    ready: Vec<(SocketId, PollMode)>,
}
const WAKE_KEY: u64 = u64::MAX;

struct Entry<S> {
    socket: S,
    mode: PollMode,
}

/// POCO `PollSet`: sockets watched for [`PollMode`] events. Level-triggered: a socket stays
/// ready until its data is read (or its buffer drains), as with POCO's.
///
/// The set holds each socket added (a clone of a [`StreamSocket`](crate::StreamSocket) or
/// [`ServerSocket`](crate::ServerSocket), an `Arc<DatagramSocket>`, ...), which keeps it open
/// until removed. All methods take `&self`; [`wake_up`](Self::wake_up) makes a `poll` blocked
/// on another thread return early.
///
/// ```
/// use std::time::Duration;
/// use rpoco_net::{PollMode, PollSet, ServerSocket, SocketAddress, StreamSocket};
/// let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
/// let set = PollSet::new()?;
/// set.add(server.clone(), PollMode::READ)?;
/// assert!(set.poll(Some(Duration::from_millis(10)))?.is_empty());
/// let _client = StreamSocket::connect(&server.address()?)?;
/// let ready = set.poll(Some(Duration::from_secs(5)))?;
/// assert_eq!(ready[0].1, PollMode::READ);
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub struct PollSet<S = OwnedFd> {
    epoll: OwnedFd,
    waker: OwnedFd,
    entries: Mutex<HashMap<SocketId, Entry<S>>>,
}

impl<S> std::fmt::Debug for PollSet<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollSet").finish_non_exhaustive()
    }
}

impl<S: AsFd> PollSet<S> {
    /// An empty set.
    pub fn new() -> Result<Self> {
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC).map_err(io_err("epoll_create"))?;
        let waker = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK).map_err(io_err("eventfd"))?;
        epoll::add(&epoll, &waker, epoll::EventData::new_u64(WAKE_KEY), epoll::EventFlags::IN)
            .map_err(io_err("epoll_ctl"))?;
        Ok(PollSet { epoll, waker, entries: Mutex::new(HashMap::new()) })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SocketId, Entry<S>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `socket` watched for `mode`; a socket already in the set has its mode replaced
    /// (POCO `add`). Returns its id.
    pub fn add(&self, socket: S, mode: PollMode) -> Result<SocketId> {
        let id = SocketId::of(&socket);
        let mut entries = self.lock();
        let data = epoll::EventData::new_u64(id.0 as u64);
        if entries.contains_key(&id) {
            epoll::modify(&self.epoll, &socket, data, mode.to_epoll()).map_err(io_err("epoll_ctl"))?;
        } else {
            epoll::add(&self.epoll, &socket, data, mode.to_epoll()).map_err(io_err("epoll_ctl"))?;
        }
        entries.insert(id, Entry { socket, mode });
        Ok(id)
    }

    /// Changes the mode of a socket in the set (POCO `update`); not in the set →
    /// [`ErrorKind::NotFound`].
    pub fn update(&self, id: SocketId, mode: PollMode) -> Result<()> {
        let mut entries = self.lock();
        let entry = entries.get_mut(&id).ok_or_else(|| {
            Error::new(ErrorKind::NotFound, format!("socket {} is not in the poll set", id.0))
        })?;
        if entry.mode != mode {
            let data = epoll::EventData::new_u64(id.0 as u64);
            epoll::modify(&self.epoll, &entry.socket, data, mode.to_epoll()).map_err(io_err("epoll_ctl"))?;
            entry.mode = mode;
        }
        Ok(())
    }

    /// Removes a socket and gives it back (POCO `remove`); `None` if it was not in the set.
    pub fn remove(&self, id: SocketId) -> Option<S> {
        let entry = self.lock().remove(&id)?;
        // It may already be gone from epoll if the descriptor is shared and was closed.
        let _ = epoll::delete(&self.epoll, &entry.socket);
        Some(entry.socket)
    }

    /// Whether the socket is in the set (POCO `has`).
    pub fn has(&self, id: SocketId) -> bool {
        self.lock().contains_key(&id)
    }

    /// The mode a socket is watched for.
    pub fn mode(&self, id: SocketId) -> Option<PollMode> {
        self.lock().get(&id).map(|e| e.mode)
    }

    /// Whether the set is empty (POCO `empty`).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// How many sockets are in the set.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Removes every socket (POCO `clear`).
    pub fn clear(&self) {
        let mut entries = self.lock();
        for (_, entry) in entries.drain() {
            let _ = epoll::delete(&self.epoll, &entry.socket);
        }
    }

    /// Waits up to `timeout` (`None`: until something happens or [`wake_up`](Self::wake_up))
    /// and returns the ready sockets with what happened to each (POCO `poll`). An empty list
    /// means the time ran out or the set was woken.
    pub fn poll(&self, timeout: Option<Duration>) -> Result<Vec<(SocketId, PollMode)>> {
        let mut buffers = PollBuffers::default();
        self.poll_into(timeout, &mut buffers)?;
        Ok(buffers.ready)
    }

    /// [`poll`](Self::poll) into buffers kept between calls, so an event loop polls without
    /// allocating.
    pub(crate) fn poll_into<'b>(
        &self,
        timeout: Option<Duration>,
        buffers: &'b mut PollBuffers,
    ) -> Result<&'b [(SocketId, PollMode)]> {
        let ts = timeout.map(|t| {
            Timespec::try_from(t.min(Duration::from_secs(86_400)))
                .unwrap_or(Timespec { tv_sec: 86_400, tv_nsec: 0 })
        });
        let PollBuffers { events, ready } = buffers;
        events.clear();
        ready.clear();
        // Room for every socket (up to MAX_EVENTS) as the set is now: buffers kept from
        // when the set was smaller would cap each wait at that old size.
        let want = MAX_EVENTS.min(self.len() + 1);
        if events.capacity() < want {
            events.reserve(want);
        }
        loop {
            match epoll::wait(&self.epoll, spare_capacity(&mut *events), ts.as_ref()) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(Error::from_io_during(e.into(), "poll")),
            }
        }
        let entries = self.lock();
        for ev in events.iter() {
            let key = ev.data.u64();
            if key == WAKE_KEY {
                let mut buf = [0u8; 8];
                let _ = rustix::io::read(&self.waker, &mut buf);
                continue;
            }
            let id = SocketId(key as RawFd);
            // Removed by another thread between the wait and now: not reported.
            if let Some(entry) = entries.get(&id) {
                let mode = PollMode::from_epoll(ev.flags, entry.mode);
                if !mode.is_empty() {
                    ready.push((id, mode));
                }
            }
        }
        Ok(ready)
    }

    /// Makes a [`poll`](Self::poll) blocked on another thread return (POCO `wakeUp`).
    pub fn wake_up(&self) -> Result<()> {
        match rustix::io::write(&self.waker, &1u64.to_ne_bytes()) {
            // The counter is full: a wake-up is already pending.
            Ok(_) | Err(rustix::io::Errno::AGAIN) => Ok(()),
            Err(e) => Err(Error::from_io_during(e.into(), "wake up poll set")),
        }
    }
}

impl<S: AsFd + Clone> PollSet<S> {
    /// A clone of the socket with `id`.
    pub fn get(&self, id: SocketId) -> Option<S> {
        self.lock().get(&id).map(|e| e.socket.clone())
    }

    /// [`poll`](Self::poll), returning clones of the ready sockets (POCO's `SocketModeMap`).
    pub fn poll_sockets(&self, timeout: Option<Duration>) -> Result<Vec<(S, PollMode)>> {
        let ready = self.poll(timeout)?;
        let entries = self.lock();
        Ok(ready.into_iter().filter_map(|(id, m)| entries.get(&id).map(|e| (e.socket.clone(), m))).collect())
    }
}

fn io_err(what: &'static str) -> impl Fn(rustix::io::Errno) -> Error {
    move |e| Error::from_io_during(io::Error::from(e), what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ServerSocket, SocketAddress, StreamSocket};

    fn pair() -> (StreamSocket, StreamSocket) {
        let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
        let a = StreamSocket::connect(&server.address().unwrap()).unwrap();
        (a, server.accept_connection().unwrap().0)
    }

    #[test]
    fn kept_buffers_grow_with_the_set() {
        // Buffers first used on a one-socket set, then on a set of 40 ready sockets: one
        // wait reports all 40, not as many as fitted the first time.
        let set = PollSet::new().unwrap();
        let mut buffers = PollBuffers::default();
        let (a0, b0) = pair();
        set.add(b0.clone(), PollMode::READ).unwrap();
        a0.send_bytes(b"x").unwrap();
        assert_eq!(set.poll_into(Some(Duration::from_secs(5)), &mut buffers).unwrap().len(), 1);
        let pairs: Vec<_> = (0..39).map(|_| pair()).collect();
        for (a, b) in &pairs {
            set.add(b.clone(), PollMode::READ).unwrap();
            a.send_bytes(b"x").unwrap();
        }
        let ready = set.poll_into(Some(Duration::from_secs(5)), &mut buffers).unwrap();
        assert_eq!(ready.len(), 40);
    }

    #[test]
    fn level_triggered_read_write_and_update() {
        let (a, b) = pair();
        let set = PollSet::new().unwrap();
        let id = set.add(b.clone(), PollMode::READ).unwrap();
        assert!(set.poll(Some(Duration::from_millis(1))).unwrap().is_empty());
        a.send_bytes(b"x").unwrap();
        for _ in 0..2 {
            // Still ready the second time: nothing was read (level-triggered).
            assert_eq!(set.poll(Some(Duration::from_secs(5))).unwrap(), vec![(id, PollMode::READ)]);
        }
        set.update(id, PollMode::READ | PollMode::WRITE).unwrap();
        let got = set.poll(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(got, vec![(id, PollMode::READ | PollMode::WRITE)]);
        assert!(set.remove(id).is_some());
        assert!(!set.has(id) && set.is_empty());
        assert_eq!(set.update(id, PollMode::READ).err().map(|e| e.kind()), Some(ErrorKind::NotFound));
    }

    #[test]
    fn hang_up_reads_as_readable_and_wake_up_returns_early() {
        let (a, b) = pair();
        let set = std::sync::Arc::new(PollSet::new().unwrap());
        let id = set.add(b, PollMode::READ).unwrap();
        drop(a);
        let got = set.poll(Some(Duration::from_secs(5))).unwrap();
        assert!(got[0].1.contains(PollMode::READ), "{got:?}");
        set.remove(id);
        let s2 = set.clone();
        let t = std::thread::spawn(move || s2.poll(None).unwrap());
        std::thread::sleep(Duration::from_millis(50));
        set.wake_up().unwrap();
        assert!(t.join().unwrap().is_empty());
    }
}
