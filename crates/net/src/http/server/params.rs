//! [`HttpServerParams`]: POCO's `HTTPServerParams`.

use std::time::Duration;

use crate::http::proto::RequestLimits;
use crate::tcp_server::TcpServerParams;

/// Settings of an [`HttpServer`](crate::HttpServer) (POCO `HTTPServerParams`, which extends
/// `TCPServerParams`: here the TCP part is the [`tcp`](Self::tcp) field), with POCO's
/// defaults.
///
/// ```
/// use std::time::Duration;
/// use rpoco_net::HttpServerParams;
/// let mut params = HttpServerParams::default();
/// assert_eq!(params.timeout, Duration::from_secs(60));
/// assert_eq!(params.keep_alive_timeout, Duration::from_secs(15));
/// assert!(params.keep_alive && params.max_keep_alive_requests == 0);
/// params.software_version = "MyServer/1.0".into(); // sent as `Server`
/// params.tcp.max_threads = 8;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpServerParams {
    /// Thread pool and queue settings (POCO's `TCPServerParams` part).
    pub tcp: TcpServerParams,
    /// The server's name and port as clients address it (POCO `serverName`); informational.
    pub server_name: String,
    /// Sent as the `Server` header when not empty (POCO `softwareVersion`; default empty, so
    /// no `Server` header).
    pub software_version: String,
    /// How long a new connection may take to send its first request byte, and the receive
    /// and send timeout while a request is served (POCO `timeout`, 60 s).
    pub timeout: Duration,
    /// Whether connections are kept open between requests (POCO `keepAlive`, true).
    pub keep_alive: bool,
    /// The most requests on one connection; 0 = unlimited (POCO `maxKeepAliveRequests`).
    pub max_keep_alive_requests: u32,
    /// How long an idle kept-alive connection waits for its next request (POCO
    /// `keepAliveTimeout`, 15 s). It waits in the poller, holding no thread.
    pub keep_alive_timeout: Duration,
    /// How long a whole request head may take to arrive, from its first byte (not in
    /// POCO, whose 60 s timeout applies to each read, so a client sending a byte a minute
    /// holds a connection forever). A client that misses it gets `408` and is closed.
    pub request_head_timeout: Duration,
    /// How long a whole request body may take to arrive, from the end of its head, plus
    /// one second per [`min_data_rate`](Self::min_data_rate) bytes received (not in POCO,
    /// whose per-read timeout lets a client sending a byte a minute hold a thread forever).
    /// Bodies up to [`buffered_body_limit`](Self::buffered_body_limit) are read in the
    /// poller before the handler runs; a client that misses it gets `408` and is closed.
    pub request_body_timeout: Duration,
    /// How long a whole response may take to leave once the handler returned (what the
    /// socket did not take at once is sent from the poller, holding no thread), plus one
    /// second per [`min_data_rate`](Self::min_data_rate) bytes sent. A client that reads
    /// slower is closed. No further pipelined request is read until a response is out.
    pub response_timeout: Duration,
    /// The slowest transfer rate, in bytes a second, that earns a body or response more
    /// time than its timeout (default 500, as Apache's `mod_reqtimeout`); 0: the timeouts
    /// are hard limits.
    pub min_data_rate: u64,
    /// Request bodies up to this size (fixed-length or chunked, without
    /// `Expect: 100-continue`) are read in full while the connection waits in the poller,
    /// before the handler runs, so a slow sender holds no worker thread (default 1 MiB).
    /// Larger bodies are read by the handler, with [`timeout`](Self::timeout) per read.
    pub buffered_body_limit: usize,
    /// Method, URI and header limits (POCO's 32 / 16384 bytes, 100 fields, 256-byte names,
    /// 8192-byte values). A longer URI is answered with `414`, header limits with `431`.
    pub limits: RequestLimits,
}

impl Default for HttpServerParams {
    fn default() -> Self {
        HttpServerParams {
            tcp: TcpServerParams::default(),
            server_name: String::new(),
            software_version: String::new(),
            timeout: Duration::from_secs(60),
            keep_alive: true,
            max_keep_alive_requests: 0,
            keep_alive_timeout: Duration::from_secs(15),
            request_head_timeout: Duration::from_secs(60),
            request_body_timeout: Duration::from_secs(60),
            response_timeout: Duration::from_secs(60),
            min_data_rate: 500,
            buffered_body_limit: 1024 * 1024,
            limits: RequestLimits::default(),
        }
    }
}
