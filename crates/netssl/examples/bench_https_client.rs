//! HTTPS client load for `cargo xtask bench netssl`, with `HttpsClientSession` as a POCO
//! program would use it (the C++ peer is `xtask/peers/poco_https_client.cpp`).
//!
//! ```text
//! bench_https_client handshakes <host> <port> <path> <requests> <ca.pem>
//!     one GET per new connection (keep-alive and session cache off: a full handshake each)
//! bench_https_client bulk <host> <port> <path> <expected-bytes> <ca.pem>
//!     one GET of a large body
//! ```
//! Prints `requests=N bytes=B seconds=S provider=P protocol=V cipher=C resumed=R`.

use std::io::Read;
use std::time::Instant;

use rpoco_net::{HTTP_1_1, HttpRequest, HttpResponse};
use rpoco_netssl::{CRYPTO_PROVIDER, Context, HttpsClientSession, Usage, VerificationMode};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, host, port, path, count, ca] = args.as_slice() else {
        return Err("usage: bench_https_client handshakes|bulk <host> <port> <path> <count> <ca.pem>".into());
    };
    let count: u64 = count.parse()?;
    let requests = if mode == "bulk" { 1 } else { count };
    // As the C++ peer: verify against the dev CA (Relaxed), POCO's default cipher list.
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
    let mut session = HttpsClientSession::new(host, port.parse()?, context);
    let mut request = HttpRequest::new(HttpRequest::HTTP_GET, path, HTTP_1_1);
    let mut response = HttpResponse::default();
    let mut buf = vec![0u8; 256 * 1024];
    let (mut bytes, mut resumed) = (0u64, 0u64);
    let started = Instant::now();
    for _ in 0..requests {
        session.send_request(&mut request)?;
        let mut body = session.receive_response(&mut response)?;
        loop {
            let n = body.read(&mut buf)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
        }
        drop(body);
        if response.status().code() != 200 {
            return Err(format!("unexpected status {}", response.status()).into());
        }
        resumed += u64::from(session.session_was_reused());
    }
    println!(
        "requests={requests} bytes={bytes} seconds={:.6} provider={CRYPTO_PROVIDER} protocol={} cipher={} resumed={resumed}",
        started.elapsed().as_secs_f64(),
        session.protocol_version().unwrap_or("?"),
        session.cipher_suite().unwrap_or("?")
    );
    Ok(())
}
