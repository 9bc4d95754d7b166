//! Cipher behaviour through the public API: encodings, POCO's CBC output, GCM tags, the
//! sealed format and the typed errors.

use rpoco_crypto::{Cipher, CipherFactory, CipherKey, Encoding, Error, GCM_TAG_LEN, SEALED_NONCE_LEN};

fn poco_cbc() -> Cipher {
    let key = CipherKey::from_passphrase("aes256", "secret", "asdff8723lasdf(**923412").unwrap();
    CipherFactory::default_factory().create_cipher(key)
}

/// C++ `encryptString(std::string(100, 'x'), ENC_BINHEX)` with the same key (libPocoCrypto
/// 1.11): lowercase hex, a `\n` after every 72 characters, none at the end.
const POCO_BINHEX_100X: &str = "65f7ff6deff0516bea78dd3535d041f997dd5c05de510bb2943407e8fe12ae60cf4715b1\n\
d8d6e93717b2f830dff3a6ad00645924198a01e8592a0b37dd1cd46263642ec5b1b22d56\n\
d1c708109da99aac5a8e0fee4af5d374d263ee3ee7f129d26df1e91108b92a7392545efa\n\
19c7465a";

#[test]
fn cbc_matches_poco_output_in_every_encoding() {
    let c = poco_cbc();
    let x100 = vec![b'x'; 100];
    let hex = c.encrypt_string(&x100, Encoding::BinHex, true).unwrap();
    assert_eq!(String::from_utf8(hex.clone()).unwrap(), POCO_BINHEX_100X);
    let flat = c.encrypt_string(&x100, Encoding::BinHexNoLf, true).unwrap();
    assert_eq!(String::from_utf8(flat).unwrap(), POCO_BINHEX_100X.replace('\n', ""));
    let b64 = c.encrypt_string(&x100, Encoding::Base64, true).unwrap();
    assert_eq!(&b64[72..74], b"\r\n");
    let b64_flat = c.encrypt_string(&x100, Encoding::Base64NoLf, true).unwrap();
    assert!(!b64_flat.contains(&b'\n'));
    let raw = c.encrypt_string(&x100, Encoding::None, true).unwrap();
    assert_eq!(raw.len(), 112);
    for (data, enc) in [
        (hex, Encoding::BinHex),
        (b64, Encoding::Base64),
        (b64_flat, Encoding::Base64NoLf),
        (raw, Encoding::None),
    ] {
        assert_eq!(c.decrypt_string(&data, enc, true).unwrap(), x100, "{enc:?}");
    }
    assert_eq!(Encoding::from_u8(0x81), Some(Encoding::Base64NoLf));
    assert_eq!(Encoding::from_u8(0x03), None);
}

#[test]
fn cbc_errors_are_typed() {
    let c = poco_cbc();
    let ct = c.encrypt_string(b"some secret text", Encoding::None, true).unwrap();
    assert!(matches!(c.decrypt_string(&ct[..ct.len() - 3], Encoding::None, true), Err(Error::Truncated(_))));
    assert!(matches!(c.decrypt_string(b"", Encoding::None, true), Err(Error::Truncated(_))));
    assert!(matches!(c.decrypt_string(b"z!z=", Encoding::Base64, true), Err(Error::Encoding(_))));
    assert!(matches!(c.decrypt_string(b"0g", Encoding::BinHex, true), Err(Error::Encoding(_))));
    // The streaming path reports bad encodings the same way, for CBC and GCM.
    let gcm = Cipher::new(CipherKey::new("aes-256-gcm").unwrap());
    for cipher in [&c, &gcm] {
        let r = cipher.decrypt(&mut &b"z!z="[..], &mut Vec::new(), Encoding::Base64, true);
        assert!(matches!(r, Err(Error::Encoding(_))), "{r:?}");
        let r = cipher.decrypt(&mut &b"0g"[..], &mut Vec::new(), Encoding::BinHex, true);
        assert!(matches!(r, Err(Error::Encoding(_))), "{r:?}");
    }
    // Without padding the input must be whole blocks.
    assert!(matches!(c.encrypt_string(b"short", Encoding::None, false), Err(Error::Truncated(_))));
    let blocks = c.encrypt_string(&[1u8; 32], Encoding::None, false).unwrap();
    assert_eq!(blocks.len(), 32);
    assert_eq!(c.decrypt_string(&blocks, Encoding::None, false).unwrap(), [1u8; 32]);
    // A wrong key breaks the padding (or, rarely, yields garbage: CBC cannot tell).
    let other =
        Cipher::new(CipherKey::from_passphrase("aes256", "wrong", "asdff8723lasdf(**923412").unwrap());
    let mut bad = 0;
    for i in 0..20u8 {
        let ct = c.encrypt_string(&[i; 20], Encoding::None, true).unwrap();
        match other.decrypt_string(&ct, Encoding::None, true) {
            Err(Error::BadDecrypt) => bad += 1,
            Err(e) => panic!("unexpected {e:?}"),
            Ok(pt) => assert_ne!(pt, [i; 20]),
        }
    }
    assert!(bad >= 15, "only {bad} of 20 wrong-key decryptions reported bad padding");
}

