//! Shared helpers for the integration tests: dev certificates, contexts, and a one-shot TLS
//! server on 127.0.0.1. Everything goes through the crate's public API.
#![allow(dead_code, unreachable_pub, unused_imports)] // each test binary uses a different subset

pub mod https_server;

pub use https_server::{HttpsServer, Reply, Served};
pub use rpoco_testsupport::{Nginx, NginxConfig, http_proxy, require};

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;
use std::time::Instant;

use std::io::{Read, Write};

use rpoco_net::{
    HTTP_1_1, HttpMessage, HttpRequest, HttpRequestHandlerFactory, HttpResponse, HttpServer,
    HttpServerParams, ServerSocket, SocketAddress,
};
use rpoco_netssl::{
    Context, Error, HttpsClientSession, PrivateKey, SecureServerSocket, TlsStream, Usage, VerificationMode,
    X509Certificate,
};
use rpoco_testcerts::{CertKey, DevCerts};

/// Generous enough for a loaded 2-core CI machine; only reached when something is wrong.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub fn certs() -> &'static DevCerts {
    static CERTS: OnceLock<DevCerts> = OnceLock::new();
    CERTS.get_or_init(|| DevCerts::generate().expect("generate dev certificates"))
}

pub fn chain(ck: &CertKey) -> Vec<X509Certificate> {
    ck.chain_der.iter().map(|der| X509Certificate::from_der(der.clone()).unwrap()).collect()
}

pub fn key(ck: &CertKey) -> PrivateKey {
    PrivateKey::from_pem(ck.key_pem.as_bytes()).unwrap()
}

pub fn cert(ck: &CertKey) -> X509Certificate {
    X509Certificate::from_pem(ck.cert_pem.as_bytes()).unwrap()
}

/// A server context presenting `identity`, verifying clients against the dev CA.
pub fn server_context(identity: &CertKey, mode: VerificationMode) -> Arc<Context> {
    let ctx = Context::new(Usage::Server, "", "", "", mode, 9, false, "").unwrap();
    ctx.add_certificate(&chain(identity), &key(identity)).unwrap();
    ctx.add_certificate_authority(&cert(&certs().ca)).unwrap();
    ctx
}

/// A client context trusting the dev CA.
pub fn client_context(mode: VerificationMode) -> Arc<Context> {
    let ctx = Context::new(Usage::Client, "", "", "", mode, 9, false, "").unwrap();
    ctx.add_certificate_authority(&cert(&certs().ca)).unwrap();
    ctx
}

/// Accepts one connection on 127.0.0.1 and runs `serve` on it; the handshake is bounded.
pub fn serve_once<T: Send + 'static>(
    ctx: Arc<Context>,
    serve: impl Fn(&mut TlsStream<TcpStream>) -> Result<T, Error> + Send + 'static,
) -> (SocketAddr, JoinHandle<Result<T, Error>>) {
    serve_n(ctx, 1, serve)
}

/// Accepts `n` connections one after the other, running `serve` on each; returns the last
/// result (or the first error).
pub fn serve_n<T: Send + 'static>(
    ctx: Arc<Context>,
    n: usize,
    serve: impl Fn(&mut TlsStream<TcpStream>) -> Result<T, Error> + Send + 'static,
) -> (SocketAddr, JoinHandle<Result<T, Error>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let mut last = None;
        for _ in 0..n {
            let (tcp, _) = listener.accept()?;
            tcp.set_read_timeout(Some(TIMEOUT))?;
            tcp.set_write_timeout(Some(TIMEOUT))?;
            let mut tls = TlsStream::server(&ctx, tcp)?;
            tls.set_handshake_timeout(Some(TIMEOUT));
            last = Some(serve(&mut tls)?);
        }
        Ok(last.expect("n > 0"))
    });
    (addr, handle)
}

/// Connects to `addr` as `host` and completes the handshake.
pub fn connect(ctx: &Arc<Context>, host: &str, addr: SocketAddr) -> Result<TlsStream<TcpStream>, Error> {
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(TIMEOUT))?;
    tcp.set_write_timeout(Some(TIMEOUT))?;
    let mut tls = TlsStream::client(ctx, host, tcp)?;
    tls.set_handshake_timeout(Some(TIMEOUT));
    tls.complete_handshake()?;
    Ok(tls)
}

