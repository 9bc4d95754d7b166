//! [`SocketAddress`] (POCO `SocketAddress`) and [`IpAddress`] (POCO `IPAddress`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// POCO `IPAddress`: an IPv4 or IPv6 address. The standard type does everything POCO's does
/// (`parse` is [`str::parse`], `is_loopback`, `is_unspecified` for `isWildcard`, ...).
///
/// ```
/// use rpoco_net::IpAddress;
/// let a: IpAddress = "127.0.0.1".parse().unwrap();
/// assert!(a.is_loopback());
/// ```
pub type IpAddress = std::net::IpAddr;

/// The address family of a [`SocketAddress`] (POCO `SocketAddress::Family`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// IPv4.
    IPv4,
    /// IPv6.
    IPv6,
    /// A Unix-domain (local) address: a path or a Linux abstract name (POCO `UNIX_LOCAL`).
    UnixLocal,
}

/// POCO `SocketAddress`: an IP address and a port.
///
/// Host names are resolved when the address is built: a literal address is used as is,
/// otherwise the first address DNS returns (as POCO does). [`SocketAddress::resolve_all`]
/// gives every address, which connecting code should try in turn.
///
/// ```
/// use rpoco_net::SocketAddress;
/// let a = SocketAddress::parse("[::1]:8080")?;
/// assert_eq!(a.port(), 8080);
/// assert_eq!(a.to_string(), "[::1]:8080");
/// let b = SocketAddress::new("127.0.0.1", 80)?;
/// assert_eq!(b.to_string(), "127.0.0.1:80");
/// # Ok::<(), rpoco_net::Error>(())
/// ```
///
/// It may also be a Unix-domain address (POCO `UNIX_LOCAL`): see
/// [`SocketAddress::unix_local`]; `parse` takes a string starting with `/` as one, as POCO
/// does. Such an address has no IP form: [`host`](Self::host) is the IPv4 wildcard and
/// [`port`](Self::port) 0; check [`family`](Self::family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketAddress(pub(super) Repr);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Repr {
    Ip(SocketAddr),
    Local(LocalName),
}

/// A Unix-domain name, kept inline so that [`SocketAddress`] stays `Copy`: `sun_path` holds
/// at most 107 bytes and a terminating NUL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct LocalName {
    pub(super) abstract_name: bool,
    pub(super) len: u8,
    pub(super) bytes: [u8; LOCAL_NAME_MAX],
}

/// The longest Unix-domain path or abstract name.
pub(super) const LOCAL_NAME_MAX: usize = 107;

impl Default for SocketAddress {
    /// POCO's default: the IPv4 wildcard address, port 0.
    fn default() -> Self {
        SocketAddress(Repr::Ip(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)))
    }
}

impl SocketAddress {
    /// Builds an address from a host (literal or name) and a port; names are resolved and the
    /// first result is taken. Nothing found → [`ErrorKind::HostNotFound`](crate::ErrorKind::HostNotFound).
    pub fn new(host: &str, port: u16) -> Result<Self> {
        Self::resolve_all(host, port)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::new(ErrorKind::HostNotFound, host.to_owned()))
    }

    /// Builds an address from an IP address and a port (no resolution).
    pub fn from_ip(ip: IpAddress, port: u16) -> Self {
        SocketAddress(Repr::Ip(SocketAddr::new(ip, port)))
    }

    /// Builds an address from a host and a service: a port number or one of a few well-known
    /// service names (`http`, `https`, `ftp`, `ssh`, `smtp`, ...). Unknown names →
    /// [`ErrorKind::InvalidAddress`](crate::ErrorKind::InvalidAddress) (POCO: `ServiceNotFoundException`).
    pub fn with_service(host: &str, service: &str) -> Result<Self> {
        Self::new(host, resolve_service(service)?)
    }

    /// Parses `host:port`, `[v6]:port` or `1.2.3.4:port` (POCO's one-string constructor).
    /// A missing port → [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument).
    pub fn parse(host_and_port: &str) -> Result<Self> {
        if host_and_port.starts_with('/') {
            return Self::unix_local(host_and_port);
        }
        let (host, port) = split_host_port(host_and_port)?;
        Self::new(host, resolve_service(port)?)
    }

    /// Resolves `host` and returns every address, literal addresses first (no DNS for them).
    pub fn resolve_all(host: &str, port: u16) -> Result<Vec<SocketAddress>> {
        let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        if let Ok(ip) = IpAddr::from_str(bare) {
            return Ok(vec![SocketAddress::from_ip(ip, port)]);
        }
        if host.is_empty() {
            return Err(Error::new(ErrorKind::InvalidAddress, "empty host name"));
        }
        let addrs: Vec<SocketAddress> = (host, port)
            .to_socket_addrs()
            .map_err(|e| Error::new(ErrorKind::HostNotFound, format!("{host}: {e}")))?
            .map(SocketAddress::from)
            .collect();
        if addrs.is_empty() { Err(Error::new(ErrorKind::HostNotFound, host.to_owned())) } else { Ok(addrs) }
    }

    /// The IP address (POCO `host()`); the IPv4 wildcard for a Unix-domain address.
    pub fn host(&self) -> IpAddress {
        self.as_std().ip()
    }

    /// The port; 0 for a Unix-domain address.
    pub fn port(&self) -> u16 {
        self.as_std().port()
    }

    /// The address family.
    pub fn family(&self) -> AddressFamily {
        match self.0 {
            Repr::Ip(a) if a.is_ipv4() => AddressFamily::IPv4,
            Repr::Ip(_) => AddressFamily::IPv6,
            Repr::Local(_) => AddressFamily::UnixLocal,
        }
    }

    /// The standard-library address; `0.0.0.0:0` for a Unix-domain address, which has none
    /// (see [`family`](Self::family)).
    pub fn as_std(&self) -> SocketAddr {
        match self.0 {
            Repr::Ip(a) => a,
            Repr::Local(_) => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        }
    }
}

