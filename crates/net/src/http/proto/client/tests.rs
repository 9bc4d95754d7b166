//! Byte tables: requests and server bytes in, events and decisions out, no sockets.

use super::*;
use crate::error::ErrorKind;
use crate::http::message::{HTTP_1_1, HttpMessage, HttpRequest};

/// What an exchange ended with.
#[derive(Debug, PartialEq)]
struct Outcome {
    status: u16,
    body: Vec<u8>,
    keep_alive: bool,
    sent: Vec<u8>,
}

/// Drives one exchange over `wire`, delivered `step` bytes at a time (a test driver: the
/// session is the real one).
fn drive(request: &HttpRequest, body: &[u8], wire: &[u8], step: usize) -> crate::Result<Outcome> {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    let mut offered = 0;
    let mut more = |received: &mut Vec<u8>| -> bool {
        let end = (offered + step).min(wire.len());
        received.extend_from_slice(&wire[offered..end]);
        let got = end > offered;
        offered = end;
        got
    };
    let mut call = match Call::new(request, false)?.write_head(&mut sent) {
        AfterHead::SendBody(mut call) => {
            call.write(body, &mut sent)?;
            call.finish(None, &mut sent)?
        }
        AfterHead::Await100(mut waiting) => loop {
            match waiting.feed(&received)? {
                Await100Next::NeedMore(w) => {
                    waiting = w;
                    if !more(&mut received) {
                        return Err(crate::Error::new(ErrorKind::NoMessage, "closed awaiting 100"));
                    }
                }
                Await100Next::Continue { used, mut call, .. } => {
                    received.drain(..used);
                    call.write(body, &mut sent)?;
                    break call.finish(None, &mut sent)?;
                }
                Await100Next::Rejected { used, response, call } => {
                    received.drain(..used);
                    return finish_body(response.status().code(), call, received, more, sent);
                }
            }
        },
    };
    loop {
        match call.feed(&received)? {
            Fed::NeedMore(c) => {
                call = c;
                if !more(&mut received) {
                    return Err(call.end_of_input(&received).err().unwrap_or_else(|| {
                        crate::Error::new(ErrorKind::IllegalState, "retry needs a new connection")
                    }));
                }
            }
            Fed::Interim { used, call: c } => {
                received.drain(..used);
                call = c;
            }
            Fed::Response { used, response, call } => {
                received.drain(..used);
                return finish_body(response.status().code(), call, received, more, sent);
            }
        }
    }
}

fn finish_body(
    status: u16,
    mut call: Call<RecvBody>,
    mut received: Vec<u8>,
    mut more: impl FnMut(&mut Vec<u8>) -> bool,
    sent: Vec<u8>,
) -> crate::Result<Outcome> {
    let mut body = Vec::new();
    let mut out = [0u8; 7];
    loop {
        if call.is_finished() {
            let done = call.finish().map_err(|_| crate::Error::new(ErrorKind::IllegalState, "unfinished"))?;
            return Ok(Outcome { status, body, keep_alive: done.keep_alive(), sent });
        }
        let (used, n) = call.read(&received, &mut out)?;
        received.drain(..used);
        body.extend_from_slice(&out[..n]);
        if used == 0 && n == 0 && !more(&mut received) {
            call.end_of_input()?;
        }
    }
}

fn get(method: &str) -> HttpRequest {
    HttpRequest::new(method, "/", HTTP_1_1)
}

