//! Proxies: HTTP forwarding, CONNECT tunnels (through the connector seam netssl uses),
//! SOCKS5, proxy authentication, against test proxies and nginx on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::{http_proxy, read_request, socks5_proxy};
use md5::{Digest, Md5};
use rpoco_net::proto::{RequestLimits, parse_request_head};
use rpoco_net::{
    Connector, Detail, ErrorKind, HTTP_1_1, HttpClientSession, HttpMessage, HttpRequest, HttpResponse,
    ProxyAuth, ProxyConfig, StreamSocket, Transport,
};

fn fetch(session: &mut HttpClientSession, path: &str) -> rpoco_net::Result<(HttpResponse, Vec<u8>)> {
    let mut req = HttpRequest::new("GET", path, HTTP_1_1);
    session.send_request(&mut req)?;
    let mut res = HttpResponse::default();
    let mut body = Vec::new();
    session.receive_response(&mut res)?.read_to_end(&mut body)?;
    Ok((res, body))
}

/// A connector that says it is secure (so sessions tunnel through HTTP proxies) but wraps
/// nothing: the seam netssl's TLS connector uses, without TLS.
#[derive(Debug)]
struct TunnelingConnector;

impl Connector for TunnelingConnector {
    fn is_secure(&self) -> bool {
        true
    }
    fn wrap(
        &self,
        socket: StreamSocket,
        _host: &str,
        _t: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        Ok(Box::new(socket))
    }
}

#[test]
fn forward_proxy_gets_absolute_uris_and_credentials_only_when_configured() {
    let Some(nginx) = common::nginx() else { return };
    let (proxy_port, log) = http_proxy(None);
    let mut s =
        HttpClientSession::with_proxy("127.0.0.1", nginx.port, ProxyConfig::new("127.0.0.1", proxy_port));
    let (res, body) = fetch(&mut s, "/index.html").unwrap();
    assert_eq!((res.status().code(), body.len()), (200, 30));
    let seen = log.lock().unwrap().requests[0].clone();
    assert_eq!(seen.uri(), format!("http://127.0.0.1:{}/index.html", nginx.port));
    assert!(!seen.has("Proxy-Authorization"), "no credentials, no header (POCO sends Basic Og==)");

    let (proxy_port, log) = http_proxy(Some("dXNlcjpwYXNz"));
    let config = ProxyConfig::new("127.0.0.1", proxy_port).with_credentials("user", "pass");
    let mut s = HttpClientSession::with_proxy("127.0.0.1", nginx.port, config);
    assert_eq!(fetch(&mut s, "/index.html").unwrap().0.status().code(), 200);
    assert_eq!(log.lock().unwrap().requests[0].get("Proxy-Authorization"), Some("Basic dXNlcjpwYXNz"));

    let config = ProxyConfig::new("127.0.0.1", proxy_port).with_credentials("user", "wrong");
    let mut s = HttpClientSession::with_proxy("127.0.0.1", nginx.port, config);
    assert_eq!(fetch(&mut s, "/index.html").unwrap().0.status().code(), 407);

    // Non-proxy hosts go direct.
    let mut config = ProxyConfig::new("127.0.0.1", 9);
    config.non_proxy_hosts = r"127\.0\.0\.1".into();
    let mut s = HttpClientSession::with_proxy("127.0.0.1", nginx.port, config);
    assert_eq!(fetch(&mut s, "/index.html").unwrap().0.status().code(), 200);
}

#[test]
fn connect_tunnel_through_the_connector_seam() {
    let Some(nginx) = common::nginx() else { return };
    let (proxy_port, log) = http_proxy(Some("dXNlcjpwYXNz"));
    let mut s = HttpClientSession::with_connector("127.0.0.1", nginx.port, Arc::new(TunnelingConnector));
    s.set_proxy_config(ProxyConfig::new("127.0.0.1", proxy_port).with_credentials("user", "pass")).unwrap();
    s.set_keep_alive(true);
    for _ in 0..3 {
        let (res, body) = fetch(&mut s, "/index.html").unwrap();
        assert_eq!((res.status().code(), body.len()), (200, 30));
    }
    let requests = log.lock().unwrap().requests.clone();
    assert_eq!(requests.len(), 1, "one tunnel, kept alive");
    let connect = &requests[0];
    let authority = format!("127.0.0.1:{}", nginx.port);
    assert_eq!(
        (connect.method(), connect.uri(), connect.host()),
        ("CONNECT", authority.as_str(), Some(authority.as_str()))
    );
    assert_eq!(connect.get("Proxy-Authorization"), Some("Basic dXNlcjpwYXNz"));

    // A proxy that cannot reach the target.
    let closed = common::free_port();
    let mut s = HttpClientSession::with_connector("127.0.0.1", closed, Arc::new(TunnelingConnector));
    s.set_proxy_config(ProxyConfig::new("127.0.0.1", proxy_port).with_credentials("user", "pass")).unwrap();
    let e = fetch(&mut s, "/").unwrap_err();
    assert!(
        matches!(e.detail(), Detail::ProxyReply { status: Some(502), .. }) && e.kind() == ErrorKind::Http,
        "{e}"
    );
}

