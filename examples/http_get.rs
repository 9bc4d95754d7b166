//! POCO's `httpget` sample, ported: fetch a URL over HTTP and copy the body to stdout; a
//! `401` is answered once with `HTTPCredentials` (Digest, NTLM or Basic, whichever the
//! server asks for) from the URL's user info or `--user name:password`.
//!
//! ```text
//! cargo run --example http_get -- [-v] [--proxy host:port] [--user name:password] http://127.0.0.1:8080/
//! ```
//!
//! `-v` prints the status line and the response headers (to stderr, so stdout stays the
//! body). Errors go to stderr and the exit code is non-zero.

use std::io::Write;
use std::process::ExitCode;

use rpoco::foundation::{StreamCopier, Uri};
use rpoco::net::{
    HTTP_1_1, HttpClientSession, HttpCredentials, HttpMessage, HttpRequest, HttpResponse, HttpStatus,
    ProxyConfig,
};

fn usage() -> ExitCode {
    eprintln!("usage: http_get [-v] [--proxy host:port] [--user name:password] <url>");
    ExitCode::from(2)
}

fn run(
    url: &str,
    proxy: Option<&str>,
    user: Option<&str>,
    verbose: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    // URI uri(argv[1]);
    let uri = Uri::parse(url)?;
    if uri.scheme() != "http" {
        return Err(format!(
            "only http:// URLs are supported here (got `{}`); https_get handles https",
            uri.scheme()
        )
        .into());
    }
    // std::string path(uri.getPathAndQuery()); if (path.empty()) path = "/";
    let mut path = uri.path_and_query();
    if path.is_empty() {
        path = "/".into();
    }
    // HTTPClientSession session(uri.getHost(), uri.getPort());
    let mut session = HttpClientSession::new(uri.host(), uri.port());
    if let Some(p) = proxy {
        let (host, port) = p.rsplit_once(':').ok_or("--proxy wants host:port")?;
        session.set_proxy_config(ProxyConfig::new(host, port.parse()?))?;
    }
    // HTTPCredentials::extractCredentials(uri, username, password);
    let mut credentials = match user {
        Some(u) => HttpCredentials::from_user_info(u)?,
        None => HttpCredentials::from_uri(&uri)?,
    };
    // NTLM authenticates the connection: keep it for the retry.
    session.set_keep_alive(true);
    // HTTPRequest request(HTTPRequest::HTTP_GET, path, HTTPMessage::HTTP_1_1);
    let mut request = HttpRequest::new(HttpRequest::HTTP_GET, &path, HTTP_1_1);
    // if (!doRequest(session, request, response)) { credentials.authenticate(request, response); ... }
    let mut rounds = 0;
    loop {
        session.send_request(&mut request)?;
        // HTTPResponse response; std::istream& rs = session.receiveResponse(response);
        let mut response = HttpResponse::default();
        let mut body = session.receive_response(&mut response)?;
        // One answer per challenge; NTLM takes two rounds.
        if response.status() == HttpStatus::UNAUTHORIZED
            && !credentials.is_empty()
            && rounds < 2
            && credentials.authenticate(&mut request, &response).is_ok()
        {
            std::io::copy(&mut body, &mut std::io::sink())?;
            rounds += 1;
            if verbose {
                eprintln!("401 Unauthorized: answering with {:?}", credentials.scheme());
            }
            continue;
        }
        if verbose {
            eprintln!("{} {}", response.status(), response.reason());
            for (name, value) in response.header().iter() {
                eprintln!("{name}: {value}");
            }
            eprintln!();
        }
        // StreamCopier::copyStream(rs, std::cout);
        let mut stdout = std::io::stdout().lock();
        StreamCopier::copy_stream(&mut body, &mut stdout, 8192)?;
        stdout.flush()?;
        return Ok(());
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut verbose = false;
    let mut proxy = None;
    let mut user = None;
    let mut url = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-v" | "--verbose" => verbose = true,
            "--proxy" => match it.next() {
                Some(p) => proxy = Some(p.clone()),
                None => return usage(),
            },
            "--user" => match it.next() {
                Some(u) => user = Some(u.clone()),
                None => return usage(),
            },
            "-h" | "--help" => return usage(),
            other if url.is_none() && !other.starts_with('-') => url = Some(other.to_owned()),
            _ => return usage(),
        }
    }
    let Some(url) = url else { return usage() };
    match run(&url, proxy.as_deref(), user.as_deref(), verbose) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_get: {e}");
            ExitCode::FAILURE
        }
    }
}
