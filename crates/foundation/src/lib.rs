//! # rpoco-foundation
//!
//! The port of the parts of POCO's Foundation library that networking code needs:
//!
//! - [`Uri`]: RFC 3986 URI references with POCO's semantics (decoded path, raw query,
//!   well-known ports, POCO's resolution and normalization rules),
//! - [`StreamCopier`]: copying between [`Read`](std::io::Read) and [`Write`](std::io::Write),
//! - [`base64`] and [`hex`]: POCO's Base64 and hex ("BinHex") encoders and decoders,
//! - [`Error`]: the crate's one error type, one variant per POCO exception class.
//!
//! This crate stands on its own; the other `rpoco-*` crates build on it.
//!
//! ```
//! use rpoco_foundation::{base64, StreamCopier};
//!
//! let encoded = base64::encode(b"rpoco");
//! let mut decoded = Vec::new();
//! StreamCopier::copy_stream(&mut base64::Base64Decoder::new(encoded.as_bytes()), &mut decoded, 8192)?;
//! assert_eq!(decoded, b"rpoco");
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod base64;
pub mod compression;
mod counting_stream;
mod error;
pub mod hex;
mod stream_copier;
mod uri;

pub use counting_stream::{CountingInputStream, CountingOutputStream, CountingReader, CountingWriter};
pub use error::{Error, Result};
pub use stream_copier::StreamCopier;
pub use uri::Uri;
