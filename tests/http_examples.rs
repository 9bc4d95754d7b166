//! The HTTP samples of issue 16 run as programs on 127.0.0.1: `http_form_server` receiving a
//! large upload from curl with its memory watched (256 MiB; `RPOCO_UPLOAD_MIB=1024` for the
//! issue's 1 GiB run by hand), `http_load_test`, `http_get` answering a 401 with
//! HTTPCredentials, and `set_source_ip`.
#![cfg(feature = "net")]

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use rpoco::net::{Agent, HtmlForm};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `VmHWM` (peak resident memory) of process `pid`, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

#[test]
fn form_server_streams_a_large_upload_in_bounded_memory() {
    let Some(server) = support::ExampleServer::start("http_form_server", &[]) else { return };
    let base = format!("http://127.0.0.1:{}", server.port);
    let agent = Agent::new();
    let page = agent.get(&format!("{base}/")).call().unwrap().into_string().unwrap();
    assert!(
        page.contains("<h2>File Upload</h2>") && page.contains("enctype=\"multipart/form-data\""),
        "{page}"
    );
    let mut form = HtmlForm::new();
    form.add("text", "hello <world>");
    let page = agent.post(&format!("{base}/form")).send_form(&mut form).unwrap().into_string().unwrap();
    assert!(page.contains("text: hello &lt;world&gt;<br>"), "{page}");
    let page = agent.get(&format!("{base}/form?text=via+get")).call().unwrap().into_string().unwrap();
    assert!(page.contains("text: via get<br>"), "{page}");

    if rpoco_testsupport::require("curl").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.bin");
    // 256 MiB in CI (a few seconds over loopback in a debug build); the 1 GiB of issue 16 by
    // hand with RPOCO_UPLOAD_MIB=1024.
    let mib: u64 = std::env::var("RPOCO_UPLOAD_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    let size: u64 = mib << 20;
    std::fs::File::create(&file).unwrap().set_len(size).unwrap();
    let before = peak_rss_kib(server.child.id());
    let started = Instant::now();
    let out = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "600", "-F", "note=big one"])
        .arg("-F")
        .arg(format!("file=@{};type=application/octet-stream", file.display()))
        .arg(format!("{base}/form"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(page.contains("note: big one<br>"), "{page}");
    assert!(page.contains("File Name: big.bin<br>") && page.contains(&format!("Size: {size}<br>")), "{page}");
    let after = peak_rss_kib(server.child.id());
    eprintln!(
        "http_form_server peak RSS {before} KiB before, {after} KiB after a {size}-byte upload in {:?}",
        started.elapsed()
    );
    // Bounded: the peak grew by far less than the upload; 32 MiB (or an eighth of a smaller
    // upload) leaves room for thread stacks and allocator slack on a loaded machine.
    let bound_kib = (32 * 1024).min(size / 1024 / 8);
    assert!(after - before < bound_kib, "peak RSS grew by {} KiB (bound {bound_kib} KiB)", after - before);
}

#[test]
fn form_server_rejects_a_truncated_multipart_body_and_stores_with_store() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) =
        support::ExampleServer::start("http_form_server", &["--store", dir.path().to_str().unwrap()])
    else {
        return;
    };
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n\r\nno end";
    write!(
        s,
        "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("no closing delimiter"), "{answer}");
    let mut form = HtmlForm::new();
    form.add_part("f", rpoco::net::PartSource::from_bytes(&b"stored bytes"[..], "text/plain", "s.txt"));
    let page = Agent::new()
        .post(&format!("http://127.0.0.1:{}/form", server.port))
        .send_form(&mut form)
        .unwrap()
        .into_string()
        .unwrap();
    assert!(page.contains("File Name: s.txt<br>") && page.contains("Size: 12<br>"), "{page}");
}

#[test]
fn load_test_against_the_time_server() {
    let Some(server) = support::ExampleServer::start("http_server", &[]) else { return };
    let url = format!("http://127.0.0.1:{}/", server.port);
    let Some(out) = support::run("http_load_test", &["--threads", "4", "--repetitions", "25", &url], &[])
    else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    assert!(line.starts_with("100 requests, 100 ok, 0 failed in "), "{line}");
    assert!(line.trim_end().ends_with("requests/s"), "{line}");
    drop(server);
    let out = support::run("http_load_test", &["--repetitions", "2", &url], &[]).unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stdout).starts_with("2 requests, 0 ok, 2 failed"), "{}", text(&out.stdout));
}

#[test]
fn load_test_keeps_cookies_per_thread() {
    let Some(httpbin) = rpoco_testsupport::PythonPeer::httpbin() else { return };
    let url = format!("http://127.0.0.1:{}/cookies/set?k=v", httpbin.port());
    let Some(out) =
        support::run("http_load_test", &["--threads", "2", "--repetitions", "3", "--cookies", &url], &[])
    else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("6 requests, 6 ok") && stdout.contains("cookies held: 2"), "{stdout}");
}

#[test]
fn http_get_answers_401_with_credentials() {
    let Some(httpbin) = rpoco_testsupport::PythonPeer::httpbin() else { return };
    let port = httpbin.port();
    let digest = format!("http://user:passwd@127.0.0.1:{port}/digest-auth/auth/user/passwd/SHA-256");
    let Some(out) = support::run("http_get", &["-v", &digest], &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"authenticated\": true"), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("401 Unauthorized: answering with Some(Digest)"),
        "{}",
        text(&out.stderr)
    );
    let basic = format!("http://127.0.0.1:{port}/basic-auth/a/b");
    let out = support::run("http_get", &["--user", "a:b", &basic], &[]).unwrap();
    assert!(text(&out.stdout).contains("\"authenticated\": true"), "{}", text(&out.stdout));
    let out = support::run("http_get", &["-v", &basic], &[]).unwrap();
    assert!(
        text(&out.stderr).starts_with("401 UNAUTHORIZED") || text(&out.stderr).starts_with("401 "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn set_source_ip_connects_from_the_given_address() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, peer) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).unwrap();
        let body = peer.ip().to_string();
        write!(s, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            .unwrap();
    });
    let url = format!("http://127.0.0.1:{port}/");
    let Some(out) = support::run("set_source_ip", &["--source", "127.0.0.3", &url], &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "127.0.0.3");
    t.join().unwrap();
}
