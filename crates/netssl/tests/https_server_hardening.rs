//! Issue 18's server findings over TLS: rpoco-net's `HttpServer` over our
//! `SecureServerSocket` on 127.0.0.1, driven by raw bytes inside a TLS connection. As many
//! slow readers and slow senders as worker threads do not stop others from being served;
//! the request checks (OWS-only trimming, `Transfer-Encoding`, `Host`, method case, CRLF in
//! chunked framing, absolute-form targets) hold as they do in plain HTTP.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use rpoco_net::{HttpMessage, HttpServer, HttpServerParams, ServerSocket, SocketAddress, handler_fn};
use rpoco_netssl::{Context, SecureServerSocket, TlsStream, VerificationMode};
use socket2::{Domain, Socket, Type};

const WORKERS: usize = 4;

/// The HTTPS server under test with `WORKERS` threads: POST answers the length of the body
/// it read, `/hello` 5 bytes, anything else 4 KiB; every answer names the method and URI.
fn start() -> HttpServer {
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
    let mut listener = SecureServerSocket::new(socket, &tls_context()).unwrap();
    listener.set_handshake_timeout(Some(TIMEOUT));
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = WORKERS;
    let factory = handler_fn(|request, response| {
        response.set("X-Method", request.method());
        response.set("X-Uri", request.uri());
        response.set("X-Host", request.host().unwrap_or("-"));
        if request.method() == "POST" {
            let mut body = Vec::new();
            request.read_to_end(&mut body)?;
            return response.send_buffer(&body);
        }
        if request.uri() == "/hello" {
            return response.send_buffer(b"hello");
        }
        if request.method() == "head" {
            // Framing by the exact token: an unknown method gets the body it announces.
            response.set_chunked_transfer_encoding(true);
            let mut out = response.send()?;
            out.write_all(b"body")?;
            return out.finish();
        }
        response.send_buffer(&[b'x'; 4096])
    });
    let server = HttpServer::with_listener(factory, listener, params).unwrap();
    server.start().unwrap();
    server
}

fn tls_context() -> Arc<Context> {
    server_context(&certs().server, VerificationMode::None)
}

/// A TLS client over `tcp`, handshake done.
fn tls_over(tcp: TcpStream) -> TlsStream<TcpStream> {
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(TIMEOUT)).unwrap();
    let mut tls = TlsStream::client(&client_context(VerificationMode::Strict), "localhost", tcp).unwrap();
    tls.set_handshake_timeout(Some(TIMEOUT));
    tls.complete_handshake().unwrap();
    tls
}

fn tls_client(port: u16) -> TlsStream<TcpStream> {
    tls_over(TcpStream::connect(("127.0.0.1", port)).unwrap())
}

/// A TLS client whose socket has a tiny receive buffer.
fn small_window_tls_client(port: u16) -> TlsStream<TcpStream> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    socket.connect(&addr.into()).unwrap();
    tls_over(socket.into())
}

