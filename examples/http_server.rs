//! POCO's `HTTPTimeServer` sample, ported: an HTTP server that answers `GET /` with a page
//! showing the current time (refreshing every second); other paths get `501`, as in POCO,
//! except `GET /hello`, a fixed 13-byte `Hello, world!` for the benchmarks.
//!
//! ```text
//! cargo run --example http_server -- [--port 9980] [--threads 16] [--bind 0.0.0.0]
//! ```
//!
//! `--port 0` picks a free port. Prints `listening on ADDR` once it accepts connections, then
//! serves until killed (Ctrl-C).

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

/// class TimeRequestHandler: public HTTPRequestHandler
struct TimeRequestHandler;

impl HttpRequestHandler for TimeRequestHandler {
    fn handle_request(
        &mut self,
        _request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> rpoco::net::Result<()> {
        // std::string dt(DateTimeFormatter::format(now, _format));
        let dt = datetime::sortable_utc(SystemTime::now());
        // response.setChunkedTransferEncoding(true); response.setContentType("text/html");
        response.set_chunked_transfer_encoding(true);
        response.set_content_type("text/html");
        // std::ostream& ostr = response.send();
        let mut out = response.send()?;
        write!(
            out,
            "<html><head><title>HTTPTimeServer powered by POCO C++ Libraries</title>\
             <meta http-equiv=\"refresh\" content=\"1\"></head>\
             <body><p style=\"text-align: center; font-size: 48px;\">{dt}</p></body></html>"
        )?;
        out.finish()
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: http_server [--port N] [--threads N] [--bind ADDR]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut port: u16 = 9980;
    let mut threads: usize = 16;
    let mut bind = String::from("0.0.0.0");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let ok = match (arg.as_str(), value) {
            ("--port", Some(v)) => v.parse().map(|v| port = v).is_ok(),
            ("--threads", Some(v)) => v.parse().map(|v| threads = v).is_ok(),
            ("--bind", Some(v)) => {
                bind = v;
                true
            }
            _ => false,
        };
        if !ok {
            return usage();
        }
    }
    match serve(&bind, port, threads) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(bind: &str, port: u16, threads: usize) -> Result<(), Box<dyn std::error::Error>> {
    // ServerSocket svs(port);
    let address = SocketAddress::new(bind, port)?;
    let socket = ServerSocket::bind_with(&address, true, true, rpoco::net::DEFAULT_BACKLOG)?;
    // HTTPServerParams* pParams = new HTTPServerParams; pParams->setMaxThreads(maxThreads);
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = threads;
    params.tcp.max_queued = 100;
    // HTTPServer srv(new TimeRequestHandlerFactory(format), svs, pParams);
    let server = HttpServer::new(
        |request: &HttpServerRequest<'_>| {
            // if (request.getURI() == "/") return new TimeRequestHandler(_format); else return 0;
            match request.uri() {
                "/" => Some(Box::new(TimeRequestHandler) as Box<dyn HttpRequestHandler>),
                // Not in POCO's sample: the benchmarks' fixed 13-byte answer.
                "/hello" => Some(Box::new(hello::HelloRequestHandler) as Box<dyn HttpRequestHandler>),
                _ => None,
            }
        },
        socket,
        params,
    )?;
    // srv.start();
    server.start()?;
    println!("listening on {}", server.address()?);
    // waitForTerminationRequest();
    loop {
        std::thread::park();
    }
}
