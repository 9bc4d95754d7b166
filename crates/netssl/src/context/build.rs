//! Building the rustls configurations from a [`Context`](super::Context)'s state: the crypto
//! provider restricted to the selected suites, protocol versions, verifiers and the SNI
//! certificate resolver. Nothing outside this module calls a rustls builder.

use std::sync::Arc;

use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::server::NoServerSessionStorage;
use rustls::{ClientConfig, ServerConfig, SupportedProtocolVersion};

use super::cipher_list::Selection;
use super::resolver::{ServerIdentity, SniResolver};
use super::verifier::{ClientVerifier, Policy, ServerVerifier};
use super::{Identity, Protocols, State, VerificationMode};
use crate::error::{Error, Result};
use crate::x509::X509Certificate;

/// The crypto provider chosen by crate feature; always passed to rustls explicitly.
#[cfg(feature = "aws-lc-rs")]
pub(super) fn base_provider() -> CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub(super) fn base_provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!(
    "rpoco-netssl needs a rustls crypto provider: enable the `aws-lc-rs` (default) or `ring` feature"
);

/// The protocol versions left by a minimum and a disabled set; none is an error.
pub(super) fn versions(
    minimum: Protocols,
    disabled: Protocols,
) -> Result<Vec<&'static SupportedProtocolVersion>> {
    let mut out = Vec::new();
    if minimum != Protocols::TLSV1_3 && !disabled.contains(Protocols::TLSV1_2) {
        out.push(&rustls::version::TLS12);
    }
    if !disabled.contains(Protocols::TLSV1_3) {
        out.push(&rustls::version::TLS13);
    }
    if out.is_empty() {
        return Err(Error::context(
            "no protocol version left: rustls implements TLS 1.2 and 1.3, and the context's minimum \
             and disabled protocols exclude both",
        ));
    }
    Ok(out)
}

/// The provider restricted to the selected suites, in the selected order.
fn provider(selection: &Selection) -> Arc<CryptoProvider> {
    let base = base_provider();
    let cipher_suites = selection
        .tls13
        .iter()
        .chain(&selection.tls12)
        .filter_map(|want| base.cipher_suites.iter().find(|cs| u16::from(cs.suite()) == want.id).copied())
        .collect();
    Arc::new(CryptoProvider { cipher_suites, ..base })
}

fn policy(state: &State, provider: &CryptoProvider, server_side: bool) -> Arc<Policy> {
    Arc::new(Policy {
        mode: state.mode,
        depth: state.depth,
        check_hostname: state.check_hostname,
        anchors: state.anchors.clone(),
        pins: state.pins.clone(),
        handler: state.handler.clone(),
        unverified_hosts: state.unverified_hosts.clone(),
        algorithms: provider.signature_verification_algorithms,
        server_side,
    })
}

pub(super) fn tls_error(e: rustls::Error) -> Error {
    Error::context(format!("cannot configure TLS: {e}"))
}

pub(super) fn build_client(state: &State) -> Result<ClientConfig> {
    let provider = provider(&state.selection);
    let verifier = Arc::new(ServerVerifier(policy(state, &provider, false)));
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions(state.minimum, state.disabled)?)
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match state.identities.iter().find(|id| id.certified.is_some()) {
        Some(Identity { chain, key: Some(key), .. }) => {
            builder.with_client_auth_cert(chain.clone(), key.0.clone_key()).map_err(tls_error)?
        }
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = state.alpn.clone();
    config.resumption = if state.session_cache {
        Resumption::store(state.client_sessions.clone())
    } else {
        Resumption::disabled()
    };
    Ok(config)
}

pub(super) fn build_server(state: &State) -> Result<ServerConfig> {
    let provider = provider(&state.selection);
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions(state.minimum, state.disabled)?)
        .map_err(tls_error)?;
    let builder = match state.mode {
        VerificationMode::None => builder.with_no_client_auth(),
        _ => builder.with_client_cert_verifier(Arc::new(ClientVerifier::new(policy(state, &provider, true)))),
    };
    let identities = state
        .identities
        .iter()
        .filter_map(|id| {
            let key = id.certified.clone()?;
            let names = X509Certificate::parse(id.chain[0].clone())
                .map(|c| c.dns_names().to_vec())
                .unwrap_or_default();
            Some(ServerIdentity { names, key })
        })
        .collect();
    let mut config = builder.with_cert_resolver(Arc::new(SniResolver(identities)));
    config.alpn_protocols = state.alpn.clone();
    config.ignore_client_order = state.prefer_server_ciphers;
    if state.session_cache {
        config.session_storage = state.server_sessions.clone();
    } else {
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    Ok(config)
}
