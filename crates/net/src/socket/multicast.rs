//! [`MulticastSocket`] (POCO `MulticastSocket`): a UDP socket that joins groups, IPv4 and
//! IPv6.

use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsFd, BorrowedFd};

use socket2::{InterfaceIndexOrAddress, SockRef};

use super::address::{AddressFamily, SocketAddress};
use super::datagram::DatagramSocket;
use crate::error::{Error, ErrorKind, Result};
use crate::interface::NetworkInterface;

/// POCO `MulticastSocket`: a [`DatagramSocket`] with group membership, outgoing interface,
/// time to live (hop limit) and loopback.
///
/// An interface is a [`NetworkInterface`]; `None` lets the system choose (POCO's default
/// interface). IPv4 memberships are made by interface index, as IPv6 ones are.
///
/// ```
/// use std::time::Duration;
/// use rpoco_net::{IpAddress, MulticastSocket, NetworkInterface, SocketAddress};
/// let lo = NetworkInterface::for_name("lo")?;
/// let group: IpAddress = "239.255.77.1".parse().unwrap();
/// let receiver = MulticastSocket::bind(&SocketAddress::parse("0.0.0.0:0")?, true)?;
/// receiver.join_group(group, Some(&lo))?;
/// receiver.socket().set_receive_timeout(Some(Duration::from_secs(5)))?;
/// let sender = MulticastSocket::new(rpoco_net::AddressFamily::IPv4)?;
/// sender.set_interface(Some(&lo))?;
/// sender.set_loopback(true)?;
/// sender.set_time_to_live(1)?;
/// let to = SocketAddress::from_ip(group, receiver.socket().address()?.port());
/// sender.socket().send_to(b"hello group", &to)?;
/// let mut buf = [0u8; 32];
/// let (n, _) = receiver.socket().receive_from(&mut buf)?;
/// assert_eq!(&buf[..n], b"hello group");
/// receiver.leave_group(group, Some(&lo))?;
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug)]
pub struct MulticastSocket {
    socket: DatagramSocket,
    family: Fam,
}

/// The IP family of a multicast socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fam {
    V4,
    V6,
}

impl Fam {
    fn of(family: AddressFamily) -> Result<Fam> {
        match family {
            AddressFamily::IPv4 => Ok(Fam::V4),
            AddressFamily::IPv6 => Ok(Fam::V6),
            AddressFamily::UnixLocal => {
                Err(Error::new(ErrorKind::InvalidArgument, "multicast needs an IP address family"))
            }
        }
    }
}

impl MulticastSocket {
    /// An unconnected socket of `family` on a port the system chooses (for sending).
    pub fn new(family: AddressFamily) -> Result<Self> {
        Ok(MulticastSocket { family: Fam::of(family)?, socket: DatagramSocket::new(family)? })
    }

    /// Binds `address` (POCO `MulticastSocket(address, reuseAddress)`): receivers bind the
    /// group's port on the wildcard address, with `reuse` so several can share it.
    pub fn bind(address: &SocketAddress, reuse: bool) -> Result<Self> {
        let family = Fam::of(address.family())?;
        Ok(MulticastSocket { socket: DatagramSocket::bind_with(address, reuse, reuse)?, family })
    }

    /// The datagram socket, for sending and receiving.
    pub fn socket(&self) -> &DatagramSocket {
        &self.socket
    }

