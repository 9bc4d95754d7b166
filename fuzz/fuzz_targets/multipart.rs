//! A multipart body a peer controls, read with a boundary taken from the input's first byte
//! (or guessed), at a read size from the second: MultipartReader must end every body with
//! parts or a typed error, never a panic, within its limits.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use rpoco_net::{MultipartLimits, MultipartReader};

struct Chunks<'a>(&'a [u8], usize);

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(self.1).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let [b, step, rest @ ..] = data else { return };
    let boundary = match b % 3 {
        0 => "",
        1 => "b",
        _ => "MIME_boundary_0123",
    };
    let limits = MultipartLimits { max_parts: 64, max_header_bytes: 1024 };
    let Ok(mut r) = MultipartReader::with_limits(Chunks(rest, usize::from(*step).max(1)), boundary, limits)
    else {
        return;
    };
    let mut total = 0usize;
    while let Ok(Some(_header)) = r.next_part() {
        let mut body = Vec::new();
        match r.read_to_end(&mut body) {
            Ok(n) => total += n,
            Err(_) => break,
        }
        assert!(total <= rest.len());
    }
});
