//! HttpClientSession against scripted raw TCP servers on 127.0.0.1: exact request bytes,
//! malformed, truncated, slow and oversized responses, keep-alive, retries, 100-continue,
//! timeouts and aborts.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{raw_server, read_request};
use rpoco_net::{
    Error, ErrorKind, HTTP_1_1, HttpClientSession, HttpMessage, HttpRequest, HttpResponse, Limit,
};

fn get(path: &str) -> HttpRequest {
    HttpRequest::new("GET", path, HTTP_1_1)
}

/// One request/response: returns the response and its body (or the body's error).
fn exchange(
    session: &mut HttpClientSession,
    req: &mut HttpRequest,
) -> rpoco_net::Result<(HttpResponse, Vec<u8>)> {
    session.send_request(req)?;
    let mut res = HttpResponse::default();
    let mut body = Vec::new();
    session.receive_response(&mut res)?.read_to_end(&mut body)?;
    Ok((res, body))
}

fn serve_once(reply: &'static [u8]) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let (port, _) = raw_server(1, move |_, mut s| {
        *seen2.lock().unwrap() = read_request(&mut s);
        s.write_all(reply).unwrap();
    });
    (port, seen)
}

#[test]
fn request_bytes_are_poco_s_with_host_first() {
    let (port, seen) = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let mut req = get("/index.html");
    req.set("User-Agent", "rpoco-test");
    let (res, body) = exchange(&mut s, &mut req).unwrap();
    assert_eq!((res.status().code(), body.as_slice()), (200, &b"ok"[..]));
    let expected = format!(
        "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: rpoco-test\r\nConnection: Close\r\n\r\n"
    );
    assert_eq!(String::from_utf8(seen.lock().unwrap().clone()).unwrap(), expected);
}

#[test]
fn fixed_length_and_chunked_bodies_with_trailers_both_ways() {
    let (port, seen) = serve_once(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Sum: 9\r\n\r\n",
    );
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let mut req = HttpRequest::new("POST", "/up", HTTP_1_1);
    req.set_chunked_transfer_encoding(true);
    let mut body = s.send_request(&mut req).unwrap();
    body.write_all(b"hello ").unwrap();
    body.write_all(b"world").unwrap();
    body.finish().unwrap();
    let mut res = HttpResponse::default();
    let mut text = String::new();
    let mut rb = s.receive_response(&mut res).unwrap();
    rb.read_to_string(&mut text).unwrap();
    assert_eq!(rb.trailers().get("x-sum"), Some("9"));
    drop(rb);
    assert_eq!(text, "wikipedia");
    // The request body went out chunked. (read_request reads heads; the rest follows.)
    let raw = String::from_utf8(seen.lock().unwrap().clone()).unwrap();
    assert!(raw.starts_with("POST /up HTTP/1.1\r\nHost: "), "Host first: {raw}");
    assert!(raw.contains("\r\nTransfer-Encoding: chunked\r\n"), "{raw}");
}

#[test]
fn chunked_request_body_arrives_exactly() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let (port, h) = raw_server(1, move |_, mut s| {
        let mut all = Vec::new();
        let mut b = [0u8; 1024];
        while !all.ends_with(b"0\r\n\r\n") {
            let n = s.read(&mut b).unwrap();
            assert!(n > 0);
            all.extend_from_slice(&b[..n]);
        }
        *seen2.lock().unwrap() = all;
        s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let mut req = HttpRequest::new("PUT", "/f", HTTP_1_1);
    req.set_chunked_transfer_encoding(true);
    let mut body = s.send_request(&mut req).unwrap();
    body.write_all(b"abc").unwrap();
    body.write_all(&[b'z'; 20]).unwrap();
    let _ = body; // not finished: receive_response finishes the body, as POCO does
    let mut res = HttpResponse::default();
    let mut b = Vec::new();
    s.receive_response(&mut res).unwrap().read_to_end(&mut b).unwrap();
    h.join().unwrap();
    assert_eq!(res.status().code(), 204);
    let raw = seen.lock().unwrap().clone();
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(&raw[at..], b"3\r\nabc\r\n14\r\nzzzzzzzzzzzzzzzzzzzz\r\n0\r\n\r\n");
}

#[test]
fn truncated_bodies_are_errors_not_short_reads() {
    for reply in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"[..],
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\npartial"[..],
    ] {
        let (port, _) = serve_once(reply);
        let mut s = HttpClientSession::new("127.0.0.1", port);
        let e = exchange(&mut s, &mut get("/")).unwrap_err();
        assert!(e.kind() == ErrorKind::Message && e.message().contains("connection closed"), "{e:?}");
    }
}