#[test]
fn response_table() {
    // (request method, server bytes, status, body, connection kept)
    type Case = (&'static str, &'static [u8], u16, &'static [u8], bool);
    let cases: &[Case] = &[
        ("GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, b"hello", true),
        ("GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n", 200, b"abcde", true),
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 200, b"", true),
        ("GET", b"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n", 204, b"", true),
        ("GET", b"HTTP/1.1 304 Not Modified\r\n\r\n", 304, b"", true),
        ("GET", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, b"ok", true),
        ("GET", b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 200, b"ok", false),
        ("GET", b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, b"ok", false),
        ("GET", b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, b"ok", true),
        ("GET", b"HTTP/1.1 200 OK\r\n\r\nuntil the end", 200, b"until the end", false),
        ("GET", b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 101, b"", false),
    ];
    for (i, (method, wire, status, body, keep_alive)) in cases.iter().enumerate() {
        for step in [1, 3, wire.len()] {
            let got =
                drive(&get(method), b"", wire, step).unwrap_or_else(|e| panic!("case {i} step {step}: {e}"));
            assert_eq!(
                (got.status, got.body.as_slice(), got.keep_alive),
                (*status, *body, *keep_alive),
                "case {i} step {step}"
            );
        }
    }
}

#[test]
fn malformed_and_truncated_responses_are_typed_errors() {
    let cases: &[(&[u8], ErrorKind)] = &[
        (b"HTTX/1.1 200 OK\r\n\r\n", ErrorKind::Message),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", ErrorKind::Message),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ErrorKind::Message),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ErrorKind::Message),
        (b"HTTP/1.1 200", ErrorKind::Message),
        (b"", ErrorKind::NoMessage),
        // Malformed, and cut before the line ends: found at the end of input all the same.
        (b"HTTX/1.1 200 OK", ErrorKind::Message),
        (b"HTTP/1.1 200 OK\r\nX: 1\r\nHTTX", ErrorKind::Message),
        (b"HTTP/1.1 2x0 OK\r\n", ErrorKind::Syntax),
    ];
    for (i, (wire, kind)) in cases.iter().enumerate() {
        // The same verdict however the bytes are split (a head is parsed again only when a
        // line ends: see `ResponseHeadScan`).
        for step in [1, 2, 4, 7, wire.len().max(1)] {
            let e = drive(&get("GET"), b"", wire, step).unwrap_err();
            assert_eq!(e.kind(), *kind, "case {i} step {step}: {e:?}");
        }
    }
}

#[test]
fn request_bodies_and_100_continue() {
    let mut post = HttpRequest::new("POST", "/up", HTTP_1_1);
    post.set_content_length(Some(3));
    let got = drive(&post, b"abc", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5).unwrap();
    assert!(got.sent.ends_with(b"\r\n\r\nabc"), "{:?}", String::from_utf8_lossy(&got.sent));
    post.set("Expect", "100-continue");
    let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    let got = drive(&post, b"abc", wire, 2).unwrap();
    assert_eq!((got.status, got.keep_alive), (201, true));
    assert!(got.sent.ends_with(b"abc"));
    // A final answer instead of 100: the body is never sent and the connection closes.
    let got =
        drive(&post, b"abc", b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n", 3).unwrap();
    assert_eq!((got.status, got.keep_alive), (417, false));
    assert!(!got.sent.ends_with(b"abc"));
    // More than Content-Length is refused before it is sent.
    let mut short = HttpRequest::new("PUT", "/", HTTP_1_1);
    short.set_content_length(Some(1));
    assert!(drive(&short, b"ab", b"", 1).is_err());
}

fn bodyless(call: Call<Prepare>, out: &mut Vec<u8>) -> Call<RecvResponse> {
    out.clear();
    match call.write_head(out) {
        AfterHead::SendBody(call) if !call.has_body() => call.finish(None, out).unwrap(),
        other => panic!("a bodyless request: {other:?}"),
    }
}

#[test]
fn a_silent_close_is_a_retry_only_for_reused_idempotent_requests() {
    let mut out = Vec::new();
    let call = bodyless(Call::new(&get("GET"), true).unwrap(), &mut out);
    assert!(call.can_retry());
    let retry = call.end_of_input(b"").unwrap();
    assert_eq!(retry.head, out);
    assert!(!retry.call.can_retry(), "once");
    let e = retry.call.end_of_input(b"").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoMessage);

    let mut post = HttpRequest::new("POST", "/", HTTP_1_1);
    post.set_content_length(Some(0));
    let call = bodyless(Call::new(&post, true).unwrap(), &mut out);
    assert_eq!(call.end_of_input(b"").unwrap_err().kind(), ErrorKind::NoMessage, "POST is not retried");
    let call = bodyless(Call::new(&get("GET"), false).unwrap(), &mut out);
    let e = call.end_of_input(b"HTTP/1.1 2").unwrap_err();
    assert!(matches!(e.detail(), crate::Detail::Offset(10)), "{e:?}");
}
