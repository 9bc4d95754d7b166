//! [`MultipartWriter`]: writes a multipart body part by part.

use std::io::{self, Write};

use crate::error::Result;
use crate::http::message::MessageHeader;

/// POCO `MultipartWriter`: [`next_part`](Self::next_part) writes a delimiter and the part's
/// header, the part's content is written to the writer itself, [`close`](Self::close) writes
/// the close delimiter.
#[derive(Debug)]
pub struct MultipartWriter<W: Write> {
    inner: W,
    boundary: String,
    first: bool,
}

impl<W: Write> MultipartWriter<W> {
    /// A writer using `boundary` (put the same one in the `Content-Type`).
    pub fn new(inner: W, boundary: &str) -> Self {
        MultipartWriter { inner, boundary: boundary.to_owned(), first: true }
    }

    /// A writer with a fresh random boundary ([`create_boundary`](Self::create_boundary)).
    pub fn with_random_boundary(inner: W) -> Self {
        Self::new(inner, &Self::create_boundary())
    }

    /// POCO `createBoundary`: `MIME_boundary_` and 16 random hex digits.
    pub fn create_boundary() -> String {
        format!("MIME_boundary_{}", crate::http::random_hex(8).to_ascii_uppercase())
    }

    /// The boundary.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// Starts a part with `header`.
    pub fn next_part(&mut self, header: &MessageHeader) -> Result<()> {
        let mut head = Vec::with_capacity(128);
        if !self.first {
            head.extend_from_slice(b"\r\n");
        }
        self.first = false;
        head.extend_from_slice(b"--");
        head.extend_from_slice(self.boundary.as_bytes());
        head.extend_from_slice(b"\r\n");
        header.write_to_vec(&mut head);
        head.extend_from_slice(b"\r\n");
        self.inner.write_all(&head)?;
        Ok(())
    }

    /// Writes the close delimiter, flushes and returns the inner writer.
    pub fn close(mut self) -> Result<W> {
        let close = format!("{}--{}--\r\n", if self.first { "" } else { "\r\n" }, self.boundary);
        self.inner.write_all(close.as_bytes())?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    /// The bytes [`next_part`](Self::next_part) writes for `header` (for computing a
    /// `Content-Length` before writing).
    pub fn part_overhead(&self, header: &MessageHeader, first: bool) -> u64 {
        let mut v = Vec::new();
        header.write_to_vec(&mut v);
        (if first { 0 } else { 2 }) + 2 + self.boundary.len() as u64 + 2 + v.len() as u64 + 2
    }

    /// The bytes [`close`](Self::close) writes.
    pub fn close_overhead(&self, any_part: bool) -> u64 {
        (if any_part { 2 } else { 0 }) + 2 + self.boundary.len() as u64 + 4
    }
}

impl<W: Write> Write for MultipartWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
