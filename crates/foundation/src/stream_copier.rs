//! [`StreamCopier`]: copy everything from a reader to a writer, as POCO's `StreamCopier`.
//!
//! ```
//! use rpoco_foundation::StreamCopier;
//!
//! let mut body: &[u8] = b"<html>...</html>";
//! let mut out = Vec::new();
//! let n = StreamCopier::copy_stream(&mut body, &mut out, StreamCopier::DEFAULT_BUFFER_SIZE)?;
//! assert_eq!(n, 16);
//! assert_eq!(out, b"<html>...</html>");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, ErrorKind, Read, Write};

/// Copies data between [`Read`] and [`Write`] implementations (POCO's `StreamCopier`).
///
/// Differences from POCO, because Rust can say more than an `std::istream` can:
/// byte counts are always `u64` (POCO's `*64` variants), a read or write error is returned
/// instead of silently ending the copy, and `Interrupted` reads are retried. The writer is
/// flushed when the reader reaches end of file, so nothing is left in a buffered writer.
#[derive(Debug, Clone, Copy)]
pub struct StreamCopier;

impl StreamCopier {
    /// POCO's default buffer size for the copy functions: 8192 bytes.
    pub const DEFAULT_BUFFER_SIZE: usize = 8192;

    /// Copies `reader` to `writer` through a buffer of `buffer_size` bytes until end of file;
    /// returns the number of bytes copied.
    ///
    /// A `buffer_size` of 0 is an `InvalidInput` error (POCO asserts it is positive).
    pub fn copy_stream<R, W>(reader: &mut R, writer: &mut W, buffer_size: usize) -> io::Result<u64>
    where
        R: Read + ?Sized,
        W: Write + ?Sized,
    {
        check_buffer_size(buffer_size)?;
        let mut buffer = vec![0u8; buffer_size];
        let mut total = 0u64;
        loop {
            let n = read_retrying(reader, &mut buffer)?;
            if n == 0 {
                writer.flush()?;
                return Ok(total);
            }
            writer.write_all(&buffer[..n])?;
            total += n as u64;
        }
    }

    /// Copies `reader` to `writer` one byte at a time, as POCO's `copyStreamUnbuffered`.
    ///
    /// Useful when the reader must not be read past what the copy consumes at each step; for
    /// bulk data prefer [`copy_stream`](Self::copy_stream).
    pub fn copy_stream_unbuffered<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
    where
        R: Read + ?Sized,
        W: Write + ?Sized,
    {
        let mut byte = [0u8; 1];
        let mut total = 0u64;
        loop {
            if read_retrying(reader, &mut byte)? == 0 {
                writer.flush()?;
                return Ok(total);
            }
            writer.write_all(&byte)?;
            total += 1;
        }
    }

    /// Appends everything from `reader` to `out` (POCO's `copyToString`).
    ///
    /// The data must be UTF-8: if it is not, an `InvalidData` error is returned and `out` is
    /// left as it was (POCO strings are bytes; use [`copy_to_vec`](Self::copy_to_vec) for
    /// binary data).
    pub fn copy_to_string<R>(reader: &mut R, out: &mut String, buffer_size: usize) -> io::Result<u64>
    where
        R: Read + ?Sized,
    {
        let mut bytes = Vec::new();
        let n = Self::copy_to_vec(reader, &mut bytes, buffer_size)?;
        match String::from_utf8(bytes) {
            Ok(text) => {
                out.push_str(&text);
                Ok(n)
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                Err(io::Error::new(ErrorKind::InvalidData, format!("stream is not valid UTF-8 at byte {at}")))
            }
        }
    }

    /// Appends everything from `reader` to `out`; returns the number of bytes appended.
    ///
    /// `buffer_size` is the first reservation in `out`; the data is then read straight into
    /// the vector's spare capacity (one copy instead of two through a separate buffer).
    /// If reading fails, what was read so far stays appended to `out`.
    pub fn copy_to_vec<R>(reader: &mut R, out: &mut Vec<u8>, buffer_size: usize) -> io::Result<u64>
    where
        R: Read + ?Sized,
    {
        check_buffer_size(buffer_size)?;
        out.reserve(buffer_size);
        // `read_to_end` retries `Interrupted` itself.
        reader.read_to_end(out).map(|n| n as u64)
    }
}

fn check_buffer_size(buffer_size: usize) -> io::Result<()> {
    if buffer_size == 0 {
        return Err(io::Error::new(ErrorKind::InvalidInput, "StreamCopier buffer size must not be zero"));
    }
    Ok(())
}

fn read_retrying<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out data in small pieces and is interrupted between them.
    struct Flaky<'a> {
        data: &'a [u8],
        interrupt: bool,
    }

    impl Read for Flaky<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(ErrorKind::Interrupted.into());
            }
            let n = self.data.len().min(buf.len()).min(3);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn copies_everything_and_retries_interrupted_reads() {
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let mut out = Vec::new();
        let n = StreamCopier::copy_stream(&mut Flaky { data: &data, interrupt: false }, &mut out, 7).unwrap();
        assert_eq!(n, 10_000);
        assert_eq!(out, data);
        let mut out = Vec::new();
        let n = StreamCopier::copy_stream_unbuffered(&mut Flaky { data: &data, interrupt: false }, &mut out)
            .unwrap();
        assert_eq!((n, out), (10_000, data));
    }

    #[test]
    fn zero_buffer_is_rejected() {
        let err = StreamCopier::copy_stream(&mut &b"x"[..], &mut Vec::new(), 0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn read_errors_are_returned_not_swallowed() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(ErrorKind::ConnectionReset, "peer reset"))
            }
        }
        let err = StreamCopier::copy_stream(&mut Broken, &mut Vec::new(), 16).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    }

    #[test]
    fn copy_to_string_rejects_invalid_utf8_without_appending() {
        let mut s = String::from("kept");
        let n = StreamCopier::copy_to_string(&mut &b" more"[..], &mut s, 8192).unwrap();
        assert_eq!((n, s.as_str()), (5, "kept more"));
        let err = StreamCopier::copy_to_string(&mut &b"ab\xffcd"[..], &mut s, 8192).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert!(err.to_string().contains("byte 2"));
        assert_eq!(s, "kept more");
    }
}
