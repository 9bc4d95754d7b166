//! Large test payloads without large buffers: [`Payload`] reads deterministic bytes,
//! [`PayloadCheck`] compares what is written to it against the same bytes, and
//! [`check_file`] / [`write_payload`] do the same for files. Byte `i` is a function of `i`
//! alone (splitmix64 of `i / 8`), so any range, such as the rest of a resumed download, is
//! as cheap as the start, and no shift or repetition of the data lines up with itself.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

fn block(index: u64) -> [u8; 8] {
    let mut z = index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)).to_le_bytes()
}

/// Fills `out` with the payload's bytes from `offset` on.
pub fn fill_payload(offset: u64, out: &mut [u8]) {
    let mut at = offset;
    let mut done = 0;
    while done < out.len() {
        let skip = (at % 8) as usize;
        let n = (8 - skip).min(out.len() - done);
        out[done..done + n].copy_from_slice(&block(at / 8)[skip..skip + n]);
        done += n;
        at += n as u64;
    }
}

/// `len` payload bytes in memory (for small payloads; [`Payload`] streams large ones).
pub fn test_payload(len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    fill_payload(0, &mut out);
    out
}

/// A reader of payload bytes `start..end`.
#[derive(Debug, Clone)]
pub struct Payload {
    at: u64,
    end: u64,
}

impl Payload {
    /// The first `len` bytes.
    pub fn new(len: u64) -> Self {
        Payload { at: 0, end: len }
    }

    /// Bytes `start..end`.
    pub fn range(start: u64, end: u64) -> Self {
        Payload { at: start, end: end.max(start) }
    }
}

impl Read for Payload {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(usize::try_from(self.end - self.at).unwrap_or(usize::MAX));
        fill_payload(self.at, &mut buf[..n]);
        self.at += n as u64;
        Ok(n)
    }
}

/// A writer that checks that what it receives is payload bytes `0..len`, in order.
#[derive(Debug)]
pub struct PayloadCheck {
    at: u64,
    len: u64,
    first_difference: Option<u64>,
    scratch: Vec<u8>,
}

impl PayloadCheck {
    /// Expects the first `len` payload bytes.
    pub fn new(len: u64) -> Self {
        Self::from_offset(0, len)
    }

    /// Expects payload bytes `offset..len` (the rest of a cut transfer).
    pub fn from_offset(offset: u64, len: u64) -> Self {
        PayloadCheck { at: offset, len, first_difference: None, scratch: Vec::new() }
    }

    /// How many bytes have arrived, counting from offset 0.
    pub fn position(&self) -> u64 {
        self.at
    }

    /// `Ok(total)` when exactly the expected bytes arrived; else says where they differ.
    pub fn finish(&self) -> Result<u64, String> {
        if let Some(at) = self.first_difference {
            return Err(format!("the bytes differ from byte {at} on"));
        }
        if self.at != self.len {
            return Err(format!("{} bytes instead of {}", self.at, self.len));
        }
        Ok(self.at)
    }
}

impl Write for PayloadCheck {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.first_difference.is_none() {
            self.scratch.resize(buf.len(), 0);
            fill_payload(self.at, &mut self.scratch);
            if let Some(i) = buf.iter().zip(&self.scratch).position(|(a, b)| a != b) {
                self.first_difference = Some(self.at + i as u64);
            }
        }
        self.at += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Checks that the file at `path` holds exactly the first `len` payload bytes.
pub fn check_file(path: &Path, len: u64) -> Result<(), String> {
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut check = PayloadCheck::new(len);
    copy_big(&mut file, &mut check).map_err(|e| format!("{}: {e}", path.display()))?;
    check.finish().map(drop).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes the first `len` payload bytes to a new file at `path`.
pub fn write_payload(path: &Path, len: u64) -> io::Result<()> {
    copy_big(&mut Payload::new(len), &mut File::create(path)?).map(drop)
}

/// A transfer of `len` payload bytes both ways with `client`: `upload` sends a [`Payload`]
/// (returning the byte count it reports), the server's copy at `stored` is checked, then
/// `download` fetches it into a [`PayloadCheck`]. The first problem is the error.
pub fn round_trip<C, E: std::fmt::Display>(
    client: &mut C,
    len: u64,
    stored: &Path,
    upload: impl FnOnce(&mut C, &mut dyn Read) -> Result<u64, E>,
    download: impl FnOnce(&mut C, &mut dyn Write) -> Result<u64, E>,
) -> Result<(), String> {
    let sent = upload(client, &mut Payload::new(len)).map_err(|e| format!("upload: {e}"))?;
    if sent != len {
        return Err(format!("upload reported {sent} bytes instead of {len}"));
    }
    check_file(stored, len).map_err(|e| format!("upload: {e}"))?;
    let mut check = PayloadCheck::new(len);
    let got = download(client, &mut check).map_err(|e| format!("download: {e}"))?;
    check.finish().map_err(|e| format!("download: {e}"))?;
    if got != len {
        return Err(format!("download reported {got} bytes instead of {len}"));
    }
    Ok(())
}

/// `io::copy` with a 256 KiB buffer (fewer calls than its 8 KiB one in debug builds).
fn copy_big(from: &mut dyn Read, to: &mut dyn Write) -> io::Result<u64> {
    let mut buf = vec![0; 256 * 1024];
    let mut total = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        total += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_checks_and_differences() {
        let all = test_payload(1000);
        let mut part = Vec::new();
        Payload::range(13, 500).read_to_end(&mut part).unwrap();
        assert_eq!(part, all[13..500]);
        let mut check = PayloadCheck::new(1000);
        check.write_all(&all[..333]).unwrap();
        check.write_all(&all[333..]).unwrap();
        assert_eq!(check.finish(), Ok(1000));
        let mut wrong = all.clone();
        wrong[700] ^= 1;
        let mut check = PayloadCheck::new(1000);
        check.write_all(&wrong).unwrap();
        assert!(check.finish().unwrap_err().contains("700"));
        let mut short = PayloadCheck::new(1000);
        short.write_all(&all[..999]).unwrap();
        assert!(short.finish().is_err());
        // Shifted data does not match.
        let mut shifted = PayloadCheck::new(999);
        shifted.write_all(&all[1..]).unwrap();
        assert!(shifted.finish().is_err());
    }
}
