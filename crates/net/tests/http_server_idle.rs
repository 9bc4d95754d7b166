//! Thousands of idle keep-alive connections wait in the poller: the process's thread count
//! (`/proc/self/task`) does not grow with them. Alone in its test binary, so no other
//! test's threads are counted.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use rpoco_net::{HttpServerParams, handler_fn};

const IDLE: usize = 2500;

#[test]
fn idle_keep_alive_connections_cost_no_threads() {
    // Both ends of every connection live in this process.
    let limit = rlimit::increase_nofile_limit(2 * IDLE as u64 + 256).unwrap();
    assert!(limit >= 2 * IDLE as u64 + 64, "RLIMIT_NOFILE is {limit}; this test needs {}", 2 * IDLE + 64);
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = 4;
    let server = support::serve(
        handler_fn(|request, response| response.send_buffer(request.uri().as_bytes())),
        params,
    );
    let port = server.port();
    let baseline = support::thread_count();

    let mut clients = Vec::with_capacity(IDLE);
    for i in 0..IDLE {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // One at a time: a burst of thousands would overflow the accept queue (64, as in
        // POCO) and be refused, which is not what this test is about.
        s.write_all(format!("GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).unwrap();
        assert_eq!(read_body(&mut s), format!("/{i}"));
        clients.push(s);
    }
    assert!(support::eventually(Duration::from_secs(10), || server.tcp_server().idle_connections() == IDLE));
    let threads = support::thread_count();
    assert!(
        threads <= baseline + 4,
        "{IDLE} idle connections: {threads} threads, {baseline} before (at most 4 workers may start)"
    );
    assert!(server.tcp_server().current_threads() <= 4);
    assert_eq!(server.tcp_server().current_connections(), IDLE);

    // Every parked connection still works.
    for (i, s) in clients.iter_mut().enumerate().rev() {
        s.write_all(format!("GET /again{i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).unwrap();
        assert_eq!(read_body(s), format!("/again{i}"));
    }
    assert!(support::thread_count() <= baseline + 4);
}

/// Reads one `Content-Length` response and returns its body.
fn read_body(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "connection closed");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}
