//! Resolver against dnsmasq on a private 127.0.0.1 port serving a test zone: forward
//! (A, AAAA, a CNAME alias), reverse (PTR) and NXDOMAIN; and Dns against /etc/hosts.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rpoco_net::{DatagramSocket, Dns, ErrorKind, Resolver, SocketAddress};

struct Dnsmasq {
    child: Child,
    port: u16,
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// dnsmasq answering only for `rpoco.test` and its reverse zones, from the command line.
fn dnsmasq() -> Option<Dnsmasq> {
    rpoco_testsupport::require("dnsmasq").map(|p| start_dnsmasq(&p))
}

fn start_dnsmasq(program: &std::path::Path) -> Dnsmasq {
    // A UDP port free a moment ago (dnsmasq serves TCP on the same number).
    let port = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap())
        .unwrap()
        .address()
        .unwrap()
        .port();
    let child = Command::new(program)
        .args([
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--pid-file=",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            "--user=root",
            &format!("--port={port}"),
            "--host-record=web.rpoco.test,192.0.2.10,2001:db8::10",
            "--host-record=v4only.rpoco.test,192.0.2.11",
            "--cname=www.rpoco.test,web.rpoco.test",
            "--local=/rpoco.test/",
            "--local=/2.0.192.in-addr.arpa/",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dnsmasq");
    let server = Dnsmasq { child, port };
    // Ready when it answers.
    let resolver = server.resolver().with_timeout(Duration::from_millis(200)).with_attempts(1);
    let start = Instant::now();
    while resolver.host_by_name("web.rpoco.test").is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "dnsmasq did not come up on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

impl Dnsmasq {
    fn resolver(&self) -> Resolver {
        Resolver::new(vec![SocketAddress::parse(&format!("127.0.0.1:{}", self.port)).unwrap()])
    }
}

#[test]
fn forward_reverse_and_nxdomain_against_dnsmasq() {
    let Some(server) = dnsmasq() else { return };
    let r = server.resolver();

    let web = r.host_by_name("web.rpoco.test").unwrap();
    assert_eq!(web.name(), "web.rpoco.test");
    assert!(web.aliases().is_empty());
    let mut addrs: Vec<String> = web.addresses().iter().map(|a| a.to_string()).collect();
    addrs.sort();
    assert_eq!(addrs, ["192.0.2.10", "2001:db8::10"]);

    // The CNAME: canonical name and alias.
    let www = r.host_by_name("www.rpoco.test").unwrap();
    assert_eq!(www.name(), "web.rpoco.test");
    assert_eq!(www.aliases(), ["www.rpoco.test"]);
    assert_eq!(www.addresses().len(), 2);

    let v4 = r.host_by_name("v4only.rpoco.test").unwrap();
    assert_eq!(v4.addresses(), ["192.0.2.11".parse::<std::net::IpAddr>().unwrap()]);

    let back = r.host_by_address("192.0.2.10".parse().unwrap()).unwrap();
    assert_eq!(back.name(), "web.rpoco.test");
    assert_eq!(r.resolve("2001:db8::10").unwrap().name(), "web.rpoco.test");

    let nx = r.host_by_name("nosuch.rpoco.test").unwrap_err();
    assert_eq!(nx.kind(), ErrorKind::HostNotFound, "{nx}");
    assert_eq!(nx.poco_class(), "HostNotFoundException");
    let nx = r.host_by_address("192.0.2.99".parse().unwrap()).unwrap_err();
    assert_eq!(nx.kind(), ErrorKind::HostNotFound, "{nx}");
}

#[test]
fn a_silent_server_is_a_timeout() {
    // Bound and never answering: every attempt waits out its limit.
    let silent = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap()).unwrap();
    let r = Resolver::new(vec![silent.address().unwrap()])
        .with_timeout(Duration::from_millis(100))
        .with_attempts(2);
    let start = Instant::now();
    let err = r.host_by_name("web.rpoco.test").unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(start.elapsed() >= Duration::from_millis(200));
}

#[test]
fn system_lookups_read_etc_hosts_first() {
    let lo = Dns::host_by_name("localhost").unwrap();
    assert!(lo.addresses().iter().all(|a| a.is_loopback()) && !lo.addresses().is_empty());
    assert_eq!(Dns::resolve_one("127.0.0.1").unwrap().to_string(), "127.0.0.1");
    assert!(!Dns::host_name().unwrap().is_empty());
    assert_eq!(Dns::host_by_name("").err().map(|e| e.kind()), Some(ErrorKind::InvalidArgument));
}
