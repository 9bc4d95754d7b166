//! Property tests: whatever the data, the chunking and the segment size, decryption gives
//! back exactly what was encrypted, and flipping any one byte is detected (GCM, streams).

use std::io::{Read, Write};
use std::sync::OnceLock;

use proptest::prelude::*;
use rpoco_crypto::{Cipher, CipherKey, DecryptingReader, Encoding, EncryptingWriter, Error};

/// The ciphers under test, derived once (2000 rounds of key derivation each: repeating that
/// for every generated case made these properties the slowest of the debug test run).
fn ciphers() -> &'static [Cipher; 3] {
    static CIPHERS: OnceLock<[Cipher; 3]> = OnceLock::new();
    CIPHERS.get_or_init(|| {
        [
            Cipher::new(CipherKey::from_passphrase("aes256", "p", "s").unwrap()),
            Cipher::new(CipherKey::from_passphrase("aes-128-gcm", "p", "s").unwrap()),
            Cipher::new(CipherKey::from_passphrase("aes-256-gcm", "p", "s").unwrap()),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn transform_in_any_chunks_equals_one_shot(data in proptest::collection::vec(any::<u8>(), 0..700), chunk in 1usize..100) {
        for c in ciphers() {
            let one_shot = c.encrypt_string(&data, Encoding::None, true).unwrap();
            let mut t = c.create_encryptor();
            let mut out = Vec::new();
            for piece in data.chunks(chunk) {
                t.transform(piece, &mut out).unwrap();
            }
            t.finalize(&mut out).unwrap();
            if let Ok(tag) = t.tag(16) {
                out.extend_from_slice(&tag);
            }
            prop_assert_eq!(&out, &one_shot);
            prop_assert_eq!(c.decrypt_string(&one_shot, Encoding::None, true).unwrap(), data.clone());
        }
    }

    #[test]
    fn streams_round_trip_and_detect_flips(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        segment in 1usize..80,
        chunk in 1usize..90,
        flip in any::<prop::sample::Index>(),
    ) {
        let c = &ciphers()[2];
        let mut w = EncryptingWriter::with_segment_size(Vec::new(), c, segment).unwrap();
        for piece in data.chunks(chunk) {
            w.write_all(piece).unwrap();
        }
        let ct = w.finish().unwrap();
        let mut back = Vec::new();
        DecryptingReader::new(&ct[..], c).unwrap().read_to_end(&mut back).unwrap();
        prop_assert_eq!(&back, &data);
        let mut bad = ct.clone();
        let i = flip.index(bad.len());
        bad[i] ^= 0x20;
        let err = DecryptingReader::new(&bad[..], c).unwrap().read_to_end(&mut Vec::new()).unwrap_err();
        let err = Error::from(err);
        // A flip in the segment-size field can also make the last segment look shorter than
        // its tag (Truncated); every outcome is an error, none is data.
        prop_assert!(matches!(err, Error::TagMismatch | Error::Format(_) | Error::Truncated(_)), "{:?}", err);
    }
}
