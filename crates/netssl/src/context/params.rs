//! The plain data that configures a [`Context`](super::Context): [`Usage`],
//! [`VerificationMode`], [`Protocols`] and [`Params`].

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// What a context is for, and the lowest protocol version it accepts: POCO's
/// `Context::Usage`.
///
/// `TlsV1Client`/`TlsV1Server` and `TlsV1_1Client`/`TlsV1_1Server` exist so ported code
/// compiles, but [`Context::new`](super::Context::new) refuses them: rustls implements only
/// TLS 1.2 and 1.3, and TLS 1.0/1.1 are deprecated (RFC 8996).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Usage {
    /// `TLS_CLIENT_USE` (and the deprecated `CLIENT_USE`): a client, TLS 1.2 or 1.3.
    Client,
    /// `TLS_SERVER_USE` (and the deprecated `SERVER_USE`): a server, TLS 1.2 or 1.3.
    Server,
    /// `TLSV1_CLIENT_USE`: refused (TLS 1.0).
    TlsV1Client,
    /// `TLSV1_SERVER_USE`: refused (TLS 1.0).
    TlsV1Server,
    /// `TLSV1_1_CLIENT_USE`: refused (TLS 1.1).
    TlsV1_1Client,
    /// `TLSV1_1_SERVER_USE`: refused (TLS 1.1).
    TlsV1_1Server,
    /// `TLSV1_2_CLIENT_USE`: a client, TLS 1.2 or later.
    TlsV1_2Client,
    /// `TLSV1_2_SERVER_USE`: a server, TLS 1.2 or later.
    TlsV1_2Server,
    /// `TLSV1_3_CLIENT_USE`: a client, TLS 1.3 only.
    TlsV1_3Client,
    /// `TLSV1_3_SERVER_USE`: a server, TLS 1.3 only.
    TlsV1_3Server,
}

impl Usage {
    /// Whether this is a server usage (POCO's `isForServerUse()`).
    pub fn is_for_server_use(self) -> bool {
        matches!(
            self,
            Usage::Server
                | Usage::TlsV1Server
                | Usage::TlsV1_1Server
                | Usage::TlsV1_2Server
                | Usage::TlsV1_3Server
        )
    }

    /// The minimum protocol version the usage asks for.
    pub(crate) fn minimum(self) -> Protocols {
        match self {
            Usage::Client | Usage::Server | Usage::TlsV1_2Client | Usage::TlsV1_2Server => Protocols::TLSV1_2,
            Usage::TlsV1Client | Usage::TlsV1Server => Protocols::TLSV1,
            Usage::TlsV1_1Client | Usage::TlsV1_1Server => Protocols::TLSV1_1,
            Usage::TlsV1_3Client | Usage::TlsV1_3Server => Protocols::TLSV1_3,
        }
    }
}

/// How peer certificates are verified: POCO's `Context::VerificationMode`.
///
/// | mode | client (verifying the server) | server (verifying clients) |
/// |---|---|---|
/// | `None` | nothing is verified (one warning per host and context is logged) | no certificate is requested |
/// | `Relaxed` | chain and host name verified | a certificate is requested and verified if sent |
/// | `Strict` | as `Relaxed` | a certificate is required and verified |
/// | `Once` | as `Relaxed` | as `Relaxed` (TLS 1.3 has no renegotiation to skip) |
///
/// A chain failure is passed to the [`InvalidCertificateHandler`](crate::InvalidCertificateHandler),
/// which may accept it; a host name mismatch is not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VerificationMode {
    /// `VERIFY_NONE`.
    None,
    /// `VERIFY_RELAXED` (the default).
    #[default]
    Relaxed,
    /// `VERIFY_STRICT`.
    Strict,
    /// `VERIFY_ONCE`.
    Once,
}

impl VerificationMode {
    /// Parses POCO's configuration spelling: `none`, `relaxed`, `strict`, `once`
    /// (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "none" => Some(VerificationMode::None),
            "relaxed" => Some(VerificationMode::Relaxed),
            "strict" => Some(VerificationMode::Strict),
            "once" => Some(VerificationMode::Once),
            _ => None,
        }
    }
}

/// A set of protocol versions, POCO's `Context::Protocols` bit mask, for
/// [`disable_protocols`](super::Context::disable_protocols) and
/// [`require_minimum_protocol`](super::Context::require_minimum_protocol).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Protocols(u8);

