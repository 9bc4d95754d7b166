//! The network-tool samples run as programs: `time_server`, `ifconfig`, `dict` against a
//! real dictd on a private port, and the multicast sender/receiver pair on the loopback.
#![cfg(feature = "net")]

mod support;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn time_server_sends_the_time_and_closes() {
    let Some(server) = support::ExampleServer::start("time_server", &[]) else { return };
    let mut socket = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut line = String::new();
    socket.read_to_string(&mut line).unwrap();
    // 2026-12-02T03:40:00Z\r\n
    let t = line.strip_suffix("\r\n").unwrap_or_else(|| panic!("no CRLF: {line:?}"));
    let b = t.as_bytes();
    assert_eq!(b.len(), 20, "{t}");
    assert!(
        b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':' && b[19] == b'Z',
        "{t}"
    );
    assert!(t[..4].parse::<u32>().unwrap() >= 2024, "{t}");
}

#[test]
fn ifconfig_lists_the_loopback() {
    let Some(out) = support::run("ifconfig", &["lo"], &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("lo:\n"), "{stdout}");
    assert!(stdout.contains("LOOPBACK") && stdout.contains("UP"), "{stdout}");
    assert!(stdout.contains("IPv4:        127.0.0.1 netmask 255.0.0.0 (/8)"), "{stdout}");
    let Some(none) = support::run("ifconfig", &["no-such-if0"], &[]) else { return };
    assert_eq!(none.status.code(), Some(1));
    let Some(all) = support::run("ifconfig", &[], &[]) else { return };
    assert!(text(&all.stdout).contains("lo:\n"));
}

struct Dictd {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Dictd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// dictd on a free 127.0.0.1 port with a two-word database built by dictfmt.
fn dictd() -> Option<Dictd> {
    let dictd = rpoco_testsupport::require("dictd")?;
    let dictfmt = rpoco_testsupport::require("dictfmt")?;
    Some(start_dictd(&dictd, &dictfmt))
}

fn start_dictd(dictd: &std::path::Path, dictfmt: &std::path::Path) -> Dictd {
    let dir = tempfile::tempdir().unwrap();
    // dictd drops its privileges: it must be able to read the database.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let source =
        ":reactor:\nA device that handles events as they happen.\n:rust:\nA reddish-brown coating.\n";
    let mut fmt = Command::new(dictfmt)
        .args(["-j", "--utf8", "-s", "rpoco test dictionary", "rpoco"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(fmt.stdin.as_mut().unwrap(), source.as_bytes()).unwrap();
    drop(fmt.stdin.take());
    assert!(fmt.wait().unwrap().success());
    let conf = dir.path().join("dictd.conf");
    let (data, index) = (dir.path().join("rpoco.dict"), dir.path().join("rpoco.index"));
    std::fs::write(
        &conf,
        format!("database rpoco {{ data \"{}\" index \"{}\" }}\n", data.display(), index.display()),
    )
    .unwrap();
    let port = rpoco_testsupport::free_port();
    let child = Command::new(dictd)
        .args([
            "-c",
            conf.to_str().unwrap(),
            "-p",
            &port.to_string(),
            "--listen-to",
            "127.0.0.1",
            "-d",
            "nodetach",
        ])
        .arg("--pid-file")
        .arg(dir.path().join("dictd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "dictd did not start on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Dictd { child, port, _dir: dir }
}

#[test]
fn dict_looks_words_up_in_dictd() {
    let Some(server) = dictd() else { return };
    let port = server.port.to_string();
    let Some(out) = support::run("dict", &["--host", "127.0.0.1", "--port", &port, "reactor"], &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("150 1 definitions retrieved"), "{stdout}");
    assert!(stdout.contains("A device that handles events as they happen."), "{stdout}");
    assert!(stdout.contains("221"), "the server said goodbye: {stdout}");

    let Some(miss) = support::run("dict", &["--host", "127.0.0.1", "--port", &port, "unheardof"], &[]) else {
        return;
    };
    assert_eq!(miss.status.code(), Some(1));
    assert!(text(&miss.stdout).contains("552"), "{}", text(&miss.stdout));

    let Some(bad) = support::run("dict", &["--port", &port, "x\r\nSHOW SERVER"], &[]) else { return };
    assert_eq!(bad.status.code(), Some(2), "a line break in the word is refused");
}

#[test]
fn multicast_pair_over_the_loopback() {
    let (Some(receiver), Some(sender)) =
        (support::example("multicast_receiver"), support::example("multicast_sender"))
    else {
        return;
    };
    let group = "239.255.71.3";
    let mut rx = Command::new(receiver)
        .args(["--group", group, "--port", "0", "--interface", "lo", "--count", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(rx.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.strip_prefix("listening on ").unwrap_or_else(|| panic!("{first}"));
    let port = addr.rsplit(':').next().unwrap();
    let out = Command::new(sender)
        .args(["--group", group, "--port", port, "--interface", "lo", "hello", "group"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rx.wait().unwrap().success());
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].starts_with("from 127.0.0.1:") && got[0].ends_with(": hello"), "{got:?}");
    assert!(got[1].ends_with(": group"), "{got:?}");
}
