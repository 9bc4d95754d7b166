//! WebSocket interop on 127.0.0.1, ws:// and wss://, both ways: with Python `websockets`
//! (with and without permessage-deflate) and with C++ POCO's `WebSocket` (libpoco-dev; POCO
//! has no compression), plus one wss socket split between two threads.
//!
//! Missing peers (python3 with `websockets`, g++ with libpoco-dev) skip with a message, and
//! fail under `CI` (scripts/install-test-deps.sh installs them).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

use common::*;
use rpoco_net::ClientSession;
use rpoco_net::websocket::flags::{FRAME_FLAG_FIN, FRAME_OP_CONT, FRAME_OP_TEXT};
use rpoco_net::websocket::{Message, WebSocket, WebSocketConfig};
use rpoco_net::{
    HttpClientSession, HttpRequest, HttpResponse, HttpServer, ProxyConfig, ServerSocket, SocketAddress,
    handler_fn,
};
use rpoco_netssl::{HttpsClientSession, VerificationMode};

fn config(deflate: bool) -> WebSocketConfig {
    let c = WebSocketConfig { timeout: Some(TIMEOUT), ..WebSocketConfig::default() };
    if deflate { c.with_deflate() } else { c }
}

fn python() -> bool {
    let ok =
        Command::new("python3").args(["-c", "import websockets"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with websockets is required under CI (scripts/deps/ws.pip)"
        );
        eprintln!("SKIP: python3 with websockets not installed (scripts/install-test-deps.sh)");
    }
    ok
}

fn py_peer() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/ws_peer.py")
}

fn poco() -> Option<&'static Path> {
    static PEER: OnceLock<Option<PathBuf>> = OnceLock::new();
    PEER.get_or_init(|| build_poco_peer("poco_ws.cpp", "poco_ws")).as_deref()
}

/// A peer server process, killed on drop: the ports of its `listening on` lines, then its
/// other stdout lines.
struct Peer {
    child: Child,
    ports: Vec<u16>,
    lines: mpsc::Receiver<String>,
}

impl Peer {
    fn start(command: &mut Command, listeners: usize) -> Peer {
        let mut child = command.stdout(Stdio::piped()).spawn().expect("start the peer");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let ports = (0..listeners)
            .map(|_| {
                let l = lines.recv_timeout(Duration::from_secs(30)).expect("the peer prints its address");
                l.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{l}"))
            })
            .collect();
        Peer { child, ports, lines }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects our client to `port` over ws or wss (trusting the dev CA, host `localhost`).
fn our_client(port: u16, tls: bool, deflate: bool) -> WebSocket {
    our_client_via(port, tls, deflate, None)
}

/// [`our_client`] through `proxy` if given (the session's own proxy settings).
fn our_client_via(port: u16, tls: bool, deflate: bool, proxy: Option<&ProxyConfig>) -> WebSocket {
    let mut request = HttpRequest::new("GET", "/ws", "HTTP/1.1");
    let mut response = HttpResponse::default();
    let ws = if tls {
        let mut session =
            HttpsClientSession::new("localhost", port, client_context(VerificationMode::Relaxed));
        if let Some(p) = proxy {
            session.set_proxy_config(p.clone()).unwrap();
        }
        WebSocket::connect_with(&mut session, &mut request, &mut response, None, config(deflate))
    } else {
        let mut session = HttpClientSession::new("127.0.0.1", port);
        if let Some(p) = proxy {
            session.set_proxy_config(p.clone()).unwrap();
        }
        WebSocket::connect_with(&mut session, &mut request, &mut response, None, config(deflate))
    };
    ws.unwrap_or_else(|e| panic!("connect (tls {tls}, deflate {deflate}): {e}"))
}

/// Text, a large binary message, fragments with a ping between them; then the close.
fn exercise(ws: &mut WebSocket, what: &str) {
    ws.send_text("héllo wörld").unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Text("héllo wörld".into()), "{what}");
    let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 253) as u8).collect();
    ws.send_binary(&big).unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Binary(big), "{what}");
    ws.send_ping(b"are you there").unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Pong(b"are you there".to_vec()), "{what}");
    ws.close(1000, "bye").unwrap();
}

