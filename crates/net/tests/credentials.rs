//! HttpCredentials against real servers on 127.0.0.1: httpbin (under gunicorn) for Basic and
//! Digest with each algorithm it offers, and a pyspnego NTLM server.

use std::io::Read;
use std::path::Path;

use rpoco_net::{
    AuthScheme, HTTP_1_1, HttpClientSession, HttpCredentials, HttpRequest, HttpResponse, HttpStatus,
};
use rpoco_testsupport::{PythonPeer, require_python_module};

/// GET `path`, answering up to `rounds` authentication challenges on the same connection.
fn get(
    session: &mut HttpClientSession,
    path: &str,
    creds: &mut HttpCredentials,
    rounds: usize,
) -> (u16, String) {
    let mut req = HttpRequest::new("GET", path, HTTP_1_1);
    for _ in 0..=rounds {
        session.send_request(&mut req).unwrap();
        let mut res = HttpResponse::default();
        let mut body = String::new();
        session.receive_response(&mut res).unwrap().read_to_string(&mut body).unwrap();
        if res.status() != HttpStatus::UNAUTHORIZED {
            return (res.status().code(), body);
        }
        if creds.authenticate(&mut req, &res).is_err() {
            return (401, body);
        }
    }
    (401, String::new())
}

fn session(port: u16) -> HttpClientSession {
    let mut s = HttpClientSession::new("127.0.0.1", port);
    s.set_keep_alive(true);
    s
}

#[test]
fn httpbin_basic_and_digest_with_every_algorithm_it_offers() {
    let Some(httpbin) = PythonPeer::httpbin() else { return };
    let mut s = session(httpbin.port());
    let mut creds = HttpCredentials::new("user", "passwd");
    let (status, body) = get(&mut s, "/basic-auth/user/passwd", &mut creds, 1);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"authenticated\": true"), "{body}");
    assert_eq!(creds.scheme(), Some(AuthScheme::Basic));
    for alg in ["MD5", "SHA-256", "SHA-512"] {
        for qop in ["auth", "auth-int"] {
            let mut creds = HttpCredentials::new("user", "passwd");
            let (status, body) = get(&mut s, &format!("/digest-auth/{qop}/user/passwd/{alg}"), &mut creds, 1);
            assert_eq!(status, 200, "{alg} {qop}: {body}");
            assert!(body.contains("\"authenticated\": true"), "{alg}: {body}");
            assert_eq!(creds.scheme(), Some(AuthScheme::Digest));
        }
    }
    let mut wrong = HttpCredentials::new("user", "wrong");
    let (status, _) = get(&mut s, "/digest-auth/auth/user/passwd/SHA-256", &mut wrong, 1);
    assert_eq!(status, 401);
}

#[test]
fn ntlm_against_pyspnego() {
    if !require_python_module("spnego") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::write(&users, "RPOCO:alice:S3cret!\n").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/ntlm_server.py");
    let peer = PythonPeer::script(&script, &[], &[("NTLM_USER_FILE", users.to_str().unwrap())]);
    let mut s = session(peer.port());
    let mut creds = HttpCredentials::new("RPOCO\\alice", "S3cret!");
    let (status, body) = get(&mut s, "/", &mut creds, 2);
    assert_eq!((status, body.as_str()), (200, "hello RPOCO\\alice"));
    assert_eq!(creds.scheme(), Some(AuthScheme::Ntlm));
    // The connection stays authenticated.
    let (status, body) = get(&mut s, "/", &mut creds, 0);
    assert_eq!((status, body.as_str()), (200, "hello again RPOCO\\alice"));
    let mut s = session(peer.port());
    let mut wrong = HttpCredentials::new("RPOCO\\alice", "nope");
    let (status, _) = get(&mut s, "/", &mut wrong, 2);
    assert_eq!(status, 401);
}
