//! Project Wycheproof public-key vectors (C2SP/wycheproof, Apache-2.0; `tests/data/wycheproof/`):
//! RSA PKCS #1 v1.5 and PSS signatures, ECDSA P-256/384/521 (DER and P1363), Ed25519, RSA-OAEP
//! and RSA PKCS #1 v1.5 decryption. Every valid vector must pass and every invalid one be
//! rejected on whichever backend this build uses. RSA decryption is a private-key operation:
//! on a backend without a constant-time implementation every vector must fail with
//! `Error::Unsupported` instead (checked, and counted in the printed tally).

use std::path::Path;

use rpoco_crypto::sign::verify_message;
use rpoco_crypto::{DigestAlgorithm, Error, EvpPKey, RsaCipher, RsaPadding, SignatureScheme};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/wycheproof").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

fn hex(v: &Value) -> Vec<u8> {
    rpoco_foundation::hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

fn digest(name: &Value) -> DigestAlgorithm {
    DigestAlgorithm::from_name(name.as_str().expect("sha")).expect("known digest")
}

#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    bad_key_groups: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    unsupported: usize,
}

fn check_signatures(file: &str, scheme_of: impl Fn(&Value) -> SignatureScheme) -> Tally {
    let doc = load(file);
    let mut t = Tally::default();
    let mut count = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let scheme = scheme_of(group);
        let key = EvpPKey::from_der(&hex(&group["publicKeyDer"]), None);
        let tests = group["tests"].as_array().unwrap();
        count += tests.len();
        let key = match key {
            Ok(k) => k,
            Err(e) => {
                // A key we refuse: no vector of the group may be valid.
                for test in tests {
                    assert_ne!(test["result"], "valid", "{file} tcId {}: key refused: {e}", test["tcId"]);
                }
                t.bad_key_groups += 1;
                t.invalid += tests.len();
                continue;
            }
        };
        for test in tests {
            let ok = verify_message(&key, scheme, &hex(&test["msg"]), &hex(&test["sig"]));
            match test["result"].as_str().unwrap() {
                "valid" => {
                    assert!(ok, "{file} tcId {} ({}) valid but rejected", test["tcId"], test["comment"]);
                    t.valid += 1;
                }
                "invalid" => {
                    assert!(!ok, "{file} tcId {} ({}) invalid but accepted", test["tcId"], test["comment"]);
                    t.invalid += 1;
                }
                _ if ok => t.acceptable_accepted += 1,
                _ => t.acceptable_rejected += 1,
            }
        }
    }
    assert_eq!(count as u64, doc["numberOfTests"].as_u64().unwrap());
    println!("wycheproof {file} [{}]: {t:?}", rpoco_crypto::backend_name());
    assert!(t.valid > 0 && t.invalid > 0, "{file}: nothing checked");
    t
}

#[test]
fn rsa_pkcs1_signatures() {
    for file in ["rsa_signature_2048_sha256_test.json", "rsa_signature_3072_sha256_test.json"] {
        check_signatures(file, |g| SignatureScheme::RsaPkcs1(digest(&g["sha"])));
    }
}

#[test]
fn rsa_pss_signatures() {
    check_signatures("rsa_pss_2048_sha256_mgf1_32_test.json", |g| {
        let d = digest(&g["sha"]);
        assert_eq!(digest(&g["mgfSha"]), d);
        assert_eq!(g["sLen"].as_u64().unwrap() as usize, d.digest_length());
        SignatureScheme::RsaPss(d)
    });
}

#[test]
fn ecdsa_der_signatures() {
    for file in [
        "ecdsa_secp256r1_sha256_test.json",
        "ecdsa_secp384r1_sha384_test.json",
        "ecdsa_secp521r1_sha512_test.json",
    ] {
        check_signatures(file, |g| SignatureScheme::Ecdsa(digest(&g["sha"])));
    }
}

#[test]
fn ecdsa_p1363_signatures() {
    check_signatures("ecdsa_secp256r1_sha256_p1363_test.json", |g| {
        SignatureScheme::EcdsaP1363(digest(&g["sha"]))
    });
}

#[test]
fn ed25519_signatures() {
    check_signatures("ed25519_test.json", |_| SignatureScheme::Ed25519);
}

fn check_decryption(file: &str, padding_of: impl Fn(&Value) -> RsaPadding) {
    let doc = load(file);
    let mut t = Tally::default();
    for group in doc["testGroups"].as_array().unwrap() {
        let padding = padding_of(group);
        let key = EvpPKey::from_der(&hex(&group["privateKeyPkcs8"]), None).expect("Wycheproof private key");
        let cipher = RsaCipher::new(&key, padding).unwrap();
        for test in group["tests"].as_array().unwrap() {
            let label = test.get("label").map(hex).unwrap_or_default();
            let result = cipher.decrypt(&hex(&test["ct"]));
            if let Err(Error::Unsupported(m)) = &result {
                assert_ne!(rpoco_crypto::backend_name(), "aws-lc-rs", "{m}");
                assert!(m.contains("constant-time"), "{m}");
                t.unsupported += 1;
                continue;
            }
            let expected = hex(&test["msg"]);
            match test["result"].as_str().unwrap() {
                // OAEP labels are not part of the API (POCO has none): a vector with a label
                // must not decrypt to its message with the empty label.
                "valid" if !label.is_empty() => {
                    assert!(
                        result.as_ref().map_or(true, |m| m[..] != expected[..]),
                        "{file} tcId {}",
                        test["tcId"]
                    );
                    t.unsupported += 1;
                }
                "valid" => {
                    let got = result.unwrap_or_else(|e| panic!("{file} tcId {}: {e}", test["tcId"]));
                    assert_eq!(&got[..], &expected[..], "{file} tcId {}", test["tcId"]);
                    t.valid += 1;
                }
                "invalid" => {
                    assert!(
                        matches!(result, Err(Error::BadDecrypt | Error::Truncated(_))),
                        "{file} tcId {} ({}) invalid but gave {:?}",
                        test["tcId"],
                        test["comment"],
                        result.map(|m| m.len())
                    );
                    t.invalid += 1;
                }
                _ if result.is_ok() => t.acceptable_accepted += 1,
                _ => t.acceptable_rejected += 1,
            }
        }
    }
    println!("wycheproof {file} [{}]: {t:?}", rpoco_crypto::backend_name());
    if rpoco_crypto::backend_name() == "aws-lc-rs" {
        assert!(t.valid > 0 && t.invalid > 0, "{file}: nothing checked");
    }
}

#[test]
fn rsa_oaep_decryption() {
    for file in ["rsa_oaep_2048_sha256_mgf1sha256_test.json", "rsa_oaep_2048_sha1_mgf1sha1_test.json"] {
        check_decryption(file, |g| {
            let d = digest(&g["sha"]);
            assert_eq!(digest(&g["mgfSha"]), d);
            RsaPadding::Oaep(d)
        });
    }
}

#[test]
fn rsa_pkcs1_decryption() {
    check_decryption("rsa_pkcs1_2048_test.json", |_| RsaPadding::Pkcs1);
}
