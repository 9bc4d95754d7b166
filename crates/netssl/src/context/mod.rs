//! [`Context`]: POCO's `Poco::Net::Context`, the TLS configuration shared by sockets and
//! sessions. The rustls configurations are built here and nowhere else.
//!
//! ```
//! use rpoco_netssl::{Context, Usage, VerificationMode};
//!
//! // The seed program's context, line for line:
//! // Context::Ptr pContext = new Context(Context::CLIENT_USE, "", "", "", Context::VERIFY_NONE,
//! //     9, false, "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
//! let context = Context::new(Usage::Client, "", "", "", VerificationMode::None, 9, false,
//!     "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH")?;
//! assert_eq!(context.cipher_report().suites.len(), 9);
//! # Ok::<(), rpoco_netssl::Error>(())
//! ```

mod build;
mod builder;
mod cipher_list;
mod keys;
mod params;
mod resolver;
mod verifier;

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::client::{ClientSessionMemoryCache, ClientSessionStore};
use rustls::crypto::CryptoProvider;
use rustls::server::{ServerSessionMemoryCache, StoresServerSessions};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ServerConfig};
use rustls_pki_types::{CertificateDer, TrustAnchor};

pub use builder::ContextBuilder;
pub use cipher_list::{CipherInfo, CipherReport};
pub use keys::PrivateKey;
pub use params::{DEFAULT_CIPHER_LIST, Params, Protocols, Usage, VerificationMode};

use crate::cert_handler::InvalidCertificateHandler;
use crate::error::{Error, ErrorKind, Result};
use crate::x509::X509Certificate;
use build::{base_provider, build_client, build_server, versions};
use cipher_list::Selection;

/// POCO's default session cache size (`SSL_SESSION_CACHE_MAX_SIZE_DEFAULT`).
const DEFAULT_SESSION_CACHE_SIZE: usize = 1024 * 20;

/// The TLS configuration for clients or servers: certificates, trusted CAs, verification
/// mode, protocol versions, cipher suites, session cache, ALPN. POCO's `Context`, shared as
/// `Arc<Context>` (POCO's `Context::Ptr`).
///
/// Mutators take `&self`, as POCO's do on a shared `Context::Ptr`; connections opened after a
/// change use it, connections already open keep what they started with.
///
/// Security defaults follow POCO where POCO is safe and are stricter where it is not: peer
/// certificates are verified ([`VerificationMode::Relaxed`]), host names are always checked
/// (also for loopback), certificates that name their host only in the CN or with partial
/// wildcards are rejected. [`VerificationMode::None`] works, and logs one warning (through
/// the `log` facade) for each host whose certificate a context leaves unverified.
pub struct Context {
    usage: Usage,
    state: Mutex<State>,
}

struct State {
    mode: VerificationMode,
    depth: u32,
    check_hostname: bool,
    minimum: Protocols,
    disabled: Protocols,
    cipher_list: String,
    selection: Selection,
    anchors: Arc<Vec<TrustAnchor<'static>>>,
    /// `identities[0]` is the certificate POCO's `useCertificate`/`usePrivateKey` configure.
    identities: Vec<Identity>,
    alpn: Vec<Vec<u8>>,
    pins: Vec<[u8; 32]>,
    session_cache: bool,
    client_sessions: Arc<dyn ClientSessionStore>,
    server_sessions: Arc<dyn StoresServerSessions>,
    prefer_server_ciphers: bool,
    handler: Option<Arc<dyn InvalidCertificateHandler>>,
    /// Hosts whose certificate went unverified (`VerificationMode::None`) and were warned
    /// about; shared by every configuration the context builds, so each is named once.
    unverified_hosts: Arc<Mutex<HashSet<String>>>,
    client_config: Option<Arc<ClientConfig>>,
    server_config: Option<Arc<ServerConfig>>,
}

#[derive(Clone, Default)]
struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: Option<PrivateKey>,
    certified: Option<Arc<CertifiedKey>>,
}

/// The rustls crypto provider this build uses, chosen by crate feature: `"aws-lc-rs"` (the
/// default) or `"ring"` (aws-lc-rs wins when both features are on).
#[cfg(feature = "aws-lc-rs")]
pub const CRYPTO_PROVIDER: &str = "aws-lc-rs";
/// The rustls crypto provider this build uses, chosen by crate feature: `"aws-lc-rs"` (the
/// default) or `"ring"` (aws-lc-rs wins when both features are on).
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub const CRYPTO_PROVIDER: &str = "ring";

