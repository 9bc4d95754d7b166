//! Throughput of rpoco-crypto's hot paths with the backend this build uses, as plain
//! `key value` lines for `cargo xtask bench crypto` (which runs it once per backend, beside
//! `openssl speed` and the C++ POCO peer). Run it directly with
//! `cargo run --release -p rpoco-crypto --example crypto_speed [--features ring] -- [seconds]`.
//!
//! Output lines: `backend <name>`, `cpu <features>`, then `<what> <size> <ops> <seconds>`.

use std::hint::black_box;
use std::time::Instant;

use rpoco_crypto::{Cipher, CipherKey, DigestEngine, Encoding};

/// Calls `op` until `seconds` have passed; prints the count. The clock is read every 16
/// calls (as in the C++ peer) so reading it does not weigh on sub-microsecond operations.
fn measure(what: &str, size: usize, seconds: f64, mut op: impl FnMut()) {
    op(); // warm up (key schedules, page faults)
    let start = Instant::now();
    let mut ops = 0u64;
    let mut elapsed = 0.0;
    while elapsed < seconds {
        for _ in 0..16 {
            op();
        }
        ops += 16;
        elapsed = start.elapsed().as_secs_f64();
    }
    println!("{what} {size} {ops} {elapsed:.6}");
}

fn main() -> Result<(), rpoco_crypto::Error> {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    println!("backend {}", rpoco_crypto::backend_name());
    println!("cpu {}", rpoco_crypto::cpu_features());

    let gcm = Cipher::new(CipherKey::from_passphrase("aes-256-gcm", "benchmark passphrase", "saltsalt")?);
    let nonce = [7u8; 12];
    for size in [16 * 1024, 1024 * 1024] {
        let mut buf = vec![b'x'; size];
        measure("aes-256-gcm", size, seconds, || {
            black_box(gcm.encrypt_aead_in_place(&nonce, &[], black_box(&mut buf)).ok());
        });
    }
    let mut sha = DigestEngine::sha256();
    for size in [16 * 1024, 1024 * 1024] {
        let data = vec![b'x'; size];
        measure("sha256", size, seconds, || {
            sha.update(black_box(&data));
            black_box(sha.digest());
        });
    }
    let cbc = Cipher::new(CipherKey::from_passphrase("aes256", "benchmark passphrase", "saltsalt")?);
    for size in [64, 16 * 1024] {
        let data = vec![b'x'; size];
        measure("encrypt_string-aes256", size, seconds, || {
            black_box(cbc.encrypt_string(black_box(&data), Encoding::None, true).ok());
        });
    }
    Ok(())
}
