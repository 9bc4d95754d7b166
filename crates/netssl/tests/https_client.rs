//! HttpsClientSession and HttpsStreamFactory over real TLS on 127.0.0.1, against the HTTPS
//! test server in `common` (our SecureServerSocket under a small HTTP/1.1 responder).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use rpoco_net::{
    HTTP_1_1, HttpMessage, HttpRequest, HttpResponse, HttpStreamFactory, ProxyConfig, UriStreamOpener,
};
use rpoco_netssl::ClientSession;
use rpoco_netssl::{
    CertificateCheck, Context, Error, ErrorKind, HttpsClientSession, HttpsStreamFactory, Protocols,
    SecureStreamSocket, Usage, VerificationMode,
};

/// A body long enough to span several TLS records.
fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn server(respond: impl Fn(&HttpRequest) -> Reply + Send + Sync + 'static) -> HttpsServer {
    let ctx = server_context(&certs().server, VerificationMode::None);
    ctx.enable_session_cache(true);
    HttpsServer::start(ctx, respond)
}

fn get(session: &mut HttpsClientSession, method: &str, path: &str) -> Result<(HttpResponse, Vec<u8>), Error> {
    let mut request = HttpRequest::new(method, path, HTTP_1_1);
    request.set("User-Agent", "rpoco test");
    session.send_request(&mut request)?;
    let mut response = HttpResponse::default();
    let mut body = Vec::new();
    session.receive_response(&mut response)?.read_to_end(&mut body)?;
    Ok((response, body))
}

fn by_path(request: &HttpRequest) -> Reply {
    match request.uri() {
        "/chunked" => Reply::Chunked(payload(100_000), 7_000),
        "/until-close" => Reply::UntilClose(payload(50_000)),
        "/big" => Reply::Ok(payload(1 << 20)),
        "/redirect" => Reply::Status(302, vec!["Location: /index.html"], Vec::new()),
        "/missing" => Reply::Status(404, vec![], b"not here".to_vec()),
        _ => Reply::Ok(b"hello over https\n".to_vec()),
    }
}

#[test]
fn get_verifies_the_server_and_reads_every_framing() {
    let server = server(by_path);
    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Relaxed));
    assert!(session.secure());
    assert!(matches!(session.server_certificate(), Err(e) if e.kind() == ErrorKind::Ssl));
    let (response, body) = get(&mut session, "GET", "/index.html").unwrap();
    assert_eq!((response.status().code(), body.as_slice()), (200, &b"hello over https\n"[..]));
    let certificate = session.server_certificate().unwrap();
    assert_eq!(certificate.common_name(), "localhost");
    assert_eq!(certificate.der(), cert(&certs().server).der());
    assert!(session.protocol_version().is_some() && session.cipher_suite().is_some());
    assert_eq!(get(&mut session, "GET", "/chunked").unwrap().1, payload(100_000));
    assert_eq!(get(&mut session, "GET", "/until-close").unwrap().1, payload(50_000));
    assert_eq!(get(&mut session, "GET", "/big").unwrap().1, payload(1 << 20));
    let (response, body) = get(&mut session, "HEAD", "/big").unwrap();
    assert_eq!((response.content_length(), body.len()), (Some(1 << 20), 0));
    let served = server.served();
    assert!(served.iter().all(|s| s.sni.as_deref() == Some("localhost")), "{served:?}");
    // POCO's default: keep-alive off, so every request had its own connection.
    assert!(served.iter().all(|s| s.headers.iter().any(|(n, v)| n == "Connection" && v == "Close")));
    assert_eq!(served.iter().map(|s| s.connection).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
}

