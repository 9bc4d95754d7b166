//! The verification failure matrix over real TLS on 127.0.0.1: every scenario certificate
//! under every client verification mode, handlers, depth, pins, and client certificates.

// Helpers return the TLS result and panic on broken test plumbing (a panicked server thread).
#![allow(clippy::unwrap_in_result)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use rpoco_netssl::{
    AcceptCertificateHandler, CertificateCheck, Context, Error, ErrorKind, Usage, VerificationErrorArgs,
    VerificationMode, X509Certificate,
};
use rpoco_testcerts::{CertKey, Expect};

/// Serves `identity` once and connects to it as `host` with `client`.
fn handshake(identity: &CertKey, client: &Arc<Context>, host: &str) -> Result<(), Error> {
    let (addr, server) =
        serve_once(server_context(identity, VerificationMode::None), |tls| tls.complete_handshake());
    let result = connect(client, host, addr).map(|_| ());
    let server_result = server.join().unwrap();
    if result.is_err() {
        // The server learns of the rejection through the client's alert.
        let err = server_result.expect_err("the server must see the client's rejection");
        assert!(
            err.kind() == ErrorKind::TlsAlert && err.alert_description().is_some(),
            "server side: {err:?}"
        );
    }
    result
}

fn expected(expect: Expect) -> Option<(CertificateCheck, i32, &'static str)> {
    Some(match expect {
        Expect::Accept => return None,
        Expect::Expired => (CertificateCheck::Expired, 10, "certificate has expired"),
        Expect::NotYetValid => (CertificateCheck::NotYetValid, 9, "certificate is not yet valid"),
        Expect::WrongHost => (CertificateCheck::Hostname, 62, "hostname mismatch"),
        Expect::SelfSigned => (CertificateCheck::SelfSigned, 18, "self-signed certificate"),
        Expect::UnknownIssuer => {
            (CertificateCheck::UnknownIssuer, 20, "unable to get local issuer certificate")
        }
        Expect::WrongUsage => (CertificateCheck::WrongUsage, 26, "unsupported certificate purpose"),
        Expect::CnOnly => (CertificateCheck::Hostname, 62, "hostname mismatch"),
        Expect::BadSignature => (CertificateCheck::BadSignature, 7, "certificate signature failure"),
    })
}

#[test]
fn every_scenario_under_relaxed_and_strict() {
    for mode in [VerificationMode::Relaxed, VerificationMode::Strict, VerificationMode::Once] {
        let client = client_context(mode);
        for scenario in &certs().scenarios {
            let result = handshake(scenario, &client, "localhost");
            match (expected(scenario.expect), result) {
                (None, Ok(())) => {}
                (None, Err(e)) => panic!("{} under {mode:?} must be accepted: {e}", scenario.name),
                (Some(_), Ok(())) => panic!("{} under {mode:?} must be rejected", scenario.name),
                (Some((check, code, text)), Err(err)) => {
                    let failure = err.verification_failure().unwrap_or_else(|| {
                        panic!("{}: not a CertificateValidation error: {err}", scenario.name)
                    });
                    assert_eq!((failure.check, failure.code), (check, code), "{}: {err}", scenario.name);
                    assert_eq!(err.poco_class(), "CertificateValidationException");
                    assert_eq!(failure.message, text, "{}: {err:?}", scenario.name);
                    assert_eq!(failure.host.as_deref(), Some("localhost"), "{}", scenario.name);
                }
            }
        }
    }
}

#[test]
fn verification_none_accepts_every_scenario() {
    let client = client_context(VerificationMode::None);
    for scenario in &certs().scenarios {
        handshake(scenario, &client, "localhost").unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
    }
    // Even with no trusted CA at all.
    let bare = Context::new(Usage::Client, "", "", "", VerificationMode::None, 9, false, "").unwrap();
    handshake(certs().scenario("self-signed").unwrap(), &bare, "localhost").unwrap();
}

