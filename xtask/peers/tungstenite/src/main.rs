//! tungstenite (sync) WebSocket echo load, the peer of rpoco's `bench_websocket` example.
//!
//! ```text
//! rpoco-peer-tungstenite server [--tls CERT KEY]
//!     echo server at /ws on 127.0.0.1, a thread per connection; prints `listening on ADDR`
//! rpoco-peer-tungstenite client PORT SIZE SECONDS [--tls CA]
//!     binary messages of SIZE bytes, one round trip at a time, for SECONDS
//! ```
//! The client prints `round_trips=N bytes=B seconds=S`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tungstenite::{Message, WebSocket};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn echo<S: Read + Write>(mut ws: WebSocket<S>) {
    loop {
        match ws.read() {
            Ok(m @ (Message::Binary(_) | Message::Text(_))) => {
                if ws.send(m).is_err() {
                    return;
                }
            }
            Ok(Message::Close(_)) | Err(_) => {
                let _ = ws.flush();
                return;
            }
            Ok(_) => {}
        }
    }
}

fn server(tls: Option<(&str, &str)>) -> Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let config = match tls {
        Some((cert, key)) => {
            let certs = CertificateDer::pem_file_iter(cert)?.collect::<std::result::Result<Vec<_>, _>>()?;
            let key = PrivateKeyDer::from_pem_file(key)?;
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            Some(Arc::new(
                rustls::ServerConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()?
                    .with_no_client_auth()
                    .with_single_cert(certs, key)?,
            ))
        }
        None => None,
    };
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    for stream in listener.incoming() {
        let stream = stream?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let config = config.clone();
        std::thread::spawn(move || match config {
            Some(config) => {
                let Ok(conn) = rustls::ServerConnection::new(config) else { return };
                if let Ok(ws) = tungstenite::accept(rustls::StreamOwned::new(conn, stream)) {
                    echo(ws);
                }
            }
            None => {
                if let Ok(ws) = tungstenite::accept(stream) {
                    echo(ws);
                }
            }
        });
    }
    Ok(())
}

fn round_trips<S: Read + Write>(ws: &mut WebSocket<S>, size: usize, seconds: f64) -> Result<()> {
    let payload: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let (mut count, mut bytes) = (0u64, 0u64);
    let started = Instant::now();
    let budget = Duration::from_secs_f64(seconds);
    while started.elapsed() < budget {
        ws.send(Message::Binary(payload.clone().into()))?;
        loop {
            match ws.read()? {
                Message::Binary(b) if b.len() == size => {
                    bytes += b.len() as u64;
                    break;
                }
                Message::Ping(_) | Message::Pong(_) => {}
                _ => return Err(format!("the echo of round trip {count} is not {size} binary bytes").into()),
            }
        }
        count += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    ws.close(None)?;
    let _ = ws.flush();
    println!("round_trips={count} bytes={bytes} seconds={elapsed:.6}");
    Ok(())
}

fn client(port: u16, size: usize, seconds: f64, ca: Option<&str>) -> Result<()> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    match ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(ca)? {
                roots.add(cert?)?;
            }
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots)
                .with_no_client_auth();
            let conn = rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost")?)?;
            let url = format!("wss://localhost:{port}/ws");
            let (mut ws, _) = tungstenite::client(url, rustls::StreamOwned::new(conn, stream))
                .map_err(|e| format!("handshake: {e}"))?;
            round_trips(&mut ws, size, seconds)
        }
        None => {
            let url = format!("ws://127.0.0.1:{port}/ws");
            let (mut ws, _) = tungstenite::client(url, stream).map_err(|e| format!("handshake: {e}"))?;
            round_trips(&mut ws, size, seconds)
        }
    }
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
            Err("usage: rpoco-peer-tungstenite server [--tls CERT KEY] | client PORT SIZE SECONDS [--tls CA]"
                .into())
        }
    }
}
