//! The content codings an [`Agent`](super::Agent) decodes (RFC 9110 §8.4): `gzip` and
//! `deflate` always; `br` (RFC 7932, feature `brotli`) and `zstd` (RFC 8878, feature `zstd`)
//! when built in.
//!
//! Every coding keeps the contract of foundation's `InflatingReader`: a bomb limit on the
//! decoded bytes (`rpoco_foundation::Error::LimitExceeded`), corrupt data as
//! `Error::DataFormat` with the offset in the coded input, and a stream that ends before its
//! end marker as `UnexpectedEof`, never a short body.

#[cfg(any(feature = "brotli", feature = "zstd"))]
use std::io::{self, BufRead, Read};

#[cfg(any(feature = "brotli", feature = "zstd"))]
use rpoco_foundation::Error as FoundationError;
use rpoco_foundation::compression::StreamType;

/// A `Content-Encoding` the agent can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Coding {
    Gzip,
    /// zlib as RFC 9110 §8.4.1.2 defines it, or raw deflate as some servers send it (told
    /// apart by the zlib header, as curl and browsers do).
    Deflate,
    #[cfg(feature = "brotli")]
    Brotli,
    #[cfg(feature = "zstd")]
    Zstd,
}

/// The `Accept-Encoding` sent when the agent decodes: every coding built in.
pub(super) const ACCEPT_ENCODING: &str = if cfg!(all(feature = "brotli", feature = "zstd")) {
    "gzip, deflate, br, zstd"
} else if cfg!(feature = "brotli") {
    "gzip, deflate, br"
} else if cfg!(feature = "zstd") {
    "gzip, deflate, zstd"
} else {
    "gzip, deflate"
};

impl Coding {
    /// The coding a `Content-Encoding` value names, if it is one coding the agent decodes (a
    /// list of several codings, or an unknown one, is left to the caller as it came).
    pub(super) fn from_header(value: &str) -> Option<Coding> {
        let v = value.trim();
        let is = |name: &str| v.eq_ignore_ascii_case(name);
        if is("gzip") || is("x-gzip") {
            return Some(Coding::Gzip);
        }
        if is("deflate") {
            return Some(Coding::Deflate);
        }
        #[cfg(feature = "brotli")]
        if is("br") {
            return Some(Coding::Brotli);
        }
        #[cfg(feature = "zstd")]
        if is("zstd") {
            return Some(Coding::Zstd);
        }
        None
    }
}

/// Whether `head` starts a zlib stream (RFC 1950 §2.2: method 8, window ≤ 32 KiB, and the
/// header check bits); otherwise a `deflate` body is taken as raw deflate.
pub(super) fn is_zlib_header(head: &[u8]) -> bool {
    match head {
        [cmf, flg, ..] => {
            cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
        }
        // One byte so far: zlib, the coding RFC 9110 names.
        _ => true,
    }
}

/// The flate stream type for a `deflate` body starting with `head`.
pub(super) fn deflate_stream_type(head: &[u8]) -> StreamType {
    if is_zlib_header(head) { StreamType::Zlib } else { StreamType::Raw }
}

/// One brotli or zstd decoder, step by step (sans-IO).
#[cfg(any(feature = "brotli", feature = "zstd"))]
enum Engine {
    #[cfg(feature = "brotli")]
    Brotli(Box<brotli::State>),
    #[cfg(feature = "zstd")]
    Zstd(Box<zstd::stream::raw::Decoder<'static>>),
}

#[cfg(any(feature = "brotli", feature = "zstd"))]
struct Step {
    consumed: usize,
    produced: usize,
    /// The coded stream reached its end marker (zstd: a frame boundary).
    ended: bool,
}

#[cfg(feature = "brotli")]
mod brotli {
    use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};

    pub(super) type State = BrotliState<StandardAlloc, StandardAlloc, StandardAlloc>;

