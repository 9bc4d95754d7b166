//! UdpServer and UdpClient on 127.0.0.1 and ::1: replies, a flood of 100,000 datagrams
//! that stays within the server's buffers and threads, and handler panics.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rpoco_net::{DatagramSocket, SocketAddress, UdpClient, UdpServer, UdpServerParams};

const LIMIT: Duration = Duration::from_secs(30);

fn upper(data: &[u8], from: SocketAddress, socket: &DatagramSocket) {
    if data == b"panic" {
        panic!("handler told to panic");
    }
    let _ = socket.send_to(&data.to_ascii_uppercase(), &from);
}

#[test]
fn request_and_reply_over_ipv4_and_ipv6() {
    for addr in ["127.0.0.1:0", "[::1]:0"] {
        let socket = DatagramSocket::bind(&SocketAddress::parse(addr).unwrap()).unwrap();
        let server = UdpServer::new(upper, socket, UdpServerParams::default()).unwrap();
        let client = UdpClient::connect(&server.address().unwrap()).unwrap();
        assert_eq!(client.request(b"hello", Duration::from_secs(5), 3).unwrap(), b"HELLO");
        // A panicking handler is counted; the server goes on.
        client.send(b"panic").unwrap();
        assert_eq!(client.request(b"after", Duration::from_secs(5), 3).unwrap(), b"AFTER");
        let start = Instant::now();
        while server.stats().panics == 0 && start.elapsed() < LIMIT {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(server.stats().panics, 1);
        server.stop();
    }
}

#[test]
fn no_reply_is_a_timeout() {
    // A bound socket that never answers.
    let silent = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap()).unwrap();
    let client = UdpClient::connect(&silent.address().unwrap()).unwrap();
    let err = client.request(b"anyone?", Duration::from_millis(50), 2).unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

#[test]
fn oversized_datagrams_are_counted_as_truncated() {
    let socket = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap()).unwrap();
    let params = UdpServerParams { buffer_size: 100, ..UdpServerParams::default() };
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let server = UdpServer::new(
        move |d: &[u8], _: SocketAddress, _: &DatagramSocket| g.lock().unwrap().push(d.len()),
        socket,
        params,
    )
    .unwrap();
    let client = UdpClient::connect(&server.address().unwrap()).unwrap();
    client.send(&[7u8; 1000]).unwrap();
    let start = Instant::now();
    while server.stats().handled == 0 && start.elapsed() < LIMIT {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(*got.lock().unwrap(), vec![100]);
    assert_eq!(server.stats().truncated, 1);
}

#[test]
fn a_flood_of_100000_datagrams_stays_within_the_buffers_and_threads() {
    const FLOOD: usize = 100_000;
    const THREADS: usize = 2;
    const BUFFERS: usize = 64;
    let socket = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap()).unwrap();
    let (busy, most_busy) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (b, m) = (busy.clone(), most_busy.clone());
    // A slow handler: the flood must outrun it.
    let handler = move |data: &[u8], from: SocketAddress, socket: &DatagramSocket| {
        let now = b.fetch_add(1, Ordering::SeqCst) + 1;
        m.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_micros(200));
        if data == b"ping" {
            let _ = socket.send_to(b"pong", &from);
        }
        b.fetch_sub(1, Ordering::SeqCst);
    };
    let params = UdpServerParams { threads: THREADS, buffers: BUFFERS, ..UdpServerParams::default() };
    let server = UdpServer::new(handler, socket, params).unwrap();
    let target = server.address().unwrap();
    let senders: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(move || {
                let s = DatagramSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap()).unwrap();
                let payload = [0x5Au8; 512];
                for _ in 0..FLOOD / 2 {
                    // The kernel may refuse when its own queue is full; that is a drop too.
                    let _ = s.send_to(&payload, &target);
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    // Wait for the server to take and settle what reached it.
    let start = Instant::now();
    let mut last = server.stats();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let now = server.stats();
        if (now == last && now.handled + now.dropped == now.received) || start.elapsed() > LIMIT {
            break;
        }
        last = now;
    }
    let stats = server.stats();
    eprintln!("flood of {FLOOD}: {stats:?}");
    assert!(stats.received <= FLOOD as u64, "{stats:?}");
    assert_eq!(stats.handled + stats.dropped, stats.received, "{stats:?}");
    assert!(stats.dropped > 0, "the slow handler was outrun, so buffers ran out: {stats:?}");
    assert!(most_busy.load(Ordering::SeqCst) <= THREADS);
    // Still serving.
    let client = UdpClient::connect(&target).unwrap();
    assert_eq!(client.request(b"ping", Duration::from_secs(2), 5).unwrap(), b"pong");
    server.stop();
}
