//! The Autobahn testsuite's cases (sections 1–7, 9, 10, 12, 13) both ways: our server under
#![allow(unreachable_pub)] // test-only modules shared by path
//! the fuzzing client, our client under the fuzzing server. No case may end FAILED; the
//! counts per section are printed (run with `--nocapture` to see them).

#[path = "autobahn/cases.rs"]
mod cases;
#[path = "autobahn/fuzzer.rs"]
mod fuzzer;

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use fuzzer::{Case, DeflateCase, Fuzzer, Outcome};
use rpoco_net::proto::{RequestLimits, parse_request_head, parse_response_head};
use rpoco_net::websocket::handshake::{client_check, client_request, server_check, server_response};
use rpoco_net::websocket::{DeflateConfig, Message, Negotiated, Role, WebSocket, WebSocketConfig};
use rpoco_net::{
    DetachedConnection, HeaderLimits, HttpMessage, HttpRequest, HttpResponse, ServerSocket, SocketAddress,
    StreamSocket,
};

fn offer(nct: bool, bits: u8) -> DeflateConfig {
    DeflateConfig {
        request_peer_no_context_takeover: nct,
        request_peer_max_window_bits: if bits == 0 { 15 } else { bits },
        ..DeflateConfig::default()
    }
}

fn read_head(stream: &mut TcpStream) -> (Vec<u8>, usize) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return (buf, i + 4);
        }
        let n = stream.read(&mut chunk).expect("handshake read");
        assert!(n > 0, "connection closed in the handshake");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn echo_loop(mut ws: WebSocket) {
    loop {
        match ws.read_message() {
            Ok(Message::Text(t)) => {
                if ws.send_text(&t).is_err() {
                    return;
                }
            }
            Ok(Message::Binary(b)) => {
                if ws.send_binary(&b).is_err() {
                    return;
                }
            }
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            Ok(Message::Close(_)) | Err(_) => return,
        }
    }
}

fn config() -> WebSocketConfig {
    WebSocketConfig { timeout: Some(Duration::from_secs(30)), ..WebSocketConfig::default().with_deflate() }
}

/// Our echo server: a thread per connection.
fn start_server() -> SocketAddress {
    let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
    let addr = server.address().unwrap();
    std::thread::spawn(move || {
        while let Ok((peer, _)) = server.accept_connection() {
            std::thread::spawn(move || {
                if let Ok((ws, _)) =
                    WebSocket::server_handshake(DetachedConnection::new(Box::new(peer)), config())
                {
                    echo_loop(ws);
                }
            });
        }
    });
    addr
}

fn fuzz_our_server(addr: &SocketAddress, case: &Case) -> (Outcome, String) {
    let mut stream = TcpStream::connect(addr.to_string()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut request = HttpRequest::new("GET", "/", "HTTP/1.1");
    request.set_host_only(&addr.to_string());
    let cfg = WebSocketConfig {
        deflate: case.deflate.as_ref().map(|d| offer(d.offers[0].0, d.offers[0].1)),
        ..WebSocketConfig::default()
    };
    let key = client_request(&mut request, &cfg);
    if let Some(d) = &case.deflate {
        let all: Vec<String> = d
            .offers
            .iter()
            .map(|&(n, b)| rpoco_net::websocket::deflate::client_offer(&offer(n, b)))
            .collect();
        request.set("Sec-WebSocket-Extensions", &all.join(", "));
    }
    std::io::Write::write_all(&mut stream, &request.to_bytes()).unwrap();
    let (buf, used) = read_head(&mut stream);
    let (response, _) = parse_response_head(&buf, &HeaderLimits::default()).unwrap().unwrap();
    let negotiated = match client_check(&response, &key, &cfg) {
        Ok(n) => n,
        Err(e) => return (Outcome::Failed, format!("handshake: {e}")),
    };
    run(Fuzzer::new(stream, Role::Client, &negotiated, &buf[used..]), case, &negotiated)
}

fn fuzz_our_client(case: &Case) -> (Outcome, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        let socket = StreamSocket::connect(&SocketAddress::parse(&addr.to_string()).unwrap()).unwrap();
        if let Ok((ws, _)) = WebSocket::client_handshake(
            DetachedConnection::new(Box::new(socket)),
            &addr.to_string(),
            "/",
            config(),
        ) {
            echo_loop(ws);
        }
    });
    let (mut stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let (buf, used) = read_head(&mut stream);
    let (request, _) = parse_request_head(&buf, &RequestLimits::default()).unwrap().unwrap();
    let key = server_check(&request).unwrap();
    let cfg = WebSocketConfig {
        deflate: case.deflate.as_ref().map(|d: &DeflateCase| offer(d.accept.0, d.accept.1)),
        ..WebSocketConfig::default()
    };
    let mut response = HttpResponse::default();
    response.set_version("HTTP/1.1");
    let negotiated = server_response(&request, &key, &cfg, &mut response);
    std::io::Write::write_all(&mut stream, &response.to_bytes()).unwrap();
    let result = run(Fuzzer::new(stream, Role::Server, &negotiated, &buf[used..]), case, &negotiated);
    client.join().expect("our client panicked");
    result
}

