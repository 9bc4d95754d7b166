//! WebSocket through the public API on 127.0.0.1: `WebSocket::accept` in an `HttpServer`
//! handler and `WebSocket::connect` over an `HttpClientSession` (direct, 401 credentials,
//! HTTP and SOCKS5 proxies), compression, POCO's frame API, two threads on one socket, a
//! receive timeout in the middle of a frame, and bad input answered with the right close.

mod common;
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use rpoco_net::websocket::flags::{
    FRAME_BINARY, FRAME_FLAG_FIN, FRAME_OP_CONT, FRAME_OP_PING, FRAME_OP_TEXT, FRAME_TEXT,
};
use rpoco_net::websocket::{
    CloseFrame, Credentials, Incoming, Message, Opcode, Receiver, Role, WebSocket, WebSocketConfig,
    WebSocketError, WebSocketErrorCode, has_code,
};
use rpoco_net::{
    DetachedConnection, ErrorKind, HttpClientSession, HttpMessage, HttpRequest, HttpResponse, HttpServer,
    HttpServerParams, HttpStatus, ProxyConfig, ServerSocket, SocketAddress, handler_fn,
};

fn config() -> WebSocketConfig {
    WebSocketConfig { timeout: Some(Duration::from_secs(10)), ..WebSocketConfig::default().with_deflate() }
}

/// An echo server at `/ws` (Basic `user:pass` required at `/private`).
fn echo_server() -> HttpServer {
    support::serve(
        handler_fn(|request, response| {
            if request.request().uri() == "/private"
                && request.request().get("Authorization") != Some("Basic dXNlcjpwYXNz")
            {
                response.set_status(HttpStatus::UNAUTHORIZED);
                response.set("WWW-Authenticate", "Basic realm=\"ws\"");
                return response.send_buffer(b"");
            }
            let mut ws = match WebSocket::accept_with(request, response, config()) {
                Ok(ws) => ws,
                Err(_) => return Ok(()),
            };
            loop {
                match ws.read_message() {
                    Ok(Message::Text(t)) => ws.send_text(&t)?,
                    Ok(Message::Binary(b)) => ws.send_binary(&b)?,
                    Ok(Message::Ping(_) | Message::Pong(_)) => {}
                    Ok(Message::Close(_)) | Err(_) => return Ok(()),
                }
            }
        }),
        HttpServerParams::default(),
    )
}

fn connect(port: u16, path: &str, cfg: WebSocketConfig) -> rpoco_net::Result<(WebSocket, HttpResponse)> {
    let mut session = HttpClientSession::new("127.0.0.1", port);
    let mut request = HttpRequest::new("GET", path, "HTTP/1.1");
    let mut response = HttpResponse::default();
    let ws = WebSocket::connect_with(&mut session, &mut request, &mut response, None, cfg)?;
    Ok((ws, response))
}

#[test]
fn session_and_server_echo_with_compression_and_close() {
    let server = echo_server();
    let (mut ws, response) = connect(server.port(), "/ws", config()).unwrap();
    assert_eq!(response.status(), HttpStatus::SWITCHING_PROTOCOLS);
    assert!(ws.negotiated().deflate.is_some(), "permessage-deflate agreed: {response:?}");
    ws.send_text("hello").unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Text("hello".into()));
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    ws.send_binary(&big).unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Binary(big));
    ws.send_ping(b"p").unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Pong(b"p".to_vec()));
    // POCO's frame API: a fragmented text message with a ping between the fragments.
    ws.send_frame(b"frag", FRAME_OP_TEXT).unwrap();
    ws.send_frame(b"x", FRAME_FLAG_FIN | FRAME_OP_PING).unwrap();
    ws.send_frame(b"ment", FRAME_FLAG_FIN | FRAME_OP_CONT).unwrap();
    let mut buf = [0u8; 64];
    let (n, flags) = ws.receive_frame(&mut buf).unwrap();
    assert_eq!((&buf[..n], flags & 0x0F), (&b"x"[..], 0x0A), "the pong first");
    let (n, flags) = ws.receive_frame(&mut buf).unwrap();
    assert_eq!((&buf[..n], flags), (&b"fragment"[..], FRAME_TEXT));
    ws.close(1000, "done").unwrap();
    assert!(has_code(&ws.send_text("late").unwrap_err(), WebSocketErrorCode::Closed));
}

#[test]
fn without_compression_and_frame_too_big_for_the_buffer() {
    let server = echo_server();
    let plain = WebSocketConfig { deflate: None, ..config() };
    let (mut ws, response) = connect(server.port(), "/ws", plain).unwrap();
    assert!(ws.negotiated().deflate.is_none());
    assert!(response.get("Sec-WebSocket-Extensions").is_none());
    ws.send_frame(&[7u8; 100], FRAME_BINARY).unwrap();
    let mut small = [0u8; 10];
    let e = ws.receive_frame(&mut small).unwrap_err();
    assert_eq!(WebSocketError::code_of(&e), Some(WebSocketErrorCode::PayloadTooBig));
    assert_eq!(e.poco_class(), "WebSocketException");
}

