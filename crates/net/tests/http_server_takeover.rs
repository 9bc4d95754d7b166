//! A handler takes its connection over after `101 Switching Protocols`
//! (`HttpServerRequest::detach_socket`): a raw client on 127.0.0.1 switches to a toy echo
//! protocol, with bytes sent right behind the request reaching the new owner.

mod support;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use rpoco_net::{
    DetachedConnection, ErrorKind, HttpMessage, HttpServerParams, HttpStatus, TcpServerParams, handler_fn,
};
use support::{connect, serve};

const UPGRADE: &[u8] = b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n";

/// Answers `/echo` with a switch to the echo protocol and gives the detached connection to
/// `conns`; anything else with a plain 200.
fn upgrading(conns: mpsc::Sender<DetachedConnection>) -> impl rpoco_net::HttpRequestHandlerFactory {
    let conns = std::sync::Mutex::new(conns);
    handler_fn(move |request, response| {
        if request.uri() != "/echo" {
            return response.send_buffer(b"plain");
        }
        response.set_status(HttpStatus::SWITCHING_PROTOCOLS);
        response.set("Upgrade", "echo");
        response.set("Connection", "Upgrade");
        // Content-Length on a 1xx is dropped by the server (RFC 9110 8.6).
        response.send_buffer(b"")?;
        let connection = request.detach_socket()?;
        conns.lock().unwrap().send(connection).unwrap();
        Ok(())
    })
}

fn echo_on_a_thread(mut connection: DetachedConnection) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = connection.read(&mut buf) {
            if connection.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
}

#[test]
fn the_handler_takes_the_connection_with_the_bytes_behind_the_request() {
    let (tx, rx) = mpsc::channel();
    let params = HttpServerParams {
        tcp: TcpServerParams { max_threads: 1, ..TcpServerParams::default() },
        ..HttpServerParams::default()
    };
    let server = serve(upgrading(tx), params);
    let mut client = connect(server.port());
    // The first bytes of the new protocol travel in the same segment as the request.
    let mut first = UPGRADE.to_vec();
    first.extend_from_slice(b"early ");
    client.write_all(&first);
    let response = client.read_response("GET").expect("a 101 response");
    assert_eq!(response.status, 101);
    assert_eq!(response.header("Connection"), Some("Upgrade"));
    assert_eq!(response.header("Upgrade"), Some("echo"));
    assert_eq!(response.header("Content-Length"), None);

    let connection = rx.recv_timeout(Duration::from_secs(10)).expect("the handler detached");
    assert_eq!(connection.buffered, b"early ");
    echo_on_a_thread(connection);
    let mut got = [0u8; 6];
    client.stream.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"early ");

    // The only worker is free again: the handler returned and the server let go, without
    // closing the connection.
    let (other, _) = support::exchange(server.port(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((other.status, other.body.as_slice()), (200, &b"plain"[..]));
    client.write_all(b"later");
    let mut got = [0u8; 5];
    client.stream.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"later");
    // The other client closed; the detached connection is not counted either.
    let tcp = server.tcp_server();
    assert!(
        support::eventually(Duration::from_secs(10), || tcp.current_connections() == 0),
        "the server forgot it"
    );
    server.stop();
    // Stopping the server does not close a connection it handed over.
    client.write_all(b"after stop");
    let mut got = [0u8; 10];
    client.stream.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"after stop");
}

#[test]
fn detaching_without_a_protocol_switch_is_refused() {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let server = serve(
        handler_fn(move |request, response| {
            let before = request.detach_socket().map(|_| ());
            response.set_status(HttpStatus::OK);
            response.send_buffer(b"still HTTP")?;
            let after_200 = request.detach_socket().map(|_| ());
            tx.lock().unwrap().send((before, after_200)).unwrap();
            Ok(())
        }),
        HttpServerParams::default(),
    );
    let mut client = connect(server.port());
    client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
    let (before, after) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(before.as_ref().is_err_and(|e| e.kind() == ErrorKind::IllegalState), "{before:?}");
    assert!(after.as_ref().is_err_and(|e| e.kind() == ErrorKind::IllegalState), "{after:?}");
    // The connection stays HTTP: both pipelined requests are answered.
    for _ in 0..2 {
        let response = client.read_response("GET").unwrap();
        assert_eq!((response.status, response.body.as_slice()), (200, &b"still HTTP"[..]));
    }
}

#[test]
fn an_unread_request_body_blocks_the_takeover() {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let server = serve(
        handler_fn(move |request, response| {
            response.set_status(HttpStatus::SWITCHING_PROTOCOLS);
            response.set("Connection", "Upgrade");
            response.set("Upgrade", "echo");
            response.send()?;
            let unread = request.detach_socket().map(|_| ());
            let mut body = Vec::new();
            request.read_to_end(&mut body)?;
            let read = request.detach_socket().map(|c| c.buffered);
            tx.lock().unwrap().send((unread, body, read)).unwrap();
            Ok(())
        }),
        HttpServerParams::default(),
    );
    let mut client = connect(server.port());
    client.write_all(
        b"POST / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\nContent-Length: 4\r\n\r\nbodynext",
    );
    let (unread, body, read) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(unread.as_ref().is_err_and(|e| e.kind() == ErrorKind::IllegalState), "{unread:?}");
    assert_eq!(body, b"body");
    assert_eq!(read.unwrap(), b"next");
}