#[test]
fn keep_alive_reuses_one_tls_connection() {
    let server = server(by_path);
    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Strict));
    session.set_keep_alive(true);
    let paths = ["/index.html", "/chunked", "/big", "/missing", "/index.html"];
    for round in 0..4 {
        for path in paths {
            let method = if round == 2 { "HEAD" } else { "GET" };
            let (response, body) = get(&mut session, method, path).unwrap();
            let expected = if path == "/missing" { 404 } else { 200 };
            assert_eq!(response.status().code(), expected, "{method} {path}");
            if method == "GET" && path == "/chunked" {
                assert!(response.chunked_transfer_encoding());
                assert_eq!(body, payload(100_000));
            }
        }
        assert!(session.connected());
    }
    let served = server.served();
    assert_eq!(served.len(), 20);
    assert!(served.iter().all(|s| s.connection == 0), "one connection for all: {served:?}");
}

#[test]
fn sessions_resume_across_reconnects_when_the_cache_is_on() {
    for version in [Protocols::TLSV1_2, Protocols::TLSV1_3] {
        let server = server(by_path);
        let ctx = client_context(VerificationMode::Relaxed);
        ctx.require_minimum_protocol(version).unwrap();
        if version == Protocols::TLSV1_2 {
            ctx.disable_protocols(Protocols::TLSV1_3).unwrap();
        }
        ctx.enable_session_cache(true);
        // Keep-alive off: a new connection (and handshake) per request.
        let mut session = HttpsClientSession::new("localhost", server.port, ctx.clone());
        let mut reused = Vec::new();
        for _ in 0..3 {
            get(&mut session, "GET", "/index.html").unwrap();
            reused.push(session.session_was_reused());
            // The certificate is still known on a resumed connection.
            assert_eq!(session.server_certificate().unwrap().common_name(), "localhost");
        }
        assert_eq!(reused, [false, true, true], "{version:?}");
        let served = server.served();
        assert_eq!(served.iter().map(|s| s.resumed).collect::<Vec<_>>(), [false, true, true]);
        let expected = if version == Protocols::TLSV1_2 { "TLSv1.2" } else { "TLSv1.3" };
        assert!(served.iter().all(|s| s.protocol == expected), "{served:?}");

        // Another session with the same context resumes too: the cache is the context's.
        let mut other = HttpsClientSession::new("localhost", server.port, ctx);
        get(&mut other, "GET", "/index.html").unwrap();
        assert!(other.session_was_reused());
    }
    // With the cache off (POCO's default), nothing is resumed.
    let server = server(by_path);
    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Relaxed));
    for _ in 0..2 {
        get(&mut session, "GET", "/index.html").unwrap();
        assert!(!session.session_was_reused());
    }
}

#[test]
fn verification_failures_name_the_check() {
    let wrong = HttpsServer::start(
        server_context(certs().scenario("wrong-host").unwrap(), VerificationMode::None),
        by_path,
    );
    let mut session =
        HttpsClientSession::new("localhost", wrong.port, client_context(VerificationMode::Relaxed));
    let err = get(&mut session, "GET", "/").unwrap_err();
    assert_eq!(err.verification_failure().map(|f| f.check), Some(CertificateCheck::Hostname), "{err}");
    assert_eq!(err.verification_failure().and_then(|f| f.host.as_deref()), Some("localhost"), "{err:?}");
    assert!(!session.connected());

    // A context without the dev CA: unknown issuer. With VerificationMode::None: accepted.
    let good = server(by_path);
    let bare = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "").unwrap();
    let err = get(&mut HttpsClientSession::new("localhost", good.port, bare), "GET", "/").unwrap_err();
    assert_eq!(err.verification_failure().map(|f| f.check), Some(CertificateCheck::UnknownIssuer), "{err}");
    let none = Context::new(Usage::Client, "", "", "", VerificationMode::None, 9, false, "").unwrap();
    let (response, _) = get(&mut HttpsClientSession::new("localhost", good.port, none), "GET", "/").unwrap();
    assert_eq!(response.status().code(), 200);

    // A server context cannot make client connections.
    let server_ctx = server_context(&certs().server, VerificationMode::None);
    let err = get(&mut HttpsClientSession::new("localhost", good.port, server_ctx), "GET", "/").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err:?}");
}

