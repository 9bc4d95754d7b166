//! The ported POCO samples other than the HTTPS pair (see `https_get.rs`, `https_server.rs`),
//! run as programs on 127.0.0.1: `http_server` fetched by `http_get` (directly and through a
//! forward proxy), `echo_server`, `uri` and `crypt`.
#![cfg(all(feature = "net", feature = "crypto"))]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn http_get_fetches_from_http_server() {
    let Some(server) = support::ExampleServer::start("http_server", &[]) else { return };
    let url = format!("http://127.0.0.1:{}/", server.port);
    let Some(out) = support::run("http_get", &["-v", &url], &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (page, head) = (text(&out.stdout), text(&out.stderr));
    assert!(
        page.starts_with("<html><head><title>HTTPTimeServer powered by POCO C++ Libraries</title>"),
        "{page}"
    );
    assert!(head.starts_with("200 OK\n"), "{head}");
    assert!(
        head.contains("Transfer-Encoding: chunked\n") && head.contains("Content-Type: text/html\n"),
        "{head}"
    );

    // Through a forward proxy: the proxy sees the absolute URI.
    let (proxy_port, log) = rpoco_testsupport::http_proxy(None);
    let out = support::run("http_get", &["--proxy", &format!("127.0.0.1:{proxy_port}"), &url], &[]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("HTTPTimeServer"));
    assert_eq!(log.lock().unwrap().requests.last().map(|r| r.uri().to_string()), Some(url.clone()));

    // Other paths: POCO's factory returns no handler, so 501.
    let out =
        support::run("http_get", &["-v", &format!("http://127.0.0.1:{}/other", server.port)], &[]).unwrap();
    assert!(text(&out.stderr).starts_with("501 Not Implemented\n"), "{}", text(&out.stderr));

    // Errors go to stderr with a non-zero exit.
    drop(server);
    for args in [&[url.as_str()][..], &["https://127.0.0.1/"], &["not a url"], &[]] {
        let out = support::run("http_get", args, &[]).unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(!text(&out.stderr).is_empty() && out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn echo_server_echoes() {
    let Some(server) = support::ExampleServer::start("echo_server", &[]) else { return };
    let mut socket = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    for message in [&b"hello, echo\n"[..], &[0u8, 255, 13, 10], &vec![b'x'; 100_000]] {
        socket.write_all(message).unwrap();
        let mut back = vec![0u8; message.len()];
        socket.read_exact(&mut back).unwrap();
        assert_eq!(back, message);
    }
}

#[test]
fn uri_takes_a_uri_apart() {
    let args = ["HTTP://user@www.Example.com:80/a/./b/../c%20d?q=1+2#top", "../e?x"];
    let Some(out) = support::run("uri", &args, &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for line in [
        "scheme:         http",
        "host:           www.example.com",
        "path (decoded): /a/./b/../c d",
        "normalized:     http://user@www.example.com/a/c%20d?q=1+2#top",
    ] {
        assert!(stdout.lines().any(|l| l == line), "no `{line}` in:\n{stdout}");
    }
    assert!(stdout.contains("resolved:       http://user@www.example.com/e?x"), "{stdout}");

    let out = support::run("uri", &["http://host:99999/"], &[]).unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("99999"), "{}", text(&out.stderr));
}

#[test]
fn crypt_round_trips_and_refuses_a_tampered_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(path("plain"), &data).unwrap();
    let pass = [("CRYPT_PASSPHRASE", "correct horse battery staple")];

    let Some(out) = support::run("crypt", &["encrypt", &path("plain"), &path("sealed")], &pass) else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sealed = std::fs::read(path("sealed")).unwrap();
    assert!(sealed.len() > data.len() && !sealed.windows(64).any(|w| w == &data[..64]));

    let out = support::run("crypt", &["decrypt", &path("sealed"), &path("back")], &pass).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(path("back")).unwrap(), data);

    // A wrong passphrase and a flipped byte are refused, and leave no output behind.
    let wrong = [("CRYPT_PASSPHRASE", "wrong")];
    let out = support::run("crypt", &["decrypt", &path("sealed"), &path("wrong")], &wrong).unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("wrong passphrase, or the file was modified"),
        "{}",
        text(&out.stderr)
    );
    let mut tampered = sealed;
    let middle = tampered.len() / 2;
    tampered[middle] ^= 1;
    std::fs::write(path("tampered"), &tampered).unwrap();
    let out = support::run("crypt", &["decrypt", &path("tampered"), &path("out")], &pass).unwrap();
    assert!(!out.status.success());
    for name in ["wrong", "wrong.part", "out", "out.part"] {
        assert!(!dir.path().join(name).exists(), "{name} was left behind");
    }
}

#[test]
fn tcp_echo_server_echoes() {
    let Some(server) = support::ExampleServer::start("tcp_echo_server", &[]) else { return };
    let mut socket = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    socket.write_all(b"over TcpServer\n").unwrap();
    let mut back = [0u8; 15];
    socket.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"over TcpServer\n");
}