impl Protocols {
    /// `PROTO_SSLV2` (0x01).
    pub const SSLV2: Protocols = Protocols(0x01);
    /// `PROTO_SSLV3` (0x02).
    pub const SSLV3: Protocols = Protocols(0x02);
    /// `PROTO_TLSV1` (0x04).
    pub const TLSV1: Protocols = Protocols(0x04);
    /// `PROTO_TLSV1_1` (0x08).
    pub const TLSV1_1: Protocols = Protocols(0x08);
    /// `PROTO_TLSV1_2` (0x10).
    pub const TLSV1_2: Protocols = Protocols(0x10);
    /// `PROTO_TLSV1_3` (0x20).
    pub const TLSV1_3: Protocols = Protocols(0x20);

    /// The empty set.
    pub const fn empty() -> Self {
        Protocols(0)
    }

    /// From POCO's integer mask; unknown bits are dropped.
    pub const fn from_bits(bits: u8) -> Self {
        Protocols(bits & 0x3F)
    }

    /// The integer mask.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether every protocol in `other` is in `self`.
    pub const fn contains(self, other: Protocols) -> bool {
        self.0 & other.0 == other.0
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Protocols::SSLV2 => "SSLv2",
            Protocols::SSLV3 => "SSLv3",
            Protocols::TLSV1 => "TLSv1",
            Protocols::TLSV1_1 => "TLSv1.1",
            Protocols::TLSV1_2 => "TLSv1.2",
            Protocols::TLSV1_3 => "TLSv1.3",
            _ => "a set of protocols",
        }
    }
}

impl BitOr for Protocols {
    type Output = Protocols;
    fn bitor(self, rhs: Protocols) -> Protocols {
        Protocols(self.0 | rhs.0)
    }
}

impl BitOrAssign for Protocols {
    fn bitor_assign(&mut self, rhs: Protocols) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for Protocols {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = [
            Protocols::SSLV2,
            Protocols::SSLV3,
            Protocols::TLSV1,
            Protocols::TLSV1_1,
            Protocols::TLSV1_2,
            Protocols::TLSV1_3,
        ]
        .into_iter()
        .filter(|p| self.contains(*p))
        .map(Protocols::name)
        .collect();
        write!(f, "Protocols({})", names.join(" | "))
    }
}

/// The OpenSSL cipher list POCO uses by default.
pub const DEFAULT_CIPHER_LIST: &str = "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH";

/// Everything a [`Context`](super::Context) is built from: POCO's `Context::Params`, with
/// POCO's defaults.
///
/// ```
/// use rpoco_netssl::{Params, VerificationMode};
/// let params = Params { ca_location: "/etc/ssl/certs".into(), ..Params::default() };
/// assert_eq!(params.verification_mode, VerificationMode::Relaxed);
/// assert_eq!(params.verification_depth, 9);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// PEM file with the private key (PKCS#1, PKCS#8 or SEC1, unencrypted); `""` for none.
    pub private_key_file: String,
    /// PEM file with the certificate followed by its chain; `""` means "the private key file"
    /// (a combined PEM), as in POCO.
    pub certificate_file: String,
    /// A PEM file of trusted CA certificates, or a directory whose PEM files are loaded.
    pub ca_location: String,
    /// How peer certificates are verified. Default [`VerificationMode::Relaxed`].
    pub verification_mode: VerificationMode,
    /// The most intermediate CA certificates a peer's chain may have (OpenSSL's verify
    /// depth). Default 9.
    pub verification_depth: u32,
    /// Also trust the Mozilla root program (the `webpki-roots` crate). Default `false`.
    pub load_default_cas: bool,
    /// An OpenSSL cipher list for TLS 1.2 (it may also name TLS 1.3 suites); see
    /// `docs/ciphers.md`. Default `ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH`.
    pub cipher_list: String,
    /// OpenSSL's TLS 1.3 `ciphersuites` list (`TLS_AES_128_GCM_SHA256:...`); `""` keeps all.
    pub cipher_suites: String,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            private_key_file: String::new(),
            certificate_file: String::new(),
            ca_location: String::new(),
            verification_mode: VerificationMode::Relaxed,
            verification_depth: 9,
            load_default_cas: false,
            cipher_list: DEFAULT_CIPHER_LIST.to_string(),
            cipher_suites: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_masks_match_poco() {
        assert_eq!((Protocols::SSLV2 | Protocols::SSLV3).bits(), 0x03);
        assert_eq!(Protocols::TLSV1_3.bits(), 0x20);
        assert_eq!(format!("{:?}", Protocols::TLSV1 | Protocols::TLSV1_2), "Protocols(TLSv1 | TLSv1.2)");
        assert!(Protocols::from_bits(0xFF).contains(Protocols::TLSV1_3));
    }

    #[test]
    fn usages_and_modes() {
        assert!(Usage::TlsV1_3Server.is_for_server_use());
        assert!(!Usage::Client.is_for_server_use());
        assert_eq!(VerificationMode::parse("STRICT"), Some(VerificationMode::Strict));
        assert_eq!(VerificationMode::parse("sometimes"), None);
    }
}
