//! POCO's `InflatingStream` and `DeflatingStream`: zlib (RFC 1950), gzip (RFC 1952) and raw
//! deflate (RFC 1951) as [`Read`](std::io::Read) and [`Write`](std::io::Write) adapters, on
//! `flate2`.
//!
//! Decompression has a bomb limit: [`InflatingReader::with_limit`] (and the writer's) stop
//! with [`Error::LimitExceeded`](crate::Error::LimitExceeded) once more than `limit` bytes
//! would come out, instead of filling memory or disk. A stream that ends before its
//! end-of-stream marker (or gzip trailer) is an `UnexpectedEof` error, never a short result;
//! corrupt data is [`Error::DataFormat`](crate::Error::DataFormat) with the offset in the
//! compressed input.
//!
//! ```
//! use std::io::{Read, Write};
//! use rpoco_foundation::compression::{DeflatingWriter, InflatingReader, StreamType};
//!
//! let mut w = DeflatingWriter::new(Vec::new(), StreamType::Gzip);
//! w.write_all(b"hello, hello, hello")?;
//! let gz = w.finish()?;
//! let mut text = String::new();
//! InflatingReader::new(&gz[..], StreamType::Gzip).with_limit(1024).read_to_string(&mut text)?;
//! assert_eq!(text, "hello, hello, hello");
//! # Ok::<(), std::io::Error>(())
//! ```

mod deflating;
mod inflating;

pub use deflating::{DeflatingReader, DeflatingWriter};
pub use inflating::{InflatingReader, InflatingWriter};

/// The container format (POCO `InflatingStreamBuf::StreamType` / `DeflatingStreamBuf::StreamType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamType {
    /// zlib (RFC 1950): 2-byte header, Adler-32 trailer (POCO `STREAM_ZLIB`).
    Zlib,
    /// gzip (RFC 1952): header and CRC-32 trailer; concatenated members are read as one
    /// stream, as `gzip -d` does (POCO `STREAM_GZIP`).
    Gzip,
    /// Raw deflate (RFC 1951), no header or trailer (POCO `STREAM_ZIP`).
    Raw,
}

impl StreamType {
    /// The format's name in errors: `"zlib"`, `"gzip"` or `"deflate"`.
    pub fn name(self) -> &'static str {
        match self {
            StreamType::Zlib => "zlib",
            StreamType::Gzip => "gzip",
            StreamType::Raw => "deflate",
        }
    }
}

/// Compression level, 0 (store) to 9 (best); POCO's default is zlib's 6
/// (`Z_DEFAULT_COMPRESSION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level(u32);

impl Level {
    /// zlib's default (6).
    pub const DEFAULT: Level = Level(6);
    /// Fastest (1).
    pub const FAST: Level = Level(1);
    /// Best compression (9).
    pub const BEST: Level = Level(9);

    /// A level from 0 to 9 (larger values are clamped to 9).
    pub fn new(level: u32) -> Self {
        Level(level.min(9))
    }

    pub(crate) fn to_flate2(self) -> flate2::Compression {
        flate2::Compression::new(self.0)
    }
}

impl Default for Level {
    fn default() -> Self {
        Level::DEFAULT
    }
}

/// POCO `InflatingInputStream`.
pub type InflatingInputStream<R> = InflatingReader<R>;
/// POCO `InflatingOutputStream`.
pub type InflatingOutputStream<W> = InflatingWriter<W>;
/// POCO `DeflatingInputStream`.
pub type DeflatingInputStream<R> = DeflatingReader<R>;
/// POCO `DeflatingOutputStream`.
pub type DeflatingOutputStream<W> = DeflatingWriter<W>;

#[cfg(test)]
mod tests;