#[test]
fn a_silent_server_times_out_the_handshake() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut session = HttpsClientSession::new("localhost", port, client_context(VerificationMode::Relaxed));
    session.set_timeout(Some(Duration::from_millis(300)));
    let started = Instant::now();
    let err = get(&mut session, "GET", "/").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Timeout), "{err}");
    assert!(started.elapsed() < TIMEOUT, "{:?}", started.elapsed());
    drop(listener);
}

#[test]
fn connect_tunnels_through_an_http_proxy_with_credentials() {
    let server = server(by_path);
    let (proxy_port, log) = http_proxy(Some("dXNlcjpwYXNz")); // user:pass
    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Strict));
    session.set_proxy_config(ProxyConfig::new("127.0.0.1", proxy_port)).unwrap();
    session.set_proxy_credentials("user", "pass");
    session.set_keep_alive(true);
    for _ in 0..3 {
        let (response, body) = get(&mut session, "GET", "/chunked").unwrap();
        assert_eq!((response.status().code(), body), (200, payload(100_000)));
    }
    let requests = log.lock().unwrap().requests.clone();
    assert_eq!(requests.len(), 1, "one tunnel, kept alive: {requests:?}");
    let authority = format!("localhost:{}", server.port);
    assert_eq!((requests[0].method(), requests[0].uri()), ("CONNECT", authority.as_str()));
    assert_eq!(requests[0].get("Proxy-Authorization"), Some("Basic dXNlcjpwYXNz"));
    // TLS ran end to end: the server saw our SNI and plain HTTP requests.
    let served = server.served();
    assert!(served.iter().all(|s| s.sni.as_deref() == Some("localhost") && s.path == "/chunked"));
    // The request line is origin-form: nothing TLS-bound is sent to the proxy in clear.
    assert!(served.iter().all(|s| !s.path.starts_with("https://")));

    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Strict));
    session
        .set_proxy_config(ProxyConfig::new("127.0.0.1", proxy_port).with_credentials("user", "wrong"))
        .unwrap();
    let err = get(&mut session, "GET", "/").unwrap_err();
    let proxy_reply = err.net_error().map(|e| e.detail().clone());
    assert!(matches!(proxy_reply, Some(rpoco_net::Detail::ProxyReply { status: Some(407), .. })), "{err:?}");
}

#[test]
fn from_secure_socket_serves_the_first_request_on_that_socket() {
    let server = server(by_path);
    let ctx = client_context(VerificationMode::Relaxed);
    let socket = SecureStreamSocket::connect_host("localhost", server.port, &ctx, Some(TIMEOUT)).unwrap();
    let mut session = HttpsClientSession::from_secure_socket(socket, "localhost", server.port);
    assert_eq!(session.server_certificate().unwrap().common_name(), "localhost");
    session.set_keep_alive(true);
    get(&mut session, "GET", "/index.html").unwrap();
    get(&mut session, "GET", "/index.html").unwrap();
    // After a reset the session connects by itself, with the socket's context.
    session.reset();
    get(&mut session, "GET", "/index.html").unwrap();
    let connections: Vec<usize> = server.served().iter().map(|s| s.connection).collect();
    assert_eq!(connections, [0, 0, 1]);
    assert!(Arc::ptr_eq(session.context(), &ctx));
}

#[test]
fn the_default_context_trusts_the_mozilla_roots_only() {
    // SslManager is untouched in this test binary: its default client context is POCO's.
    let server = server(by_path);
    let mut session = HttpsClientSession::with_default_context("localhost").unwrap();
    assert_eq!(session.port(), 443);
    session.set_port(server.port).unwrap();
    let err = get(&mut session, "GET", "/").unwrap_err();
    assert_eq!(err.verification_failure().map(|f| f.check), Some(CertificateCheck::UnknownIssuer), "{err}");
}

