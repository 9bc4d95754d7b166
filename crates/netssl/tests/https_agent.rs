//! The Agent and HttpsSessionInstantiator over TLS against a private nginx on 127.0.0.1
//! (dev certificates): http and https behind one agent, with a redirect across the two.

mod common;

use std::io::Read;
use std::sync::Arc;

use common::*;
use rpoco_foundation::Uri;
use rpoco_net::{HTTP_1_1, HttpRequest, HttpResponse, HttpSessionFactory};
use rpoco_netssl::{HttpsSessionInstantiator, VerificationMode, https_agent_builder};

#[test]
fn one_agent_for_http_and_https_and_an_https_session_factory() {
    if require("nginx").is_none() {
        return;
    }
    let files = Files::new();
    let text: String = (0..5000).map(|i| format!("line {i}\n")).collect();
    let tls = NginxConfig::new()
        .tls(files.get("server.pem"), files.get("server.key"))
        .file("data.txt", text.clone())
        .http("gzip on; gzip_types text/plain;");
    let tls = Nginx::start(&tls).expect("start nginx with TLS");
    let plain = NginxConfig::new()
        .server(&format!("location = /to-tls {{ return 302 https://localhost:{}/data.txt; }}", tls.port));
    let plain = Nginx::start(&plain).expect("start plain nginx");
    let agent = https_agent_builder(client_context(VerificationMode::Strict)).build();
    let res = agent.get(&format!("http://127.0.0.1:{}/to-tls", plain.port)).call().unwrap();
    assert_eq!(res.url().scheme(), "https");
    assert_eq!(res.redirects().len(), 1);
    assert_eq!(res.into_string().unwrap(), text);
    agent.get(&format!("https://localhost:{}/data.txt", tls.port)).call().unwrap().into_bytes().unwrap();
    // One plain and one TLS connection: the second https request reused the first (else 3).
    assert_eq!(agent.idle_connections(), 2);

    let factory = HttpSessionFactory::new();
    factory.register_protocol(
        "https",
        Arc::new(HttpsSessionInstantiator::with_context(client_context(VerificationMode::Strict))),
    );
    let mut s = factory
        .create_client_session(&Uri::parse(&format!("https://localhost:{}/", tls.port)).unwrap())
        .unwrap();
    assert!(s.secure());
    s.send_request(&mut HttpRequest::new("GET", "/data.txt", HTTP_1_1)).unwrap();
    let mut res = HttpResponse::default();
    let mut body = String::new();
    s.receive_response(&mut res).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, text);
}
