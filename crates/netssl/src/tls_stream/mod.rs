//! [`TlsStream`]: TLS over any blocking `Read + Write` transport, driven by rustls. It is the
//! engine under `SecureStreamSocket` and usable on its own (e.g. for STARTTLS).
//!
//! The handshake runs lazily on the first read or write, or explicitly with
//! [`complete_handshake`](TlsStream::complete_handshake); with
//! [`set_handshake_timeout`](TlsStream::set_handshake_timeout) (transports implementing
//! [`IoTimeouts`]) it must finish within that time in total, so a silent peer cannot hold
//! the caller. [`shutdown`](TlsStream::shutdown) sends `close_notify`. A peer that closes
//! without `close_notify` is reported as POCO reports it: to a client as
//! [`ErrorKind::SslConnectionUnexpectedlyClosed`](crate::ErrorKind::SslConnectionUnexpectedlyClosed) (the data may be truncated), to a server as
//! end of stream; see [`set_close_notify_required`](TlsStream::set_close_notify_required).
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::time::Duration;
//! use rpoco_netssl::{Context, TlsStream, Usage, VerificationMode};
//!
//! let context = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, true, "")?;
//! let tcp = TcpStream::connect(("example.com", 443))?;
//! let mut tls = TlsStream::client(&context, "example.com", tcp)?;
//! tls.set_handshake_timeout(Some(Duration::from_secs(10)));
//! tls.complete_handshake()?;
//! tls.write_all(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")?;
//! let mut response = Vec::new();
//! tls.read_to_end(&mut response)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::{
    AlertDescription, CertificateError, ClientConnection, Connection, HandshakeKind, ServerConnection,
};

mod handshake;

use crate::context::Context;
use crate::error::{CertificateCheck, Detail, Error, ErrorKind, Result, VerificationFailure};
use crate::x509::{X509Certificate, server_name};

/// What a [`TlsStream`] needs from its transport to bound a handshake in time: POCO's
/// send/receive timeouts. Implemented for [`TcpStream`]; implement it for other transports.
pub trait IoTimeouts {
    /// The current read timeout (`None` = block forever).
    fn read_timeout(&self) -> io::Result<Option<Duration>>;
    /// Sets the read timeout.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
    /// The current write timeout.
    fn write_timeout(&self) -> io::Result<Option<Duration>>;
    /// Sets the write timeout.
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
}

impl IoTimeouts for TcpStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        TcpStream::read_timeout(self)
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        TcpStream::write_timeout(self)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
}

/// The transport's timeout accessors, captured where `T: IoTimeouts` is known.
struct TimeoutOps<T> {
    get_read: fn(&T) -> io::Result<Option<Duration>>,
    set_read: SetTimeout<T>,
    get_write: fn(&T) -> io::Result<Option<Duration>>,
    set_write: SetTimeout<T>,
}

type SetTimeout<T> = fn(&mut T, Option<Duration>) -> io::Result<()>;

/// When the handshake must be done, its length, and how to set the read and write timeouts.
type Deadline<T> = (Instant, Duration, SetTimeout<T>, SetTimeout<T>);

/// A TLS connection (client or server side) over a transport `T`.
pub struct TlsStream<T> {
    conn: Connection,
    io: T,
    context: Arc<Context>,
    /// Host name or address of the peer, for messages.
    peer: String,
    handshake_timeout: Option<(Duration, TimeoutOps<T>)>,
    close_notify_required: bool,
    /// Whether an end of stream without `close_notify` before any reply to the last write
    /// is a plain end of stream (HTTP: a kept-alive connection the server dropped).
    clean_eof_before_reply: bool,
    /// Whether application data arrived since application data was last written.
    replied: bool,
    /// Set when the handshake failed: the stream is unusable and says why (kind, details
    /// and message of the first failure; every later call fails with the same kind).
    failed: Option<(ErrorKind, Detail, String)>,
    /// Set on server connections whose handshake runs in steps over a non-blocking socket.
    stepped: Option<Stepped>,
    /// Decrypted bytes rustls holds that no read has taken yet.
    buffered: usize,
    /// Ciphertext read from the transport that rustls has not taken yet: rustls reads at most
    /// 4 KiB per call, so after the handshake we read in larger pieces and feed it from here
    /// (a quarter of the system calls for bulk data).
    inbound: Inbound,
    closed: bool,
}

