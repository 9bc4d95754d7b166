//! Keys, signatures, RSA encryption, envelopes and certificates through the public API, on
//! whichever backend this build uses. What a backend cannot do in constant time (RSA signing
//! and decryption without aws-lc-rs or ring) must fail with `Error::Unsupported`, checked here.

use std::path::Path;

use rpoco_crypto::sign::{sign_message, verify_message};
use rpoco_crypto::{
    Curve, DigestAlgorithm, EcKey, EcdsaDigestEngine, EcdsaSignature, Ed25519Key, Encoding, Envelope, Error,
    EvpPKey, KeyType, NameField, PrivateKeyFormat, RsaCipher, RsaDigestEngine, RsaExponent, RsaKey,
    RsaKeySize, RsaPadding, SignatureScheme, X509Certificate,
};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)).unwrap()
}

fn backend() -> &'static str {
    rpoco_crypto::backend_name()
}

fn rsa_fixture() -> EvpPKey {
    EvpPKey::from_pem(&data("keys/rsa2048.pem"), None).unwrap()
}

fn assert_unsupported<T: std::fmt::Debug>(r: rpoco_crypto::Result<T>, what: &str) {
    match r {
        Err(Error::Unsupported(m)) => assert!(m.contains("constant-time"), "{what}: {m}"),
        other => panic!("{what}: expected Unsupported on {}, got {other:?}", backend()),
    }
}

#[test]
fn every_format_round_trips() {
    let keys: Vec<EvpPKey> = vec![
        rsa_fixture(),
        EcKey::generate(Curve::P256).unwrap().into(),
        EcKey::generate(Curve::P384).unwrap().into(),
        EcKey::generate(Curve::P521).unwrap().into(),
        Ed25519Key::generate().unwrap().into(),
    ];
    for key in keys {
        let what = key.key_type().to_string();
        let pkcs8 = key.private_key_pem().unwrap();
        assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"), "{what}");
        let traditional = key.private_key_pem_as(PrivateKeyFormat::Traditional).unwrap();
        let der = key.private_key_der().unwrap();
        let encrypted = key.private_key_pem_encrypted(b"pass phrase").unwrap();
        assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "{what}");
        for (form, back) in [
            ("pkcs8", EvpPKey::from_pem(pkcs8.as_bytes(), None)),
            ("traditional", EvpPKey::from_pem(traditional.as_bytes(), None)),
            ("der", EvpPKey::from_der(&der, None)),
            ("bytes", EvpPKey::from_bytes(&der, None)),
            ("encrypted", EvpPKey::from_pem(encrypted.as_bytes(), Some(b"pass phrase"))),
        ] {
            let back = back.unwrap_or_else(|e| panic!("{what} {form}: {e}"));
            assert_eq!(back, key, "{what} {form}");
            assert!(back.has_private_key());
            assert_eq!(&back.private_key_der().unwrap()[..], &der[..], "{what} {form}");
        }
        let public = EvpPKey::from_pem(key.public_key_pem().as_bytes(), None).unwrap();
        assert_eq!(public, key);
        assert!(!public.has_private_key());
        assert!(matches!(public.private_key_pem(), Err(Error::InvalidArgument(_))));
        assert_eq!(EvpPKey::from_der(key.public_key_der(), None).unwrap(), key);
        assert!(!format!("{key:?}").contains(&format!("{:?}", &der[..8])), "Debug shows no key bytes");
    }
}

#[test]
fn wrong_missing_passphrase_truncated_and_unknown() {
    let key: EvpPKey = EcKey::generate(Curve::P256).unwrap().into();
    let encrypted = key.private_key_pem_encrypted(b"right").unwrap();
    assert!(matches!(EvpPKey::from_pem(encrypted.as_bytes(), Some(b"wrong")), Err(Error::BadPassphrase(_))));
    assert!(matches!(EvpPKey::from_pem(encrypted.as_bytes(), None), Err(Error::BadPassphrase(_))));
    let der = key.private_key_der().unwrap();
    for cut in [1, der.len() / 2, der.len() - 1] {
        assert!(matches!(EvpPKey::from_der(&der[..cut], None), Err(Error::Format(_))), "cut at {cut}");
    }
    assert!(matches!(EvpPKey::from_pem(b"no key here", None), Err(Error::Format(_))));
    assert!(matches!(EcKey::generate_named("brainpoolP256r1"), Err(Error::NotFound(_))));
    assert_eq!(EcKey::generate_named("secp384r1").unwrap().curve(), Curve::P384);
    // An SPKI on a curve we lack (brainpoolP256r1, OID 1.3.36.3.3.2.8.1.1.7).
    let mut spki = key.public_key_der().to_vec();
    let p256_oid = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let at = spki.windows(p256_oid.len()).position(|w| w == p256_oid).unwrap();
    spki.splice(at..at + p256_oid.len(), [0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07]);
    spki[1] += 1;
    spki[3] += 1;
    assert!(
        matches!(EvpPKey::from_der(&spki, None), Err(Error::NotFound(_))),
        "{:?}",
        EvpPKey::from_der(&spki, None)
    );
}

