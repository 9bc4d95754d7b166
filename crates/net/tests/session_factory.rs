//! HttpSessionFactory, set_source_address (POCO's SetSourceIP) and FileStreamFactory on
//! 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use rpoco_foundation::Uri;
use rpoco_net::{
    ErrorKind, FileStreamFactory, HTTP_1_1, HttpRequest, HttpResponse, HttpSessionFactory,
    HttpSessionInstantiator, SocketAddress, UriStreamOpener,
};

/// A one-request server that answers with the client's address as the body.
fn echo_peer_address() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, peer) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).unwrap();
        let body = peer.ip().to_string();
        write!(s, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            .unwrap();
    });
    (port, t)
}

#[test]
fn factory_sessions_leave_from_the_source_address() {
    let factory = HttpSessionFactory::new();
    factory.register_protocol("http", Arc::new(HttpSessionInstantiator));
    assert!(factory.supports_protocol("HTTP") && !factory.supports_protocol("https"));
    let (port, t) = echo_peer_address();
    let mut session =
        factory.create_client_session(&Uri::parse(&format!("http://127.0.0.1:{port}/")).unwrap()).unwrap();
    // All of 127/8 is loopback on Linux: the server must see 127.0.0.2.
    session.set_source_address(SocketAddress::parse("127.0.0.2:0").unwrap()).unwrap();
    session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1)).unwrap();
    let mut res = HttpResponse::default();
    let mut body = String::new();
    session.receive_response(&mut res).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "127.0.0.2");
    t.join().unwrap();
    let err = factory.create_client_session(&Uri::parse("gopher://x/").unwrap()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownUriScheme);
    assert!(HttpSessionFactory::default_factory().supports_protocol("http"));
}

#[test]
fn file_uris_open_through_the_opener() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.txt"), "file body").unwrap();
    let opener = UriStreamOpener::new();
    opener.register_stream_factory("file", Arc::new(FileStreamFactory));
    let mut text = String::new();
    opener
        .open(&format!("file://{}/data.txt", dir.path().display()))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "file body");
    let err = opener.open(&format!("file://{}/missing", dir.path().display())).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::OpenFile, "{err}");
    let err = opener.open("file://elsewhere.example/etc/passwd").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
}
