//! MulticastSocket between two network namespaces the test creates, joined by a veth pair:
//! IPv4 and IPv6 groups, join and leave. Skipped (with the reason) where namespaces cannot
//! be made; under `CI` that fails instead.

use std::fs::File;
use std::net::IpAddr;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use nix::sched::{CloneFlags, setns};
use rpoco_net::{AddressFamily, MulticastSocket, NetworkInterface, SocketAddress};

/// Two namespaces `a` and `b` with `veth-a` in `a` (192.0.2.1, 2001:db8::1) and `veth-b`
/// in `b` (.2, ::2); deleted on drop. The documentation prefixes exist only inside them.
struct Pair {
    a: String,
    b: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).output().map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

impl Pair {
    fn create(tag: &str) -> Result<Pair, String> {
        let id = std::process::id();
        let pair = Pair { a: format!("rpoco-{tag}-a-{id}"), b: format!("rpoco-{tag}-b-{id}") };
        ip(&["netns", "add", &pair.a])?;
        ip(&["netns", "add", &pair.b])?;
        let (va, vb) = ("veth-a", "veth-b");
        ip(&["-n", &pair.a, "link", "add", va, "type", "veth", "peer", "name", vb, "netns", &pair.b])?;
        for (ns, dev, n) in [(&pair.a, va, 1), (&pair.b, vb, 2)] {
            ip(&["-n", ns, "addr", "add", &format!("192.0.2.{n}/24"), "dev", dev])?;
            ip(&["-n", ns, "addr", "add", &format!("2001:db8::{n}/64"), "dev", dev, "nodad"])?;
            ip(&["-n", ns, "link", "set", dev, "up"])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&["-n", ns, "route", "add", "224.0.0.0/4", "dev", dev])?;
        }
        Ok(pair)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.a]);
        let _ = ip(&["netns", "del", &self.b]);
    }
}

fn pair_or_skip(tag: &str) -> Option<Pair> {
    match Pair::create(tag) {
        Ok(p) => Some(p),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "network namespaces are required under CI: {e}");
            eprintln!("SKIP: cannot make network namespaces here ({e})");
            None
        }
    }
}

/// Runs `f` on a thread inside namespace `ns` (a thread's network namespace is its own).
fn in_ns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> std::thread::JoinHandle<T> {
    let path = format!("/var/run/netns/{ns}");
    std::thread::spawn(move || {
        setns(File::open(&path).expect("open the namespace"), CloneFlags::CLONE_NEWNET)
            .expect("enter the namespace");
        f()
    })
}

fn group_round_trip(pair: &Pair, group: IpAddr, family: AddressFamily) {
    let port = 40_000 + (std::process::id() % 20_000) as u16;
    let (ready_tx, ready_rx) = mpsc::channel();
    let receiver = in_ns(&pair.b, move || {
        let itf = NetworkInterface::for_name("veth-b").unwrap();
        let wildcard = if group.is_ipv4() { "0.0.0.0" } else { "::" };
        let socket = MulticastSocket::bind(&SocketAddress::new(wildcard, port).unwrap(), true).unwrap();
        socket.join_group(group, Some(&itf)).unwrap();
        socket.socket().set_receive_timeout(Some(Duration::from_secs(10))).unwrap();
        ready_tx.send(()).unwrap();
        let mut buf = [0u8; 64];
        let (n, from) = socket.socket().receive_from(&mut buf).unwrap();
        let first = (buf[..n].to_vec(), from.host());
        // After leaving, the group's datagrams no longer arrive.
        socket.leave_group(group, Some(&itf)).unwrap();
        ready_tx.send(()).unwrap();
        socket.socket().set_receive_timeout(Some(Duration::from_millis(500))).unwrap();
        let after_leave = socket.socket().receive_from(&mut buf).map(|(n, _)| buf[..n].to_vec());
        (first, after_leave.is_err())
    });
    ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let sender = in_ns(&pair.a, move || {
        let itf = NetworkInterface::for_name("veth-a").unwrap();
        let socket = MulticastSocket::new(family).unwrap();
        socket.set_interface(Some(&itf)).unwrap();
        socket.set_time_to_live(1).unwrap();
        socket.set_loopback(false).unwrap();
        let to = SocketAddress::from_ip(group, port);
        socket.socket().send_to(b"to the group", &to).unwrap();
        go_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        socket.socket().send_to(b"after leave", &to).unwrap();
    });
    ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    go_tx.send(()).unwrap();
    sender.join().unwrap();
    let ((data, from), nothing_after_leave) = receiver.join().unwrap();
    assert_eq!(data, b"to the group");
    let expected: IpAddr =
        if group.is_ipv4() { "192.0.2.1".parse().unwrap() } else { "2001:db8::1".parse().unwrap() };
    assert_eq!(from, expected);
    assert!(nothing_after_leave, "a datagram arrived after leaving {group}");
}

#[test]
fn ipv4_group_across_a_veth_pair() {
    let Some(pair) = pair_or_skip("mc4") else { return };
    group_round_trip(&pair, "239.255.42.99".parse().unwrap(), AddressFamily::IPv4);
}

#[test]
fn ipv6_group_across_a_veth_pair() {
    let Some(pair) = pair_or_skip("mc6") else { return };
    group_round_trip(&pair, "ff05::4242".parse().unwrap(), AddressFamily::IPv6);
}
