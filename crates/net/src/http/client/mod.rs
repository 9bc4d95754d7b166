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

mod agent;
mod body;
mod cookie_jar;
mod file_stream_factory;
mod opener_request;
pub(crate) mod proxy;
mod session;
mod session_factory;
mod source_address;
mod stream_factory;

pub use agent::{Agent, AgentBuilder, AgentRequest, AgentResponse, Body, DEFAULT_BODY_LIMIT, RedirectPolicy};
pub use body::{RequestBody, ResponseBody};
pub use cookie_jar::{CookieJarLimits, HttpCookieJar, StoredCookie};
pub use file_stream_factory::FileStreamFactory;
pub use opener_request::{UriOpened, UriRequest, UriResponse};
pub use proxy::{ProxyAuth, ProxyConfig};
// FTP through an HTTP proxy tunnels its control and data connections with CONNECT.
pub use session::ClientSession;
pub use session::{AbortHandle, HttpClientSession};
pub use session_factory::{HttpSessionFactory, HttpSessionInstantiator, SessionInstantiator};
pub use stream_factory::{HttpResponseStream, HttpStreamFactory, Opened, UriStreamFactory, UriStreamOpener};