/// Our echo server, plain or TLS, accepting permessage-deflate if `deflate`.
fn our_server(tls: bool, deflate: bool) -> HttpServer {
    let factory = handler_fn(move |request, response| {
        let Ok(mut ws) = WebSocket::accept_with(request, response, config(deflate)) else { return Ok(()) };
        loop {
            match ws.read_message() {
                Ok(Message::Text(t)) => ws.send_text(&t)?,
                Ok(Message::Binary(b)) => ws.send_binary(&b)?,
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                Ok(Message::Close(_)) | Err(_) => return Ok(()),
            }
        }
    });
    if tls {
        start_https_server(server_context(&certs().server, VerificationMode::None), TIMEOUT, 4, factory)
    } else {
        let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
        let server = HttpServer::new(factory, socket, Default::default()).unwrap();
        server.start().unwrap();
        server
    }
}

#[test]
fn our_client_against_python_websockets() {
    if !python() {
        return;
    }
    let files = Files::new();
    let peer = Peer::start(
        Command::new("python3").arg(py_peer()).args([
            "server",
            &files.get("server.pem"),
            &files.get("server.key"),
        ]),
        2,
    );
    for (tls, port) in [(false, peer.ports[0]), (true, peer.ports[1])] {
        for deflate in [true, false] {
            let mut ws = our_client(port, tls, deflate);
            let agreed = ws.negotiated().deflate;
            assert_eq!(agreed.is_some(), deflate, "tls {tls}");
            if let Some(d) = agreed {
                // websockets answers client_max_window_bits=12: we compress within 12 bits.
                assert_eq!(d.send_window_bits, 12);
            }
            exercise(&mut ws, &format!("python server, tls {tls}, deflate {deflate}"));
            let ext = peer.lines.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(ext.contains("permessage-deflate"), deflate, "{ext}");
        }
    }
}

#[test]
fn python_websockets_against_our_server() {
    if !python() {
        return;
    }
    let files = Files::new();
    let (plain, secure) = (our_server(false, true), our_server(true, true));
    let mut cmd = Command::new("python3");
    cmd.arg(py_peer()).args(["client", &files.get("ca.pem")]);
    let mut runs = Vec::new();
    for url in
        [format!("ws://127.0.0.1:{}/ws", plain.port()), format!("wss://localhost:{}/ws", secure.port())]
    {
        for deflate in [true, false] {
            if !runs.is_empty() {
                cmd.arg("--");
            }
            if !deflate {
                cmd.arg("--no-deflate");
            }
            cmd.args([url.as_str(), "one", "zwei é", ""]);
            runs.push((url.clone(), deflate));
        }
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}{}", stdout, String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4 * runs.len(), "{stdout}");
    for (run, (url, deflate)) in lines.chunks(4).zip(&runs) {
        assert_eq!(&run[..3], ["one", "zwei é", ""], "{url}");
        assert_eq!(run[3].contains("permessage-deflate"), *deflate, "{url}, deflate {deflate}: {}", run[3]);
    }
}

#[test]
fn our_client_against_poco() {
    let Some(peer) = poco() else { return };
    let files = Files::new();
    for tls in [false, true] {
        let mut cmd = Command::new(peer);
        cmd.arg("server");
        if tls {
            cmd.args(["--tls", &files.get("server.pem"), &files.get("server.key")]);
        }
        let server = Peer::start(&mut cmd, 1);
        // We offer permessage-deflate; POCO 1.11 declines it.
        let mut ws = our_client(server.ports[0], tls, true);
        assert!(ws.negotiated().deflate.is_none());
        // POCO's frame API on our side too: a fragmented message.
        ws.send_frame(b"frag", FRAME_OP_TEXT).unwrap();
        ws.send_frame(b"ment", FRAME_FLAG_FIN | FRAME_OP_CONT).unwrap();
        let (a, fa) = ws.receive_frame_vec().unwrap();
        let (b, fb) = ws.receive_frame_vec().unwrap();
        assert_eq!(([a, b].concat(), fa & 0x0F, fb & 0x80), (b"fragment".to_vec(), 1, 0x80), "tls {tls}");
        exercise(&mut ws, &format!("POCO server, tls {tls}"));
    }
}

