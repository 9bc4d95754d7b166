//! The takeover after `101 Switching Protocols` over TLS: rpoco-net's `HttpServer` on our
//! `SecureServerSocket`, a TLS client on 127.0.0.1 switching to a toy echo protocol; the
//! handler gets the TLS transport itself, and records decrypted behind the request with it.

mod common;

use std::io::{Read, Write};

use common::*;
use rpoco_net::{HttpMessage, HttpStatus, handler_fn};
use rpoco_netssl::{SecureStreamSocket, VerificationMode};

#[test]
fn a_tls_connection_is_handed_over_after_101() {
    let server = start_https_server(
        server_context(&certs().server, VerificationMode::None),
        TIMEOUT,
        1,
        handler_fn(|request, response| {
            response.set_status(HttpStatus::SWITCHING_PROTOCOLS);
            response.set("Upgrade", "echo");
            response.set("Connection", "Upgrade");
            response.send()?;
            let mut connection = request.detach_socket()?;
            assert!(connection.transport.is_secure());
            let any: &dyn std::any::Any = connection.transport.as_ref();
            assert!(any.downcast_ref::<SecureStreamSocket>().is_some(), "the TLS transport itself");
            let mut buf = [0u8; 256];
            while let Ok(n @ 1..) = connection.read(&mut buf) {
                connection.write_all(&buf[..n])?;
            }
            Ok(())
        }),
    );
    let addr = format!("127.0.0.1:{}", server.port()).parse().unwrap();
    let mut tls = connect(&client_context(VerificationMode::Strict), "localhost", addr).unwrap();
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly ")
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 512];
    let head_end = loop {
        if let Some(p) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = tls.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the 101: {:?}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_string();
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    let mut echoed = seen[head_end..].to_vec();
    while echoed.len() < 6 {
        let n = tls.read(&mut buf).unwrap();
        assert!(n > 0);
        echoed.extend_from_slice(&buf[..n]);
    }
    assert_eq!(echoed, b"early ");
    tls.write_all(b"over tls").unwrap();
    let mut got = [0u8; 8];
    tls.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"over tls");
    server.stop_all(true);
}
