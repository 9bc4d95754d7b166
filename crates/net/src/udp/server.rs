//! [`UdpServer`]: one receiving thread fills pooled buffers, a bounded set of handler
//! threads processes them; when every buffer is in use, datagrams are dropped and counted.

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::socket::{DatagramSocket, PollMode, SocketAddress};

/// Processes one datagram (POCO `UDPHandler::processData`). `socket` is the server's, for
/// replies. Runs on one of the server's handler threads; a panic is caught and counted.
pub trait UdpHandler: Send + Sync + 'static {
    /// Handles `data`, which came from `from`.
    fn process(&self, data: &[u8], from: SocketAddress, socket: &DatagramSocket);
}

impl<F> UdpHandler for F
where
    F: Fn(&[u8], SocketAddress, &DatagramSocket) + Send + Sync + 'static,
{
    fn process(&self, data: &[u8], from: SocketAddress, socket: &DatagramSocket) {
        self(data, from, socket)
    }
}

/// A [`UdpServer`]'s limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpServerParams {
    /// Handler threads (POCO's handler count); at least 1.
    pub threads: usize,
    /// Buffers, which bounds the datagrams received but not yet handled (POCO's buffer pool
    /// size); at least 1. When all are in use, new datagrams are dropped.
    pub buffers: usize,
    /// The largest datagram kept whole; longer ones are truncated by the system and counted
    /// in [`UdpServerStats::truncated`] (POCO's buffer size; 64 KiB holds any UDP payload).
    pub buffer_size: usize,
    /// How often the receiving thread checks for [`UdpServer::stop`].
    pub poll_interval: Duration,
}

impl Default for UdpServerParams {
    fn default() -> Self {
        UdpServerParams {
            threads: 2,
            buffers: 256,
            buffer_size: 65_536,
            poll_interval: Duration::from_millis(100),
        }
    }
}

/// Counters of a [`UdpServer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UdpServerStats {
    /// Datagrams received.
    pub received: u64,
    /// Datagrams handled (the handler returned or panicked).
    pub handled: u64,
    /// Datagrams dropped because every buffer was in use.
    pub dropped: u64,
    /// Datagrams longer than the buffer size (handled truncated).
    pub truncated: u64,
    /// Handler panics caught.
    pub panics: u64,
}

#[derive(Default)]
struct Counters {
    received: AtomicU64,
    handled: AtomicU64,
    dropped: AtomicU64,
    truncated: AtomicU64,
    panics: AtomicU64,
}

struct Packet {
    buf: Vec<u8>,
    len: usize,
    from: SocketAddress,
}

/// POCO `UDPServer`: receives datagrams on a [`DatagramSocket`] and runs a [`UdpHandler`]
/// on each, on a fixed number of threads with a fixed number of buffers, so a flood costs a
/// bounded amount of memory and threads (excess datagrams are dropped and counted, as the
/// network itself would drop them). Starts at once; [`stop`](Self::stop) or drop ends it.
pub struct UdpServer {
    socket: Arc<DatagramSocket>,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for UdpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpServer").field("socket", &self.socket).field("stats", &self.stats()).finish()
    }
}

impl UdpServer {
    /// Starts serving `socket` with `handler`.
    pub fn new(handler: impl UdpHandler, socket: DatagramSocket, params: UdpServerParams) -> Result<Self> {
        let threads = params.threads.max(1);
        let buffers = params.buffers.max(1);
        let size = params.buffer_size.clamp(1, 65_536);
        let socket = Arc::new(socket);
        socket.set_blocking(false)?;
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let handler: Arc<dyn UdpHandler> = Arc::new(handler);
        // Buffers circulate: pool → receiver → queue → handler → pool. Neither channel can
        // hold more than `buffers`, and no buffer is ever made beyond them.
        let (pool_tx, pool_rx) = sync_channel::<Vec<u8>>(buffers);
        for _ in 0..buffers {
            let _ = pool_tx.try_send(vec![0u8; size]);
        }
        let (work_tx, work_rx) = sync_channel::<Packet>(buffers);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let mut handles = Vec::with_capacity(threads + 1);
        for i in 0..threads {
            let (rx, pool, h, s, c) =
                (work_rx.clone(), pool_tx.clone(), handler.clone(), socket.clone(), counters.clone());
            handles.push(spawn(&format!("rpoco-udp-{i}"), move || handle_loop(&rx, &pool, &*h, &s, &c))?);
        }
        let (s, st, c) = (socket.clone(), stop.clone(), counters.clone());
        let interval = params.poll_interval.max(Duration::from_millis(1));
        handles
            .push(spawn("rpoco-udp-recv", move || receive_loop(&s, &st, &c, &pool_rx, work_tx, interval))?);
        Ok(UdpServer { socket, stop, counters, threads: Mutex::new(handles) })
    }

