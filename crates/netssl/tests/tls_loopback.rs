//! Real TLS between our client and our server over TCP on 127.0.0.1.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use rpoco_netssl::{
    Context, Detail, Error, ErrorKind, Protocols, Timeout, TlsStream, Usage, VerificationMode,
};

fn pin_version(ctx: &Context, version: &str) {
    match version {
        "TLSv1.2" => ctx.disable_protocols(Protocols::TLSV1_3).unwrap(),
        _ => ctx.require_minimum_protocol(Protocols::TLSV1_3).unwrap(),
    }
}

#[test]
fn echo_over_tls12_and_tls13() {
    for version in ["TLSv1.2", "TLSv1.3"] {
        let (addr, server) = serve_once(server_context(&certs().server, VerificationMode::None), |tls| {
            let mut line = String::new();
            BufReader::new(&mut *tls).read_line(&mut line)?;
            tls.write_all(line.to_uppercase().as_bytes())?;
            tls.shutdown()?;
            Ok(line)
        });
        let ctx = client_context(VerificationMode::Relaxed);
        pin_version(&ctx, version);
        let mut tls = connect(&ctx, "localhost", addr).unwrap();
        assert_eq!(tls.protocol_version(), Some(version));
        assert_eq!(tls.peer_certificate().unwrap().common_name(), "localhost");
        assert!(!tls.session_was_reused());
        tls.write_all(b"hello tls\n").unwrap();
        let mut reply = String::new();
        tls.read_to_string(&mut reply).unwrap(); // ends cleanly at the server's close_notify
        assert_eq!(reply, "HELLO TLS\n");
        assert_eq!(server.join().unwrap().unwrap(), "hello tls\n");
    }
}

#[test]
fn a_missing_close_notify_is_an_error_for_clients_and_eof_for_servers() {
    let (addr, server) = serve_once(server_context(&certs().server, VerificationMode::None), |tls| {
        tls.write_all(b"partial")?;
        Ok(()) // dropped without close_notify
    });
    let mut tls = connect(&client_context(VerificationMode::Relaxed), "localhost", addr).unwrap();
    let mut data = Vec::new();
    let err = tls.read_to_end(&mut data).unwrap_err();
    assert_eq!(data, b"partial");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    let err = Error::from(err);
    assert!(matches!(err.kind(), ErrorKind::SslConnectionUnexpectedlyClosed), "{err}");
    server.join().unwrap().unwrap();

    let (addr, server) = serve_once(server_context(&certs().server, VerificationMode::None), |tls| {
        let mut data = Vec::new();
        tls.read_to_end(&mut data)?;
        Ok(data)
    });
    let mut tls = connect(&client_context(VerificationMode::Relaxed), "localhost", addr).unwrap();
    tls.write_all(b"bye").unwrap();
    drop(tls);
    assert_eq!(server.join().unwrap().unwrap(), b"bye");
}

#[test]
fn large_transfers_in_both_directions() {
    const SIZE: usize = 4 << 20;
    let (addr, server) = serve_once(server_context(&certs().server, VerificationMode::None), |tls| {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0;
        while total < SIZE {
            let n = tls.read(&mut buf)?;
            assert!(n > 0, "early EOF after {total}");
            tls.write_all(&buf[..n])?;
            total += n;
        }
        tls.close()?;
        Ok(total)
    });
    let mut tls = connect(&client_context(VerificationMode::Relaxed), "localhost", addr).unwrap();
    let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    // Write and read on one stream from one thread: interleave in chunks so neither side blocks.
    let mut echoed = Vec::with_capacity(SIZE);
    let mut buf = vec![0u8; 64 * 1024];
    for chunk in data.chunks(16 * 1024) {
        tls.write_all(chunk).unwrap();
        let want = echoed.len() + chunk.len();
        while echoed.len() < want {
            let n = tls.read(&mut buf).unwrap();
            echoed.extend_from_slice(&buf[..n]);
        }
    }
    tls.shutdown().unwrap();
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert!(echoed == data, "echoed bytes differ");
    assert_eq!(server.join().unwrap().unwrap(), SIZE);
}

#[test]
fn alpn_is_negotiated() {
    let server_ctx = server_context(&certs().server, VerificationMode::None);
    server_ctx.set_alpn_protocols(&["h2", "http/1.1"]).unwrap();
    let (addr, server) = serve_once(server_ctx, |tls| {
        tls.complete_handshake()?;
        Ok(tls.alpn_protocol())
    });
    let ctx = client_context(VerificationMode::Relaxed);
    ctx.set_alpn_protocols(&["http/1.1"]).unwrap();
    let tls = connect(&ctx, "localhost", addr).unwrap();
    assert_eq!(tls.alpn_protocol().as_deref(), Some("http/1.1"));
    assert_eq!(server.join().unwrap().unwrap().as_deref(), Some("http/1.1"));
}

