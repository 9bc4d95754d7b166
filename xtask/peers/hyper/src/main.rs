//! `rpoco-peer-hyper <port> [cert.pem key.pem]`: answers every request with `200`,
//! `text/plain`, `Hello, world!` (13 bytes, Content-Length), over TLS when given a
//! certificate chain and key. Prints `listening on ADDR` when ready; exits when its
//! standard input closes.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

async fn hello(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"Hello, world!")));
    response.headers_mut().insert("content-type", "text/plain".parse().expect("a header value"));
    Ok(response)
}

fn tls(cert: &str, key: &str) -> TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert).expect("certificate file").map(|c| c.expect("certificate")).collect();
    let key = PrivateKeyDer::from_pem_file(key).expect("private key");
    let mut config = ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key).expect("TLS config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // Every handshake full, as the other servers in the bench are set up (no session cache).
    config.session_storage = Arc::new(tokio_rustls::rustls::server::NoServerSessionStorage {});
    TlsAcceptor::from(Arc::new(config))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port: u16 = args.first().and_then(|p| p.parse().ok()).expect("usage: rpoco-peer-hyper <port> [cert key]");
    let acceptor = (args.len() == 3).then(|| tls(&args[1], &args[2]));
    std::thread::spawn(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
        std::process::exit(0);
    });
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await.expect("bind");
        println!("listening on {}", listener.local_addr().expect("address"));
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let http = http1::Builder::new();
                match acceptor {
                    None => {
                        let _ = http.serve_connection(TokioIo::new(stream), service_fn(hello)).await;
                    }
                    Some(acceptor) => {
                        if let Ok(tls) = acceptor.accept(stream).await {
                            let _ = http.serve_connection(TokioIo::new(tls), service_fn(hello)).await;
                        }
                    }
                }
            });
        }
    });
}
