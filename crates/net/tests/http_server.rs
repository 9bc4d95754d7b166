//! HttpServer against real clients on 127.0.0.1: the crate's own HttpClientSession, curl,
//! and raw bytes where the exact wire matters.

mod common;
mod support;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rpoco_net::{
    HTTP_1_1, HttpClientSession, HttpMessage, HttpRequest, HttpRequestHandler, HttpResponse,
    HttpServerParams, HttpServerRequest, HttpStatus, handler_fn,
};
use support::{connect, echo, exchange, serve};

#[test]
fn client_session_keep_alive_and_prefilled_headers() {
    let server = serve(echo(), HttpServerParams::default());
    let mut session = HttpClientSession::new("127.0.0.1", server.port());
    session.set_keep_alive(true);
    for i in 0..5 {
        let body = format!("request {i}");
        let mut req = HttpRequest::new("POST", &format!("/echo/{i}?q=1"), HTTP_1_1);
        req.set_content_length(Some(body.len() as u64));
        session.send_request(&mut req).unwrap().write_all(body.as_bytes()).unwrap();
        let mut res = HttpResponse::default();
        let mut got = String::new();
        session.receive_response(&mut res).unwrap().read_to_string(&mut got).unwrap();
        assert_eq!(res.status(), HttpStatus::OK);
        assert_eq!(got, body);
        assert_eq!(res.get("X-Uri"), Some(format!("/echo/{i}?q=1").as_str()));
        assert_eq!(res.get("X-Secure"), Some("no"));
        assert_eq!(res.get("Connection"), Some("Keep-Alive"));
        assert!(res.date().is_ok(), "Date header: {:?}", res.get("Date"));
        assert!(!res.has("Server"), "no Server header unless software_version is set");
        // Date comes first, as POCO writes it.
        assert_eq!(res.header().iter().next().map(|(n, _)| n), Some("Date"));
    }
    assert_eq!(server.tcp_server().total_connections(), 1, "one kept-alive connection");
}