#[test]
fn sni_selects_the_server_certificate_and_is_never_sent_for_ip_addresses() {
    let other = certs().issue("other", &["other.test"]).unwrap();
    let server_ctx = server_context(&certs().server, VerificationMode::None);
    server_ctx.add_certificate(&chain(&other), &key(&other)).unwrap();
    let client = client_context(VerificationMode::Strict);
    for (host, expect_sni, expect_cn) in [
        ("other.test", Some("other.test"), "other.test"),
        ("localhost", Some("localhost"), "localhost"),
        ("127.0.0.1", None, "localhost"),
        ("::1", None, "localhost"),
    ] {
        let listener_ctx = server_ctx.clone();
        let (addr, server) = serve_once(listener_ctx, |tls| {
            tls.complete_handshake()?;
            Ok(tls.sni_hostname().map(str::to_string))
        });
        let tls = connect(&client, host, addr).unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(tls.peer_certificate().unwrap().common_name(), expect_cn, "{host}");
        assert_eq!(server.join().unwrap().unwrap().as_deref(), expect_sni, "{host}");
    }
}

#[test]
fn sessions_resume_only_with_the_cache_on() {
    for version in ["TLSv1.2", "TLSv1.3"] {
        for cache in [false, true] {
            let server_ctx = server_context(&certs().server, VerificationMode::None);
            server_ctx.enable_session_cache(cache);
            let (addr, server) = serve_n(server_ctx, 2, |tls| {
                tls.write_all(b"hi")?;
                tls.shutdown()?;
                Ok(tls.session_was_reused())
            });
            let ctx = client_context(VerificationMode::Relaxed);
            pin_version(&ctx, version);
            ctx.enable_session_cache(cache);
            let mut reused = Vec::new();
            for _ in 0..2 {
                let mut tls = connect(&ctx, "localhost", addr).unwrap();
                let mut data = Vec::new();
                tls.read_to_end(&mut data).unwrap(); // also takes in TLS 1.3 session tickets
                reused.push(tls.session_was_reused());
            }
            assert_eq!(reused, [false, cache], "{version}, cache {cache}");
            assert_eq!(server.join().unwrap().unwrap(), cache, "{version}, cache {cache}");
        }
    }
}

#[test]
fn cipher_lists_restrict_what_is_negotiated() {
    let rsa_server = || server_context(&certs().server_rsa, VerificationMode::None);
    let (addr, server) = serve_once(rsa_server(), |tls| tls.complete_handshake());
    let ctx = Context::new(
        Usage::Client,
        "",
        "",
        "",
        VerificationMode::Relaxed,
        9,
        false,
        "ECDHE-RSA-AES128-GCM-SHA256",
    )
    .unwrap();
    ctx.add_certificate_authority(&cert(&certs().ca)).unwrap();
    ctx.disable_protocols(Protocols::TLSV1_3).unwrap();
    let tls = connect(&ctx, "localhost", addr).unwrap();
    assert_eq!(tls.cipher_suite(), Some("ECDHE-RSA-AES128-GCM-SHA256"));
    server.join().unwrap().unwrap();

    // Only ECDSA suites offered to an RSA-only server: no common suite.
    let (addr, server) = serve_once(rsa_server(), |tls| tls.complete_handshake());
    let ctx = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "aECDSA").unwrap();
    ctx.disable_protocols(Protocols::TLSV1_3).unwrap();
    let err = connect(&ctx, "localhost", addr).unwrap_err();
    // The server's words: a handshake_failure alert.
    assert_eq!(err.kind(), ErrorKind::TlsAlert, "{err:?}");
    assert_eq!(err.alert_description(), Some("HandshakeFailure"), "{err:?}");
    assert!(server.join().unwrap().is_err());
}

#[test]
fn handshake_timeouts_bound_silent_peers() {
    // A server that accepts and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let silent = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let _ = wait.recv_timeout(TIMEOUT);
        drop(socket);
    });
    let ctx = client_context(VerificationMode::Relaxed);
    let mut tls = TlsStream::client(&ctx, "localhost", TcpStream::connect(addr).unwrap()).unwrap();
    tls.set_handshake_timeout(Some(Duration::from_millis(300)));
    let started = Instant::now();
    let err = tls.complete_handshake().unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err.kind(), ErrorKind::Timeout), "{err}");
    assert!(
        matches!(err.detail(), Detail::Timeout { which: Timeout::Handshake, limit: Some(l) } if *l == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "{took:?}");
    // The stream stays failed and says so.
    let again = tls.complete_handshake().unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Timeout, "the first failure's kind is kept: {again}");
    assert!(again.message().contains("failed earlier"), "{again}");
    // The transport's own timeouts are restored.
    assert_eq!(tls.get_ref().read_timeout().unwrap(), None);
    done.send(()).unwrap();
    silent.join().unwrap();

    // A client that connects and never speaks: the server's handshake gives up.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let _idle = TcpStream::connect(addr).unwrap();
    let (tcp, _) = listener.accept().unwrap();
    let mut tls = TlsStream::server(&server_context(&certs().server, VerificationMode::None), tcp).unwrap();
    tls.set_handshake_timeout(Some(Duration::from_millis(200)));
    let err = tls.complete_handshake().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Timeout), "{err}");
}

#[test]
fn mutual_tls() {
    let (addr, server) = serve_once(server_context(&certs().server, VerificationMode::Strict), |tls| {
        tls.complete_handshake()?;
        Ok(tls.peer_certificate()?.common_name().to_string())
    });
    let ctx = client_context(VerificationMode::Relaxed);
    ctx.add_certificate(&chain(&certs().client), &key(&certs().client)).unwrap();
    let mut tls = connect(&ctx, "localhost", addr).unwrap();
    tls.flush().unwrap();
    assert_eq!(server.join().unwrap().unwrap(), "rpoco dev client");
}
