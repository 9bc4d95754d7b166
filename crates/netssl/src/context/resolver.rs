//! Server certificate selection by SNI: a server context holding several certificates
//! presents the one whose DNS names match the name the client asked for, else the first.

use std::fmt;
use std::sync::Arc;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// One certificate a server can present, with the DNS names it is valid for.
#[derive(Clone)]
pub(crate) struct ServerIdentity {
    pub(crate) names: Vec<String>,
    pub(crate) key: Arc<CertifiedKey>,
}

/// Picks among [`ServerIdentity`]s; the first is the default (no SNI, or no match).
pub(crate) struct SniResolver(pub(crate) Vec<ServerIdentity>);

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let sni = hello.server_name();
        let matching =
            sni.and_then(|sni| self.0.iter().find(|id| id.names.iter().any(|n| dns_name_matches(n, sni))));
        matching.or(self.0.first()).map(|id| id.key.clone())
    }
}

impl fmt::Debug for SniResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|id| &id.names)).finish()
    }
}

/// RFC 6125 matching: case-insensitive, `*` only as the whole leftmost label.
pub(crate) fn dns_name_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.');
    let pattern = pattern.trim_end_matches('.');
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest.eq_ignore_ascii_case(suffix)),
        None => pattern.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_name_matches("*.example.com", "www.example.com"));
        assert!(dns_name_matches("Example.COM", "example.com."));
        assert!(!dns_name_matches("*.example.com", "example.com"));
        assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("w*.example.com", "www.example.com"));
    }
}
