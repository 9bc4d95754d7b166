//! HTTPS serving: rpoco-net's `HttpServer` over our `SecureServerSocket` on 127.0.0.1, driven
//! by our `HttpsClientSession`, curl and `openssl s_client` (TLS 1.2 and 1.3, ALPN, mutual
//! TLS), plus clients that stall or speak plain HTTP to the TLS port. Without curl or openssl
//! those tests print a skip reason, and fail when `CI` is set.

mod common;

use std::any::Any;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use rpoco_net::{HttpMessage, HttpServer, handler_fn};
use rpoco_netssl::ClientSession;
use rpoco_netssl::{Context, HttpsClientSession, SecureStreamSocket, VerificationMode};

/// An HTTPS server whose handler answers with what it saw: method, URI, body length, TLS
/// version, ALPN protocol and the client certificate's common name.
fn start(context: Arc<Context>, handshake_timeout: Duration, threads: usize) -> HttpServer {
    start_https_server(
        context,
        handshake_timeout,
        threads,
        handler_fn(|request, response| {
            let mut body = Vec::new();
            request.read_to_end(&mut body)?;
            let (version, alpn, client) = {
                let transport = request.transport();
                let any: &dyn Any = &*transport;
                let tls = any.downcast_ref::<SecureStreamSocket>().expect("a TLS transport");
                (
                    tls.tls().protocol_version().unwrap_or("?"),
                    tls.tls().alpn_protocol().unwrap_or_else(|| "-".into()),
                    tls.peer_certificate()
                        .map(|c| c.common_name().to_string())
                        .unwrap_or_else(|_| "-".into()),
                )
            };
            let secure = request.secure();
            let text = format!(
                "{} {} {} {version} {alpn} {client} {secure}\n",
                request.method(),
                request.uri(),
                body.len()
            );
            response.set_content_type("text/plain");
            response.send_buffer(text.as_bytes())
        }),
    )
}

#[test]
fn https_client_session_keeps_one_tls_connection_alive() {
    let server = start(server_context(&certs().server, VerificationMode::None), TIMEOUT, 4);
    let mut session =
        HttpsClientSession::new("localhost", server.port(), client_context(VerificationMode::Strict));
    session.set_timeout(Some(TIMEOUT));
    // Off by default, as in POCO.
    session.set_keep_alive(true);
    let body = vec![7u8; 300_000];
    assert_eq!(
        exchange(&mut session, "POST", "/upload?x=1", &body).unwrap(),
        "POST /upload?x=1 300000 TLSv1.3 - - true\n"
    );
    for i in 0..5 {
        let text = exchange(&mut session, "GET", &format!("/{i}"), b"").unwrap();
        assert_eq!(text, format!("GET /{i} 0 TLSv1.3 - - true\n"));
    }
    // Every request went over the first connection.
    assert_eq!(server.tcp_server().total_connections(), 1);
    server.stop();
}

#[test]
fn the_client_certificate_reaches_the_handler() {
    let server = start(server_context(&certs().server, VerificationMode::Strict), TIMEOUT, 4);
    let client = client_context(VerificationMode::Strict);
    client.add_certificate(&chain(&certs().client), &key(&certs().client)).unwrap();
    let mut session = HttpsClientSession::new("127.0.0.1", server.port(), client);
    session.set_timeout(Some(TIMEOUT));
    assert_eq!(exchange(&mut session, "GET", "/", b"").unwrap(), "GET / 0 TLSv1.3 - rpoco dev client true\n");

    // No certificate under Strict: the handshake fails, and the server goes on serving.
    let mut anonymous =
        HttpsClientSession::new("127.0.0.1", server.port(), client_context(VerificationMode::Strict));
    anonymous.set_timeout(Some(TIMEOUT));
    let err = exchange(&mut anonymous, "GET", "/", b"").unwrap_err();
    // The server's alert, in its own words (TLS 1.3 `certificate_required`).
    assert_eq!(err.kind(), rpoco_netssl::ErrorKind::TlsAlert, "{err}");
    assert_eq!(err.alert_description(), Some("CertificateRequired"), "{err}");
    assert_eq!(
        exchange(&mut session, "GET", "/again", b"").unwrap(),
        "GET /again 0 TLSv1.3 - rpoco dev client true\n"
    );
    server.stop();
}

