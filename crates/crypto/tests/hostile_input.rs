//! Hostile input for the PEM/DER/PKCS #12 readers (the fuzz targets' entry points, run as
//! bounded property tests so every `cargo test` exercises them): random bytes and mutations
//! of valid keys, certificates and PKCS #12 files never panic, and every rejection is a typed
//! error, never a silent success with different content.

use std::path::Path;

use proptest::prelude::*;
use rpoco_crypto::{EcdsaSignature, Error, EvpPKey, Pkcs12Container, X509Certificate};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)).unwrap()
}

/// The valid inputs the mutations start from.
fn seeds() -> Vec<Vec<u8>> {
    let key = EvpPKey::from_pem(&data("keys/rsa2048.pem"), None).unwrap();
    vec![
        key.private_key_der().unwrap().to_vec(),
        key.public_key_der().to_vec(),
        data("keys/rsa2048-traditional-aes.pem"),
        data("certs/ca.pem"),
        X509Certificate::from_pem(&data("certs/ca.pem")).unwrap().der().to_vec(),
        data("keys/default.p12"),
        data("keys/legacy.p12"),
    ]
}

fn exercise(bytes: &[u8]) {
    for pass in [None, Some(&b"test"[..])] {
        for key in [EvpPKey::from_der(bytes, pass), EvpPKey::from_pem(bytes, pass)].into_iter().flatten() {
            assert_eq!(EvpPKey::from_der(key.public_key_der(), None).unwrap(), key);
        }
    }
    for cert in X509Certificate::from_der(bytes.to_vec())
        .into_iter()
        .chain(X509Certificate::all_from_pem(bytes).unwrap_or_default())
    {
        let _ = (cert.subject_name(), cert.public_key(), cert.is_self_signed(), cert.extract_names());
    }
    match Pkcs12Container::from_der(bytes, "test") {
        Ok(p12) => {
            let _ = (p12.private_key(), p12.certificate());
        }
        Err(
            Error::Format(_)
            | Error::BadPassphrase(_)
            | Error::Unsupported(_)
            | Error::NotFound(_)
            | Error::InvalidArgument(_),
        ) => {}
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
    let _ = (EcdsaSignature::from_der(bytes), EcdsaSignature::from_p1363(bytes));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise(&bytes);
    }

    #[test]
    fn mutated_inputs_never_panic(seed in 0usize..7, edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6), cut in any::<usize>()) {
        let mut bytes = seeds()[seed].clone();
        for (at, value) in edits {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        exercise(&bytes);
        let cut = cut % bytes.len();
        exercise(&bytes[..cut]);
    }
}

#[test]
fn the_seeds_are_valid() {
    assert!(Pkcs12Container::from_der(&data("keys/default.p12"), "test").unwrap().has_key());
    assert_eq!(
        Pkcs12Container::from_der(&data("keys/default.p12"), "test").unwrap().friendly_name(),
        "rpoco test"
    );
    assert!(Pkcs12Container::from_der(&data("keys/legacy.p12"), "test").unwrap().has_certificate());
    let key = EvpPKey::from_pem(&data("keys/rsa2048-traditional-aes.pem"), Some(b"test")).unwrap();
    assert_eq!(key, EvpPKey::from_pem(&data("keys/rsa2048.pem"), None).unwrap());
}
