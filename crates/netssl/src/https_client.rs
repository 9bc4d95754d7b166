//! [`HttpsClientSession`]: POCO's `HTTPSClientSession`, which is rpoco-net's
//! [`HttpClientSession`] with [`TlsConnector`] as the last step of its connection chain.
//! There is one HTTP implementation: this type adds what TLS brings (the context, the
//! server's certificate, session resumption) and reaches every HTTP setting through
//! [`ClientSession`] (POCO's names, written once in rpoco-net for every session type).
//!
//! An HTTPS request crosses into this crate once (the chain's TLS step: handshake, SNI,
//! verification) and comes back once (the transport, or the error as net's
//! [`ErrorKind::Tls`](rpoco_net::ErrorKind::Tls) with this crate's error inside, which
//! [`send_request`](HttpsClientSession::send_request) takes back out whole). What the
//! handshake established travels with the transport ([`Transport::connection_info`]), so
//! nothing is shared between the session and its connector.
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_net::{HttpRequest, HttpResponse, ServerSocket, SocketAddress, HTTP_1_1};
//! use rpoco_netssl::{ClientSession, Context, HttpsClientSession, PrivateKey, SecureServerSocket, Usage,
//!     VerificationMode, X509Certificate};
//!
//! // A one-request HTTPS server on 127.0.0.1 with a dev certificate for localhost.
//! let certs = rpoco_testcerts::DevCerts::generate()?;
//! let server_ctx = Context::new(Usage::Server, "", "", "", VerificationMode::None, 9, false, "")?;
//! server_ctx.use_certificate(&X509Certificate::from_pem(certs.server.cert_pem.as_bytes())?)?;
//! server_ctx.use_private_key(&PrivateKey::from_pem(certs.server.key_pem.as_bytes())?)?;
//! let listener = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let port = listener.address()?.port();
//! let server = SecureServerSocket::new(listener, &server_ctx)?;
//! std::thread::spawn(move || {
//!     let (mut tls, _) = server.accept_connection().unwrap();
//!     let mut buf = [0u8; 1024];
//!     let _ = tls.read(&mut buf);
//!     tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello").unwrap();
//!     let _ = tls.close();
//! });
//!
//! // The client trusts the dev CA and verifies "localhost" (POCO's VERIFY_RELAXED).
//! let context = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "")?;
//! context.add_certificate_authority(&X509Certificate::from_pem(certs.ca.cert_pem.as_bytes())?)?;
//! let mut session = HttpsClientSession::new("localhost", port, context);
//! let mut request = HttpRequest::new(HttpRequest::HTTP_GET, "/", HTTP_1_1);
//! session.send_request(&mut request)?;
//! let mut response = HttpResponse::default();
//! let mut body = String::new();
//! session.receive_response(&mut response)?.read_to_string(&mut body)?;
//! assert_eq!((response.status().code(), body.as_str()), (200, "hello"));
//! assert_eq!(session.server_certificate()?.common_name(), "localhost");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::any::Any;
use std::sync::Arc;

#[cfg(doc)]
use rpoco_net::{ClientSession, Transport};
use rpoco_net::{
    DetachedConnection, HttpClientSession, HttpRequest, HttpResponse, RequestBody, ResponseBody,
};

use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::secure_socket::{Handshake, SecureStreamSocket, TlsConnector};
use crate::ssl_manager::SslManager;
use crate::x509::X509Certificate;

/// An HTTP client session over TLS: POCO's `HTTPSClientSession`.
///
/// Everything HTTP (keep-alive, proxies, timeouts, bodies, retries, `detach_socket`) is
/// rpoco-net's [`HttpClientSession`], reached through [`ClientSession`] (bring it into scope:
/// `use rpoco_netssl::ClientSession`) with POCO's method names, or through `as_mut()`. Each
/// connection is TLS made with the session's [`Context`]: the server's certificate is
/// verified for the host as the context says, the host is sent as SNI (never for an IP
/// address), and through an HTTP proxy the session always tunnels with `CONNECT` (with the
/// proxy credentials if set).
///
/// POCO's defaults hold: keep-alive off (a connection per request, `Connection: Close`),
/// keep-alive timeout 8 s, connect timeout 30 s, send and receive timeouts 60 s. With the
/// context's session cache on ([`Context::enable_session_cache`]), a new connection
/// resumes the TLS session of an earlier one ([`session_was_reused`](Self::session_was_reused)).
#[derive(Debug)]
pub struct HttpsClientSession {
    session: HttpClientSession,
    context: Arc<Context>,
}

impl HttpsClientSession {
    /// The HTTPS port, 443 (POCO's `HTTPS_PORT`).
    pub const HTTPS_PORT: u16 = 443;

