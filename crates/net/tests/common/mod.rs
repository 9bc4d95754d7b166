//! Test helpers: real peers on 127.0.0.1 (nginx, curl; nginx and the HTTP forward/CONNECT
//! proxy come from rpoco-testsupport), scripted raw TCP servers, and a SOCKS5 proxy.
#![allow(dead_code, unreachable_pub, unused_imports)] // each test file uses a subset

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use rpoco_net::HttpMessage;
use rpoco_net::proto::{RequestLimits, parse_request_head};
pub use rpoco_testsupport::{Nginx, NginxConfig, free_port, http_proxy, pipe, require};

/// A private nginx on a free 127.0.0.1 port serving the files and locations the net tests
/// use (`/chunked/` answers chunked through `sub_filter`; `/up/` takes PUT and DELETE);
/// `None` (a skip) without nginx.
pub fn nginx() -> Option<Nginx> {
    require("nginx")?;
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let config = NginxConfig::new()
        .file("index.html", b"<html>hello from nginx</html>\n".to_vec())
        .file("big.bin", big)
        .file("text.txt", "abcdefghij".repeat(3000))
        .file("up/.keep", Vec::new())
        .server(
            r#"
        location /chunked/ {
            alias {root}/;
            sub_filter 'abc' 'ABC';
            sub_filter_once off;
            sub_filter_types *;
        }
        location = /redirect { return 302 /index.html; }
        location = /redirect-abs { return 301 http://127.0.0.1:{port}/redirect; }
        location /up/ {
            client_max_body_size 10m;
            dav_methods PUT DELETE;
            create_full_put_path on;
        }"#,
        );
    Some(Nginx::start(&config).expect("start nginx"))
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

pub fn path_exists(p: &Path) -> bool {
    p.exists()
}