/// Splits `host:port` / `[v6]:port`; the host keeps no brackets.
pub(crate) fn split_host_port(s: &str) -> Result<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| {
            Error::new(ErrorKind::InvalidAddress, format!("unterminated IPv6 address in `{s}`"))
        })?;
        let port = after
            .strip_prefix(':')
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("missing port number in `{s}`")))?;
        return Ok((host, port));
    }
    match s.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && !port.is_empty() => Ok((host, port)),
        _ => Err(Error::new(ErrorKind::InvalidArgument, format!("missing port number in `{s}`"))),
    }
}

fn resolve_service(service: &str) -> Result<u16> {
    if let Ok(port) = service.parse::<u16>() {
        return Ok(port);
    }
    const SERVICES: &[(&str, u16)] = &[
        ("ftp", 21),
        ("ssh", 22),
        ("telnet", 23),
        ("smtp", 25),
        ("domain", 53),
        ("http", 80),
        ("pop3", 110),
        ("nntp", 119),
        ("imap", 143),
        ("ldap", 389),
        ("https", 443),
        ("smtps", 465),
        ("submission", 587),
        ("ldaps", 636),
        ("imaps", 993),
        ("pop3s", 995),
    ];
    SERVICES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(service))
        .map(|&(_, port)| port)
        .ok_or_else(|| Error::new(ErrorKind::InvalidAddress, format!("service not found: `{service}`")))
}

impl fmt::Display for SocketAddress {
    /// `1.2.3.4:80`, `[::1]:80`, a Unix path, or `@name` for a Linux abstract name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Ip(a) => fmt::Display::fmt(a, f),
            Repr::Local(n) => {
                let name = String::from_utf8_lossy(&n.bytes[..usize::from(n.len)]);
                if n.abstract_name { write!(f, "@{name}") } else { f.write_str(&name) }
            }
        }
    }
}

impl From<SocketAddr> for SocketAddress {
    fn from(a: SocketAddr) -> Self {
        SocketAddress(Repr::Ip(a))
    }
}

impl From<SocketAddress> for SocketAddr {
    fn from(a: SocketAddress) -> Self {
        a.as_std()
    }
}

impl FromStr for SocketAddress {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        SocketAddress::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_poco_forms() {
        assert_eq!(SocketAddress::parse("127.0.0.1:80").unwrap().to_string(), "127.0.0.1:80");
        assert_eq!(SocketAddress::parse("[::1]:443").unwrap().to_string(), "[::1]:443");
        assert_eq!(SocketAddress::parse("127.0.0.1:http").unwrap().port(), 80);
        assert_eq!(SocketAddress::parse("localhost:8080").unwrap().port(), 8080);
        assert!(matches!(
            SocketAddress::parse("127.0.0.1").map_err(|e| e.kind()),
            Err(ErrorKind::InvalidArgument)
        ));
        assert!(matches!(SocketAddress::parse("[::1").map_err(|e| e.kind()), Err(ErrorKind::InvalidAddress)));
        assert!(matches!(
            SocketAddress::parse("1.2.3.4:nosuch").map_err(|e| e.kind()),
            Err(ErrorKind::InvalidAddress)
        ));
        assert_eq!(SocketAddress::default().to_string(), "0.0.0.0:0");
        assert_eq!(SocketAddress::new("[::1]", 1).unwrap().family(), AddressFamily::IPv6);
    }
}