impl Context {
    /// POCO's `Context(usage, privateKeyFile, certificateFile, caLocation, verificationMode,
    /// verificationDepth, loadDefaultCAs, cipherList)`.
    ///
    /// Empty strings mean "none"; an empty `certificate_file` means the certificate is in
    /// `private_key_file`; an empty `cipher_list` means [`DEFAULT_CIPHER_LIST`]. Files are read
    /// now: a missing or malformed file, a key that does not match its certificate, or a cipher
    /// list that selects nothing is an [`ErrorKind::SslContext`](crate::ErrorKind::SslContext) naming it.
    #[allow(clippy::too_many_arguments)] // mirrors POCO's constructor argument for argument
    pub fn new(
        usage: Usage,
        private_key_file: &str,
        certificate_file: &str,
        ca_location: &str,
        verification_mode: VerificationMode,
        verification_depth: u32,
        load_default_cas: bool,
        cipher_list: &str,
    ) -> Result<Arc<Context>> {
        Self::with_params(
            usage,
            Params {
                private_key_file: private_key_file.into(),
                certificate_file: certificate_file.into(),
                ca_location: ca_location.into(),
                verification_mode,
                verification_depth,
                load_default_cas,
                cipher_list: cipher_list.into(),
                cipher_suites: String::new(),
            },
        )
    }

    /// POCO's `Context(usage, caLocation, verificationMode, verificationDepth,
    /// loadDefaultCAs, cipherList)`: a context without a certificate of its own.
    pub fn with_ca(
        usage: Usage,
        ca_location: &str,
        verification_mode: VerificationMode,
        verification_depth: u32,
        load_default_cas: bool,
        cipher_list: &str,
    ) -> Result<Arc<Context>> {
        Self::new(
            usage,
            "",
            "",
            ca_location,
            verification_mode,
            verification_depth,
            load_default_cas,
            cipher_list,
        )
    }

    /// POCO's `Context(usage, params)`.
    pub fn with_params(usage: Usage, params: Params) -> Result<Arc<Context>> {
        ContextBuilder::from_params(usage, &params).build()
    }