/// A handshake driven in steps as bytes arrive on a non-blocking transport (an HTTP server's
/// poller wakes the connection), instead of on a thread that blocks until it is done.
#[derive(Clone, Copy)]
struct Stepped {
    /// When the whole handshake must be done, and the limit that set it (for the message).
    deadline: Option<(Instant, Duration)>,
}

/// The buffer of [`TlsStream`]'s application-phase reads.
#[derive(Default)]
struct Inbound {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// How much ciphertext one read of the transport may take after the handshake.
const INBOUND_BUFFER: usize = 64 * 1024;

impl Inbound {
    fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl<T: Read + Write> TlsStream<T> {
    /// A client connection to `host` (a DNS name or IP address) over `io`. The host name is
    /// sent as SNI (never for an IP address) and verified against the server's certificate.
    /// Nothing is sent until the handshake runs.
    pub fn client(context: &Arc<Context>, host: &str, io: T) -> Result<Self> {
        if context.is_for_server_use() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a server context cannot make client connections",
            ));
        }
        let name = server_name(host)?;
        let conn = ClientConnection::new(context.rustls_client_config()?, name)
            .map_err(|e| Error::new(ErrorKind::Ssl, format!("cannot start a TLS client connection: {e}")))?;
        Ok(Self::with(Connection::Client(conn), io, context, host, true))
    }

    /// A server connection over `io` (an accepted socket).
    pub fn server(context: &Arc<Context>, io: T) -> Result<Self> {
        if !context.is_for_server_use() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a client context cannot accept TLS connections",
            ));
        }
        if !context.has_certificate() {
            return Err(Error::new(ErrorKind::Ssl, "the server context has no certificate and private key"));
        }
        let conn = ServerConnection::new(context.rustls_server_config()?)
            .map_err(|e| Error::new(ErrorKind::Ssl, format!("cannot start a TLS server connection: {e}")))?;
        Ok(Self::with(Connection::Server(conn), io, context, "client", false))
    }

    fn with(conn: Connection, io: T, context: &Arc<Context>, peer: &str, client: bool) -> Self {
        TlsStream {
            conn,
            io,
            context: context.clone(),
            peer: peer.to_string(),
            handshake_timeout: None,
            close_notify_required: client,
            clean_eof_before_reply: false,
            replied: false,
            failed: None,
            stepped: None,
            buffered: 0,
            inbound: Inbound::default(),
            closed: false,
        }
    }

    fn process_packets(&mut self) -> Result<()> {
        match self.conn.process_new_packets() {
            Ok(state) => {
                self.buffered = state.plaintext_bytes_to_read();
                Ok(())
            }
            Err(e) => {
                // Deliver the alert rustls queued for the peer; the error we return matters more.
                let _ = self.flush_tls();
                Err(map_tls_error(e, &self.peer, self.conn.is_handshaking()))
            }
        }
    }

    fn flush_tls(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            self.conn.write_tls(&mut self.io)?;
        }
        self.io.flush()
    }

    /// Whether a peer closing without `close_notify` is an error
    /// ([`ErrorKind::SslConnectionUnexpectedlyClosed`](crate::ErrorKind::SslConnectionUnexpectedlyClosed)) rather than end of stream. Default: an
    /// error for clients, end of stream for servers (as POCO).
    pub fn set_close_notify_required(&mut self, required: bool) {
        self.close_notify_required = required;
    }

    /// With `close_notify` required, still reads a close without it as end of stream when
    /// nothing has arrived since the last write: no data can have been cut off then. For
    /// request/response protocols, where that is how a server drops an idle connection (the
    /// HTTP client then retries on a new one); data cut short still is an error.
    pub(crate) fn set_clean_eof_before_reply(&mut self, clean: bool) {
        self.clean_eof_before_reply = clean;
    }

    /// Sends `close_notify`: no more data will be written (POCO's `shutdown`). Reading
    /// remains possible.
    pub fn shutdown(&mut self) -> Result<()> {
        if !self.closed {
            self.closed = true;
            self.conn.send_close_notify();
            self.flush_tls()?;
        }
        Ok(())
    }

    /// Sends `close_notify` and waits, at most for the transport's read timeout, for the
    /// peer's, discarding data that arrives meanwhile (POCO's `close`).
    pub fn close(&mut self) -> Result<()> {
        self.shutdown()?;
        let mut sink = [0u8; 4096];
        loop {
            match self.read(&mut sink) {
                Ok(0) | Err(_) => return Ok(()),
                Ok(_) => {}
            }
        }
    }

    /// Whether data is waiting inside the stream (decrypted, or received and not yet
    /// decrypted), so a read may be served without waiting for the transport.
    pub fn has_buffered_data(&self) -> bool {
        self.buffered > 0 || !self.inbound.is_empty()
    }

    /// Hands rustls more ciphertext: from the inbound buffer, refilled with one read of the
    /// transport when empty. Returns the bytes taken (0 = the transport's end of stream).
    fn read_tls_buffered(&mut self) -> io::Result<usize> {
        if self.inbound.is_empty() {
            if self.inbound.buf.is_empty() {
                self.inbound.buf = vec![0; INBOUND_BUFFER];
            }
            let n = self.io.read(&mut self.inbound.buf)?;
            self.inbound.start = 0;
            self.inbound.end = n;
            if n == 0 {
                // Tell rustls about the end of stream (a read of nothing is how it learns it).
                return self.conn.read_tls(&mut io::empty());
            }
        }
        let mut pending = &self.inbound.buf[self.inbound.start..self.inbound.end];
        let taken = self.conn.read_tls(&mut pending)?;
        self.inbound.start += taken;
        Ok(taken)
    }

    /// Whether the handshake has completed.
    pub fn is_handshake_complete(&self) -> bool {
        !self.conn.is_handshaking()
    }

    /// The peer's certificate (POCO's `peerCertificate`); an [`ErrorKind::Ssl`](crate::ErrorKind::Ssl) if it sent none.
    pub fn peer_certificate(&self) -> Result<X509Certificate> {
        match self.conn.peer_certificates().and_then(|c| c.first()) {
            Some(der) => X509Certificate::parse(der.clone()),
            None => Err(Error::new(ErrorKind::Ssl, "No certificate available")),
        }
    }

    /// The peer's certificate, unparsed (parsing waits until someone asks).
    pub(crate) fn peer_certificate_der(&self) -> Option<rustls_pki_types::CertificateDer<'static>> {
        self.conn.peer_certificates().and_then(|c| c.first()).cloned()
    }

    /// The peer's certificate chain as sent, its own certificate first.
    pub fn peer_certificate_chain(&self) -> Vec<X509Certificate> {
        let certs = self.conn.peer_certificates().unwrap_or_default();
        certs.iter().filter_map(|der| X509Certificate::parse(der.clone()).ok()).collect()
    }

    /// The ALPN protocol agreed on, if any.
    pub fn alpn_protocol(&self) -> Option<String> {
        self.conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// `"TLSv1.2"` or `"TLSv1.3"` once the handshake is done.
    pub fn protocol_version(&self) -> Option<&'static str> {
        match self.conn.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
            rustls::ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
            _ => None,
        }
    }

    /// The negotiated cipher suite by its OpenSSL name (`ECDHE-RSA-AES128-GCM-SHA256`,
    /// `TLS_AES_256_GCM_SHA384`).
    pub fn cipher_suite(&self) -> Option<&'static str> {
        let id = u16::from(self.conn.negotiated_cipher_suite()?.suite());
        crate::context::suite_name(id)
    }

    /// Whether the handshake resumed an earlier session (POCO's `sessionWasReused`).
    pub fn session_was_reused(&self) -> bool {
        self.conn.handshake_kind() == Some(HandshakeKind::Resumed)
    }

    /// Whether this is the client side of the connection.
    pub fn is_client(&self) -> bool {
        matches!(self.conn, Connection::Client(_))
    }

    /// The host a client connection was made for (the SNI and verification name); `"client"`
    /// on a server connection.
    pub fn peer_name(&self) -> &str {
        &self.peer
    }

    /// On a server connection, the host name the client asked for (SNI).
    pub fn sni_hostname(&self) -> Option<&str> {
        match &self.conn {
            Connection::Server(server) => server.server_name(),
            Connection::Client(_) => None,
        }
    }

    /// The context the connection was made with.
    pub fn context(&self) -> &Arc<Context> {
        &self.context
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The transport, mutably (reading or writing it directly corrupts the TLS stream).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// Gives the transport back (without sending `close_notify`); data received and not yet
    /// read is lost.
    pub fn into_inner(self) -> T {
        self.io
    }

    fn unexpected_eof(&self) -> io::Result<usize> {
        // Nothing arrived since the last write: nothing can have been cut off.
        let nothing_lost = self.clean_eof_before_reply && !self.replied;
        if self.close_notify_required && !nothing_lost {
            Err(Error::new(
                ErrorKind::SslConnectionUnexpectedlyClosed,
                format!(
                    "{} closed the connection without close_notify; the data received may be truncated",
                    self.peer
                ),
            )
            .into())
        } else {
            Ok(0)
        }
    }
}

