//! What a proxy says when it will not (or cannot) tunnel: a malformed reply and a SOCKS5
//! refusal each surface as their own kind, with the proxy's words in the details. The
//! proxies are raw-bytes peers on 127.0.0.1 that send exactly the reply under test.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rpoco_net::{
    Connector, Detail, ErrorKind, HTTP_1_1, HttpClientSession, HttpRequest, ProxyConfig, StreamSocket,
    Transport,
};

/// Says it is secure, so the session tunnels through an HTTP proxy with `CONNECT` (the
/// seam netssl's TLS step uses), and wraps nothing.
#[derive(Debug)]
struct Tunneling;

impl Connector for Tunneling {
    fn is_secure(&self) -> bool {
        true
    }
    fn wrap(
        &self,
        socket: StreamSocket,
        _: &str,
        _: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        Ok(Box::new(socket))
    }
}

/// A one-connection peer: reads `expect` bytes (or up to the end of an HTTP head when
/// `expect` is 0) after each of `replies` but the first, then sends the reply.
fn peer(script: Vec<(usize, Vec<u8>)>) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        for (expect, reply) in script {
            if expect == 0 {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
                    head.push(byte[0]);
                }
            } else {
                let mut buf = vec![0u8; expect];
                s.read_exact(&mut buf).unwrap();
            }
            s.write_all(&reply).unwrap();
        }
        // Hold the connection until the client gives up on it.
        let mut rest = [0u8; 64];
        let _ = s.read(&mut rest);
    });
    (port, handle)
}

fn get(session: &mut HttpClientSession) -> rpoco_net::Error {
    session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1)).map(drop).unwrap_err()
}

#[test]
fn an_http_proxy_answering_connect_with_junk_is_a_malformed_proxy_reply() {
    let (port, proxy) = peer(vec![(0, b"SSH-2.0-OpenSSH_9.2\r\n\r\n".to_vec())]);
    let mut session = HttpClientSession::with_connector("origin.example", 443, Arc::new(Tunneling));
    session.set_proxy_config(ProxyConfig::new("127.0.0.1", port)).unwrap();
    let e = get(&mut session);
    assert_eq!(e.kind(), ErrorKind::ProxyProtocol, "{e:?}");
    assert!(
        matches!(e.detail(), Detail::Peer(words) if words.starts_with("SSH-2.0-OpenSSH_9.2")),
        "the proxy's words: {e:?}"
    );
    assert_eq!(e.poco_class(), "ProtocolException");
    assert_eq!(e.source_as::<rpoco_net::Error>().map(rpoco_net::Error::kind), Some(ErrorKind::Message));
    drop(session);
    proxy.join().unwrap();
}

#[test]
fn a_socks5_refusal_is_its_own_kind_with_the_reply_code_and_its_meaning() {
    // Greeting: version 5, method "no authentication"; then the CONNECT reply: code 2,
    // "connection not allowed by ruleset", with an IPv4 bound address.
    let connect_len = 3 + 1 + 1 + "origin.example".len() + 2;
    let (port, proxy) = peer(vec![(3, vec![5, 0]), (connect_len, vec![5, 2, 0, 1, 0, 0, 0, 0, 0, 0])]);
    let mut session =
        HttpClientSession::with_proxy("origin.example", 80, ProxyConfig::socks5("127.0.0.1", port));
    let e = get(&mut session);
    assert_eq!(e.kind(), ErrorKind::ProxyRefused, "{e:?}");
    assert_eq!(
        e.detail(),
        &Detail::ProxyReply { status: Some(2), words: "connection not allowed by ruleset".into() }
    );
    assert_eq!(e.io_kind(), std::io::ErrorKind::ConnectionRefused);
    drop(session);
    proxy.join().unwrap();
}

#[test]
fn a_socks4_answer_to_a_socks5_greeting_is_a_malformed_proxy_reply() {
    // A SOCKS4 server answers with version byte 0 and status 0x5b ("request rejected").
    let (port, proxy) = peer(vec![(3, vec![0, 0x5b])]);
    let mut session =
        HttpClientSession::with_proxy("origin.example", 80, ProxyConfig::socks5("127.0.0.1", port));
    let e = get(&mut session);
    assert_eq!(e.kind(), ErrorKind::ProxyProtocol, "{e:?}");
    assert_eq!(e.detail(), &Detail::Peer("\\x00[".into()));
    drop(session);
    proxy.join().unwrap();
}

#[test]
fn an_http_proxy_refusing_connect_stays_an_http_error_with_its_status_and_reason() {
    let (port, proxy) = peer(vec![(
        0,
        b"HTTP/1.1 403 Tunnel Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    )]);
    let mut session = HttpClientSession::with_connector("origin.example", 443, Arc::new(Tunneling));
    session.set_proxy_config(ProxyConfig::new("127.0.0.1", port)).unwrap();
    let e = get(&mut session);
    assert_eq!(e.kind(), ErrorKind::Http, "{e:?}");
    assert_eq!(e.detail(), &Detail::ProxyReply { status: Some(403), words: "Tunnel Forbidden".into() });
    drop(session);
    proxy.join().unwrap();
}
