//! POCO's `HTTPFormServer` sample, ported: serves a page with three forms (GET, POST
//! URL-encoded, POST multipart with a file upload) and shows what was submitted. Uploads are
//! streamed through a `PartHandler` that only counts them, so a 1 GiB file is received in
//! bounded memory.
//!
//! ```text
//! cargo run --example http_form_server -- [--port 9980] [--threads 16] [--bind 0.0.0.0] [--store DIR]
//! ```
//!
//! `--store DIR` spools uploads to temporary files under DIR (a `PartStore`) instead of
//! discarding them. Prints `listening on ADDR`, then serves until killed.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use rpoco::foundation::CountingWriter;
use rpoco::net::{
    HtmlForm, HttpMessage, HttpRequestHandler, HttpServer, HttpServerParams, HttpServerRequest,
    HttpServerResponse, MessageHeader, PartHandler, PartStore, ServerSocket, SocketAddress, split_parameters,
};

/// class MyPartHandler: public PartHandler — records each upload and counts its bytes.
#[derive(Default)]
struct CountingPartHandler {
    parts: Vec<(String, String, String, u64)>,
}

impl PartHandler for CountingPartHandler {
    fn handle_part(&mut self, header: &MessageHeader, body: &mut dyn Read) -> rpoco::net::Result<()> {
        let (_, params) = split_parameters(header.get("Content-Disposition").unwrap_or(""));
        let mut counter = CountingWriter::sink();
        std::io::copy(body, &mut counter)?;
        self.parts.push((
            params.get("name").unwrap_or("").to_owned(),
            params.get("filename").unwrap_or("").to_owned(),
            header.get("Content-Type").unwrap_or("text/plain").to_owned(),
            counter.chars(),
        ));
        Ok(())
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// class FormRequestHandler: public HTTPRequestHandler
struct FormRequestHandler {
    store: Option<PathBuf>,
}

const FORMS: &str = "<h1>Form Server Sample</h1>\n\
<h2>GET Form</h2>\n<form method=\"GET\" action=\"/form\">\n<input type=\"text\" name=\"text\" size=\"31\">\n\
<input type=\"submit\" value=\"GET\">\n</form>\n\
<h2>POST Form</h2>\n<form method=\"POST\" action=\"/form\">\n<input type=\"text\" name=\"text\" size=\"31\">\n\
<input type=\"submit\" value=\"POST\">\n</form>\n\
<h2>File Upload</h2>\n<form method=\"POST\" action=\"/form\" enctype=\"multipart/form-data\">\n\
<input type=\"file\" name=\"file\" size=\"31\"> \n<input type=\"submit\" value=\"Upload\">\n</form>\n";

impl HttpRequestHandler for FormRequestHandler {
    fn handle_request(
        &mut self,
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> rpoco::net::Result<()> {
        // MyPartHandler partHandler; HTMLForm form(request, request.stream(), partHandler);
        let head = request.request().clone();
        let mut form = HtmlForm::new();
        let (loaded, parts) = match &self.store {
            Some(dir) => {
                let mut store = PartStore::in_dir(dir)?;
                let r = form.load_with_handler(&head, request.stream(), &mut store);
                let parts = store
                    .parts()
                    .iter()
                    .map(|p| (p.name.clone(), p.filename.clone(), p.media_type.clone(), p.size));
                (r, parts.collect::<Vec<_>>())
            }
            None => {
                let mut handler = CountingPartHandler::default();
                let r = form.load_with_handler(&head, request.stream(), &mut handler);
                (r, handler.parts)
            }
        };
        let mut page =
            String::from("<html>\n<head>\n<title>POCO Form Server Sample</title>\n</head>\n<body>\n");
        page.push_str(FORMS);
        let _ = writeln!(
            page,
            "<h2>Request</h2><p>\nMethod: {}<br>\nURI: {}<br>",
            head.method(),
            escape(head.uri())
        );
        if let Err(e) = &loaded {
            response.set_status_and_reason(rpoco::net::HttpStatus::BAD_REQUEST, "Bad Request");
            let _ = writeln!(page, "</p><h2>Error</h2><p>{}</p>", escape(&e.to_string()));
        } else {
            page.push_str("</p>");
        }
        if !form.is_empty() {
            page.push_str("<h2>Form</h2><p>\n");
            for (n, v) in form.iter() {
                let _ = writeln!(page, "{}: {}<br>", escape(n), escape(v));
            }
            page.push_str("</p>");
        }
        for (name, filename, media, size) in &parts {
            let _ = writeln!(
                page,
                "<h2>Upload</h2><p>\nName: {}<br>\nFile Name: {}<br>\nType: {}<br>\nSize: {size}<br>\n</p>",
                escape(name),
                escape(filename),
                escape(media)
            );
        }
        page.push_str("</body>\n</html>\n");
        // response.setChunkedTransferEncoding(true); response.setContentType("text/html");
        response.set_content_type("text/html");
        let mut out = response.send()?;
        out.write_all(page.as_bytes())?;
        out.finish()
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: http_form_server [--port N] [--threads N] [--bind ADDR] [--store DIR]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let (mut port, mut threads, mut bind, mut store) = (9980u16, 16usize, String::from("0.0.0.0"), None);
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
            ("--store", Some(v)) => {
                store = Some(PathBuf::from(v));
                true
            }
            _ => false,
        };
        if !ok {
            return usage();
        }
    }
    match serve(&bind, port, threads, store) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_form_server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(
    bind: &str,
    port: u16,
    threads: usize,
    store: Option<PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    let socket =
        ServerSocket::bind_with(&SocketAddress::new(bind, port)?, true, true, rpoco::net::DEFAULT_BACKLOG)?;
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = threads;
    let server = HttpServer::new(
        move |_request: &HttpServerRequest<'_>| {
            Some(Box::new(FormRequestHandler { store: store.clone() }) as Box<dyn HttpRequestHandler>)
        },
        socket,
        params,
    )?;
    server.start()?;
    println!("listening on {}", server.address()?);
    loop {
        std::thread::park();
    }
}
