//! Public-key operations per second with the backend this build uses, as plain lines for
//! `cargo xtask bench crypto` (beside `openssl speed rsa2048 ecdsap256 ed25519` and the C++ POCO
//! peer). Run it directly with
//! `cargo run --release -p rpoco-crypto --example pk_speed [--features aws-lc-rs] -- [seconds]`.
//!
//! Output lines: `backend <name>`, then `<what> <ops> <seconds>`, or `<what> unsupported` where
//! the backend has no constant-time implementation. Signatures are over a 32-byte message
//! through a `SignatureEngine` made once, as a POCO `RSADigestEngine` is.

use std::hint::black_box;
use std::time::Instant;

use rpoco_crypto::{
    Curve, DigestAlgorithm, EcKey, Ed25519Key, EvpPKey, RsaExponent, RsaKey, RsaKeySize, SignatureEngine,
    SignatureScheme,
};

/// Calls `op` until `seconds` have passed; prints the count.
fn measure(what: &str, seconds: f64, mut op: impl FnMut() -> bool) {
    if !op() {
        println!("{what} unsupported");
        return;
    }
    let start = Instant::now();
    let mut ops = 0u64;
    let mut elapsed = 0.0;
    while elapsed < seconds {
        op();
        ops += 1;
        elapsed = start.elapsed().as_secs_f64();
    }
    println!("{what} {ops} {elapsed:.6}");
}

fn sign_and_verify(name: &str, key: &EvpPKey, scheme: SignatureScheme, seconds: f64) {
    let message = [0x5au8; 32];
    let mut signer = SignatureEngine::new(key, scheme).expect("scheme fits the key");
    measure(&format!("{name}-sign"), seconds, || {
        signer.update(black_box(&message));
        black_box(signer.signature()).is_ok()
    });
    signer.update(&message);
    let Ok(sig) = signer.signature() else {
        println!("{name}-verify unsupported");
        return;
    };
    let mut verifier = SignatureEngine::new(&key.public_only(), scheme).expect("scheme fits the key");
    measure(&format!("{name}-verify"), seconds, || {
        verifier.update(black_box(&message));
        verifier.verify(black_box(&sig))
    });
}

fn main() -> Result<(), rpoco_crypto::Error> {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    println!("backend {}", rpoco_crypto::backend_name());
    let rsa = EvpPKey::from_pem(include_bytes!("../tests/data/keys/rsa2048.pem"), None)?;
    sign_and_verify("rsa2048-pkcs1", &rsa, SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256), seconds);
    sign_and_verify("rsa2048-pss", &rsa, SignatureScheme::RsaPss(DigestAlgorithm::Sha256), seconds);
    let p256: EvpPKey = EcKey::generate(Curve::P256)?.into();
    sign_and_verify("p256", &p256, SignatureScheme::Ecdsa(DigestAlgorithm::Sha256), seconds);
    let ed: EvpPKey = Ed25519Key::generate()?.into();
    sign_and_verify("ed25519", &ed, SignatureScheme::Ed25519, seconds);
    // Key generation is slow and its time varies a lot (prime search); give it more time.
    measure("rsa2048-keygen", seconds * 3.0, || {
        black_box(RsaKey::generate(RsaKeySize::Bits2048, RsaExponent::Large)).is_ok()
    });
    Ok(())
}