    fn sock(&self) -> SockRef<'_> {
        SockRef::from(self.socket.as_udp_socket())
    }

    fn check_family(&self, group: IpAddr) -> Result<()> {
        if !group.is_multicast() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{group} is not a multicast address"),
            ));
        }
        if group.is_ipv4() != (self.family == Fam::V4) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{group} is not of the socket's family ({:?})", self.family),
            ));
        }
        Ok(())
    }

    /// POCO `joinGroup`: receives datagrams sent to `group` on `interface`.
    pub fn join_group(&self, group: IpAddr, interface: Option<&NetworkInterface>) -> Result<()> {
        self.membership(group, interface, true)
    }

    /// POCO `leaveGroup`.
    pub fn leave_group(&self, group: IpAddr, interface: Option<&NetworkInterface>) -> Result<()> {
        self.membership(group, interface, false)
    }

    fn membership(&self, group: IpAddr, interface: Option<&NetworkInterface>, join: bool) -> Result<()> {
        self.check_family(group)?;
        let index = interface.map_or(0, NetworkInterface::index);
        let what = if join { "join" } else { "leave" };
        let r = match group {
            IpAddr::V4(g) => {
                let itf = InterfaceIndexOrAddress::Index(index);
                if join {
                    self.sock().join_multicast_v4_n(&g, &itf)
                } else {
                    self.sock().leave_multicast_v4_n(&g, &itf)
                }
            }
            IpAddr::V6(g) => {
                if join {
                    self.sock().join_multicast_v6(&g, index)
                } else {
                    self.sock().leave_multicast_v6(&g, index)
                }
            }
        };
        r.map_err(|e| Error::from_io_during(e, &format!("{what} multicast group {group}")))
    }

    /// POCO `setInterface`: the interface outgoing multicast datagrams leave by (`None`: the
    /// system's choice). An IPv4 interface needs an IPv4 address.
    pub fn set_interface(&self, interface: Option<&NetworkInterface>) -> Result<()> {
        match self.family {
            Fam::V4 => {
                let addr = match interface {
                    None => Ipv4Addr::UNSPECIFIED,
                    Some(i) => match i.first_ipv4() {
                        Some(IpAddr::V4(a)) => a,
                        _ => {
                            return Err(Error::new(
                                ErrorKind::InvalidArgument,
                                format!("interface {} has no IPv4 address", i.name()),
                            ));
                        }
                    },
                };
                Ok(self.sock().set_multicast_if_v4(&addr)?)
            }
            Fam::V6 => Ok(self.sock().set_multicast_if_v6(interface.map_or(0, NetworkInterface::index))?),
        }
    }

    /// POCO `getInterface`: the outgoing interface, `None` for the system's choice.
    pub fn interface(&self) -> Result<Option<NetworkInterface>> {
        match self.family {
            Fam::V4 => {
                let a = self.sock().multicast_if_v4()?;
                if a.is_unspecified() {
                    Ok(None)
                } else {
                    NetworkInterface::for_address(IpAddr::V4(a)).map(Some)
                }
            }
            Fam::V6 => match self.sock().multicast_if_v6()? {
                0 => Ok(None),
                i => NetworkInterface::for_index(i).map(Some),
            },
        }
    }

    /// POCO `setLoopback`: whether this host's own members get what it sends.
    pub fn set_loopback(&self, on: bool) -> Result<()> {
        let r = match self.family {
            Fam::V4 => self.sock().set_multicast_loop_v4(on),
            Fam::V6 => self.sock().set_multicast_loop_v6(on),
        };
        Ok(r?)
    }

    /// POCO `getLoopback`.
    pub fn loopback(&self) -> Result<bool> {
        Ok(match self.family {
            Fam::V4 => self.sock().multicast_loop_v4()?,
            Fam::V6 => self.sock().multicast_loop_v6()?,
        })
    }

    /// POCO `setTimeToLive`: the IPv4 TTL or IPv6 hop limit of multicast datagrams.
    pub fn set_time_to_live(&self, ttl: u32) -> Result<()> {
        let r = match self.family {
            Fam::V4 => self.sock().set_multicast_ttl_v4(ttl),
            Fam::V6 => self.sock().set_multicast_hops_v6(ttl),
        };
        Ok(r?)
    }

    /// POCO `getTimeToLive`.
    pub fn time_to_live(&self) -> Result<u32> {
        Ok(match self.family {
            Fam::V4 => self.sock().multicast_ttl_v4()?,
            Fam::V6 => self.sock().multicast_hops_v6()?,
        })
    }
}

impl AsFd for MulticastSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_round_trip_and_bad_groups_are_refused() {
        let s = MulticastSocket::new(AddressFamily::IPv4).unwrap();
        s.set_time_to_live(7).unwrap();
        assert_eq!(s.time_to_live().unwrap(), 7);
        s.set_loopback(false).unwrap();
        assert!(!s.loopback().unwrap());
        let lo = NetworkInterface::for_name("lo").unwrap();
        s.set_interface(Some(&lo)).unwrap();
        assert_eq!(s.interface().unwrap().map(|i| i.index()), Some(lo.index()));
        assert_eq!(
            s.join_group("10.0.0.1".parse().unwrap(), None).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidArgument)
        );
        assert_eq!(
            s.join_group("ff02::1".parse().unwrap(), None).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidArgument)
        );
        let v6 = MulticastSocket::new(AddressFamily::IPv6).unwrap();
        v6.set_time_to_live(3).unwrap();
        assert_eq!(v6.time_to_live().unwrap(), 3);
    }
}
