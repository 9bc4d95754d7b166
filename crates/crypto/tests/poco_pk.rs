//! Public-key interop with C++ POCO (Debian's libpoco-dev), both ways, through
//! `tests/poco/poco_pk.cpp`: keys POCO's `RSAKey::save`/`ECKey::save` wrote with a passphrase
//! load here; signatures by POCO's `RSADigestEngine`/`ECDSADigestEngine` (SHA-256) verify here
//! and ours verify there; RSA-OAEP (POCO's `RSA_PADDING_PKCS1_OAEP`, SHA-1) both ways.
//!
//! Without g++ or libpoco-dev the tests print why and pass, unless `CI` is set.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rpoco_crypto::sign::{sign_message, verify_message};
use rpoco_crypto::{
    Curve, DigestAlgorithm, EcKey, Error, EvpPKey, RsaCipher, RsaKey, RsaPadding, SignatureScheme,
};

fn peer() -> Option<&'static Path> {
    static PEER: OnceLock<Option<PathBuf>> = OnceLock::new();
    PEER.get_or_init(|| {
        common::build_poco_peer("poco_pk.cpp", &["-lPocoCrypto", "-lPocoFoundation", "-lcrypto"])
    })
    .as_deref()
}

/// Runs the peer; returns its exit code.
fn poco(args: &[&Path]) -> i32 {
    let out = Command::new(peer().unwrap()).args(args).output().expect("run poco_pk");
    let code = out.status.code().unwrap_or(-1);
    assert!(code < 2, "poco_pk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    code
}

fn backend() -> &'static str {
    rpoco_crypto::backend_name()
}

const PASS: &str = "poco passphrase";
const RSA_SHA256: SignatureScheme = SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256);
const ECDSA_SHA256: SignatureScheme = SignatureScheme::Ecdsa(DigestAlgorithm::Sha256);

#[test]
fn poco_keys_and_signatures_verify_here() {
    if peer().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let message = b"signed by POCO".repeat(100);
    std::fs::write(p("msg"), &message).unwrap();
    for (generate, kind, scheme) in [("genrsa", "rsa", RSA_SHA256), ("genec", "ec", ECDSA_SHA256)] {
        poco(&[Path::new(generate), &p("pub.pem"), &p("priv.pem"), Path::new(PASS)]);
        let private = EvpPKey::from_file(p("priv.pem"), Some(PASS.as_bytes()))
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let public = EvpPKey::from_file(p("pub.pem"), None).unwrap();
        assert_eq!(public, private, "{kind}: POCO's public and private key files belong together");
        assert!(matches!(EvpPKey::from_file(p("priv.pem"), Some(b"wrong")), Err(Error::BadPassphrase(_))));
        if kind == "rsa" {
            assert_eq!(RsaKey::from_evp(public.clone()).unwrap().size(), 2048);
            assert!(std::fs::read_to_string(p("priv.pem")).unwrap().contains("DEK-Info: DES-EDE3-CBC"));
        }
        poco(&[Path::new("sign"), Path::new(kind), &p("priv.pem"), Path::new(PASS), &p("msg"), &p("sig")]);
        let sig = std::fs::read(p("sig")).unwrap();
        assert!(verify_message(&public, scheme, &message, &sig), "{kind}: POCO's signature rejected");
        assert!(!verify_message(&public, scheme, b"other", &sig), "{kind}");
        // Ours with POCO's key verifies there.
        match sign_message(&private, scheme, &message) {
            Err(Error::Unsupported(_)) if kind == "rsa" && backend() == "RustCrypto" => {}
            ours => {
                std::fs::write(p("ours"), ours.unwrap()).unwrap();
                assert_eq!(
                    poco(&[Path::new("verify"), Path::new(kind), &p("pub.pem"), &p("msg"), &p("ours")]),
                    0,
                    "{kind}"
                );
                std::fs::write(p("other"), b"other").unwrap();
                assert_eq!(
                    poco(&[Path::new("verify"), Path::new(kind), &p("pub.pem"), &p("other"), &p("ours")]),
                    1,
                    "{kind}"
                );
            }
        }
    }
}

#[test]
fn our_keys_load_in_poco() {
    if peer().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let message = b"signed by POCO with our key".to_vec();
    std::fs::write(p("msg"), &message).unwrap();
    let rsa =
        EvpPKey::from_file(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys/rsa2048.pem"), None)
            .unwrap();
    let ec: EvpPKey = EcKey::generate(Curve::P256).unwrap().into();
    for (key, kind, scheme) in [(rsa, "rsa", RSA_SHA256), (ec, "ec", ECDSA_SHA256)] {
        key.save(Some(&p("pub.pem")), Some(&p("priv.pem")), Some(PASS.as_bytes())).unwrap();
        poco(&[Path::new("sign"), Path::new(kind), &p("priv.pem"), Path::new(PASS), &p("msg"), &p("sig")]);
        assert!(verify_message(&key, scheme, &message, &std::fs::read(p("sig")).unwrap()), "{kind}");
        if kind == "rsa" {
            // POCO 1.11's RSAKey reads PKCS #1 public keys (`BEGIN RSA PUBLIC KEY`).
            std::fs::write(p("pub.pem"), RsaKey::from_evp(key.clone()).unwrap().public_key_pem_pkcs1())
                .unwrap();
            assert_eq!(poco(&[Path::new("verify"), Path::new(kind), &p("pub.pem"), &p("msg"), &p("sig")]), 0);
            // OAEP (SHA-1) both ways.
            let ct = RsaCipher::new(&key, RsaPadding::OAEP_SHA1).unwrap().encrypt(&message).unwrap();
            std::fs::write(p("ct"), ct).unwrap();
            poco(&[Path::new("decrypt"), &p("priv.pem"), Path::new(PASS), &p("ct"), &p("pt")]);
            assert_eq!(std::fs::read(p("pt")).unwrap(), message);
            poco(&[Path::new("encrypt"), &p("pub.pem"), &p("msg"), &p("ct2")]);
            let opened = RsaCipher::new(&key, RsaPadding::OAEP_SHA1)
                .unwrap()
                .decrypt(&std::fs::read(p("ct2")).unwrap());
            if backend() == "aws-lc-rs" {
                assert_eq!(&opened.unwrap()[..], &message[..]);
            } else {
                assert!(matches!(opened, Err(Error::Unsupported(_))));
            }
        }
    }
}