#[test]
fn io_errors_carry_the_kind_and_the_net_error() {
    let (port, _) = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.send_request(&mut get("/")).unwrap();
    let mut res = HttpResponse::default();
    let mut body = Vec::new();
    let e = s.receive_response(&mut res).unwrap().read_to_end(&mut body).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
    assert_eq!(body, b"abc");
    assert!(
        matches!(Error::from(e), e if e.kind() == ErrorKind::Message && e.message().contains("7 bytes of the body missing"))
    );
}

#[test]
fn malformed_responses_name_what_was_wrong() {
    let cases: &[(&[u8], &str)] = &[
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", "invalid chunk size line `xyz`"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "invalid Content-Length `ten`"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting Content-Length"),
        (b"HTTP/1.1 20 OK\r\n\r\n", "bad status code"),
        (b"SMTP ready\r\n\r\n", "malformed response line `SMTP ready`"),
        (b"HTTP/1.1 200 OK\r\nX: 1\r\n", "connection closed inside the message head"),
    ];
    for &(reply, expected) in cases {
        let (port, _) = serve_once(reply);
        let mut s = HttpClientSession::new("127.0.0.1", port);
        let e = exchange(&mut s, &mut get("/")).unwrap_err();
        assert!(e.to_string().contains(expected), "`{e}` lacks `{expected}`");
    }
}

#[test]
fn oversized_heads_hit_the_configurable_limits() {
    let big_value: &'static [u8] = Box::leak(
        [b"HTTP/1.1 200 OK\r\nX-Big: ".as_slice(), &[b'a'; 9000], b"\r\n\r\n"].concat().into_boxed_slice(),
    );
    let (port, _) = serve_once(big_value);
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let e = exchange(&mut s, &mut get("/")).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::ValueLength) && e.message().contains("X-Big"), "{e:?}");

    let many: &'static [u8] = Box::leak(
        [b"HTTP/1.1 200 OK\r\n".as_slice(), &b"A: b\r\n".repeat(101), b"\r\n"].concat().into_boxed_slice(),
    );
    let (port, _) = serve_once(many);
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let e = exchange(&mut s, &mut get("/")).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::FieldCount), "{e:?}");

    // Raising the limit on the response object lets the same reply through.
    let (port, _) = serve_once(big_value);
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.send_request(&mut get("/")).unwrap();
    let mut res = HttpResponse::default();
    res.header_mut().set_value_length_limit(10_000);
    let mut b = Vec::new();
    s.receive_response(&mut res).unwrap().read_to_end(&mut b).unwrap();
    assert_eq!(res.get("x-big").map(str::len), Some(9000));
}

