//! Issue 18's client findings, each against a raw-bytes peer on 127.0.0.1: `Host` first, no
//! request written into an idle connection the server closed, and a TLS port answering
//! plain HTTP named as such.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rpoco_net::{Detail, ErrorKind, HTTP_1_1, HttpClientSession, HttpMessage, HttpRequest, HttpResponse};

const LIMIT: Duration = Duration::from_secs(10);

/// Reads one request head (and a `Content-Length` body) from `socket`.
fn read_request(socket: &mut TcpStream) -> String {
    socket.set_read_timeout(Some(LIMIT)).unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            if data.len() >= end + 4 + length {
                return String::from_utf8_lossy(&data).into_owned();
            }
        }
        let n = socket.read(&mut buf).unwrap();
        assert!(n > 0, "peer closed inside a request: {:?}", String::from_utf8_lossy(&data));
        data.extend_from_slice(&buf[..n]);
    }
}

fn exchange(
    session: &mut HttpClientSession,
    request: &mut HttpRequest,
    body: &[u8],
) -> rpoco_net::Result<String> {
    if !body.is_empty() {
        request.set_content_length(Some(body.len() as u64));
    }
    let mut writer = session.send_request(request)?;
    writer.write_all(body)?;
    writer.finish()?;
    let mut response = HttpResponse::default();
    let mut text = String::new();
    session.receive_response(&mut response)?.read_to_string(&mut text)?;
    Ok(text)
}

#[test]
fn host_is_the_first_field_line_and_the_rest_keep_their_order() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..2 {
            let (mut socket, _) = listener.accept().unwrap();
            seen.push(read_request(&mut socket));
            socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        }
        seen
    });
    let mut session = HttpClientSession::new("127.0.0.1", port);
    let mut request = HttpRequest::new("GET", "/a", HTTP_1_1);
    request.set("X-First", "1");
    request.set("X-Second", "2");
    exchange(&mut session, &mut request, b"").unwrap();
    let mut request = HttpRequest::new("GET", "/b", HTTP_1_1);
    request.set("X-First", "1");
    request.set("Host", "example.test");
    request.set("X-Second", "2");
    exchange(&mut session, &mut request, b"").unwrap();
    let seen = server.join().unwrap();
    let fields =
        |raw: &str| raw.lines().skip(1).take_while(|l| !l.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    let host = format!("Host: 127.0.0.1:{port}");
    assert_eq!(fields(&seen[0]), [host.as_str(), "X-First: 1", "X-Second: 2", "Connection: Close"]);
    assert_eq!(fields(&seen[1]), ["Host: example.test", "X-First: 1", "X-Second: 2", "Connection: Close"]);
}

#[test]
fn an_idle_connection_the_server_closed_is_replaced_before_a_post() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (closed_tx, closed_rx) = mpsc::channel();
    let server = std::thread::spawn(move || {
        // Connection 1: one keep-alive response, then the server's idle timeout closes it.
        let (mut first, _) = listener.accept().unwrap();
        let get = read_request(&mut first);
        first.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none").unwrap();
        first.shutdown(Shutdown::Both).unwrap();
        closed_tx.send(()).unwrap();
        // Connection 2: the POST must arrive here, whole.
        let (mut second, _) = listener.accept().unwrap();
        let post = read_request(&mut second);
        second.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo").unwrap();
        (get, post)
    });
    let mut session = HttpClientSession::new("127.0.0.1", port);
    session.set_keep_alive(true);
    session.set_timeout(Some(LIMIT));
    assert_eq!(exchange(&mut session, &mut HttpRequest::new("GET", "/", HTTP_1_1), b"").unwrap(), "one");
    closed_rx.recv_timeout(LIMIT).unwrap();
    // Let the FIN reach the client's socket (loopback: microseconds; generous for load).
    let deadline = Instant::now() + Duration::from_millis(300);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut post = HttpRequest::new("POST", "/form", HTTP_1_1);
    assert_eq!(exchange(&mut session, &mut post, b"a=1&b=2").unwrap(), "two", "POST on a new connection");
    let (get, post) = server.join().unwrap();
    assert!(get.starts_with("GET / HTTP/1.1\r\n"), "{get}");
    assert!(post.starts_with("POST /form HTTP/1.1\r\n") && post.ends_with("a=1&b=2"), "{post}");
}

/// A peer that reads the request and answers with `reply`, then closes.
fn answer_once(reply: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let _ = read_request(&mut socket);
        socket.write_all(reply).unwrap();
        let _ = socket.shutdown(Shutdown::Write);
        // Drain so the close is a FIN, not a reset.
        let _ = socket.read(&mut [0u8; 64]);
    });
    port
}

#[test]
fn plain_http_to_a_tls_port_is_named_not_taken_for_a_stale_connection() {
    // What a TLS server sends to a plain-text request: a fatal alert record.
    let port = answer_once(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
    let mut session = HttpClientSession::new("127.0.0.1", port);
    session.set_timeout(Some(LIMIT));
    let e = exchange(&mut session, &mut HttpRequest::new("GET", "/", HTTP_1_1), b"").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e:?}");
    // The peer's record: a fatal alert, protocol_version (70).
    assert_eq!(e.detail(), &Detail::TlsRecord { content_type: 21, alert: Some(70) }, "{e:?}");

    // A new connection closed without a byte is a NoMessage that says it was new.
    let port = answer_once(b"");
    let mut session = HttpClientSession::new("127.0.0.1", port);
    session.set_timeout(Some(LIMIT));
    let e = exchange(&mut session, &mut HttpRequest::new("GET", "/", HTTP_1_1), b"").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoMessage, "{e:?}");
    assert_eq!(e.detail(), &Detail::Closed { reused: false }, "{e:?}");
}
