//! POCO's `download` sample (Net and NetSSL), ported: open a URL through the
//! `UriStreamOpener` and copy what it yields to stdout.
//!
//! ```text
//! cargo run --example download -- [--ca FILE] URL
//! ```
//!
//! `http`, `https`, `ftp`, `ftps` (implicit TLS, port 990) and `file` URLs, as POCO's opener
//! with `HTTPStreamFactory`, `HTTPSStreamFactory`, `FTPStreamFactory` and the file factory
//! registered. TLS is verified against `--ca FILE` (a PEM file or directory) or the default
//! roots. FTP URLs take `user:password@` and `;type=a|i|d`; without a user the login is
//! anonymous. On error the message (with the server's reply, for FTP its code and text) goes
//! to stderr and the exit code is 1.

use std::fs::File;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use rpoco::foundation::{StreamCopier, Uri};
use rpoco::net::ftp::FtpStreamFactory;
use rpoco::net::{Error, ErrorKind, HttpStreamFactory, Opened, UriStreamFactory, UriStreamOpener};
use rpoco::netssl::{Context, FtpsStreamFactory, HttpsStreamFactory, SslManager, Usage, VerificationMode};

const USAGE: &str = "usage: download [--ca FILE] URL";

/// `file://` URLs (POCO's `FileStreamFactory`): the local file named by the path.
struct FileFactory;

impl UriStreamFactory for FileFactory {
    fn open(&self, uri: &Uri) -> rpoco::net::Result<Opened> {
        let file = File::open(uri.path())
            .map_err(|e| Error::new(ErrorKind::OpenFile, format!("{}: {e}", uri.path())).with_source(e))?;
        Ok(Opened::Stream(Box::new(file)))
    }
}

fn run(url: &str, ca: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    let context = match ca {
        Some(ca) => Context::with_ca(Usage::Client, ca, VerificationMode::Relaxed, 9, false, "")?,
        None => SslManager::instance().default_client_context()?,
    };
    // HTTPStreamFactory::registerFactory(); HTTPSStreamFactory::registerFactory();
    // FTPStreamFactory::registerFactory(); ...
    let opener = UriStreamOpener::default_opener();
    opener.register_stream_factory("http", Arc::new(HttpStreamFactory::new()));
    HttpsStreamFactory::with_context(context.clone()).register_with(opener);
    opener.register_stream_factory("ftp", Arc::new(FtpStreamFactory::new()));
    opener.register_stream_factory("ftps", Arc::new(FtpsStreamFactory::with_context(context)));
    opener.register_stream_factory("file", Arc::new(FileFactory));
    // std::unique_ptr<std::istream> pStr(URIStreamOpener::defaultOpener().open(uri));
    let mut stream: Box<dyn Read + Send> = opener.open(url)?;
    // StreamCopier::copyStream(*pStr.get(), std::cout);
    let mut stdout = std::io::stdout().lock();
    StreamCopier::copy_stream(&mut stream, &mut stdout, 64 * 1024)?;
    stdout.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ca, url) = match args.as_slice() {
        [flag, ca, url] if flag == "--ca" => (Some(ca.as_str()), url.as_str()),
        [url] if !url.starts_with('-') => (None, url.as_str()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(url, ca) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("download: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}