/// Runs `program` if it exists; `None` (with a skip message) if not, which fails under CI.
pub fn require_program(program: &str) -> bool {
    let found = std::process::Command::new(program).arg("version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is required under CI (scripts/install-test-deps.sh)"
        );
        eprintln!("skipping: {program} not installed");
    }
    found
}

/// The dev certificates as files in a temporary directory, for external programs.
pub struct Files {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Files {
    pub fn new() -> Files {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        certs().write_to(&path).unwrap();
        Files { _dir: dir, path }
    }

    /// The path of file `name` (`ca.pem`, `server.pem`, `server.key`, ...) as a string.
    pub fn get(&self, name: &str) -> String {
        self.path.join(name).to_string_lossy().into_owned()
    }
}

/// rpoco-net's `HttpServer` over our `SecureServerSocket` on 127.0.0.1, started: the HTTPS
/// server under test, with `threads` workers and `factory` answering.
pub fn start_https_server(
    context: Arc<Context>,
    handshake_timeout: Duration,
    threads: usize,
    factory: impl HttpRequestHandlerFactory + 'static,
) -> HttpServer {
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
    let mut listener = SecureServerSocket::new(socket, &context).unwrap();
    listener.set_handshake_timeout(Some(handshake_timeout));
    let mut params = HttpServerParams { timeout: TIMEOUT, ..HttpServerParams::default() };
    params.tcp.max_threads = threads;
    let server = HttpServer::with_listener(factory, listener, params).unwrap();
    server.start().unwrap();
    server
}

/// Sends `method path` with `body` on `session` and returns the response body, which must
/// come with `200`.
pub fn exchange(
    session: &mut HttpsClientSession,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<String, Error> {
    let mut request = HttpRequest::new(method, path, HTTP_1_1);
    request.set_content_length(Some(body.len() as u64));
    session.send_request(&mut request)?.write_all(body)?;
    let mut response = HttpResponse::default();
    let mut text = String::new();
    session.receive_response(&mut response)?.read_to_string(&mut text)?;
    assert_eq!(response.status().code(), 200, "{text}");
    Ok(text)
}

/// Runs `openssl s_client` (`program`) against `addr` for `localhost`, verifying against the
/// dev CA, with `extra` arguments; writes `input` and returns its stdout and stderr once it
/// exits (it is killed after [`TIMEOUT`]).
pub fn run_s_client(program: &Path, files: &Files, addr: &str, extra: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(program)
        .args(["s_client", "-connect", addr, "-servername", "localhost", "-ign_eof"])
        .args(["-CAfile", &files.get("ca.pem"), "-verify_return_error", "-verify_hostname", "localhost"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start openssl s_client");
    child.stdin.take().expect("piped stdin").write_all(input).expect("write to s_client");
    let deadline = Instant::now() + TIMEOUT;
    while child.try_wait().expect("s_client status").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("s_client output");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Builds the C++ POCO peer `tests/poco/<source>` with g++ into the test tmp dir as `name`;
/// `None` (with a skip message) without g++ or libpoco-dev, which fails under CI.
pub fn build_poco_peer(source: &str, name: &str) -> Option<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/poco").join(source);
    let missing = if Command::new("g++").arg("--version").output().is_err() {
        Some("g++ is not installed")
    } else if !Path::new("/usr/include/Poco/Net/HTTPSClientSession.h").exists() {
        Some("libpoco-dev (POCO NetSSL headers) is not installed")
    } else {
        None
    };
    if let Some(why) = missing {
        assert!(
            std::env::var_os("CI").is_none(),
            "POCO interop peer unavailable in CI: {why} (scripts/install-test-deps.sh installs it)"
        );
        println!("SKIPPED POCO interop: {why}; run scripts/install-test-deps.sh");
        return None;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let result = Command::new("g++")
        .args(["-O2", "-std=c++17", "-o"])
        .arg(&out)
        .arg(&source)
        .args(["-lPocoNetSSL", "-lPocoNet", "-lPocoCrypto", "-lPocoFoundation"])
        .output()
        .expect("run g++");
    assert!(result.status.success(), "g++ failed:\n{}", String::from_utf8_lossy(&result.stderr));
    Some(out)
}
