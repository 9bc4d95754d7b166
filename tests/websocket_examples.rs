//! The WebSocket samples run as programs on 127.0.0.1: `websocket_client` against
//! `websocket_server` over ws:// and wss://, and headless Chromium loading the server's
//! page, whose script connects, sends and shows the echo.
#![cfg(all(feature = "net", feature = "netssl"))]

mod support;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rpoco_testcerts::DevCerts;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn certs(dir: &Path) -> (String, String, String) {
    DevCerts::generate().unwrap().write_to(dir).unwrap();
    let f = |n: &str| dir.join(n).to_string_lossy().into_owned();
    (f("server.pem"), f("server.key"), f("ca.pem"))
}

#[test]
fn client_echoes_through_server_ws_and_wss() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, ca) = certs(dir.path());
    let Some(plain) = support::ExampleServer::start("websocket_server", &[]) else { return };
    let Some(secure) = support::ExampleServer::start("websocket_server", &["--cert", &cert, "--key", &key])
    else {
        return;
    };
    for (url, extra) in [
        (format!("ws://127.0.0.1:{}/ws", plain.port), vec![]),
        (format!("ws://127.0.0.1:{}/ws", plain.port), vec!["--no-deflate"]),
        (format!("wss://localhost:{}/ws", secure.port), vec!["--ca", ca.as_str()]),
    ] {
        let args: Vec<&str> =
            extra.iter().copied().chain([url.as_str(), "first", "zweite Nachricht", ""]).collect();
        let out = support::run("websocket_client", &args, &[]).unwrap();
        assert!(out.status.success(), "{url}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "first\nzweite Nachricht\n\n", "{url}");
    }
    // The server's log shows the connection's life.
    let lines: Vec<String> = plain.lines.try_iter().collect();
    assert!(lines.iter().any(|l| l == "WebSocket connection established."), "{lines:?}");
    // Failures: a wrong certificate authority, a server that is no WebSocket server.
    let wrong =
        support::run("websocket_client", &[&format!("wss://localhost:{}/ws", secure.port)], &[]).unwrap();
    assert!(!wrong.status.success());
    let not_ws = support::run("websocket_client", &["ws://127.0.0.1:1/ws"], &[]).unwrap();
    assert!(!not_ws.status.success() && !not_ws.stderr.is_empty());
}

/// Headless Chromium: loads the page, whose script runs the echo and reports what came back
/// to `/result`. The browser stays open until the server has logged both the frame and the
/// report (a `--dump-dom` run exits when the page has loaded, which can be before the
/// WebSocket has opened), then the test ends it.
#[test]
fn chromium_runs_the_page_script() {
    let Some(chromium) = rpoco_testsupport::require("chromium") else { return };
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = certs(dir.path());
    let Some(plain) = support::ExampleServer::start("websocket_server", &[]) else { return };
    let Some(secure) = support::ExampleServer::start("websocket_server", &["--cert", &cert, "--key", &key])
    else {
        return;
    };
    for (server, url) in [
        (&plain, format!("http://127.0.0.1:{}/", plain.port)),
        (&secure, format!("https://127.0.0.1:{}/", secure.port)),
    ] {
        let profile = tempfile::tempdir().unwrap();
        let stderr_path = profile.path().join("stderr.txt");
        let mut browser = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--ignore-certificate-errors",
                &format!("--user-data-dir={}", profile.path().display()),
                &url,
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .process_group(0)
            .spawn()
            .expect("run chromium");
        let wanted = ["Frame received (length=13, text).", "browser received: Hello, world!"];
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::time::Instant::now() < deadline
            && !wanted.iter().all(|w| seen.iter().any(|l: &String| l == w))
        {
            if let Ok(l) = server.lines.recv_timeout(Duration::from_millis(200)) {
                seen.push(l);
            }
        }
        // Chromium's helpers share its process group; end them all.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", browser.id())]).status();
        let _ = browser.wait();
        for w in wanted {
            assert!(
                seen.iter().any(|l| l == w),
                "{url}: `{w}` missing from server log {seen:?}; chromium stderr {}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
    }
}
