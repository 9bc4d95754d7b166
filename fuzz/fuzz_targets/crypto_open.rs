//! Ciphertext from an attacker: sealed messages and segmented streams are rejected, never
//! released unauthenticated, and never panic.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use rpoco_crypto::stream::DecryptingReader;
use rpoco_crypto::{Cipher, CipherKey};

fuzz_target!(|data: &[u8]| {
    let Ok(key) = CipherKey::from_key_iv("aes-256-gcm", &[7u8; 32], &[9u8; 12]) else { return };
    let cipher = Cipher::new(key);
    assert!(cipher.open(data, b"").is_err(), "random data must not authenticate");
    if let Ok(mut reader) = DecryptingReader::new(data, &cipher) {
        let mut out = Vec::new();
        assert!(reader.read_to_end(&mut out).is_err(), "random data must not authenticate");
    }
});
