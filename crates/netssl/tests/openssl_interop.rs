//! Interop with Debian's `openssl` on 127.0.0.1: our client against `openssl s_server`,
//! `openssl s_client` against our server (TLS 1.2 and 1.3, ALPN, mutual TLS), and our
//! cipher-list translation against `openssl ciphers`. Without `openssl` these tests print a
//! skip reason, and fail when `CI` is set.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::*;
use rpoco_net::{HTTP_1_1, HttpMessage, HttpRequest, HttpResponse};
use rpoco_netssl::{Context, Error, ErrorKind, HttpsClientSession, Protocols, Usage, VerificationMode};

/// An `openssl s_server` child process, killed on drop.
struct SServer {
    child: Child,
    addr: SocketAddr,
}

impl SServer {
    fn start(files: &Files, extra: &[&str]) -> SServer {
        let mut cmd = Command::new("openssl");
        cmd.args(["s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-www"])
            .args(["-cert", &files.get("server.pem"), "-key", &files.get("server.key")])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start openssl s_server");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("s_server exited before listening").unwrap();
            if let Some(addr) = line.strip_prefix("ACCEPT ") {
                break addr.parse().unwrap();
            }
        };
        SServer { child, addr }
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET / from s_server's `-www` page, which describes the session as the server saw it.
fn fetch_status_page(ctx: &std::sync::Arc<Context>, addr: SocketAddr) -> Result<(String, String), Error> {
    let mut tls = connect(ctx, "localhost", addr)?;
    // s_server -www closes without close_notify: read the page to its known end instead.
    tls.set_close_notify_required(false);
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    let mut page = String::new();
    tls.read_to_string(&mut page)?;
    Ok((tls.protocol_version().unwrap_or("?").to_string(), page))
}

#[test]
fn our_client_against_openssl_s_server() {
    if !require_program("openssl") {
        return;
    }
    let files = Files::new();
    for (flag, version) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let server = SServer::start(&files, &[flag, "-alpn", "http/1.1"]);
        let ctx = client_context(VerificationMode::Strict);
        ctx.set_alpn_protocols(&["h2", "http/1.1"]).unwrap();
        let mut tls = connect(&ctx, "localhost", server.addr).unwrap();
        tls.set_close_notify_required(false);
        assert_eq!(tls.protocol_version(), Some(version));
        assert_eq!(tls.alpn_protocol().as_deref(), Some("http/1.1"));
        tls.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        let mut page = String::new();
        tls.read_to_string(&mut page).unwrap();
        assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
        let cipher = tls.cipher_suite().unwrap();
        assert!(page.contains(&format!("{version}, Cipher is {cipher}")), "{cipher} not in: {page}");
    }
}

#[test]
fn https_client_session_against_openssl_s_server() {
    if !require_program("openssl") {
        return;
    }
    let files = Files::new();
    for (flag, version) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        // s_server -www answers each connection's request with a page describing the session.
        let server = SServer::start(&files, &[flag, "-naccept", "3"]);
        let ctx = client_context(VerificationMode::Strict);
        ctx.enable_session_cache(true);
        let mut session = HttpsClientSession::new("localhost", server.addr.port(), ctx);
        let mut reused = Vec::new();
        for _ in 0..3 {
            let mut request = HttpRequest::new(HttpRequest::HTTP_GET, "/", HTTP_1_1);
            request.set("User-Agent", "POCO HTTPSClientSession");
            session.send_request(&mut request).unwrap();
            let mut response = HttpResponse::default();
            let mut page = String::new();
            session.receive_response(&mut response).unwrap().read_to_string(&mut page).unwrap();
            assert_eq!((response.status().code(), response.version()), (200, "HTTP/1.0"));
            let cipher = session.cipher_suite().unwrap();
            let state = if session.session_was_reused() { "Reused" } else { "New" };
            assert!(page.contains(&format!("{state}, {version}, Cipher is {cipher}")), "{page}");
            assert_eq!(session.protocol_version(), Some(version));
            reused.push(session.session_was_reused());
        }
        assert_eq!(reused, [false, true, true], "{version}");
    }
}

#[test]
fn mutual_tls_with_openssl_s_server() {
    if !require_program("openssl") {
        return;
    }
    let files = Files::new();
    let verify = ["-Verify", "1", "-CAfile", &files.get("ca.pem")];

    let server = SServer::start(&files, &verify);
    let ctx = Context::new(
        Usage::Client,
        &files.get("client.key"),
        &files.get("client.pem"),
        &files.get("ca.pem"),
        VerificationMode::Relaxed,
        9,
        false,
        "",
    )
    .unwrap();
    let (_, page) = fetch_status_page(&ctx, server.addr).unwrap();
    assert!(page.contains("Client certificate"), "{page}");
    assert!(page.contains("CN = rpoco dev client") || page.contains("CN=rpoco dev client"), "{page}");
    drop(server);

    // Without a client certificate, s_server refuses the handshake.
    for flag in ["-tls1_2", "-tls1_3"] {
        let server = SServer::start(&files, &[&verify[..], &[flag]].concat());
        let err = fetch_status_page(&client_context(VerificationMode::Relaxed), server.addr).unwrap_err();
        // The peer's words: s_server's alert, its own kind (TLS 1.2: handshake_failure;
        // TLS 1.3: certificate_required).
        assert_eq!(err.kind(), ErrorKind::TlsAlert, "{flag}: {err:?}");
        let alert = err.alert_description().unwrap_or_default();
        assert!(["HandshakeFailure", "CertificateRequired"].contains(&alert), "{flag}: {err:?}");
    }
}

