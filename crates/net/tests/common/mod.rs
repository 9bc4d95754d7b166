//! Test helpers: real peers on 127.0.0.1 (nginx, curl), scripted raw TCP servers, and a small
//! HTTP forward/CONNECT proxy and SOCKS5 proxy.
#![allow(dead_code, unreachable_pub)] // each test file uses a subset

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rpoco_net::proto::{RequestLimits, parse_request_head};
use rpoco_net::{HttpMessage, HttpRequest};

/// Whether `program` exists; when it does not, fails under CI and prints a skip reason
/// otherwise.
pub fn require(program: &str) -> Option<PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")]);
    for dir in candidates {
        let p = dir.join(program);
        if p.is_file() {
            return Some(p);
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("{program} is required under CI (scripts/install-test-deps.sh installs it)");
    }
    eprintln!("SKIP: {program} not installed (run scripts/install-test-deps.sh)");
    None
}

/// A private nginx on a free 127.0.0.1 port, killed on drop.
pub struct Nginx {
    child: Child,
    pub port: u16,
    pub root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Nginx {
    pub fn start() -> Option<Nginx> {
        let nginx = require("nginx")?;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("html");
        std::fs::create_dir_all(root.join("up")).unwrap();
        std::fs::write(root.join("index.html"), b"<html>hello from nginx</html>\n").unwrap();
        let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(root.join("big.bin"), &big).unwrap();
        std::fs::write(root.join("text.txt"), "abcdefghij".repeat(3000)).unwrap();
        let port = free_port();
        let p = dir.path().display();
        let conf = format!(
            r#"
daemon off;
master_process off;
worker_processes 1;
user root;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {p}/body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;
    keepalive_requests 100000;
    keepalive_timeout 30s;
    types {{ text/html html; text/plain txt; application/octet-stream bin; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location /chunked/ {{
            alias {root}/;
            sub_filter 'abc' 'ABC';
            sub_filter_once off;
            sub_filter_types *;
        }}
        location = /redirect {{ return 302 /index.html; }}
        location = /redirect-abs {{ return 301 http://127.0.0.1:{port}/redirect; }}
        location /up/ {{
            client_max_body_size 10m;
            dav_methods PUT DELETE;
            create_full_put_path on;
        }}
    }}
}}
"#,
            root = root.display()
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut n = Nginx { child, port, root, _dir: dir };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) || n.child.try_wait().ok().flatten().is_some() {
                let log = std::fs::read_to_string(n._dir.path().join("error.log")).unwrap_or_default();
                panic!("nginx did not start on port {port}: {log}");
            }
            thread::sleep(Duration::from_millis(20));
        }
        Some(n)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs `curl` with `args`; returns stdout bytes.
pub fn curl(args: &[&str]) -> Option<Vec<u8>> {
    let curl = require("curl")?;
    let out = Command::new(curl).args(args).output().expect("run curl");
    assert!(out.status.success(), "curl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(out.stdout)
}

/// A scripted server: each accepted connection (up to `connections`) runs `script`
/// with its index. Returns the port and a join handle.
pub fn raw_server<F>(connections: usize, script: F) -> (u16, thread::JoinHandle<()>)
where
    F: Fn(usize, TcpStream) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = thread::spawn(move || {
        for i in 0..connections {
            let Ok((s, _)) = listener.accept() else { return };
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            script(i, s);
        }
    });
    (port, h)
}

/// Reads one request head (and a Content-Length body) from `s`; returns the raw bytes.
pub fn read_request(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    loop {
        if let Ok(Some((req, n))) = parse_request_head(&buf, &RequestLimits::default()) {
            let len = req.content_length().unwrap_or(0) as usize;
            while buf.len() < n + len {
                let k = s.read(&mut byte).unwrap();
                if k == 0 {
                    break;
                }
                buf.extend_from_slice(&byte[..k]);
            }
            return buf;
        }
        let k = match s.read(&mut byte) {
            Ok(k) => k,
            Err(_) => return buf,
        };
        if k == 0 {
            return buf;
        }
        buf.extend_from_slice(&byte[..k]);
    }
}

/// Reads bytes up to and including the first empty line (a head only).
pub fn read_head_only(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(1) => buf.push(b[0]),
            _ => break,
        }
    }
    buf
}

fn parse(buf: &[u8]) -> Option<(HttpRequest, usize)> {
    parse_request_head(buf, &RequestLimits::default()).ok().flatten()
}

/// What the test proxy saw.
#[derive(Default, Debug)]
pub struct ProxyLog {
    pub requests: Vec<HttpRequest>,
}

