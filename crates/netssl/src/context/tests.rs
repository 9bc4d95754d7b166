use super::*;
use crate::error::ErrorKind;

use rpoco_testcerts::DevCerts;

fn client(mode: VerificationMode) -> Arc<Context> {
    Context::new(Usage::Client, "", "", "", mode, 9, false, DEFAULT_CIPHER_LIST).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn tls_1_0_and_1_1_usages_are_refused_with_the_reason() {
    for usage in [Usage::TlsV1Client, Usage::TlsV1_1Server] {
        let err = Context::with_params(usage, Params::default()).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::SslContext));
        assert!(err.to_string().contains("RFC 8996"), "{err}");
    }
    let ctx = Context::with_params(Usage::TlsV1_3Client, Params::default()).unwrap();
    let report = ctx.cipher_report();
    assert!(report.suites.iter().all(|s| s.protocol == "TLSv1.3"), "{report}");
}

#[test]
fn protocol_switches() {
    let ctx = client(VerificationMode::Relaxed);
    ctx.disable_protocols(Protocols::SSLV2 | Protocols::SSLV3 | Protocols::TLSV1 | Protocols::TLSV1_1)
        .unwrap();
    assert_eq!(ctx.cipher_report().suites.len(), 9);
    ctx.disable_protocols(Protocols::TLSV1_2).unwrap();
    assert_eq!(ctx.cipher_report().suites.len(), 3);
    let err = ctx.disable_protocols(Protocols::TLSV1_3).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslContext, "no protocol version left: {err}");
    assert_eq!(ctx.cipher_report().suites.len(), 3, "a refused change leaves the context as it was");

    let ctx = client(VerificationMode::Relaxed);
    assert!(matches!(
        ctx.require_minimum_protocol(Protocols::SSLV3).map_err(|e| e.kind()),
        Err(ErrorKind::InvalidArgument)
    ));
    ctx.require_minimum_protocol(Protocols::TLSV1).unwrap();
    assert_eq!(ctx.cipher_report().suites.len(), 9);
    ctx.require_minimum_protocol(Protocols::TLSV1_3).unwrap();
    assert_eq!(ctx.cipher_report().suites.len(), 3);
    assert!(ctx.rustls_client_config().is_ok());
}

#[test]
fn the_host_name_check_cannot_be_switched_off_by_accident() {
    let ctx = client(VerificationMode::Relaxed);
    assert!(ctx.extended_certificate_verification_enabled());
    let err = ctx.enable_extended_certificate_verification(false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    // The refusal names the deliberate way to do it.
    assert!(err.message().contains("dangerous_disable_hostname_verification"), "{err}");
    assert!(ctx.extended_certificate_verification_enabled());
    ctx.dangerous_disable_hostname_verification();
    assert!(!ctx.extended_certificate_verification_enabled());
    ctx.enable_extended_certificate_verification(true).unwrap();
    assert!(ctx.extended_certificate_verification_enabled());
}

#[test]
fn loads_keys_and_certificates_from_files() {
    let certs = DevCerts::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = write(dir.path(), "server.key", &certs.server.key_pem);
    let cert = write(dir.path(), "server.pem", &certs.server.cert_pem);
    let ca = write(dir.path(), "ca.pem", &certs.ca.cert_pem);
    let combined =
        write(dir.path(), "combined.pem", &format!("{}{}", certs.server.key_pem, certs.server.cert_pem));

    let ctx = Context::new(Usage::Server, &key, &cert, &ca, VerificationMode::Relaxed, 9, false, "").unwrap();
    assert!(ctx.has_certificate());
    assert!(ctx.rustls_server_config().is_ok());
    // An empty certificate file means "the key file holds the certificate too".
    let ctx = Context::new(Usage::Server, &combined, "", "", VerificationMode::None, 9, false, "").unwrap();
    assert!(ctx.has_certificate());

    let other_key = write(dir.path(), "client.key", &certs.client.key_pem);
    let err =
        Context::new(Usage::Server, &other_key, &cert, "", VerificationMode::None, 9, false, "").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslContext, "key and certificate do not match: {err}");
    // It says which certificate the key failed to match.
    assert!(err.message().contains("C=CH,O=rpoco,CN=localhost"), "{err}");
    let err = Context::new(Usage::Server, &key, "", "", VerificationMode::None, 9, false, "").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslContext, "no PEM certificate in the key file: {err}");
    let err =
        Context::new(Usage::Client, "", "", "/nonexistent/ca.pem", VerificationMode::Relaxed, 9, false, "")
            .unwrap_err();
    assert_eq!((err.kind(), err.io_kind()), (ErrorKind::SslContext, std::io::ErrorKind::NotFound), "{err}");
    // It names the file it could not read.
    assert!(err.message().contains("/nonexistent/ca.pem"), "{err}");
    let err =
        Context::new(Usage::Client, "", &cert, "", VerificationMode::Relaxed, 9, false, "").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslContext, "a certificate without a private key: {err}");
}

