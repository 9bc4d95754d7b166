//! AES-CBC with PKCS#7 padding, incrementally (the `cbc` and `aes` crates).
//!
//! Legacy and unauthenticated: kept so data written by POCO's default `"aes256"` cipher can
//! be read and written. Anyone who can change the ciphertext can change the plaintext, and a
//! service that reports padding errors is a padding oracle; use AES-GCM for anything new.

use aes::cipher::block_padding::{Padding as _, Pkcs7};
use aes::cipher::{Array, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit};

use crate::error::{Error, Result};

const BLOCK: usize = 16;

enum Enc {
    Aes128(cbc::Encryptor<aes::Aes128Enc>),
    Aes192(cbc::Encryptor<aes::Aes192Enc>),
    Aes256(cbc::Encryptor<aes::Aes256Enc>),
}

enum Dec {
    Aes128(cbc::Decryptor<aes::Aes128Dec>),
    Aes192(cbc::Decryptor<aes::Aes192Dec>),
    Aes256(cbc::Decryptor<aes::Aes256Dec>),
}

macro_rules! each {
    ($e:expr, $ty:ident, $m:ident => $body:expr) => {
        match $e {
            $ty::Aes128($m) => $body,
            $ty::Aes192($m) => $body,
            $ty::Aes256($m) => $body,
        }
    };
}

/// An expanded AES key, made once per `Cipher` and cloned into each transform so the key
/// schedule is not recomputed per message.
// The variants differ by a few hundred bytes of key schedule (how much depends on the `aes`
// release); the value lives once per cipher, so boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum CbcKey {
    Aes128(aes::Aes128Enc, aes::Aes128Dec),
    Aes192(aes::Aes192Enc, aes::Aes192Dec),
    Aes256(aes::Aes256Enc, aes::Aes256Dec),
}

impl CbcKey {
    pub(crate) fn new(key: &[u8]) -> Result<Self> {
        let bad =
            || Error::invalid(format!("AES-CBC needs a 16, 24 or 32-byte key, got {} bytes", key.len()));
        Ok(match key.len() {
            16 => {
                let enc = aes::Aes128Enc::new_from_slice(key).map_err(|_| bad())?;
                CbcKey::Aes128(enc.clone(), aes::Aes128Dec::from(enc))
            }
            24 => {
                let enc = aes::Aes192Enc::new_from_slice(key).map_err(|_| bad())?;
                CbcKey::Aes192(enc.clone(), aes::Aes192Dec::from(enc))
            }
            32 => {
                let enc = aes::Aes256Enc::new_from_slice(key).map_err(|_| bad())?;
                CbcKey::Aes256(enc.clone(), aes::Aes256Dec::from(enc))
            }
            _ => return Err(bad()),
        })
    }
}

/// Checks and strips the PKCS#7 padding of the last block of `out`, which holds at least one
/// block after `start`. On bad padding everything from `start` on is dropped: a block whose
/// padding is wrong is never handed back.
fn unpad(out: &mut Vec<u8>, start: usize) -> Result<()> {
    let keep = out
        .len()
        .checked_sub(BLOCK)
        .filter(|&tail| tail >= start)
        .and_then(|tail| <&[u8; BLOCK]>::try_from(&out[tail..]).ok())
        .and_then(|last| Pkcs7::raw_unpad(last).ok().map(<[u8]>::len));
    match keep {
        Some(keep) => {
            out.truncate(out.len() - BLOCK + keep);
            Ok(())
        }
        None => {
            out.truncate(start);
            Err(Error::BadDecrypt)
        }
    }
}

/// One direction of an AES-CBC computation, fed in pieces.
pub(crate) struct Cbc {
    mode: Either,
    pending: Vec<u8>,
    padding: bool,
}

enum Either {
    Encrypt(Enc),
    Decrypt(Dec),
}

impl Cbc {
    pub(crate) fn new(key: &CbcKey, iv: &[u8], encrypt: bool) -> Result<Self> {
        let iv: &[u8; BLOCK] = iv
            .try_into()
            .map_err(|_| Error::invalid(format!("AES-CBC needs a 16-byte IV, got {} bytes", iv.len())))?;
        let iv = iv.into();
        let mode = match (key, encrypt) {
            (CbcKey::Aes128(e, _), true) => {
                Either::Encrypt(Enc::Aes128(cbc::Encryptor::inner_iv_init(e.clone(), iv)))
            }
            (CbcKey::Aes192(e, _), true) => {
                Either::Encrypt(Enc::Aes192(cbc::Encryptor::inner_iv_init(e.clone(), iv)))
            }
            (CbcKey::Aes256(e, _), true) => {
                Either::Encrypt(Enc::Aes256(cbc::Encryptor::inner_iv_init(e.clone(), iv)))
            }
            (CbcKey::Aes128(_, d), false) => {
                Either::Decrypt(Dec::Aes128(cbc::Decryptor::inner_iv_init(d.clone(), iv)))
            }
            (CbcKey::Aes192(_, d), false) => {
                Either::Decrypt(Dec::Aes192(cbc::Decryptor::inner_iv_init(d.clone(), iv)))
            }
            (CbcKey::Aes256(_, d), false) => {
                Either::Decrypt(Dec::Aes256(cbc::Decryptor::inner_iv_init(d.clone(), iv)))
            }
        };
        Ok(Cbc { mode, pending: Vec::new(), padding: true })
    }

