//! [`ContextBuilder`]: the Rust-shaped front door to a [`Context`]: typed, immutable
//! settings (`Option<&Path>`, not `""`), checked once in [`build`](ContextBuilder::build).
//! POCO's 8-argument [`Context::new`] and [`Context::with_params`] are built on it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Context, Params, PrivateKey, Protocols, Usage, VerificationMode};
use crate::cert_handler::InvalidCertificateHandler;
use crate::error::Result;
use crate::x509::X509Certificate;

/// Builds a [`Context`].
///
/// ```
/// use rpoco_netssl::{Context, Protocols, Usage, VerificationMode};
/// let context = Context::builder(Usage::Client)
///     .verification_mode(VerificationMode::Strict)
///     .load_default_cas(true)
///     .minimum_protocol(Protocols::TLSV1_3)
///     .alpn_protocols(["http/1.1"])
///     .build()?;
/// assert_eq!(context.verification_mode(), VerificationMode::Strict);
/// // A usage that can never work is refused here, saying why.
/// assert!(Context::builder(Usage::TlsV1Client).build().is_err());
/// # Ok::<(), rpoco_netssl::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct ContextBuilder {
    usage: Usage,
    private_key_file: Option<PathBuf>,
    certificate_file: Option<PathBuf>,
    ca_location: Option<PathBuf>,
    verification_mode: VerificationMode,
    verification_depth: u32,
    load_default_cas: bool,
    cipher_list: Option<String>,
    cipher_suites: Option<String>,
    identities: Vec<(Vec<X509Certificate>, PrivateKey)>,
    authorities: Vec<X509Certificate>,
    minimum_protocol: Option<Protocols>,
    disabled_protocols: Protocols,
    alpn: Vec<String>,
    session_cache: bool,
    pins: Vec<String>,
    handler: Option<Arc<dyn InvalidCertificateHandler>>,
}

impl std::fmt::Debug for ContextBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextBuilder")
            .field("usage", &self.usage)
            .field("private_key_file", &self.private_key_file)
            .field("certificate_file", &self.certificate_file)
            .field("ca_location", &self.ca_location)
            .field("verification_mode", &self.verification_mode)
            .field("verification_depth", &self.verification_depth)
            .field("load_default_cas", &self.load_default_cas)
            .field("identities", &self.identities.len())
            .field("authorities", &self.authorities.len())
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A builder for a context for `usage`, with POCO's defaults: verification
    /// [`VerificationMode::Relaxed`], depth 9, no default CAs, the default cipher list.
    pub fn builder(usage: Usage) -> ContextBuilder {
        let defaults = Params::default();
        ContextBuilder {
            usage,
            private_key_file: None,
            certificate_file: None,
            ca_location: None,
            verification_mode: defaults.verification_mode,
            verification_depth: defaults.verification_depth,
            load_default_cas: defaults.load_default_cas,
            cipher_list: None,
            cipher_suites: None,
            identities: Vec::new(),
            authorities: Vec::new(),
            minimum_protocol: None,
            disabled_protocols: Protocols::empty(),
            alpn: Vec::new(),
            session_cache: false,
            pins: Vec::new(),
            handler: None,
        }
    }
}

fn non_empty(s: &str) -> Option<PathBuf> {
    (!s.is_empty()).then(|| PathBuf::from(s))
}

impl ContextBuilder {
    /// POCO's `Params` as a builder (`""` meaning "none").
    pub fn from_params(usage: Usage, params: &Params) -> Self {
        let mut b = Context::builder(usage)
            .verification_mode(params.verification_mode)
            .verification_depth(params.verification_depth)
            .load_default_cas(params.load_default_cas);
        b.private_key_file = non_empty(&params.private_key_file);
        b.certificate_file = non_empty(&params.certificate_file);
        b.ca_location = non_empty(&params.ca_location);
        b.cipher_list = (!params.cipher_list.trim().is_empty()).then(|| params.cipher_list.clone());
        b.cipher_suites = (!params.cipher_suites.is_empty()).then(|| params.cipher_suites.clone());
        b
    }

    /// A PEM file with the private key (and the certificate, unless
    /// [`certificate_file`](Self::certificate_file) is set).
    pub fn private_key_file(mut self, path: impl AsRef<Path>) -> Self {
        self.private_key_file = Some(path.as_ref().to_owned());
        self
    }

    /// A PEM file with the certificate and its chain.
    pub fn certificate_file(mut self, path: impl AsRef<Path>) -> Self {
        self.certificate_file = Some(path.as_ref().to_owned());
        self
    }