#[test]
fn ecdsa_engines_and_signature_forms() {
    for curve in Curve::ALL {
        let key = EcKey::generate(curve).unwrap();
        let digest = match curve {
            Curve::P256 => "SHA256",
            Curve::P384 => "SHA384",
            _ => "SHA512",
        };
        for d in [digest, "SHA256", "SHA1"] {
            let mut signer = EcdsaDigestEngine::new(key.evp(), d).unwrap();
            signer.update(b"hello ");
            signer.update(b"world");
            let sig = signer.signature().unwrap();
            let mut verifier = EcdsaDigestEngine::new(&key.evp().public_only(), d).unwrap();
            verifier.update(b"hello world");
            assert!(verifier.verify(&sig), "{curve:?} {d}");
            verifier.update(b"hello worle");
            assert!(!verifier.verify(&sig), "{curve:?} {d} other message");
            let parsed = EcdsaSignature::from_der(&sig).unwrap();
            let p1363 = parsed.to_p1363(curve.scalar_len()).unwrap();
            let alg = DigestAlgorithm::from_name(d).unwrap();
            assert!(verify_message(key.evp(), SignatureScheme::EcdsaP1363(alg), b"hello world", &p1363));
            assert_eq!(EcdsaSignature::from_p1363(&p1363).unwrap().to_der().unwrap(), sig);
        }
    }
    assert!(matches!(EcdsaSignature::from_der(&[0x30, 0x02, 0x02, 0x00]), Err(Error::Format(_))));
}

#[test]
fn ed25519_signs_and_rejects() {
    let key = Ed25519Key::generate().unwrap();
    let sig = key.sign(b"msg").unwrap();
    assert_eq!(sig.len(), 64);
    assert!(key.verify(b"msg", &sig));
    let mut bad = sig.clone();
    bad[0] ^= 1;
    assert!(!key.verify(b"msg", &bad));
    let public = Ed25519Key::from_public_bytes(key.evp().public_key_bytes()).unwrap();
    assert!(public.verify(b"msg", &sig));
    assert!(matches!(public.sign(b"msg"), Err(Error::InvalidArgument(_))));
}

