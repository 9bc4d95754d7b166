//! `examples/https_server.rs` (POCO's HTTPSTimeServer) run as a program on 127.0.0.1 with
//! rpoco's dev certificates, fetched by `examples/https_get.rs` (the seed program): the time
//! page with verification on, mutual TLS with `--ca`, `501` for other paths, and clear errors
//! for missing or bad arguments.
#![cfg(all(feature = "net", feature = "netssl"))]

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

use rpoco_testcerts::DevCerts;

fn https_get(args: &[&str]) -> Option<Output> {
    support::run("https_get", args, &[])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The dev certificates as files; returns a path getter.
fn files(dir: &Path) -> impl Fn(&str) -> String + '_ {
    DevCerts::generate().unwrap().write_to(dir).unwrap();
    move |name| dir.join(name).to_string_lossy().into_owned()
}

#[test]
fn the_time_page_over_verified_tls() {
    let dir = tempfile::tempdir().unwrap();
    let file = files(dir.path());
    let Some(server) = support::ExampleServer::start(
        "https_server",
        &["--cert", &file("server.pem"), "--key", &file("server.key")],
    ) else {
        return;
    };
    let Some(out) = https_get(&["--ca", &file("ca.pem"), &format!("https://localhost:{}/", server.port)])
    else {
        return;
    };
    let page = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        page.starts_with("<html><head><title>HTTPSTimeServer powered by POCO C++ Libraries</title>"),
        "{page}"
    );
    // The date as POCO's SORTABLE_FORMAT: "2026-11-27 03:22:19".
    let date = page.split("font-size: 48px;\">").nth(1).and_then(|s| s.split('<').next()).unwrap();
    assert_eq!(date.len(), 19, "{date}");
    assert!(date.chars().enumerate().all(|(i, c)| match i {
        4 | 7 => c == '-',
        10 => c == ' ',
        13 | 16 => c == ':',
        _ => c.is_ascii_digit(),
    }));
    assert!(!page.contains("client certificate"), "{page}");

    // Other paths: 501, as POCO's factory returns no handler; https_get reports it.
    let out =
        https_get(&["--ca", &file("ca.pem"), &format!("https://127.0.0.1:{}/other", server.port)]).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("501"), "{}", text(&out.stderr));
}

#[test]
fn mutual_tls_with_ca() {
    let dir = tempfile::tempdir().unwrap();
    let file = files(dir.path());
    let Some(server) = support::ExampleServer::start(
        "https_server",
        &["--cert", &file("server.pem"), "--key", &file("server.key"), "--ca", &file("ca.pem")],
    ) else {
        return;
    };
    let url = format!("https://localhost:{}/", server.port);
    let client = ["--cert", &file("client.pem"), "--key", &file("client.key")];
    let out = https_get(&[&["--ca", &file("ca.pem")][..], &client, &[&url]].concat()).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("client certificate: rpoco dev client"), "{}", text(&out.stdout));

    // Without a client certificate the handshake fails, and the server keeps serving.
    let out = https_get(&["--ca", &file("ca.pem"), &url]).unwrap();
    assert_eq!((out.status.code(), out.stdout.len()), (Some(1), 0));
    assert!(text(&out.stderr).starts_with("https_get: "), "{}", text(&out.stderr));
    let out = https_get(&[&["--ca", &file("ca.pem")][..], &client, &[&url]].concat()).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn bad_arguments_and_files_are_reported() {
    let Some(program) = support::example("https_server") else { return };
    let run = |args: &[&str]| Command::new(&program).args(args).output().expect("run https_server");
    for args in [&[][..], &["--cert", "x.pem"], &["--port", "http"], &["--bogus", "1"], &["--cert"]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("usage: https_server"), "{args:?}: {}", text(&out.stderr));
    }
    let out = run(&["--port", "0", "--cert", "/nonexistent/server.pem", "--key", "/nonexistent/server.key"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("https_server: ") && stderr.contains("/nonexistent/"), "{stderr}");
}

#[test]
fn a_closed_stdout_does_not_break_serving() {
    let dir = tempfile::tempdir().unwrap();
    let file = files(dir.path());
    let Some(mut server) = support::ExampleServer::start(
        "https_server",
        &["--cert", &file("server.pem"), "--key", &file("server.key")],
    ) else {
        return;
    };
    let url = format!("https://localhost:{}/", server.port);
    let out = https_get(&["--ca", &file("ca.pem"), &url]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = server.lines.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(line.starts_with("request from 127.0.0.1:"), "{line}");
    // Stop reading its output: the reader thread ends at the next line and the pipe closes.
    let (_, closed) = mpsc::channel();
    drop(std::mem::replace(&mut server.lines, closed));
    for _ in 0..3 {
        let out = https_get(&["--ca", &file("ca.pem"), &url]).unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("HTTPSTimeServer"), "{}", text(&out.stdout));
    }
    assert!(server.child.try_wait().unwrap().is_none(), "the server exited");
}
