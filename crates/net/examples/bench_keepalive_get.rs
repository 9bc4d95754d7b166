//! Sequential keep-alive GETs with `HttpClientSession`, for `cargo xtask bench net`.
//!
//! ```text
//! bench_keepalive_get <host> <port> <path> <requests>
//! ```
//! Prints `requests=N bytes=B seconds=S`.

use std::io::Read;
use std::time::Instant;

use rpoco_net::{HTTP_1_1, HttpClientSession, HttpRequest, HttpResponse};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, port, path, n] = args.as_slice() else {
        return Err("usage: bench_keepalive_get <host> <port> <path> <requests>".into());
    };
    let n: u64 = n.parse()?;
    let mut session = HttpClientSession::new(host, port.parse()?);
    session.set_keep_alive(true);
    let mut request = HttpRequest::new(HttpRequest::HTTP_GET, path, HTTP_1_1);
    let mut response = HttpResponse::default();
    let mut buf = vec![0u8; 16 * 1024];
    let mut bytes = 0u64;
    let started = Instant::now();
    for _ in 0..n {
        session.send_request(&mut request)?;
        let mut body = session.receive_response(&mut response)?;
        loop {
            let k = body.read(&mut buf)?;
            if k == 0 {
                break;
            }
            bytes += k as u64;
        }
        if response.status().code() != 200 {
            return Err(format!("unexpected status {}", response.status()).into());
        }
    }
    println!("requests={n} bytes={bytes} seconds={:.6}", started.elapsed().as_secs_f64());
    Ok(())
}