#[test]
fn gcm_strings_carry_their_tag_and_detect_tampering() {
    let c = Cipher::new(CipherKey::from_passphrase("aes-256-gcm", "pw", "salt").unwrap());
    let ct = c.encrypt_string(b"hello", Encoding::None, true).unwrap();
    assert_eq!(ct.len(), 5 + GCM_TAG_LEN);
    assert_eq!(c.decrypt_string(&ct, Encoding::None, true).unwrap(), b"hello");
    for i in 0..ct.len() {
        let mut t = ct.clone();
        t[i] ^= 0x80;
        assert!(matches!(c.decrypt_string(&t, Encoding::None, true), Err(Error::TagMismatch)), "byte {i}");
    }
    assert!(matches!(c.decrypt_string(&ct[..10], Encoding::None, true), Err(Error::Truncated(_))));
    let wrong = Cipher::new(CipherKey::from_passphrase("aes-256-gcm", "pW", "salt").unwrap());
    assert!(matches!(wrong.decrypt_string(&ct, Encoding::None, true), Err(Error::TagMismatch)));
}

#[test]
fn gcm_tag_get_set_like_poco() {
    let c = Cipher::new(CipherKey::new("aes-128-gcm").unwrap());
    let mut enc = c.create_encryptor();
    let mut ct = Vec::new();
    enc.transform(b"data", &mut ct).unwrap();
    assert!(matches!(enc.tag(16), Err(Error::IllegalState(_))), "tag before finalize");
    enc.finalize(&mut ct).unwrap();
    assert!(matches!(enc.finalize(&mut ct), Err(Error::IllegalState(_))));
    assert!(matches!(enc.tag(8), Err(Error::Unsupported(_))));
    assert!(matches!(enc.tag(17), Err(Error::InvalidArgument(_))));
    let full = enc.tag(16).unwrap();
    for len in 12..=16 {
        let tag = enc.tag(len).unwrap();
        assert_eq!(tag, full[..len]);
        let mut dec = c.create_decryptor();
        dec.set_tag(&tag).unwrap();
        let mut pt = Vec::new();
        dec.transform(&ct, &mut pt).unwrap();
        dec.finalize(&mut pt).unwrap();
        assert_eq!(pt, b"data", "tag length {len}");
        let mut bad = tag.clone();
        bad[0] ^= 1;
        let mut dec = c.create_decryptor();
        dec.set_tag(&bad).unwrap();
        let mut pt = Vec::new();
        dec.transform(&ct, &mut pt).unwrap();
        assert!(matches!(dec.finalize(&mut pt), Err(Error::TagMismatch)));
        assert!(pt.is_empty(), "no unauthenticated plaintext");
    }
    let mut dec = c.create_decryptor();
    assert!(matches!(dec.finalize(&mut Vec::new()), Err(Error::IllegalState(_))), "no tag set");
    let mut enc = c.create_encryptor();
    assert!(matches!(enc.set_tag(&full), Err(Error::IllegalState(_))));
    let mut cbc = poco_cbc().create_encryptor();
    assert!(matches!(cbc.set_associated_data(b"x"), Err(Error::InvalidArgument(_))));
}

