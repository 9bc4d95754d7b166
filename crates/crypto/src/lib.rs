//! # rpoco-crypto
//!
//! The port of POCO's Crypto module: digests, HMAC, key derivation (POCO-compatible
//! `EVP_BytesToKey` and PBKDF2), the AES-GCM `Cipher`, crypto streams and random numbers.
//!
//! This crate is being filled in; see `docs/porting.md` for what has landed.
//!
//! ```
//! // Nothing public yet: the crate builds and documents itself.
//! ```
