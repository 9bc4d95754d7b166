//! AES-GCM for nonces other than 96 bits and for truncated tags (NIST SP 800-38D, §7).
//!
//! The fast paths (ring, aws-lc-rs, `aes-gcm`'s `Aes*Gcm`) fix the nonce at 96 bits and the
//! tag at 128 bits, while POCO (through OpenSSL) accepts any IV length for GCM and tags of
//! 12 to 16 bytes. This module composes the same RustCrypto primitives `aes-gcm` uses (`aes`,
//! `ghash`, `ctr`) for those cases: `J0 = GHASH(IV ‖ 0^(s+64) ‖ [len(IV)]64)` for a nonce that
//! is not 96 bits long, then CTR from `inc32(J0)` and the tag `GHASH(A, C) ⊕ E(J0)`. Wycheproof's
//! short-, long- and counter-wrap-IV vectors check it on every backend.

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherEncrypt, BlockSizeUser, KeyInit, KeyIvInit, StreamCipher};
use ctr::Ctr32BE;
use ghash::GHash;
use ghash::universal_hash::UniversalHash;
use subtle::ConstantTimeEq;

/// NIST SP 800-38D limits: plaintext ≤ 2^39 − 256 bits, AAD and IV < 2^64 bits.
const P_MAX: u64 = (1 << 36) - 32;

struct Parts {
    ctr_iv: [u8; 16],
    ghash: GHash,
    mask: [u8; 16],
}

fn setup<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit>(
    key: &[u8],
    nonce: &[u8],
) -> Option<Parts> {
    let cipher = C::new_from_slice(key).ok()?;
    let mut h = ghash::Block::default();
    cipher.encrypt_block(&mut h);
    let ghash = GHash::new(&h);
    let j0: [u8; 16] = if nonce.len() == 12 {
        let mut j0 = [0u8; 16];
        j0[..12].copy_from_slice(nonce);
        j0[15] = 1;
        j0
    } else {
        let mut g = ghash.clone();
        g.update_padded(nonce);
        let mut len_block = ghash::Block::default();
        len_block[8..].copy_from_slice(&((nonce.len() as u64) * 8).to_be_bytes());
        g.update(&[len_block]);
        g.finalize().into()
    };
    let mut mask = ghash::Block::from(j0);
    cipher.encrypt_block(&mut mask);
    let mut ctr_iv = j0;
    let low = u32::from_be_bytes([j0[12], j0[13], j0[14], j0[15]]).wrapping_add(1);
    ctr_iv[12..].copy_from_slice(&low.to_be_bytes());
    Some(Parts { ctr_iv, ghash, mask: mask.into() })
}

fn tag(parts: &Parts, aad: &[u8], ciphertext: &[u8]) -> [u8; 16] {
    let mut g = parts.ghash.clone();
    g.update_padded(aad);
    g.update_padded(ciphertext);
    let mut len_block = ghash::Block::default();
    len_block[..8].copy_from_slice(&((aad.len() as u64) * 8).to_be_bytes());
    len_block[8..].copy_from_slice(&((ciphertext.len() as u64) * 8).to_be_bytes());
    g.update(&[len_block]);
    let mut t: [u8; 16] = g.finalize().into();
    t.iter_mut().zip(parts.mask).for_each(|(a, b)| *a ^= b);
    t
}

fn keystream<C>(key: &[u8], parts: &Parts, data: &mut [u8]) -> Option<()>
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit,
    Ctr32BE<C>: KeyIvInit + StreamCipher,
{
    let mut ctr = Ctr32BE::<C>::new_from_slices(key, &parts.ctr_iv).ok()?;
    ctr.apply_keystream(data);
    Some(())
}

macro_rules! by_key_size {
    ($key:expr, $c:ident => $body:expr) => {
        match $key.len() {
            16 => {
                type $c = aes::Aes128;
                $body
            }
            24 => {
                type $c = aes::Aes192;
                $body
            }
            32 => {
                type $c = aes::Aes256;
                $body
            }
            _ => None,
        }
    };
}

/// Encrypts `data` in place; returns the full 128-bit tag (callers truncate it).
/// `None` for a bad key size, an empty nonce or data over the GCM limit.
pub(crate) fn seal(key: &[u8], nonce: &[u8], aad: &[u8], data: &mut [u8]) -> Option<[u8; 16]> {
    if nonce.is_empty() || data.len() as u64 > P_MAX {
        return None;
    }
    by_key_size!(key, C => {
        let parts = setup::<C>(key, nonce)?;
        keystream::<C>(key, &parts, data)?;
        Some(tag(&parts, aad, data))
    })
}

/// Checks `expected` (1..=16 bytes, a prefix of the full tag) in constant time and only then
/// decrypts `data` in place. `None` if authentication fails or the parameters are invalid.
pub(crate) fn open(key: &[u8], nonce: &[u8], aad: &[u8], data: &mut [u8], expected: &[u8]) -> Option<()> {
    if nonce.is_empty() || data.len() as u64 > P_MAX || expected.is_empty() || expected.len() > 16 {
        return None;
    }
    by_key_size!(key, C => {
        let parts = setup::<C>(key, nonce)?;
        let full = tag(&parts, aad, data);
        if !bool::from(full[..expected.len()].ct_eq(expected)) {
            return None;
        }
        keystream::<C>(key, &parts, data)
    })
}
