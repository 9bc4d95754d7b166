//! POCO's `HTTPSTimeServer` sample, ported: an HTTPS server that answers `GET /` with a page
//! showing the current time; other paths get `501`, as in POCO (except `GET /hello`, a fixed
//! 13-byte answer for the benchmarks). It is rpoco-net's
//! `HttpServer` over rpoco-netssl's `SecureServerSocket`: the HTTP code is the plain
//! server's.
//!
//! ```text
//! cargo run --example https_server -- --cert FILE --key FILE [--ca FILE] [--port 9443]
//!     [--threads 16] [--bind 0.0.0.0]
//! ```
//!
//! `--cert` is the server's certificate chain (PEM, leaf first) and `--key` its private key
//! (PEM; `cargo xtask certs` writes `.dev-certs/server.pem` and `.dev-certs/server.key`).
//! `--ca FILE` turns on mutual TLS: clients must present a certificate issued by that CA
//! (POCO's `VERIFY_STRICT` on a server), and the page names the client. `--port 0` picks a
//! free port. Prints `listening on ADDR` once it accepts connections, then serves until
//! killed (Ctrl-C).

use std::any::Any;
use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

#[path = "support/datetime.rs"]
mod datetime;
#[path = "support/hello.rs"]
mod hello;

use rpoco::net::{
    HttpMessage, HttpRequestHandler, HttpServer, HttpServerParams, HttpServerRequest, HttpServerResponse,
    ServerSocket, SocketAddress,
};
use rpoco::netssl::{Context, SecureServerSocket, SecureStreamSocket, Usage, VerificationMode};

const USAGE: &str =
    "usage: https_server --cert FILE --key FILE [--ca FILE] [--port N] [--threads N] [--bind ADDR]";

/// Command-line options.
struct Options {
    cert: String,
    key: String,
    ca: Option<String>,
    bind: String,
    port: u16,
    threads: usize,
}

/// class TimeRequestHandler: public HTTPRequestHandler
struct TimeRequestHandler;

impl HttpRequestHandler for TimeRequestHandler {
    fn handle_request(
        &mut self,
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> rpoco::net::Result<()> {
        // Application& app = Application::instance();
        // app.logger().information("Request from " + request.clientAddress().toString());
        // A log line, not a reason to fail the request: stdout may be a closed pipe.
        let _ = writeln!(std::io::stdout(), "request from {}", request.client_address());
        // SecureStreamSocket socket = static_cast<HTTPServerRequestImpl&>(request).socket();
        // if (socket.havePeerCertificate()) { X509Certificate cert = socket.peerCertificate(); ... }
        let client = {
            let transport = request.transport();
            let any: &dyn Any = &*transport;
            any.downcast_ref::<SecureStreamSocket>()
                .and_then(|socket| socket.peer_certificate().ok())
                .map(|cert| cert.common_name().to_string())
        };
        let dt = datetime::sortable_utc(SystemTime::now());
        // response.setChunkedTransferEncoding(true); response.setContentType("text/html");
        response.set_chunked_transfer_encoding(true);
        response.set_content_type("text/html");
        // std::ostream& ostr = response.send();
        let mut out = response.send()?;
        write!(
            out,
            "<html><head><title>HTTPSTimeServer powered by POCO C++ Libraries</title>\
             <meta http-equiv=\"refresh\" content=\"1\"></head>\
             <body><p style=\"text-align: center; font-size: 48px;\">{dt}</p>"
        )?;
        if let Some(client) = client {
            write!(out, "<p style=\"text-align: center;\">client certificate: {}</p>", html_escape(&client))?;
        }
        writeln!(out, "</body></html>")?;
        out.finish()
    }
}

/// The client's certificate names are the client's to choose: escape them.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let (mut cert, mut key, mut ca) = (None, None, None);
    let mut options = Options {
        cert: String::new(),
        key: String::new(),
        ca: None,
        bind: "0.0.0.0".into(),
        port: 9443,
        threads: 16,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?.clone();
        match arg.as_str() {
            "--cert" => cert = Some(value),
            "--key" => key = Some(value),
            "--ca" => ca = Some(value),
            "--bind" => options.bind = value,
            "--port" => {
                options.port = value.parse().map_err(|_| format!("--port {value}: not a port number"))?
            }
            "--threads" => {
                options.threads = value.parse().map_err(|_| format!("--threads {value}: not a number"))?
            }
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let hint = "(cargo xtask certs writes .dev-certs/server.pem and .dev-certs/server.key)";
    options.cert = cert.ok_or_else(|| format!("--cert FILE is required {hint}"))?;
    options.key = key.ok_or_else(|| format!("--key FILE is required {hint}"))?;
    options.ca = ca;
    Ok(options)
}

fn serve(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    // Context::Ptr pContext = new Context(Context::SERVER_USE, keyFile, certFile, caLocation,
    //     Context::VERIFY_STRICT (with --ca) or VERIFY_NONE, 9, false, "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
    // On a server, VERIFY_NONE means "do not ask for a client certificate".
    let mode = if options.ca.is_some() { VerificationMode::Strict } else { VerificationMode::None };
    let context = Context::new(
        Usage::Server,
        &options.key,
        &options.cert,
        options.ca.as_deref().unwrap_or(""),
        mode,
        9,
        false,
        "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH",
    )?;
    // SecureServerSocket svs(port, 64, pContext);
    let address = SocketAddress::new(&options.bind, options.port)?;
    let socket = ServerSocket::bind_with(&address, true, true, rpoco::net::DEFAULT_BACKLOG)?;
    let listener = SecureServerSocket::new(socket, &context)?;
    // HTTPServerParams* pParams = new HTTPServerParams; pParams->setMaxThreads(maxThreads);
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = options.threads;
    params.tcp.max_queued = 100;
    // HTTPServer srv(new TimeRequestHandlerFactory(format), svs, pParams);
    let server = HttpServer::with_listener(
        |request: &HttpServerRequest<'_>| {
            // if (request.getURI() == "/") return new TimeRequestHandler(_format); else return 0;
            match request.uri() {
                "/" => Some(Box::new(TimeRequestHandler) as Box<dyn HttpRequestHandler>),
                // Not in POCO's sample: the benchmarks' fixed 13-byte answer (not logged).
                "/hello" => Some(Box::new(hello::HelloRequestHandler) as Box<dyn HttpRequestHandler>),
                _ => None,
            }
        },
        listener,
        params,
    )?;
    // srv.start();
    server.start()?;
    println!("listening on {}", server.address()?);
    std::io::stdout().flush()?;
    // waitForTerminationRequest();
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("https_server: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("https_server: {e}");
            ExitCode::FAILURE
        }
    }
}
