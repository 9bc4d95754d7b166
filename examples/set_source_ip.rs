//! POCO's `SetSourceIP` sample, ported: an HTTP GET whose connection leaves from a chosen
//! local address (`HTTPClientSession::setSourceAddress`), the body copied to stdout.
//!
//! ```text
//! cargo run --example set_source_ip -- --source 127.0.0.2 http://127.0.0.1:9980/
//! ```

use std::io::Write;
use std::process::ExitCode;

use rpoco::foundation::{StreamCopier, Uri};
use rpoco::net::{HTTP_1_1, HttpClientSession, HttpRequest, HttpResponse, SocketAddress};

fn run(source: &str, url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let uri = Uri::parse(url)?;
    if uri.scheme() != "http" {
        return Err(format!("an http:// URL is needed, got `{url}`").into());
    }
    let mut session = HttpClientSession::new(uri.host(), uri.port());
    // session.setSourceAddress(SocketAddress(sourceIP, 0));
    session.set_source_address(SocketAddress::new(source, 0)?)?;
    let path = uri.path_and_query();
    let mut request = HttpRequest::new("GET", if path.is_empty() { "/" } else { &path }, HTTP_1_1);
    session.send_request(&mut request)?;
    let mut response = HttpResponse::default();
    let mut body = session.receive_response(&mut response)?;
    eprintln!("{} {}", response.status(), response.reason());
    let mut out = std::io::stdout().lock();
    StreamCopier::copy_stream(&mut body, &mut out, 8192)?;
    out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (source, url) = match args.as_slice() {
        [flag, source, url] if flag == "--source" => (source.as_str(), url.as_str()),
        _ => {
            eprintln!("usage: set_source_ip --source <ip> <url>");
            return ExitCode::from(2);
        }
    };
    match run(source, url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("set_source_ip: {e}");
            ExitCode::FAILURE
        }
    }
}