#[test]
fn server_header_version_and_connection_close() {
    let params =
        HttpServerParams { software_version: "rpoco-test/1.0".into(), ..HttpServerParams::default() };
    let server = serve(echo(), params);
    let (res, mut s) = exchange(server.port(), b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!((res.version.as_str(), res.status), ("HTTP/1.0", 200));
    assert_eq!(res.header("Server"), Some("rpoco-test/1.0"));
    assert_eq!(res.header("Connection"), Some("Close"), "HTTP/1.0 without keep-alive");
    assert!(s.closed_within(Duration::from_secs(5)));
    // HTTP/1.0 with Connection: Keep-Alive stays open.
    let (res, mut s) = exchange(server.port(), b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    assert_eq!(res.header("Connection"), Some("Keep-Alive"));
    s.write_all(b"GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let res = s.read_response("GET").unwrap();
    assert_eq!((res.header("X-Uri"), res.header("Connection")), (Some("/again"), Some("Close")));
    assert!(s.closed_within(Duration::from_secs(5)));
}

#[test]
fn max_keep_alive_requests_closes_after_the_budget() {
    let params = HttpServerParams { max_keep_alive_requests: 2, ..HttpServerParams::default() };
    let server = serve(echo(), params);
    let mut s = connect(server.port());
    s.write_all(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(s.read_response("GET").unwrap().header("Connection"), Some("Keep-Alive"));
    s.write_all(b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(s.read_response("GET").unwrap().header("Connection"), Some("Close"));
    assert!(s.closed_within(Duration::from_secs(5)));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = serve(echo(), HttpServerParams::default());
    let mut s = connect(server.port());
    let mut batch = Vec::new();
    for i in 0..20 {
        batch.extend_from_slice(
            format!("POST /p{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{i:03}").as_bytes(),
        );
    }
    batch.extend_from_slice(b"HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n");
    batch.extend_from_slice(
        b"GET /last HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    );
    s.write_all(&batch);
    for i in 0..20 {
        let res = s.read_response("POST").unwrap();
        assert_eq!(res.header("X-Uri"), Some(format!("/p{i}").as_str()));
        assert_eq!(res.body, format!("{i:03}").as_bytes());
    }
    let head = s.read_response("HEAD").unwrap();
    assert_eq!((head.status, head.header("Content-Length")), (200, Some("0")));
    let last = s.read_response("GET").unwrap();
    assert_eq!((last.header("X-Uri"), last.body.as_slice()), (Some("/last"), &b"ok"[..]));
}

#[test]
fn head_has_no_body_but_the_get_headers() {
    let server = serve(
        handler_fn(|_, response| {
            response.set_content_type("text/plain");
            response.send_buffer(b"twelve bytes")
        }),
        HttpServerParams::default(),
    );
    let (res, mut s) = exchange(server.port(), b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((res.status, res.header("Content-Length")), (200, Some("12")));
    // The next response must start right after the head: no stray body bytes.
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(s.read_response("GET").unwrap().body, b"twelve bytes");
}

#[test]
fn send_framing_follows_poco() {
    let server = serve(
        handler_fn(|request, response| {
            match request.uri() {
                "/chunked" => response.set_chunked_transfer_encoding(true),
                "/length" => response.set_content_length(Some(10)),
                _ => {}
            }
            let mut out = response.send()?;
            for _ in 0..5 {
                out.write_all(b"ab")?;
            }
            out.finish()
        }),
        HttpServerParams::default(),
    );
    let (res, _) = exchange(server.port(), b"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((res.header("Transfer-Encoding"), res.body.as_slice()), (Some("chunked"), &b"ababababab"[..]));
    let (res, _) = exchange(server.port(), b"GET /length HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((res.header("Content-Length"), res.header("Connection")), (Some("10"), Some("Keep-Alive")));
    // Neither: close-delimited, and the server says so.
    let (res, _) = exchange(server.port(), b"GET /neither HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((res.header("Connection"), res.body.as_slice()), (Some("Close"), &b"ababababab"[..]));
    // HTTP/1.0 clients cannot read chunked: close-delimited instead.
    let (res, _) = exchange(server.port(), b"GET /chunked HTTP/1.0\r\n\r\n");
    assert_eq!((res.header("Transfer-Encoding"), res.body.as_slice()), (None, &b"ababababab"[..]));
}

#[test]
fn large_streamed_bodies_both_ways() {
    let server = serve(
        handler_fn(|request, response| {
            response.set_chunked_transfer_encoding(true);
            let mut out = response.send()?;
            std::io::copy(request, &mut out)?;
            out.finish()
        }),
        HttpServerParams::default(),
    );
    let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut session = HttpClientSession::new("127.0.0.1", server.port());
    let mut req = HttpRequest::new("PUT", "/big", HTTP_1_1);
    req.set_chunked_transfer_encoding(true);
    let mut w = session.send_request(&mut req).unwrap();
    for part in body.chunks(100_000) {
        w.write_all(part).unwrap();
    }
    w.finish().unwrap();
    let mut res = HttpResponse::default();
    let mut got = Vec::new();
    session.receive_response(&mut res).unwrap().read_to_end(&mut got).unwrap();
    assert_eq!(got.len(), body.len());
    assert!(got == body);
}

#[test]
fn no_handler_is_501_and_errors_are_500() {
    let server = serve(
        |request: &HttpServerRequest<'_>| -> Option<Box<dyn HttpRequestHandler>> {
            match request.uri() {
                "/fail" => Some(Box::new(
                    |_: &mut HttpServerRequest<'_>, _: &mut rpoco_net::HttpServerResponse<'_>| {
                        Err(rpoco_net::Error::new(rpoco_net::ErrorKind::NotFound, "thing"))
                    },
                )),
                _ => None,
            }
        },
        HttpServerParams::default(),
    );
    let (res, mut s) = exchange(server.port(), b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((res.status, res.reason.as_str()), (501, "Not Implemented"));
    assert!(s.closed_within(Duration::from_secs(5)));
    let (res, mut s) = exchange(server.port(), b"GET /fail HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((res.status, res.header("Connection")), (500, Some("Close")));
    assert!(s.closed_within(Duration::from_secs(5)));
}

#[test]
fn send_file_redirect_and_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(&page, b"<h1>file</h1>").unwrap();
    let big = dir.path().join("data.bin");
    let data: Vec<u8> = (0..1_500_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&big, &data).unwrap();
    let root = dir.path().to_path_buf();
    let server = serve(
        handler_fn(move |request, response| match request.uri() {
            "/page" => response.send_file(root.join("page.html"), ""),
            "/data" => response.send_file(root.join("data.bin"), "application/x-test"),
            "/missing" => response.send_file(root.join("nope"), ""),
            "/moved" => response.redirect("/page", HttpStatus::MOVED_PERMANENTLY),
            _ => {
                if rpoco_net::HttpBasicCredentials::from_request(request.request())
                    .is_ok_and(|c| c.username() == "user" && c.password() == "secret")
                {
                    response.send_buffer(b"welcome")
                } else {
                    response.require_authentication("test \"realm\"");
                    Ok(())
                }
            }
        }),
        HttpServerParams::default(),
    );
    let (res, _) = exchange(server.port(), b"GET /page HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(res.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert!(res.header("Last-Modified").is_some_and(|d| d.ends_with("GMT")));
    assert_eq!(res.body, b"<h1>file</h1>");
    let (res, _) = exchange(server.port(), b"HEAD /data HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(
        (res.header("Content-Length"), res.header("Content-Type")),
        (Some("1500000"), Some("application/x-test"))
    );
    let (res, _) = exchange(server.port(), b"GET /data HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(res.body == data);
    let (res, _) = exchange(server.port(), b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(res.status, 500, "OpenFile before anything was sent");
    let (res, _) = exchange(server.port(), b"GET /moved HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(
        (res.status, res.header("Location"), res.header("Content-Length")),
        (301, Some("/page"), Some("0"))
    );
    let (res, _) = exchange(server.port(), b"GET /secret HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(res.status, 401);
    assert_eq!(res.header("WWW-Authenticate"), Some(r#"Basic realm="test \"realm\"""#));
    let (res, _) = exchange(
        server.port(),
        b"GET /secret HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dXNlcjpzZWNyZXQ=\r\n\r\n",
    );
    assert_eq!((res.status, res.body.as_slice()), (200, &b"welcome"[..]));
}

#[test]
fn expect_continue_is_sent_when_the_body_is_read() {
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let server = serve(
        handler_fn(move |request, response| {
            if request.uri() == "/refuse" {
                response.set_status(HttpStatus::REQUEST_ENTITY_TOO_LARGE);
                return response.send_buffer(b"");
            }
            assert!(request.expect_continue());
            counter.fetch_add(1, Ordering::SeqCst);
            let mut body = Vec::new();
            request.read_to_end(&mut body)?;
            response.send_buffer(&body)
        }),
        HttpServerParams::default(),
    );
    let mut s = connect(server.port());
    s.write_all(b"PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    let cont = s.read_response("PUT").unwrap();
    assert_eq!((cont.status, cont.reason.as_str()), (100, "Continue"));
    s.write_all(b"data");
    let res = s.read_response("PUT").unwrap();
    assert_eq!((res.status, res.body.as_slice()), (200, &b"data"[..]));
    // A handler answering without reading: no 100, the final status, and the connection
    // closes (the client may or may not send the body).
    let (res, mut s) = exchange(
        server.port(),
        b"PUT /refuse HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 99999\r\n\r\n",
    );
    assert_eq!(res.status, 413);
    assert!(s.closed_within(Duration::from_secs(5)));
    assert_eq!(reads.load(Ordering::SeqCst), 1);
}

#[test]
fn curl_against_the_server() {
    let Some(curl) = common::require("curl") else { return };
    let server = serve(echo(), HttpServerParams::default());
    let base = format!("http://127.0.0.1:{}", server.port());
    let run = |args: &[&str]| {
        let out =
            std::process::Command::new(&curl).args(["-sS", "--max-time", "10"]).args(args).output().unwrap();
        assert!(out.status.success(), "curl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    // Two URLs on one connection: keep-alive works.
    let out = run(&[
        "-w",
        "%{http_code} %{num_connects}\n",
        "-o",
        "/dev/null",
        &format!("{base}/a"),
        "-o",
        "/dev/null",
        &format!("{base}/b"),
    ]);
    assert_eq!(String::from_utf8_lossy(&out), "200 1\n200 0\n");
    // A 2 MB upload: curl sends Expect: 100-continue and waits for it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("up.bin");
    let data: Vec<u8> = (0..2_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &data).unwrap();
    let out = run(&[
        "--data-binary",
        &format!("@{}", file.display()),
        "-H",
        "Content-Type: application/octet-stream",
        &format!("{base}/upload"),
    ]);
    assert!(out == data, "echoed upload ({} bytes)", out.len());
    // Chunked upload, HTTP/1.0, HEAD.
    let out =
        run(&["-H", "Transfer-Encoding: chunked", "--data-binary", "chunked body", &format!("{base}/c")]);
    assert_eq!(out, b"chunked body");
    let out = run(&["--http1.0", "-i", &format!("{base}/old")]);
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.0 200 OK\r\n") && text.contains("Connection: Close"), "{text}");
    let out = run(&["-I", &format!("{base}/h")]);
    assert!(String::from_utf8_lossy(&out).contains("Content-Length: 0"));
}
