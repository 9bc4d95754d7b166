//! A WebSocket client: connects to `ws://` or `wss://` URL, sends each MESSAGE as a text
//! message and prints each echo, one per line, then closes with 1000.
//!
//! ```text
//! websocket_client [--ca FILE] [--no-deflate] URL [MESSAGE...]
//! ```
//!
//! `wss://` verifies the server against `--ca FILE`, or the Mozilla roots without it.
//! Without messages it sends "Hello, world!" (as POCO's WebSocket test does).

use std::process::ExitCode;

use rpoco::foundation::Uri;
use rpoco::net::websocket::{Message, WebSocket, WebSocketConfig};
use rpoco::net::{HTTP_1_1, HttpClientSession, HttpRequest, HttpResponse};
use rpoco::netssl::{Context, HttpsClientSession, Usage, VerificationMode};

const USAGE: &str = "usage: websocket_client [--ca FILE] [--no-deflate] URL [MESSAGE...]";

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let mut ca = None;
    let mut deflate = true;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--ca" => ca = Some(it.next().ok_or("--ca needs a file")?.clone()),
            "--no-deflate" => deflate = false,
            "-h" | "--help" => return Err(USAGE.into()),
            _ => rest.push(a.clone()),
        }
    }
    let url = rest.first().ok_or(USAGE)?;
    let uri = Uri::parse(url)?;
    let mut path = uri.path_and_query();
    if path.is_empty() {
        path = "/".into();
    }
    let mut messages: Vec<String> = rest[1..].to_vec();
    if messages.is_empty() {
        messages.push("Hello, world!".into());
    }
    let config = if deflate { WebSocketConfig::default().with_deflate() } else { WebSocketConfig::default() };
    let mut request = HttpRequest::new(HttpRequest::HTTP_GET, &path, HTTP_1_1);
    let mut response = HttpResponse::default();
    // WebSocket ws(cs, request, response);
    let mut ws = match uri.scheme() {
        "ws" => {
            let mut session = HttpClientSession::new(uri.host(), uri.port());
            WebSocket::connect_with(&mut session, &mut request, &mut response, None, config)?
        }
        "wss" => {
            let context = Context::new(
                Usage::Client,
                "",
                "",
                ca.as_deref().unwrap_or(""),
                VerificationMode::Relaxed,
                9,
                ca.is_none(),
                "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH",
            )?;
            let mut session = HttpsClientSession::new(uri.host(), uri.port(), context);
            WebSocket::connect_with(&mut session, &mut request, &mut response, None, config)?
        }
        other => return Err(format!("only ws:// and wss:// URLs are supported (got `{other}`)").into()),
    };
    for m in &messages {
        ws.send_text(m)?;
        loop {
            match ws.read_message()? {
                Message::Text(t) => {
                    println!("{t}");
                    break;
                }
                Message::Binary(b) => {
                    println!("<{} bytes>", b.len());
                    break;
                }
                Message::Close(c) => return Err(format!("the server closed the connection: {c:?}").into()),
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
    }
    ws.close(1000, "")?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("websocket_client: {e}");
            ExitCode::FAILURE
        }
    }
}