    /// A session for `host:port` using `context` (POCO `HTTPSClientSession(host, port,
    /// pContext)`); port 0 means 443. Nothing is connected until the first request; a
    /// server context is refused then.
    pub fn new(host: &str, port: u16, context: Arc<Context>) -> Self {
        let connector = Arc::new(TlsConnector::new(context.clone()));
        HttpsClientSession { session: HttpClientSession::with_connector(host, port, connector), context }
    }

    /// A session for `host` on port 443 with [`SslManager`]'s default client context
    /// (POCO `HTTPSClientSession(host)`): by default the Mozilla roots and
    /// [`VerificationMode::Relaxed`](crate::VerificationMode::Relaxed).
    pub fn with_default_context(host: &str) -> Result<Self> {
        Ok(Self::new(host, Self::HTTPS_PORT, SslManager::instance().default_client_context()?))
    }

    /// A session without a host yet (POCO `HTTPSClientSession(pContext)`): set it with
    /// [`set_host`](ClientSession::set_host) (and [`set_port`](ClientSession::set_port),
    /// default 443).
    pub fn with_context(context: Arc<Context>) -> Self {
        Self::new("", Self::HTTPS_PORT, context)
    }

    /// A session whose first request goes over `socket`, a TLS connection to `host:port`
    /// made by the caller (POCO `HTTPSClientSession(const SecureStreamSocket&)`); later
    /// connections are made with the socket's context (the socket is attached as by
    /// [`attach_socket`](ClientSession::attach_socket)).
    pub fn from_secure_socket(socket: SecureStreamSocket, host: &str, port: u16) -> Self {
        let port = if port == 0 { Self::HTTPS_PORT } else { port };
        let mut session = Self::new(host, port, socket.tls().context().clone());
        session.session.attach_socket(DetachedConnection::new(Box::new(socket)));
        session
    }

    /// Sends the request head and returns the body writer (see
    /// [`HttpClientSession::send_request`]). Connecting includes the TLS handshake; its
    /// failures come back as this crate's errors
    /// ([`ErrorKind::CertificateValidation`](crate::ErrorKind::CertificateValidation) naming
    /// the failed check, [`ErrorKind::TlsAlert`](crate::ErrorKind::TlsAlert) with the
    /// peer's alert, ...).
    pub fn send_request(&mut self, request: &mut HttpRequest) -> Result<RequestBody<'_>> {
        self.session.send_request(request).map_err(Error::from)
    }

    /// Reads the response head and returns the body reader (see
    /// [`HttpClientSession::receive_response`]).
    pub fn receive_response(&mut self, response: &mut HttpResponse) -> Result<ResponseBody<'_>> {
        self.session.receive_response(response).map_err(Error::from)
    }

    /// What the handshake of the current connection, or of the most recent one, established.
    fn handshake(&self) -> Option<&Handshake> {
        let info: &dyn Any = self.session.connection_info()?;
        info.downcast_ref::<Handshake>()
    }

    /// The certificate the server presented on the current connection, or on the most
    /// recent one if it was closed since (POCO `serverCertificate()`).
    /// [`ErrorKind::Ssl`](crate::ErrorKind::Ssl) ("No certificate available") before the
    /// first connection.
    pub fn server_certificate(&self) -> Result<X509Certificate> {
        let der = self.handshake().and_then(|h| h.certificate.clone());
        X509Certificate::parse(der.ok_or_else(|| Error::new(ErrorKind::Ssl, "No certificate available"))?)
    }

    /// Whether the most recent connection resumed an earlier TLS session (it can when the
    /// context's session cache is on).
    pub fn session_was_reused(&self) -> bool {
        self.handshake().is_some_and(|h| h.reused)
    }

    /// The protocol of the most recent connection: `"TLSv1.2"` or `"TLSv1.3"`.
    pub fn protocol_version(&self) -> Option<&'static str> {
        self.handshake().and_then(|h| h.protocol)
    }

    /// The cipher suite of the most recent connection, by its OpenSSL name.
    pub fn cipher_suite(&self) -> Option<&'static str> {
        self.handshake().and_then(|h| h.cipher)
    }

    /// The TLS context connections are made with (POCO `context()`). Replacing the
    /// connector through `as_mut().set_connector` does not change it.
    pub fn context(&self) -> &Arc<Context> {
        &self.context
    }
}

/// The HTTP session underneath: [`ClientSession`]'s methods and code taking
/// `impl ClientSession` work with HTTPS sessions too.
impl AsMut<HttpClientSession> for HttpsClientSession {
    fn as_mut(&mut self) -> &mut HttpClientSession {
        &mut self.session
    }
}

impl AsRef<HttpClientSession> for HttpsClientSession {
    fn as_ref(&self) -> &HttpClientSession {
        &self.session
    }
}
