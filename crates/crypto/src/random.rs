//! Random numbers: secure bytes, keys and nonces from the operating system, and POCO's
//! non-cryptographic [`Random`].
//!
//! Everything that protects data ([`fill_random`], [`random_bytes`], [`random_key`],
//! [`random_nonce`], random [`CipherKey`](crate::CipherKey)s, salts) reads the operating
//! system's CSPRNG through `getrandom`, as POCO's `RandomInputStream` reads `/dev/urandom`.
//!
//! [`Random`] is a port of POCO's `Poco::Random` (the FreeBSD `random()` additive feedback
//! generator). It is **not** cryptographically secure: it is fast, reproducible from a seed and
//! produces the same sequence as POCO for the same seed and state size, which is what
//! simulations and tests ported from C++ need. Never derive keys, tokens or nonces from it.
//!
//! ```
//! use rpoco_crypto::random::{self, Random};
//!
//! let nonce = random::random_nonce()?; // 12 bytes from the OS CSPRNG
//! assert_eq!(nonce.len(), 12);
//!
//! let mut rng = Random::new(256);
//! rng.seed(42);
//! assert_eq!(rng.next(), 472624893); // the same as Poco::Random(256) after seed(42)
//! # Ok::<(), rpoco_crypto::Error>(())
//! ```

use crate::error::{Error, Result};

/// Fills `buf` from the operating system's secure random generator.
pub fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| Error::Random(e.to_string()))
}

/// `len` secure random bytes.
pub fn random_bytes(len: usize) -> Result<Vec<u8>> {
    let mut v = vec![0u8; len];
    fill_random(&mut v)?;
    Ok(v)
}

/// A secure random key of `len` bytes (16, 24 or 32 for AES).
pub fn random_key(len: usize) -> Result<Vec<u8>> {
    random_bytes(len)
}

/// A secure random 96-bit nonce for AES-GCM.
///
/// Random 96-bit nonces are safe for up to 2^32 messages under one key (NIST SP 800-38D
/// §8.3); the sealed format and the streams use them that way.
pub fn random_nonce() -> Result<[u8; 12]> {
    let mut n = [0u8; 12];
    fill_random(&mut n)?;
    Ok(n)
}

/// POCO's `Random`: a fast, seedable, **non-cryptographic** generator (FreeBSD `random()`).
///
/// The state size picks the generator as in POCO: 8 bytes a linear congruential one, 32, 64,
/// 128 and 256 bytes trinomials of degree 7, 15, 31 and 63. For the same state size and
/// [`seed`](Random::seed) it yields exactly POCO's sequence.
#[derive(Debug, Clone)]
pub struct Random {
    state: Vec<u32>,
    kind: u8,
    sep: usize,
    front: usize,
    rear: usize,
}

const NSHUFF: usize = 50;

