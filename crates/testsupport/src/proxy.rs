//! [`http_proxy`]: a small HTTP proxy on 127.0.0.1 that forwards absolute-URI requests and
//! tunnels `CONNECT`, optionally requiring Basic credentials, and records every request head.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request head as the proxy received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxiedRequest {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
}

impl ProxiedRequest {
    /// The method (`CONNECT`, `GET`, ...).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target (`host:port` for `CONNECT`, an absolute URI when forwarding).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The first value of header `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether header `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The `Host` header.
    pub fn host(&self) -> Option<&str> {
        self.get("Host")
    }

    /// All header fields in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
}

/// What a proxy from [`http_proxy`] saw, in arrival order.
#[derive(Debug, Default)]
pub struct ProxyLog {
    /// Every request head received (including rejected ones).
    pub requests: Vec<ProxiedRequest>,
}

/// Starts an HTTP proxy on 127.0.0.1; returns its port and its log.
///
/// `CONNECT host:port` opens a tunnel (`200 Connection established`, then bytes are copied
/// both ways until either side closes; `502` if the target cannot be reached). A request
/// with an absolute `http://` URI is forwarded to its origin in origin form with
/// `Connection: close`, and the answer copied back. With `credentials` (the base64 of
/// `user:password`), requests without `Proxy-Authorization: Basic <credentials>` get `407`.
pub fn http_proxy(credentials: Option<&'static str>) -> (u16, Arc<Mutex<ProxyLog>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let port = listener.local_addr().expect("proxy address").port();
    let log = Arc::new(Mutex::new(ProxyLog::default()));
    let shared = log.clone();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { return };
            let log = shared.clone();
            thread::spawn(move || serve(client, credentials, &log));
        }
    });
    (port, log)
}

fn serve(mut client: TcpStream, credentials: Option<&str>, log: &Mutex<ProxyLog>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let Some((request, head_len, raw)) = read_head(&mut client) else { return };
    log.lock().unwrap_or_else(|p| p.into_inner()).requests.push(request.clone());
    if let Some(expected) = credentials
        && request.get("Proxy-Authorization") != Some(&format!("Basic {expected}"))
    {
        let _ = client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n\
              Content-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    if request.method == "CONNECT" {
        let Ok(upstream) = TcpStream::connect(&request.uri) else {
            let _ = client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        };
        if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").is_ok() {
            // Bytes that followed the head (a client that did not wait) belong to the tunnel.
            let mut upstream = upstream;
            if upstream.write_all(&raw[head_len..]).is_ok() {
                pipe(client, upstream);
            }
        }
        return;
    }
    let Some(rest) = request.uri.strip_prefix("http://") else {
        let _ =
            client.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Ok(mut upstream) = TcpStream::connect(authority) else {
        let _ =
            client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, if path.is_empty() { "/" } else { path });
    for (name, value) in &request.headers {
        let hop = ["Proxy-Authorization", "Proxy-Connection", "Connection"];
        if !hop.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    let length: usize = request.get("Content-Length").and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let mut body = raw[head_len..].to_vec();
    let mut buf = [0u8; 8192];
    while body.len() < length {
        match client.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    if upstream.write_all(head.as_bytes()).and_then(|()| upstream.write_all(&body)).is_err() {
        return;
    }
    let _ = std::io::copy(&mut upstream, &mut client);
}

/// Reads one request head: the parsed request, the head's length, and every byte read.
fn read_head(stream: &mut TcpStream) -> Option<(ProxiedRequest, usize, Vec<u8>)> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let mut fields = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut fields);
        if let Ok(httparse::Status::Complete(len)) = parsed.parse(&raw) {
            let request = ProxiedRequest {
                method: parsed.method?.to_string(),
                uri: parsed.path?.to_string(),
                headers: parsed
                    .headers
                    .iter()
                    .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).into_owned()))
                    .collect(),
            };
            return Some((request, len, raw));
        }
        if raw.len() > 64 * 1024 {
            return None;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

/// Copies bytes both ways between `a` and `b` until both directions have ended.
pub fn pipe(a: TcpStream, b: TcpStream) {
    let (Ok(mut a_reader), Ok(mut b_writer)) = (a.try_clone(), b.try_clone()) else { return };
    let forward = thread::spawn(move || {
        let _ = std::io::copy(&mut a_reader, &mut b_writer);
        let _ = b_writer.shutdown(Shutdown::Write);
    });
    let (mut b_reader, mut a_writer) = (b, a);
    let _ = std::io::copy(&mut b_reader, &mut a_writer);
    let _ = a_writer.shutdown(Shutdown::Write);
    let _ = forward.join();
}