#[test]
fn connect_tunnel_answers_a_digest_challenge() {
    let Some(nginx) = common::nginx() else { return };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_port = listener.local_addr().unwrap().port();
    let target = nginx.port;
    let proxy = std::thread::spawn(move || {
        // First CONNECT: challenge and close. Second: check the answer, then tunnel.
        let (mut c, _) = listener.accept().unwrap();
        read_request(&mut c);
        c.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Digest realm=\"px\", nonce=\"n0nce\", qop=\"auth\"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").unwrap();
        drop(c);
        let (mut c, _) = listener.accept().unwrap();
        let raw = read_request(&mut c);
        let (req, _) = parse_request_head(&raw, &RequestLimits::default()).unwrap().unwrap();
        let auth = req.get("Proxy-Authorization").unwrap().to_owned();
        let field = |name: &str| {
            let start = auth.find(&format!("{name}=")).unwrap() + name.len() + 1;
            auth[start..].split(',').next().unwrap().trim_matches('"').to_owned()
        };
        let hex =
            |s: String| Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
        let ha1 = hex("user:px:secret".into());
        let ha2 = hex(format!("CONNECT:127.0.0.1:{target}"));
        let expected = hex(format!("{ha1}:n0nce:{}:{}:auth:{ha2}", field("nc"), field("cnonce")));
        assert_eq!(field("response"), expected, "{auth}");
        c.write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        common::pipe(c, TcpStream::connect(("127.0.0.1", target)).unwrap());
    });
    let mut config = ProxyConfig::new("127.0.0.1", proxy_port).with_credentials("user", "secret");
    config.auth = ProxyAuth::Digest;
    let mut s = HttpClientSession::with_connector("127.0.0.1", target, Arc::new(TunnelingConnector));
    s.set_proxy_config(config).unwrap();
    assert_eq!(fetch(&mut s, "/index.html").unwrap().0.status().code(), 200);
    drop(s);
    proxy.join().unwrap();
}

#[test]
fn socks5_with_and_without_authentication() {
    let Some(nginx) = common::nginx() else { return };
    let open = socks5_proxy(false);
    let mut s =
        HttpClientSession::with_proxy("127.0.0.1", nginx.port, ProxyConfig::socks5("127.0.0.1", open));
    assert_eq!(fetch(&mut s, "/index.html").unwrap().1.len(), 30);
    // A host name is resolved by the proxy.
    let mut s =
        HttpClientSession::with_proxy("localhost", nginx.port, ProxyConfig::socks5("127.0.0.1", open));
    assert_eq!(fetch(&mut s, "/index.html").unwrap().0.status().code(), 200);

    let guarded = socks5_proxy(true);
    let good = ProxyConfig::socks5("127.0.0.1", guarded).with_credentials("user", "pass");
    let mut s = HttpClientSession::with_proxy("127.0.0.1", nginx.port, good);
    assert_eq!(fetch(&mut s, "/index.html").unwrap().0.status().code(), 200);
    let bad = ProxyConfig::socks5("127.0.0.1", guarded).with_credentials("user", "nope");
    let mut s = HttpClientSession::with_proxy("127.0.0.1", nginx.port, bad);
    assert!(matches!(fetch(&mut s, "/").map_err(|e| e.kind()), Err(ErrorKind::NotAuthenticated)));
    let mut s =
        HttpClientSession::with_proxy("127.0.0.1", nginx.port, ProxyConfig::socks5("127.0.0.1", guarded));
    assert!(matches!(fetch(&mut s, "/").map_err(|e| e.kind()), Err(ErrorKind::NotAuthenticated)));
}

#[test]
fn forward_proxy_digest_challenge_is_answered_on_the_next_request() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let (port, h) = common::raw_server(2, move |i, mut c| {
        let raw = read_request(&mut c);
        seen2.lock().unwrap().push(String::from_utf8(raw).unwrap());
        let reply: &[u8] = if i == 0 {
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Digest realm=\"px\", nonce=\"abc\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n"
        } else {
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        };
        c.write_all(reply).unwrap();
    });
    let mut config = ProxyConfig::new("127.0.0.1", port).with_credentials("user", "secret");
    config.auth = ProxyAuth::Digest;
    let mut s = HttpClientSession::with_proxy("example.test", 80, config);
    assert_eq!(fetch(&mut s, "/a").unwrap().0.status().code(), 407);
    assert_eq!(fetch(&mut s, "/a").unwrap().1, b"ok");
    h.join().unwrap();
    let seen = seen.lock().unwrap();
    assert!(!seen[0].contains("Proxy-Authorization"), "{}", seen[0]);
    assert!(seen[1].starts_with("GET http://example.test/a HTTP/1.1\r\n"), "{}", seen[1]);
    // Digest parameters may come in any order (RFC 7616 §3.4); each must be there.
    let auth = seen[1]
        .lines()
        .find_map(|l| l.strip_prefix("Proxy-Authorization: Digest "))
        .unwrap_or_else(|| panic!("no Digest Proxy-Authorization in {}", seen[1]));
    for param in
        ["username=\"user\"", "realm=\"px\"", "nonce=\"abc\"", "uri=\"http://example.test/a\"", "qop=auth"]
    {
        assert!(auth.split(", ").any(|p| p == param), "{param} missing from {auth}");
    }
}
