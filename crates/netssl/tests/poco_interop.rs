//! Interop with C++ POCO's NetSSL (Debian's libpoco-dev, OpenSSL underneath) on 127.0.0.1:
//! POCO's `HTTPSClientSession` against our HTTPS server (`HttpServer` over
//! `SecureServerSocket`), with keep-alive and with a client certificate, and our
//! `HttpsClientSession` against POCO's `HTTPServer` over its `SecureServerSocket`, with and
//! without mutual TLS. The peer, `tests/poco/poco_https.cpp`, is built with g++.
//!
//! Without g++ or libpoco-dev the tests print why and pass, unless `CI` is set: then a missing
//! peer is a failure.

mod common;

use std::any::Any;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

use common::*;
use rpoco_net::{HttpServer, handler_fn};
use rpoco_netssl::ClientSession;
use rpoco_netssl::{Context, HttpsClientSession, SecureServerSocket, SecureStreamSocket, VerificationMode};

fn peer() -> Option<&'static Path> {
    static PEER: OnceLock<Option<PathBuf>> = OnceLock::new();
    PEER.get_or_init(build_peer).as_deref()
}

fn build_peer() -> Option<PathBuf> {
    build_poco_peer("poco_https.cpp", "poco_https")
}

/// Our HTTPS server; the handler answers with what it saw, the client certificate included.
fn our_server(context: Arc<Context>) -> HttpServer {
    // The listener's and POCO's defaults: a 30 s handshake limit, 16 worker threads.
    start_https_server(
        context,
        SecureServerSocket::DEFAULT_HANDSHAKE_TIMEOUT,
        16,
        handler_fn(|request, response| {
            let mut body = String::new();
            request.read_to_string(&mut body)?;
            let client = {
                let transport = request.transport();
                let any: &dyn Any = &*transport;
                any.downcast_ref::<SecureStreamSocket>()
                    .and_then(|tls| tls.peer_certificate().ok())
                    .map_or_else(|| "-".to_string(), |c| c.common_name().to_string())
            };
            let text = format!("rpoco saw {} {} {body:?} {client}", request.method(), request.uri());
            response.send_buffer(text.as_bytes())
        }),
    )
}

#[test]
fn poco_https_client_session_against_our_server() {
    let Some(peer) = peer() else { return };
    let files = Files::new();
    let server = our_server(server_context(&certs().server, VerificationMode::Relaxed));
    let port = server.port().to_string();
    let get = |extra: &[&str]| {
        let out = Command::new(peer)
            .args(["get", "localhost", &port, &files.get("ca.pem"), "3"])
            .args(extra)
            .output()
            .expect("run the POCO client");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        stdout
    };

    // POCO verifies our chain against the dev CA, keeps the connection alive over 3 POSTs.
    let expected = |client: &str| {
        let mut lines: String =
            (0..3).map(|i| format!("200 OK|rpoco saw POST /poco/{i} \"request {i}\" {client}\n")).collect();
        lines.push_str("reused 1\n");
        lines
    };
    assert_eq!(get(&[]), expected("-"));
    assert_eq!(server.tcp_server().total_connections(), 1);
    // With a client certificate, which our Relaxed server checks and the handler sees.
    assert_eq!(get(&[&files.get("client.pem"), &files.get("client.key")]), expected("rpoco dev client"));

    // A certificate our server does not trust: POCO's handshake fails, and says so.
    let out = Command::new(peer)
        .args(["get", "localhost", &port, &files.get("ca.pem"), "1"])
        .args([files.get("client-unknown-ca.pem"), files.get("client-unknown-ca.key")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
    server.stop();
}

/// The POCO server, stopped (stdin closed, then killed) on drop.
struct PocoServer {
    child: Child,
    port: u16,
}

impl PocoServer {
    fn start(peer: &Path, files: &Files, ca: Option<&str>) -> PocoServer {
        let mut child = Command::new(peer)
            .args(["serve", &files.get("server.pem"), &files.get("server.key")])
            .arg(ca.map_or_else(|| "-".to_string(), |ca| files.get(ca)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the POCO server");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("the POCO server starts");
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        PocoServer { child, port }
    }
}

impl Drop for PocoServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn our_https_client_session_against_poco_servers() {
    let Some(peer) = peer() else { return };
    let files = Files::new();

    // VERIFY_NONE on the POCO side: no client certificate asked for.
    let poco = PocoServer::start(peer, &files, None);
    let mut session =
        HttpsClientSession::new("localhost", poco.port, client_context(VerificationMode::Strict));
    session.set_timeout(Some(TIMEOUT));
    session.set_keep_alive(true);
    for i in 0..3 {
        assert_eq!(
            exchange(&mut session, "POST", &format!("/rust/{i}"), b"hello POCO").unwrap(),
            format!("POCO saw POST /rust/{i} 10 -")
        );
    }
    assert_eq!(session.server_certificate().unwrap().common_name(), "localhost");
    assert_eq!(session.protocol_version(), Some("TLSv1.3"));
    drop(poco);

    // With a CA: POCO asks for a client certificate and checks the one we send.
    let poco = PocoServer::start(peer, &files, Some("ca.pem"));
    let context = client_context(VerificationMode::Strict);
    context.add_certificate(&chain(&certs().client), &key(&certs().client)).unwrap();
    let mut session = HttpsClientSession::new("127.0.0.1", poco.port, context);
    session.set_timeout(Some(TIMEOUT));
    assert_eq!(
        exchange(&mut session, "POST", "/mtls", b"").unwrap(),
        "POCO saw POST /mtls 0 rpoco dev client"
    );

    // A certificate POCO does not trust: the handshake fails, with an error that says TLS.
    let context = client_context(VerificationMode::Strict);
    context.add_certificate(&chain(&certs().client_unknown_ca), &key(&certs().client_unknown_ca)).unwrap();
    let mut session = HttpsClientSession::new("127.0.0.1", poco.port, context);
    session.set_timeout(Some(TIMEOUT));
    let err = exchange(&mut session, "POST", "/untrusted", b"").unwrap_err();
    assert!(err.is_ssl_exception(), "{err}");
}