#[test]
fn aead_with_associated_data_and_any_nonce_length() {
    let c = Cipher::new(CipherKey::new("aes-192-gcm").unwrap());
    for nonce_len in [1usize, 8, 12, 16, 64] {
        let nonce = vec![0x5a; nonce_len];
        let ct = c.encrypt_aead(&nonce, b"aad", b"payload").unwrap();
        assert_eq!(c.decrypt_aead(&nonce, b"aad", &ct).unwrap(), b"payload");
        assert!(matches!(c.decrypt_aead(&nonce, b"aaD", &ct), Err(Error::TagMismatch)));
        let truncated = [&ct[..ct.len() - 16], &ct[ct.len() - 16..ct.len() - 3]].concat();
        assert_eq!(c.decrypt_aead_with_tag_len(&nonce, b"aad", &truncated, 13).unwrap(), b"payload");
    }
    assert!(matches!(c.encrypt_aead(&[], b"", b"x"), Err(Error::InvalidArgument(_))));
    assert!(matches!(poco_cbc().encrypt_aead(&[0; 12], b"", b"x"), Err(Error::InvalidArgument(_))));
}

#[test]
fn sealed_messages_use_fresh_nonces() {
    let c = Cipher::new(CipherKey::new("aes-256-gcm").unwrap());
    let a = c.seal(b"same", b"ctx").unwrap();
    let b = c.seal(b"same", b"ctx").unwrap();
    assert_eq!(a.len(), SEALED_NONCE_LEN + 4 + GCM_TAG_LEN);
    assert_ne!(a[..SEALED_NONCE_LEN], b[..SEALED_NONCE_LEN]);
    assert_eq!(c.open(&a, b"ctx").unwrap(), b"same");
    assert!(matches!(c.open(&a, b"other"), Err(Error::TagMismatch)));
    assert!(matches!(c.open(&a[..27], b"ctx"), Err(Error::Truncated(_))));
    let empty = c.seal(b"", b"").unwrap();
    assert_eq!(c.open(&empty, b"").unwrap(), b"");
}

#[test]
fn unknown_names_say_what_was_not_found() {
    let e = CipherKey::new("aes-512-gcm").unwrap_err();
    assert_eq!(e.to_string(), "Not found: Cipher aes-512-gcm was not found");
    assert_eq!(e.poco_class(), "NotFoundException");
}

#[test]
fn stream_encrypt_decrypt_with_encodings() {
    for name in ["aes256", "aes-128-gcm"] {
        let c = Cipher::new(CipherKey::new(name).unwrap());
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7) as u8).collect();
        for enc in [Encoding::None, Encoding::Base64, Encoding::BinHexNoLf] {
            let mut out = Vec::new();
            assert_eq!(c.encrypt(&mut &data[..], &mut out, enc, true).unwrap(), data.len() as u64);
            assert_eq!(out, c.encrypt_string(&data, enc, true).unwrap(), "{name} {enc:?}");
            let mut back = Vec::new();
            c.decrypt(&mut &out[..], &mut back, enc, true).unwrap();
            assert_eq!(back, data, "{name} {enc:?}");
        }
    }
}

#[test]
fn types_are_send_and_sync_and_keys_compare() {
    fn check<T: Send + Sync>() {}
    check::<Cipher>();
    check::<CipherKey>();
    check::<rpoco_crypto::DigestEngine>();
    check::<rpoco_crypto::HmacEngine>();
    check::<rpoco_crypto::CryptoTransform>();
    let a = CipherKey::from_passphrase("aes256", "p", "s").unwrap();
    assert_eq!(a, CipherKey::from_passphrase("aes-256-cbc", "p", "s").unwrap());
    assert_ne!(a, CipherKey::from_passphrase("aes256", "q", "s").unwrap());
    // A clone of a Cipher shares the expanded key and behaves the same on another thread.
    let c = Cipher::new(CipherKey::new("aes-256-gcm").unwrap());
    let sealed = c.seal(b"x", b"").unwrap();
    let c2 = c.clone();
    let opened = std::thread::spawn(move || c2.open(&sealed, b"").unwrap()).join().unwrap();
    assert_eq!(opened, b"x");
}
