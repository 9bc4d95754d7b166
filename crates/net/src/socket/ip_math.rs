//! POCO `IPAddress`'s mask arithmetic and classification predicates, on the standard
//! [`IpAddr`] (which is rpoco's [`IpAddress`](crate::IpAddress)).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Error, ErrorKind, Result};

fn bits(ip: IpAddr) -> (u128, u32) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn from_bits(like: IpAddr, v: u128) -> IpAddr {
    match like {
        // Only the low 32 bits are ever set for IPv4 here.
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(v as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(v)),
    }
}

fn same_family(a: IpAddr, b: IpAddr) -> Result<()> {
    if a.is_ipv4() == b.is_ipv4() {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::InvalidArgument, format!("{a} and {b} are of different address families")))
    }
}

/// POCO `IPAddress(prefix, family)`: the netmask with `prefix` leading one bits, IPv4 when
/// `ipv6` is false. A prefix longer than the address → [`ErrorKind::InvalidArgument`].
///
/// ```
/// use rpoco_net::{IpAddressExt, ip_mask};
/// assert_eq!(ip_mask(20, false)?.to_string(), "255.255.240.0");
/// assert_eq!(ip_mask(64, true)?.to_string(), "ffff:ffff:ffff:ffff::");
/// assert_eq!(ip_mask(20, false)?.prefix_length(), Some(20));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub fn ip_mask(prefix: u32, ipv6: bool) -> Result<IpAddr> {
    let width = if ipv6 { 128 } else { 32 };
    if prefix > width {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("prefix length {prefix} is longer than {width} bits"),
        ));
    }
    let full: u128 = if width == 128 { u128::MAX } else { u128::from(u32::MAX) };
    let v = if prefix == 0 { 0 } else { (full << (width - prefix)) & full };
    Ok(if ipv6 { IpAddr::V6(Ipv6Addr::from(v)) } else { IpAddr::V4(Ipv4Addr::from(v as u32)) })
}

/// POCO `IPAddress`'s arithmetic and predicates for [`IpAddress`](crate::IpAddress).
///
/// ```
/// use rpoco_net::{IpAddress, IpAddressExt};
/// let a: IpAddress = "192.168.10.77".parse().unwrap();
/// let mask: IpAddress = "255.255.255.0".parse().unwrap();
/// assert_eq!(a.mask(mask)?.to_string(), "192.168.10.0");
/// assert_eq!(a.broadcast_for(24)?.to_string(), "192.168.10.255");
/// assert!(a.is_site_local() && a.is_unicast());
/// assert!("239.255.0.1".parse::<IpAddress>().unwrap().is_site_local_mc());
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub trait IpAddressExt: Sized {
    /// Bitwise and (POCO `operator &`); different families → [`ErrorKind::InvalidArgument`].
    fn and(self, other: IpAddr) -> Result<IpAddr>;
    /// Bitwise or (POCO `operator |`).
    fn or(self, other: IpAddr) -> Result<IpAddr>;
    /// Bitwise exclusive or (POCO `operator ^`).
    fn xor(self, other: IpAddr) -> Result<IpAddr>;
    /// Bitwise complement (POCO `operator ~`).
    fn not(self) -> IpAddr;
    /// POCO `mask(mask)`: the address and-ed with `mask`.
    fn mask(self, mask: IpAddr) -> Result<IpAddr>;
    /// POCO `mask(mask, set)`: the bits under `mask` from `self`, the others from `set`.
    fn mask_with(self, mask: IpAddr, set: IpAddr) -> Result<IpAddr>;
    /// POCO `prefixLength()`: for a netmask, its number of leading one bits; `None` when the
    /// ones are not contiguous (not a netmask).
    fn prefix_length(self) -> Option<u32>;
    /// The network address of `self` within a `/prefix` network.
    fn network_for(self, prefix: u32) -> Result<IpAddr>;
    /// The broadcast (all host bits set) address of `self`'s `/prefix` network.
    fn broadcast_for(self, prefix: u32) -> Result<IpAddr>;
    /// Whether `self` is in the `/prefix` network of `network`.
    fn in_network(self, network: IpAddr, prefix: u32) -> bool;

    /// POCO `isWildcard`: `0.0.0.0` or `::`.
    fn is_wildcard(&self) -> bool;
    /// POCO `isBroadcast`: `255.255.255.255` (never for IPv6).
    fn is_broadcast_address(&self) -> bool;
    /// POCO `isUnicast`: neither wildcard, broadcast nor multicast.
    fn is_unicast(&self) -> bool;
    /// POCO `isLinkLocal`: `169.254.0.0/16`, `fe80::/10`.
    fn is_link_local(&self) -> bool;
    /// POCO `isSiteLocal`: `10/8`, `172.16/12`, `192.168/16`; `fec0::/10` and `fc00::/8`.
    fn is_site_local(&self) -> bool;
    /// POCO `isIPv4Compatible`: IPv4 always; IPv6 `::a.b.c.d`.
    fn is_ipv4_compatible(&self) -> bool;
    /// POCO `isIPv4Mapped`: IPv4 always; IPv6 `::ffff:a.b.c.d`.
    fn is_ipv4_mapped(&self) -> bool;
    /// POCO `isWellKnownMC`: `224.0.0.0/24`, `ff0x::/12` (permanently assigned).
    fn is_well_known_mc(&self) -> bool;
    /// POCO `isNodeLocalMC`: IPv6 `ff01::/16` (none in IPv4).
    fn is_node_local_mc(&self) -> bool;
    /// POCO `isLinkLocalMC`: `224.0.0.0/8` (as POCO), `ff02::/16`.
    fn is_link_local_mc(&self) -> bool;
    /// POCO `isSiteLocalMC`: `239.255.0.0/16`, `ff05::/16`.
    fn is_site_local_mc(&self) -> bool;
    /// POCO `isOrgLocalMC`: `239.192.0.0/16`, `ff08::/16`.
    fn is_org_local_mc(&self) -> bool;
    /// POCO `isGlobalMC`: `224.0.1.0` to `238.255.255.255`, `ff0e::/16`.
    fn is_global_mc(&self) -> bool;
}