#[test]
fn certificates_and_keys_set_piecewise() {
    let certs = DevCerts::generate().unwrap();
    let ctx = Context::new(Usage::Server, "", "", "", VerificationMode::None, 9, false, "").unwrap();
    assert!(!ctx.has_certificate());
    let chain = certs.scenario("chain").unwrap();
    let leaf = X509Certificate::from_der(chain.chain_der[0].clone()).unwrap();
    let intermediate = X509Certificate::from_der(chain.chain_der[1].clone()).unwrap();
    assert!(ctx.add_chain_certificate(&intermediate).is_err());
    ctx.use_private_key(&PrivateKey::from_pem(chain.key_pem.as_bytes()).unwrap()).unwrap();
    assert!(!ctx.has_certificate());
    ctx.use_certificate(&leaf).unwrap();
    ctx.add_chain_certificate(&intermediate).unwrap();
    assert!(ctx.has_certificate());
    let wrong_key = PrivateKey::from_pem(certs.server.key_pem.as_bytes()).unwrap();
    assert!(ctx.use_private_key(&wrong_key).is_err());
    assert!(ctx.has_certificate(), "the refused key did not replace the good one");
    ctx.add_certificate_authority(&X509Certificate::from_pem(certs.ca.cert_pem.as_bytes()).unwrap()).unwrap();
}

#[test]
fn cipher_lists_are_translated_or_refused() {
    let ctx = Context::new(
        Usage::Client,
        "",
        "",
        "",
        VerificationMode::Relaxed,
        9,
        false,
        "ECDHE-RSA-AES128-GCM-SHA256",
    )
    .unwrap();
    let names: Vec<_> = ctx.cipher_report().suites.iter().map(|s| s.openssl_name).collect();
    assert_eq!(
        names,
        [
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256"
        ]
    );
    let config = ctx.rustls_client_config().unwrap();
    assert_eq!(config.crypto_provider().cipher_suites.len(), 4);
    let err =
        Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "RC4-MD5").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SslContext), "{err}");
    let err = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "HIGH:NOPE")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslContext, "{err}");
    // It names the word it does not know.
    assert!(err.message().contains("\"NOPE\""), "{err}");
}

#[test]
fn pins_and_alpn_are_validated() {
    let ctx = client(VerificationMode::Relaxed);
    ctx.add_spki_pin_str(&"ab".repeat(32)).unwrap();
    ctx.add_spki_pin_str("sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").unwrap();
    assert!(matches!(
        ctx.add_spki_pin_str("sha256//AAAA").map_err(|e| e.kind()),
        Err(ErrorKind::InvalidArgument)
    ));
    assert!(ctx.set_alpn_protocols(&["h2", ""]).is_err());
    ctx.set_alpn_protocols(&["h2", "http/1.1"]).unwrap();
    assert_eq!(ctx.rustls_client_config().unwrap().alpn_protocols.len(), 2);
}

#[test]
fn session_cache_is_off_by_default_and_rebuilds_the_config() {
    let ctx = client(VerificationMode::Relaxed);
    assert!(!ctx.session_cache_enabled());
    let first = ctx.rustls_client_config().unwrap();
    assert!(Arc::ptr_eq(&first, &ctx.rustls_client_config().unwrap()), "configs are cached");
    ctx.enable_session_cache(true);
    assert!(!Arc::ptr_eq(&first, &ctx.rustls_client_config().unwrap()), "a change rebuilds");
}