#[test]
fn stalled_and_plaintext_clients_hold_no_thread() {
    let handshake_timeout = Duration::from_millis(1500);
    // One worker thread: if a stalled handshake held it, nobody else would be served.
    let server = start(server_context(&certs().server, VerificationMode::None), handshake_timeout, 1);
    let port = server.port();

    // Connect and never send a ClientHello, or send half of one: closed after the handshake
    // timeout, holding no worker meanwhile.
    let silent: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    let mut partial = TcpStream::connect(("127.0.0.1", port)).unwrap();
    partial.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]).unwrap();
    // Speaks plain HTTP to the TLS port: an alert or a close, never an HTTP answer.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain.set_read_timeout(Some(TIMEOUT)).unwrap();
    plain.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();

    let started = Instant::now();
    let mut session = HttpsClientSession::new("localhost", port, client_context(VerificationMode::Strict));
    session.set_timeout(Some(TIMEOUT));
    session.set_keep_alive(true);
    assert_eq!(exchange(&mut session, "GET", "/", b"").unwrap(), "GET / 0 TLSv1.3 - - true\n");
    assert!(started.elapsed() < handshake_timeout, "served after {:?}", started.elapsed());

    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "{}", String::from_utf8_lossy(&answer));
    // A TLS alert record (content type 21), if anything.
    assert!(answer.is_empty() || answer[0] == 21, "{answer:?}");

    for mut stalled in silent.into_iter().chain([partial]) {
        stalled.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut rest = Vec::new();
        let closed = stalled.read_to_end(&mut rest);
        let waited = started.elapsed();
        assert!(closed.is_ok() || rest.is_empty(), "{closed:?} {rest:?}");
        assert!(rest.is_empty() || rest[0] == 21, "{rest:?}");
        assert!(waited >= handshake_timeout - Duration::from_millis(300), "closed after {waited:?}");
        assert!(waited < handshake_timeout * 3, "closed after {waited:?}");
    }
    // The kept-alive connection still works, on the same single worker.
    assert_eq!(exchange(&mut session, "GET", "/after", b"").unwrap(), "GET /after 0 TLSv1.3 - - true\n");
    assert_eq!(server.tcp_server().current_threads(), 1);
    server.stop();
}

/// Runs curl against `port` with the dev CA; returns (success, stdout, stderr).
fn curl(files: &Files, port: u16, path: &str, extra: &[&str]) -> Option<(bool, String, String)> {
    let program = require("curl")?;
    let url = format!("https://localhost:{port}{path}");
    let out = Command::new(program)
        .args(["-sS", "-v", "--fail", "--max-time", "10", "--cacert", &files.get("ca.pem")])
        .args(extra)
        .arg(&url)
        .output()
        .expect("run curl");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Some((out.status.success(), text(&out.stdout), text(&out.stderr)))
}

#[test]
fn curl_over_tls12_and_tls13_with_alpn() {
    let files = Files::new();
    let context = server_context(&certs().server, VerificationMode::None);
    context.set_alpn_protocols(&["http/1.1"]).unwrap();
    let server = start(context, TIMEOUT, 4);
    for (flags, version) in
        [(&["--tlsv1.2", "--tls-max", "1.2"][..], "TLSv1.2"), (&["--tlsv1.3"][..], "TLSv1.3")]
    {
        let Some((ok, body, log)) = curl(&files, server.port(), "/curl", flags) else { return };
        assert!(ok, "{log}");
        assert_eq!(body, format!("GET /curl 0 {version} http/1.1 - true\n"), "{log}");
        assert!(
            log.contains("ALPN: server accepted http/1.1")
                || log.contains("ALPN, server accepted to use http/1.1"),
            "{log}"
        );
        assert!(log.contains("SSL certificate verify ok"), "{log}");
    }
    // Two transfers on one connection: keep-alive works for curl too.
    let url = format!("https://localhost:{}/first", server.port());
    let Some((ok, body, log)) = curl(&files, server.port(), "/second", &[&url]) else { return };
    assert!(ok, "{log}");
    assert_eq!(body, "GET /first 0 TLSv1.3 http/1.1 - true\nGET /second 0 TLSv1.3 http/1.1 - true\n");
    assert!(
        log.contains("Re-using existing connection") || log.contains("Reusing existing connection"),
        "{log}"
    );
    server.stop();
}

