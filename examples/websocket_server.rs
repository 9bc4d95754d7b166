//! POCO's `WebSocketServer` sample: an HTTP server whose page at `/` runs a JavaScript
//! WebSocket client, and a WebSocket endpoint at `/ws` that echoes every frame.
//!
//! ```text
//! websocket_server [--port N] [--bind ADDR] [--threads N] [--cert FILE --key FILE]
//! ```
//!
//! With `--cert`/`--key` it serves HTTPS and `wss://`. `--port 0` picks a free port; the
//! first line printed is `listening on ADDR`. The page connects when it loads, sends
//! "Hello, world!", shows the echo in `<p id="result">` and reports it to `/result`, which
//! prints `browser received: ...` (so a headless browser's run can be checked).

use std::io::Write;
use std::process::ExitCode;

use rpoco::net::websocket::{Message, WebSocket, WebSocketConfig};
use rpoco::net::{
    HttpMessage, HttpRequestHandler, HttpServer, HttpServerParams, HttpServerRequest, HttpServerResponse,
    ServerSocket, SocketAddress,
};
use rpoco::netssl::{Context, SecureServerSocket, Usage, VerificationMode};

const USAGE: &str = "usage: websocket_server [--port N] [--bind ADDR] [--threads N] [--cert FILE --key FILE]";

const PAGE: &str = r#"<html>
<head>
<title>WebSocketServer</title>
<script type="text/javascript">
function WebSocketTest()
{
  if ("WebSocket" in window)
  {
    var scheme = location.protocol == "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws");
    ws.onopen = function() { ws.send("Hello, world!"); };
    ws.onmessage = function(evt)
    {
      document.getElementById("result").textContent = "echo: " + evt.data;
      fetch("/result?m=" + encodeURIComponent(evt.data));
      ws.close();
    };
    ws.onerror = function() { document.getElementById("result").textContent = "error"; };
  }
  else
  {
    document.getElementById("result").textContent = "This browser does not support WebSockets.";
  }
}
</script>
</head>
<body onload="WebSocketTest()">
  <h1>WebSocket Server</h1>
  <p><a href="javascript:WebSocketTest()">Run WebSocket Script</a></p>
  <p id="result">waiting</p>
</body>
</html>
"#;

struct PageRequestHandler;

impl HttpRequestHandler for PageRequestHandler {
    fn handle_request(
        &mut self,
        _request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> rpoco::net::Result<()> {
        response.set_content_type("text/html");
        response.send_buffer(PAGE.as_bytes())
    }
}

struct ResultRequestHandler;

impl HttpRequestHandler for ResultRequestHandler {
    fn handle_request(
        &mut self,
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> rpoco::net::Result<()> {
        let query = request.uri().split_once("?m=").map(|(_, q)| q).unwrap_or("");
        let text = rpoco::foundation::Uri::decode(query, false).unwrap_or_default();
        println!("browser received: {text}");
        let _ = std::io::stdout().flush();
        response.send_buffer(b"")
    }
}

struct WebSocketRequestHandler;

impl HttpRequestHandler for WebSocketRequestHandler {
    fn handle_request(
        &mut self,
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> rpoco::net::Result<()> {
        // WebSocket ws(request, response);
        let mut ws =
            match WebSocket::accept_with(request, response, WebSocketConfig::default().with_deflate()) {
                Ok(ws) => ws,
                Err(e) => {
                    println!("WebSocket handshake refused: {e}");
                    return Ok(());
                }
            };
        println!("WebSocket connection established.");
        // do { n = ws.receiveFrame(buffer, sizeof(buffer), flags); ws.sendFrame(buffer, n, flags); }
        // while (n > 0 && (flags & WebSocket::FRAME_OP_BITMASK) != WebSocket::FRAME_OP_CLOSE);
        loop {
            match ws.read_message() {
                Ok(Message::Text(t)) => {
                    println!("Frame received (length={}, text).", t.len());
                    ws.send_text(&t)?;
                }
                Ok(Message::Binary(b)) => {
                    println!("Frame received (length={}, binary).", b.len());
                    ws.send_binary(&b)?;
                }
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                Ok(Message::Close(_)) => break,
                Err(e) => {
                    println!("WebSocket error: {e}");
                    break;
                }
            }
        }
        println!("WebSocket connection closed.");
        let _ = std::io::stdout().flush();
        Ok(())
    }
}

struct Options {
    bind: String,
    port: u16,
    threads: usize,
    cert: Option<String>,
    key: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options { bind: "0.0.0.0".into(), port: 9980, threads: 16, cert: None, key: None };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?.clone();
        match arg.as_str() {
            "--bind" => o.bind = value,
            "--port" => o.port = value.parse().map_err(|_| format!("--port {value}: not a port number"))?,
            "--threads" => {
                o.threads = value.parse().map_err(|_| format!("--threads {value}: not a number"))?
            }
            "--cert" => o.cert = Some(value),
            "--key" => o.key = Some(value),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    if o.cert.is_some() != o.key.is_some() {
        return Err("--cert and --key go together".into());
    }
    Ok(o)
}

fn factory(request: &HttpServerRequest<'_>) -> Option<Box<dyn HttpRequestHandler>> {
    let path = request.uri().split('?').next().unwrap_or("");
    Some(match path {
        "/ws" => Box::new(WebSocketRequestHandler),
        "/result" => Box::new(ResultRequestHandler),
        _ => Box::new(PageRequestHandler),
    })
}

fn serve(o: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let address = SocketAddress::new(&o.bind, o.port)?;
    let socket = ServerSocket::bind_with(&address, true, true, rpoco::net::DEFAULT_BACKLOG)?;
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = o.threads;
    let server = match (&o.cert, &o.key) {
        (Some(cert), Some(key)) => {
            let context =
                Context::new(Usage::Server, key, cert, "", VerificationMode::None, 9, false, "ALL")?;
            HttpServer::with_listener(factory, SecureServerSocket::new(socket, &context)?, params)?
        }
        _ => HttpServer::new(factory, socket, params)?,
    };
    server.start()?;
    println!("listening on {}", server.address()?);
    std::io::stdout().flush()?;
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("websocket_server: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("websocket_server: {e}");
            ExitCode::FAILURE
        }
    }
}
