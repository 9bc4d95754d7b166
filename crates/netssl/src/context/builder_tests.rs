use super::*;
use crate::error::ErrorKind;

use rpoco_testcerts::DevCerts;

#[test]
fn an_impossible_usage_is_refused_by_the_builder() {
    for usage in [Usage::TlsV1Client, Usage::TlsV1_1Server] {
        let err = Context::builder(usage).build().unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::SslContext), "{err}");
    }
}

#[test]
fn builder_settings_reach_the_context() {
    let certs = DevCerts::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("server.pem");
    std::fs::write(&key, format!("{}{}", certs.server.key_pem, certs.server.cert_pem)).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &certs.ca.cert_pem).unwrap();

    let ctx = Context::builder(Usage::Server)
        .private_key_file(&key)
        .ca_location(&ca)
        .verification_mode(VerificationMode::Strict)
        .minimum_protocol(Protocols::TLSV1_3)
        .alpn_protocols(["http/1.1"])
        .session_cache(true)
        .build()
        .unwrap();
    assert!(ctx.has_certificate());
    assert!(ctx.session_cache_enabled());
    assert_eq!(ctx.verification_mode(), VerificationMode::Strict);
    assert!(ctx.cipher_report().suites.iter().all(|s| s.protocol == "TLSv1.3"));
    assert_eq!(ctx.rustls_server_config().unwrap().alpn_protocols, [b"http/1.1".to_vec()]);
}

#[test]
fn every_failing_builder_setting_is_an_error() {
    let missing = Context::builder(Usage::Client).ca_location("/nonexistent/ca.pem").build().unwrap_err();
    assert!(matches!(missing.kind(), ErrorKind::SslContext | ErrorKind::Io), "{missing:?}");
    let ciphers = Context::builder(Usage::Client).cipher_list("RC4-MD5").build().unwrap_err();
    assert!(matches!(ciphers.kind(), ErrorKind::SslContext), "{ciphers:?}");
    let pin = Context::builder(Usage::Client).spki_pin("sha256//AAAA").build().unwrap_err();
    assert!(matches!(pin.kind(), ErrorKind::InvalidArgument), "{pin:?}");
    let alpn = Context::builder(Usage::Client).alpn_protocols([""]).build().unwrap_err();
    assert!(matches!(alpn.kind(), ErrorKind::InvalidArgument | ErrorKind::SslContext), "{alpn:?}");
    let only13 = Context::builder(Usage::Client)
        .disable_protocols(Protocols::TLSV1_2 | Protocols::TLSV1_3)
        .build()
        .unwrap_err();
    assert!(matches!(only13.kind(), ErrorKind::SslContext | ErrorKind::InvalidArgument), "{only13:?}");
}

#[test]
fn the_poco_constructor_and_the_builder_agree() {
    let poco = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "").unwrap();
    let rust = Context::builder(Usage::Client).build().unwrap();
    assert_eq!(poco.cipher_report().suites.len(), rust.cipher_report().suites.len());
    assert_eq!(poco.verification_mode(), rust.verification_mode());
    assert_eq!(poco.session_cache_enabled(), rust.session_cache_enabled());
}