#[test]
fn the_stream_factory_opens_https_uris() {
    let server = server(by_path);
    let opener = UriStreamOpener::new();
    HttpsStreamFactory::with_context(client_context(VerificationMode::Relaxed)).register_with(&opener);
    opener.register_stream_factory("http", Arc::new(HttpStreamFactory::new()));
    let url = |path: &str| format!("https://localhost:{}{path}", server.port);
    let mut body = Vec::new();
    opener.open(&url("/chunked")).unwrap().read_to_end(&mut body).unwrap();
    assert_eq!(body, payload(100_000));
    let mut body = String::new();
    opener.open(&url("/redirect")).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "hello over https\n");
    let err = opener.open(&url("/missing")).err().expect("404 is an error");
    assert_eq!(err.kind(), rpoco_net::ErrorKind::Http, "{err}");
    assert!(matches!(err.detail(), rpoco_net::Detail::Peer(words) if words.starts_with("404")), "{err:?}");
    // Verification applies: the default context does not trust the dev CA.
    let strict = UriStreamOpener::new();
    HttpsStreamFactory::new().register_with(&strict);
    let err = Error::from(strict.open(&url("/")).err().expect("unknown issuer"));
    assert_eq!(err.verification_failure().map(|f| f.check), Some(CertificateCheck::UnknownIssuer), "{err}");

    HttpsStreamFactory::register();
    assert!(UriStreamOpener::default_opener().supports_scheme("https"));
    HttpsStreamFactory::unregister();
    assert!(!UriStreamOpener::default_opener().supports_scheme("https"));
}

#[test]
fn a_request_body_goes_through() {
    let server = server(|request| Reply::Ok(request.uri().as_bytes().to_vec()));
    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Relaxed));
    session.set_keep_alive(true);
    let data = payload(300_000);
    let mut request = HttpRequest::new("POST", "/upload", HTTP_1_1);
    request.set_content_length(Some(data.len() as u64));
    let mut body = session.send_request(&mut request).unwrap();
    body.write_all(&data).unwrap();
    body.finish().unwrap();
    let mut response = HttpResponse::default();
    let mut echoed = String::new();
    session.receive_response(&mut response).unwrap().read_to_string(&mut echoed).unwrap();
    assert_eq!(echoed, "/upload");
    assert_eq!(get(&mut session, "GET", "/next").unwrap().1, b"/next");
    assert_eq!(server.served().iter().map(|s| s.connection).collect::<Vec<_>>(), [0, 0]);
}

#[test]
fn a_missing_close_notify_only_matters_where_it_could_hide_truncation() {
    let server = server(|request| match request.uri() {
        "/close-delimited" => Reply::Abrupt("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", payload(10_000)),
        "/framed" => Reply::Abrupt("HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n", payload(10_000)),
        _ => Reply::Abrupt("HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n", payload(10_000)),
    });
    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Relaxed));
    // Framed by Content-Length: the body ends by its length; the abrupt close comes after.
    assert_eq!(get(&mut session, "GET", "/framed").unwrap().1, payload(10_000));
    // Delimited by the close: without close_notify it may have been cut short.
    let mut request = HttpRequest::new("GET", "/close-delimited", HTTP_1_1);
    session.send_request(&mut request).unwrap();
    let mut response = HttpResponse::default();
    let mut body = Vec::new();
    let err = session.receive_response(&mut response).unwrap().read_to_end(&mut body).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    assert_eq!(Error::from(err).kind(), ErrorKind::SslConnectionUnexpectedlyClosed);
    assert_eq!(body, payload(10_000), "what arrived was delivered before the error");
    // Framed, and cut short: an error too (the TLS layer notices first).
    let err = get(&mut session, "GET", "/short").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslConnectionUnexpectedlyClosed, "{err:?}");
}

#[test]
fn a_kept_alive_connection_closed_without_close_notify_is_replaced() {
    let server = server(|_| Reply::Abrupt("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", b"hello".to_vec()));
    let mut session =
        HttpsClientSession::new("localhost", server.port, client_context(VerificationMode::Relaxed));
    session.set_keep_alive(true);
    for _ in 0..3 {
        assert_eq!(get(&mut session, "GET", "/").unwrap().1, b"hello");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.served().iter().map(|s| s.connection).collect::<Vec<_>>(), [0, 1, 2]);
}