#[test]
fn our_client_rejects_what_openssl_serves_wrongly() {
    if !require_program("openssl") {
        return;
    }
    let files = Files::new();
    let mut args =
        vec!["-cert".to_string(), files.get("wrong-host.pem"), "-key".into(), files.get("wrong-host.key")];
    args.push("-tls1_3".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = SServer::start(&files, &refs);
    let err = fetch_status_page(&client_context(VerificationMode::Relaxed), server.addr).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CertificateValidation, "{err}");
    assert_eq!(
        err.verification_failure().map(|f| f.check),
        Some(rpoco_netssl::CertificateCheck::Hostname),
        "{err}"
    );
}

/// Runs `openssl s_client` against our echo server; returns its stdout+stderr.
fn s_client(ctx: std::sync::Arc<Context>, files: &Files, extra: &[&str]) -> (String, Result<String, Error>) {
    let (addr, server) = serve_once(ctx, |tls| {
        let mut line = String::new();
        BufReader::new(&mut *tls).read_line(&mut line)?;
        tls.write_all(line.to_uppercase().as_bytes())?;
        let cn = tls.peer_certificate().map(|c| c.common_name().to_string()).unwrap_or_default();
        tls.close()?;
        Ok(format!(
            "{} {} {cn}",
            tls.protocol_version().unwrap_or("?"),
            tls.alpn_protocol().unwrap_or_default()
        ))
    });
    let text = run_s_client(
        std::path::Path::new("openssl"),
        files,
        &addr.to_string(),
        extra,
        b"hello from openssl\n",
    );
    (text, server.join().unwrap())
}

#[test]
fn openssl_s_client_against_our_server() {
    if !require_program("openssl") {
        return;
    }
    let files = Files::new();
    for (flag, version) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let ctx = server_context(&certs().server, VerificationMode::None);
        ctx.set_alpn_protocols(&["h2", "http/1.1"]).unwrap();
        let (out, server) = s_client(ctx, &files, &[flag, "-alpn", "http/1.1"]);
        assert!(out.contains("HELLO FROM OPENSSL"), "{out}");
        assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
        assert!(out.contains("ALPN protocol: http/1.1"), "{out}");
        assert_eq!(server.unwrap(), format!("{version} http/1.1 "));
    }
    // Mutual TLS: s_client presents the dev client certificate.
    let ctx = server_context(&certs().server_rsa, VerificationMode::Strict);
    let (out, server) =
        s_client(ctx, &files, &["-cert", &files.get("client.pem"), "-key", &files.get("client.key")]);
    assert!(out.contains("HELLO FROM OPENSSL"), "{out}");
    assert_eq!(server.unwrap(), "TLSv1.3  rpoco dev client");
    // Strict without a client certificate: our server refuses.
    let (_, server) =
        s_client(server_context(&certs().server, VerificationMode::Strict), &files, &["-tls1_2"]);
    let err = server.unwrap_err();
    assert_eq!(
        err.verification_failure().map(|f| f.check),
        Some(rpoco_netssl::CertificateCheck::NoCertificate),
        "{err}"
    );
}

#[test]
fn cipher_lists_select_what_openssl_selects() {
    if !require_program("openssl") {
        return;
    }
    let ours = [
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
    ];
    for list in [
        "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH",
        "DEFAULT",
        "HIGH",
        "HIGH:!aNULL:!MD5:!RC4:!3DES",
        "aRSA",
        "aECDSA:aRSA",
        "ECDHE+AESGCM",
        "ECDHE+AESGCM:ECDHE+CHACHA20",
        "HIGH:!aRSA",
        "AES128:AES256:CHACHA20",
        "AES128:AES256:@STRENGTH",
        "HIGH:-AES256:AES256",
        "aRSA:+AES256",
        "CHACHA20:AESGCM",
        "FIPS",
        "SUITEB128",
        "SUITEB128ONLY",
        "SUITEB192",
        "kECDHE+aECDSA",
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:AES128-SHA",
        "ALL:!ECDSA:@STRENGTH",
        "TLSv1.2:!CHACHA20",
    ] {
        let output = Command::new("openssl").args(["ciphers", list]).output().unwrap();
        assert!(output.status.success(), "openssl rejects {list}");
        let text = String::from_utf8(output.stdout).unwrap();
        let expected: Vec<&str> = text.trim().split(':').filter(|name| ours.contains(name)).collect();
        let ctx = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, list).unwrap();
        ctx.disable_protocols(Protocols::TLSV1_3).unwrap();
        let got: Vec<&str> = ctx.cipher_report().suites.iter().map(|s| s.openssl_name).collect();
        assert_eq!(got, expected, "cipher list {list}");
    }
}
