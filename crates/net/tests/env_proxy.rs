//! `HttpClientSession::with_env_proxy` against a real forward proxy on 127.0.0.1: the
//! session's proxy comes from `HTTP_PROXY`, `NO_PROXY` bypasses it, and a malformed value is
//! an error naming it. Environment variables are process-wide, so each case runs in a child
//! process (this test binary re-run for one test with the variables set) instead of calling
//! the unsafe `std::env::set_var` in a multi-threaded test harness.

mod support;

use std::io::Read;
use std::process::Command;

use rpoco_net::{HTTP_1_1, HttpClientSession, HttpRequest, HttpResponse, HttpServerParams, handler_fn};

/// Set in the child: the origin port and what the child must see.
const CHILD: &str = "RPOCO_ENV_PROXY_CHILD";

/// In the child process: GET / from the origin through whatever the environment says.
fn child(spec: &str) {
    let (port, expect) = spec.split_once(':').expect("PORT:EXPECT");
    let port: u16 = port.parse().unwrap();
    match expect {
        "error" => {
            let err = HttpClientSession::with_env_proxy("127.0.0.1", port).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("ftp://proxy.invalid"), "{text}");
        }
        _ => {
            let mut session = HttpClientSession::with_env_proxy("127.0.0.1", port).unwrap();
            let proxied = expect == "proxied";
            let config = session.proxy_config();
            assert_eq!(config.is_set() && !config.bypasses("127.0.0.1"), proxied, "{config:?}");
            let mut request = HttpRequest::new(HttpRequest::HTTP_GET, "/env", HTTP_1_1);
            session.send_request(&mut request).unwrap();
            let mut response = HttpResponse::default();
            let mut body = String::new();
            session.receive_response(&mut response).unwrap().read_to_string(&mut body).unwrap();
            assert_eq!((response.status().code(), body.as_str()), (200, "from the origin"));
        }
    }
}

/// Runs this test again in a child process with `env`; asserts it passed.
fn run_child(spec: &str, env: &[(&str, &str)]) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "the_proxy_comes_from_the_environment", "--nocapture", "--test-threads", "1"]);
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"] {
        cmd.env_remove(name);
    }
    cmd.env(CHILD, spec).envs(env.iter().copied());
    let out = cmd.output().expect("re-run the test binary");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child {spec} with {env:?} failed:\n{text}");
    assert!(text.contains("1 passed"), "the child ran no test:\n{text}");
}

#[test]
fn the_proxy_comes_from_the_environment() {
    if let Ok(spec) = std::env::var(CHILD) {
        child(&spec);
        return;
    }
    let origin = support::serve(
        handler_fn(|_request, response| response.send_buffer(b"from the origin")),
        HttpServerParams::default(),
    );
    let (proxy_port, log) = rpoco_testsupport::http_proxy(None);
    let proxy = format!("http://127.0.0.1:{proxy_port}");
    let port = origin.port();
    let proxied = || log.lock().unwrap().requests.iter().filter(|r| r.uri().ends_with("/env")).count();

    run_child(&format!("{port}:proxied"), &[("HTTP_PROXY", &proxy)]);
    assert_eq!(proxied(), 1);
    let last = log.lock().unwrap().requests.last().cloned().unwrap();
    assert_eq!((last.method(), last.uri()), ("GET", format!("http://127.0.0.1:{port}/env").as_str()));

    // The lower-case spelling works too.
    run_child(&format!("{port}:proxied"), &[("http_proxy", &proxy)]);
    assert_eq!(proxied(), 2);

    // NO_PROXY names the origin: straight there.
    run_child(&format!("{port}:direct"), &[("HTTP_PROXY", &proxy), ("NO_PROXY", "localhost,127.0.0.1")]);
    assert_eq!(proxied(), 2);

    // Only HTTPS_PROXY set: not used for http.
    run_child(&format!("{port}:direct"), &[("HTTPS_PROXY", &proxy)]);
    assert_eq!(proxied(), 2);

    // A scheme we cannot speak is an error that names the value.
    run_child(&format!("{port}:error"), &[("HTTP_PROXY", "ftp://proxy.invalid:21")]);
    origin.stop();
}
