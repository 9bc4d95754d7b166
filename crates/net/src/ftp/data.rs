//! FTP data connections: the replies and arguments that set them up (`PASV`/227,
//! `EPSV`/229, `PORT`, `EPRT`; sans-IO) and the passive and active ways of opening them.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};

use crate::dialog::Reply;
use crate::error::{Error, ErrorKind, Result, Timeout};
use crate::socket::{ServerSocket, SocketAddress, StreamSocket};

/// What to do with the address in a `227` reply to `PASV` when it is not the control
/// connection's server (RFC 2577: a server can make the client connect anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasvAddressPolicy {
    /// Refuse it: the transfer fails with the reply in the error (the default).
    #[default]
    Refuse,
    /// Ignore it and connect to the control connection's server at the port given (curl's
    /// default, for servers behind NAT that announce a private address).
    UseControlHost,
    /// Connect where it says (POCO's behaviour). Only for servers you trust.
    Trust,
}

/// The address in a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply: the first run of
/// six comma-separated numbers 0..=255 in the text (RFC 1123 4.1.2.6: do not rely on the
/// parentheses).
pub fn parse_pasv_reply(reply: &Reply) -> Option<SocketAddrV4> {
    let text = reply.text();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            if let Some(address) = six_numbers(&text[i..]) {
                return Some(address);
            }
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    None
}

fn six_numbers(text: &str) -> Option<SocketAddrV4> {
    let mut numbers = [0u8; 6];
    let mut rest = text;
    for (k, slot) in numbers.iter_mut().enumerate() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 3 {
            return None;
        }
        *slot = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        if k < 5 {
            rest = rest.strip_prefix(',')?.trim_start();
        }
    }
    let [a, b, c, d, p1, p2] = numbers;
    Some(SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), u16::from(p1) << 8 | u16::from(p2)))
}

/// The port in a `229 Entering Extended Passive Mode (|||port|)` reply (RFC 2428 3: the
/// delimiter is any printable character, the same four times).
pub fn parse_epsv_reply(reply: &Reply) -> Option<u16> {
    let text = reply.text();
    let open = text.find('(')?;
    let inner = &text[open + 1..];
    let close = inner.find(')')?;
    let inner = &inner[..close];
    let delimiter = inner.chars().next()?;
    if !(33..=126).contains(&(delimiter as u32)) {
        return None;
    }
    let fields: Vec<&str> = inner.split(delimiter).collect();
    // "|||6446|" splits into ["", "", "", "6446", ""].
    match fields.as_slice() {
        ["", "", "", port, ""] if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            port.parse().ok().filter(|&p| p != 0)
        }
        _ => None,
    }
}

/// The argument of `PORT` for `address`: `h1,h2,h3,h4,p1,p2`.
pub fn port_argument(address: SocketAddrV4) -> String {
    let [a, b, c, d] = address.ip().octets();
    let port = address.port();
    format!("{a},{b},{c},{d},{},{}", port >> 8, port & 0xff)
}

/// The argument of `EPRT` for `address`: `|1|h|port|` or `|2|h|port|` (RFC 2428 2).
pub fn eprt_argument(address: SocketAddr) -> String {
    match address {
        SocketAddr::V4(a) => format!("|1|{}|{}|", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("|2|{}|{}|", a.ip(), a.port()),
    }
}

/// Where a `227` reply's address leads under `policy`, given the control connection's peer;
/// `Err` with the reason when it is refused.
pub(crate) fn pasv_target(
    announced: SocketAddrV4,
    control_peer: IpAddr,
    policy: PasvAddressPolicy,
) -> std::result::Result<SocketAddr, String> {
    let same = match control_peer {
        IpAddr::V4(v4) => v4 == *announced.ip(),
        IpAddr::V6(v6) => v6.to_ipv4_mapped() == Some(*announced.ip()),
    };
    match policy {
        _ if same => Ok(SocketAddr::new(control_peer, announced.port())),
        PasvAddressPolicy::Trust => Ok(SocketAddr::V4(announced)),
        PasvAddressPolicy::UseControlHost => Ok(SocketAddr::new(control_peer, announced.port())),
        PasvAddressPolicy::Refuse => Err(format!(
            "the passive address {announced} is not the server's ({control_peer}); refused \
             (FTP bounce; see PasvAddressPolicy)"
        )),
    }
}

/// A data connection being set up: connected already (passive) or listening for the
/// server (active).
#[derive(Debug)]
pub(crate) enum PendingData {
    /// Passive: the client has connected.
    Connected(StreamSocket),
    /// Active: the client listens; the server must connect from `peer`.
    Listening { listener: ServerSocket, peer: IpAddr },
}

impl PendingData {
    /// Listens on the control connection's local address, any port.
    pub(crate) fn listen(local: IpAddr, peer: IpAddr) -> Result<(PendingData, SocketAddr)> {
        let listener = ServerSocket::bind_with(&SocketAddress::from_ip(local, 0), false, false, 1)?;
        let address = listener.address()?.as_std();
        Ok((PendingData::Listening { listener, peer }, address))
    }

    /// The connected data socket: for active mode, the server's connection, accepted within
    /// `timeout` and only from the control connection's server (anyone else could connect
    /// first and take the data).
    pub(crate) fn complete(self, timeout: Option<Duration>) -> Result<StreamSocket> {
        match self {
            PendingData::Connected(socket) => Ok(socket),
            PendingData::Listening { listener, peer } => {
                let (socket, from) = accept_within(&listener, timeout)?;
                if from.host() != peer && from.host().to_canonical() != peer.to_canonical() {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!("active data connection from {from}, not from the server {peer}; refused"),
                    ));
                }
                Ok(socket)
            }
        }
    }
}