#[test]
fn refused_upgrades_carry_poco_codes() {
    let server = echo_server();
    let e = connect(server.port(), "/private", config()).unwrap_err();
    assert!(has_code(&e, WebSocketErrorCode::Unauthorized), "{e}");
    let mut session = HttpClientSession::new("127.0.0.1", server.port());
    let mut request = HttpRequest::new("GET", "/private", "HTTP/1.1");
    let mut response = HttpResponse::default();
    let creds = Credentials::new("user", "pass");
    let mut ws =
        WebSocket::connect_with(&mut session, &mut request, &mut response, Some(&creds), config()).unwrap();
    ws.send_text("authorised").unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Text("authorised".into()));
    // A server that is no WebSocket server, and requests that are no valid upgrades.
    let plain =
        support::serve(handler_fn(|_, response| response.send_buffer(b"hi")), HttpServerParams::default());
    assert!(has_code(&connect(plain.port(), "/", config()).unwrap_err(), WebSocketErrorCode::NoHandshake));
    for (change, status) in [("Sec-WebSocket-Version: 8", 426), ("Sec-WebSocket-Key: c2hvcnQ=", 400)] {
        let mut raw = support::connect(server.port());
        let head = format!(
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{}\r\n{change}\r\n\r\n",
            if change.contains("Key") {
                "Sec-WebSocket-Version: 13"
            } else {
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
            }
        );
        raw.write_all(head.as_bytes());
        let r = raw.read_response("GET").expect("an answer");
        assert_eq!(r.status, status, "{change}");
        if status == 426 {
            assert_eq!(r.header("Sec-WebSocket-Version"), Some("13"));
        }
    }
}

#[test]
fn through_http_and_socks5_proxies() {
    let server = echo_server();
    let (proxy_port, log) = rpoco_testsupport::http_proxy(None);
    let socks_port = common::socks5_proxy(false);
    for proxy in [ProxyConfig::new("127.0.0.1", proxy_port), ProxyConfig::socks5("127.0.0.1", socks_port)] {
        let mut session = HttpClientSession::new("127.0.0.1", server.port());
        session.set_proxy_config(proxy.clone()).unwrap();
        let mut request = HttpRequest::new("GET", "/ws", "HTTP/1.1");
        let mut response = HttpResponse::default();
        let mut ws =
            WebSocket::connect_with(&mut session, &mut request, &mut response, None, config()).unwrap();
        ws.send_text("via proxy").unwrap();
        assert_eq!(ws.read_message().unwrap(), Message::Text("via proxy".into()), "{proxy:?}");
        ws.close(1000, "").unwrap();
    }
    assert_eq!(log.lock().unwrap().requests[0].method(), "CONNECT");
}

#[test]
fn reader_and_writer_on_two_threads() {
    let server = echo_server();
    let (ws, _) = connect(server.port(), "/ws", config()).unwrap();
    let (mut reader, writer) = ws.split();
    let got = std::thread::spawn(move || {
        let mut got = Vec::new();
        loop {
            match reader.read_message().unwrap() {
                Message::Text(t) => got.push(t),
                Message::Close(c) => return (got, c),
                _ => {}
            }
        }
    });
    // The reader is blocked in read_message while this thread sends.
    std::thread::sleep(Duration::from_millis(100));
    for i in 0..200 {
        writer.send_text(&format!("message {i}")).unwrap();
        if i % 50 == 0 {
            writer.send_ping(b"x").unwrap();
        }
    }
    writer.close(1000, "bye").unwrap();
    let (got, close) = got.join().unwrap();
    let want: Vec<String> = (0..200).map(|i| format!("message {i}")).collect();
    assert_eq!(got, want);
    assert_eq!(close, Some(CloseFrame { code: 1000, reason: String::new() }));
}

/// A raw peer on the other end of a client WebSocket made over a bare connection.
fn raw_pair(cfg: WebSocketConfig) -> (WebSocket, TcpStream) {
    let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
    let addr = server.address().unwrap();
    let peer = std::thread::spawn(move || {
        let (s, _) = server.accept_connection().unwrap();
        let (ws, _) = WebSocket::server_handshake(DetachedConnection::new(Box::new(s)), cfg).unwrap();
        ws
    });
    let mut raw = TcpStream::connect(addr.to_string()).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    raw.write_all(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )
    .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        raw.read_exact(&mut b).unwrap();
        head.push(b[0]);
    }
    assert!(String::from_utf8_lossy(&head).contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    (peer.join().unwrap(), raw)
}

