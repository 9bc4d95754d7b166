//! [`Resolver`]: the I/O half: queries over UDP (TCP when a reply is truncated) to the
//! configured name servers in turn, each wait bounded.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RecordType};

use super::HostEntry;
use super::message::{self, Answer};
use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::socket::{AddressFamily, DatagramSocket, PollMode, SocketAddress, StreamSocket};

/// The largest DNS message over TCP (its length prefix is 16 bits).
const MAX_TCP_MESSAGE: usize = 65_535;
/// A UDP reply without EDNS is at most 512 bytes; accept up to what UDP can carry.
const MAX_UDP_MESSAGE: usize = 65_535;
/// CNAME links followed at most (RFC 1034 leaves it open; resolvers use about 8–16).
const MAX_CNAME_CHAIN: usize = 16;

/// A DNS stub resolver pointed at given name servers (any address and port), with a
/// timeout per attempt and a number of attempts per server.
///
/// [`Dns`](super::Dns) uses one made from `/etc/resolv.conf`; tests and tools make their own
/// ([`Resolver::new`]) to ask a particular server.
#[derive(Debug, Clone)]
pub struct Resolver {
    servers: Vec<SocketAddress>,
    timeout: Duration,
    attempts: u32,
}

impl Resolver {
    /// A resolver asking `servers` in turn; 2 s per attempt, 2 attempts per server.
    pub fn new(servers: Vec<SocketAddress>) -> Self {
        Resolver { servers, timeout: Duration::from_secs(2), attempts: 2 }
    }

    /// The name servers of `/etc/resolv.conf` (`nameserver` lines, port 53).
    pub fn system() -> Result<Self> {
        let conf = std::fs::read_to_string("/etc/resolv.conf")
            .map_err(|e| Error::from_io_during(e, "read /etc/resolv.conf"))?;
        let servers: Vec<SocketAddress> = conf
            .lines()
            .filter_map(|l| l.trim().strip_prefix("nameserver"))
            .filter_map(|rest| rest.trim().split('%').next()?.parse::<IpAddr>().ok())
            .map(|ip| SocketAddress::from_ip(ip, 53))
            .collect();
        if servers.is_empty() {
            return Err(Error::new(ErrorKind::HostNotFound, "no name server in /etc/resolv.conf"));
        }
        Ok(Self::new(servers))
    }

    /// Sets the wait for each reply.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets the attempts per server (at least 1).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// The name servers.
    pub fn servers(&self) -> &[SocketAddress] {
        &self.servers
    }

    /// POCO `DNS::hostByName`: the addresses (A and AAAA) of `host`, its canonical name and
    /// the aliases (CNAMEs) met on the way. NXDOMAIN or no address → [`ErrorKind::HostNotFound`].
    pub fn host_by_name(&self, host: &str) -> Result<HostEntry> {
        let name = message::name_of(host)?;
        let mut entry = HostEntry {
            name: host.trim_end_matches('.').to_owned(),
            aliases: Vec::new(),
            addresses: Vec::new(),
        };
        let mut exists = false;
        for kind in [RecordType::A, RecordType::AAAA] {
            match self.ask(&name, kind)? {
                Answer::NoSuchName => {
                    return Err(Error::new(
                        ErrorKind::HostNotFound,
                        format!("{host}: no such name (NXDOMAIN)"),
                    ));
                }
                Answer::Truncated => {
                    return Err(Error::new(ErrorKind::Protocol, format!("{host}: truncated DNS reply")));
                }
                Answer::Records { addresses, cnames, .. } => {
                    exists = true;
                    follow_cnames(&mut entry, &cnames)?;
                    for a in addresses {
                        if !entry.addresses.contains(&a) {
                            entry.addresses.push(a);
                        }
                    }
                }
            }
        }
        if !exists || entry.addresses.is_empty() {
            return Err(Error::new(ErrorKind::HostNotFound, format!("{host}: no address found")));
        }
        Ok(entry)
    }

    /// POCO `DNS::hostByAddress`: the name of `ip` (PTR). None → [`ErrorKind::HostNotFound`].
    pub fn host_by_address(&self, ip: IpAddr) -> Result<HostEntry> {
        let name = message::reverse_name(ip);
        match self.ask(&name, RecordType::PTR)? {
            Answer::Records { names, .. } if !names.is_empty() => {
                let mut names = names.into_iter();
                let first = names.next().unwrap_or_default();
                Ok(HostEntry { name: first, aliases: names.collect(), addresses: vec![ip] })
            }
            _ => Err(Error::new(ErrorKind::HostNotFound, format!("{ip}: no name (PTR) found"))),
        }
    }

