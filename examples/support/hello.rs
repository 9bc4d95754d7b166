//! `GET /hello` of the server examples: the benchmarks' fixed answer, so every server in
//! `cargo xtask bench server` / `https-server` does the same work.

use rpoco::net::{HttpMessage, HttpRequestHandler, HttpServerRequest, HttpServerResponse};

/// "Hello, world!" as `text/plain` with `Content-Length` (13 bytes).
pub(crate) struct HelloRequestHandler;

impl HttpRequestHandler for HelloRequestHandler {
    fn handle_request(
        &mut self,
        _request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> rpoco::net::Result<()> {
        response.set_content_type("text/plain");
        response.send_buffer(b"Hello, world!")
    }
}
