//! 200 concurrent keep-alive clients × 100 requests each against one HttpServer, every
//! response checked. Bounded in count; a few seconds in debug builds.

mod support;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use rpoco_net::{
    HTTP_1_1, HttpClientSession, HttpMessage, HttpRequest, HttpResponse, HttpServerParams, handler_fn,
};

const CLIENTS: usize = 200;
const REQUESTS: usize = 100;

/// POCO's defaults, except that all 200 clients may wait in the accept queue at once: they
/// connect in one burst, and refusing some (as POCO's `maxQueued` of 64 would on a busy
/// machine) is tested in `tcp_server.rs`, not here.
fn params() -> HttpServerParams {
    let mut params = HttpServerParams::default();
    params.tcp.max_queued = CLIENTS;
    params
}

#[test]
fn two_hundred_clients_times_one_hundred_requests() {
    let server = support::serve(
        handler_fn(|request, response| {
            let mut body = Vec::new();
            request.read_to_end(&mut body)?;
            // The answer depends on URI and body, so a mixed-up response is caught.
            let mut answer = request.uri().as_bytes().to_vec();
            answer.push(b':');
            answer.extend(body.iter().rev());
            if request.uri().ends_with('7') {
                response.set_chunked_transfer_encoding(true);
                let mut out = response.send()?;
                out.write_all(&answer)?;
                return out.finish();
            }
            response.send_buffer(&answer)
        }),
        params(),
    );
    let port = server.port();
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let mut session = HttpClientSession::new("127.0.0.1", port);
                    session.set_keep_alive(true);
                    session.set_timeout(Some(Duration::from_secs(20)));
                    for r in 0..REQUESTS {
                        let uri = format!("/c{c}/r{r}");
                        let body = format!("client {c} request {r}");
                        let mut req =
                            HttpRequest::new(if r % 2 == 0 { "POST" } else { "PUT" }, &uri, HTTP_1_1);
                        req.set_content_length(Some(body.len() as u64));
                        session.send_request(&mut req).unwrap().write_all(body.as_bytes()).unwrap();
                        let mut res = HttpResponse::default();
                        let mut got = Vec::new();
                        session.receive_response(&mut res).unwrap().read_to_end(&mut got).unwrap();
                        let mut expected = uri.into_bytes();
                        expected.push(b':');
                        expected.extend(body.bytes().rev());
                        assert_eq!(res.status().code(), 200);
                        assert_eq!(got, expected, "client {c} request {r}");
                    }
                })
                .unwrap()
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    let took = started.elapsed();
    eprintln!("{} requests in {took:?}", CLIENTS * REQUESTS);
    let tcp = server.tcp_server();
    assert_eq!(tcp.total_connections(), CLIENTS as u64, "every client kept one connection alive");
    assert_eq!(tcp.refused_connections(), 0);
    assert!(tcp.current_threads() <= tcp.max_threads());
}