    /// A decoder limited to RFC 7932's window (16 MiB): `new_strict` refuses the
    /// large-window extension, whose 1 GiB window a hostile server could make us allocate.
    pub(super) fn state() -> State {
        BrotliState::new_strict(StandardAlloc::default(), StandardAlloc::default(), StandardAlloc::default())
    }

    /// Decodes from `input` into `out`: (consumed, produced, ended), or the decoder's error.
    pub(super) fn step(s: &mut State, input: &[u8], out: &mut [u8]) -> Result<(usize, usize, bool), String> {
        let (mut avail_in, mut in_off) = (input.len(), 0);
        let (mut avail_out, mut out_off, mut total) = (out.len(), 0, 0);
        let r = BrotliDecompressStream(
            &mut avail_in,
            &mut in_off,
            input,
            &mut avail_out,
            &mut out_off,
            out,
            &mut total,
            s,
        );
        match r {
            BrotliResult::ResultFailure => {
                Err(format!("corrupt br stream (decoder error {:?})", s.error_code))
            }
            r => Ok((in_off, out_off, matches!(r, BrotliResult::ResultSuccess))),
        }
    }
}

#[cfg(any(feature = "brotli", feature = "zstd"))]
impl Engine {
    fn new(coding: Coding) -> io::Result<Engine> {
        match coding {
            #[cfg(feature = "brotli")]
            Coding::Brotli => Ok(Engine::Brotli(Box::new(brotli::state()))),
            #[cfg(feature = "zstd")]
            Coding::Zstd => {
                let mut d = zstd::stream::raw::Decoder::new()?;
                // RFC 9659 §3: an HTTP zstd decoder need not accept windows over 8 MiB, and
                // refusing them bounds what one response can make us allocate.
                d.set_parameter(zstd::stream::raw::DParameter::WindowLogMax(23))?;
                Ok(Engine::Zstd(Box::new(d)))
            }
            Coding::Gzip | Coding::Deflate => {
                Err(io::Error::other("gzip and deflate are decoded by InflatingReader"))
            }
        }
    }

    fn name(&self) -> &'static str {
        match self {
            #[cfg(feature = "brotli")]
            Engine::Brotli(_) => "br",
            #[cfg(feature = "zstd")]
            Engine::Zstd(_) => "zstd",
        }
    }

    /// brotli has one stream per body; zstd bodies may hold several frames.
    fn ends_once(&self) -> bool {
        match self {
            #[cfg(feature = "brotli")]
            Engine::Brotli(_) => true,
            #[cfg(feature = "zstd")]
            Engine::Zstd(_) => false,
        }
    }

    fn step(&mut self, input: &[u8], out: &mut [u8]) -> Result<Step, String> {
        match self {
            #[cfg(feature = "brotli")]
            Engine::Brotli(s) => {
                let (consumed, produced, ended) = brotli::step(s, input, out)?;
                Ok(Step { consumed, produced, ended })
            }
            #[cfg(feature = "zstd")]
            Engine::Zstd(d) => {
                use zstd::stream::raw::Operation;
                let s = d.run_on_buffers(input, out).map_err(|e| format!("corrupt zstd stream: {e}"))?;
                // 0 left: a frame is decoded and flushed (more frames may follow).
                let ended = s.remaining == 0 && s.bytes_written < out.len();
                Ok(Step { consumed: s.bytes_read, produced: s.bytes_written, ended })
            }
        }
    }
}

/// Decodes a brotli or zstd body read from `src`, with the agent's bomb limit.
#[cfg(any(feature = "brotli", feature = "zstd"))]
pub(super) struct Decoder<R> {
    src: R,
    engine: Engine,
    limit: u64,
    produced: u64,
    consumed: u64,
    /// At a frame boundary: brotli's end, or zstd between frames.
    at_end: bool,
    done: bool,
}

