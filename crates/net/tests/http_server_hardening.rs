//! HttpServer against hostile and broken clients, byte by byte: each malformed request gets
//! its status and a closed connection; slow, idle and crashing clients cost no lasting
//! thread and do not stop others from being served.

mod support;

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rpoco_net::{
    HttpMessage, HttpServer, HttpServerParams, Listener, ServerSocket, SocketAddress, StreamSocket,
    Transport, handler_fn,
};
use support::{connect, exchange, serve};

fn echo_server(params: HttpServerParams) -> HttpServer {
    serve(
        handler_fn(|request, response| {
            let mut body = Vec::new();
            request.read_to_end(&mut body)?;
            response.send_buffer(&body)
        }),
        params,
    )
}

/// Sends `request`, expects `status`, then the connection closed.
fn expect_rejected(server: &HttpServer, request: &[u8], status: u16) {
    let (res, mut c) = exchange(server.port(), request);
    assert_eq!(res.status, status, "for {:?}", String::from_utf8_lossy(&request[..request.len().min(80)]));
    assert_eq!(res.header("Connection"), Some("Close"));
    assert!(res.header("Date").is_some());
    assert!(c.closed_within(Duration::from_secs(5)), "connection left open after {status}");
}

#[test]
fn too_long_uri_is_414() {
    let server = echo_server(HttpServerParams::default());
    let mut req = b"GET /".to_vec();
    req.extend(std::iter::repeat_n(b'a', 17_000));
    req.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n\r\n");
    expect_rejected(&server, &req, 414);
    // The line alone, never finished, is refused too once it passes the limit.
    let mut req = b"GET /".to_vec();
    req.extend(std::iter::repeat_n(b'b', 20_000));
    expect_rejected(&server, &req, 414);
}

