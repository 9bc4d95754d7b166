//! SecureStreamSocket, SecureServerSocket and TlsConnector on rpoco-net's sockets, over real
//! TLS on 127.0.0.1.

mod common;

use std::any::Any;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::*;
use rpoco_net::{Connector, ServerSocket, SocketAddress, StreamSocket};
use rpoco_netssl::{
    CertificateCheck, Error, ErrorKind, SecureServerSocket, SecureStreamSocket, TlsConnector,
    VerificationMode,
};

fn echo_server(
    connections: usize,
    handshake_timeout: Duration,
) -> (u16, std::thread::JoinHandle<Vec<Result<(), Error>>>) {
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
    let ctx = server_context(&certs().server, VerificationMode::None);
    ctx.enable_session_cache(true);
    let mut server = SecureServerSocket::new(socket, &ctx).unwrap();
    server.set_handshake_timeout(Some(handshake_timeout));
    let port = server.address().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut workers = Vec::new();
        for _ in 0..connections {
            let (mut conn, _) = server.accept_connection().unwrap();
            // Each connection is served (and handshakes) on its own thread.
            workers.push(std::thread::spawn(move || -> Result<(), Error> {
                conn.socket().set_receive_timeout(Some(TIMEOUT))?;
                let mut buf = [0u8; 64];
                let n = conn.read(&mut buf)?;
                conn.write_all(&buf[..n])?;
                conn.close()
            }));
        }
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    (port, handle)
}

#[test]
fn a_stalled_client_does_not_hold_up_the_next() {
    let (port, server) = echo_server(2, Duration::from_millis(500));
    let _stalled = StreamSocket::connect_host("127.0.0.1", port, Some(TIMEOUT)).unwrap();
    let started = Instant::now();
    let ctx = client_context(VerificationMode::Relaxed);
    let mut socket = SecureStreamSocket::connect_host("localhost", port, &ctx, Some(TIMEOUT)).unwrap();
    socket.write_all(b"ping").unwrap();
    let mut reply = [0u8; 4];
    socket.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"ping");
    assert!(started.elapsed() < Duration::from_millis(500), "served while the stalled handshake was pending");
    socket.close().unwrap();
    let results = server.join().unwrap();
    assert!(matches!(results[0].as_ref().map_err(|e| e.kind()), Err(ErrorKind::Timeout)), "{:?}", results[0]);
    results[1].as_ref().unwrap();
}

#[test]
fn the_connector_makes_secure_transports_and_sessions_resume() {
    let (port, server) = echo_server(2, TIMEOUT);
    let ctx = client_context(VerificationMode::Strict);
    ctx.enable_session_cache(true);
    let connector = TlsConnector::new(ctx);
    assert_eq!((connector.scheme(), connector.default_port(), connector.is_secure()), ("https", 443, true));
    let mut reused = Vec::new();
    for _ in 0..2 {
        let tcp = connector.connect_tcp("127.0.0.1", port, Some(TIMEOUT)).unwrap();
        let mut transport = connector.wrap(tcp, "localhost", Some(TIMEOUT)).unwrap();
        assert!(transport.is_secure());
        transport.write_all(b"hello").unwrap();
        let mut reply = [0u8; 5];
        transport.read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"hello");
        let mut rest = Vec::new();
        transport.read_to_end(&mut rest).unwrap();
        let any: &dyn Any = &*transport;
        let secure = any.downcast_ref::<SecureStreamSocket>().expect("a SecureStreamSocket");
        assert_eq!(secure.peer_certificate().unwrap().common_name(), "localhost");
        reused.push(secure.session_was_reused());
        transport.shutdown().unwrap();
    }
    assert_eq!(reused, [false, true]);
    assert!(server.join().unwrap().iter().all(Result::is_ok));
}

#[test]
fn verification_errors_survive_the_trip_through_net() {
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
    let port = socket.address().unwrap().port();
    let server = SecureServerSocket::new(
        socket,
        &server_context(certs().scenario("wrong-host").unwrap(), VerificationMode::None),
    )
    .unwrap();
    let handle = std::thread::spawn(move || {
        let (mut conn, _) = server.accept_connection().unwrap();
        conn.complete_handshake()
    });
    let connector = TlsConnector::new(client_context(VerificationMode::Relaxed));
    let tcp = connector.connect_tcp("127.0.0.1", port, Some(TIMEOUT)).unwrap();
    let net_error: rpoco_net::Error = connector.wrap(tcp, "localhost", Some(TIMEOUT)).unwrap_err();
    let err = Error::from(net_error);
    assert_eq!(err.verification_failure().map(|f| f.check), Some(CertificateCheck::Hostname), "{err}");
    assert!(handle.join().unwrap().is_err());
}

#[test]
fn a_session_is_resumed_with_use_session() {
    let (port, server) = echo_server(3, TIMEOUT);
    let address = SocketAddress::parse(&format!("127.0.0.1:{port}")).unwrap();
    let ctx = client_context(VerificationMode::Strict);
    let echo = |socket: &mut SecureStreamSocket| {
        socket.write_all(b"hi").unwrap();
        let mut reply = Vec::new();
        socket.read_to_end(&mut reply).unwrap();
        assert_eq!(reply, b"hi");
        socket.close().unwrap();
    };

    // POCO: SecureStreamSocket s1(address, "localhost", pContext); pSession = s1.currentSession();
    let mut first = SecureStreamSocket::connect(&address, "localhost", &ctx, Some(TIMEOUT)).unwrap();
    assert!(first.current_session().is_none(), "the context's session cache is off");
    echo(&mut first);
    ctx.enable_session_cache(true);
    let mut second = SecureStreamSocket::connect(&address, "localhost", &ctx, Some(TIMEOUT)).unwrap();
    assert!(!second.session_was_reused());
    echo(&mut second);
    let session = second.current_session().expect("a session with the cache on");
    assert_eq!(session.host(), "localhost");

    // s2.useSession(pSession); s2.connect(address); s2.sessionWasReused()
    let tcp = StreamSocket::connect_timeout(&address, Some(TIMEOUT)).unwrap();
    let mut third = SecureStreamSocket::attach_lazily(tcp, "localhost", &ctx).unwrap();
    third.use_session(&session).unwrap();
    third.complete_handshake().unwrap();
    assert!(third.session_was_reused());
    assert!(third.use_session(&session).is_err(), "after the handshake");
    echo(&mut third);
    assert!(server.join().unwrap().iter().all(Result::is_ok));

    // A session fits only its own context and host (no handshake needed to tell).
    let listener = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
    let idle = listener.address().unwrap();
    let tcp = StreamSocket::connect_timeout(&idle, Some(TIMEOUT)).unwrap();
    let other = client_context(VerificationMode::Strict);
    let mut socket = SecureStreamSocket::attach_lazily(tcp, "localhost", &other).unwrap();
    let err = socket.use_session(&session).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "a session of another context: {err}");
    let tcp = StreamSocket::connect_timeout(&idle, Some(TIMEOUT)).unwrap();
    let mut socket = SecureStreamSocket::attach_lazily(tcp, "127.0.0.1", &ctx).unwrap();
    let err = socket.use_session(&session).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "a session for another host: {err}");
}