    /// Encrypts or decrypts all of `input` in one go, padding or unpadding in place: the
    /// one-shot path of `encrypt_string`, with no allocation besides `out`'s.
    pub(crate) fn run_all(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize> {
        let start = out.len();
        let encrypting = matches!(self.mode, Either::Encrypt(_));
        if encrypting && self.padding {
            let pad = BLOCK - input.len() % BLOCK;
            out.reserve(input.len() + pad);
            out.extend_from_slice(input);
            out.resize(start + input.len() + pad, pad as u8);
        } else {
            if !input.len().is_multiple_of(BLOCK) || (!encrypting && self.padding && input.is_empty()) {
                return Err(Error::truncated(format!(
                    "AES-CBC data is not a whole number of {BLOCK}-byte blocks ({} bytes)",
                    input.len()
                )));
            }
            out.extend_from_slice(input);
        }
        self.run(&mut out[start..]);
        if !encrypting && self.padding {
            unpad(out, start)?;
        }
        Ok(out.len() - start)
    }

    pub(crate) fn set_padding(&mut self, padding: bool) {
        self.padding = padding;
    }

    fn run(&mut self, data: &mut [u8]) {
        let (blocks, rest) = Array::slice_as_chunks_mut(data);
        debug_assert!(rest.is_empty());
        match &mut self.mode {
            Either::Encrypt(e) => each!(e, Enc, c => c.encrypt_blocks(blocks)),
            Either::Decrypt(d) => each!(d, Dec, c => c.decrypt_blocks(blocks)),
        }
    }

    /// Processes `input`, appending whole blocks of output; returns the bytes appended.
    /// A decryptor holds back its last block until `finalize` when padding is on.
    pub(crate) fn update(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        self.pending.extend_from_slice(input);
        let hold = matches!(self.mode, Either::Decrypt(_)) && self.padding;
        let mut ready = self.pending.len() / BLOCK * BLOCK;
        if hold && ready == self.pending.len() && ready > 0 {
            ready -= BLOCK;
        }
        if ready == 0 {
            return 0;
        }
        let start = out.len();
        out.extend_from_slice(&self.pending[..ready]);
        self.pending.drain(..ready);
        self.run(&mut out[start..]);
        ready
    }

    /// Writes the final block(s): padding on encryption, the checked and stripped last block
    /// on decryption.
    pub(crate) fn finalize(&mut self, out: &mut Vec<u8>) -> Result<usize> {
        let start = out.len();
        let encrypting = matches!(self.mode, Either::Encrypt(_));
        if !self.padding || !encrypting {
            if !self.pending.len().is_multiple_of(BLOCK)
                || (!encrypting && self.padding && self.pending.is_empty())
            {
                return Err(Error::truncated(format!(
                    "AES-CBC data is not a whole number of {BLOCK}-byte blocks ({} bytes left over)",
                    self.pending.len()
                )));
            }
            out.append(&mut self.pending);
            self.run(&mut out[start..]);
            if !encrypting && self.padding {
                unpad(out, start)?;
            }
            return Ok(out.len() - start);
        }
        let n = self.pending.len();
        let mut block = [0u8; BLOCK];
        block[..n].copy_from_slice(&self.pending);
        self.pending.clear();
        Pkcs7::raw_pad(&mut block, n);
        out.extend_from_slice(&block);
        self.run(&mut out[start..]);
        Ok(BLOCK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt), first two blocks, no padding.
    #[test]
    fn sp800_38a_vectors() {
        let key =
            rpoco_foundation::hex::decode("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
                .unwrap();
        let iv = rpoco_foundation::hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
        let pt =
            rpoco_foundation::hex::decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
                .unwrap();
        let mut c = Cbc::new(&CbcKey::new(&key).unwrap(), &iv, true).unwrap();
        c.set_padding(false);
        let mut out = Vec::new();
        c.update(&pt[..5], &mut out);
        c.update(&pt[5..], &mut out);
        c.finalize(&mut out).unwrap();
        assert_eq!(
            rpoco_foundation::hex::encode(&out),
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
        );
        let mut c = Cbc::new(&CbcKey::new(&key).unwrap(), &iv, true).unwrap();
        c.set_padding(false);
        let mut all = Vec::new();
        c.run_all(&pt, &mut all).unwrap();
        assert_eq!(all, out);
    }

    #[test]
    fn padding_round_trip_and_bad_padding() {
        let (key, iv) = ([7u8; 32], [9u8; 16]);
        for len in [0usize, 1, 15, 16, 17, 100] {
            let pt: Vec<u8> = (0..len as u8).collect();
            let mut e = Cbc::new(&CbcKey::new(&key).unwrap(), &iv, true).unwrap();
            let mut ct = Vec::new();
            e.update(&pt, &mut ct);
            e.finalize(&mut ct).unwrap();
            assert_eq!(ct.len(), (len / 16 + 1) * 16);
            let mut d = Cbc::new(&CbcKey::new(&key).unwrap(), &iv, false).unwrap();
            let mut back = Vec::new();
            for piece in ct.chunks(7) {
                d.update(piece, &mut back);
            }
            d.finalize(&mut back).unwrap();
            assert_eq!(back, pt);
            let mut d = Cbc::new(&CbcKey::new(&key).unwrap(), &iv, false).unwrap();
            let mut once = Vec::new();
            d.run_all(&ct, &mut once).unwrap();
            assert_eq!(once, pt);
            let mut d = Cbc::new(&CbcKey::new(&[8u8; 32]).unwrap(), &iv, false).unwrap();
            let mut junk = Vec::new();
            d.update(&ct, &mut junk);
            // A wrong key almost always breaks the padding; when it does, nothing of the last
            // block is returned.
            if let Err(e) = d.finalize(&mut junk) {
                assert!(matches!(e, Error::BadDecrypt));
            }
        }
        let mut d = Cbc::new(&CbcKey::new(&key).unwrap(), &iv, false).unwrap();
        let mut out = Vec::new();
        d.update(&[0u8; 20], &mut out);
        assert!(matches!(d.finalize(&mut out), Err(Error::Truncated(_))));
    }
}
