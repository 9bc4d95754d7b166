//! The HTTP client: [`HttpClientSession`], its body types, proxies and the URI stream
//! factory.
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_net::{HttpClientSession, HttpRequest, HttpResponse, ServerSocket, SocketAddress, HTTP_1_1};
//!
//! // A one-shot loopback server answering one request.
//! let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let port = server.address()?.port();
//! std::thread::spawn(move || {
//!     let (mut peer, _) = server.accept_connection().unwrap();
//!     let mut buf = [0u8; 1024];
//!     let _ = peer.read(&mut buf);
//!     peer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").unwrap();
//! });
//!
//! let mut session = HttpClientSession::new("127.0.0.1", port);
//! session.send_request(&mut HttpRequest::new("GET", "/", HTTP_1_1))?;
//! let mut response = HttpResponse::default();
//! let mut body = String::new();
//! session.receive_response(&mut response)?.read_to_string(&mut body)?;
//! assert_eq!((response.status().code(), body.as_str()), (200, "hello"));
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod body;
mod proxy;
mod session;
mod stream_factory;

pub use body::{RequestBody, ResponseBody};
pub use proxy::{ProxyAuth, ProxyConfig};
pub use session::{AbortHandle, HttpClientSession};
pub use stream_factory::{HttpResponseStream, HttpStreamFactory, Opened, UriStreamFactory, UriStreamOpener};
