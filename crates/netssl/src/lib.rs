//! # rpoco-netssl
//!
//! The port of POCO's NetSSL_OpenSSL module on rustls (no OpenSSL anywhere): [`Context`],
//! [`SecureStreamSocket`] and [`SecureServerSocket`] over [`TlsStream`] (the TLS engine),
//! [`HttpsClientSession`] and [`HttpsStreamFactory`] (HTTPS on rpoco-net's HTTP client),
//! [`X509Certificate`], certificate verification with POCO's modes and
//! [`InvalidCertificateHandler`]s, and [`SslManager`]. Certificates and host names are verified by default; disabling
//! verification is possible for porting and is loud.
//!
//! The rustls crypto provider is chosen by crate feature (`aws-lc-rs`, the default, or
//! `ring`) and passed to rustls explicitly; no process-wide provider is installed.
//!
//! With aws-lc-rs, the first operation that needs randomness in a process (usually the first
//! handshake) waits about 40–65 ms while AWS-LC collects CPU jitter entropy, its second source
//! beside the operating system's; later handshakes do not pay it. A program that makes one
//! connection and exits can build with `AWS_LC_SYS_NO_JITTER_ENTROPY=1` (aws-lc-sys drops
//! that source, keeping the operating system's) or use `ring`; the figures are in
//! `docs/benchmarks.md`.
//!
//! ```
//! use rpoco_netssl::{Context, Usage, VerificationMode};
//!
//! // POCO: new Context(Context::CLIENT_USE, "", "", "", Context::VERIFY_RELAXED, 9, true,
//! //                   "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH")
//! let context = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, true,
//!     "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH")?;
//! assert!(context.extended_certificate_verification_enabled());
//! # Ok::<(), rpoco_netssl::Error>(())
//! ```

mod cert_handler;
mod context;
mod error;
mod ftps;
mod https_client;
mod https_session;
mod https_stream_factory;
mod mail;
mod secure_socket;
mod ssl_manager;
mod tls_stream;
mod x509;

pub use cert_handler::{
    AcceptCertificateHandler, InvalidCertificateHandler, RejectCertificateHandler, VerificationErrorArgs,
};
pub use context::ContextBuilder;
pub use context::{
    CRYPTO_PROVIDER, CipherInfo, CipherReport, Context, DEFAULT_CIPHER_LIST, Params, PrivateKey, Protocols,
    Usage, VerificationMode,
};
pub use context::{KeyConsoleHandler, KeyFileHandler, PrivateKeyPassphraseHandler};
pub use error::{CertificateCheck, Detail, Error, ErrorKind, Result, Timeout, VerificationFailure};
pub use ftps::{FtpsClientSession, FtpsStreamFactory};
pub use https_client::HttpsClientSession;
pub use https_session::{HttpsSessionInstantiator, https_agent, https_agent_builder};
pub use https_stream_factory::HttpsStreamFactory;
pub use mail::{SecurePop3ClientSession, SecureSmtpClientSession};
pub use rpoco_net::ClientSession;
pub use secure_socket::{SecureServerSocket, SecureStreamSocket, Session, TlsConnector};
pub use ssl_manager::SslManager;
pub use tls_stream::{IoTimeouts, TlsStream};
pub use x509::X509Certificate;
