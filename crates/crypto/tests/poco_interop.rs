//! Interop with C++ POCO (Debian's libpoco-dev): `tests/poco/poco_crypt.cpp` is built with g++
//! and encrypts what we decrypt and decrypts what we encrypt — AES-256-GCM with a
//! passphrase-derived key (tag after the ciphertext) and POCO's default `aes256` CBC through
//! `encryptString` with each encoding — and prints POCO's derived keys for comparison.
//!
//! Without g++ or libpoco-dev the tests print why and pass, unless the `CI` environment
//! variable is set: then a missing peer is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rpoco_crypto::{Cipher, CipherKey, Encoding, Error, digest_to_hex};

fn peer() -> Option<&'static Path> {
    static PEER: OnceLock<Option<PathBuf>> = OnceLock::new();
    PEER.get_or_init(build_peer).as_deref()
}

fn build_peer() -> Option<PathBuf> {
    common::build_poco_peer("poco_crypt.cpp", &["-lPocoCrypto", "-lPocoFoundation"])
}

/// Runs the peer with `args`, feeding `input` through a file; returns (success, output file).
fn run(args: &[&str], input: &[u8]) -> (bool, Vec<u8>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inp, outp) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::write(&inp, input).expect("write input");
    let peer = peer().expect("peer built");
    let out = Command::new(peer).args(args).arg(&inp).arg(&outp).output().expect("run poco_crypt");
    let data = std::fs::read(&outp).unwrap_or_default();
    (out.status.success(), data, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn payloads() -> Vec<Vec<u8>> {
    let mut big = Vec::with_capacity(100_000);
    let mut x = 12345u32;
    for _ in 0..100_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        big.push((x >> 16) as u8);
    }
    vec![Vec::new(), b"x".to_vec(), b"Hello, POCO!".to_vec(), vec![0u8; 4096], big]
}

const GCM_PARAMS: [(&str, &str, u32, &str); 3] = [
    ("correct horse battery staple", "asdff8723lasdf(**923412", 2000, "md5"),
    ("pw", "", 2000, "md5"),
    ("pässwörd", "short", 1, "sha256"),
];

#[test]
fn passphrase_keys_match_poco() {
    let Some(peer) = peer() else { return };
    let cases: [(&str, &str, &str, u32, &str); 7] = [
        ("aes-256-gcm", "secret", "asdff8723lasdf(**923412", 2000, "md5"),
        ("aes-256-cbc", "secret", "", 2000, "md5"),
        ("aes256", "p", "12345678", 2000, "md5"),
        ("aes-128-cbc", "p", "a much longer salt than eight bytes, folded by XOR", 2000, "sha1"),
        ("aes-192-gcm", "", "s", 1, "md5"),
        ("aes-128-gcm", "pw", "salt", 7, "sha512"),
        ("aes-256-gcm", "pw", "\u{e9}t\u{e9}", 2000, "sha256"),
    ];
    for (name, pass, salt, iterations, digest) in cases {
        let out = Command::new(peer)
            .args(["key", name, pass, salt, &iterations.to_string(), digest])
            .output()
            .expect("run poco_crypt");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let ours = CipherKey::from_passphrase_with(name, pass, salt, iterations, digest).unwrap();
        let want = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            format!("{} {}", digest_to_hex(ours.key()), digest_to_hex(ours.iv())),
            want.trim(),
            "{name} {pass:?} {salt:?} {iterations} {digest}"
        );
    }
}

#[test]
fn gcm_both_ways() {
    if peer().is_none() {
        return;
    }
    for (pass, salt, iterations, digest) in GCM_PARAMS {
        let it = iterations.to_string();
        let args = [pass, salt, it.as_str(), digest];
        let ours = Cipher::new(
            CipherKey::from_passphrase_with("aes-256-gcm", pass, salt, iterations, digest).unwrap(),
        );
        for data in payloads() {
            // POCO encrypts, we decrypt (POCO's tag follows the ciphertext).
            let (ok, ct, err) = run(&[&["enc-gcm"][..], &args].concat(), &data);
            assert!(ok, "POCO enc-gcm: {err}");
            assert_eq!(ct.len(), data.len() + 16);
            assert_eq!(ours.decrypt_string(&ct, Encoding::None, true).unwrap(), data);
            let mut tampered = ct.clone();
            tampered[ct.len() / 2] ^= 0x40;
            assert!(matches!(ours.decrypt_string(&tampered, Encoding::None, true), Err(Error::TagMismatch)));

            // We encrypt, POCO decrypts and checks our tag.
            let ct = ours.encrypt_string(&data, Encoding::None, true).unwrap();
            let (ok, back, err) = run(&[&["dec-gcm"][..], &args].concat(), &ct);
            assert!(ok, "POCO dec-gcm rejected our ciphertext: {err}");
            assert_eq!(back, data);
            let mut tampered = ct.clone();
            tampered[0] ^= 1;
            let (ok, _, _) = run(&[&["dec-gcm"][..], &args].concat(), &tampered);
            assert!(!ok, "POCO accepted a tampered ciphertext");
        }
    }
}

#[test]
fn cbc_encrypt_string_both_ways_in_every_encoding() {
    if peer().is_none() {
        return;
    }
    let encodings = [
        ("none", Encoding::None),
        ("base64", Encoding::Base64),
        ("binhex", Encoding::BinHex),
        ("base64-nolf", Encoding::Base64NoLf),
        ("binhex-nolf", Encoding::BinHexNoLf),
    ];
    for (name, pass, salt) in [("aes256", "secret", "asdff8723lasdf(**923412"), ("aes-128-cbc", "k", "")] {
        let ours = Cipher::new(CipherKey::from_passphrase(name, pass, salt).unwrap());
        for data in payloads() {
            for (enc_name, enc) in encodings {
                let args = ["enc-str", name, pass, salt, enc_name];
                let (ok, theirs, err) = run(&args, &data);
                assert!(ok, "POCO encryptString: {err}");
                // Same key and IV, deterministic mode: byte-identical output, line breaks included.
                let mine = ours.encrypt_string(&data, enc, true).unwrap();
                assert_eq!(mine, theirs, "{name} {enc_name} {} bytes", data.len());
                assert_eq!(ours.decrypt_string(&theirs, enc, true).unwrap(), data);
                let (ok, back, err) = run(&["dec-str", name, pass, salt, enc_name], &mine);
                assert!(ok, "POCO decryptString: {err}");
                assert_eq!(back, data);
            }
        }
    }
}