#[test]
fn rsa_signatures_where_constant_time() {
    let key = rsa_fixture();
    let rsa = RsaKey::from_evp(key.clone()).unwrap();
    assert_eq!(rsa.size(), 2048);
    assert_eq!(rsa.encryption_exponent(), [1, 0, 1]);
    assert_eq!(rsa.modulus().len(), 256);
    for (name, scheme) in [
        ("pkcs1", SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256)),
        ("pss", SignatureScheme::RsaPss(DigestAlgorithm::Sha256)),
        ("pkcs1-512", SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha512)),
    ] {
        let signed = sign_message(&key, scheme, b"data");
        if backend() == "RustCrypto" {
            assert_unsupported(signed, name);
            continue;
        }
        let sig = signed.unwrap();
        assert!(verify_message(&key.public_only(), scheme, b"data", &sig), "{name}");
        assert!(!verify_message(&key, scheme, b"date", &sig), "{name}");
    }
    let mut engine = RsaDigestEngine::new(&key, "SHA256").unwrap();
    engine.update(b"data");
    if backend() != "RustCrypto" {
        let sig = engine.signature().unwrap();
        let mut check = RsaDigestEngine::new(&key.public_only(), "SHA256").unwrap();
        check.update(b"data");
        assert!(check.verify(&sig));
    }
    assert!(matches!(
        RsaDigestEngine::new(EcKey::generate(Curve::P256).unwrap().evp(), "SHA256"),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn rsa_generation_policy() {
    assert!(matches!(RsaKey::generate(RsaKeySize::Bits1024, RsaExponent::Large), Err(Error::Unsupported(_))));
    assert!(matches!(RsaKey::generate(RsaKeySize::Bits2048, RsaExponent::Small), Err(Error::Unsupported(_))));
    let generated = RsaKey::generate(RsaKeySize::Bits2048, RsaExponent::Large);
    if backend() != "aws-lc-rs" {
        return assert_unsupported(generated, "RSA key generation");
    }
    let key = generated.unwrap();
    assert_eq!(key.size(), 2048);
    assert_eq!(key.encryption_exponent(), [1, 0, 1]);
    // d is a big-endian integer below n, minimal like POCO's BigNum bytes: no leading zero,
    // and a leading zero byte of the 2048-bit value (about 1 key in 256) makes it shorter.
    let d = key.decryption_exponent().unwrap();
    assert!((128..=256).contains(&d.len()), "d has {} bytes", d.len());
    assert_ne!(d[0], 0);
    let back = RsaKey::from_bytes(key.public_key_pem_pkcs1().as_bytes(), None).unwrap();
    assert_eq!(back.evp(), key.evp());
}

#[test]
fn rsa_cipher_and_envelope() {
    let key = rsa_fixture();
    let long: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    for padding in [RsaPadding::OAEP_SHA256, RsaPadding::OAEP_SHA1, RsaPadding::Pkcs1] {
        let cipher = RsaCipher::new(&key.public_only(), padding).unwrap();
        let sealed = cipher.encrypt_string(&long, Encoding::Base64).unwrap();
        let private = RsaCipher::new(&key, padding).unwrap();
        let opened = private.decrypt_string(&sealed, Encoding::Base64);
        if backend() != "aws-lc-rs" {
            assert_unsupported(opened, "RSA decryption");
            continue;
        }
        assert_eq!(&opened.unwrap()[..], &long[..], "{padding}");
        let raw = cipher.encrypt(b"x").unwrap();
        assert_eq!(raw.len(), 256);
        assert!(matches!(private.decrypt(&raw[..255]), Err(Error::Truncated(_))));
        let mut bad = raw.clone();
        bad[10] ^= 0x40;
        assert!(matches!(private.decrypt(&bad), Err(Error::BadDecrypt)), "{padding}");
    }
    let mut env = Envelope::new();
    assert!(matches!(env.seal(b"x"), Err(Error::IllegalState(_))));
    env.add_key(&key).unwrap();
    let sealed = env.seal(b"envelope content").unwrap();
    let opened = Envelope::open(&key, &sealed);
    if backend() != "aws-lc-rs" {
        return assert_unsupported(opened, "envelope");
    }
    assert_eq!(&opened.unwrap()[..], b"envelope content");
    let mut tampered = sealed.clone();
    *tampered.content.last_mut().unwrap() ^= 1;
    assert!(matches!(Envelope::open(&key, &tampered), Err(Error::TagMismatch)));
    // Another RSA-2048 key (the test CA's, pre-generated: generation is what
    // `rsa_generation_policy` tests, and it is slow in debug builds).
    let other = EvpPKey::from_pem(&data("certs/ca.key"), None).unwrap();
    assert!(matches!(Envelope::open(&other, &sealed), Err(Error::BadDecrypt)));
}

#[test]
fn certificate_fields_and_signature() {
    let pem = data("certs/ca.pem");
    let ca = X509Certificate::from_pem(&pem).unwrap();
    assert_eq!(ca.subject_name(), "C=CH,O=rpoco,CN=rpoco test CA");
    assert_eq!(ca.issuer_name(), ca.subject_name());
    assert_eq!(ca.common_name(), "rpoco test CA");
    assert_eq!(ca.subject_field(NameField::OrganizationName), "rpoco");
    assert_eq!(ca.subject_field(NameField::Country), "CH");
    assert_eq!(ca.subject_field(NameField::LocalityName), "");
    assert_eq!(ca.version(), 3);
    assert_eq!(ca.signature_algorithm(), "sha256WithRSAEncryption");
    assert_eq!(ca.serial_number(), "09F9A28DE033A5038E706A597BF054D6D2B48273");
    assert!(ca.is_valid_at(std::time::SystemTime::now()));
    assert_eq!(ca.public_key().unwrap().key_type(), KeyType::Rsa);
    assert!(ca.is_self_signed());
    assert_eq!(X509Certificate::from_der(ca.der().to_vec()).unwrap(), ca);
    assert_eq!(X509Certificate::from_pem(ca.to_pem().as_bytes()).unwrap(), ca);
    assert_eq!(
        X509Certificate::all_from_pem(X509Certificate::chain_to_pem(&[ca.clone(), ca.clone()]).as_bytes())
            .unwrap()
            .len(),
        2
    );
    // A broken signature: flip a bit of the last signature byte.
    let mut der = ca.der().to_vec();
    *der.last_mut().unwrap() ^= 1;
    let broken = X509Certificate::from_der(der).unwrap();
    assert!(matches!(broken.verify_signature(&ca), Err(Error::SignatureInvalid(_))));
    assert!(!broken.issued_by(&ca));
    let cut = &ca.der()[..ca.der().len() - 3];
    assert!(matches!(X509Certificate::from_der(cut.to_vec()), Err(Error::Format(_))));
}