#[test]
fn failure_details_name_the_certificate() {
    let client = client_context(VerificationMode::Relaxed);
    let err = handshake(certs().scenario("expired").unwrap(), &client, "localhost").unwrap_err();
    let failure = err.verification_failure().unwrap();
    assert_eq!((failure.depth, failure.subject.as_str()), (0, "C=CH,O=rpoco,CN=localhost"));
    assert!(failure.detail.starts_with("expired "), "{}", failure.detail);

    let err =
        handshake(certs().scenario("chain-missing-intermediate").unwrap(), &client, "localhost").unwrap_err();
    let failure = err.verification_failure().unwrap();
    assert_eq!(failure.check, CertificateCheck::UnknownIssuer, "{err:?}");
    assert_eq!(failure.subject, "C=CH,O=rpoco,CN=localhost", "{err:?}");

    let err = handshake(certs().scenario("wrong-host").unwrap(), &client, "localhost").unwrap_err();
    let failure = err.verification_failure().unwrap();
    assert_eq!((failure.check, failure.host.as_deref()), (CertificateCheck::Hostname, Some("localhost")));
}

#[test]
fn loopback_hosts_are_checked_too() {
    let client = client_context(VerificationMode::Relaxed);
    for host in ["127.0.0.1", "::1"] {
        let err = handshake(certs().scenario("wrong-host").unwrap(), &client, host).unwrap_err();
        let failure = err.verification_failure().unwrap();
        assert_eq!((failure.check, failure.code), (CertificateCheck::Hostname, 64), "{host}: {err}");
        handshake(&certs().server, &client, host).unwrap();
    }
}

#[test]
fn handlers_see_chain_failures_and_may_accept_them() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let client = client_context(VerificationMode::Relaxed);
    let log = seen.clone();
    client.set_invalid_certificate_handler(Arc::new(move |args: &mut VerificationErrorArgs| {
        let subject = args.certificate().map(|c| c.subject_name().to_string()).unwrap_or_default();
        log.lock().unwrap().push((args.error_number(), args.error_depth(), subject));
        args.set_ignore_error(args.error_number() == 10);
    }));
    handshake(certs().scenario("expired").unwrap(), &client, "localhost").unwrap();
    let err = handshake(certs().scenario("unknown-ca").unwrap(), &client, "localhost").unwrap_err();
    assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::UnknownIssuer);
    assert_eq!(
        *seen.lock().unwrap(),
        [(10, 0, "C=CH,O=rpoco,CN=localhost".to_string()), (20, 0, "C=CH,O=rpoco,CN=localhost".to_string())]
    );

    // Accepting every chain error still leaves the host name check in force.
    let accept_all = client_context(VerificationMode::Strict);
    accept_all.set_invalid_certificate_handler(Arc::new(AcceptCertificateHandler));
    for name in ["expired", "not-yet-valid", "self-signed", "unknown-ca", "wrong-usage"] {
        handshake(certs().scenario(name).unwrap(), &accept_all, "localhost")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for name in ["wrong-host", "cn-only"] {
        let err = handshake(certs().scenario(name).unwrap(), &accept_all, "localhost").unwrap_err();
        assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::Hostname, "{name}");
    }
}

#[test]
fn verification_depth_is_enforced() {
    let chain = certs().scenario("chain").unwrap();
    for (depth, ok) in [(0, false), (1, true), (9, true)] {
        let client =
            Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, depth, false, "").unwrap();
        client.add_certificate_authority(&cert(&certs().ca)).unwrap();
        let result = handshake(chain, &client, "localhost");
        match (ok, result) {
            (true, Ok(())) => {}
            (false, Err(err)) => {
                let failure = err.verification_failure().unwrap();
                assert_eq!((failure.check, failure.code), (CertificateCheck::ChainTooLong, 22), "{err}");
            }
            (ok, result) => panic!("depth {depth}: expected ok={ok}, got {result:?}"),
        }
    }
}

