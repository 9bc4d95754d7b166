//! HttpsClientSession against a private nginx with TLS on 127.0.0.1 (dev certificates from
//! rpoco-testcerts), with curl as the reference client: GET, keep-alive reuse, chunked and
//! large bodies, TLS 1.2 and 1.3, session resumption, and a CONNECT proxy tunnel. Without
//! nginx or curl these tests print a skip reason, and fail when `CI` is set.

mod common;

use std::io::Read;
use std::process::Command;

use common::*;
use rpoco_net::{HTTP_1_1, HttpMessage, HttpRequest, HttpResponse, ProxyConfig};
use rpoco_netssl::ClientSession;
use rpoco_netssl::{Error, HttpsClientSession, Protocols, VerificationMode};

const TEXT: &str = "abcdefghij";

fn big() -> Vec<u8> {
    (0..1_500_000u32).map(|i| (i % 251) as u8).collect()
}

/// nginx over TLS with the dev server certificate; `/chunked/` answers chunked (sub_filter).
fn nginx(files: &Files) -> Option<Nginx> {
    require("nginx")?;
    let config = NginxConfig::new()
        .tls(files.get("server.pem"), files.get("server.key"))
        .file("index.html", b"<html>hello from nginx over TLS</html>\n".to_vec())
        .file("big.bin", big())
        .file("text.txt", TEXT.repeat(5000))
        .server(
            "location /chunked/ { alias {root}/; sub_filter 'abc' 'ABC'; sub_filter_once off; \
             sub_filter_types *; }\nlocation = /redirect { return 302 /index.html; }",
        );
    Some(Nginx::start(&config).expect("start nginx with TLS"))
}

/// The body curl gets for `path`, verifying with the dev CA.
fn curl(files: &Files, nginx: &Nginx, path: &str) -> Option<Vec<u8>> {
    let program = require("curl")?;
    let url = format!("https://localhost:{}{path}", nginx.port);
    let out = Command::new(program)
        .args(["-s", "--fail", "--cacert", &files.get("ca.pem"), &url])
        .output()
        .expect("run curl");
    assert!(out.status.success(), "curl {url}: {}", String::from_utf8_lossy(&out.stderr));
    Some(out.stdout)
}

fn get(session: &mut HttpsClientSession, path: &str) -> Result<(HttpResponse, Vec<u8>), Error> {
    let mut request = HttpRequest::new(HttpRequest::HTTP_GET, path, HTTP_1_1);
    request.set("User-Agent", "POCO HTTPSClientSession");
    session.send_request(&mut request)?;
    let mut response = HttpResponse::default();
    let mut body = Vec::new();
    session.receive_response(&mut response)?.read_to_end(&mut body)?;
    Ok((response, body))
}

#[test]
fn same_bytes_as_curl_over_one_kept_alive_connection() {
    let files = Files::new();
    let Some(nginx) = nginx(&files) else { return };
    let mut session =
        HttpsClientSession::new("localhost", nginx.port, client_context(VerificationMode::Strict));
    session.set_keep_alive(true);
    get(&mut session, "/index.html").unwrap();
    let local = session.as_ref().transport().unwrap().address().unwrap();
    for path in ["/index.html", "/big.bin", "/chunked/text.txt", "/redirect"] {
        let (response, body) = get(&mut session, path).unwrap();
        let Some(reference) = curl(&files, &nginx, path).or_else(|| (path == "/redirect").then(Vec::new))
        else {
            return;
        };
        match path {
            "/chunked/text.txt" => {
                assert!(response.chunked_transfer_encoding(), "nginx's sub_filter answers chunked");
                assert_eq!(body, "ABCdefghij".repeat(5000).as_bytes());
                assert_eq!(body, reference);
            }
            "/redirect" => assert_eq!(response.status().code(), 302),
            "/big.bin" => {
                assert_eq!(body, big());
                assert_eq!(body, reference);
            }
            _ => {
                assert_eq!(response.content_length(), Some(body.len() as u64));
                assert_eq!(body, reference);
            }
        }
        let now = session.as_ref().transport().unwrap().address().unwrap();
        assert_eq!(now, local, "{path} reused the connection");
    }
    assert_eq!(session.server_certificate().unwrap().common_name(), "localhost");
}

#[test]
fn tls12_and_tls13_with_session_resumption() {
    let files = Files::new();
    let Some(nginx) = nginx(&files) else { return };
    for (version, name) in [(Protocols::TLSV1_2, "TLSv1.2"), (Protocols::TLSV1_3, "TLSv1.3")] {
        let ctx = client_context(VerificationMode::Relaxed);
        ctx.require_minimum_protocol(version).unwrap();
        if version == Protocols::TLSV1_2 {
            ctx.disable_protocols(Protocols::TLSV1_3).unwrap();
        }
        ctx.enable_session_cache(true);
        let mut session = HttpsClientSession::new("localhost", nginx.port, ctx);
        let mut reused = Vec::new();
        for _ in 0..3 {
            let (response, body) = get(&mut session, "/index.html").unwrap();
            assert_eq!((response.status().code(), body.len()), (200, 39));
            assert_eq!(session.protocol_version(), Some(name));
            reused.push(session.session_was_reused());
        }
        assert_eq!(reused, [false, true, true], "{name}: nginx resumes with its shared cache / tickets");
    }
}

#[test]
fn connect_tunnel_to_nginx_through_a_proxy() {
    let files = Files::new();
    let Some(nginx) = nginx(&files) else { return };
    let (proxy_port, log) = http_proxy(Some("dXNlcjpwYXNz"));
    let mut session =
        HttpsClientSession::new("localhost", nginx.port, client_context(VerificationMode::Strict));
    session
        .set_proxy_config(ProxyConfig::new("127.0.0.1", proxy_port).with_credentials("user", "pass"))
        .unwrap();
    session.set_keep_alive(true);
    assert_eq!(get(&mut session, "/big.bin").unwrap().1, big());
    assert_eq!(get(&mut session, "/chunked/text.txt").unwrap().1, "ABCdefghij".repeat(5000).as_bytes());
    let requests = log.lock().unwrap().requests.clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method(), "CONNECT");
    assert_eq!(requests[0].uri(), format!("localhost:{}", nginx.port));
    assert_eq!(requests[0].get("Proxy-Authorization"), Some("Basic dXNlcjpwYXNz"));
}

#[test]
fn nginx_with_a_certificate_for_another_host_is_rejected() {
    let files = Files::new();
    let Some(_) = require("nginx") else { return };
    let config = NginxConfig::new()
        .tls(files.get("wrong-host.pem"), files.get("wrong-host.key"))
        .file("index.html", "x");
    let nginx = Nginx::start(&config).unwrap();
    let mut session =
        HttpsClientSession::new("localhost", nginx.port, client_context(VerificationMode::Relaxed));
    let err = get(&mut session, "/index.html").unwrap_err();
    assert_eq!(err.kind(), rpoco_netssl::ErrorKind::CertificateValidation, "{err}");
    assert_eq!(
        err.verification_failure().map(|f| f.check),
        Some(rpoco_netssl::CertificateCheck::Hostname),
        "{err}"
    );
}