impl<T: Read + Write> Read for TlsStream<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.complete_handshake()?;
        loop {
            match self.conn.reader().read(buf) {
                Ok(n) => {
                    self.buffered = self.buffered.saturating_sub(n);
                    self.replied |= n > 0;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return self.unexpected_eof(),
                Err(e) => return Err(e),
            }
            // Answers such as KeyUpdate must go out before we block on the next record.
            self.flush_tls()?;
            self.read_tls_buffered()?;
            self.process_packets()?;
        }
    }
}

impl<T: Read + Write> Write for TlsStream<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.complete_handshake()?;
        if self.closed {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the TLS stream was shut down"));
        }
        let mut n = self.conn.writer().write(buf)?;
        if n == 0 && !buf.is_empty() {
            // rustls's buffer is full of records an earlier `WouldBlock` left: send them first.
            self.flush_tls()?;
            n = self.conn.writer().write(buf)?;
        }
        self.replied &= n == 0;
        match self.flush_tls() {
            // The bytes were taken (their records wait in rustls for `flush`): saying
            // `WouldBlock` now would make a non-blocking caller send them twice.
            Err(e) if n > 0 && e.kind() == io::ErrorKind::WouldBlock => {}
            other => other?,
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.conn.writer().flush()?;
        self.flush_tls()
    }
}

