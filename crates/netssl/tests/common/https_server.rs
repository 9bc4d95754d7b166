//! A small HTTPS/1.1 server on 127.0.0.1 for client tests: our `SecureServerSocket` for TLS,
//! rpoco-net's request parser, keep-alive, fixed-length, chunked and close-delimited
//! replies. It records what each connection saw (index, TLS resumption, SNI, protocol).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rpoco_net::proto::{RequestLimits, parse_request_head};
use rpoco_net::{HttpMessage, HttpRequest, ServerSocket, SocketAddress};
use rpoco_netssl::{Context, SecureServerSocket, SecureStreamSocket};

use super::TIMEOUT;

/// How the server answers one request.
pub enum Reply {
    /// `200 OK` with `Content-Length`.
    Ok(Vec<u8>),
    /// Any status with `Content-Length` and extra header lines (`"Name: value"`).
    Status(u16, Vec<&'static str>, Vec<u8>),
    /// `200 OK`, chunked, in chunks of the given size.
    Chunked(Vec<u8>, usize),
    /// `200 OK` delimited by closing the connection (with `close_notify`).
    UntilClose(Vec<u8>),
    /// This head and body, then the TCP connection is closed without `close_notify`.
    Abrupt(&'static str, Vec<u8>),
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Served {
    /// Which accepted connection (0, 1, ...) carried it.
    pub connection: usize,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// Whether the connection's handshake resumed a session.
    pub resumed: bool,
    pub protocol: String,
    pub sni: Option<String>,
}

/// The running server; stopped (accepting) on drop.
pub struct HttpsServer {
    pub port: u16,
    log: Arc<Mutex<Vec<Served>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl HttpsServer {
    /// Serves with `context` (a server context), answering each request with `respond`.
    pub fn start(
        context: Arc<Context>,
        respond: impl Fn(&HttpRequest) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
        let port = listener.address().unwrap().port();
        let mut server = SecureServerSocket::new(listener, &context).unwrap();
        server.set_handshake_timeout(Some(TIMEOUT));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let respond = Arc::new(respond);
        let (log2, stop2) = (log.clone(), stop.clone());
        let acceptor = std::thread::spawn(move || {
            for connection in 0.. {
                let Ok((socket, _)) = server.accept_connection() else { return };
                if stop2.load(Ordering::SeqCst) {
                    return;
                }
                let (log, respond) = (log2.clone(), respond.clone());
                std::thread::spawn(move || {
                    let _ = serve(socket, connection, &log, &*respond);
                });
            }
        });
        HttpsServer { port, log, stop, acceptor: Some(acceptor) }
    }

    /// Everything served so far.
    pub fn served(&self) -> Vec<Served> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(
    mut socket: SecureStreamSocket,
    connection: usize,
    log: &Mutex<Vec<Served>>,
    respond: &(dyn Fn(&HttpRequest) -> Reply + Send + Sync),
) -> Result<(), Box<dyn std::error::Error>> {
    socket.socket().set_receive_timeout(Some(TIMEOUT))?;
    socket.socket().set_send_timeout(Some(TIMEOUT))?;
    socket.complete_handshake()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let (request, head_len) = loop {
            if let Some(parsed) = parse_request_head(&buf, &RequestLimits::default())? {
                break parsed;
            }
            let n = socket.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let body_len = request.content_length().unwrap_or(0) as usize;
        while buf.len() < head_len + body_len {
            let n = socket.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        buf.drain(..head_len + body_len);
        log.lock().unwrap_or_else(|p| p.into_inner()).push(Served {
            connection,
            method: request.method().to_string(),
            path: request.uri().to_string(),
            headers: request.header().iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            resumed: socket.session_was_reused(),
            protocol: socket.tls().protocol_version().unwrap_or("?").to_string(),
            sni: socket.tls().sni_hostname().map(str::to_string),
        });
        let close = !request.keep_alive();
        let connection_header = if close { "Connection: close\r\n" } else { "" };
        let head_only = request.method() == "HEAD";
        match respond(&request) {
            Reply::Ok(body) => write_fixed(&mut socket, 200, &[], &body, connection_header, head_only)?,
            Reply::Status(code, headers, body) => {
                write_fixed(&mut socket, code, &headers, &body, connection_header, head_only)?
            }
            Reply::Chunked(body, size) => {
                let mut out =
                    format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n{connection_header}\r\n")
                        .into_bytes();
                for piece in body.chunks(size.max(1)).filter(|_| !head_only) {
                    out.extend_from_slice(format!("{:X}\r\n", piece.len()).as_bytes());
                    out.extend_from_slice(piece);
                    out.extend_from_slice(b"\r\n");
                }
                if !head_only {
                    out.extend_from_slice(b"0\r\n\r\n");
                }
                socket.write_all(&out)?;
            }
            Reply::Abrupt(head, body) => {
                socket.write_all(head.as_bytes())?;
                socket.write_all(&body)?;
                socket.socket().shutdown()?;
                return Ok(());
            }
            Reply::UntilClose(body) => {
                socket.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
                if !head_only {
                    socket.write_all(&body)?;
                }
                socket.close()?;
                return Ok(());
            }
        }
        if close {
            socket.close()?;
            return Ok(());
        }
    }
}

fn write_fixed(
    socket: &mut SecureStreamSocket,
    code: u16,
    headers: &[&str],
    body: &[u8],
    connection_header: &str,
    head_only: bool,
) -> std::io::Result<()> {
    let mut out =
        format!("HTTP/1.1 {code} Whatever\r\nContent-Length: {}\r\n{connection_header}", body.len());
    for line in headers {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    socket.write_all(&out)
}
