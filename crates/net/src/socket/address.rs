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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketAddress(SocketAddr);

impl Default for SocketAddress {
    /// POCO's default: the IPv4 wildcard address, port 0.
    fn default() -> Self {
        SocketAddress(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0))
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
        SocketAddress(SocketAddr::new(ip, port))
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
            .map(SocketAddress)
            .collect();
        if addrs.is_empty() { Err(Error::new(ErrorKind::HostNotFound, host.to_owned())) } else { Ok(addrs) }
    }

    /// The IP address (POCO `host()`).
    pub fn host(&self) -> IpAddress {
        self.0.ip()
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.0.port()
    }

    /// The address family.
    pub fn family(&self) -> AddressFamily {
        if self.0.is_ipv4() { AddressFamily::IPv4 } else { AddressFamily::IPv6 }
    }

    /// The standard-library address.
    pub fn as_std(&self) -> SocketAddr {
        self.0
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
    /// `1.2.3.4:80` or `[::1]:80`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<SocketAddr> for SocketAddress {
    fn from(a: SocketAddr) -> Self {
        SocketAddress(a)
    }
}

impl From<SocketAddress> for SocketAddr {
    fn from(a: SocketAddress) -> Self {
        a.0
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
