//! `examples/https_get.rs` (the seed program) run as a program against an HTTPS server on
//! 127.0.0.1 with rpoco's dev certificates: the body on stdout, verification on by default,
//! `--verify none` warning once on stderr, errors on stderr with a non-zero exit.
#![cfg(feature = "netssl")]

mod support;

use std::io::{Read, Write};
use std::process::{Command, Output};
use std::thread::JoinHandle;
use std::time::Duration;

use rpoco::net::{ServerSocket, SocketAddress};
use rpoco::netssl::{Context, PrivateKey, SecureServerSocket, Usage, VerificationMode, X509Certificate};
use rpoco_testcerts::{CertKey, DevCerts};

const BODY: &str = "<html>hello from the seed's server</html>\n";

/// Serves `connections` HTTPS connections with `identity`; each gets `status` and BODY.
fn serve(identity: &CertKey, connections: usize, status: &'static str) -> (u16, JoinHandle<()>) {
    let context = Context::new(Usage::Server, "", "", "", VerificationMode::None, 9, false, "").unwrap();
    let chain: Vec<X509Certificate> =
        identity.chain_der.iter().map(|der| X509Certificate::from_der(der.clone()).unwrap()).collect();
    context.add_certificate(&chain, &PrivateKey::from_pem(identity.key_pem.as_bytes()).unwrap()).unwrap();
    let listener = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
    let port = listener.address().unwrap().port();
    let mut server = SecureServerSocket::new(listener, &context).unwrap();
    server.set_handshake_timeout(Some(Duration::from_secs(10)));
    let handle = std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut tls, _)) = server.accept_connection() else { return };
            let _ = tls.socket().set_receive_timeout(Some(Duration::from_secs(10)));
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            if head.ends_with(b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&head);
                assert!(text.starts_with("GET /index.html?q=1 HTTP/1.1\r\n"), "{text}");
                assert!(text.contains("User-Agent: POCO HTTPSClientSession\r\n"), "{text}");
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
                    BODY.len()
                );
                let _ = tls.write_all(reply.as_bytes());
                let _ = tls.close();
            }
        }
    });
    (port, handle)
}

fn run(args: &[&str]) -> Option<Output> {
    let program = support::example("https_get")?;
    Some(Command::new(program).args(args).output().expect("run https_get"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn seed_program_against_a_loopback_server() {
    if support::example("https_get").is_none() {
        return;
    }
    let certs = DevCerts::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &certs.ca.cert_pem).unwrap();
    let ca = ca.to_string_lossy().into_owned();

    // Default verification (Relaxed: chain and host name) against the dev CA.
    let (port, server) = serve(&certs.server, 1, "200 OK");
    let url = format!("https://localhost:{port}/index.html?q=1");
    let out = run(&["--ca", &ca, &url]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!((text(&out.stdout).as_str(), text(&out.stderr).as_str()), (BODY, ""));
    server.join().unwrap();

    // --verify strict, by IP address (the dev certificate names 127.0.0.1 too).
    let (port, server) = serve(&certs.server, 1, "200 OK");
    let out = run(&["--verify", "strict", "--ca", &ca, &format!("https://127.0.0.1:{port}/index.html?q=1")])
        .unwrap();
    assert_eq!((out.status.success(), text(&out.stdout).as_str()), (true, BODY), "{}", text(&out.stderr));
    server.join().unwrap();

    // --verify none: works without any CA, and says once, on stderr, what was not verified.
    let (port, server) = serve(&certs.server, 1, "200 OK");
    let out = run(&["--verify", "none", &format!("https://localhost:{port}/index.html?q=1")]).unwrap();
    assert_eq!((out.status.success(), text(&out.stdout).as_str()), (true, BODY), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("https_get: warn: TLS certificate of localhost NOT verified"), "{stderr}");
    server.join().unwrap();

    // Verification on without --ca: the Mozilla roots do not include the dev CA.
    let (port, server) = serve(&certs.server, 1, "200 OK");
    let out = run(&[&format!("https://localhost:{port}/index.html?q=1")]).unwrap();
    assert_eq!((out.status.code(), out.stdout.len()), (Some(1), 0));
    assert!(text(&out.stderr).contains("unable to get local issuer certificate"), "{}", text(&out.stderr));
    server.join().unwrap();

    // A certificate for another host.
    let (port, server) = serve(certs.scenario("wrong-host").unwrap(), 1, "200 OK");
    let out = run(&["--ca", &ca, &format!("https://localhost:{port}/index.html?q=1")]).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Unacceptable certificate from localhost: hostname mismatch"), "{stderr}");
    server.join().unwrap();

    // A non-2xx status: the body is still copied, the exit code says it failed.
    let (port, server) = serve(&certs.server, 1, "404 Not Found");
    let out = run(&["--ca", &ca, &format!("https://localhost:{port}/index.html?q=1")]).unwrap();
    assert_eq!((out.status.code(), text(&out.stdout).as_str()), (Some(1), BODY));
    assert!(text(&out.stderr).contains("404 Not Found"), "{}", text(&out.stderr));
    server.join().unwrap();
}

#[test]
fn bad_arguments_get_the_usage() {
    for args in [&["--verify", "sometimes"][..], &["--ca"], &["--bogus"], &["http://localhost/"]] {
        let Some(out) = run(args) else { return };
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty());
        assert!(!text(&out.stderr).is_empty(), "{args:?}");
    }
}