#[test]
fn close_delimited_bodies_head_204_and_interim_responses() {
    let (port, _) = serve_once(b"HTTP/1.0 200 OK\r\n\r\nuntil close");
    let mut s = HttpClientSession::new("127.0.0.1", port);
    assert_eq!(exchange(&mut s, &mut get("/")).unwrap().1, b"until close");

    let (port, _) = serve_once(
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
    );
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let (res, body) = exchange(&mut s, &mut get("/")).unwrap();
    assert_eq!((res.status().code(), body.as_slice()), (200, &b"x"[..]));

    // HEAD and 204/304: no body even with Content-Length; the connection stays usable.
    let (port, h) = raw_server(1, |_, mut s| {
        read_request(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n").unwrap();
        read_request(&mut s);
        s.write_all(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n").unwrap();
        read_request(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_keep_alive(true);
    let (r, b) = exchange(&mut s, &mut HttpRequest::new("HEAD", "/", HTTP_1_1)).unwrap();
    assert_eq!((r.content_length(), b.len()), (Some(1000), 0));
    assert_eq!(exchange(&mut s, &mut get("/")).unwrap().1, b"");
    assert_eq!(exchange(&mut s, &mut get("/")).unwrap().1, b"ok");
    h.join().unwrap();
}

#[test]
fn keep_alive_reuses_one_connection() {
    let connections = Arc::new(AtomicUsize::new(0));
    let c2 = connections.clone();
    let (port, _) = raw_server(5, move |_, mut s| {
        c2.fetch_add(1, Ordering::SeqCst);
        loop {
            let req = read_request(&mut s);
            if req.is_empty() {
                return;
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc").unwrap();
        }
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_keep_alive(true);
    for _ in 0..5 {
        assert_eq!(exchange(&mut s, &mut get("/")).unwrap().1, b"abc");
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[test]
fn stale_kept_alive_connection_is_retried_for_idempotent_requests_only() {
    // The server answers one request per connection, then closes as the next one arrives
    // (the race the idle-connection check cannot see: the connection was open when reused).
    let (port, _) = raw_server(3, |_, mut s| {
        read_request(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
        read_request(&mut s);
        s.shutdown(std::net::Shutdown::Both).unwrap();
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_keep_alive(true);
    assert_eq!(exchange(&mut s, &mut get("/1")).unwrap().1, b"ok");
    thread::sleep(Duration::from_millis(50));
    assert_eq!(exchange(&mut s, &mut get("/2")).unwrap().1, b"ok", "GET is retried on a new connection");
    thread::sleep(Duration::from_millis(50));
    let mut post = HttpRequest::new("POST", "/3", HTTP_1_1);
    post.set_content_length(Some(0));
    let e = exchange(&mut s, &mut post).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::NoMessage | ErrorKind::ConnectionReset),
        "POST is not retried: {e:?}"
    );
}

#[test]
fn dropping_an_unread_body_reconnects() {
    let connections = Arc::new(AtomicUsize::new(0));
    let c2 = connections.clone();
    let (port, _) = raw_server(2, move |i, mut s| {
        c2.fetch_add(1, Ordering::SeqCst);
        read_request(&mut s);
        if i == 0 {
            // Headers and part of a long body, then wait: the client gives up reading.
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\npartial").unwrap();
            let mut b = [0u8; 16];
            let _ = s.read(&mut b);
        } else {
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext").unwrap();
        }
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_keep_alive(true);
    s.send_request(&mut get("/big")).unwrap();
    let mut res = HttpResponse::default();
    let mut first = [0u8; 4];
    s.receive_response(&mut res).unwrap().read_exact(&mut first).unwrap();
    assert_eq!(&first, b"part");
    assert_eq!(exchange(&mut s, &mut get("/next")).unwrap().1, b"next");
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[test]
fn dropping_a_fully_buffered_body_keeps_the_connection() {
    let (port, _) = raw_server(1, |_, mut s| {
        read_request(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789").unwrap();
        read_request(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!").unwrap();
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_keep_alive(true);
    s.send_request(&mut get("/")).unwrap();
    let mut res = HttpResponse::default();
    // Give the whole response time to arrive, then read one byte and drop the reader.
    thread::sleep(Duration::from_millis(50));
    let mut one = [0u8; 1];
    s.receive_response(&mut res).unwrap().read_exact(&mut one).unwrap();
    assert_eq!(exchange(&mut s, &mut get("/")).unwrap().1, b"!", "served on the same connection");
}

#[test]
fn a_body_without_length_or_chunking_is_an_error_at_send_time() {
    let (port, _) = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let mut req = HttpRequest::new("POST", "/", HTTP_1_1);
    let mut body = s.send_request(&mut req).unwrap();
    let e = Error::from(body.write_all(b"data").unwrap_err());
    assert_eq!(e.kind(), ErrorKind::IllegalState, "neither Content-Length nor chunked: {e:?}");
    let mut req = HttpRequest::new("POST", "/", HTTP_1_1);
    req.set_content_length(Some(3));
    let mut s2 = HttpClientSession::new("127.0.0.1", port);
    let mut body = s2.send_request(&mut req).unwrap();
    assert!(body.write_all(b"four").is_err(), "more than Content-Length");
}

#[test]
fn expect_100_continue() {
    let (port, h) = raw_server(2, |i, mut s| {
        let head = common::read_head_only(&mut s);
        assert!(String::from_utf8_lossy(&head).contains("Expect: 100-continue"));
        if i == 0 {
            s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
            let mut body = [0u8; 5];
            s.read_exact(&mut body).unwrap();
            assert_eq!(&body, b"hello");
            s.write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n").unwrap();
        } else {
            s.write_all(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 2\r\n\r\nno").unwrap();
        }
    });
    for expect_continue in [true, false] {
        let mut s = HttpClientSession::new("127.0.0.1", port);
        let mut req = HttpRequest::new("PUT", "/x", HTTP_1_1);
        req.set_content_length(Some(5));
        req.set_expect_continue(true);
        let mut body = s.send_request(&mut req).unwrap();
        let mut res = HttpResponse::default();
        assert_eq!(body.peek_response(&mut res).unwrap(), expect_continue);
        if expect_continue {
            body.write_all(b"hello").unwrap();
            body.finish().unwrap();
        }
        let mut b = Vec::new();
        s.receive_response(&mut res).unwrap().read_to_end(&mut b).unwrap();
        assert_eq!(res.status().code(), if expect_continue { 201 } else { 417 });
    }
    h.join().unwrap();
}

#[test]
fn receive_timeout_and_no_message() {
    let (port, _) = raw_server(1, |_, mut s| {
        read_request(&mut s);
        thread::sleep(Duration::from_millis(800));
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_timeout(Some(Duration::from_millis(200)));
    let t = Instant::now();
    let e = exchange(&mut s, &mut get("/")).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Timeout), "{e:?}");
    assert!(t.elapsed() < Duration::from_millis(700));

    let (port, _) = raw_server(1, |_, mut s| {
        read_request(&mut s);
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    assert!(matches!(exchange(&mut s, &mut get("/")).map_err(|e| e.kind()), Err(ErrorKind::NoMessage)));
}

#[test]
fn request_deadline_bounds_a_trickling_server() {
    let (port, _) = raw_server(1, |_, mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        for _ in 0..40 {
            if s.write_all(b"x").is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_timeout(Some(Duration::from_secs(5)));
    s.set_request_timeout(Some(Duration::from_millis(300)));
    let t = Instant::now();
    let e = exchange(&mut s, &mut get("/")).unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(t.elapsed() < Duration::from_millis(1000), "{:?}", t.elapsed());
}

#[test]
fn abort_handle_unblocks_a_reader_from_another_thread() {
    let (port, _) = raw_server(1, |_, mut s| {
        read_request(&mut s);
        thread::sleep(Duration::from_secs(3));
    });
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let handle = s.abort_handle();
    let t = Instant::now();
    let aborter = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        handle.abort();
    });
    let e = exchange(&mut s, &mut get("/")).unwrap_err();
    aborter.join().unwrap();
    assert!(matches!(e.kind(), ErrorKind::ConnectionAborted), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(s.send_request(&mut get("/")).map_err(|e| e.kind()), Err(ErrorKind::ConnectionAborted)),
        "sticky until reset"
    );
    s.reset();
    assert!(!s.abort_handle().is_aborted());
}

#[test]
fn connection_refused_and_host_not_found() {
    let port = common::free_port();
    let mut s = HttpClientSession::new("127.0.0.1", port);
    let e = exchange(&mut s, &mut get("/")).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::ConnectionRefused), "{e:?}");
    assert_eq!(e.poco_class(), "ConnectionRefusedException");
    let mut s = HttpClientSession::new("nonexistent.invalid", 80);
    let e = exchange(&mut s, &mut get("/")).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::HostNotFound), "{e:?}");
}

#[test]
fn header_injection_is_refused_before_sending() {
    let mut s = HttpClientSession::new("127.0.0.1", 9);
    let mut req = get("/");
    req.set("X-Evil", "a\r\nHost: other");
    assert!(matches!(s.send_request(&mut req).map_err(|e| e.kind()), Err(ErrorKind::InvalidArgument)));
    let _ = TcpStream::connect(("127.0.0.1", 9)); // nothing was sent anywhere
}
