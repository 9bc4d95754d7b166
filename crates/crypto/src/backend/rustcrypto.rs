//! The pure-Rust backend: RustCrypto's `sha2`, `sha1`, `md-5`, `hmac`, `pbkdf2` and `aes-gcm`.
//!
//! Always compiled: it is the default backend, and it serves the algorithms the provider
//! crates lack (MD5, SHA-224 and SHA-512/224 on ring, AES-192 on ring).

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm, KeyInit as _};
use hmac::Mac as _;
use sha2::Digest as _;

use crate::digest::DigestAlgorithm;

type Aes192Gcm = AesGcm<aes::Aes192, aes_gcm::aead::consts::U12>;

/// Expands `$body` once per digest type, binding the RustCrypto hash type to `$t`.
macro_rules! with_digest {
    ($alg:expr, $t:ident => $body:expr) => {
        match $alg {
            DigestAlgorithm::Md5 => {
                type $t = md5::Md5;
                $body
            }
            DigestAlgorithm::Sha1 => {
                type $t = sha1::Sha1;
                $body
            }
            DigestAlgorithm::Sha224 => {
                type $t = sha2::Sha224;
                $body
            }
            DigestAlgorithm::Sha256 => {
                type $t = sha2::Sha256;
                $body
            }
            DigestAlgorithm::Sha384 => {
                type $t = sha2::Sha384;
                $body
            }
            DigestAlgorithm::Sha512 => {
                type $t = sha2::Sha512;
                $body
            }
            DigestAlgorithm::Sha512_224 => {
                type $t = sha2::Sha512_224;
                $body
            }
            DigestAlgorithm::Sha512_256 => {
                type $t = sha2::Sha512_256;
                $body
            }
        }
    };
}

/// One running hash of any supported algorithm.
#[derive(Clone)]
pub(crate) enum Hasher {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Sha512_224(sha2::Sha512_224),
    Sha512_256(sha2::Sha512_256),
}

macro_rules! each_hasher {
    ($self:expr, $h:ident => $body:expr) => {
        match $self {
            Hasher::Md5($h) => $body,
            Hasher::Sha1($h) => $body,
            Hasher::Sha224($h) => $body,
            Hasher::Sha256($h) => $body,
            Hasher::Sha384($h) => $body,
            Hasher::Sha512($h) => $body,
            Hasher::Sha512_224($h) => $body,
            Hasher::Sha512_256($h) => $body,
        }
    };
}

impl Hasher {
    pub(crate) fn new(alg: DigestAlgorithm) -> Self {
        match alg {
            DigestAlgorithm::Md5 => Hasher::Md5(Default::default()),
            DigestAlgorithm::Sha1 => Hasher::Sha1(Default::default()),
            DigestAlgorithm::Sha224 => Hasher::Sha224(Default::default()),
            DigestAlgorithm::Sha256 => Hasher::Sha256(Default::default()),
            DigestAlgorithm::Sha384 => Hasher::Sha384(Default::default()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(Default::default()),
            DigestAlgorithm::Sha512_224 => Hasher::Sha512_224(Default::default()),
            DigestAlgorithm::Sha512_256 => Hasher::Sha512_256(Default::default()),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        each_hasher!(self, h => h.update(data))
    }

    pub(crate) fn finish_reset(&mut self) -> Vec<u8> {
        each_hasher!(self, h => h.finalize_reset().to_vec())
    }
}

/// One running HMAC; `fresh` is the keyed initial state, kept so `finish_reset` can go back
/// to it without the key.
#[derive(Clone)]
pub(crate) enum Mac {
    Md5(hmac::Hmac<md5::Md5>),
    Sha1(hmac::Hmac<sha1::Sha1>),
    Sha224(hmac::Hmac<sha2::Sha224>),
    Sha256(hmac::Hmac<sha2::Sha256>),
    Sha384(hmac::Hmac<sha2::Sha384>),
    Sha512(hmac::Hmac<sha2::Sha512>),
    Sha512_224(hmac::Hmac<sha2::Sha512_224>),
    Sha512_256(hmac::Hmac<sha2::Sha512_256>),
}

macro_rules! each_mac {
    ($self:expr, $m:ident => $body:expr) => {
        match $self {
            Mac::Md5($m) => $body,
            Mac::Sha1($m) => $body,
            Mac::Sha224($m) => $body,
            Mac::Sha256($m) => $body,
            Mac::Sha384($m) => $body,
            Mac::Sha512($m) => $body,
            Mac::Sha512_224($m) => $body,
            Mac::Sha512_256($m) => $body,
        }
    };
}

impl Mac {
    pub(crate) fn new(alg: DigestAlgorithm, key: &[u8]) -> Self {
        // HMAC accepts keys of any length (RFC 2104), so `new_from_slice` cannot fail here.
        macro_rules! make {
            ($v:ident) => {
                Mac::$v(hmac::Hmac::new_from_slice(key).unwrap_or_else(|_| unreachable!()))
            };
        }
        match alg {
            DigestAlgorithm::Md5 => make!(Md5),
            DigestAlgorithm::Sha1 => make!(Sha1),
            DigestAlgorithm::Sha224 => make!(Sha224),
            DigestAlgorithm::Sha256 => make!(Sha256),
            DigestAlgorithm::Sha384 => make!(Sha384),
            DigestAlgorithm::Sha512 => make!(Sha512),
            DigestAlgorithm::Sha512_224 => make!(Sha512_224),
            DigestAlgorithm::Sha512_256 => make!(Sha512_256),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        each_mac!(self, m => m.update(data))
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        each_mac!(self, m => m.finalize().into_bytes().to_vec())
    }
}

pub(crate) fn pbkdf2(alg: DigestAlgorithm, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
    with_digest!(alg, D => pbkdf2::pbkdf2_hmac::<D>(password, salt, rounds, out))
}

/// An AES-GCM key with a 96-bit nonce and a 128-bit tag.
#[derive(Clone)]
pub(crate) enum GcmKey {
    Aes128(Box<Aes128Gcm>),
    Aes192(Box<Aes192Gcm>),
    Aes256(Box<Aes256Gcm>),
}

macro_rules! each_gcm {
    ($self:expr, $k:ident => $body:expr) => {
        match $self {
            GcmKey::Aes128($k) => $body,
            GcmKey::Aes192($k) => $body,
            GcmKey::Aes256($k) => $body,
        }
    };
}

impl GcmKey {
    /// `key` must be 16, 24 or 32 bytes (checked by the caller).
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        Some(match key.len() {
            16 => GcmKey::Aes128(Box::new(Aes128Gcm::new_from_slice(key).ok()?)),
            24 => GcmKey::Aes192(Box::new(Aes192Gcm::new_from_slice(key).ok()?)),
            32 => GcmKey::Aes256(Box::new(Aes256Gcm::new_from_slice(key).ok()?)),
            _ => return None,
        })
    }

    pub(crate) fn seal(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8]) -> Option<[u8; 16]> {
        let tag = each_gcm!(self, k => k.encrypt_inout_detached(nonce.into(), aad, in_out.into()).ok()?);
        Some(tag.into())
    }

    pub(crate) fn open(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8], tag: &[u8; 16]) -> bool {
        each_gcm!(self, k => k.decrypt_inout_detached(nonce.into(), aad, in_out.into(), tag.into()).is_ok())
    }
}