    /// The address served.
    pub fn address(&self) -> Result<SocketAddress> {
        self.socket.address()
    }

    /// The counters so far.
    pub fn stats(&self) -> UdpServerStats {
        let c = &self.counters;
        UdpServerStats {
            received: c.received.load(Ordering::Relaxed),
            handled: c.handled.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            truncated: c.truncated.load(Ordering::Relaxed),
            panics: c.panics.load(Ordering::Relaxed),
        }
    }

    /// Stops receiving, lets the handlers finish what was received, and joins the threads.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        let handles = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|p| p.into_inner()));
        for h in handles {
            let _ = h.join();
        }
    }
}

impl Drop for UdpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| Error::from_io_during(e, "start UDP server thread"))
}

fn receive_loop(
    socket: &DatagramSocket,
    stop: &AtomicBool,
    c: &Counters,
    pool: &Receiver<Vec<u8>>,
    work: SyncSender<Packet>,
    interval: Duration,
) {
    let mut spare: Option<Vec<u8>> = None;
    let mut scratch = [0u8; 1];
    while !stop.load(Ordering::Acquire) {
        match socket.poll(Some(interval), PollMode::READ) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                log::error!("UdpServer: poll failed: {e}");
                std::thread::sleep(interval);
                continue;
            }
        }
        // Drain what is queued, then wait again.
        loop {
            let Some(mut buf) = spare.take().or_else(|| pool.try_recv().ok()) else {
                // Every buffer is busy: take the datagram off the socket and drop it.
                if recv_truncating(socket, &mut scratch).is_err() {
                    break;
                }
                c.received.fetch_add(1, Ordering::Relaxed);
                c.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            match recv_truncating(socket, &mut buf) {
                Ok((len, full, from)) => {
                    c.received.fetch_add(1, Ordering::Relaxed);
                    if full > len {
                        c.truncated.fetch_add(1, Ordering::Relaxed);
                    }
                    match work.try_send(Packet { buf, len, from }) {
                        Ok(()) => {}
                        // Cannot happen while the buffers bound the queue; never block on it.
                        Err(TrySendError::Full(p)) => {
                            c.dropped.fetch_add(1, Ordering::Relaxed);
                            spare = Some(p.buf);
                        }
                        Err(TrySendError::Disconnected(_)) => return,
                    }
                }
                Err(e) => {
                    if e.kind() != io::ErrorKind::WouldBlock && e.kind() != io::ErrorKind::Interrupted {
                        log::warn!("UdpServer: receive failed: {e}");
                    }
                    spare = Some(buf);
                    break;
                }
            }
        }
    }
}

/// `recvfrom` with `MSG_TRUNC`: the bytes kept, the datagram's full length, the sender.
fn recv_truncating(socket: &DatagramSocket, buf: &mut [u8]) -> io::Result<(usize, usize, SocketAddress)> {
    let (kept, full, from) = rustix::net::recvfrom(socket, buf, rustix::net::RecvFlags::TRUNC)?;
    let from = from
        .and_then(|a| std::net::SocketAddr::try_from(a).ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "datagram without an IP sender"))?;
    Ok((kept, full, from.into()))
}

fn handle_loop(
    work: &Mutex<Receiver<Packet>>,
    pool: &SyncSender<Vec<u8>>,
    handler: &dyn UdpHandler,
    socket: &DatagramSocket,
    c: &Counters,
) {
    loop {
        let packet = {
            let rx = work.lock().unwrap_or_else(|p| p.into_inner());
            match rx.recv() {
                Ok(p) => p,
                Err(_) => return,
            }
        };
        if catch_unwind(AssertUnwindSafe(|| handler.process(&packet.buf[..packet.len], packet.from, socket)))
            .is_err()
        {
            c.panics.fetch_add(1, Ordering::Relaxed);
            log::error!("UdpServer: the handler panicked on a datagram from {}", packet.from);
        }
        c.handled.fetch_add(1, Ordering::Relaxed);
        let _ = pool.try_send(packet.buf);
    }
}