/// Sends `request` over a new TLS connection and reads until the server closes it (a read
/// error at the end, such as a missing `close_notify`, keeps what was read).
fn tls_exchange(port: u16, request: &[u8]) -> String {
    let mut tls = tls_client(port);
    tls.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of the first response in `answer`.
fn status(answer: &str) -> u16 {
    answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// The value of header `name` in the first response of `answer`.
fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = &answer[..answer.find("\r\n\r\n")?];
    head.split("\r\n").skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Asserts that `request` is refused with 400 and `Connection: Close`, and the server closes.
fn refused(port: u16, request: &[u8]) {
    let answer = tls_exchange(port, request);
    assert_eq!(status(&answer), 400, "for {:?}: {answer}", String::from_utf8_lossy(request));
    assert_eq!(header(&answer, "Connection"), Some("Close"), "{answer}");
}

/// One well-behaved GET over a new TLS connection; how long it took.
fn timed_get(port: u16) -> Duration {
    let started = Instant::now();
    let answer = tls_exchange(port, b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(status(&answer), 200, "{answer}");
    assert!(answer.ends_with("\r\n\r\nhello"), "{answer}");
    started.elapsed()
}

#[test]
fn slow_tls_readers_and_senders_do_not_hold_the_workers() {
    let server = start();
    let port = server.port();
    // Slow readers: a small window, many pipelined GETs of 4 KiB answers, nothing read.
    let readers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let mut tls = small_window_tls_client(port);
            tls.write_all(&b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000)).unwrap();
            tls
        })
        .collect();
    // Slow senders: 1 MiB bodies at 1 KiB per 100 ms.
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..WORKERS)
        .map(|_| {
            let stop = stop.clone();
            let mut tls = tls_client(port);
            tls.write_all(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n").unwrap();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if tls.write_all(&[b'y'; 1024]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    for _ in 0..20 {
        let took = timed_get(port);
        assert!(took < Duration::from_secs(10), "a well-behaved HTTPS GET took {took:?}");
    }
    assert!(server.tcp_server().idle_connections() >= WORKERS, "slow clients wait in the poller");
    stop.store(true, Ordering::Relaxed);
    for t in senders {
        t.join().unwrap();
    }
    drop(readers);
    server.stop();
}

#[test]
fn tls_framing_fields_are_trimmed_of_sp_and_htab_only() {
    let server = start();
    let port = server.port();
    for request in [
        &b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\x85\r\n\r\n0\r\n\r\n"[..],
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \xa0chunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\xa0\r\n\r\nhello",
        // Empty or non-final-chunked Transfer-Encoding beside a Content-Length.
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\nContent-Length: 5\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
    ] {
        refused(port, request);
    }
    let ok = tls_exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \t5 \r\n\r\nhello",
    );
    assert_eq!(status(&ok), 200, "{ok}");
    assert!(ok.ends_with("\r\n\r\nhello"), "{ok}");
    server.stop();
}

#[test]
fn tls_host_rules_and_chunk_line_endings() {
    let server = start();
    let port = server.port();
    for hosts in [
        "",
        "Host: localhost\r\nHost: localhost\r\n",
        "Host: localhost\r\nHost: example.com\r\n",
        "Host: user:pw@localhost\r\n",
        "Host: localhost/path\r\n",
    ] {
        refused(port, format!("GET /hello HTTP/1.1\r\n{hosts}\r\n").as_bytes());
    }
    let head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for body in ["5\nhello\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5\r\nhello\r\n0\n\r\n"] {
        refused(port, format!("{head}{body}").as_bytes());
    }
    let ok = tls_exchange(port, b"GET /hello HTTP/1.1\r\nHost: localhost:8443\r\nConnection: close\r\n\r\n");
    assert_eq!((status(&ok), header(&ok, "X-Host")), (200, Some("localhost:8443")), "{ok}");
    server.stop();
}

#[test]
fn tls_lower_case_head_gets_a_body_and_absolute_targets_are_paths() {
    let server = start();
    let port = server.port();
    let answer = tls_exchange(
        port,
        b"head / HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    // `head` is not `HEAD`: its chunked body follows, then the second response, intact.
    let (first, second) = answer.split_once("0\r\n\r\n").unwrap_or((&answer, ""));
    assert_eq!(header(first, "X-Method"), Some("head"), "{answer}");
    assert!(first.ends_with("\r\n\r\n4\r\nbody\r\n"), "{answer}");
    assert_eq!((status(second), header(second, "X-Uri")), (200, Some("/hello")), "{answer}");
    assert!(second.ends_with("\r\n\r\nhello"), "{answer}");

    let answer = tls_exchange(
        port,
        b"GET https://localhost:1/hello?a=b HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&answer), 200, "{answer}");
    assert_eq!(header(&answer, "X-Uri"), Some("/hello?a=b"), "{answer}");
    assert_eq!(header(&answer, "X-Host"), Some("localhost:1"), "{answer}");
    server.stop();
}