    /// The core of [`ContextBuilder::build`]: the usage, the files and the cipher lists.
    fn from_files(usage: Usage, params: Params) -> Result<Arc<Context>> {
        let minimum = usage.minimum();
        if minimum == Protocols::TLSV1 || minimum == Protocols::TLSV1_1 {
            return Err(Error::context(format!(
                "Usage::{usage:?} asks for {}, which rustls does not implement (TLS 1.0 and 1.1 are \
                 deprecated by RFC 8996); use Usage::Client or Usage::Server for TLS 1.2 and 1.3",
                minimum.name()
            )));
        }
        let cipher_list = if params.cipher_list.trim().is_empty() {
            DEFAULT_CIPHER_LIST.to_string()
        } else {
            params.cipher_list
        };
        let selection = cipher_list::select(&cipher_list, &params.cipher_suites)?;

        let mut anchors = Vec::new();
        if !params.ca_location.is_empty() {
            for cert in keys::ca_certs(Path::new(&params.ca_location))? {
                anchors.push(keys::anchor(&cert, &params.ca_location)?);
            }
        }
        if params.load_default_cas {
            anchors.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }

        let mut identity = Identity::default();
        let cert_file = if params.certificate_file.is_empty() {
            &params.private_key_file
        } else {
            &params.certificate_file
        };
        if !params.private_key_file.is_empty() {
            identity.key = Some(PrivateKey::from_pem_file(&params.private_key_file)?);
        }
        if !cert_file.is_empty() {
            if params.private_key_file.is_empty() {
                return Err(Error::context(format!(
                    "certificate file {cert_file} given without a private key file"
                )));
            }
            identity.chain = keys::certs_from_pem_file(Path::new(cert_file), "certificate")?;
        }
        let provider = base_provider();
        identity.certify(&provider)?;

        let state = State {
            mode: params.verification_mode,
            depth: params.verification_depth,
            check_hostname: true,
            minimum,
            disabled: Protocols::empty(),
            cipher_list,
            selection,
            anchors: Arc::new(anchors),
            identities: if identity.chain.is_empty() && identity.key.is_none() {
                Vec::new()
            } else {
                vec![identity]
            },
            alpn: Vec::new(),
            pins: Vec::new(),
            session_cache: false,
            client_sessions: ClientSessionMemoryCache::new(DEFAULT_SESSION_CACHE_SIZE).into_dyn(),
            server_sessions: ServerSessionMemoryCache::new(DEFAULT_SESSION_CACHE_SIZE),
            prefer_server_ciphers: false,
            handler: None,
            unverified_hosts: Arc::default(),
            client_config: None,
            server_config: None,
        };
        Ok(Arc::new(Context { usage, state: Mutex::new(state) }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every mutation validates before it writes, so a poisoned lock holds consistent data.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Applies a change that cannot fail and drops the cached rustls configurations.
    fn set(&self, change: impl FnOnce(&mut State)) {
        let mut state = self.state();
        change(&mut state);
        state.client_config = None;
        state.server_config = None;
    }

    fn update<T>(&self, change: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let mut state = self.state();
        let result = change(&mut state)?;
        state.client_config = None;
        state.server_config = None;
        Ok(result)
    }

    /// What the context is for.
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Whether this is a server context (POCO's `isForServerUse`).
    pub fn is_for_server_use(&self) -> bool {
        self.usage.is_for_server_use()
    }

    /// How peer certificates are verified.
    pub fn verification_mode(&self) -> VerificationMode {
        self.state().mode
    }

    /// Uses `certificate` as this context's own certificate (POCO's `useCertificate`); the
    /// chain and the key are set with [`add_chain_certificate`](Self::add_chain_certificate)
    /// and [`use_private_key`](Self::use_private_key).
    pub fn use_certificate(&self, certificate: &X509Certificate) -> Result<()> {
        self.update(|state| {
            let mut identity = state.identities.first().cloned().unwrap_or_default();
            identity.chain = vec![certificate.der_owned()];
            identity.certify(&base_provider())?;
            set_first(&mut state.identities, identity);
            Ok(())
        })
    }

    /// Appends an intermediate CA certificate to the chain sent with the own certificate
    /// (POCO's `addChainCertificate`).
    pub fn add_chain_certificate(&self, certificate: &X509Certificate) -> Result<()> {
        self.update(|state| {
            let Some(identity) = state.identities.first_mut().filter(|id| !id.chain.is_empty()) else {
                return Err(Error::context("add_chain_certificate: call use_certificate first"));
            };
            identity.chain.push(certificate.der_owned());
            identity.certify(&base_provider())
        })
    }

    /// Uses `key` as the private key of the own certificate (POCO's `usePrivateKey`). If the
    /// certificate is already set, the key must match it.
    pub fn use_private_key(&self, key: &PrivateKey) -> Result<()> {
        self.update(|state| {
            let mut identity = state.identities.first().cloned().unwrap_or_default();
            identity.key = Some(key.clone());
            identity.certify(&base_provider())?;
            set_first(&mut state.identities, identity);
            Ok(())
        })
    }

    /// Adds one more certificate (with its chain) and key. A server presents the certificate
    /// whose DNS names match the name the client sent (SNI), else the first one; a client
    /// uses the first. POCO has one certificate per context.
    pub fn add_certificate(&self, chain: &[X509Certificate], key: &PrivateKey) -> Result<()> {
        if chain.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, "add_certificate: the chain is empty"));
        }
        let mut identity = Identity {
            chain: chain.iter().map(X509Certificate::der_owned).collect(),
            key: Some(key.clone()),
            certified: None,
        };
        identity.certify(&base_provider())?;
        self.update(|state| {
            state.identities.push(identity);
            Ok(())
        })
    }

    /// Trusts `certificate` as a CA (POCO's `addCertificateAuthority`).
    pub fn add_certificate_authority(&self, certificate: &X509Certificate) -> Result<()> {
        let anchor = keys::anchor(&certificate.der_owned(), certificate.subject_name())?;
        self.update(|state| {
            Arc::make_mut(&mut state.anchors).push(anchor);
            Ok(())
        })
    }

    /// Disables protocol versions (POCO's `disableProtocols`). SSLv2 to TLS 1.1 are never
    /// enabled, so disabling them changes nothing; disabling both TLS 1.2 and 1.3 is an error.
    pub fn disable_protocols(&self, protocols: Protocols) -> Result<()> {
        self.update(|state| {
            let disabled = state.disabled | protocols;
            versions(state.minimum, disabled)?;
            state.disabled = disabled;
            Ok(())
        })
    }

    /// Requires at least `protocol` (POCO's `requireMinimumProtocol`). SSLv2/SSLv3 are an
    /// invalid argument, as in POCO; TLS 1.0 and 1.1 are satisfied by the TLS 1.2 floor.
    pub fn require_minimum_protocol(&self, protocol: Protocols) -> Result<()> {
        let minimum = match protocol {
            Protocols::SSLV2 | Protocols::SSLV3 => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{} is not supported", protocol.name()),
                ));
            }
            Protocols::TLSV1 | Protocols::TLSV1_1 | Protocols::TLSV1_2 => Protocols::TLSV1_2,
            Protocols::TLSV1_3 => Protocols::TLSV1_3,
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("not a single protocol: {other:?}"),
                ));
            }
        };
        self.update(|state| {
            versions(minimum, state.disabled)?;
            state.minimum = minimum;
            Ok(())
        })
    }

    /// Turns TLS session resumption on or off (POCO's `enableSessionCache`; off by default).
    /// A client context resumes sessions with servers it connected to before; a server
    /// context keeps sessions for its clients (TLS 1.2 session IDs, TLS 1.3 tickets).
    pub fn enable_session_cache(&self, enable: bool) {
        self.set(|state| {
            state.session_cache = enable;
        });
    }

    /// Whether the session cache is on.
    pub fn session_cache_enabled(&self) -> bool {
        self.state().session_cache
    }

    /// Sets how many sessions the cache holds (POCO's `setSessionCacheSize`; default 20480),
    /// emptying it.
    pub fn set_session_cache_size(&self, size: usize) {
        self.set(|state| {
            state.client_sessions = ClientSessionMemoryCache::new(size).into_dyn();
            state.server_sessions = ServerSessionMemoryCache::new(size);
        });
    }

    /// POCO's `enableExtendedCertificateVerification`: the host name check, on by default.
    ///
    /// `true` turns it back on. `false` is refused with [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument): it would
    /// silently accept any valid certificate for any host. Use
    /// [`VerificationMode::None`] or
    /// [`dangerous_disable_hostname_verification`](Self::dangerous_disable_hostname_verification).
    pub fn enable_extended_certificate_verification(&self, enable: bool) -> Result<()> {
        if !enable {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "disabling the host name check is refused; if you must, call \
                 Context::dangerous_disable_hostname_verification()",
            ));
        }
        self.update(|state| {
            state.check_hostname = true;
            Ok(())
        })
    }

    /// Whether peer host names are checked against certificates.
    pub fn extended_certificate_verification_enabled(&self) -> bool {
        self.state().check_hostname
    }

    /// Stops checking that the server's certificate is valid for the host connected to: any
    /// certificate chaining to a trusted CA is then accepted for any host, which lets anyone
    /// with such a certificate impersonate the server. Chain checks stay on.
    pub fn dangerous_disable_hostname_verification(&self) {
        log::warn!("host name verification disabled on a TLS context (dangerous)");
        self.set(|state| {
            state.check_hostname = false;
        });
    }

    /// Lets the server's cipher suite order win over the client's (POCO's
    /// `preferServerCiphers`).
    pub fn prefer_server_ciphers(&self) {
        self.set(|state| {
            state.prefer_server_ciphers = true;
        });
    }

    /// Sets the ALPN protocols (e.g. `["h2", "http/1.1"]`): offered by a client, chosen from
    /// by a server in this order. POCO has no ALPN.
    pub fn set_alpn_protocols(&self, protocols: &[&str]) -> Result<()> {
        if let Some(bad) = protocols.iter().find(|p| p.is_empty() || p.len() > 255) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("ALPN protocol {bad:?} must be 1 to 255 bytes"),
            ));
        }
        self.update(|state| {
            state.alpn = protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
            Ok(())
        })
    }

    /// Pins a public key: the peer's certificate must have a SubjectPublicKeyInfo whose
    /// SHA-256 is one of the pins (see [`X509Certificate::spki_sha256`]). Pins apply in every
    /// verification mode, on top of the other checks.
    pub fn add_spki_pin(&self, sha256: [u8; 32]) {
        self.set(|state| {
            state.pins.push(sha256);
        });
    }

    /// [`add_spki_pin`](Self::add_spki_pin) from text: 64 hex digits, or curl's
    /// `sha256//<base64>` form.
    pub fn add_spki_pin_str(&self, pin: &str) -> Result<()> {
        let bytes = match pin.strip_prefix("sha256//") {
            Some(b64) => rpoco_foundation::base64::decode(b64).ok(),
            None => rpoco_foundation::hex::decode(pin).ok(),
        };
        let pin_bytes = bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, format!("not a SHA-256 SPKI pin: {pin:?}"))
        })?;
        self.add_spki_pin(pin_bytes);
        Ok(())
    }

    /// Sets the handler for certificates that fail verification on connections using this
    /// context; without one, [`SslManager`](crate::SslManager)'s handler decides.
    pub fn set_invalid_certificate_handler(&self, handler: Arc<dyn InvalidCertificateHandler>) {
        self.set(|state| {
            state.handler = Some(handler);
        });
    }

    /// The cipher suites this context allows, in preference order.
    pub fn cipher_report(&self) -> CipherReport {
        let state = self.state();
        let on = |p| versions(state.minimum, state.disabled).is_ok_and(|v| v.iter().any(|v| v.version == p));
        CipherReport::new(
            &state.cipher_list,
            &state.selection,
            on(rustls::ProtocolVersion::TLSv1_2),
            on(rustls::ProtocolVersion::TLSv1_3),
        )
    }

    /// Whether the context has a certificate with a private key of its own.
    pub fn has_certificate(&self) -> bool {
        self.state().identities.iter().any(|id| id.certified.is_some())
    }

    /// **Escape hatch**: the rustls client configuration this context builds, for use with
    /// rustls directly. Its types belong to rustls 0.23 and may change with rustls; the rest
    /// of this crate's API does not expose rustls.
    pub fn rustls_client_config(&self) -> Result<Arc<ClientConfig>> {
        let mut state = self.state();
        if let Some(config) = &state.client_config {
            return Ok(config.clone());
        }
        let config = Arc::new(build_client(&state)?);
        state.client_config = Some(config.clone());
        Ok(config)
    }

    /// **Escape hatch**: the rustls server configuration; see
    /// [`rustls_client_config`](Self::rustls_client_config).
    pub fn rustls_server_config(&self) -> Result<Arc<ServerConfig>> {
        let mut state = self.state();
        if let Some(config) = &state.server_config {
            return Ok(config.clone());
        }
        let config = Arc::new(build_server(&state)?);
        state.server_config = Some(config.clone());
        Ok(config)
    }
}

