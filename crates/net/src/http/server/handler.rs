//! The handler traits: [`HttpRequestHandler`] and [`HttpRequestHandlerFactory`], closures
//! for both, and [`handler_fn`] for one closure serving every request.

use std::sync::Arc;

use super::request::HttpServerRequest;
use super::response::HttpServerResponse;
use crate::error::Result;

/// Handles one request (POCO `HTTPRequestHandler`).
///
/// Read the request body from `request` (it implements `Read`), set the status and
/// headers on `response` and send it once: [`send`](HttpServerResponse::send) (a body
/// writer), [`send_buffer`](HttpServerResponse::send_buffer),
/// [`send_file`](HttpServerResponse::send_file) or
/// [`redirect`](HttpServerResponse::redirect). A response not sent when the handler returns
/// goes out with an empty body. An `Err` before anything was sent becomes `500 Internal
/// Server Error` (`400` if reading the request body failed) and closes the connection; so
/// does a panic.
///
/// Closures `FnMut(&mut HttpServerRequest, &mut HttpServerResponse) -> Result<()>` are
/// handlers.
pub trait HttpRequestHandler: Send {
    /// Serves `request` by filling and sending `response`.
    fn handle_request(
        &mut self,
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> Result<()>;
}

impl<F> HttpRequestHandler for F
where
    F: FnMut(&mut HttpServerRequest<'_>, &mut HttpServerResponse<'_>) -> Result<()> + Send,
{
    fn handle_request(
        &mut self,
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> Result<()> {
        self(request, response)
    }
}

/// Chooses a handler for each request (POCO `HTTPRequestHandlerFactory`); `None` answers
/// `501 Not Implemented`. Called on a worker thread once the request head arrived; the
/// body is not read yet.
///
/// Closures `Fn(&HttpServerRequest) -> Option<Box<dyn HttpRequestHandler>>` are factories;
/// [`handler_fn`] makes one from a single handler closure.
pub trait HttpRequestHandlerFactory: Send + Sync {
    /// A handler for `request`, or `None` for 501.
    fn create_request_handler(&self, request: &HttpServerRequest<'_>) -> Option<Box<dyn HttpRequestHandler>>;
}

impl<F> HttpRequestHandlerFactory for F
where
    F: Fn(&HttpServerRequest<'_>) -> Option<Box<dyn HttpRequestHandler>> + Send + Sync,
{
    fn create_request_handler(&self, request: &HttpServerRequest<'_>) -> Option<Box<dyn HttpRequestHandler>> {
        self(request)
    }
}

/// A factory that serves every request with one shared closure: the usual way to write a
/// small server.
///
/// ```
/// use rpoco_net::{handler_fn, HttpMessage, HttpServer, HttpServerParams, ServerSocket, SocketAddress};
/// let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, true)?;
/// let server = HttpServer::new(
///     handler_fn(|request, response| {
///         response.set_content_type("text/plain");
///         response.send_buffer(format!("you asked for {}", request.uri()).as_bytes())
///     }),
///     socket,
///     HttpServerParams::default(),
/// )?;
/// server.start()?;
/// # server.stop();
/// # Ok::<(), rpoco_net::Error>(())
/// ```
pub fn handler_fn<F>(f: F) -> HandlerFn<F>
where
    F: Fn(&mut HttpServerRequest<'_>, &mut HttpServerResponse<'_>) -> Result<()> + Send + Sync + 'static,
{
    HandlerFn(Arc::new(f))
}

/// The factory [`handler_fn`] makes.
#[derive(Debug)]
pub struct HandlerFn<F>(Arc<F>);

impl<F> HttpRequestHandlerFactory for HandlerFn<F>
where
    F: Fn(&mut HttpServerRequest<'_>, &mut HttpServerResponse<'_>) -> Result<()> + Send + Sync + 'static,
{
    fn create_request_handler(&self, _: &HttpServerRequest<'_>) -> Option<Box<dyn HttpRequestHandler>> {
        Some(Box::new(Shared(self.0.clone())))
    }
}

struct Shared<F>(Arc<F>);

impl<F> HttpRequestHandler for Shared<F>
where
    F: Fn(&mut HttpServerRequest<'_>, &mut HttpServerResponse<'_>) -> Result<()> + Send + Sync,
{
    fn handle_request(
        &mut self,
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> Result<()> {
        (self.0)(request, response)
    }
}
