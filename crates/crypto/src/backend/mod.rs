//! The seam between the public API and the crates that do the arithmetic.
//!
//! Two implementations sit behind it: RustCrypto (pure Rust, the default) and the provider
//! crate rustls uses (`aws-lc-rs` or `ring`, behind the features of the same names). With both
//! features on, `aws-lc-rs` is used (it is rustls' default provider and the umbrella crate's
//! default). The public API is the same whichever is compiled in; an algorithm the provider
//! lacks (MD5, SHA-224 on ring, AES-192-GCM on ring, GCM with a nonce other than 96 bits or a
//! tag shorter than 128 bits) is served by RustCrypto.

#[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
mod provider;

mod gcm_general;
pub(crate) mod pk;
#[cfg(feature = "aws-lc-rs")]
mod pk_aws;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
mod pk_ring;
mod pk_rustcrypto;
#[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
mod pk_tables;
mod rustcrypto;

use std::num::NonZeroU32;

use crate::digest::DigestAlgorithm;

/// The name of the backend compiled in: `"aws-lc-rs"`, `"ring"` or `"RustCrypto"`.
pub(crate) fn name() -> &'static str {
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    return provider::NAME;
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    "RustCrypto"
}

/// The CPU features relevant to AES-GCM and SHA-2 that this CPU offers. Every backend
/// (RustCrypto's `aes`, `ghash`/`polyval` and `sha2` through `cpufeatures`, ring and aws-lc-rs
/// through their own detection) selects its code path from these at run time.
pub(crate) fn cpu_flags() -> String {
    let mut found: Vec<&str> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! probe {
            ($($f:tt),*) => {
                $(if std::arch::is_x86_feature_detected!($f) { found.push($f); })*
            };
        }
        probe!("aes", "pclmulqdq", "vaes", "vpclmulqdq", "avx", "avx2", "avx512f", "sha", "ssse3");
    }
    #[cfg(target_arch = "aarch64")]
    {
        macro_rules! probe {
            ($($f:tt),*) => {
                $(if std::arch::is_aarch64_feature_detected!($f) { found.push($f); })*
            };
        }
        probe!("aes", "pmull", "sha2", "sha3", "neon");
    }
    if found.is_empty() { "none detected (portable code)".to_owned() } else { found.join(" ") }
}

/// A running hash.
#[derive(Clone)]
pub(crate) enum Hasher {
    RustCrypto(rustcrypto::Hasher),
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    Provider(provider::Hasher),
}

impl Hasher {
    pub(crate) fn new(alg: DigestAlgorithm) -> Self {
        #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
        if let Some(h) = provider::Hasher::new(alg) {
            return Hasher::Provider(h);
        }
        Hasher::RustCrypto(rustcrypto::Hasher::new(alg))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::RustCrypto(h) => h.update(data),
            #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
            Hasher::Provider(h) => h.update(data),
        }
    }

    /// Finishes the hash, returns the digest and starts over (POCO's `digest()`).
    pub(crate) fn finish_reset(&mut self) -> Vec<u8> {
        match self {
            Hasher::RustCrypto(h) => h.finish_reset(),
            #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
            Hasher::Provider(h) => h.finish_reset(),
        }
    }
}

/// A running HMAC.
// Which variant is larger depends on the backend compiled in; a few hundred bytes either way.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Mac {
    RustCrypto(rustcrypto::Mac),
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    Provider(provider::Mac),
}

impl Mac {
    pub(crate) fn new(alg: DigestAlgorithm, key: &[u8]) -> Self {
        #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
        if let Some(m) = provider::Mac::new(alg, key) {
            return Mac::Provider(m);
        }
        Mac::RustCrypto(rustcrypto::Mac::new(alg, key))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Mac::RustCrypto(m) => m.update(data),
            #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
            Mac::Provider(m) => m.update(data),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Mac::RustCrypto(m) => m.finish(),
            #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
            Mac::Provider(m) => m.finish(),
        }
    }
}

/// PBKDF2-HMAC with the given digest into `out`.
pub(crate) fn pbkdf2(alg: DigestAlgorithm, password: &[u8], salt: &[u8], rounds: NonZeroU32, out: &mut [u8]) {
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    if provider::pbkdf2(alg, password, salt, rounds, out).is_some() {
        return;
    }
    rustcrypto::pbkdf2(alg, password, salt, rounds.get(), out)
}

enum FastGcm {
    RustCrypto(rustcrypto::GcmKey),
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    Provider(Box<provider::GcmKey>),
}

/// An AES-GCM key (128, 192 or 256 bits). 96-bit nonces with full tags take the backend's
/// fast path; other nonce lengths and truncated tags go through [`gcm_general`].
pub(crate) struct GcmKey {
    fast: FastGcm,
    key: zeroize::Zeroizing<Vec<u8>>,
}

impl GcmKey {
    /// `None` unless `key` is 16, 24 or 32 bytes long.
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
        if let Some(k) = provider::GcmKey::new(key) {
            return Some(GcmKey {
                fast: FastGcm::Provider(Box::new(k)),
                key: zeroize::Zeroizing::new(key.to_vec()),
            });
        }
        let k = rustcrypto::GcmKey::new(key)?;
        Some(GcmKey { fast: FastGcm::RustCrypto(k), key: zeroize::Zeroizing::new(key.to_vec()) })
    }

    /// Encrypts in place and returns the full 128-bit tag. `None` if the nonce is empty or the
    /// data exceeds GCM's limit.
    pub(crate) fn seal(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Option<[u8; 16]> {
        let Ok(n12) = <&[u8; 12]>::try_from(nonce) else {
            return gcm_general::seal(&self.key, nonce, aad, in_out);
        };
        match &self.fast {
            FastGcm::RustCrypto(k) => k.seal(n12, aad, in_out),
            #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
            FastGcm::Provider(k) => k.seal(n12, aad, in_out),
        }
    }

    /// Verifies `tag` (1..=16 bytes; callers enforce their minimum) and only then decrypts in
    /// place. On failure the buffer holds no plaintext and `false` is returned.
    pub(crate) fn open(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8], tag: &[u8]) -> bool {
        if let (Ok(n12), Ok(t16)) = (<&[u8; 12]>::try_from(nonce), <&[u8; 16]>::try_from(tag)) {
            return match &self.fast {
                FastGcm::RustCrypto(k) => k.open(n12, aad, in_out, t16),
                #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
                FastGcm::Provider(k) => k.open(n12, aad, in_out, t16),
            };
        }
        gcm_general::open(&self.key, nonce, aad, in_out, tag).is_some()
    }
}