fn first_word(ip: IpAddr) -> Option<u16> {
    match ip {
        IpAddr::V6(a) => Some(a.segments()[0]),
        IpAddr::V4(_) => None,
    }
}

fn v4(ip: IpAddr) -> Option<u32> {
    match ip {
        IpAddr::V4(a) => Some(u32::from(a)),
        IpAddr::V6(_) => None,
    }
}

impl IpAddressExt for IpAddr {
    fn and(self, other: IpAddr) -> Result<IpAddr> {
        same_family(self, other)?;
        Ok(from_bits(self, bits(self).0 & bits(other).0))
    }

    fn or(self, other: IpAddr) -> Result<IpAddr> {
        same_family(self, other)?;
        Ok(from_bits(self, bits(self).0 | bits(other).0))
    }

    fn xor(self, other: IpAddr) -> Result<IpAddr> {
        same_family(self, other)?;
        Ok(from_bits(self, bits(self).0 ^ bits(other).0))
    }

    fn not(self) -> IpAddr {
        match self {
            IpAddr::V4(a) => IpAddr::V4(!a),
            IpAddr::V6(a) => IpAddr::V6(!a),
        }
    }

    fn mask(self, mask: IpAddr) -> Result<IpAddr> {
        self.and(mask)
    }

    fn mask_with(self, mask: IpAddr, set: IpAddr) -> Result<IpAddr> {
        same_family(self, set)?;
        self.and(mask)?.or(set.and(mask.not())?)
    }

    fn prefix_length(self) -> Option<u32> {
        let (v, width) = bits(self);
        let ones = if width == 32 { (v as u32).leading_ones() } else { v.leading_ones() };
        let rest = if ones >= width { 0 } else { (v << (128 - width + ones)) >> (128 - width + ones) };
        (rest == 0).then_some(ones)
    }

    fn network_for(self, prefix: u32) -> Result<IpAddr> {
        self.and(ip_mask(prefix, self.is_ipv6())?)
    }

    fn broadcast_for(self, prefix: u32) -> Result<IpAddr> {
        self.or(ip_mask(prefix, self.is_ipv6())?.not())
    }

    fn in_network(self, network: IpAddr, prefix: u32) -> bool {
        same_family(self, network).is_ok()
            && matches!((self.network_for(prefix), network.network_for(prefix)), (Ok(a), Ok(b)) if a == b)
    }

    fn is_wildcard(&self) -> bool {
        self.is_unspecified()
    }

    fn is_broadcast_address(&self) -> bool {
        v4(*self) == Some(u32::MAX)
    }

    fn is_unicast(&self) -> bool {
        !self.is_wildcard() && !self.is_broadcast_address() && !self.is_multicast()
    }

    fn is_link_local(&self) -> bool {
        v4(*self).map_or_else(
            || first_word(*self).is_some_and(|w| w & 0xFFC0 == 0xFE80),
            |a| a & 0xFFFF_0000 == 0xA9FE_0000,
        )
    }

    fn is_site_local(&self) -> bool {
        match v4(*self) {
            Some(a) => {
                a & 0xFF00_0000 == 0x0A00_0000
                    || a & 0xFFF0_0000 == 0xAC10_0000
                    || a & 0xFFFF_0000 == 0xC0A8_0000
            }
            None => first_word(*self).is_some_and(|w| w & 0xFFC0 == 0xFEC0 || w & 0xFF00 == 0xFC00),
        }
    }

    fn is_ipv4_compatible(&self) -> bool {
        match self {
            IpAddr::V4(_) => true,
            IpAddr::V6(a) => a.segments()[..6].iter().all(|&w| w == 0),
        }
    }

    fn is_ipv4_mapped(&self) -> bool {
        match self {
            IpAddr::V4(_) => true,
            IpAddr::V6(a) => a.segments()[..5].iter().all(|&w| w == 0) && a.segments()[5] == 0xFFFF,
        }
    }

