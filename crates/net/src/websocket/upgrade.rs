//! The opening handshake over a bare connection: the client writes the upgrade request and
//! reads the answer, the server reads the request and answers — for connections that no
//! `HttpClientSession` or `HttpServer` made (a `TcpServer` connection, a raw TLS socket).

use std::io::{Read, Write};

use super::WebSocketConfig;
use super::handshake::{client_check, client_request, refusal, server_check, server_response};
use super::proto::Role;
use super::socket::WebSocket;
use crate::error::{Error, ErrorKind, Limit, Result};
use crate::http::message::{HTTP_1_1, HeaderLimits, HttpMessage, HttpRequest, HttpResponse};
use crate::http::proto::{RequestLimits, parse_request_head, parse_response_head};
use crate::socket::DetachedConnection;

/// Reads bytes until `parse` finds a complete head; returns it and the bytes after it.
fn read_head<T>(
    conn: &mut DetachedConnection,
    max: usize,
    mut parse: impl FnMut(&[u8]) -> Result<Option<(T, usize)>>,
) -> Result<(T, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some((head, used)) = parse(&buf)? {
            return Ok((head, buf.split_off(used)));
        }
        if buf.len() > max {
            return Err(Error::limit(
                Limit::HeadLength,
                format!("WebSocket handshake head longer than {max} bytes"),
            ));
        }
        let n = conn.read(&mut chunk).map_err(|e| Error::from_io_during(e, "WebSocket handshake"))?;
        if n == 0 {
            return Err(Error::new(
                ErrorKind::NoMessage,
                "the connection closed during the WebSocket handshake",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Writes `request` and reads the answer's head; bytes after it stay in `conn.buffered`.
fn send_upgrade(conn: &mut DetachedConnection, request: &HttpRequest, max: usize) -> Result<HttpResponse> {
    conn.write_all(&request.to_bytes()).map_err(|e| Error::from_io_during(e, "WebSocket handshake"))?;
    conn.flush().map_err(|e| Error::from_io_during(e, "WebSocket handshake"))?;
    let limits = HeaderLimits::default();
    let (response, rest) = read_head(conn, max, |b| parse_response_head(b, &limits))?;
    conn.buffered.splice(0..0, rest);
    Ok(response)
}

fn set_timeouts(conn: &DetachedConnection, config: &WebSocketConfig) -> Result<()> {
    if let Some(t) = config.timeout {
        conn.transport.set_receive_timeout(Some(t))?;
        conn.transport.set_send_timeout(Some(t))?;
    }
    Ok(())
}

impl WebSocket {
    /// The client's opening handshake on a connection to the server: `GET path` with
    /// `Host: host`, the upgrade fields from `config`; returns the socket and the `101`.
    pub fn client_handshake(
        conn: DetachedConnection,
        host: &str,
        path: &str,
        config: WebSocketConfig,
    ) -> Result<(WebSocket, HttpResponse)> {
        let mut request = HttpRequest::new(HttpRequest::HTTP_GET, path, HTTP_1_1);
        request.set_host_only(host);
        Self::client_handshake_with(conn, &mut request, config)
    }

    /// [`client_handshake`](Self::client_handshake) with a request the caller prepared
    /// (extra fields such as `Origin`, cookies or credentials).
    pub fn client_handshake_with(
        mut conn: DetachedConnection,
        request: &mut HttpRequest,
        config: WebSocketConfig,
    ) -> Result<(WebSocket, HttpResponse)> {
        set_timeouts(&conn, &config)?;
        let key = client_request(request, &config);
        let response = send_upgrade(&mut conn, request, config.max_handshake_size)?;
        let negotiated = client_check(&response, &key, &config)?;
        let ws = WebSocket::from_connection(conn, Role::Client, config, negotiated)?;
        Ok((ws, response))
    }

    /// The server's opening handshake on an accepted connection: reads the request, checks
    /// it (refusing with `400`, or `426` for another version) and answers `101`.
    pub fn server_handshake(
        mut conn: DetachedConnection,
        config: WebSocketConfig,
    ) -> Result<(WebSocket, HttpRequest)> {
        set_timeouts(&conn, &config)?;
        let limits = RequestLimits::default();
        let (request, rest) =
            read_head(&mut conn, config.max_handshake_size, |b| parse_request_head(b, &limits))?;
        let mut response = HttpResponse::default();
        response.set_version(HTTP_1_1);
        let key = match server_check(&request) {
            Ok(key) => key,
            Err(e) => {
                refusal(&e, &mut response);
                let _ = conn.write_all(&response.to_bytes());
                let _ = conn.flush();
                return Err(e.into());
            }
        };
        let negotiated = server_response(&request, &key, &config, &mut response);
        conn.write_all(&response.to_bytes()).map_err(|e| Error::from_io_during(e, "WebSocket handshake"))?;
        conn.flush().map_err(|e| Error::from_io_during(e, "WebSocket handshake"))?;
        conn.buffered.splice(0..0, rest);
        Ok((WebSocket::from_connection(conn, Role::Server, config, negotiated)?, request))
    }
}
