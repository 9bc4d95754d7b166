//! The `genrsakey` and `pkey` examples run as programs, with keys from rpoco and openssl.
#![cfg(feature = "crypto")]

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use rpoco::crypto::{Curve, EcKey, Ed25519Key, EvpPKey};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn rsa_fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/crypto/tests/data/keys/rsa2048.pem")
        .display()
        .to_string()
}

#[test]
fn genrsakey_writes_a_key_pair() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("key").display().to_string();
    let Some(out) =
        support::run("genrsakey", &[&format!("--file={base}"), "--key=2048", "--password=pw"], &[])
    else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Generating key with length 2048"), "{}", text(&out.stderr));
    let private = EvpPKey::from_file(format!("{base}.priv"), Some(b"pw")).unwrap();
    assert_eq!(private.bits(), 2048);
    assert_eq!(EvpPKey::from_file(format!("{base}.pub"), None).unwrap(), private);
    assert!(EvpPKey::from_file(format!("{base}.priv"), None).is_err(), "the private key is encrypted");

    // The password from stdin.
    let program = support::example("genrsakey").unwrap();
    let mut child = Command::new(program)
        .args(["-f", &format!("{base}2")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"from stdin\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    EvpPKey::from_file(format!("{base}2.priv"), Some(b"from stdin")).unwrap();

    for bad in [&["--key=1024", "-f", &base, "-p", "x"][..], &["--key=1000", "-f", &base], &["--key=2048"]] {
        let out = support::run("genrsakey", bad, &[]).unwrap();
        assert!(!out.status.success(), "{bad:?}");
        assert!(!text(&out.stderr).is_empty(), "{bad:?}");
    }
    let help = support::run("genrsakey", &["--help"], &[]).unwrap();
    assert!(help.status.success() && text(&help.stdout).contains("--exponent=small|large"));
}

#[test]
fn pkey_signs_verifies_encrypts_and_decrypts() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).display().to_string();
    std::fs::write(p("data"), b"data to sign".repeat(1000)).unwrap();
    std::fs::write(p("other"), b"other data").unwrap();
    let ec: EvpPKey = EcKey::generate(Curve::P384).unwrap().into();
    std::fs::write(p("ec.pem"), ec.private_key_pem_encrypted(b"ec pass").unwrap().as_bytes()).unwrap();
    std::fs::write(p("ec.pub"), ec.public_key_der()).unwrap();
    let ed: EvpPKey = Ed25519Key::generate().unwrap().into();
    std::fs::write(p("ed.der"), &ed.private_key_der().unwrap()[..]).unwrap();
    std::fs::write(p("ed.pub"), ed.public_key_pem()).unwrap();
    let rsa = EvpPKey::from_file(rsa_fixture(), None).unwrap();
    std::fs::write(p("rsa.pub"), rsa.public_key_pem()).unwrap();
    let cases = [
        (rsa_fixture(), p("rsa.pub"), None),
        (p("ec.pem"), p("ec.pub"), Some("ec pass")),
        (p("ed.der"), p("ed.pub"), None),
    ];
    for (private, public, pass) in &cases {
        let (data, sig) = (p("data"), p("sig"));
        let mut args = vec!["sign", private.as_str(), &data, &sig];
        if let Some(pass) = pass {
            args.extend(["--passphrase", pass]);
        }
        let Some(out) = support::run("pkey", &args, &[]) else { return };
        assert!(out.status.success(), "{private}: {}", text(&out.stderr));
        let out = support::run("pkey", &["verify", public, &p("data"), &p("sig")], &[]).unwrap();
        assert_eq!(out.status.code(), Some(0), "{public}: {}", text(&out.stderr));
        let out = support::run("pkey", &["verify", public, &p("other"), &p("sig")], &[]).unwrap();
        assert_eq!(out.status.code(), Some(1), "{public}");
        if Command::new("openssl").arg("version").output().is_ok() && !public.ends_with("ed.pub") {
            let pem = p("check.pub");
            std::fs::write(&pem, EvpPKey::from_file(public, None).unwrap().public_key_pem()).unwrap();
            let out = Command::new("openssl")
                .args(["dgst", "-sha256", "-verify", &pem, "-signature", &p("sig"), &p("data")])
                .output()
                .unwrap();
            assert!(out.status.success(), "openssl rejects pkey's signature with {private}");
        }
    }
    let wrong =
        support::run("pkey", &["sign", &p("ec.pem"), &p("data"), &p("sig"), "--passphrase", "nope"], &[])
            .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(text(&wrong.stderr).contains("passphrase"), "{}", text(&wrong.stderr));

    let out = support::run("pkey", &["encrypt", &p("rsa.pub"), &p("other"), &p("ct")], &[]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = support::run("pkey", &["decrypt", &rsa_fixture(), &p("ct"), &p("pt")], &[]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(p("pt")).unwrap(), b"other data");
    let usage = support::run("pkey", &["frobnicate"], &[]).unwrap();
    assert_eq!(usage.status.code(), Some(2));
}
