//! [`ClientSession`]: what every HTTP client session offers, plain or TLS, written once.
//!
//! rpoco-netssl's `HttpsClientSession` is an [`HttpClientSession`] with a TLS step in its
//! chain, plus what TLS adds (the context, the server's certificate). It implements
//! `AsRef`/`AsMut<HttpClientSession>`, and so this trait: every POCO setting and call of
//! `HTTPClientSession` reaches the one implementation without a forwarding method per
//! session type, and code that takes `impl ClientSession` serves plain and TLS alike.

use std::time::Duration;

use super::{AbortHandle, HttpClientSession};
use crate::connect::ConnectOptions;
use crate::error::Result;
use crate::http::client::body::{RequestBody, ResponseBody};
use crate::http::client::proxy::ProxyConfig;
use crate::http::message::{HttpRequest, HttpResponse, MessageHeader};
use crate::socket::DetachedConnection;

/// An HTTP client session, plain or TLS: POCO `HTTPClientSession`'s calls on anything that
/// is one underneath (`HttpClientSession` itself, rpoco-netssl's `HttpsClientSession`).
///
/// Every method goes to [`HttpClientSession`]'s method of the same name, which documents
/// it; errors are this crate's [`Error`](crate::Error) (a TLS failure is
/// [`ErrorKind::Tls`](crate::ErrorKind::Tls) with netssl's error as its source).
///
/// ```
/// use std::io::Read;
/// use rpoco_net::{ClientSession, HttpClientSession, HttpRequest, HttpResponse, HTTP_1_1};
///
/// fn status_of(session: &mut impl ClientSession, path: &str) -> rpoco_net::Result<u16> {
///     session.set_keep_alive(true);
///     session.send_request(&mut HttpRequest::new("GET", path, HTTP_1_1))?;
///     let mut response = HttpResponse::default();
///     let mut body = Vec::new();
///     session.receive_response(&mut response)?.read_to_end(&mut body)?;
///     Ok(response.status().code())
/// }
/// let mut session = HttpClientSession::new("127.0.0.1", 9);
/// assert!(status_of(&mut session, "/").is_err(), "nothing listens on port 9");
/// ```
pub trait ClientSession: AsRef<HttpClientSession> + AsMut<HttpClientSession> {
    /// [`HttpClientSession::send_request`].
    fn send_request(&mut self, request: &mut HttpRequest) -> Result<RequestBody<'_>> {
        self.as_mut().send_request(request)
    }
    /// [`HttpClientSession::receive_response`].
    fn receive_response(&mut self, response: &mut HttpResponse) -> Result<ResponseBody<'_>> {
        self.as_mut().receive_response(response)
    }
    /// [`HttpClientSession::host`].
    fn host(&self) -> &str {
        self.as_ref().host()
    }
    /// [`HttpClientSession::set_host`].
    fn set_host(&mut self, host: &str) -> Result<()> {
        self.as_mut().set_host(host)
    }
    /// [`HttpClientSession::port`].
    fn port(&self) -> u16 {
        self.as_ref().port()
    }
    /// [`HttpClientSession::set_port`].
    fn set_port(&mut self, port: u16) -> Result<()> {
        self.as_mut().set_port(port)
    }
    /// [`HttpClientSession::keep_alive`].
    fn keep_alive(&self) -> bool {
        self.as_ref().keep_alive()
    }
    /// [`HttpClientSession::set_keep_alive`].
    fn set_keep_alive(&mut self, on: bool) {
        self.as_mut().set_keep_alive(on);
    }
    /// [`HttpClientSession::keep_alive_timeout`].
    fn keep_alive_timeout(&self) -> Duration {
        self.as_ref().keep_alive_timeout()
    }
    /// [`HttpClientSession::set_keep_alive_timeout`].
    fn set_keep_alive_timeout(&mut self, timeout: Duration) {
        self.as_mut().set_keep_alive_timeout(timeout);
    }
    /// [`HttpClientSession::set_timeout`].
    fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.as_mut().set_timeout(timeout);
    }
    /// [`HttpClientSession::set_timeouts`].
    fn set_timeouts(&mut self, connect: Option<Duration>, send: Option<Duration>, receive: Option<Duration>) {
        self.as_mut().set_timeouts(connect, send, receive);
    }
    /// [`HttpClientSession::timeout`].
    fn timeout(&self) -> Option<Duration> {
        self.as_ref().timeout()
    }
    /// [`HttpClientSession::set_request_timeout`].
    fn set_request_timeout(&mut self, timeout: Option<Duration>) {
        self.as_mut().set_request_timeout(timeout);
    }
    /// [`HttpClientSession::set_connect_options`].
    fn set_connect_options(&mut self, options: ConnectOptions) {
        self.as_mut().set_connect_options(options);
    }
    /// [`HttpClientSession::proxy_config`].
    fn proxy_config(&self) -> &ProxyConfig {
        self.as_ref().proxy_config()
    }
    /// [`HttpClientSession::set_proxy_config`].
    fn set_proxy_config(&mut self, config: ProxyConfig) -> Result<()> {
        self.as_mut().set_proxy_config(config)
    }
    /// [`HttpClientSession::set_proxy`].
    fn set_proxy(&mut self, host: &str, port: u16) -> Result<()> {
        self.as_mut().set_proxy(host, port)
    }
    /// [`HttpClientSession::set_proxy_credentials`].
    fn set_proxy_credentials(&mut self, username: &str, password: &str) {
        self.as_mut().set_proxy_credentials(username, password);
    }
    /// [`HttpClientSession::connected`].
    fn connected(&self) -> bool {
        self.as_ref().connected()
    }
    /// [`HttpClientSession::secure`].
    fn secure(&self) -> bool {
        self.as_ref().secure()
    }
    /// [`HttpClientSession::response_trailers`].
    fn response_trailers(&self) -> &MessageHeader {
        self.as_ref().response_trailers()
    }
    /// [`HttpClientSession::abort_handle`].
    fn abort_handle(&self) -> AbortHandle {
        self.as_ref().abort_handle()
    }
    /// [`HttpClientSession::detach_socket`].
    fn detach_socket(&mut self) -> Result<DetachedConnection> {
        self.as_mut().detach_socket()
    }
    /// [`HttpClientSession::attach_socket`].
    fn attach_socket(&mut self, connection: DetachedConnection) {
        self.as_mut().attach_socket(connection);
    }
    /// [`HttpClientSession::reset`].
    fn reset(&mut self) {
        self.as_mut().reset();
    }
    /// [`HttpClientSession::close`].
    fn close(&mut self) {
        self.as_mut().close();
    }
}

impl<T: AsRef<HttpClientSession> + AsMut<HttpClientSession> + ?Sized> ClientSession for T {}

impl AsMut<HttpClientSession> for HttpClientSession {
    fn as_mut(&mut self) -> &mut HttpClientSession {
        self
    }
}

impl AsRef<HttpClientSession> for HttpClientSession {
    fn as_ref(&self) -> &HttpClientSession {
        self
    }
}