#[cfg(any(feature = "brotli", feature = "zstd"))]
impl<R: BufRead> Decoder<R> {
    pub(super) fn new(src: R, coding: Coding, limit: u64) -> io::Result<Self> {
        let engine = Engine::new(coding)?;
        Ok(Decoder { src, engine, limit, produced: 0, consumed: 0, at_end: false, done: false })
    }

    /// The coded source (after the end of the coded stream, what follows it).
    pub(super) fn get_mut(&mut self) -> &mut R {
        &mut self.src
    }

    fn corrupt(&self, message: String) -> io::Error {
        FoundationError::DataFormat { format: self.engine.name(), offset: self.consumed, message }.into()
    }
}

#[cfg(any(feature = "brotli", feature = "zstd"))]
impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.done {
            return Ok(0);
        }
        loop {
            if self.at_end && self.engine.ends_once() {
                // What follows a brotli stream belongs to the transfer, not to the body.
                self.done = true;
                return Ok(0);
            }
            let input = self.src.fill_buf()?;
            let eof = input.is_empty();
            if eof && self.at_end {
                self.done = true;
                return Ok(0);
            }
            // One byte more than allowed shows whether the stream goes past the limit.
            let left = self.limit.saturating_sub(self.produced).saturating_add(1);
            let room = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let step = self.engine.step(input, &mut buf[..room]).map_err(|m| self.corrupt(m))?;
            self.src.consume(step.consumed);
            self.consumed += step.consumed as u64;
            self.produced += step.produced as u64;
            if self.produced > self.limit {
                let (limit, name) = (self.limit, self.engine.name());
                return Err(FoundationError::LimitExceeded {
                    what: "decompressed data",
                    limit,
                    message: format!("{name} stream decodes to more than {limit} bytes"),
                }
                .into());
            }
            if step.ended {
                self.at_end = true;
            } else if step.consumed > 0 || step.produced > 0 {
                self.at_end = false;
            }
            if step.produced > 0 {
                return Ok(step.produced);
            }
            if eof && !self.at_end {
                // Nothing decoded from no input, and no end marker seen: cut short.
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{} stream ends before its end marker (truncated)", self.engine.name()),
                ));
            }
            if !eof && step.consumed == 0 {
                return Err(self.corrupt("decoder made no progress".to_owned()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zlib_headers_are_told_from_raw_deflate() {
        // zlib at levels 1, 6 and 9 (78 01, 78 9c, 78 da), and a 4 KiB window (48 ..).
        for head in [[0x78, 0x01], [0x78, 0x9c], [0x78, 0xda], [0x48, 0x0d]] {
            assert!(is_zlib_header(&head), "{head:02x?}");
        }
        // Raw deflate: a final fixed-Huffman block (0x4b ...) and a stored block (0x01 ...).
        for head in [[0x4b, 0x4c], [0x01, 0x05], [0xcb, 0x48], [0x78, 0x9d]] {
            assert!(!is_zlib_header(&head), "{head:02x?}");
        }
        assert_eq!(deflate_stream_type(&[0x78, 0x9c, 0]), StreamType::Zlib);
        assert_eq!(deflate_stream_type(&[0xcb, 0x48]), StreamType::Raw);
    }

    #[test]
    fn content_encoding_values() {
        assert_eq!(Coding::from_header(" GZIP "), Some(Coding::Gzip));
        assert_eq!(Coding::from_header("x-gzip"), Some(Coding::Gzip));
        assert_eq!(Coding::from_header("deflate"), Some(Coding::Deflate));
        assert_eq!(Coding::from_header("gzip, deflate"), None, "two codings: left as sent");
        assert_eq!(Coding::from_header("compress"), None);
        #[cfg(feature = "brotli")]
        assert_eq!(Coding::from_header("br"), Some(Coding::Brotli));
        #[cfg(feature = "zstd")]
        assert_eq!(Coding::from_header("zstd"), Some(Coding::Zstd));
        for coding in ACCEPT_ENCODING.split(", ") {
            assert!(Coding::from_header(coding).is_some(), "{coding} is offered and decoded");
        }
    }
}