impl Random {
    /// A generator with `state_size` bytes of state (8..=256; POCO's default is 256), seeded
    /// from the current time as POCO does. Sizes outside 8..=256 are clamped into that range.
    pub fn new(state_size: usize) -> Self {
        let n = state_size.clamp(8, 256);
        let (kind, deg, sep) = match n {
            8..=31 => (0u8, 1usize, 0usize),
            32..=63 => (1, 7, 3),
            64..=127 => (2, 15, 1),
            128..=255 => (3, 31, 3),
            _ => (4, 63, 1),
        };
        let mut r = Random { state: vec![0; deg], kind, sep, front: sep, rear: 0 };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs());
        r.seed(now.unwrap_or(0) as u32);
        r
    }

    /// Park–Miller "minimal standard" step, as POCO's `goodRand`.
    fn good_rand(x: i32) -> u32 {
        let x = if x == 0 { 123_459_876 } else { x };
        let hi = x / 127_773;
        let lo = x % 127_773;
        let mut x = 16_807i32.wrapping_mul(lo).wrapping_sub(2_836i32.wrapping_mul(hi));
        if x < 0 {
            x = x.wrapping_add(0x7FFF_FFFF);
        }
        x as u32
    }

    /// Seeds the generator; the same seed gives the same sequence (POCO `seed(UInt32)`).
    pub fn seed(&mut self, seed: u32) {
        self.state[0] = seed;
        let rounds = if self.kind == 0 {
            NSHUFF
        } else {
            for i in 1..self.state.len() {
                self.state[i] = Self::good_rand(self.state[i - 1] as i32);
            }
            self.front = self.sep;
            self.rear = 0;
            10 * self.state.len()
        };
        for _ in 0..rounds {
            self.next();
        }
    }

    /// Seeds from the operating system's random generator (POCO `seed()`).
    pub fn seed_from_os(&mut self) -> Result<()> {
        let mut bytes = vec![0u8; self.state.len() * 4];
        fill_random(&mut bytes)?;
        for (s, c) in self.state.iter_mut().zip(bytes.chunks_exact(4)) {
            *s = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
        }
        Ok(())
    }

    /// The next number in `0..2^31` (POCO `next()`).
    #[allow(clippy::should_implement_trait)] // POCO's name; this is not an Iterator
    pub fn next(&mut self) -> u32 {
        if self.kind == 0 {
            let v = Self::good_rand(self.state[0] as i32) & 0x7FFF_FFFF;
            self.state[0] = v;
            return v;
        }
        let deg = self.state.len();
        self.state[self.front] = self.state[self.front].wrapping_add(self.state[self.rear]);
        let v = (self.state[self.front] >> 1) & 0x7FFF_FFFF;
        self.front += 1;
        if self.front >= deg {
            self.front = 0;
            self.rear += 1;
        } else {
            self.rear += 1;
            if self.rear >= deg {
                self.rear = 0;
            }
        }
        v
    }

    /// The next number in `0..n` (POCO `next(n)`, by modulo). `n` must not be zero.
    pub fn next_below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }

    /// A byte (POCO `nextChar()`).
    pub fn next_char(&mut self) -> u8 {
        ((self.next() >> 3) & 0xFF) as u8
    }

    /// A boolean (POCO `nextBool()`).
    pub fn next_bool(&mut self) -> bool {
        self.next() & 0x1000 != 0
    }

    /// A float in `0.0..=1.0` (POCO `nextFloat()`).
    pub fn next_float(&mut self) -> f32 {
        self.next() as f32 / 0x7FFF_FFFF as f32
    }

    /// A double in `0.0..=1.0` (POCO `nextDouble()`).
    pub fn next_double(&mut self) -> f64 {
        f64::from(self.next()) / f64::from(0x7FFF_FFFFu32)
    }
}

impl Default for Random {
    /// POCO's default: 256 bytes of state, seeded from the time.
    fn default() -> Self {
        Random::new(256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Produced by Poco::Random (Debian's libpoco 1.11) with `seed(42)`: five `next()`, then
    /// `next(100)`, `nextChar()`, `nextBool()`, `nextDouble()`.
    #[test]
    fn same_sequence_as_poco_for_every_state_size() {
        let expected: [(usize, [u32; 5], u32, u8, bool, f64); 5] = [
            (8, [413993338, 139015486, 2118548913, 1172713531, 191403351], 98, 245, true, 0.18674),
            (32, [769798547, 2024571666, 1204852799, 931293870, 1762463907], 10, 78, false, 0.434869),
            (64, [2051258974, 339992574, 1379825892, 1298392284, 825292997], 41, 237, true, 0.00906359),
            (128, [71876166, 708592740, 1483128881, 907283241, 442951012], 58, 253, false, 0.301656),
            (256, [472624893, 994493761, 100792968, 176611971, 1804504504], 79, 109, true, 0.66236),
        ];
        for (size, nexts, below, ch, b, d) in expected {
            let mut r = Random::new(size);
            r.seed(42);
            for want in nexts {
                assert_eq!(r.next(), want, "state size {size}");
            }
            assert_eq!(r.next_below(100), below);
            assert_eq!(r.next_char(), ch);
            assert_eq!(r.next_bool(), b);
            assert!((r.next_double() - d).abs() < 1e-5);
        }
    }

    #[test]
    fn secure_random_is_not_constant() {
        let a = random_bytes(32).unwrap();
        let b = random_bytes(32).unwrap();
        assert_ne!(a, b);
        let mut r = Random::new(64);
        r.seed_from_os().unwrap();
        let _ = r.next();
    }
}