#[test]
fn header_limits_are_431() {
    let server = echo_server(HttpServerParams::default());
    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..101 {
        many.extend_from_slice(format!("X-F{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    expect_rejected(&server, &many, 431);
    let long_value = format!("GET / HTTP/1.1\r\nX-Long: {}\r\n\r\n", "v".repeat(8193));
    expect_rejected(&server, long_value.as_bytes(), 431);
    let long_name = format!("GET / HTTP/1.1\r\n{}: v\r\n\r\n", "N".repeat(257));
    expect_rejected(&server, long_name.as_bytes(), 431);
    // Limits are configurable.
    let mut params = HttpServerParams::default();
    params.limits.header.max_fields = 3;
    let strict = echo_server(params);
    expect_rejected(&strict, b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431);
}

#[test]
fn smuggling_vectors_are_400() {
    let server = echo_server(HttpServerParams::default());
    expect_rejected(
        &server,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    );
    expect_rejected(
        &server,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        400,
    );
    expect_rejected(&server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", 400);
    expect_rejected(&server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400);
    expect_rejected(&server, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
    expect_rejected(&server, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400);
}

#[test]
fn invalid_chunk_sizes_are_400() {
    let server = echo_server(HttpServerParams::default());
    for body in
        [&b"zz\r\nhello\r\n0\r\n\r\n"[..], b"FFFFFFFFFFFFFFFFF\r\n", b"5 x\r\nhello\r\n0\r\n\r\n", b"-5\r\n"]
    {
        let mut req = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        req.extend_from_slice(body);
        expect_rejected(&server, &req, 400);
    }
    // Identical duplicate lengths are fine (RFC 9110 8.6).
    let (res, _) = exchange(
        server.port(),
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
    );
    assert_eq!((res.status, res.body.as_slice()), (200, &b"ok"[..]));
}

#[test]
fn folding_bare_cr_and_bare_lf_are_400() {
    let server = echo_server(HttpServerParams::default());
    expect_rejected(&server, b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", 400);
    expect_rejected(&server, b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400);
    expect_rejected(&server, b"GET / HTTP/1.1\r\nHost: x\r\nX-A\r\n\r\n", 400);
    expect_rejected(&server, b"GET / HTTP/1.1\nHost: x\n\n", 400);
    expect_rejected(&server, b"GET / HTTP/1.1\r\nHost: x\nX-B: 2\r\n\r\n", 400);
    expect_rejected(&server, b"GET / HTTP/1.1\r\nHo st: x\r\n\r\n", 400);
    expect_rejected(&server, b"GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n", 400);
    expect_rejected(&server, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", 400);
}

#[test]
fn idle_clients_are_dropped_and_cost_no_thread() {
    let params = HttpServerParams {
        timeout: Duration::from_millis(400),
        keep_alive_timeout: Duration::from_millis(400),
        ..HttpServerParams::default()
    };
    let server = echo_server(params);
    // Connected, silent: closed without a response after `timeout`.
    let mut silent = connect(server.port());
    // Kept alive after one request, then silent: closed after `keep_alive_timeout`.
    let (_, mut kept) = exchange(server.port(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(support::eventually(Duration::from_secs(2), || server.tcp_server().idle_connections() == 2));
    // Meanwhile others are served at once.
    for _ in 0..5 {
        let started = Instant::now();
        let (res, _) = exchange(server.port(), b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_eq!(res.status, 200);
        assert!(started.elapsed() < Duration::from_millis(300));
    }
    let started = Instant::now();
    assert!(silent.closed_within(Duration::from_secs(3)));
    assert!(kept.closed_within(Duration::from_secs(3)));
    assert!(started.elapsed() < Duration::from_secs(2), "closed after {:?}", started.elapsed());
    let mut rest = Vec::new();
    silent.stream.read_to_end(&mut rest).ok();
    assert!(rest.is_empty(), "a silent connection gets no response");
}

#[test]
fn slowloris_clients_get_408_without_starving_others() {
    let mut params =
        HttpServerParams { request_head_timeout: Duration::from_millis(800), ..HttpServerParams::default() };
    params.tcp.max_threads = 2;
    let server = echo_server(params);
    let port = server.port();
    // 30 clients (15 per worker) dribble a head one byte every 50 ms: it never completes.
    let slow: Vec<_> = (0..30)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = connect(port);
                let started = Instant::now();
                for b in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".iter().chain(std::iter::repeat(&b'a')) {
                    if c.stream.write_all(&[*b]).is_err() || started.elapsed() > Duration::from_secs(5) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                let mut rest = Vec::new();
                let _ = c.stream.read_to_end(&mut rest);
                (started.elapsed(), String::from_utf8_lossy(&rest).to_string())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..10 {
        let started = Instant::now();
        let (res, _) = exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
        assert_eq!((res.status, res.body.as_slice()), (200, &b"hi"[..]));
        assert!(started.elapsed() < Duration::from_millis(500), "served after {:?}", started.elapsed());
    }
    assert!(server.tcp_server().current_threads() <= 2);
    for t in slow {
        let (took, reply) = t.join().unwrap();
        assert!(reply.starts_with("HTTP/1.1 408 Request Time-out\r\n"), "{reply:?}");
        assert!(took < Duration::from_secs(3), "dropped after {took:?}");
    }
}

#[test]
fn a_panicking_handler_is_a_500_and_the_server_keeps_serving() {
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = 2;
    let server = serve(
        handler_fn(|request, response| {
            if request.uri() == "/panic" {
                panic!("handler bug");
            }
            if request.uri() == "/half" {
                response.set_chunked_transfer_encoding(true);
                let mut out = response.send()?;
                out.write_all(b"partial")?;
                out.flush()?;
                panic!("handler bug after sending");
            }
            response.send_buffer(b"fine")
        }),
        params,
    );
    for _ in 0..20 {
        let (res, mut c) = exchange(server.port(), b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!((res.status, res.reason.as_str()), (500, "Internal Server Error"));
        assert!(c.closed_within(Duration::from_secs(5)));
    }
    // Headers already out: the connection is closed mid-body, which the client notices.
    let mut c = connect(server.port());
    c.write_all(b"GET /half HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut all = Vec::new();
    let _ = c.stream.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all);
    assert!(
        text.starts_with("HTTP/1.1 200 OK") && text.contains("partial") && !text.ends_with("0\r\n\r\n"),
        "{text}"
    );
    let (res, _) = exchange(server.port(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(res.body, b"fine");
    assert!(server.tcp_server().current_threads() <= 2);
}

#[test]
fn bad_clients_leak_no_threads() {
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = 4;
    let server = echo_server(params);
    for i in 0..200 {
        let mut c = connect(server.port());
        match i % 4 {
            0 => c.write_all(b"GARBAGE\r\n\r\n"),
            1 => c.write_all(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nshort"),
            2 => c.write_all(b"GET / HTTP/1.1\r\nHost"),
            _ => {}
        }
        drop(c);
    }
    let (res, _) = exchange(server.port(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(res.status, 200);
    assert!(server.tcp_server().current_threads() <= 4);
    assert!(support::eventually(Duration::from_secs(5), || server.tcp_server().current_connections() <= 1));
}

#[test]
fn stop_lets_running_requests_finish_within_the_bound() {
    let mut params = HttpServerParams::default();
    params.tcp.drain_timeout = Duration::from_millis(1500);
    let server = Arc::new(serve(
        handler_fn(|request, response| {
            let ms: u64 = request.uri().trim_start_matches('/').parse().unwrap_or(0);
            std::thread::sleep(Duration::from_millis(ms));
            response.send_buffer(b"done")
        }),
        params,
    ));
    let port = server.port();
    let (_, mut idle) = exchange(port, b"GET /0 HTTP/1.1\r\nHost: x\r\n\r\n");
    let slow = std::thread::spawn(move || exchange(port, b"GET /300 HTTP/1.1\r\nHost: x\r\n\r\n").0);
    let stuck = std::thread::spawn(move || {
        let mut c = connect(port);
        c.write_all(b"GET /10000 HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut all = Vec::new();
        let _ = c.stream.read_to_end(&mut all);
        all
    });
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    server.stop();
    let took = started.elapsed();
    let res = slow.join().unwrap();
    assert_eq!((res.body.as_slice(), res.header("Connection")), (&b"done"[..], Some("Close")));
    assert!(idle.closed_within(Duration::from_secs(1)), "idle connections close at stop");
    assert!(took < Duration::from_secs(5), "stop took {took:?}");
    assert!(stuck.join().unwrap().is_empty(), "the stuck request was cut off");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port))
            .map(|mut s| {
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let _ = s.write_all(b"GET / HTTP/1.1\r\n\r\n");
                let mut b = [0u8; 1];
                !matches!(s.read(&mut b), Ok(1))
            })
            .unwrap_or(true),
        "no requests served after stop"
    );
}

/// A transport that reads the socket in large gulps and hands data out 7 bytes at a time,
/// as a TLS transport holds decrypted records: what it holds never wakes the poller.
#[derive(Debug)]
struct Gulping {
    socket: StreamSocket,
    held: Arc<Mutex<Vec<u8>>>,
}

impl Read for Gulping {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut held = self.held.lock().map_err(|_| io::Error::other("poisoned"))?;
        if held.is_empty() {
            let mut buf = [0u8; 65536];
            let n = (&self.socket).read(&mut buf)?;
            held.extend_from_slice(&buf[..n]);
            if n == 0 {
                return Ok(0);
            }
        }
        let n = held.len().min(out.len()).min(7);
        out[..n].copy_from_slice(&held[..n]);
        held.drain(..n);
        Ok(n)
    }
}

impl Write for Gulping {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.socket).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for Gulping {
    fn socket(&self) -> &StreamSocket {
        &self.socket
    }
    fn is_secure(&self) -> bool {
        true
    }
    fn has_buffered_data(&self) -> bool {
        !self.held.lock().unwrap().is_empty()
    }
}

#[derive(Debug)]
struct GulpingListener(ServerSocket);

impl Listener for GulpingListener {
    fn server_socket(&self) -> &ServerSocket {
        &self.0
    }
    fn wrap(&self, socket: StreamSocket) -> rpoco_net::Result<Box<dyn Transport>> {
        Ok(Box::new(Gulping { socket, held: Arc::default() }))
    }
    fn is_secure(&self) -> bool {
        true
    }
}

#[test]
fn a_listener_with_a_buffering_transport_serves_pipelined_requests() {
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
    let server = HttpServer::with_listener(
        handler_fn(|request, response| {
            response.set("X-Secure", if request.secure() { "yes" } else { "no" });
            response.send_buffer(request.uri().as_bytes())
        }),
        GulpingListener(socket),
        HttpServerParams::default(),
    )
    .unwrap();
    server.start().unwrap();
    let mut c = connect(server.port());
    c.write_all(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n");
    for uri in ["/one", "/two", "/three"] {
        let res = c.read_response("GET").expect("pipelined response held in the transport");
        assert_eq!((res.body.as_slice(), res.header("X-Secure")), (uri.as_bytes(), Some("yes")));
    }
    assert_eq!(server.tcp_server().current_connections(), 1);
}
