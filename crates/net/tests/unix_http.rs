//! HttpServer and HttpClientSession over Unix-domain sockets (a path and a Linux abstract
//! name), with curl `--unix-socket` / `--abstract-unix-socket` as the client.

use std::io::{Read, Write};
use std::process::Command;

use rpoco_net::{
    HTTP_1_1, HttpMessage, HttpRequest, HttpResponse, HttpServer, HttpServerParams, HttpStatus,
    LocalConnector, ServerSocket, SocketAddress, handler_fn,
};

fn serve(address: &SocketAddress) -> HttpServer {
    let socket = ServerSocket::bind(address, false).unwrap();
    let factory = handler_fn(|request, response| {
        let mut body = Vec::new();
        request.read_to_end(&mut body)?;
        response.set("X-Client", &request.client_address().to_string());
        response.set("X-Server", &request.server_address().to_string());
        response.set_content_type("text/plain");
        let answer = format!("{} {} {}", request.method(), request.uri(), String::from_utf8_lossy(&body));
        response.send_buffer(answer.as_bytes())
    });
    let server = HttpServer::new(factory, socket, HttpServerParams::default()).unwrap();
    server.start().unwrap();
    server
}

fn session_round_trips(address: SocketAddress) {
    let mut session = LocalConnector::new(address).session("localhost");
    session.set_keep_alive(true);
    for i in 0..3 {
        let body = format!("body {i}");
        let mut req = HttpRequest::new("POST", &format!("/local/{i}"), HTTP_1_1);
        req.set_content_length(Some(body.len() as u64));
        session.send_request(&mut req).unwrap().write_all(body.as_bytes()).unwrap();
        let mut res = HttpResponse::default();
        let mut got = String::new();
        session.receive_response(&mut res).unwrap().read_to_string(&mut got).unwrap();
        assert_eq!(res.status(), HttpStatus::OK);
        assert_eq!(got, format!("POST /local/{i} body {i}"));
        assert_eq!(res.get("X-Server"), Some(address.to_string().as_str()));
    }
}

fn curl(args: &[&str]) -> Option<String> {
    let curl = rpoco_testsupport::require("curl")?;
    let out = Command::new(curl).args(["-sS", "--max-time", "20"]).args(args).output().unwrap();
    assert!(out.status.success(), "curl: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn http_over_a_unix_socket_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("http.sock");
    let address = SocketAddress::unix_local(&path).unwrap();
    let server = serve(&address);
    assert_eq!(server.address().unwrap(), address);
    session_round_trips(address);
    if let Some(body) =
        curl(&["--unix-socket", path.to_str().unwrap(), "-d", "from curl", "http://localhost/c?x=1"])
    {
        assert_eq!(body, "POST /c?x=1 from curl");
    }
    server.stop();
}

#[test]
fn http_over_a_linux_abstract_name() {
    let name = format!("rpoco-http-{}", std::process::id());
    let address = SocketAddress::unix_abstract(name.as_bytes()).unwrap();
    let server = serve(&address);
    session_round_trips(address);
    if let Some(body) = curl(&["--abstract-unix-socket", &name, "http://localhost/abstract"]) {
        assert_eq!(body, "GET /abstract ");
    }
    server.stop();
}
