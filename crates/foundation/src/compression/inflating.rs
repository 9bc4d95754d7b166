//! [`InflatingReader`] and [`InflatingWriter`]: decompress what is read or written, with a
//! limit on the output.

use std::io::{self, BufRead, BufReader, Read, Write};

use flate2::{Decompress, FlushDecompress, Status};

use super::StreamType;
use crate::error::Error;

/// One decompressor step by step (sans-IO): bytes in, bytes out, with the output limit.
struct Core {
    d: Decompress,
    kind: StreamType,
    limit: Option<u64>,
    produced: u64,
    /// Compressed bytes consumed by earlier gzip members (for error offsets).
    base_in: u64,
    ended: bool,
}

struct Step {
    consumed: usize,
    produced: usize,
}

impl Core {
    fn new(kind: StreamType) -> Self {
        Core { d: decompressor(kind), kind, limit: None, produced: 0, base_in: 0, ended: false }
    }

    fn offset(&self) -> u64 {
        self.base_in + self.d.total_in()
    }

    /// Starts the next gzip member after the end of one (RFC 1952 §2.2: a file is a series of
    /// members); other formats end for good.
    fn next_member(&mut self, next: &[u8]) -> io::Result<bool> {
        if self.kind != StreamType::Gzip {
            return Ok(false);
        }
        if next[0] != 0x1f {
            return Err(
                Error::data_format("gzip", self.offset(), "data after the end of the gzip stream").into()
            );
        }
        self.base_in += self.d.total_in();
        self.d = decompressor(self.kind);
        self.ended = false;
        Ok(true)
    }

    /// Decompresses from `input` into `out`; `eof` says no more input will come.
    fn step(&mut self, input: &[u8], out: &mut [u8], eof: bool) -> io::Result<Step> {
        let room = match self.limit {
            // One byte more than allowed shows whether the stream goes past the limit.
            Some(l) => out.len().min(
                usize::try_from(l.saturating_sub(self.produced)).unwrap_or(usize::MAX).saturating_add(1),
            ),
            None => out.len(),
        };
        let (in0, out0) = (self.d.total_in(), self.d.total_out());
        let flush = if eof { FlushDecompress::Finish } else { FlushDecompress::None };
        let status = self.d.decompress(input, &mut out[..room], flush).map_err(|e| {
            Error::data_format(
                self.kind.name(),
                self.offset(),
                format!("corrupt {} stream: {e}", self.kind.name()),
            )
        })?;
        let step = Step {
            consumed: (self.d.total_in() - in0) as usize,
            produced: (self.d.total_out() - out0) as usize,
        };
        self.produced += step.produced as u64;
        if let Some(limit) = self.limit
            && self.produced > limit
        {
            return Err(Error::LimitExceeded {
                what: "decompressed data",
                limit,
                message: format!("{} stream inflates to more than {limit} bytes", self.kind.name()),
            }
            .into());
        }
        if status == Status::StreamEnd {
            self.ended = true;
        } else if eof && step.produced == 0 && (step.consumed == 0 || input.len() == step.consumed) {
            return Err(truncated(self.kind));
        } else if step.consumed == 0 && step.produced == 0 && !input.is_empty() && room > 0 {
            return Err(
                Error::data_format(self.kind.name(), self.offset(), "decompressor made no progress").into()
            );
        }
        Ok(step)
    }
}

fn decompressor(kind: StreamType) -> Decompress {
    match kind {
        StreamType::Zlib => Decompress::new(true),
        StreamType::Raw => Decompress::new(false),
        StreamType::Gzip => Decompress::new_gzip(15),
    }
}

fn truncated(kind: StreamType) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("{} stream ends before its end marker (truncated)", kind.name()),
    )
}

/// Decompresses what it reads from the inner reader (POCO `InflatingInputStream`).
///
/// Reads return 0 only at the real end of the compressed stream; input that stops before it
/// is an `UnexpectedEof` error. Bytes after a zlib or raw stream stay in the inner reader
/// ([`into_inner`](Self::into_inner)); after a gzip member another member may follow.
pub struct InflatingReader<R> {
    src: R,
    core: Core,
}

