//! Criterion benches for rpoco-crypto: AES-256-GCM and SHA-256 throughput on 16 KiB and
//! 1 MiB buffers, and `encrypt_string` calls, with the backend this build uses (the group
//! names say which). Run once per backend:
//!
//! ```text
//! cargo bench -p rpoco-crypto                         # RustCrypto
//! cargo bench -p rpoco-crypto --features ring
//! cargo bench -p rpoco-crypto --features aws-lc-rs
//! ```
//!
//! `cargo xtask bench crypto` puts the same figures beside `openssl speed` and C++ POCO.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rpoco_crypto::{Cipher, CipherKey, DigestEngine, Encoding};

const SIZES: [usize; 2] = [16 * 1024, 1024 * 1024];

fn aes_gcm(c: &mut Criterion) {
    let cipher = Cipher::new(CipherKey::new("aes-256-gcm").expect("key"));
    let mut group = c.benchmark_group(format!("aes-256-gcm/{}", rpoco_crypto::backend_name()));
    for size in SIZES {
        let mut buf = vec![0x5a; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter(size), |b| {
            b.iter(|| cipher.encrypt_aead_in_place(&[1; 12], &[], black_box(&mut buf)).expect("seal"))
        });
    }
    group.finish();
}

fn sha256(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("sha256/{}", rpoco_crypto::backend_name()));
    let mut engine = DigestEngine::sha256();
    for size in SIZES {
        let data = vec![0x5a; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter(size), |b| {
            b.iter(|| {
                engine.update(black_box(&data));
                engine.digest()
            })
        });
    }
    group.finish();
}

fn encrypt_string(c: &mut Criterion) {
    let cipher = Cipher::new(CipherKey::from_passphrase("aes256", "benchmark", "saltsalt").expect("key"));
    let mut group = c.benchmark_group(format!("encrypt_string-aes256/{}", rpoco_crypto::backend_name()));
    for size in [64usize, 16 * 1024] {
        let data = vec![b'x'; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter(size), |b| {
            b.iter(|| cipher.encrypt_string(black_box(&data), Encoding::None, true).expect("encrypt"))
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500))
}

criterion_group! { name = benches; config = config(); targets = aes_gcm, sha256, encrypt_string }
criterion_main!(benches);