    /// A PEM file of trusted CA certificates, or a directory of them.
    pub fn ca_location(mut self, path: impl AsRef<Path>) -> Self {
        self.ca_location = Some(path.as_ref().to_owned());
        self
    }

    /// How peer certificates are verified.
    pub fn verification_mode(mut self, mode: VerificationMode) -> Self {
        self.verification_mode = mode;
        self
    }

    /// The most intermediate CAs a peer's chain may have.
    pub fn verification_depth(mut self, depth: u32) -> Self {
        self.verification_depth = depth;
        self
    }

    /// Also trust the Mozilla root program.
    pub fn load_default_cas(mut self, on: bool) -> Self {
        self.load_default_cas = on;
        self
    }

    /// An OpenSSL cipher list (see `docs/ciphers.md`).
    pub fn cipher_list(mut self, list: &str) -> Self {
        self.cipher_list = Some(list.to_owned());
        self
    }

    /// OpenSSL's TLS 1.3 `ciphersuites` list.
    pub fn cipher_suites(mut self, list: &str) -> Self {
        self.cipher_suites = Some(list.to_owned());
        self
    }

    /// A certificate chain (leaf first) and its key, in memory.
    pub fn certificate(mut self, chain: Vec<X509Certificate>, key: PrivateKey) -> Self {
        self.identities.push((chain, key));
        self
    }

    /// A trusted CA certificate, in memory.
    pub fn certificate_authority(mut self, ca: X509Certificate) -> Self {
        self.authorities.push(ca);
        self
    }

    /// The lowest protocol version accepted (at least what the usage implies).
    pub fn minimum_protocol(mut self, protocol: Protocols) -> Self {
        self.minimum_protocol = Some(protocol);
        self
    }

    /// Protocol versions not to use.
    pub fn disable_protocols(mut self, protocols: Protocols) -> Self {
        self.disabled_protocols |= protocols;
        self
    }

    /// ALPN protocols to offer (client) or accept (server), in preference order.
    pub fn alpn_protocols<'a>(mut self, protocols: impl IntoIterator<Item = &'a str>) -> Self {
        self.alpn = protocols.into_iter().map(str::to_owned).collect();
        self
    }

    /// TLS session resumption.
    pub fn session_cache(mut self, on: bool) -> Self {
        self.session_cache = on;
        self
    }

    /// An SPKI SHA-256 pin (`sha256//BASE64` or bare Base64).
    pub fn spki_pin(mut self, pin: &str) -> Self {
        self.pins.push(pin.to_owned());
        self
    }

    /// The handler consulted when a peer certificate fails verification.
    pub fn invalid_certificate_handler(mut self, handler: Arc<dyn InvalidCertificateHandler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Reads the files, checks every setting and builds the context. Every failure is an
    /// error naming the setting: an impossible usage, an unreadable or mismatched key or
    /// certificate, a cipher list that selects nothing, an impossible protocol set, a bad
    /// ALPN name or pin.
    pub fn build(self) -> Result<Arc<Context>> {
        let path =
            |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let params = Params {
            private_key_file: path(&self.private_key_file),
            certificate_file: path(&self.certificate_file),
            ca_location: path(&self.ca_location),
            verification_mode: self.verification_mode,
            verification_depth: self.verification_depth,
            load_default_cas: self.load_default_cas,
            cipher_list: self.cipher_list.unwrap_or_default(),
            cipher_suites: self.cipher_suites.unwrap_or_default(),
        };
        let context = Context::from_files(self.usage, params)?;
        for (chain, key) in &self.identities {
            context.add_certificate(chain, key)?;
        }
        for ca in &self.authorities {
            context.add_certificate_authority(ca)?;
        }
        if let Some(minimum) = self.minimum_protocol {
            context.require_minimum_protocol(minimum)?;
        }
        if self.disabled_protocols != Protocols::empty() {
            context.disable_protocols(self.disabled_protocols)?;
        }
        if !self.alpn.is_empty() {
            let alpn: Vec<&str> = self.alpn.iter().map(String::as_str).collect();
            context.set_alpn_protocols(&alpn)?;
        }
        for pin in &self.pins {
            context.add_spki_pin_str(pin)?;
        }
        context.enable_session_cache(self.session_cache);
        if let Some(handler) = self.handler {
            context.set_invalid_certificate_handler(handler);
        }
        Ok(context)
    }
}
