//! The TCP step: every resolved address, per-attempt and overall limits, and Happy Eyeballs
//! (RFC 8305): a new attempt starts every [`ConnectOptions::attempt_delay`] (or as soon as
//! the previous one fails) while earlier ones keep trying, alternating address families, and
//! the first connection made wins.

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::socket::{SocketAddress, StreamSocket};

/// Resolves a host name to the addresses to try; the default asks the system resolver.
///
/// A seam for tests and for applications with their own name service (POCO: `DNS`).
pub type ResolveFn = dyn Fn(&str, u16) -> Result<Vec<SocketAddress>> + Send + Sync;

/// How the TCP step connects: limits and the resolver. Immutable once built.
#[derive(Clone)]
pub struct ConnectOptions {
    attempt_timeout: Option<Duration>,
    timeout: Option<Duration>,
    attempt_delay: Duration,
    resolver: Option<Arc<ResolveFn>>,
    source: Option<SocketAddr>,
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("attempt_timeout", &self.attempt_timeout)
            .field("timeout", &self.timeout)
            .field("attempt_delay", &self.attempt_delay)
            .field("resolver", &self.resolver.as_ref().map(|_| "custom"))
            .field("source", &self.source)
            .finish()
    }
}

impl Default for ConnectOptions {
    /// POCO's connect timeout (30 s) per attempt, no overall limit beyond it, RFC 8305's
    /// recommended 250 ms Connection Attempt Delay, the system resolver.
    fn default() -> Self {
        ConnectOptions {
            attempt_timeout: Some(Duration::from_secs(30)),
            timeout: None,
            attempt_delay: RFC8305_ATTEMPT_DELAY,
            resolver: None,
            source: None,
        }
    }
}

/// RFC 8305 §5: the recommended Connection Attempt Delay.
pub const RFC8305_ATTEMPT_DELAY: Duration = Duration::from_millis(250);

impl ConnectOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Each address gets at most this long (`None`: as long as the OS allows).
    pub fn with_attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The whole connection (every address, the proxy, the TLS handshake) gets at most this.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long an attempt runs alone before the next address is tried beside it (RFC
    /// 8305 allows 100 ms to 2 s; clamped to that range).
    pub fn with_attempt_delay(mut self, delay: Duration) -> Self {
        self.attempt_delay = delay.clamp(Duration::from_millis(100), Duration::from_secs(2));
        self
    }

    /// Resolves names with `resolve` instead of the system resolver.
    pub fn with_resolver(
        mut self,
        resolve: impl Fn(&str, u16) -> Result<Vec<SocketAddress>> + Send + Sync + 'static,
    ) -> Self {
        self.resolver = Some(Arc::new(resolve));
        self
    }

    /// Every connection leaves from `address` (POCO `setSourceAddress`; port 0: any port);
    /// only the target's addresses of the same family are tried.
    pub fn with_source_address(mut self, address: SocketAddress) -> Self {
        self.source = Some(address.as_std());
        self
    }

    /// The local address connections leave from, if one is set.
    pub fn source_address(&self) -> Option<SocketAddress> {
        self.source.map(SocketAddress::from)
    }

    /// The per-attempt limit.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The overall limit.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The Happy Eyeballs delay between attempts.
    pub fn attempt_delay(&self) -> Duration {
        self.attempt_delay
    }

    /// The deadline for a connection started now.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|t| Instant::now() + t)
    }

    /// Every address of `host:port`, after refusing what is not a host (a URL).
    pub fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddress>> {
        check_host(host)?;
        let addrs = match &self.resolver {
            Some(resolve) => resolve(host, port)?,
            None => SocketAddress::resolve_all(host, port)?,
        };
        if addrs.is_empty() {
            return Err(Error::new(ErrorKind::HostNotFound, format!("{host}: no addresses")));
        }
        Ok(addrs)
    }
}

/// A URL where a host belongs is refused before any lookup, saying so.
fn check_host(host: &str) -> Result<()> {
    if host.contains("://") || host.contains('/') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("`{host}` is a URL, not a host name: pass the host (and port) only"),
        ));
    }
    Ok(())
}

/// RFC 8305 §4: alternate the address families, starting with the first one listed.
fn interleave(addrs: Vec<SocketAddress>) -> Vec<SocketAddr> {
    let first_v6 = addrs.first().is_some_and(|a| a.as_std().is_ipv6());
    let (mut preferred, mut other): (Vec<SocketAddr>, Vec<SocketAddr>) =
        addrs.iter().map(SocketAddress::as_std).partition(|a| a.is_ipv6() == first_v6);
    let mut out = Vec::with_capacity(preferred.len() + other.len());
    preferred.reverse();
    other.reverse();
    while let Some(a) = preferred.pop() {
        out.push(a);
        if let Some(b) = other.pop() {
            out.push(b);
        }
    }
    out.extend(other.into_iter().rev());
    out
}