#[test]
fn spki_pins_apply_in_every_mode() {
    let server_cert = X509Certificate::from_pem(certs().server.cert_pem.as_bytes()).unwrap();
    let self_signed = certs().scenario("self-signed").unwrap();
    let self_signed_cert = X509Certificate::from_pem(self_signed.cert_pem.as_bytes()).unwrap();

    let client = client_context(VerificationMode::Relaxed);
    client.add_spki_pin(server_cert.spki_sha256());
    handshake(&certs().server, &client, "localhost").unwrap();
    let err = handshake(certs().scenario("chain").unwrap(), &client, "localhost").unwrap_err();
    assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::PinMismatch, "{err}");

    // Trust on pin: no chain verification, but only the pinned key is accepted.
    let pinned = client_context(VerificationMode::None);
    pinned.add_spki_pin(self_signed_cert.spki_sha256());
    handshake(self_signed, &pinned, "localhost").unwrap();
    let err = handshake(&certs().server, &pinned, "localhost").unwrap_err();
    assert_eq!(err.verification_failure().map(|f| f.check), Some(CertificateCheck::PinMismatch), "{err:?}");
}

#[test]
fn dangerous_hostname_opt_out_keeps_chain_checks() {
    let client = client_context(VerificationMode::Relaxed);
    client.dangerous_disable_hostname_verification();
    handshake(certs().scenario("wrong-host").unwrap(), &client, "localhost").unwrap();
    let err = handshake(certs().scenario("unknown-ca").unwrap(), &client, "localhost").unwrap_err();
    assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::UnknownIssuer);
}

/// Server-side verification of client certificates.
fn mtls(
    server_mode: VerificationMode,
    client_cert: Option<&CertKey>,
) -> (Result<(), Error>, Result<Option<String>, Error>) {
    let (addr, server) = serve_once(server_context(&certs().server, server_mode), |tls| {
        tls.complete_handshake()?;
        // TLS 1.3: the client's certificate is checked after the client finished; make sure
        // the server's verdict reaches the client before it reports success.
        tls.write_all_and_flush()?;
        Ok(tls.peer_certificate().ok().map(|c| c.common_name().to_string()))
    });
    let client = client_context(VerificationMode::Relaxed);
    if let Some(ck) = client_cert {
        client.add_certificate(&chain(ck), &key(ck)).unwrap();
    }
    let result = connect(&client, "localhost", addr).and_then(|mut tls| {
        use std::io::Read;
        let mut byte = [0u8; 1];
        tls.read_exact(&mut byte).map_err(Error::from)
    });
    (result, server.join().unwrap())
}

trait WriteAll {
    fn write_all_and_flush(&mut self) -> Result<(), Error>;
}

impl<T: std::io::Read + std::io::Write> WriteAll for rpoco_netssl::TlsStream<T> {
    fn write_all_and_flush(&mut self) -> Result<(), Error> {
        use std::io::Write;
        self.write_all(b"!")?;
        self.flush().map_err(Error::from)
    }
}

#[test]
fn client_certificates_follow_the_server_mode() {
    let client = &certs().client;
    // Strict: required.
    let (client_side, server_side) = mtls(VerificationMode::Strict, None);
    let err = server_side.unwrap_err();
    assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::NoCertificate, "{err}");
    assert!(matches!(client_side.unwrap_err().kind(), ErrorKind::TlsAlert | ErrorKind::Io));
    let (client_side, server_side) = mtls(VerificationMode::Strict, Some(client));
    client_side.unwrap();
    assert_eq!(server_side.unwrap().as_deref(), Some("rpoco dev client"));

    // Relaxed: requested, verified if sent.
    let (client_side, server_side) = mtls(VerificationMode::Relaxed, None);
    client_side.unwrap();
    assert_eq!(server_side.unwrap(), None);
    let (_, server_side) = mtls(VerificationMode::Relaxed, Some(&certs().client_unknown_ca));
    let err = server_side.unwrap_err();
    assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::UnknownIssuer, "{err}");
    // A server certificate is not a client certificate.
    let (_, server_side) = mtls(VerificationMode::Relaxed, Some(&certs().server));
    let err = server_side.unwrap_err();
    assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::WrongUsage, "{err}");

    // None: not even requested.
    let (client_side, server_side) = mtls(VerificationMode::None, Some(client));
    client_side.unwrap();
    assert_eq!(server_side.unwrap(), None);
}