    /// POCO `DNS::resolve`: an address literal is looked up by address, a name by name.
    pub fn resolve(&self, address_or_name: &str) -> Result<HostEntry> {
        match address_or_name.parse::<IpAddr>() {
            Ok(ip) => self.host_by_address(ip),
            Err(_) => self.host_by_name(address_or_name),
        }
    }

    fn ask(&self, name: &Name, kind: RecordType) -> Result<Answer> {
        if self.servers.is_empty() {
            return Err(Error::new(ErrorKind::IllegalState, "the resolver has no name server"));
        }
        let mut last = None;
        for server in &self.servers {
            for _ in 0..self.attempts {
                match self.ask_udp(server, name, kind) {
                    Ok(Answer::Truncated) => match self.ask_tcp(server, name, kind) {
                        Ok(a) => return Ok(a),
                        Err(e) => last = Some(e),
                    },
                    Ok(a) => return Ok(a),
                    Err(e) if e.is_timeout() => last = Some(e),
                    // A server that answers badly is not asked again; the next one is.
                    Err(e) => {
                        last = Some(e);
                        break;
                    }
                }
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::timeout(Timeout::Read, Some(self.timeout), format!("DNS reply for {name}"))
        }))
    }

    fn ask_udp(&self, server: &SocketAddress, name: &Name, kind: RecordType) -> Result<Answer> {
        let id = random_id()?;
        let family = if server.host().is_ipv4() { AddressFamily::IPv4 } else { AddressFamily::IPv6 };
        let socket = DatagramSocket::new(family)?;
        socket.connect(server)?;
        socket.send_bytes(&message::query(id, name, kind)?)?;
        let deadline = Instant::now() + self.timeout;
        let mut buf = vec![0u8; MAX_UDP_MESSAGE];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !socket.poll(Some(left), PollMode::READ)? {
                return Err(Error::timeout(
                    Timeout::Read,
                    Some(self.timeout),
                    format!("DNS reply from {server} for {name} {kind}"),
                ));
            }
            // ICMP port unreachable comes back as ConnectionRefused: nobody serves there.
            let n = socket.receive_bytes(&mut buf)?;
            // Stray and spoofed datagrams are skipped until the deadline.
            match message::answer(&buf[..n], id, name, kind) {
                Ok(Some(a)) => return Ok(a),
                Ok(None) | Err(_) => continue,
            }
        }
    }

    fn ask_tcp(&self, server: &SocketAddress, name: &Name, kind: RecordType) -> Result<Answer> {
        let id = random_id()?;
        let socket = StreamSocket::connect_timeout(server, Some(self.timeout))?;
        socket.set_receive_timeout(Some(self.timeout))?;
        socket.set_send_timeout(Some(self.timeout))?;
        let q = message::query(id, name, kind)?;
        let mut framed = (q.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&q);
        (&socket).write_all(&framed)?;
        let mut len = [0u8; 2];
        (&socket).read_exact(&mut len)?;
        let len = usize::from(u16::from_be_bytes(len)).min(MAX_TCP_MESSAGE);
        let mut reply = vec![0u8; len];
        (&socket).read_exact(&mut reply)?;
        match message::answer(&reply, id, name, kind)? {
            Some(Answer::Truncated) | None => {
                Err(Error::new(ErrorKind::Protocol, format!("bad DNS reply over TCP from {server}")))
            }
            Some(a) => Ok(a),
        }
    }
}

/// Follows the CNAME links from the entry's name: each alias met is recorded, and the last
/// target becomes the canonical name.
fn follow_cnames(entry: &mut HostEntry, cnames: &[(String, String)]) -> Result<()> {
    for _ in 0..MAX_CNAME_CHAIN {
        let Some((_, target)) = cnames.iter().find(|(from, _)| from.eq_ignore_ascii_case(&entry.name)) else {
            return Ok(());
        };
        let alias = std::mem::replace(&mut entry.name, target.clone());
        if !entry.aliases.iter().any(|a| a.eq_ignore_ascii_case(&alias)) {
            entry.aliases.push(alias);
        }
    }
    Err(Error::new(
        ErrorKind::Protocol,
        format!("CNAME chain longer than {MAX_CNAME_CHAIN} links at {}", entry.name),
    ))
}

fn random_id() -> Result<u16> {
    let mut b = [0u8; 2];
    getrandom::fill(&mut b).map_err(|e| Error::new(ErrorKind::Net, format!("no random DNS id: {e}")))?;
    Ok(u16::from_ne_bytes(b))
}