    fn is_well_known_mc(&self) -> bool {
        v4(*self).map_or_else(
            || first_word(*self).is_some_and(|w| w & 0xFFF0 == 0xFF00),
            |a| a & 0xFFFF_FF00 == 0xE000_0000,
        )
    }

    fn is_node_local_mc(&self) -> bool {
        first_word(*self).is_some_and(|w| w & 0xFF0F == 0xFF01)
    }

    fn is_link_local_mc(&self) -> bool {
        v4(*self).map_or_else(
            || first_word(*self).is_some_and(|w| w & 0xFF0F == 0xFF02),
            |a| a & 0xFF00_0000 == 0xE000_0000,
        )
    }

    fn is_site_local_mc(&self) -> bool {
        v4(*self).map_or_else(
            || first_word(*self).is_some_and(|w| w & 0xFF0F == 0xFF05),
            |a| a & 0xFFFF_0000 == 0xEFFF_0000,
        )
    }

    fn is_org_local_mc(&self) -> bool {
        v4(*self).map_or_else(
            || first_word(*self).is_some_and(|w| w & 0xFF0F == 0xFF08),
            |a| a & 0xFFFF_0000 == 0xEFC0_0000,
        )
    }

    fn is_global_mc(&self) -> bool {
        v4(*self).map_or_else(
            || first_word(*self).is_some_and(|w| w & 0xFF0F == 0xFF0E),
            |a| (0xE000_0100..=0xEEFF_FFFF).contains(&a),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn masks_and_prefixes() {
        for (p, m) in [(0, "0.0.0.0"), (8, "255.0.0.0"), (23, "255.255.254.0"), (32, "255.255.255.255")] {
            assert_eq!(ip_mask(p, false).unwrap(), ip(m));
            assert_eq!(ip(m).prefix_length(), Some(p));
        }
        assert_eq!(ip_mask(0, true).unwrap(), ip("::"));
        assert_eq!(ip_mask(128, true).unwrap().prefix_length(), Some(128));
        assert_eq!(ip_mask(10, true).unwrap(), ip("ffc0::"));
        assert_eq!(ip("255.0.255.0").prefix_length(), None);
        assert_eq!(ip_mask(33, false).err().map(|e| e.kind()), Some(ErrorKind::InvalidArgument));
        assert_eq!(ip("1.2.3.4").and(ip("::1")).err().map(|e| e.kind()), Some(ErrorKind::InvalidArgument));
        let a = ip("10.1.2.3");
        assert_eq!(a.mask_with(ip("255.255.0.0"), ip("0.0.9.9")).unwrap(), ip("10.1.9.9"));
        assert_eq!(a.network_for(8).unwrap(), ip("10.0.0.0"));
        assert_eq!(a.broadcast_for(8).unwrap(), ip("10.255.255.255"));
        assert!(a.in_network(ip("10.200.0.0"), 8) && !a.in_network(ip("11.0.0.0"), 8));
        assert_eq!(ip("2001:db8::1").network_for(32).unwrap(), ip("2001:db8::"));
        assert_eq!(ip("1.2.3.4").xor(ip("1.2.3.4")).unwrap(), ip("0.0.0.0"));
        assert_eq!(ip("0.0.0.0").not(), ip("255.255.255.255"));
    }

    #[test]
    fn poco_predicates() {
        assert!(ip("0.0.0.0").is_wildcard() && ip("::").is_wildcard());
        assert!(ip("255.255.255.255").is_broadcast_address() && !ip("255.255.255.255").is_unicast());
        assert!(ip("169.254.1.1").is_link_local() && ip("fe80::1").is_link_local());
        for s in ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fec0::1", "fc00::1"] {
            assert!(ip(s).is_site_local(), "{s}");
        }
        assert!(!ip("172.32.0.1").is_site_local() && !ip("8.8.8.8").is_site_local());
        assert!(ip("::1.2.3.4").is_ipv4_compatible() && ip("::ffff:1.2.3.4").is_ipv4_mapped());
        assert!(!ip("2001:db8::1").is_ipv4_mapped());
        assert!(ip("224.0.0.251").is_well_known_mc() && !ip("224.0.1.1").is_well_known_mc());
        assert!(ip("ff02::1").is_well_known_mc() && ip("ff02::1").is_link_local_mc());
        assert!(ip("ff01::1").is_node_local_mc() && !ip("224.0.0.1").is_node_local_mc());
        assert!(ip("239.255.1.1").is_site_local_mc() && ip("ff05::2").is_site_local_mc());
        assert!(ip("239.192.0.1").is_org_local_mc() && ip("ff08::1").is_org_local_mc());
        assert!(ip("224.0.1.0").is_global_mc() && ip("238.255.255.255").is_global_mc());
        assert!(!ip("239.0.0.1").is_global_mc() && ip("ff0e::1").is_global_mc());
        assert!(ip("224.1.2.3").is_link_local_mc(), "POCO counts 224/8 as link-local");
    }
}
