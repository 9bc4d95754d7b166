//! [`NetworkInterface`] (POCO `NetworkInterface`): the host's interfaces with their indexes,
//! addresses, netmasks, broadcast addresses, MAC address, MTU and flags, from `getifaddrs`
//! (through nix's safe wrapper) and, for the MTU, `/sys/class/net`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use nix::ifaddrs::getifaddrs;
use nix::net::if_::InterfaceFlags;
use nix::sys::socket::SockaddrStorage;

use crate::error::{Error, ErrorKind, Result};
use crate::socket::IpAddressExt;

/// One address of an interface: the address, its netmask and (IPv4) broadcast address
/// (POCO's `AddressTuple`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterfaceAddress {
    /// The address.
    pub address: IpAddr,
    /// The netmask (POCO `SUBNET_MASK`).
    pub netmask: Option<IpAddr>,
    /// The broadcast address (POCO `BROADCAST_ADDRESS`), or the peer of a point-to-point link.
    pub broadcast: Option<IpAddr>,
}

impl InterfaceAddress {
    /// The prefix length of the netmask (`/24`).
    pub fn prefix_length(&self) -> Option<u32> {
        self.netmask.and_then(|m| m.prefix_length())
    }
}

/// POCO `NetworkInterface`: one network interface of this host.
///
/// ```
/// use rpoco_net::NetworkInterface;
/// let lo = NetworkInterface::for_name("lo")?;
/// assert!(lo.is_loopback() && lo.is_up());
/// assert!(lo.addresses().iter().any(|a| a.address.is_loopback()));
/// assert_eq!(NetworkInterface::for_index(lo.index())?.name(), "lo");
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInterface {
    name: String,
    index: u32,
    addresses: Vec<InterfaceAddress>,
    mac: Option<[u8; 6]>,
    mtu: Option<u32>,
    flags: InterfaceFlags,
}

impl NetworkInterface {
    /// Every interface, in index order (POCO `list(ipOnly = false, upOnly = false)`).
    pub fn list() -> Result<Vec<NetworkInterface>> {
        let mut by_name: BTreeMap<String, NetworkInterface> = BTreeMap::new();
        let addrs = getifaddrs().map_err(|e| Error::from_io_during(e.into(), "getifaddrs"))?;
        for ifa in addrs {
            let entry = by_name.entry(ifa.interface_name.clone()).or_insert_with(|| NetworkInterface {
                index: index_of(&ifa.interface_name),
                mtu: mtu_of(&ifa.interface_name),
                name: ifa.interface_name.clone(),
                addresses: Vec::new(),
                mac: None,
                flags: ifa.flags,
            });
            entry.flags |= ifa.flags;
            let Some(storage) = ifa.address.as_ref() else { continue };
            if let Some(link) = storage.as_link_addr() {
                entry.mac = link.addr().filter(|m| m.iter().any(|&b| b != 0)).or(entry.mac);
            } else if let Some(address) = ip_of(storage) {
                let broadcast = ifa.broadcast.as_ref().or(ifa.destination.as_ref()).and_then(ip_of);
                let netmask = ifa.netmask.as_ref().and_then(ip_of);
                entry.addresses.push(InterfaceAddress { address, netmask, broadcast });
            }
        }
        let mut list: Vec<NetworkInterface> = by_name.into_values().collect();
        list.sort_by_key(|i| i.index);
        Ok(list)
    }

    /// POCO `list(ipOnly, upOnly)`: only interfaces with an IP address and/or that are up.
    pub fn list_filtered(ip_only: bool, up_only: bool) -> Result<Vec<NetworkInterface>> {
        Ok(Self::list()?
            .into_iter()
            .filter(|i| (!ip_only || !i.addresses.is_empty()) && (!up_only || i.is_up()))
            .collect())
    }

    /// POCO `NetworkInterface::map()`: the interfaces by index.
    pub fn map() -> Result<BTreeMap<u32, NetworkInterface>> {
        Ok(Self::list()?.into_iter().map(|i| (i.index, i)).collect())
    }

    /// POCO `forName`: the interface called `name`; none → [`ErrorKind::InvalidArgument`] (POCO
    /// `InterfaceNotFoundException`).
    pub fn for_name(name: &str) -> Result<NetworkInterface> {
        Self::find(|i| i.name == name, || format!("interface not found: {name}"))
    }

    /// POCO `forIndex`.
    pub fn for_index(index: u32) -> Result<NetworkInterface> {
        Self::find(|i| i.index == index, || format!("interface not found: index {index}"))
    }

