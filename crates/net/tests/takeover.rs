//! Connection takeover on the client: `detach_socket` after a `101 Switching Protocols`,
//! `attach_socket` to go back to HTTP on a connection made elsewhere.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use rpoco_net::{
    DetachedConnection, ErrorKind, HTTP_1_1, HttpClientSession, HttpMessage, HttpRequest, HttpResponse,
    SocketAddress, StreamSocket,
};

const LIMIT: Duration = Duration::from_secs(10);

/// A server that answers one upgrade request with `101` plus the new protocol's greeting in
/// the same write, then echoes lines upper-cased until `quit`, then speaks HTTP again.
fn upgrade_server() -> (u16, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(LIMIT)).unwrap();
        let mut reader = BufReader::new(socket.try_clone().unwrap());
        let mut writer = socket;
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        writer
            .write_all(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\nWELCOME\n",
            )
            .unwrap();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line.trim_end() == "quit" {
                break;
            }
            writer.write_all(line.to_uppercase().as_bytes()).unwrap();
        }
        // Back to HTTP: one request, one response.
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nback").unwrap();
        head
    });
    (port, handle)
}

fn read_line(conn: &mut DetachedConnection) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.last() != Some(&b'\n') {
        assert_eq!(conn.read(&mut byte).unwrap(), 1, "connection closed after {line:?}");
        line.push(byte[0]);
    }
    String::from_utf8(line).unwrap()
}

#[test]
fn a_protocol_switch_takes_the_connection_and_its_buffered_bytes() {
    let (port, server) = upgrade_server();
    let mut session = HttpClientSession::new("127.0.0.1", port);
    session.set_timeout(Some(LIMIT));
    let mut request = HttpRequest::new("GET", "/shout", HTTP_1_1);
    request.set("Connection", "Upgrade");
    request.set("Upgrade", "shout");
    session.send_request(&mut request).unwrap();
    let mut response = HttpResponse::default();
    drop(session.receive_response(&mut response).unwrap());
    assert_eq!(response.status().code(), 101);

    let mut conn = session.detach_socket().unwrap();
    assert!(!session.connected(), "the session no longer owns the connection");
    assert!(!conn.transport.is_secure());
    // The greeting arrived with the 101 head: it travels with the connection, not lost.
    assert_eq!(read_line(&mut conn), "WELCOME\n");
    conn.write_all(b"hello\n").unwrap();
    assert_eq!(read_line(&mut conn), "HELLO\n");
    assert_eq!(session.detach_socket().unwrap_err().kind(), ErrorKind::IllegalState);

    // Back to HTTP over the same connection, with POCO's default keep-alive off.
    conn.write_all(b"quit\n").unwrap();
    let mut again = HttpClientSession::new("127.0.0.1", port);
    again.set_timeout(Some(LIMIT));
    again.attach_socket(conn);
    again.send_request(&mut HttpRequest::new("GET", "/after", HTTP_1_1)).unwrap();
    let mut response = HttpResponse::default();
    let mut body = String::new();
    again.receive_response(&mut response).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!((response.status().code(), body.as_str()), (200, "back"));
    let head = server.join().unwrap();
    assert!(head.iter().any(|l| l == "GET /after HTTP/1.1"), "{head:?}");
}

#[test]
fn attached_bytes_are_read_before_the_transport() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(LIMIT)).unwrap();
        let mut buf = [0u8; 1024];
        let n = socket.read(&mut buf).unwrap();
        // The rest of the response the client already holds the start of.
        socket.write_all(b"llo").unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    let socket = StreamSocket::connect(&SocketAddress::parse(&format!("127.0.0.1:{port}")).unwrap()).unwrap();
    let connection = DetachedConnection {
        transport: Box::new(socket),
        buffered: b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe".to_vec(),
    };
    let mut session = HttpClientSession::new("127.0.0.1", port);
    session.set_timeout(Some(LIMIT));
    session.attach_socket(connection);
    session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1)).unwrap();
    let mut response = HttpResponse::default();
    let mut body = String::new();
    session.receive_response(&mut response).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "hello");
    assert!(server.join().unwrap().starts_with("GET / HTTP/1.1\r\n"));
    let _ = response.has("Content-Length");
}
