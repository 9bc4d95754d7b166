//! Connection takeover over TLS: `HttpsClientSession::detach_socket` after a `101`, the
//! detached connection still encrypted and carrying the bytes already decrypted.

mod common;

use std::any::Any;
use std::io::{Read, Write};

use common::*;
use rpoco_net::{DetachedConnection, HTTP_1_1, HttpMessage, HttpRequest, HttpResponse};
use rpoco_netssl::ClientSession;
use rpoco_netssl::{HttpsClientSession, SecureStreamSocket, VerificationMode};

fn read_exact(conn: &mut DetachedConnection, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    conn.read_exact(&mut buf).unwrap();
    buf
}

#[test]
fn an_https_protocol_switch_hands_over_the_tls_connection() {
    let server_ctx = server_context(&certs().server, VerificationMode::None);
    let (addr, server) = serve_once(server_ctx, |tls| {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            tls.read_exact(&mut byte)?;
            head.push(byte[0]);
        }
        tls.write_all(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nREADY",
        )?;
        tls.flush()?;
        let mut ping = [0u8; 4];
        tls.read_exact(&mut ping)?;
        tls.write_all(&ping)?;
        tls.flush()?;
        Ok(String::from_utf8_lossy(&head).into_owned())
    });
    let mut session =
        HttpsClientSession::new("localhost", addr.port(), client_context(VerificationMode::Relaxed));
    session.set_timeout(Some(TIMEOUT));
    let mut request = HttpRequest::new("GET", "/echo", HTTP_1_1);
    request.set("Connection", "Upgrade");
    request.set("Upgrade", "echo");
    session.send_request(&mut request).unwrap();
    let mut response = HttpResponse::default();
    drop(session.receive_response(&mut response).unwrap());
    assert_eq!(response.status().code(), 101);

    let mut conn = session.detach_socket().unwrap();
    assert!(!session.connected());
    assert!(conn.transport.is_secure());
    let transport: &dyn Any = &*conn.transport;
    let secure = transport.downcast_ref::<SecureStreamSocket>().expect("the TLS socket itself");
    assert_eq!(secure.peer_certificate().unwrap().common_name(), "localhost");
    assert_eq!(read_exact(&mut conn, 5), b"READY");
    conn.write_all(b"ping").unwrap();
    assert_eq!(read_exact(&mut conn, 4), b"ping");
    assert!(server.join().unwrap().unwrap().starts_with("GET /echo HTTP/1.1\r\n"));
    assert_eq!(session.server_certificate().unwrap().common_name(), "localhost");
}

#[test]
fn plain_http_sent_to_a_tls_server_says_the_port_speaks_tls() {
    // A real rustls server behind a SecureServerSocket, reading what the client sends.
    let server_ctx = server_context(&certs().server, VerificationMode::None);
    let (addr, server) = serve_once(server_ctx, |tls| {
        let mut buf = [0u8; 64];
        Ok(tls.read(&mut buf).map(|_| ()).map_err(|e| e.to_string()))
    });
    let mut session = rpoco_net::HttpClientSession::new("127.0.0.1", addr.port());
    session.set_timeout(Some(TIMEOUT));
    let sent = session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1));
    let e = match sent {
        Ok(_) => session.receive_response(&mut HttpResponse::default()).map(drop).unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(e.kind(), rpoco_net::ErrorKind::Protocol, "{e:?}");
    assert!(matches!(e.detail(), rpoco_net::Detail::TlsRecord { content_type: 21 | 22, .. }), "{e:?}");
    assert!(server.join().unwrap().unwrap().is_err(), "the server saw no TLS");
}
