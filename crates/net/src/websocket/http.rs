//! POCO's two WebSocket constructors: the server side from a handler's request and
//! response, the client side from any [`ClientSession`] (an `HttpClientSession`, plain or
//! through its proxies, or `rpoco-netssl`'s `HttpsClientSession`).

use super::handshake::{Negotiated, client_check, client_request, refusal, server_check, server_response};
use super::proto::Role;
use super::socket::WebSocket;
use super::{WebSocketConfig, WebSocketErrorCode};
use crate::error::Result;
use crate::http::client::{ClientSession, HttpClientSession};
use crate::http::message::{
    HttpBasicCredentials, HttpDigestCredentials, HttpMessage, HttpRequest, HttpResponse,
};
use crate::http::server::{HttpServerRequest, HttpServerResponse};

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
        session: &mut impl ClientSession,
        request: &mut HttpRequest,
        response: &mut HttpResponse,
    ) -> Result<WebSocket> {
        Self::connect_with(session, request, response, None, WebSocketConfig::default())
    }

    /// [`connect`](Self::connect) with credentials for a `401` and a configuration.
    ///
    /// The connection is the session's own (its connector, TLS settings, proxy and
    /// timeouts). Through an HTTP proxy a plain session forwards requests, which proxies do
    /// not do for upgrades; so for the upgrade it opens a `CONNECT` tunnel through the proxy,
    /// as TLS sessions always do. SOCKS5 is as for any request.
    pub fn connect_with(
        session: &mut impl ClientSession,
        request: &mut HttpRequest,
        response: &mut HttpResponse,
        credentials: Option<&Credentials>,
        config: WebSocketConfig,
    ) -> Result<WebSocket> {
        let session = session.as_mut();
        session.set_tunnel_plain(true);
        let result = Self::upgrade_session(session, request, response, credentials, &config);
        session.set_tunnel_plain(false);
        let negotiated = result?;
        WebSocket::from_connection(session.detach_socket()?, Role::Client, config, negotiated)
    }

    fn upgrade_session(
        session: &mut HttpClientSession,
        request: &mut HttpRequest,
        response: &mut HttpResponse,
        credentials: Option<&Credentials>,
        config: &WebSocketConfig,
    ) -> Result<Negotiated> {
        let mut key = client_request(request, config);
        upgrade(session, request, response)?;
        if response.status().code() == 401
            && let Some(c) = credentials
        {
            c.answer(request, response)?;
            session.reset();
            key = client_request(request, config);
            upgrade(session, request, response)?;
        }
        client_check(response, &key, config).map_err(|e| {
            session.reset();
            e.into()
        })
    }
}

/// One upgrade attempt through the session.
fn upgrade(
    session: &mut HttpClientSession,
    request: &mut HttpRequest,
    response: &mut HttpResponse,
) -> Result<()> {
    request.set_content_length(None);
    // POCO's WebSocket does this too: with keep-alive off the session would send
    // `Connection: Close` in place of `Connection: Upgrade`.
    session.set_keep_alive(true);
    session.send_request(request)?.finish()?;
    session.receive_response(response)?;
    Ok(())
}

/// Whether `error` is a WebSocket error with `code` (for tests and callers matching POCO's
/// `WebSocketException::code()`).
pub fn has_code(error: &crate::Error, code: WebSocketErrorCode) -> bool {
    super::WebSocketError::code_of(error) == Some(code)
}
