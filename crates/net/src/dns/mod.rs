//! Name resolution: [`Dns`] (POCO `DNS`, the system's view: `/etc/hosts`, then the system
//! resolver) and [`Resolver`] (DNS itself, asking given servers), both answering with a
//! [`HostEntry`].
//!
//! ```
//! use rpoco_net::Dns;
//! let entry = Dns::host_by_name("localhost")?;
//! assert!(entry.addresses().iter().any(|a| a.is_loopback()));
//! let back = Dns::host_by_address("127.0.0.1".parse().unwrap())?;
//! assert!(!back.name().is_empty());
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod hosts;
mod message;
mod resolver;

use std::net::{IpAddr, ToSocketAddrs};

pub use resolver::Resolver;

use crate::error::{Error, ErrorKind, Result};

/// POCO `HostEntry`: a host's canonical name, its aliases and its addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostEntry {
    pub(crate) name: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) addresses: Vec<IpAddr>,
}

impl HostEntry {
    /// The canonical name (POCO `name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Other names of the host (POCO `aliases`): CNAMEs, or a hosts file's extra names.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }

    /// The addresses (POCO `addresses`).
    pub fn addresses(&self) -> &[IpAddr] {
        &self.addresses
    }
}

/// POCO `DNS`: lookups as the system does them. Names are looked up in `/etc/hosts` and then
/// with the system resolver (`getaddrinfo`, which follows `nsswitch.conf`); addresses in
/// `/etc/hosts` and then by DNS (PTR) to the name servers of `/etc/resolv.conf`. To ask a
/// particular server, use a [`Resolver`].
#[derive(Debug, Clone, Copy)]
pub struct Dns;

impl Dns {
    /// POCO `hostByName`. Not found → [`ErrorKind::HostNotFound`].
    pub fn host_by_name(host: &str) -> Result<HostEntry> {
        if host.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, "empty host name"));
        }
        if let Some(entry) = hosts::by_name(host) {
            return Ok(entry);
        }
        let mut addresses: Vec<IpAddr> = Vec::new();
        let found = (host, 0)
            .to_socket_addrs()
            .map_err(|e| Error::new(ErrorKind::HostNotFound, format!("{host}: {e}")))?;
        for a in found {
            if !addresses.contains(&a.ip()) {
                addresses.push(a.ip());
            }
        }
        if addresses.is_empty() {
            return Err(Error::new(ErrorKind::HostNotFound, format!("{host}: no address found")));
        }
        Ok(HostEntry { name: host.to_owned(), aliases: Vec::new(), addresses })
    }

    /// POCO `hostByAddress`. Not found → [`ErrorKind::HostNotFound`].
    pub fn host_by_address(ip: IpAddr) -> Result<HostEntry> {
        if let Some(entry) = hosts::by_address(ip) {
            return Ok(entry);
        }
        Resolver::system()?.host_by_address(ip)
    }

    /// POCO `resolve`: an address literal is looked up by address, a name by name.
    pub fn resolve(address_or_name: &str) -> Result<HostEntry> {
        match address_or_name.parse::<IpAddr>() {
            Ok(ip) => Self::host_by_address(ip),
            Err(_) => Self::host_by_name(address_or_name),
        }
    }

    /// POCO `resolveOne`: the first address of a name (a literal is returned as is).
    pub fn resolve_one(address_or_name: &str) -> Result<IpAddr> {
        if let Ok(ip) = address_or_name.parse::<IpAddr>() {
            return Ok(ip);
        }
        Self::host_by_name(address_or_name)?.addresses.first().copied().ok_or_else(|| {
            Error::new(ErrorKind::HostNotFound, format!("{address_or_name}: no address found"))
        })
    }

    /// POCO `hostName`: this host's name (`uname`'s node name).
    pub fn host_name() -> Result<String> {
        let uname = rustix::system::uname();
        let name = uname.nodename().to_string_lossy().into_owned();
        if name.is_empty() {
            Err(Error::new(ErrorKind::HostNotFound, "this host has no name"))
        } else {
            Ok(name)
        }
    }

    /// POCO `thisHost`: the entry for [`host_name`](Self::host_name).
    pub fn this_host() -> Result<HostEntry> {
        Self::host_by_name(&Self::host_name()?)
    }
}