#[test]
fn curl_with_and_without_a_client_certificate() {
    let files = Files::new();
    let server = start(server_context(&certs().server, VerificationMode::Strict), TIMEOUT, 4);
    let client = ["--cert", &files.get("client.pem"), "--key", &files.get("client.key")];
    let Some((ok, body, log)) = curl(&files, server.port(), "/mtls", &client) else { return };
    assert!(ok, "{log}");
    assert_eq!(body, "GET /mtls 0 TLSv1.3 - rpoco dev client true\n");

    let Some((ok, body, log)) = curl(&files, server.port(), "/anonymous", &[]) else { return };
    assert!(!ok && body.is_empty(), "{body} {log}");
    let unknown =
        ["--cert", &files.get("client-unknown-ca.pem"), "--key", &files.get("client-unknown-ca.key")];
    let Some((ok, body, log)) = curl(&files, server.port(), "/unknown", &unknown) else { return };
    assert!(!ok && body.is_empty(), "{body} {log}");
    server.stop();
}

/// Sends one request through `openssl s_client`; returns its stdout and stderr together.
fn s_client(files: &Files, port: u16, extra: &[&str]) -> Option<String> {
    let program = require("openssl")?;
    let request = b"GET /openssl HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    Some(run_s_client(&program, files, &format!("127.0.0.1:{port}"), extra, request))
}

#[test]
fn openssl_s_client_over_tls12_and_tls13_with_alpn_and_mtls() {
    let files = Files::new();
    let context = server_context(&certs().server_rsa, VerificationMode::Relaxed);
    context.set_alpn_protocols(&["http/1.1"]).unwrap();
    let server = start(context, TIMEOUT, 4);
    let client = ["-cert", &files.get("client.pem"), "-key", &files.get("client.key")];
    for (flag, version) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let Some(out) =
            s_client(&files, server.port(), &[&[flag, "-alpn", "h2,http/1.1"][..], &client].concat())
        else {
            return;
        };
        assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
        assert!(out.contains("ALPN protocol: http/1.1"), "{out}");
        assert!(
            out.contains(&format!("Protocol  : {version}")) || out.contains(&format!("New, {version}")),
            "{out}"
        );
        assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
        assert!(out.contains(&format!("GET /openssl 0 {version} http/1.1 rpoco dev client true")), "{out}");
        // Relaxed: a client without a certificate is served too.
        let Some(out) = s_client(&files, server.port(), &[flag]) else { return };
        assert!(out.contains(&format!("GET /openssl 0 {version} - - true")), "{out}");
    }
    server.stop();
}

#[test]
fn many_clients_at_once_over_few_workers() {
    const CLIENTS: usize = 40;
    const REQUESTS: usize = 10;
    let server = start(server_context(&certs().server, VerificationMode::None), TIMEOUT, 4);
    let port = server.port();
    let client = client_context(VerificationMode::Strict);
    let started = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let client = client.clone();
            std::thread::spawn(move || {
                let mut session = HttpsClientSession::new("localhost", port, client);
                session.set_timeout(Some(TIMEOUT));
                // Half keep their connection, half make a new one (a full handshake) each time.
                session.set_keep_alive(c % 2 == 0);
                for r in 0..REQUESTS {
                    let body = format!("client {c} request {r}");
                    let text =
                        exchange(&mut session, "PUT", &format!("/c{c}/r{r}"), body.as_bytes()).unwrap();
                    assert_eq!(text, format!("PUT /c{c}/r{r} {} TLSv1.3 - - true\n", body.len()));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    eprintln!("{} HTTPS requests in {:?}", CLIENTS * REQUESTS, started.elapsed());
    let tcp = server.tcp_server();
    assert_eq!(tcp.total_connections() as usize, CLIENTS / 2 + CLIENTS / 2 * REQUESTS);
    assert_eq!(tcp.refused_connections(), 0);
    assert!(tcp.current_threads() <= 4);
    server.stop();
}