/// The OpenSSL name of a suite by its IANA number.
pub(crate) fn suite_name(id: u16) -> Option<&'static str> {
    cipher_list::SUITES.iter().find(|s| s.id == id).map(|s| s.openssl)
}

fn set_first(identities: &mut Vec<Identity>, identity: Identity) {
    match identities.first_mut() {
        Some(first) => *first = identity,
        None => identities.push(identity),
    }
}

impl Identity {
    /// Builds the rustls key once both halves are present, checking that they belong together.
    fn certify(&mut self, provider: &CryptoProvider) -> Result<()> {
        self.certified = None;
        let (Some(key), false) = (&self.key, self.chain.is_empty()) else { return Ok(()) };
        let subject = X509Certificate::parse(self.chain[0].clone())
            .map(|c| c.subject_name().to_string())
            .unwrap_or_default();
        let certified =
            CertifiedKey::from_der(self.chain.clone(), key.0.clone_key(), provider).map_err(|e| match e {
                rustls::Error::InconsistentKeys(_) => {
                    Error::context(format!("the private key does not match the certificate {subject}"))
                }
                other => Error::context(format!(
                    "unsupported private key ({key:?}) for certificate {subject}: {other}"
                )),
            })?;
        self.certified = Some(Arc::new(certified));
        Ok(())
    }
}

trait IntoDynStore {
    fn into_dyn(self) -> Arc<dyn ClientSessionStore>;
}

impl IntoDynStore for ClientSessionMemoryCache {
    fn into_dyn(self) -> Arc<dyn ClientSessionStore> {
        Arc::new(self)
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Context")
            .field("usage", &self.usage)
            .field("verification_mode", &state.mode)
            .field("verification_depth", &state.depth)
            .field("check_hostname", &state.check_hostname)
            .field("cipher_list", &state.cipher_list)
            .field("trusted_cas", &state.anchors.len())
            .field("certificates", &state.identities.len())
            .field("session_cache", &state.session_cache)
            .finish()
    }
}

#[cfg(test)]
mod builder_tests;
#[cfg(test)]
mod tests;
