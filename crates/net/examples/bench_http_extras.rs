//! Throughput of issue 16's stream adapters for `cargo xtask bench http-extras`, which runs it
//! beside the `gzip` CLI, Python's `zlib` and the C++ POCO peer (`xtask/peers/poco_http_extras.cpp`)
//! over the same files. Run it directly with
//! `cargo run --release -p rpoco-net --example bench_http_extras -- DATA GZ MULTIPART BOUNDARY SECONDS`.
//!
//! Every input is read into memory first, so only the codec or parser is timed. Output lines:
//! `<what> <bytes> <seconds>`, where bytes are uncompressed bytes for `deflate` and `inflate`
//! and body bytes for `multipart`.

use std::hint::black_box;
use std::io::{Read, Write};
use std::time::Instant;

use rpoco_foundation::compression::{DeflatingWriter, InflatingReader, Level, StreamType};
use rpoco_net::MultipartReader;

/// Runs `pass` (which handles `bytes` bytes) until `seconds` have passed, after one warm-up.
fn measure(what: &str, bytes: usize, seconds: f64, mut pass: impl FnMut()) {
    pass();
    let start = Instant::now();
    let mut total = 0usize;
    let mut elapsed = 0.0;
    while elapsed < seconds {
        pass();
        total += bytes;
        elapsed = start.elapsed().as_secs_f64();
    }
    println!("{what} {total} {elapsed:.6}");
}

/// A `Write` that only counts, as POCO's `NullOutputStream` only discards.
struct Sink(usize);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, gz, multipart, boundary, seconds] = args.as_slice() else {
        eprintln!("usage: bench_http_extras DATA GZ MULTIPART BOUNDARY SECONDS");
        std::process::exit(2);
    };
    let seconds: f64 = seconds.parse().expect("SECONDS");
    let (data, gz, body) = (read(data), read(gz), read(multipart));
    let mut chunk = vec![0u8; 64 * 1024];

    measure("deflate", data.len(), seconds, || {
        let mut w = DeflatingWriter::with_level(Sink(0), StreamType::Gzip, Level::DEFAULT);
        w.write_all(black_box(&data)).expect("deflate");
        black_box(w.finish().expect("deflate").0);
    });
    let mut out = 0;
    measure("inflate", data.len(), seconds, || {
        let mut r = InflatingReader::new(black_box(&gz[..]), StreamType::Gzip);
        out = 0;
        loop {
            match r.read(&mut chunk).expect("inflate") {
                0 => break,
                n => out += n,
            }
        }
        assert_eq!(out, data.len(), "inflated size");
    });
    measure("multipart", body.len(), seconds, || {
        let mut r = MultipartReader::new(black_box(&body[..]), boundary).expect("boundary");
        let mut content = 0;
        while r.next_part().expect("part").is_some() {
            loop {
                match r.read(&mut chunk).expect("content") {
                    0 => break,
                    n => content += n,
                }
            }
        }
        black_box(content);
    });
}
