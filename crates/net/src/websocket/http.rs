//! POCO's two WebSocket constructors: the server side from a handler's request and
//! response, the client side from an [`HttpClientSession`] (plain, through its proxies, or
//! TLS when `rpoco-netssl`'s `HttpsClientSession` lends its session).

use super::handshake::{client_check, client_request, refusal, server_check, server_response};
use super::proto::Role;
use super::socket::WebSocket;
use super::upgrade::send_upgrade;
use super::{WebSocketConfig, WebSocketErrorCode};
use crate::error::Result;
use crate::http::client::HttpClientSession;
use crate::http::client::connect_tunnel;
use crate::http::message::{
    HttpBasicCredentials, HttpDigestCredentials, HttpMessage, HttpRequest, HttpResponse,
};
use crate::http::server::{HttpServerRequest, HttpServerResponse};
use crate::socket::{DetachedConnection, StreamSocket};

/// User name and password for a server that answers the upgrade with `401` (POCO's
/// `HTTPCredentials` argument): Digest if the server asks for it, else Basic.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).finish_non_exhaustive()
    }
}

impl Credentials {
    /// Credentials for `username` and `password`.
    pub fn new(username: &str, password: &str) -> Self {
        Credentials { username: username.to_owned(), password: password.to_owned() }
    }

    fn answer(&self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        let digest = response
            .header()
            .fields()
            .get_all("WWW-Authenticate")
            .any(|v| v.trim_start().get(..6).is_some_and(|s| s.eq_ignore_ascii_case("digest")));
        if digest {
            HttpDigestCredentials::new(&self.username, &self.password).authenticate(request, response)
        } else {
            HttpBasicCredentials::new(&self.username, &self.password).authenticate(request);
            Ok(())
        }
    }
}

impl WebSocket {
    /// POCO `WebSocket(request, response)` in a request handler: checks the upgrade
    /// request, answers `101 Switching Protocols` and takes the connection over. A request
    /// that is no valid upgrade is answered (`400`, or `426` with the supported version)
    /// and the error returned has POCO's code.
    pub fn accept(
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
    ) -> Result<WebSocket> {
        Self::accept_with(request, response, WebSocketConfig::default())
    }

    /// [`accept`](Self::accept) with a configuration (compression, subprotocols, limits).
    pub fn accept_with(
        request: &mut HttpServerRequest<'_>,
        response: &mut HttpServerResponse<'_>,
        config: WebSocketConfig,
    ) -> Result<WebSocket> {
        let key = match server_check(request.request()) {
            Ok(key) => key,
            Err(e) => {
                refusal(&e, response);
                response.send_buffer(b"")?;
                return Err(e.into());
            }
        };
        let negotiated = server_response(request.request(), &key, &config, response);
        response.send()?;
        let conn = request.detach_socket()?;
        WebSocket::from_connection(conn, Role::Server, config, negotiated)
    }

    /// POCO `WebSocket(cs, request, response[, credentials])`: sends `request` as an
    /// upgrade over `session` (through its proxy, over TLS if the session is secure), reads
    /// the answer into `response`, and takes the connection out of the session. A `401`
    /// is answered once with `credentials` if given.
    pub fn connect(
        session: &mut HttpClientSession,
        request: &mut HttpRequest,
        response: &mut HttpResponse,
    ) -> Result<WebSocket> {
        Self::connect_with(session, request, response, None, WebSocketConfig::default())
    }

    /// [`connect`](Self::connect) with credentials for a `401` and a configuration.
    ///
    /// Through an HTTP proxy a plain session forwards requests, which proxies do not do for
    /// upgrades; so the WebSocket opens a `CONNECT` tunnel through the session's proxy
    /// itself (as TLS sessions always do). SOCKS5 and TLS go through the session.
    pub fn connect_with(
        session: &mut HttpClientSession,
        request: &mut HttpRequest,
        response: &mut HttpResponse,
        credentials: Option<&Credentials>,
        config: WebSocketConfig,
    ) -> Result<WebSocket> {
        let mut key = client_request(request, &config);
        let mut conn = upgrade(session, request, response, &config)?;
        if response.status().code() == 401
            && let Some(c) = credentials
        {
            c.answer(request, response)?;
            session.reset();
            key = client_request(request, &config);
            conn = upgrade(session, request, response, &config)?;
        }
        let negotiated = match client_check(response, &key, &config) {
            Ok(n) => n,
            Err(e) => {
                session.reset();
                return Err(e.into());
            }
        };
        let conn = match conn {
            Some(c) => c,
            None => session.detach_socket()?,
        };
        WebSocket::from_connection(conn, Role::Client, config, negotiated)
    }
}

fn tunnels(session: &HttpClientSession) -> bool {
    let proxy = session.proxy_config();
    proxy.is_set() && !proxy.bypasses(session.host()) && !proxy.is_socks5() && !session.secure()
}

/// One upgrade attempt: through the session, or over a `CONNECT` tunnel (then the
/// connection is returned).
fn upgrade(
    session: &mut HttpClientSession,
    request: &mut HttpRequest,
    response: &mut HttpResponse,
    config: &WebSocketConfig,
) -> Result<Option<DetachedConnection>> {
    request.set_content_length(None);
    if !tunnels(session) {
        // POCO's WebSocket does this too: with keep-alive off the session would send
        // `Connection: Close` in place of `Connection: Upgrade`.
        session.set_keep_alive(true);
        session.send_request(request)?.finish()?;
        session.receive_response(response)?;
        return Ok(None);
    }
    let proxy = session.proxy_config().clone();
    let (host, port, timeout) = (session.host().to_owned(), session.port(), session.connect_timeout());
    let open = || -> Result<StreamSocket> {
        let s = StreamSocket::connect_host(&proxy.host, proxy.port, timeout)?;
        s.set_no_delay(true)?;
        Ok(s)
    };
    let socket = connect_tunnel(open()?, &proxy, &mut None, &host, port, open)?;
    request.set_host(&host, port);
    let mut conn = DetachedConnection::new(Box::new(socket));
    if let Some(t) = config.timeout.or(session.timeout()) {
        conn.transport.set_receive_timeout(Some(t))?;
        conn.transport.set_send_timeout(Some(t))?;
    }
    *response = send_upgrade(&mut conn, request, config.max_handshake_size)?;
    Ok(Some(conn))
}

/// Whether `error` is a WebSocket error with `code` (for tests and callers matching POCO's
/// `WebSocketException::code()`).
pub fn has_code(error: &crate::Error, code: WebSocketErrorCode) -> bool {
    super::WebSocketError::code_of(error) == Some(code)
}
