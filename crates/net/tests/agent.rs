//! The Agent against real servers on 127.0.0.1: httpbin under gunicorn (compression,
//! cookies, redirects, credentials, multipart echo) and nginx with `gzip on`.

use std::io::Read;
use std::time::Duration;

use rpoco_net::{Agent, Detail, ErrorKind, HtmlForm, HttpMessage, PartSource, RedirectPolicy};
use rpoco_testsupport::{Nginx, NginxConfig, PythonPeer};

fn httpbin() -> Option<(std::sync::Arc<PythonPeer>, String)> {
    let peer = PythonPeer::shared_httpbin()?;
    let base = format!("http://127.0.0.1:{}", peer.port());
    Some((peer, base))
}

#[test]
fn decodes_gzip_and_deflate_from_httpbin() {
    let Some((_peer, base)) = httpbin() else { return };
    let agent = Agent::new();
    let res = agent.get(&format!("{base}/gzip")).call().unwrap();
    assert!(res.header("Content-Encoding").is_none(), "decoded: the coding header is removed");
    let text = res.into_string().unwrap();
    assert!(text.contains("\"gzipped\": true"), "{text}");
    assert!(text.contains("gzip, deflate"), "Accept-Encoding was sent: {text}");
    let text = agent.get(&format!("{base}/deflate")).call().unwrap().into_string().unwrap();
    assert!(text.contains("\"deflated\": true"), "{text}");
    // Off: the compressed bytes as sent.
    let raw = Agent::builder().decompress(false).build();
    let res = raw.get(&format!("{base}/gzip")).header("Accept-Encoding", "gzip").call().unwrap();
    assert_eq!(res.header("Content-Encoding"), Some("gzip"));
    assert_eq!(&res.into_bytes().unwrap()[..2], &[0x1f, 0x8b]);
    // A tiny bomb limit stops decoding with a typed error.
    let small = Agent::builder().decompress_limit(10).build();
    let err = small.get(&format!("{base}/gzip")).call().unwrap().into_bytes().unwrap_err();
    assert!(
        matches!(
            err.source_as::<rpoco_foundation::Error>(),
            Some(rpoco_foundation::Error::LimitExceeded { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn cookies_set_read_back_delete_and_expire() {
    let Some((peer, base)) = httpbin() else { return };
    let agent = Agent::new();
    // /cookies/set answers 302 to /cookies: the redirect carries the new cookies.
    let res = agent.get(&format!("{base}/cookies/set?a=1&b=2")).call().unwrap();
    assert_eq!(res.url().path(), "/cookies");
    assert_eq!(res.redirects().len(), 1);
    let text = res.into_string().unwrap();
    assert!(text.contains("\"a\": \"1\"") && text.contains("\"b\": \"2\""), "{text}");
    let text = agent.get(&format!("{base}/cookies/delete?a")).call().unwrap().into_string().unwrap();
    assert!(!text.contains("\"a\"") && text.contains("\"b\": \"2\""), "{text}");
    // A redirect to another host (localhost, not 127.0.0.1) carries none of 127.0.0.1's
    // host-only cookies; one back to 127.0.0.1 does.
    let away = format!("{base}/redirect-to?url=http://localhost:{}/cookies", peer.port());
    let res = agent.get(&away).call().unwrap();
    assert_eq!((res.url().host(), res.redirects().len()), ("localhost", 1));
    let text = res.into_string().unwrap();
    assert!(!text.contains("\"b\""), "{text}");
    let back = format!("http://localhost:{}/redirect-to?url={base}/cookies", peer.port());
    let text = agent.get(&back).call().unwrap().into_string().unwrap();
    assert!(text.contains("\"b\": \"2\""), "{text}");
    let set = "short%3D1%3B%20Max-Age%3D1%3B%20Path%3D%2F";
    agent.get(&format!("{base}/response-headers?Set-Cookie={set}")).call().unwrap().into_bytes().unwrap();
    let text = agent.get(&format!("{base}/cookies")).call().unwrap().into_string().unwrap();
    assert!(text.contains("\"short\": \"1\""), "{text}");
    std::thread::sleep(Duration::from_millis(2100));
    let text = agent.get(&format!("{base}/cookies")).call().unwrap().into_string().unwrap();
    assert!(!text.contains("short"), "expired after Max-Age: {text}");
    // A second agent has its own jar.
    let text = Agent::new().get(&format!("{base}/cookies")).call().unwrap().into_string().unwrap();
    assert!(!text.contains("\"b\""), "{text}");
}

#[test]
fn redirects_by_policy_with_same_origin_rules() {
    let Some((peer, base)) = httpbin() else { return };
    let agent = Agent::new();
    let res = agent.get(&format!("{base}/redirect/3")).call().unwrap();
    assert_eq!((res.url().path(), res.redirects().len()), ("/get", 3));
    let limited = Agent::builder().redirects(RedirectPolicy::Limit(2)).build();
    let err = limited.get(&format!("{base}/redirect/5")).call().unwrap_err();
    assert!(err.kind() == ErrorKind::Http && err.message().contains("too many redirects"), "{err}");
    // 303 after POST: GET without the body.
    let res =
        agent.post(&format!("{base}/redirect-to?url=/anything&status_code=303")).send("payload").unwrap();
    let text = res.into_string().unwrap();
    assert!(text.contains("\"method\": \"GET\"") && !text.contains("payload"), "{text}");
    // 307 keeps method and body.
    let text = agent
        .post(&format!("{base}/redirect-to?url=/anything&status_code=307"))
        .send("payload")
        .unwrap()
        .into_string()
        .unwrap();
    assert!(text.contains("\"method\": \"POST\"") && text.contains("payload"), "{text}");
    // Another origin (localhost vs 127.0.0.1): Authorization is not carried over.
    let other = format!("http://localhost:{}/headers", peer.port());
    let to_other = format!("{base}/redirect-to?url={other}");
    let text =
        agent.get(&to_other).header("Authorization", "Bearer secret").call().unwrap().into_string().unwrap();
    assert!(!text.contains("Bearer secret"), "{text}");
    let same = format!("{base}/redirect-to?url=/headers");
    let text =
        agent.get(&same).header("Authorization", "Bearer secret").call().unwrap().into_string().unwrap();
    assert!(text.contains("Bearer secret"), "{text}");
    // SameOrigin policy hands back the cross-origin redirect itself.
    let strict = Agent::builder().redirects(RedirectPolicy::SameOrigin(5)).build();
    let res = strict.get(&to_other).call().unwrap();
    assert_eq!(res.status().code(), 302);
}

#[test]
fn credentials_status_errors_http_types_and_pooling() {
    let Some((peer, base)) = httpbin() else { return };
    let agent = Agent::new();
    let url = format!("http://user:passwd@127.0.0.1:{}/digest-auth/auth/user/passwd/SHA-256", peer.port());
    let text = agent.get(&url).call().unwrap().into_string().unwrap();
    assert!(text.contains("\"authenticated\": true"), "{text}");
    let text = agent
        .get(&format!("{base}/basic-auth/u/p"))
        .credentials("u", "p")
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(text.contains("\"authenticated\": true"), "{text}");
    let err = agent.get(&format!("{base}/basic-auth/u/p")).credentials("u", "x").call().unwrap_err();
    assert!(
        err.kind() == ErrorKind::Http && err.detail() == &Detail::Peer("401 UNAUTHORIZED".into()),
        "{err}"
    );
    let err = agent.get(&format!("{base}/status/404")).call().unwrap_err();
    assert!(err.kind() == ErrorKind::Http && err.message().starts_with("404"), "{err}");
    let lenient = Agent::builder().http_status_as_error(false).build();
    assert_eq!(lenient.get(&format!("{base}/status/418")).call().unwrap().status().code(), 418);
    // http crate types in and out.
    let req =
        http::Request::post(format!("{base}/anything")).header("X-Test", "1").body(b"abc".to_vec()).unwrap();
    let res = agent.run(req).unwrap();
    assert_eq!(res.status(), http::StatusCode::OK);
    let mut text = String::new();
    res.into_body().read_to_string(&mut text).unwrap();
    assert!(text.contains("\"X-Test\": \"1\"") && text.contains("\"data\": \"abc\""), "{text}");
    // Sequential requests reuse one pooled connection.
    let pooled = Agent::new();
    for _ in 0..3 {
        pooled.get(&format!("{base}/get")).call().unwrap().into_bytes().unwrap();
    }
    assert_eq!(pooled.idle_connections(), 1);
}

#[test]
fn multipart_form_echoed_by_httpbin() {
    let Some((_peer, base)) = httpbin() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "line one\nline two\n").unwrap();
    let mut form = HtmlForm::new();
    form.add("field", "value 1");
    form.add_part("upload", PartSource::from_file(&file, "text/plain").unwrap());
    let text =
        Agent::new().post(&format!("{base}/post")).send_form(&mut form).unwrap().into_string().unwrap();
    assert!(text.contains("\"field\": \"value 1\""), "{text}");
    assert!(text.contains("\"upload\": \"line one\\nline two\\n\""), "{text}");
}

#[cfg(feature = "json")]
#[test]
fn json_in_and_out() {
    let Some((_peer, base)) = httpbin() else { return };
    let v: serde_json::Value = Agent::new()
        .post(&format!("{base}/anything"))
        .send_json(&serde_json::json!({"n": 1, "s": "x"}))
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(v["json"], serde_json::json!({"n": 1, "s": "x"}));
}

#[test]
fn nginx_gzip_static_files() {
    if rpoco_testsupport::require("nginx").is_none() {
        return;
    }
    let text: String = (0..20_000).map(|i| format!("row {i}\n")).collect();
    let config = NginxConfig::new()
        .file("data.txt", text.clone())
        .http("gzip on; gzip_types text/plain; gzip_min_length 100;");
    let nginx = Nginx::start(&config).unwrap();
    let agent = Agent::new();
    let res = agent.get(&nginx.url("/data.txt")).call().unwrap();
    assert!(res.header("Content-Encoding").is_none());
    assert_eq!(res.into_string().unwrap(), text);
    let raw = Agent::builder().decompress(false).build();
    let res = raw.get(&nginx.url("/data.txt")).header("Accept-Encoding", "gzip").call().unwrap();
    assert_eq!(res.header("Content-Encoding"), Some("gzip"));
    let packed = res.into_bytes().unwrap();
    assert!(packed.len() < text.len() / 3);
    let mut back = String::new();
    rpoco_foundation::compression::InflatingReader::new(
        &packed[..],
        rpoco_foundation::compression::StreamType::Gzip,
    )
    .read_to_string(&mut back)
    .unwrap();
    assert_eq!(back, text);
}

#[test]
fn uri_stream_opener_open_request_gives_the_final_response() {
    let Some((_peer, base)) = httpbin() else { return };
    let opener = rpoco_net::UriStreamOpener::new();
    opener.register_stream_factory("http", std::sync::Arc::new(rpoco_net::HttpStreamFactory::new()));
    let req = rpoco_net::UriRequest::new("PUT").header("X-Opener", "yes").body("put body");
    let mut res =
        opener.open_request(&format!("{base}/redirect-to?url=/anything&status_code=307"), req).unwrap();
    assert_eq!(res.status().code(), 200);
    assert_eq!(res.url.path(), "/anything");
    assert!(res.head.get("Content-Type").is_some_and(|t| t.starts_with("application/json")));
    let mut text = String::new();
    res.body.read_to_string(&mut text).unwrap();
    assert!(
        text.contains("\"method\": \"PUT\"")
            && text.contains("put body")
            && text.contains("\"X-Opener\": \"yes\""),
        "{text}"
    );
    let res = opener.open_request(&format!("{base}/status/404"), rpoco_net::UriRequest::default()).unwrap();
    assert_eq!(res.status().code(), 404);
}

#[test]
fn server_side_send_compressed_to_curl_and_the_agent() {
    use rpoco_net::{
        CompressionOptions, HttpServer, HttpServerParams, HttpServerRequest, ServerSocket, SocketAddress,
        handler_fn, send_compressed,
    };
    let big: String = (0..10_000).map(|i| format!("item {i}\n")).collect();
    let body = big.clone();
    let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
    let handler = handler_fn(move |req: &mut HttpServerRequest<'_>, res| {
        let text = if req.uri() == "/small" { "tiny".to_owned() } else { body.clone() };
        send_compressed(req.request(), res, text.as_bytes(), CompressionOptions::default()).map(|_| ())
    });
    let server = HttpServer::new(handler, socket, HttpServerParams::default()).unwrap();
    server.start().unwrap();
    let base = format!("http://{}", server.address().unwrap());
    // The agent asks for gzip and decodes.
    let res = Agent::new().get(&format!("{base}/")).call().unwrap();
    assert_eq!(res.into_string().unwrap(), big);
    let raw = Agent::builder().decompress(false).build();
    let res = raw.get(&format!("{base}/")).header("Accept-Encoding", "deflate").call().unwrap();
    assert_eq!(
        (res.header("Content-Encoding"), res.header("Vary")),
        (Some("deflate"), Some("Accept-Encoding"))
    );
    let res = raw.get(&format!("{base}/small")).header("Accept-Encoding", "gzip").call().unwrap();
    assert_eq!(res.header("Content-Encoding"), None, "below the threshold");
    let res = raw.get(&format!("{base}/")).call().unwrap();
    assert_eq!(res.header("Content-Encoding"), None, "not accepted");
    if rpoco_testsupport::require("curl").is_none() {
        return;
    }
    let out = std::process::Command::new("curl")
        .args(["-sS", "--compressed", "-D", "-", &format!("{base}/")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.to_ascii_lowercase().contains("content-encoding: gzip")
            || text.to_ascii_lowercase().contains("content-encoding: deflate"),
        "{}",
        &text[..300.min(text.len())]
    );
    assert!(text.ends_with(&big), "curl decoded the same text");
}
