//! POCO's `HTTPServer` family: [`HttpServer`], [`HttpServerParams`],
//! [`HttpRequestHandler`], [`HttpRequestHandlerFactory`], [`HttpServerRequest`],
//! [`HttpServerResponse`].
//!
//! ```
//! use std::io::Write;
//! use rpoco_net::{HttpMessage, HttpRequestHandler, HttpServer, HttpServerParams,
//!     HttpServerRequest, HttpServerResponse, ServerSocket, SocketAddress};
//!
//! // POCO's HTTPTimeServer handler, ported.
//! struct TimeHandler;
//! impl HttpRequestHandler for TimeHandler {
//!     fn handle_request(&mut self, _req: &mut HttpServerRequest<'_>,
//!                       res: &mut HttpServerResponse<'_>) -> rpoco_net::Result<()> {
//!         res.set_chunked_transfer_encoding(true);
//!         res.set_content_type("text/html");
//!         let mut out = res.send()?;
//!         write!(out, "<html><body>{:?}</body></html>", std::time::SystemTime::now())?;
//!         out.finish()
//!     }
//! }
//!
//! let socket = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, true)?;
//! let server = HttpServer::new(
//!     |_: &HttpServerRequest<'_>| Some(Box::new(TimeHandler) as Box<dyn HttpRequestHandler>),
//!     socket,
//!     HttpServerParams::default(),
//! )?;
//! server.start()?;
//! server.stop();
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod connection;
mod exchange;
mod handler;
mod media;
mod params;
mod request;
mod response;
#[allow(clippy::module_inception)]
mod server;
mod takeover;
mod transfer;

pub use handler::{HandlerFn, HttpRequestHandler, HttpRequestHandlerFactory, handler_fn};
pub use media::media_type_for_path;
pub use params::HttpServerParams;
pub use request::HttpServerRequest;
pub use response::{HttpServerResponse, ResponseStream};
pub use server::HttpServer;