/// A small HTTP proxy: forwards absolute-URI requests (one per connection, `Connection:
/// close` to the origin) and tunnels `CONNECT`. With `credentials`, requires
/// `Proxy-Authorization: Basic <credentials>` and answers 407 otherwise.
pub fn http_proxy(credentials: Option<&'static str>) -> (u16, Arc<Mutex<ProxyLog>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(ProxyLog::default()));
    let log2 = log.clone();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { return };
            let log = log2.clone();
            thread::spawn(move || {
                let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
                let raw = read_request(&mut client);
                let Some((req, n)) = parse(&raw) else { return };
                log.lock().unwrap().requests.push(req.clone());
                if let Some(expected) = credentials {
                    let ok = req.get("Proxy-Authorization") == Some(&format!("Basic {expected}"));
                    if !ok {
                        let _ = client.write_all(
                            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                        return;
                    }
                }
                if req.method() == "CONNECT" {
                    let Ok(upstream) = TcpStream::connect(req.uri()) else {
                        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                        return;
                    };
                    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
                    pipe(client, upstream);
                    return;
                }
                let uri = req.uri().strip_prefix("http://").unwrap_or(req.uri()).to_owned();
                let (authority, path) = uri.split_at(uri.find('/').unwrap_or(uri.len()));
                let Ok(mut upstream) = TcpStream::connect(authority) else { return };
                let mut fwd =
                    HttpRequest::new(req.method(), if path.is_empty() { "/" } else { path }, req.version());
                for (k, v) in req.header().iter() {
                    if !k.eq_ignore_ascii_case("Proxy-Authorization")
                        && !k.eq_ignore_ascii_case("Proxy-Connection")
                    {
                        fwd.add(k, v);
                    }
                }
                fwd.set("Connection", "close");
                upstream.write_all(&fwd.to_bytes()).unwrap();
                upstream.write_all(&raw[n..]).unwrap();
                let mut resp = Vec::new();
                let _ = upstream.read_to_end(&mut resp);
                let _ = client.write_all(&resp);
            });
        }
    });
    (port, log)
}

/// A SOCKS5 proxy (no auth, or user/password `user`/`pass` when `auth`).
pub fn socks5_proxy(auth: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { return };
            thread::spawn(move || {
                let mut b = [0u8; 262];
                c.read_exact(&mut b[..2]).unwrap();
                let n = b[1] as usize;
                c.read_exact(&mut b[..n]).unwrap();
                let method = if auth { 2 } else { 0 };
                if !b[..n].contains(&method) {
                    c.write_all(&[5, 0xff]).unwrap();
                    return;
                }
                c.write_all(&[5, method]).unwrap();
                if auth {
                    c.read_exact(&mut b[..2]).unwrap();
                    let ul = b[1] as usize;
                    let mut u = vec![0; ul];
                    c.read_exact(&mut u).unwrap();
                    c.read_exact(&mut b[..1]).unwrap();
                    let mut p = vec![0; b[0] as usize];
                    c.read_exact(&mut p).unwrap();
                    let ok = u == b"user" && p == b"pass";
                    c.write_all(&[1, if ok { 0 } else { 1 }]).unwrap();
                    if !ok {
                        return;
                    }
                }
                c.read_exact(&mut b[..4]).unwrap();
                let host = match b[3] {
                    1 => {
                        c.read_exact(&mut b[..4]).unwrap();
                        format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
                    }
                    3 => {
                        c.read_exact(&mut b[..1]).unwrap();
                        let mut h = vec![0; b[0] as usize];
                        c.read_exact(&mut h).unwrap();
                        String::from_utf8(h).unwrap()
                    }
                    _ => return,
                };
                c.read_exact(&mut b[..2]).unwrap();
                let port = u16::from_be_bytes([b[0], b[1]]);
                match TcpStream::connect((host.as_str(), port)) {
                    Ok(up) => {
                        c.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).unwrap();
                        pipe(c, up);
                    }
                    Err(_) => c.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap(),
                }
            });
        }
    });
    port
}

/// Copies both ways until either side closes.
pub fn pipe(a: TcpStream, b: TcpStream) {
    let (mut a2, mut b2) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let t = thread::spawn(move || {
        let mut a = a;
        let mut b = b;
        let _ = std::io::copy(&mut a, &mut b);
        let _ = b.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut b2, &mut a2);
    let _ = a2.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
}

pub fn path_exists(p: &Path) -> bool {
    p.exists()
}
