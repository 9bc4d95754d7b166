//! [`DeflatingWriter`] and [`DeflatingReader`]: compress what is written or read.

use std::io::{self, Read, Write};

use flate2::{read, write};

use super::{Level, StreamType};

enum WriteInner<W: Write> {
    Zlib(write::ZlibEncoder<W>),
    Gzip(write::GzEncoder<W>),
    Raw(write::DeflateEncoder<W>),
}

/// Compresses what is written to it into the inner writer (POCO `DeflatingOutputStream`).
///
/// Call [`finish`](Self::finish) to write the end of the stream and get the writer back
/// (POCO `close()`); dropping it also finishes the stream but loses any error.
pub struct DeflatingWriter<W: Write> {
    inner: WriteInner<W>,
}

impl<W: Write> std::fmt::Debug for DeflatingWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeflatingWriter").finish_non_exhaustive()
    }
}

impl<W: Write> DeflatingWriter<W> {
    /// A writer compressing into `inner` at the default level.
    pub fn new(inner: W, kind: StreamType) -> Self {
        Self::with_level(inner, kind, Level::DEFAULT)
    }

    /// A writer compressing at `level`.
    pub fn with_level(inner: W, kind: StreamType, level: Level) -> Self {
        let l = level.to_flate2();
        let inner = match kind {
            StreamType::Zlib => WriteInner::Zlib(write::ZlibEncoder::new(inner, l)),
            StreamType::Gzip => WriteInner::Gzip(write::GzEncoder::new(inner, l)),
            StreamType::Raw => WriteInner::Raw(write::DeflateEncoder::new(inner, l)),
        };
        DeflatingWriter { inner }
    }

    /// Writes the rest of the compressed stream (and trailer) and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        match self.inner {
            WriteInner::Zlib(e) => e.finish(),
            WriteInner::Gzip(e) => e.finish(),
            WriteInner::Raw(e) => e.finish(),
        }
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        match &self.inner {
            WriteInner::Zlib(e) => e.get_ref(),
            WriteInner::Gzip(e) => e.get_ref(),
            WriteInner::Raw(e) => e.get_ref(),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.inner {
            WriteInner::Zlib(e) => e,
            WriteInner::Gzip(e) => e,
            WriteInner::Raw(e) => e,
        }
    }
}

impl<W: Write> Write for DeflatingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }

    /// Flushes with a zlib sync flush, so everything written so far can be decompressed.
    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}

enum ReadInner<R: Read> {
    Zlib(read::ZlibEncoder<R>),
    Gzip(read::GzEncoder<R>),
    Raw(read::DeflateEncoder<R>),
}

/// Reads the compressed form of what the inner reader yields (POCO `DeflatingInputStream`).
pub struct DeflatingReader<R: Read> {
    inner: ReadInner<R>,
}

impl<R: Read> std::fmt::Debug for DeflatingReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeflatingReader").finish_non_exhaustive()
    }
}

impl<R: Read> DeflatingReader<R> {
    /// A reader compressing `inner` at the default level.
    pub fn new(inner: R, kind: StreamType) -> Self {
        Self::with_level(inner, kind, Level::DEFAULT)
    }

    /// A reader compressing at `level`.
    pub fn with_level(inner: R, kind: StreamType, level: Level) -> Self {
        let l = level.to_flate2();
        let inner = match kind {
            StreamType::Zlib => ReadInner::Zlib(read::ZlibEncoder::new(inner, l)),
            StreamType::Gzip => ReadInner::Gzip(read::GzEncoder::new(inner, l)),
            StreamType::Raw => ReadInner::Raw(read::DeflateEncoder::new(inner, l)),
        };
        DeflatingReader { inner }
    }
}

impl<R: Read> Read for DeflatingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            ReadInner::Zlib(e) => e.read(buf),
            ReadInner::Gzip(e) => e.read(buf),
            ReadInner::Raw(e) => e.read(buf),
        }
    }
}