#[test]
fn poco_against_our_server() {
    let Some(peer) = poco() else { return };
    let files = Files::new();
    for tls in [false, true] {
        let server = our_server(tls, true);
        let port = server.port().to_string();
        let mut args = vec!["client", port.as_str()];
        let ca = files.get("ca.pem");
        if tls {
            args.extend(["--tls", ca.as_str()]);
        }
        args.extend(["Hello", "from POCO"]);
        let out = Command::new(peer).args(&args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "tls {tls}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        // The echoes, then our answer to POCO's close: a close frame with 1000.
        assert_eq!(stdout, "Hello\nfrom POCO\nclose 1 1000\n", "tls {tls}");
    }
}

#[test]
fn wss_reader_and_writer_on_two_threads() {
    // The server pings after every tenth message, so the reader answers pongs while the
    // writer sends.
    let factory = handler_fn(move |request, response| {
        let Ok(mut ws) = WebSocket::accept_with(request, response, config(true)) else { return Ok(()) };
        let mut n = 0;
        loop {
            match ws.read_message() {
                Ok(Message::Text(t)) => {
                    ws.send_text(&t)?;
                    n += 1;
                    if n % 10 == 0 {
                        ws.send_ping(b"tick")?;
                    }
                }
                Ok(Message::Close(_)) | Err(_) => return Ok(()),
                Ok(_) => {}
            }
        }
    });
    let server =
        start_https_server(server_context(&certs().server, VerificationMode::None), TIMEOUT, 4, factory);
    let ws = our_client(server.port(), true, true);
    let (mut reader, writer) = ws.split();
    let reading = std::thread::spawn(move || {
        let (mut texts, mut pings) = (Vec::new(), 0);
        loop {
            match reader.read_message().unwrap() {
                Message::Text(t) => texts.push(t),
                Message::Ping(_) => pings += 1,
                Message::Close(_) => return (texts, pings),
                Message::Binary(_) | Message::Pong(_) => {}
            }
        }
    });
    std::thread::sleep(Duration::from_millis(100));
    let writer = Arc::new(writer);
    for i in 0..100 {
        writer.send_text(&format!("m{i}")).unwrap();
    }
    // Wait until the echoes are in before closing (the reader needs the tenth-message pings).
    std::thread::sleep(Duration::from_millis(500));
    writer.close(1000, "").unwrap();
    let (texts, pings) = reading.join().unwrap();
    assert_eq!(texts, (0..100).map(|i| format!("m{i}")).collect::<Vec<_>>());
    assert_eq!(pings, 10);
}

#[test]
fn ws_and_wss_through_an_authenticating_http_proxy() {
    // user:pass
    let (proxy_port, log) = rpoco_testsupport::http_proxy(Some("dXNlcjpwYXNz"));
    let mut proxy = ProxyConfig::new("127.0.0.1", proxy_port);
    proxy.username = "user".into();
    proxy.password = "pass".into();
    for tls in [false, true] {
        let server = our_server(tls, true);
        let mut ws = our_client_via(server.port(), tls, true, Some(&proxy));
        ws.send_text("through the proxy").unwrap();
        assert_eq!(ws.read_message().unwrap(), Message::Text("through the proxy".into()), "tls {tls}");
        ws.close(1000, "").unwrap();
    }
    // Both went through CONNECT tunnels with the credentials (the proxy refuses others).
    let log = log.lock().unwrap();
    let methods: Vec<&str> = log.requests.iter().map(|r| r.method()).collect();
    assert_eq!(methods, ["CONNECT", "CONNECT"]);
}