/// Connects to `host:port`: resolves, then races the addresses as RFC 8305 says, each
/// attempt bounded by the per-attempt limit and everything by `deadline`.
pub(crate) fn connect(
    host: &str,
    port: u16,
    options: &ConnectOptions,
    deadline: Option<Instant>,
) -> Result<StreamSocket> {
    let resolved = options.resolve(host, port)?;
    // A resolver may name a Unix-domain socket (`LocalConnector::connect_options`).
    if let Some(local) = resolved.iter().find(|a| a.is_unix_local()) {
        return StreamSocket::connect(local);
    }
    let resolved: Vec<SocketAddress> = match options.source {
        Some(source) => {
            let same: Vec<SocketAddress> =
                resolved.into_iter().filter(|a| a.as_std().is_ipv4() == source.is_ipv4()).collect();
            if same.is_empty() {
                return Err(Error::new(
                    ErrorKind::HostNotFound,
                    format!("{host}: no address in the family of source address {source}"),
                ));
            }
            same
        }
        None => resolved,
    };
    let addrs = interleave(resolved);
    let stream = race(&addrs, options, deadline)
        .map_err(|e| if addrs.len() > 1 { all_failed(host, port, addrs.len(), e) } else { e })?;
    let socket = StreamSocket::from(stream);
    socket.set_no_delay(true)?;
    Ok(socket)
}

fn all_failed(host: &str, port: u16, count: usize, last: Error) -> Error {
    let message =
        format!("connect to {host}:{port}: none of its {count} addresses answered; last: {}", last.message());
    Error::new(last.kind(), message).with_detail(last.detail().clone()).with_source(last)
}

/// The time an attempt may take: the per-attempt limit, cut to what is left of `deadline`.
fn attempt_limit(options: &ConnectOptions, deadline: Option<Instant>) -> Result<Option<Duration>> {
    let Some(deadline) = deadline else { return Ok(options.attempt_timeout) };
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::timeout(Timeout::Connect, options.timeout, "connect"));
    }
    Ok(Some(options.attempt_timeout.map_or(left, |t| t.min(left))))
}

fn attempt(addr: SocketAddr, limit: Option<Duration>, source: Option<SocketAddr>) -> Result<TcpStream> {
    let address = SocketAddress::from(addr);
    let result = match source {
        Some(source) => attempt_from(source, addr, limit),
        None => match limit {
            Some(limit) => TcpStream::connect_timeout(&addr, limit),
            None => TcpStream::connect(addr),
        },
    };
    result.map_err(|e| match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            Error::timeout(Timeout::Connect, limit, format_args!("connect to {address}")).with_source(e)
        }
        _ => Error::from_io_during(e, &format!("connect to {address}")),
    })
}

/// Races the addresses: one attempt at a time until it fails or the attempt delay passes,
/// then the next beside it. Attempts that lose end on their own limit; a connection made
/// after the winner is closed when its thread finds nobody waiting.
fn race(addrs: &[SocketAddr], options: &ConnectOptions, deadline: Option<Instant>) -> Result<TcpStream> {
    if let [only] = addrs {
        return attempt(*only, attempt_limit(options, deadline)?, options.source);
    }
    let (tx, rx) = mpsc::channel::<Result<TcpStream>>();
    let start = |addr: SocketAddr| -> Result<()> {
        let limit = attempt_limit(options, deadline)?;
        let tx = tx.clone();
        let source = options.source;
        std::thread::Builder::new()
            .name("rpoco-connect".into())
            .spawn(move || drop(tx.send(attempt(addr, limit, source))))
            .map(drop)
            .map_err(|e| Error::from_io_during(e, "start a connection attempt"))
    };
    let mut pending = addrs.iter().copied();
    let mut running = 0usize;
    if let Some(first) = pending.next() {
        start(first)?;
        running += 1;
    }
    loop {
        let more = pending.len() > 0;
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let received = match (more, left) {
            (true, _) => {
                rx.recv_timeout(left.map_or(options.attempt_delay, |l| l.min(options.attempt_delay)))
            }
            (false, Some(left)) => rx.recv_timeout(left),
            (false, None) => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(e)) => {
                running -= 1;
                if !more && running == 0 {
                    return Err(e);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) if !more => {
                return Err(Error::timeout(Timeout::Connect, options.timeout, "connect"));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // `tx` lives in this frame, so the channel cannot disconnect.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::new(ErrorKind::Net, "connect failed"));
            }
        }
        if let Some(addr) = pending.next() {
            start(addr)?;
            running += 1;
        }
    }
}

/// A connection bound to `source` first (POCO `setSourceAddress`): socket2, since std
/// cannot bind before connecting.
fn attempt_from(source: SocketAddr, addr: SocketAddr, limit: Option<Duration>) -> std::io::Result<TcpStream> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.bind(&source.into())?;
    match limit.filter(|t| !t.is_zero()) {
        Some(t) => socket.connect_timeout(&addr.into(), t)?,
        None => socket.connect(&addr.into())?,
    }
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddress {
        SocketAddress::parse(s).unwrap()
    }

    #[test]
    fn families_alternate_starting_with_the_first() {
        let got =
            interleave(vec![addr("[::1]:1"), addr("[::2]:1"), addr("127.0.0.1:1"), addr("127.0.0.2:1")]);
        let want: Vec<SocketAddr> =
            ["[::1]:1", "127.0.0.1:1", "[::2]:1", "127.0.0.2:1"].iter().map(|s| s.parse().unwrap()).collect();
        assert_eq!(got, want);
        let got =
            interleave(vec![addr("127.0.0.1:1"), addr("127.0.0.2:1"), addr("127.0.0.3:1"), addr("[::1]:1")]);
        let want: Vec<SocketAddr> = ["127.0.0.1:1", "[::1]:1", "127.0.0.2:1", "127.0.0.3:1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_url_is_refused_before_any_lookup() {
        let options = ConnectOptions::new().with_resolver(|_, _| panic!("no lookup for a URL"));
        let e = options.resolve("http://example.com/", 80).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e:?}");
    }
}