impl<T> fmt::Debug for TlsStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsStream")
            .field("side", &if matches!(self.conn, Connection::Client(_)) { "client" } else { "server" })
            .field("peer", &self.peer)
            .field("handshaking", &self.conn.is_handshaking())
            .finish()
    }
}

/// rustls errors as POCO's exceptions, keeping our verifier's failure intact and the rustls
/// error as the source.
fn map_tls_error(error: rustls::Error, peer: &str, handshaking: bool) -> Error {
    use rustls::Error as E;
    let failure = |check, detail: String| {
        let mut f = VerificationFailure::new(check, detail);
        f.host = Some(peer.to_string());
        Error::from(f)
    };
    let mapped = match &error {
        E::InvalidCertificate(CertificateError::Other(other)) => {
            match other.0.downcast_ref::<VerificationFailure>() {
                Some(f) => return Error::from(f.clone()),
                None => failure(CertificateCheck::Other, other.to_string()),
            }
        }
        E::InvalidCertificate(CertificateError::BadSignature) => {
            failure(CertificateCheck::BadSignature, "the handshake signature does not verify".into())
        }
        E::InvalidCertificate(other) => failure(CertificateCheck::Other, format!("{other:?}")),
        E::NoCertificatesPresented => failure(
            CertificateCheck::NoCertificate,
            "the client sent no certificate, but the server requires one (VerificationMode::Strict)".into(),
        ),
        E::AlertReceived(alert) => {
            let hint = match alert {
                AlertDescription::CertificateRequired => " (the server requires a client certificate)",
                AlertDescription::BadCertificate
                | AlertDescription::UnknownCA
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::DecryptError => " (the peer rejected our certificate)",
                AlertDescription::HandshakeFailure | AlertDescription::ProtocolVersion => {
                    " (no protocol version or cipher suite in common?)"
                }
                _ => "",
            };
            Error::alert(alert, format!("{peer} sent a fatal TLS alert: {alert:?}{hint}"))
        }
        E::InvalidMessage(rustls::InvalidMessage::InvalidContentType) if handshaking => Error::new(
            ErrorKind::Ssl,
            format!(
                "TLS handshake with {peer} failed: the peer does not speak TLS (plain HTTP or another protocol on a TLS port?): {error}"
            ),
        ),
        E::PeerIncompatible(why) => Error::new(ErrorKind::Ssl, format!("{peer} is incompatible: {why:?}")),
        other if handshaking => {
            Error::new(ErrorKind::Ssl, format!("TLS handshake with {peer} failed: {other}"))
        }
        other => Error::new(ErrorKind::Ssl, format!("TLS error with {peer}: {other}")),
    };
    mapped.with_source(error)
}
