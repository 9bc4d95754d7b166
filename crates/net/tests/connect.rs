//! The connection chain's TCP step against real sockets on 127.0.0.1: Happy Eyeballs with a
//! first address that never answers, limits, and a URL where a host belongs.
//!
//! "Never answers": a listener with a backlog of 0 whose one queue slot is taken by a
//! connection nobody accepts; Linux then drops every further SYN, so a connect to it hangs
//! exactly like one to a dead route (no netns or firewall rule needed).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use rpoco_net::{
    Chain, ConnectOptions, Detail, ErrorKind, HTTP_1_1, HttpClientSession, HttpRequest, HttpResponse,
    RFC8305_ATTEMPT_DELAY, SocketAddress, Timeout,
};

/// A loopback address whose SYNs are dropped, and what keeps it that way.
struct Blackhole {
    addr: SocketAddr,
    _listener: socket2::Socket,
    _fill: Vec<TcpStream>,
}

fn blackhole() -> Blackhole {
    let listener = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    listener.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut fill = Vec::new();
    // Fill the accept queue; stop at the first attempt that hangs (the hole is working).
    for _ in 0..4 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(s) => fill.push(s),
            Err(_) => break,
        }
    }
    let probe = TcpStream::connect_timeout(&addr, Duration::from_millis(300));
    assert!(probe.is_err(), "the blackhole must not accept: {probe:?}");
    Blackhole { addr, _listener: listener, _fill: fill }
}

fn resolver_for(addrs: Vec<SocketAddr>) -> impl Fn(&str, u16) -> rpoco_net::Result<Vec<SocketAddress>> {
    move |_host, _port| Ok(addrs.iter().copied().map(SocketAddress::from).collect())
}

#[test]
fn happy_eyeballs_uses_the_second_address_when_the_first_never_answers() {
    let hole = blackhole();
    let good = TcpListener::bind("127.0.0.1:0").unwrap();
    let good_addr = good.local_addr().unwrap();
    let attempt_timeout = Duration::from_secs(20);
    let options = ConnectOptions::new()
        .with_attempt_timeout(Some(attempt_timeout))
        .with_resolver(resolver_for(vec![hole.addr, good_addr]));
    let started = Instant::now();
    let transport = Chain::plain().with_options(options).connect("dual.example", 0).unwrap();
    let took = started.elapsed();
    assert_eq!(transport.peer_address().unwrap().as_std(), good_addr);
    // The second attempt starts after the RFC 8305 Connection Attempt Delay (250 ms), not
    // after the first attempt's 20 s limit (which a sequential connect would wait out), and
    // well within the 2 s RFC 8305 §5 allows as the longest delay.
    assert!(took >= RFC8305_ATTEMPT_DELAY, "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_session_races_the_addresses_too() {
    let hole = blackhole();
    let good = TcpListener::bind("127.0.0.1:0").unwrap();
    let good_addr = good.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = good.accept().unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 1024];
        let _ = socket.read(&mut buf).unwrap();
        socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
    });
    let mut session = HttpClientSession::new("dual.example", good_addr.port());
    session.set_connect_options(
        ConnectOptions::new()
            .with_attempt_timeout(Some(Duration::from_secs(20)))
            .with_resolver(resolver_for(vec![hole.addr, good_addr])),
    );
    let started = Instant::now();
    session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1)).unwrap();
    let mut response = HttpResponse::default();
    let mut body = String::new();
    session.receive_response(&mut response).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "ok");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    server.join().unwrap();
}

#[test]
fn an_address_that_never_answers_times_out_naming_the_limit() {
    let hole = blackhole();
    let limit = Duration::from_millis(300);
    let options =
        ConnectOptions::new().with_attempt_timeout(Some(limit)).with_resolver(resolver_for(vec![hole.addr]));
    let e = Chain::plain().with_options(options).connect("dead.example", 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(
        matches!(e.detail(), Detail::Timeout { which: Timeout::Connect, limit: Some(l) } if *l == limit),
        "{e:?}"
    );
    assert_eq!(std::io::Error::from(e).kind(), std::io::ErrorKind::TimedOut);
}

#[test]
fn every_address_failing_reports_the_last_and_the_count() {
    // Two closed ports: both refuse at once, so no attempt waits for the delay.
    let closed: Vec<SocketAddr> = (0..2)
        .map(|_| {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        })
        .collect();
    let options = ConnectOptions::new().with_resolver(resolver_for(closed));
    let e = Chain::plain().with_options(options).connect("gone.example", 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e:?}");
    // The last attempt's error is kept whole as the source.
    let last = e.source_as::<rpoco_net::Error>().map(rpoco_net::Error::kind);
    assert_eq!(last, Some(ErrorKind::ConnectionRefused), "{e:?}");
}

#[test]
fn a_url_where_a_host_belongs_is_refused_before_any_lookup() {
    let mut session = HttpClientSession::new("http://127.0.0.1:1/", 80);
    let e = session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1)).unwrap_err();
    // Resolving it would have been HostNotFound.
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e:?}");
}