fn masked(op: u8, fin: bool, payload: &[u8]) -> Vec<u8> {
    let key = [1, 2, 3, 4];
    let mut out = vec![(u8::from(fin) << 7) | op];
    assert!(payload.len() < 126 || payload.len() <= 0xFFFF);
    if payload.len() < 126 {
        out.push(0x80 | payload.len() as u8);
    } else {
        out.push(0x80 | 126);
        out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(&key);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    out
}

#[test]
fn a_timeout_inside_a_frame_loses_nothing() {
    let (mut ws, mut raw) = raw_pair(WebSocketConfig::default());
    ws.set_receive_timeout(Some(Duration::from_millis(200))).unwrap();
    let frame = masked(0x1, true, "résumé after a timeout".as_bytes());
    raw.write_all(&frame[..9]).unwrap();
    let e = ws.read_message().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    raw.write_all(&frame[9..]).unwrap();
    ws.set_receive_timeout(Some(Duration::from_secs(10))).unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Text("résumé after a timeout".into()));
}

/// The close status the endpoint sends for `bytes`, read with our own receiver.
fn close_status_for(bytes: &[u8], max: Option<usize>) -> (Option<u16>, WebSocketErrorCode) {
    let (mut ws, mut raw) = raw_pair(WebSocketConfig::default());
    if let Some(m) = max {
        ws.set_max_payload_size(m);
    }
    raw.write_all(bytes).unwrap();
    let e = ws.read_message().unwrap_err();
    let code = WebSocketError::code_of(&e).expect("a WebSocket error");
    let mut rx = Receiver::new(Role::Client, 1 << 20, 1 << 20, None);
    let mut buf = [0u8; 1024];
    let start = Instant::now();
    loop {
        if let Some(Incoming::Close(c)) = rx.poll().unwrap() {
            return (c.map(|c| c.code), code);
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no close frame");
        let n = raw.read(&mut buf).unwrap();
        assert!(n > 0, "connection ended without a close frame");
        rx.decoder().feed(&buf[..n]);
    }
}

#[test]
fn bad_input_is_closed_with_the_right_status() {
    let mut reserved = masked(0x1, true, b"x");
    reserved[0] |= 0x20; // RSV2
    let cases: Vec<(Vec<u8>, Option<usize>, u16, WebSocketErrorCode)> = vec![
        (masked(0x3, true, b""), None, 1002, WebSocketErrorCode::Protocol),
        (reserved, None, 1002, WebSocketErrorCode::Protocol),
        (vec![0x81, 0x01, b'x'], None, 1002, WebSocketErrorCode::Protocol), // unmasked from a client
        (masked(0x0, true, b"x"), None, 1002, WebSocketErrorCode::Protocol),
        (masked(0x1, true, b"\xce\xba\xed\xa0\x80"), None, 1007, WebSocketErrorCode::InvalidUtf8),
        (masked(0x8, true, &[0x03, 0xE8, 0xFF]), None, 1007, WebSocketErrorCode::InvalidUtf8),
        (masked(0x2, true, &[0; 2000]), Some(1000), 1009, WebSocketErrorCode::PayloadTooBig),
        (
            [masked(0x2, false, &[0; 600]), masked(0x0, true, &[0; 600])].concat(),
            Some(1000),
            1009,
            WebSocketErrorCode::PayloadTooBig,
        ),
    ];
    for (bytes, max, status, code) in cases {
        assert_eq!(close_status_for(&bytes, max), (Some(status), code), "{:02x?}", &bytes[..2]);
    }
}

#[test]
fn the_connection_ending_inside_a_frame_is_an_incomplete_frame() {
    let (mut ws, mut raw) = raw_pair(WebSocketConfig::default());
    raw.write_all(&masked(0x1, true, b"cut short")[..8]).unwrap();
    raw.shutdown(std::net::Shutdown::Write).unwrap();
    assert!(has_code(&ws.read_message().unwrap_err(), WebSocketErrorCode::IncompleteFrame));
}

#[test]
fn bare_connections_and_opcodes() {
    let (mut ws, mut raw) = raw_pair(WebSocketConfig::default());
    assert!(!ws.must_mask_payload());
    raw.write_all(&masked(0x9, true, b"ping")).unwrap();
    assert_eq!(ws.read_message().unwrap(), Message::Ping(b"ping".to_vec()));
    let mut pong = [0u8; 6];
    raw.read_exact(&mut pong).unwrap();
    assert_eq!(pong, [0x8A, 4, b'p', b'i', b'n', b'g'], "answered unmasked");
    assert_eq!(Opcode::from_u8(0xA), Some(Opcode::Pong));
}