fn accept_within(
    listener: &ServerSocket,
    timeout: Option<Duration>,
) -> Result<(StreamSocket, SocketAddress)> {
    let Some(timeout) = timeout else { return listener.accept_connection() };
    let deadline = Instant::now() + timeout;
    let mut poll = Poll::new()?;
    let fd = listener.as_tcp_listener().as_raw_fd();
    poll.registry().register(&mut SourceFd(&fd), Token(0), Interest::READABLE)?;
    let mut events = Events::with_capacity(1);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::timeout(
                Timeout::Connect,
                Some(timeout),
                "waiting for the server to open the active data connection",
            ));
        }
        match poll.poll(&mut events, Some(left)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
        if !events.is_empty() {
            return listener.accept_connection();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, line: &str) -> Reply {
        Reply::new(code, vec![line.to_string()])
    }

    #[test]
    fn pasv_replies() {
        let a = |s: &str| s.parse::<SocketAddrV4>().unwrap();
        let cases: &[(&str, Option<SocketAddrV4>)] = &[
            ("227 Entering Passive Mode (127,0,0,1,4,210).", Some(a("127.0.0.1:1234"))),
            ("227 Entering Passive Mode (127, 0, 0, 1, 4, 210)", Some(a("127.0.0.1:1234"))),
            ("227 =192,168,1,2,255,255", Some(a("192.168.1.2:65535"))),
            ("227 Entering Passive Mode 10,0,0,1,0,21", Some(a("10.0.0.1:21"))),
            ("227 Mode 2 (127,0,0,1,0,1)", Some(a("127.0.0.1:1"))),
            ("227 Entering Passive Mode (256,0,0,1,4,210)", None),
            ("227 Entering Passive Mode (127,0,0,1,4)", None),
            ("227 Entering Passive Mode (1277,0,0,1,4,2)", None),
            ("227 Entering Passive Mode", None),
            ("227 (,,,,,)", None),
        ];
        for (line, want) in cases {
            assert_eq!(parse_pasv_reply(&reply(227, line)), *want, "{line}");
        }
    }

    #[test]
    fn epsv_replies() {
        let cases: &[(&str, Option<u16>)] = &[
            ("229 Entering Extended Passive Mode (|||6446|)", Some(6446)),
            ("229 Entering Extended Passive Mode (!!!6446!)", Some(6446)),
            ("229 (|||0|)", None),
            ("229 (|||70000|)", None),
            ("229 (||127.0.0.1|6446|)", None),
            ("229 (|||64x6|)", None),
            ("229 Entering Extended Passive Mode", None),
            ("229 (|||6446|", None),
            ("229 ( 6446 )", None),
        ];
        for (line, want) in cases {
            assert_eq!(parse_epsv_reply(&reply(229, line)), *want, "{line}");
        }
    }

    #[test]
    fn port_and_eprt_arguments() {
        assert_eq!(port_argument("127.0.0.1:1234".parse().unwrap()), "127,0,0,1,4,210");
        assert_eq!(eprt_argument("127.0.0.1:1234".parse().unwrap()), "|1|127.0.0.1|1234|");
        assert_eq!(eprt_argument("[::1]:1234".parse().unwrap()), "|2|::1|1234|");
    }

    #[test]
    fn pasv_bounce_policy() {
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        let other: SocketAddrV4 = "10.1.2.3:2121".parse().unwrap();
        let same: SocketAddrV4 = "127.0.0.1:2121".parse().unwrap();
        assert_eq!(pasv_target(same, here, PasvAddressPolicy::Refuse).unwrap(), SocketAddr::V4(same));
        assert!(pasv_target(other, here, PasvAddressPolicy::Refuse).unwrap_err().contains("10.1.2.3"));
        assert_eq!(
            pasv_target(other, here, PasvAddressPolicy::UseControlHost).unwrap(),
            "127.0.0.1:2121".parse().unwrap()
        );
        assert_eq!(pasv_target(other, here, PasvAddressPolicy::Trust).unwrap(), SocketAddr::V4(other));
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(pasv_target(same, mapped, PasvAddressPolicy::Refuse).is_ok());
    }
}