    /// POCO `forAddress`: the interface that has `address`.
    pub fn for_address(address: IpAddr) -> Result<NetworkInterface> {
        Self::find(
            |i| i.addresses.iter().any(|a| a.address == address),
            || format!("interface not found: {address}"),
        )
    }

    fn find(pred: impl Fn(&NetworkInterface) -> bool, what: impl Fn() -> String) -> Result<NetworkInterface> {
        Self::list()?.into_iter().find(pred).ok_or_else(|| Error::new(ErrorKind::InvalidArgument, what()))
    }

    /// The name (POCO `name`, `displayName` and `adapterName` are all this on Linux).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The interface index (POCO `index`), 0 if the system gave none.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Every address with its netmask and broadcast address (POCO `addressList`).
    pub fn addresses(&self) -> &[InterfaceAddress] {
        &self.addresses
    }

    /// The first IPv4 address (POCO `firstAddress(IPv4)`).
    pub fn first_ipv4(&self) -> Option<IpAddr> {
        self.addresses.iter().map(|a| a.address).find(IpAddr::is_ipv4)
    }

    /// The first IPv6 address (POCO `firstAddress(IPv6)`).
    pub fn first_ipv6(&self) -> Option<IpAddr> {
        self.addresses.iter().map(|a| a.address).find(IpAddr::is_ipv6)
    }

    /// The hardware address (POCO `macAddress`), if the interface has one.
    pub fn mac_address(&self) -> Option<[u8; 6]> {
        self.mac
    }

    /// The MTU (POCO `mtu`).
    pub fn mtu(&self) -> Option<u32> {
        self.mtu
    }

    /// POCO `isUp`.
    pub fn is_up(&self) -> bool {
        self.flags.contains(InterfaceFlags::IFF_UP)
    }

    /// POCO `isRunning`.
    pub fn is_running(&self) -> bool {
        self.flags.contains(InterfaceFlags::IFF_RUNNING)
    }

    /// POCO `isLoopback`.
    pub fn is_loopback(&self) -> bool {
        self.flags.contains(InterfaceFlags::IFF_LOOPBACK)
    }

    /// POCO `isPointToPoint`.
    pub fn is_point_to_point(&self) -> bool {
        self.flags.contains(InterfaceFlags::IFF_POINTOPOINT)
    }

    /// POCO `supportsBroadcast`.
    pub fn supports_broadcast(&self) -> bool {
        self.flags.contains(InterfaceFlags::IFF_BROADCAST)
    }

    /// POCO `supportsMulticast`.
    pub fn supports_multicast(&self) -> bool {
        self.flags.contains(InterfaceFlags::IFF_MULTICAST)
    }

    /// POCO `supportsIPv4`: the interface has an IPv4 address.
    pub fn supports_ipv4(&self) -> bool {
        self.first_ipv4().is_some()
    }

    /// POCO `supportsIPv6`: the interface has an IPv6 address.
    pub fn supports_ipv6(&self) -> bool {
        self.first_ipv6().is_some()
    }
}

fn ip_of(s: &SockaddrStorage) -> Option<IpAddr> {
    if let Some(v4) = s.as_sockaddr_in() {
        return Some(IpAddr::V4(v4.ip()));
    }
    s.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
}

fn index_of(name: &str) -> u32 {
    nix::net::if_::if_nametoindex(name).unwrap_or(0)
}

fn mtu_of(name: &str) -> Option<u32> {
    // Interface names never contain '/', so this stays inside /sys/class/net.
    if name.contains('/') {
        return None;
    }
    std::fs::read_to_string(format!("/sys/class/net/{name}/mtu")).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_listed_with_its_addresses_and_mtu() {
        let list = NetworkInterface::list().unwrap();
        let lo = list.iter().find(|i| i.is_loopback()).expect("a loopback interface");
        assert!(lo.index() > 0);
        let v4 = lo.addresses().iter().find(|a| a.address.is_ipv4()).expect("127.0.0.1 on lo");
        assert_eq!(v4.address, "127.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(v4.prefix_length(), Some(8));
        assert!(lo.mtu().is_some_and(|m| m > 0));
        assert!(NetworkInterface::map().unwrap().contains_key(&lo.index()));
        assert_eq!(NetworkInterface::for_address(v4.address).unwrap().name(), lo.name());
        assert_eq!(
            NetworkInterface::for_name("no-such-if0").err().map(|e| e.kind()),
            Some(ErrorKind::InvalidArgument)
        );
        assert!(
            NetworkInterface::list_filtered(true, true)
                .unwrap()
                .iter()
                .all(|i| i.is_up() && !i.addresses().is_empty())
        );
    }
}