fn run(fuzzer: Fuzzer, case: &Case, negotiated: &Negotiated) -> (Outcome, String) {
    if case.deflate.is_some() && negotiated.deflate.is_none() {
        return (Outcome::Unimplemented, "permessage-deflate not negotiated".into());
    }
    fuzzer.run(case)
}

fn report(direction: &str, results: &[(String, Outcome, String)]) {
    let mut by_section: BTreeMap<u32, [usize; 5]> = BTreeMap::new();
    for (id, outcome, _) in results {
        let section = id.split('.').next().unwrap().parse().unwrap();
        by_section.entry(section).or_default()[*outcome as usize] += 1;
    }
    println!("autobahn {direction}: section OK NON-STRICT INFORMATIONAL UNIMPLEMENTED FAILED");
    for (s, c) in &by_section {
        println!("autobahn {direction}: {s:>2} {:>4} {:>4} {:>4} {:>4} {:>4}", c[0], c[1], c[2], c[3], c[4]);
    }
    let failed: Vec<_> = results.iter().filter(|r| r.1 == Outcome::Failed).collect();
    for (id, _, why) in &failed {
        println!("autobahn {direction}: FAILED {id}: {why}");
    }
    for (id, o, why) in results.iter().filter(|r| r.1 == Outcome::NonStrict) {
        println!("autobahn {direction}: {o:?} {id}: {why}");
    }
    assert!(
        failed.is_empty(),
        "{} {direction} case(s) FAILED: {:?}",
        failed.len(),
        failed.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
}

/// The catalogue, built once for both directions (its payloads take a while in a debug
/// build), filtered by `AUTOBAHN_CASES` (comma-separated case numbers or prefixes).
fn selected() -> Vec<&'static Case> {
    static ALL: OnceLock<Vec<Case>> = OnceLock::new();
    let only = std::env::var("AUTOBAHN_CASES").ok();
    ALL.get_or_init(cases::all)
        .iter()
        .filter(|c| {
            only.as_ref()
                .is_none_or(|o| o.split(',').any(|p| c.id == p || c.id.starts_with(&format!("{p}."))))
        })
        .collect()
}

#[test]
fn our_server_under_the_fuzzing_client() {
    let addr = start_server();
    let results: Vec<_> = selected()
        .iter()
        .map(|c| {
            let (o, why) = fuzz_our_server(&addr, c);
            (c.id.clone(), o, why)
        })
        .collect();
    report("server", &results);
}

#[test]
fn our_client_under_the_fuzzing_server() {
    let results: Vec<_> = selected()
        .iter()
        .map(|c| {
            let (o, why) = fuzz_our_client(c);
            (c.id.clone(), o, why)
        })
        .collect();
    report("client", &results);
}
