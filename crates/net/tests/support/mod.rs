//! Helpers for the server tests: a server on 127.0.0.1, raw-byte clients that read whole
//! responses, and the process's thread count.
#![allow(dead_code, unreachable_pub, clippy::unwrap_in_result)] // each test file uses a subset; test helpers panic

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use rpoco_net::{
    HttpMessage, HttpRequestHandlerFactory, HttpServer, HttpServerParams, ServerSocket, SocketAddress,
    TargetForm, handler_fn,
};

/// A started server on a free 127.0.0.1 port.
pub fn serve(factory: impl HttpRequestHandlerFactory + 'static, params: HttpServerParams) -> HttpServer {
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
    let server = HttpServer::new(factory, socket, params).unwrap();
    server.start().unwrap();
    server
}

/// Echoes the body; answers with what the server made of the request in `X-` headers:
/// method, URI (origin form), raw target, host, whether the target was absolute, the client
/// address and whether the connection is secure.
pub fn echo() -> impl HttpRequestHandlerFactory {
    handler_fn(|request, response| {
        let mut body = Vec::new();
        request.read_to_end(&mut body)?;
        response.set("X-Method", request.method());
        response.set("X-Uri", request.uri());
        response.set("X-Target", request.request_target());
        response.set("X-Host", request.host().unwrap_or("-"));
        let absolute = matches!(request.target_form(), TargetForm::Absolute { .. });
        response.set("X-Absolute", if absolute { "yes" } else { "no" });
        response.set("X-Client", &request.client_address().to_string());
        response.set("X-Secure", if request.secure() { "yes" } else { "no" });
        response.set_content_type("application/octet-stream");
        response.send_buffer(&body)
    })
}

/// A raw TCP client (10 s read timeout) that keeps bytes read past a response for the next.
pub struct Raw {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

/// Connects a raw client.
pub fn connect(port: u16) -> Raw {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    Raw { stream, buf: Vec::new() }
}

/// A parsed response.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub reason: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Raw {
    pub fn write_all(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Reads more bytes; false at EOF.
    fn more(&mut self) -> bool {
        let mut chunk = [0u8; 16384];
        let n = self.stream.read(&mut chunk).expect("read from the server");
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        self.buf.drain(..n).collect()
    }

    /// Reads one response to a request with `method`; `None` if the connection closed
    /// before a status line arrived.
    pub fn read_response(&mut self, method: &str) -> Option<RawResponse> {
        let head_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n") {
                break p + 4;
            }
            if !self.more() {
                assert!(
                    self.buf.is_empty(),
                    "closed inside a head: {:?}",
                    String::from_utf8_lossy(&self.buf)
                );
                return None;
            }
        };
        let head = String::from_utf8(self.take(head_end)).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let mut parts = lines.next().unwrap().splitn(3, ' ');
        let version = parts.next().unwrap().to_string();
        let status: u16 = parts.next().unwrap().parse().unwrap();
        let reason = parts.next().unwrap_or("").to_string();
        let headers = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').expect("colon in header line");
                (n.to_string(), v.trim().to_string())
            })
            .collect();
        let mut res = RawResponse { status, reason, version, headers, body: Vec::new() };
        if method == "HEAD" || status < 200 || status == 204 || status == 304 {
            return Some(res);
        }
        if res.header("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            loop {
                let line_end = loop {
                    if let Some(p) = find(&self.buf, b"\r\n") {
                        break p;
                    }
                    assert!(self.more(), "closed inside a chunk size");
                };
                let line = self.take(line_end + 2);
                let size =
                    usize::from_str_radix(std::str::from_utf8(&line[..line_end]).unwrap(), 16).unwrap();
                while self.buf.len() < size + 2 {
                    assert!(self.more(), "closed inside a chunk");
                }
                let data = self.take(size + 2);
                assert_eq!(&data[size..], b"\r\n");
                res.body.extend_from_slice(&data[..size]);
                if size == 0 {
                    break;
                }
            }
        } else if let Some(len) = res.header("Content-Length") {
            let len: usize = len.parse().unwrap();
            while self.buf.len() < len {
                assert!(self.more(), "closed inside a fixed-length body");
            }
            res.body = self.take(len);
        } else {
            while self.more() {}
            res.body = std::mem::take(&mut self.buf);
        }
        Some(res)
    }

    /// Whether the server closes the connection (EOF or reset) within `within`, ignoring
    /// any bytes it sends first.
    pub fn closed_within(&mut self, within: Duration) -> bool {
        self.stream.set_read_timeout(Some(within)).unwrap();
        let mut buf = [0u8; 4096];
        let started = Instant::now();
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) if started.elapsed() < within => continue,
                Ok(_) => return false,
                Err(e)
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                {
                    return false;
                }
                Err(_) => return true,
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Sends `request` on a new connection and reads one response to it.
pub fn exchange(port: u16, request: &[u8]) -> (RawResponse, Raw) {
    let mut c = connect(port);
    c.write_all(request);
    let method =
        std::str::from_utf8(request).ok().and_then(|r| r.split(' ').next()).unwrap_or("GET").to_string();
    let res = c.read_response(&method).expect("a response");
    (res, c)
}

/// Threads of this process (Linux: `/proc/self/task`).
pub fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map(|d| d.count()).unwrap_or(0)
}

/// Waits until `cond` holds, up to `limit`.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    cond()
}
