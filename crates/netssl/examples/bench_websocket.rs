//! WebSocket echo load for `cargo xtask bench websocket`, with `WebSocket` on `HttpServer`
//! and `HttpClientSession`/`HttpsClientSession` as a POCO program would use them (the peers:
//! `xtask/peers/poco_ws_bench.cpp` and `xtask/peers/tungstenite_ws/`, same command line).
//!
//! ```text
//! bench_websocket server [--tls CERT KEY]
//!     echo server at /ws on 127.0.0.1; prints `listening on 127.0.0.1:PORT`
//! bench_websocket client PORT SIZE SECONDS [--tls CA]
//!     binary messages of SIZE bytes, one round trip at a time, for SECONDS
//! ```
//! The client prints `round_trips=N bytes=B seconds=S`.

use std::io::Write;
use std::time::{Duration, Instant};

use rpoco_net::websocket::{Message, WebSocket, WebSocketConfig};
use rpoco_net::{
    HTTP_1_1, HttpClientSession, HttpRequest, HttpResponse, HttpServer, HttpServerParams, ServerSocket,
    SocketAddress, handler_fn,
};
use rpoco_netssl::{Context, HttpsClientSession, SecureServerSocket, Usage, VerificationMode};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn config() -> WebSocketConfig {
    WebSocketConfig { timeout: Some(Duration::from_secs(30)), ..WebSocketConfig::default() }
}

fn server(tls: Option<(&str, &str)>) -> Result<()> {
    let factory = handler_fn(|request, response| {
        let Ok(mut ws) = WebSocket::accept_with(request, response, config()) else { return Ok(()) };
        loop {
            match ws.read_message() {
                Ok(Message::Binary(b)) => ws.send_binary(&b)?,
                Ok(Message::Text(t)) => ws.send_text(&t)?,
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                Ok(Message::Close(_)) | Err(_) => return Ok(()),
            }
        }
    });
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, true)?;
    let params = HttpServerParams::default();
    let server = match tls {
        Some((cert, key)) => {
            let context =
                Context::new(Usage::Server, key, cert, "", VerificationMode::None, 9, false, "ALL")?;
            HttpServer::with_listener(factory, SecureServerSocket::new(socket, &context)?, params)?
        }
        None => HttpServer::new(factory, socket, params)?,
    };
    server.start()?;
    println!("listening on {}", server.address()?);
    std::io::stdout().flush()?;
    loop {
        std::thread::park();
    }
}

fn client(port: u16, size: usize, seconds: f64, ca: Option<&str>) -> Result<()> {
    let mut request = HttpRequest::new(HttpRequest::HTTP_GET, "/ws", HTTP_1_1);
    let mut response = HttpResponse::default();
    let mut ws = match ca {
        Some(ca) => {
            let context = Context::new(
                Usage::Client,
                "",
                "",
                ca,
                VerificationMode::Relaxed,
                9,
                false,
                "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH",
            )?;
            let mut session = HttpsClientSession::new("localhost", port, context);
            WebSocket::connect_with(&mut session, &mut request, &mut response, None, config())?
        }
        None => {
            let mut session = HttpClientSession::new("127.0.0.1", port);
            WebSocket::connect_with(&mut session, &mut request, &mut response, None, config())?
        }
    };
    let payload: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let (mut round_trips, mut bytes) = (0u64, 0u64);
    let started = Instant::now();
    let budget = Duration::from_secs_f64(seconds);
    while started.elapsed() < budget {
        ws.send_binary(&payload)?;
        match ws.read_message()? {
            Message::Binary(b) if b.len() == size => bytes += b.len() as u64,
            _ => {
                return Err(format!("the echo of round trip {round_trips} is not {size} binary bytes").into());
            }
        }
        round_trips += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    ws.close(1000, "")?;
    println!("round_trips={round_trips} bytes={bytes} seconds={elapsed:.6}");
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["server"] => server(None),
        ["server", "--tls", cert, key] => server(Some((cert, key))),
        ["client", port, size, seconds] => client(port.parse()?, size.parse()?, seconds.parse()?, None),
        ["client", port, size, seconds, "--tls", ca] => {
            client(port.parse()?, size.parse()?, seconds.parse()?, Some(ca))
        }
        _ => {
            Err("usage: bench_websocket server [--tls CERT KEY] | client PORT SIZE SECONDS [--tls CA]".into())
        }
    }
}
