//! [`TcpServerParams`]: POCO's `TCPServerParams`.

use std::time::Duration;

/// Settings of a [`TcpServer`](crate::TcpServer) (POCO `TCPServerParams`), with POCO's
/// defaults: up to 16 worker threads (POCO's default thread pool capacity), 64 queued
/// connections, workers that idle for 10 s exit.
///
/// Connections wait in the queue until a worker is free; one that arrives while
/// `max_queued` connections are already waiting is accepted and closed at once (counted by
/// [`TcpServer::refused_connections`](crate::TcpServer::refused_connections)), never left
/// hanging in the listen backlog. POCO's thread priority is not ported.
///
/// ```
/// use std::time::Duration;
/// use rpoco_net::TcpServerParams;
/// let params = TcpServerParams { max_threads: 4, ..TcpServerParams::default() };
/// assert_eq!((params.max_queued, params.thread_idle_time), (64, Duration::from_secs(10)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpServerParams {
    /// The most worker threads serving connections at once (POCO `maxThreads`; 0 means
    /// POCO's default pool capacity, 16).
    pub max_threads: usize,
    /// The most accepted connections waiting for a worker (POCO `maxQueued`, 64).
    pub max_queued: usize,
    /// How long an idle worker thread waits for work before it exits (POCO
    /// `threadIdleTime`, 10 s).
    pub thread_idle_time: Duration,
    /// How long [`TcpServer::stop`](crate::TcpServer::stop) lets running connections finish
    /// before it shuts their sockets down (not in POCO, whose `stop` does not wait).
    pub drain_timeout: Duration,
}

/// POCO's default thread pool capacity, used when `max_threads` is 0.
pub(crate) const DEFAULT_MAX_THREADS: usize = 16;

impl Default for TcpServerParams {
    fn default() -> Self {
        TcpServerParams {
            max_threads: DEFAULT_MAX_THREADS,
            max_queued: 64,
            thread_idle_time: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
        }
    }
}

impl TcpServerParams {
    /// `max_threads`, with 0 read as POCO's default of 16.
    pub fn effective_max_threads(&self) -> usize {
        if self.max_threads == 0 { DEFAULT_MAX_THREADS } else { self.max_threads }
    }
}
