//! The opening handshake (RFC 6455 section 4): the client's upgrade request and the check
//! of the server's answer, the server's check of the request and its `101` answer,
//! `Sec-WebSocket-Key` / `Sec-WebSocket-Accept`, subprotocols and extension negotiation.

use sha1::{Digest, Sha1};

use super::WebSocketConfig;
use super::deflate::{self, DeflateParams, PERMESSAGE_DEFLATE};
use super::error::{WebSocketError, WebSocketErrorCode};
use crate::http::message::{HttpMessage, HttpRequest, HttpResponse, HttpStatus, split_elements};

/// The GUID of RFC 6455 section 1.3.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The protocol version this implementation speaks.
pub const VERSION: &str = "13";

/// What the handshake settled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Negotiated {
    /// permessage-deflate's parameters, if both ends agreed to it.
    pub deflate: Option<DeflateParams>,
    /// The subprotocol (`Sec-WebSocket-Protocol`) chosen by the server.
    pub protocol: Option<String>,
}

fn err(code: WebSocketErrorCode, msg: impl Into<String>) -> WebSocketError {
    WebSocketError::new(code, msg)
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`.
///
/// ```
/// // RFC 6455 section 1.3
/// assert_eq!(rpoco_net::websocket::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &str) -> String {
    let digest = Sha1::digest(format!("{key}{GUID}").as_bytes());
    rpoco_foundation::base64::encode(&digest)
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
pub fn generate_key() -> String {
    let mut nonce = [0u8; 16];
    if getrandom::fill(&mut nonce).is_err() {
        let t =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        nonce = t.to_le_bytes();
    }
    rpoco_foundation::base64::encode(&nonce)
}

/// Turns `request` into an upgrade request (POCO `WebSocket::connect`'s part before sending)
/// and returns the key to check the answer with.
pub fn client_request(request: &mut HttpRequest, config: &WebSocketConfig) -> String {
    let key = generate_key();
    request.set_method(HttpRequest::HTTP_GET);
    request.set_version(crate::http::message::HTTP_1_1);
    request.set("Connection", "Upgrade");
    request.set("Upgrade", "websocket");
    request.set("Sec-WebSocket-Version", VERSION);
    request.set("Sec-WebSocket-Key", &key);
    if !config.protocols.is_empty() {
        request.set("Sec-WebSocket-Protocol", &config.protocols.join(", "));
    }
    if let Some(d) = &config.deflate {
        request.set("Sec-WebSocket-Extensions", &deflate::client_offer(d));
    }
    key
}

/// Checks the server's answer to [`client_request`].
pub fn client_check(
    response: &HttpResponse,
    key: &str,
    config: &WebSocketConfig,
) -> Result<Negotiated, WebSocketError> {
    let status = response.status();
    if status != HttpStatus::SWITCHING_PROTOCOLS {
        let code = if status == HttpStatus::UNAUTHORIZED {
            WebSocketErrorCode::Unauthorized
        } else {
            WebSocketErrorCode::NoHandshake
        };
        return Err(err(
            code,
            format!("the server answered {} {} instead of 101", status.code(), response.reason()),
        ));
    }
    if !response.get("Upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
        || !response.header().has_token("Connection", "upgrade")
    {
        return Err(err(
            WebSocketErrorCode::NoHandshake,
            "101 answer without Upgrade: websocket and Connection: Upgrade",
        ));
    }
    let want = accept_key(key);
    match response.get("Sec-WebSocket-Accept") {
        Some(a) if a.trim() == want => {}
        other => {
            return Err(err(
                WebSocketErrorCode::HandshakeAccept,
                format!("Sec-WebSocket-Accept {other:?}, expected {want:?}"),
            ));
        }
    }
    let mut negotiated = Negotiated::default();
    let elements =
        deflate::extension_elements(response.header().fields().get_all("Sec-WebSocket-Extensions"));
    for e in &elements {
        let name = e.split(';').next().unwrap_or("").trim();
        match (&config.deflate, negotiated.deflate) {
            (Some(offer), None) if name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) => {
                negotiated.deflate = Some(deflate::client_accept(offer, e)?);
            }
            _ => {
                return Err(err(
                    WebSocketErrorCode::HandshakeAccept,
                    format!("the server chose extension {e:?}, not offered"),
                ));
            }
        }
    }
    if let Some(p) = response.get("Sec-WebSocket-Protocol") {
        let p = p.trim();
        if !config.protocols.iter().any(|o| o == p) {
            return Err(err(
                WebSocketErrorCode::HandshakeAccept,
                format!("the server chose subprotocol {p:?}, not offered"),
            ));
        }
        negotiated.protocol = Some(p.to_owned());
    }
    Ok(negotiated)
}

/// The server's check of an upgrade request; returns the key.
///
/// The error codes follow POCO: no `Upgrade: websocket` / `Connection: Upgrade` →
/// `NoHandshake`, no version → `HandshakeNoVersion`, not 13 → `HandshakeUnsupportedVersion`,
/// no key (or not 16 bytes in base64) → `HandshakeNoKey`.
pub fn server_check(request: &HttpRequest) -> Result<String, WebSocketError> {
    if !request.method().eq_ignore_ascii_case(HttpRequest::HTTP_GET)
        || !request.get("Upgrade").is_some_and(|u| u.trim().eq_ignore_ascii_case("websocket"))
        || !request.header().has_token("Connection", "upgrade")
    {
        return Err(err(
            WebSocketErrorCode::NoHandshake,
            "not a WebSocket upgrade (GET with Upgrade: websocket and Connection: Upgrade)",
        ));
    }
    let version = request
        .get("Sec-WebSocket-Version")
        .ok_or_else(|| err(WebSocketErrorCode::HandshakeNoVersion, "no Sec-WebSocket-Version"))?;
    if version.trim() != VERSION {
        return Err(err(
            WebSocketErrorCode::HandshakeUnsupportedVersion,
            format!("Sec-WebSocket-Version {version:?}, only 13 is supported"),
        ));
    }
    let key = request.get("Sec-WebSocket-Key").map(str::trim).unwrap_or("");
    let decoded = rpoco_foundation::base64::decode(key).unwrap_or_default();
    if decoded.len() != 16 {
        return Err(err(
            WebSocketErrorCode::HandshakeNoKey,
            format!("Sec-WebSocket-Key {key:?} is not 16 bytes in base64"),
        ));
    }
    Ok(key.to_owned())
}

/// Fills in the server's `101` answer for a checked request: the accept key, the
/// subprotocol (the first of the client's that `config.protocols` lists) and the extensions.
pub fn server_response(
    request: &HttpRequest,
    key: &str,
    config: &WebSocketConfig,
    response: &mut HttpResponse,
) -> Negotiated {
    response.set_status_and_reason(HttpStatus::SWITCHING_PROTOCOLS, "Switching Protocols");
    response.set("Upgrade", "websocket");
    response.set("Connection", "Upgrade");
    response.set("Sec-WebSocket-Accept", &accept_key(key));
    response.set_content_length(None);
    let mut negotiated = Negotiated::default();
    let offered: Vec<String> = request
        .header()
        .fields()
        .get_all("Sec-WebSocket-Protocol")
        .flat_map(|v| split_elements(v, true))
        .collect();
    if let Some(p) = offered.iter().find(|p| config.protocols.contains(p)) {
        response.set("Sec-WebSocket-Protocol", p);
        negotiated.protocol = Some(p.clone());
    }
    if let Some(d) = &config.deflate {
        let elements =
            deflate::extension_elements(request.header().fields().get_all("Sec-WebSocket-Extensions"));
        if let Some((answer, params)) = deflate::server_accept(d, &elements) {
            response.set("Sec-WebSocket-Extensions", &answer);
            negotiated.deflate = Some(params);
        }
    }
    negotiated
}

/// The answer to a request [`server_check`] refused: `426 Upgrade Required` with the
/// supported version for a version mismatch, `400 Bad Request` otherwise.
pub fn refusal(error: &WebSocketError, response: &mut HttpResponse) {
    if matches!(
        error.code(),
        WebSocketErrorCode::HandshakeUnsupportedVersion | WebSocketErrorCode::HandshakeNoVersion
    ) {
        response.set_status(HttpStatus::UPGRADE_REQUIRED);
        response.set("Sec-WebSocket-Version", VERSION);
    } else {
        response.set_status(HttpStatus::BAD_REQUEST);
    }
    response.set_content_length(Some(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> WebSocketConfig {
        WebSocketConfig {
            deflate: Some(Default::default()),
            protocols: vec!["chat".into()],
            ..Default::default()
        }
    }

    #[test]
    fn both_ends_agree() {
        let mut req = HttpRequest::new("GET", "/ws", "HTTP/1.1");
        let key = client_request(&mut req, &config());
        assert_eq!(server_check(&req).unwrap(), key);
        let mut resp = HttpResponse::default();
        let server = server_response(&req, &key, &config(), &mut resp);
        let client = client_check(&resp, &key, &config()).unwrap();
        assert_eq!(server.protocol.as_deref(), Some("chat"));
        assert_eq!(client.protocol.as_deref(), Some("chat"));
        assert!(server.deflate.is_some() && client.deflate.is_some());
    }

    #[test]
    fn requests_refused_with_poco_codes() {
        let good = || {
            let mut r = HttpRequest::new("GET", "/", "HTTP/1.1");
            client_request(&mut r, &WebSocketConfig::default());
            r
        };
        type Spoil = Box<dyn Fn(&mut HttpRequest)>;
        let cases: Vec<(Spoil, WebSocketErrorCode)> = vec![
            (Box::new(|r| r.erase("Upgrade")), WebSocketErrorCode::NoHandshake),
            (Box::new(|r| r.set("Connection", "keep-alive")), WebSocketErrorCode::NoHandshake),
            (Box::new(|r| r.set_method("POST")), WebSocketErrorCode::NoHandshake),
            (Box::new(|r| r.erase("Sec-WebSocket-Version")), WebSocketErrorCode::HandshakeNoVersion),
            (
                Box::new(|r| r.set("Sec-WebSocket-Version", "8")),
                WebSocketErrorCode::HandshakeUnsupportedVersion,
            ),
            (Box::new(|r| r.erase("Sec-WebSocket-Key")), WebSocketErrorCode::HandshakeNoKey),
            (Box::new(|r| r.set("Sec-WebSocket-Key", "c2hvcnQ=")), WebSocketErrorCode::HandshakeNoKey),
        ];
        for (change, code) in cases {
            let mut r = good();
            change(&mut r);
            assert_eq!(server_check(&r).unwrap_err().code(), code);
        }
        let mut resp = HttpResponse::default();
        refusal(&err(WebSocketErrorCode::HandshakeUnsupportedVersion, ""), &mut resp);
        assert_eq!(resp.status(), HttpStatus::UPGRADE_REQUIRED);
        assert_eq!(resp.get("Sec-WebSocket-Version"), Some("13"));
    }

    #[test]
    fn answers_refused_with_poco_codes() {
        let mut req = HttpRequest::new("GET", "/", "HTTP/1.1");
        let key = client_request(&mut req, &config());
        let mut resp = HttpResponse::default();
        server_response(&req, &key, &config(), &mut resp);
        let check = |f: &dyn Fn(&mut HttpResponse)| {
            let mut r = resp.clone();
            f(&mut r);
            client_check(&r, &key, &config()).unwrap_err().code()
        };
        assert_eq!(check(&|r| r.set("Sec-WebSocket-Accept", "x")), WebSocketErrorCode::HandshakeAccept);
        assert_eq!(
            check(&|r| r.set("Sec-WebSocket-Extensions", "x-webkit-deflate")),
            WebSocketErrorCode::HandshakeAccept
        );
        assert_eq!(check(&|r| r.set("Sec-WebSocket-Protocol", "other")), WebSocketErrorCode::HandshakeAccept);
        assert_eq!(check(&|r| r.set_status(HttpStatus::UNAUTHORIZED)), WebSocketErrorCode::Unauthorized);
        assert_eq!(check(&|r| r.set_status(HttpStatus::OK)), WebSocketErrorCode::NoHandshake);
        assert_eq!(check(&|r| r.erase("Upgrade")), WebSocketErrorCode::NoHandshake);
    }
}
