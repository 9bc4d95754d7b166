//! Issue 18's server findings, each from a raw-bytes client on 127.0.0.1: framing fields
//! trimmed only of SP/HTAB, `Host` rules, case-sensitive methods, empty
//! `Transfer-Encoding`, CRLF in chunked framing, binary junk answered 400, absolute-form
//! targets given to handlers as paths.

mod support;

use std::time::Duration;

use rpoco_net::{HttpMessage, HttpServerParams, handler_fn};
use support::{connect, echo, exchange, serve};

/// Sends `request`; asserts the answer is `status` and, for 4xx, that the server closes.
fn expect(port: u16, request: &[u8], status: u16) -> support::RawResponse {
    let (res, mut c) = exchange(port, request);
    assert_eq!(res.status, status, "for {:?}: {res:?}", String::from_utf8_lossy(request));
    if status >= 400 {
        assert_eq!(res.header("Connection"), Some("Close"));
        assert!(c.closed_within(Duration::from_secs(10)), "closes after {status}");
    }
    res
}

#[test]
fn framing_fields_are_trimmed_of_sp_and_htab_only() {
    let server = serve(echo(), HttpServerParams::default());
    let port = server.port();
    // NEL (0x85) after or NBSP (0xA0) before `chunked`, NBSP after a length: not chunked,
    // not a length; a smuggling differential if they were taken.
    let te_nel = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\x85\r\n\r\n0\r\n\r\n";
    let te_nbsp = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \xa0chunked\r\n\r\n0\r\n\r\n";
    let cl_nbsp = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\xa0\r\n\r\nhello";
    let te_nbsp_utf8 = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\u{a0}\r\n\r\n0\r\n\r\n";
    for request in [&te_nel[..], te_nbsp, cl_nbsp, te_nbsp_utf8.as_bytes()] {
        expect(port, request, 400);
    }
    // SP and HTAB are optional whitespace and stay accepted.
    let res = expect(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \t5 \r\n\r\nhello", 200);
    assert_eq!(res.body, b"hello");
    let te_ows = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \tchunked \t\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
    assert_eq!(expect(port, te_ows, 200).body, b"hi");
}

#[test]
fn an_empty_or_non_chunked_transfer_encoding_is_refused() {
    let server = serve(echo(), HttpServerParams::default());
    for request in [
        &b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\nContent-Length: 5\r\n\r\nhello"[..],
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ,\r\nContent-Length: 5\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n",
    ] {
        expect(server.port(), request, 400);
    }
}

#[test]
fn host_must_be_present_once_and_be_host_and_port() {
    let server = serve(echo(), HttpServerParams::default());
    let port = server.port();
    for hosts in [
        "",
        "Host: localhost\r\nHost: localhost\r\n",
        "Host: localhost\r\nHost: example.com\r\n",
        "Host: user:pw@localhost\r\n",
        "Host: localhost/path\r\n",
        "Host: localhost:80x\r\n",
        "Host: local host\r\n",
    ] {
        expect(port, format!("GET / HTTP/1.1\r\n{hosts}\r\n").as_bytes(), 400);
    }
    for host in ["localhost", "localhost:8080", "127.0.0.1:1", "[::1]:80", ""] {
        expect(port, format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(), 200);
    }
    // HTTP/1.0 may leave it out.
    expect(port, b"GET / HTTP/1.0\r\n\r\n", 200);
}

#[test]
fn methods_are_case_sensitive_so_lower_case_head_gets_a_body() {
    let server = serve(
        handler_fn(|request, response| {
            response.set("X-Method", request.method());
            response.set_chunked_transfer_encoding(true);
            let mut out = response.send()?;
            std::io::Write::write_all(&mut out, b"body")?;
            out.finish()
        }),
        HttpServerParams::default(),
    );
    let mut c = connect(server.port());
    c.write_all(b"head / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
    // `head` is not `HEAD`: an unknown method, so the chunked body it announces follows.
    let res = c.read_response("GET").unwrap();
    assert_eq!((res.header("X-Method"), res.body.as_slice()), (Some("head"), &b"body"[..]));
    let next = c.read_response("GET").unwrap();
    assert_eq!((next.status, next.header("X-Method")), (200, Some("GET")));
    // Real HEAD: no body, and the next response follows the head directly.
    c.write_all(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let res = c.read_response("HEAD").unwrap();
    assert_eq!(res.header("Transfer-Encoding"), Some("chunked"));
    let next = c.read_response("GET").unwrap();
    assert_eq!((next.header("X-Method"), next.body.as_slice()), (Some("GET"), &b"body"[..]));
}

#[test]
fn chunk_lines_need_crlf() {
    let server = serve(echo(), HttpServerParams::default());
    let port = server.port();
    let head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for body in
        ["5\nhello\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5\r\nhello\r\n0\n\r\n", "5\r\nhello\r\n0\r\n\n"]
    {
        expect(port, format!("{head}{body}").as_bytes(), 400);
    }
    for trailer in ["X-T: 1\n\r\n", "X-T: 1\r\n\n"] {
        expect(port, format!("{head}5\r\nhello\r\n0\r\n{trailer}").as_bytes(), 400);
    }
    let res = expect(port, format!("{head}5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n").as_bytes(), 200);
    assert_eq!(res.body, b"hello");
}

#[test]
fn binary_junk_and_overlong_methods_are_bad_requests() {
    let server = serve(echo(), HttpServerParams::default());
    // The start of a TLS 1.2/1.3 ClientHello record.
    let mut hello = vec![0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];
    hello.extend((0..64u8).map(|i| i.wrapping_mul(37)));
    expect(server.port(), &hello, 400);
    // A token longer than any method the server knows: 400 as well, never 414.
    let long = format!("{} / HTTP/1.1\r\nHost: x\r\n\r\n", "A".repeat(40));
    expect(server.port(), long.as_bytes(), 400);
    expect(server.port(), &long.as_bytes()[..36], 400);
}

#[test]
fn absolute_form_targets_reach_the_handler_as_paths() {
    let server = serve(
        handler_fn(|request, response| {
            response.set("X-Host", request.host().unwrap_or("-"));
            response.set("X-Target", request.request_target());
            if request.uri() == "/" {
                response.send_buffer(b"root")
            } else {
                response.set_status(rpoco_net::HttpStatus::NOT_IMPLEMENTED);
                response.send_buffer(request.uri().as_bytes())
            }
        }),
        HttpServerParams::default(),
    );
    let res = expect(server.port(), b"GET http://localhost:8080/ HTTP/1.1\r\nHost: elsewhere\r\n\r\n", 200);
    assert_eq!(res.body, b"root");
    assert_eq!(res.header("X-Host"), Some("localhost:8080"), "the target's authority wins over Host");
    assert_eq!(res.header("X-Target"), Some("http://localhost:8080/"));
    let res = expect(server.port(), b"GET HTTP://localhost HTTP/1.1\r\nHost: localhost\r\n\r\n", 200);
    assert_eq!(res.body, b"root");
    let echo = serve(echo(), HttpServerParams::default());
    let res = expect(echo.port(), b"GET http://h/a/b?c=d HTTP/1.1\r\nHost: h\r\n\r\n", 200);
    assert_eq!(
        (res.header("X-Uri"), res.header("X-Absolute"), res.header("X-Target")),
        (Some("/a/b?c=d"), Some("yes"), Some("http://h/a/b?c=d"))
    );
    expect(echo.port(), b"GET ftp://h/a HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    expect(echo.port(), b"GET http://user@h/a HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    expect(echo.port(), b"GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}
