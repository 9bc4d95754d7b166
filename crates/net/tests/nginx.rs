//! HttpClientSession against a private nginx on 127.0.0.1, with curl as the reference
//! client for the same requests.

mod common;

use std::io::{Read, Write};

use common::curl;
use rpoco_net::{
    ErrorKind, HTTP_1_1, HttpClientSession, HttpMessage, HttpRequest, HttpResponse, UriStreamOpener,
};

fn fetch(session: &mut HttpClientSession, method: &str, path: &str) -> (HttpResponse, Vec<u8>) {
    let mut req = HttpRequest::new(method, path, HTTP_1_1);
    session.send_request(&mut req).unwrap();
    let mut res = HttpResponse::default();
    let mut body = Vec::new();
    session.receive_response(&mut res).unwrap().read_to_end(&mut body).unwrap();
    (res, body)
}

#[test]
fn same_bytes_as_curl_for_static_chunked_and_large_bodies() {
    let Some(nginx) = common::nginx() else { return };
    let mut s = HttpClientSession::new("127.0.0.1", nginx.port);
    s.set_keep_alive(true);
    for path in ["/index.html", "/big.bin", "/chunked/text.txt", "/nope"] {
        let (res, body) = fetch(&mut s, "GET", path);
        let Some(reference) = curl(&["-s", &nginx.url(path)]) else { return };
        assert_eq!(body, reference, "{path}");
        match path {
            "/chunked/text.txt" => {
                assert!(res.chunked_transfer_encoding(), "nginx's sub_filter answers chunked");
                assert_eq!(body, "ABCdefghij".repeat(3000).as_bytes());
            }
            "/nope" => assert_eq!(res.status().code(), 404),
            _ => assert_eq!(res.content_length(), Some(body.len() as u64)),
        }
    }
    let on_disk = std::fs::read(nginx.root.join("big.bin")).unwrap();
    assert_eq!(fetch(&mut s, "GET", "/big.bin").1, on_disk);
}

#[test]
fn keep_alive_reuses_the_connection_and_head_has_no_body() {
    let Some(nginx) = common::nginx() else { return };
    let mut s = HttpClientSession::new("127.0.0.1", nginx.port);
    s.set_keep_alive(true);
    fetch(&mut s, "GET", "/index.html");
    let local = s.transport().unwrap().address().unwrap();
    for i in 0..50 {
        let method = if i % 5 == 0 { "HEAD" } else { "GET" };
        let (res, body) = fetch(&mut s, method, "/index.html");
        assert_eq!(res.status().code(), 200);
        assert_eq!(body.len(), if method == "HEAD" { 0 } else { 30 });
        assert_eq!(s.transport().unwrap().address().unwrap(), local, "request {i} reused the connection");
    }
    // Keep-alive off (POCO's default): a connection per request, `Connection: Close`.
    let mut s = HttpClientSession::new("127.0.0.1", nginx.port);
    let (res, _) = fetch(&mut s, "GET", "/index.html");
    assert!(!res.keep_alive());
}

#[test]
fn uploads_chunked_and_fixed_length_round_trip() {
    let Some(nginx) = common::nginx() else { return };
    let mut s = HttpClientSession::new("127.0.0.1", nginx.port);
    s.set_keep_alive(true);
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    for (name, chunked) in [("a.bin", true), ("b.bin", false)] {
        let mut req = HttpRequest::new("PUT", &format!("/up/{name}"), HTTP_1_1);
        if chunked {
            req.set_chunked_transfer_encoding(true);
        } else {
            req.set_content_length(Some(payload.len() as u64));
        }
        let mut body = s.send_request(&mut req).unwrap();
        for piece in payload.chunks(30_000) {
            body.write_all(piece).unwrap();
        }
        body.finish().unwrap();
        let mut res = HttpResponse::default();
        std::io::copy(&mut s.receive_response(&mut res).unwrap(), &mut std::io::sink()).unwrap();
        assert!(matches!(res.status().code(), 201 | 204), "{name}: {}", res.status());
        assert_eq!(std::fs::read(nginx.root.join("up").join(name)).unwrap(), payload);
        assert_eq!(fetch(&mut s, "GET", &format!("/up/{name}")).1, payload);
    }
}

#[test]
fn stream_opener_follows_redirects_like_curl() {
    let Some(nginx) = common::nginx() else { return };
    let mut body = Vec::new();
    UriStreamOpener::default_opener()
        .open(&nginx.url("/redirect-abs"))
        .unwrap()
        .read_to_end(&mut body)
        .unwrap();
    let Some(reference) = curl(&["-s", "-L", &nginx.url("/redirect-abs")]) else { return };
    assert_eq!(body, reference);
    let e = UriStreamOpener::default_opener().open(&nginx.url("/missing")).err().expect("404 is an error");
    assert!(e.kind() == ErrorKind::Http && e.message().starts_with("404 Not Found"), "{e}");
}
