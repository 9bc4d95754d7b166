//! Key files from anywhere: the PEM/DER key readers (PKCS #8, encrypted PKCS #8, SPKI, PKCS #1,
//! SEC1, OpenSSL's encrypted PEM) never panic, with or without a passphrase, and whatever they
//! accept writes out and reads back as the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_crypto::{EcdsaSignature, EvpPKey};

fuzz_target!(|data: &[u8]| {
    for passphrase in [None, Some(&b"fuzz"[..])] {
        for key in [EvpPKey::from_der(data, passphrase), EvpPKey::from_pem(data, passphrase)].into_iter().flatten() {
            let back = EvpPKey::from_der(key.public_key_der(), None).expect("our SPKI reads back");
            assert_eq!(back, key);
            if let Ok(der) = key.private_key_der() {
                assert_eq!(EvpPKey::from_der(&der, None).expect("our PKCS #8 reads back"), key);
            }
            let _ = (key.bits(), key.private_key_pem(), key.public_key_pem());
        }
    }
    if let Ok(sig) = EcdsaSignature::from_der(data) {
        assert_eq!(sig.to_der().expect("re-encodes"), data, "DER signatures are strict");
    }
    let _ = EcdsaSignature::from_p1363(data);
});
