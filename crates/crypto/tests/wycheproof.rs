//! Project Wycheproof vectors (C2SP/wycheproof, Apache-2.0; `tests/data/wycheproof/`):
//! every valid vector must pass and every invalid one must be rejected, on whichever backend
//! this build uses. Vectors with parameters the API does not support must be rejected with
//! a typed error; they are counted and printed, never skipped silently.

use std::collections::BTreeMap;
use std::path::Path;

use rpoco_crypto::{Cipher, CipherKey, CryptoTransform, DigestAlgorithm, Error, HmacEngine, kdf};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/wycheproof").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

fn hex(v: &Value) -> Vec<u8> {
    rpoco_foundation::hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

/// Every test of every group, with the group's fields.
fn tests(doc: &Value) -> Vec<(&Value, &Value)> {
    let mut all = Vec::new();
    for group in doc["testGroups"].as_array().expect("testGroups") {
        for test in group["tests"].as_array().expect("tests") {
            all.push((group, test));
        }
    }
    assert_eq!(all.len() as u64, doc["numberOfTests"].as_u64().expect("numberOfTests"));
    all
}

#[derive(Default, Debug)]
struct Tally {
    valid_passed: usize,
    invalid_rejected: usize,
    /// Invalid vectors refused when the key is made (before any decryption).
    refused_up_front: usize,
    unsupported_rejected: BTreeMap<String, usize>,
}

impl Tally {
    fn print(&self, what: &str) {
        println!(
            "wycheproof {what} [{}]: {} valid passed, {} invalid rejected ({} refused up front), \
             unsupported (rejected with a typed error): {:?}",
            rpoco_crypto::backend_name(),
            self.valid_passed,
            self.invalid_rejected,
            self.refused_up_front,
            self.unsupported_rejected
        );
    }
}

#[test]
fn aes_gcm() {
    let doc = load("aes_gcm_test.json");
    let mut tally = Tally::default();
    for (group, t) in tests(&doc) {
        let id = t["tcId"].as_u64().unwrap_or(0);
        let key_bits = group["keySize"].as_u64().unwrap_or(0);
        let (key, iv, aad, msg, ct, tag) =
            (hex(&t["key"]), hex(&t["iv"]), hex(&t["aad"]), hex(&t["msg"]), hex(&t["ct"]), hex(&t["tag"]));
        let valid = t["result"] == "valid";
        let name = format!("aes-{key_bits}-gcm");
        let cipher = match CipherKey::from_key_iv(&name, &key, &iv) {
            Ok(k) => Cipher::new(k),
            Err(e) => {
                // Only an empty IV is refused up front, and Wycheproof marks it invalid.
                assert!(!valid, "tc {id}: valid vector refused: {e}");
                assert!(matches!(e, Error::InvalidArgument(_)), "tc {id}: {e:?}");
                assert!(iv.is_empty(), "tc {id}: only the empty IV is refused up front");
                tally.invalid_rejected += 1;
                tally.refused_up_front += 1;
                continue;
            }
        };
        let mut sealed = ct.clone();
        sealed.extend_from_slice(&tag);
        let opened = cipher.decrypt_aead(&iv, &aad, &sealed);
        if valid {
            assert_eq!(opened.unwrap_or_else(|e| panic!("tc {id}: {e}")), msg, "tc {id}");
            assert_eq!(cipher.encrypt_aead(&iv, &aad, &msg).unwrap(), sealed, "tc {id}: encryption");
            // The POCO-style transform (key IV, set_tag before finalize) agrees.
            let mut enc: CryptoTransform = cipher.create_encryptor();
            enc.set_associated_data(&aad).unwrap();
            let mut out = Vec::new();
            enc.transform(&msg, &mut out).unwrap();
            enc.finalize(&mut out).unwrap();
            assert_eq!(out, ct, "tc {id}: transform ciphertext");
            assert_eq!(enc.tag(16).unwrap(), tag, "tc {id}: transform tag");
            let mut dec = cipher.create_decryptor();
            dec.set_associated_data(&aad).unwrap();
            dec.set_tag(&tag).unwrap();
            let mut back = Vec::new();
            dec.transform(&ct, &mut back).unwrap();
            dec.finalize(&mut back).unwrap();
            assert_eq!(back, msg, "tc {id}: transform decryption");
            tally.valid_passed += 1;
        } else {
            assert!(
                matches!(opened, Err(Error::TagMismatch)),
                "tc {id}: invalid vector accepted: {opened:?}"
            );
            tally.invalid_rejected += 1;
        }
    }
    tally.print("AES-GCM");
    assert_eq!(
        tally.valid_passed + tally.invalid_rejected + tally.unsupported_rejected.values().sum::<usize>(),
        316
    );
}

fn hmac(file: &str, alg: DigestAlgorithm) {
    let doc = load(file);
    let mut tally = Tally::default();
    for (group, t) in tests(&doc) {
        let id = t["tcId"].as_u64().unwrap_or(0);
        let tag_bytes = group["tagSize"].as_u64().unwrap_or(0) as usize / 8;
        let (key, msg, tag) = (hex(&t["key"]), hex(&t["msg"]), hex(&t["tag"]));
        let mut engine = HmacEngine::new(alg, &key);
        engine.update(&msg);
        let verdict = engine.verify(&tag);
        if t["result"] == "valid" {
            assert!(verdict.is_ok(), "tc {id}: {verdict:?}");
            assert_eq!(&HmacEngine::mac(alg, &key, &msg)[..tag_bytes], &tag[..], "tc {id}");
            tally.valid_passed += 1;
        } else {
            assert!(
                matches!(verdict, Err(Error::TagMismatch)),
                "tc {id}: invalid vector accepted: {verdict:?}"
            );
            tally.invalid_rejected += 1;
        }
    }
    tally.print(&format!("HMAC-{alg}"));
    assert!(tally.unsupported_rejected.is_empty());
}

#[test]
fn hmac_sha256() {
    hmac("hmac_sha256_test.json", DigestAlgorithm::Sha256);
}

#[test]
fn hmac_sha384() {
    hmac("hmac_sha384_test.json", DigestAlgorithm::Sha384);
}

#[test]
fn hmac_sha512() {
    hmac("hmac_sha512_test.json", DigestAlgorithm::Sha512);
}

#[test]
fn pbkdf2_hmac_sha256() {
    let doc = load("pbkdf2_hmacsha256_test.json");
    let mut tally = Tally::default();
    for (_, t) in tests(&doc) {
        let id = t["tcId"].as_u64().unwrap_or(0);
        let (password, salt, dk) = (hex(&t["password"]), hex(&t["salt"]), hex(&t["dk"]));
        let iterations = t["iterationCount"].as_u64().unwrap_or(0) as u32;
        let len = t["dkLen"].as_u64().unwrap_or(0) as usize;
        let got = kdf::pbkdf2_hmac_sha256(&password, &salt, iterations, len);
        if t["result"] == "valid" {
            assert_eq!(got.unwrap_or_else(|e| panic!("tc {id}: {e}")), dk, "tc {id}");
            tally.valid_passed += 1;
        } else {
            assert!(got.map_or(true, |d| d != dk), "tc {id}: invalid vector accepted");
            tally.invalid_rejected += 1;
        }
    }
    tally.print("PBKDF2-HMAC-SHA256");
}
