//! The seed program of rpoco, ported line for line from POCO C++: build a TLS `Context`,
//! open an `HTTPSClientSession`, send a GET, copy the response body to stdout.
//!
//! ```text
//! cargo run --example https_get -- [--ca FILE] [--verify none|relaxed|strict]
//!     [--cert FILE --key FILE] [URL]
//! ```
//!
//! `URL` defaults to `https://example.com/index.html`. Certificates are verified by default
//! (`relaxed`: chain and host name), against the Mozilla roots, or only against `--ca FILE`
//! (a PEM file or a directory of them). `--verify none` is the seed's `VERIFY_NONE`: it works,
//! and a warning on stderr names the host that was not verified. The body goes to stdout;
//! errors (and a status other than 2xx) go to stderr with a non-zero exit code. `--cert` and
//! `--key` present a client certificate, for servers that ask for one (mutual TLS).
//!
//! With the dev certificates (`cargo xtask certs`) and a local server:
//! `cargo run --example https_get -- --ca .dev-certs/ca.pem https://localhost:8443/`.

use std::io::Write;
use std::process::ExitCode;

use rpoco::foundation::{StreamCopier, Uri};
use rpoco::net::{HTTP_1_1, HttpMessage, HttpRequest, HttpResponse};
use rpoco::netssl::{Context, HttpsClientSession, Usage, VerificationMode};

const USAGE: &str =
    "usage: https_get [--ca FILE] [--verify none|relaxed|strict] [--cert FILE --key FILE] [URL]";

/// Command-line options.
struct Options {
    url: String,
    ca: Option<String>,
    verify: VerificationMode,
    /// Client certificate chain and key (PEM), for mutual TLS.
    cert: Option<String>,
    key: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        url: "https://example.com/index.html".into(),
        ca: None,
        verify: VerificationMode::Relaxed,
        cert: None,
        key: None,
    };
    let mut url = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--ca" => options.ca = Some(it.next().ok_or("--ca needs a file")?.clone()),
            "--cert" => options.cert = Some(it.next().ok_or("--cert needs a file")?.clone()),
            "--key" => options.key = Some(it.next().ok_or("--key needs a file")?.clone()),
            "--verify" => {
                let mode = it.next().ok_or("--verify needs none, relaxed or strict")?;
                options.verify = match mode.as_str() {
                    "none" => VerificationMode::None,
                    "relaxed" => VerificationMode::Relaxed,
                    "strict" => VerificationMode::Strict,
                    other => return Err(format!("--verify {other}: expected none, relaxed or strict")),
                };
            }
            "-h" | "--help" => return Err(String::new()),
            other if !other.starts_with('-') && url.is_none() => url = Some(other.to_string()),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    if let Some(url) = url {
        options.url = url;
    }
    if options.cert.is_some() != options.key.is_some() {
        return Err("--cert and --key go together".into());
    }
    Ok(options)
}

fn run(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let uri = Uri::parse(&options.url)?;
    if uri.scheme() != "https" {
        return Err(format!("only https:// URLs are supported (got `{}`); see http_get", options.url).into());
    }
    let mut path = uri.path_and_query();
    if path.is_empty() {
        path = "/".into();
    }
    // Context::Ptr pContext = new Context(Context::CLIENT_USE, "", "", "", Context::VERIFY_NONE,
    //     9, false, "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
    // The seed's VERIFY_NONE is `--verify none`; by default the server is verified, against
    // --ca if given, else against the Mozilla roots (loadDefaultCAs = true).
    // (The seed has no client certificate: "" and "" for the key and certificate files.)
    let context = Context::new(
        Usage::Client,
        options.key.as_deref().unwrap_or(""),
        options.cert.as_deref().unwrap_or(""),
        options.ca.as_deref().unwrap_or(""),
        options.verify,
        9,
        options.ca.is_none(),
        "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH",
    )?;
    // HTTPSClientSession session("example.com", 443, pContext);
    let mut session = HttpsClientSession::new(uri.host(), uri.port(), context);
    // HTTPRequest request(HTTPRequest::HTTP_GET, "/index.html", HTTPMessage::HTTP_1_1);
    let mut request = HttpRequest::new(HttpRequest::HTTP_GET, &path, HTTP_1_1);
    // request.set("User-Agent", "POCO HTTPSClientSession");
    request.set("User-Agent", "POCO HTTPSClientSession");
    // session.sendRequest(request);
    session.send_request(&mut request)?;
    // HTTPResponse response;
    let mut response = HttpResponse::default();
    // std::istream& rs = session.receiveResponse(response);
    let mut rs = session.receive_response(&mut response)?;
    // StreamCopier::copyStream(rs, std::cout);
    let mut stdout = std::io::stdout().lock();
    StreamCopier::copy_stream(&mut rs, &mut stdout, 8192)?;
    stdout.flush()?;
    if !response.status().is_success() {
        return Err(format!("{} {} from {}", response.status().code(), response.reason(), options.url).into());
    }
    Ok(())
}

/// Prints `log` warnings and errors (rpoco's `VerificationMode::None` warning among them) to
/// stderr; a few lines instead of a logging framework.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("https_get: {}: {}", record.level().as_str().to_lowercase(), record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

fn main() -> ExitCode {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("https_get: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("https_get: {e}");
            ExitCode::FAILURE
        }
    }
}