impl<R> std::fmt::Debug for InflatingReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InflatingReader")
            .field("kind", &self.core.kind)
            .field("limit", &self.core.limit)
            .field("produced", &self.core.produced)
            .finish_non_exhaustive()
    }
}

impl<R: Read> InflatingReader<BufReader<R>> {
    /// A reader decompressing `inner` (buffered here; use
    /// [`from_buf_read`](InflatingReader::from_buf_read) for a reader that already is).
    pub fn new(inner: R, kind: StreamType) -> Self {
        InflatingReader::from_buf_read(BufReader::with_capacity(32 * 1024, inner), kind)
    }
}

impl<R: BufRead> InflatingReader<R> {
    /// A reader decompressing a buffered reader, consuming only the compressed bytes.
    pub fn from_buf_read(inner: R, kind: StreamType) -> Self {
        InflatingReader { src: inner, core: Core::new(kind) }
    }

    /// Stops with [`Error::LimitExceeded`] when more than `limit` decompressed bytes would be
    /// produced (the decompression-bomb limit).
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.core.limit = Some(limit);
        self
    }

    /// Decompressed bytes produced so far.
    pub fn total_out(&self) -> u64 {
        self.core.produced
    }

    /// The inner reader, mutably (bytes after the compressed stream can be read from it
    /// once the stream has ended).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.src
    }

    /// The inner reader (positioned after the compressed stream once it has ended).
    pub fn into_inner(self) -> R {
        self.src
    }
}

impl<R: BufRead> Read for InflatingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.core.ended {
                let next = self.src.fill_buf()?;
                if next.is_empty() || !self.core.next_member(next)? {
                    return Ok(0);
                }
            }
            let input = self.src.fill_buf()?;
            let eof = input.is_empty();
            let step = self.core.step(input, buf, eof)?;
            self.src.consume(step.consumed);
            if step.produced > 0 {
                return Ok(step.produced);
            }
        }
    }
}

/// Decompresses what is written to it into the inner writer (POCO `InflatingOutputStream`).
///
/// [`finish`](Self::finish) checks the stream was complete and returns the writer.
pub struct InflatingWriter<W: Write> {
    dst: W,
    core: Core,
    buf: Box<[u8]>,
}

impl<W: Write> std::fmt::Debug for InflatingWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InflatingWriter").field("kind", &self.core.kind).finish_non_exhaustive()
    }
}

impl<W: Write> InflatingWriter<W> {
    /// A writer decompressing into `inner`.
    pub fn new(inner: W, kind: StreamType) -> Self {
        InflatingWriter { dst: inner, core: Core::new(kind), buf: vec![0; 32 * 1024].into_boxed_slice() }
    }

    /// The decompression-bomb limit, as [`InflatingReader::with_limit`].
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.core.limit = Some(limit);
        self
    }

    /// Decompressed bytes written so far.
    pub fn total_out(&self) -> u64 {
        self.core.produced
    }

    fn feed(&mut self, mut input: &[u8], eof: bool) -> io::Result<()> {
        loop {
            if self.core.ended {
                if input.is_empty() {
                    return Ok(());
                }
                if !self.core.next_member(input)? {
                    return Err(Error::data_format(
                        self.core.kind.name(),
                        self.core.offset(),
                        format!("data after the end of the {} stream", self.core.kind.name()),
                    )
                    .into());
                }
            }
            let step = self.core.step(input, &mut self.buf, eof)?;
            self.dst.write_all(&self.buf[..step.produced])?;
            input = &input[step.consumed..];
            if step.produced < self.buf.len() && input.is_empty() && !eof {
                return Ok(());
            }
            if eof && self.core.ended {
                return Ok(());
            }
        }
    }

    /// Ends the input: an incomplete stream is an `UnexpectedEof` error. Returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.core.ended {
            self.feed(&[], true)?;
        }
        self.dst.flush()?;
        Ok(self.dst)
    }
}

impl<W: Write> Write for InflatingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.feed(buf, false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.dst.flush()
    }
}
