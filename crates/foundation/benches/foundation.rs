//! rpoco-foundation benchmarks, each beside a peer measured in the same run:
//!
//! - `uri_parse/*`: `Uri::parse` and `url::Url::parse` on the same fixed mix of realistic URIs,
//! - `uri_resolve/*`: `Uri::resolve_from` and `url::Url::join` of the same references,
//! - `uri_to_string/*`: `Uri`'s `Display` (re-encoding the decoded path) and `Url::to_string`,
//! - `stream_copier/*`: `StreamCopier::copy_stream` (POCO's 8192-byte buffer) and
//!   `std::io::copy`, 64 MiB from a plain `Read` to a sink and to a `Vec`.
//!
//! `cargo xtask bench foundation` runs this and prints the ratios.

use std::hint::black_box;
use std::io;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rpoco_foundation::{StreamCopier, Uri};

/// A fixed mix of realistic URIs, all absolute so that `url` parses every one of them too.
const URIS: &[&str] = &[
    "https://www.example.com/",
    "http://www.appinf.com/search.cgi?keyword=test%20encoded&scope=all#result",
    "https://user:secret@api.example.org:8443/v1/items/42?expand=owner&fields=id,name",
    "https://en.wikipedia.org/wiki/Uniform_Resource_Identifier#Syntax",
    "http://[2001:db8::7]:8080/c=GB?objectClass?one",
    "https://github.com/pocoproject/poco/blob/main/Foundation/src/URI.cpp#L120",
    "ftp://anonymous@ftp.example.com/pub/README.txt",
    "https://maps.example.com/maps?q=52.5200,13.4050&z=12&hl=en",
    "http://127.0.0.1:8080/health",
    "https://cdn.example.net/assets/js/app.min.js?v=3.14.159",
    "wss://stream.example.com/socket?token=abc123def456",
    "https://www.example.com/a/b/c/../d/./e.html",
    "http://example.com/path%20with%20spaces/file%2Bname.txt",
    "https://shop.example.com/cart?item=1&item=2&coupon=SAVE%2010",
    "mailto:John.Doe@example.com",
    "file:///var/www/site/index.html",
    "https://login.example.com/oauth2/authorize?response_type=code&client_id=s6BhdRkqt3&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&scope=openid%20profile&state=af0ifjsldkj",
    "http://localhost:3000/api/users?page=2&per_page=50#top",
    "https://www.Example.co.uk:443/index.html?lang=en-GB",
    "urn:isbn:0451450523",
];

const BASE: &str = "https://www.example.com/docs/guide/intro.html?x=1";

/// References resolved against [`BASE`].
const REFERENCES: &[&str] = &[
    "chapter2.html",
    "../api/index.html",
    "/search?q=rust",
    "#section-3",
    "//cdn.example.net/lib.js",
    "?page=2",
    "./img/logo.png",
    "../../",
    "https://other.example.org/",
    "g;x?y#s",
];

fn uri(c: &mut Criterion) {
    let mut group = c.benchmark_group("uri_parse");
    group.throughput(Throughput::Elements(URIS.len() as u64));
    group.bench_function("rpoco", |b| {
        b.iter(|| {
            for s in URIS {
                black_box(Uri::parse(black_box(s)).unwrap());
            }
        })
    });
    group.bench_function("url", |b| {
        b.iter(|| {
            for s in URIS {
                black_box(url::Url::parse(black_box(s)).unwrap());
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("uri_resolve");
    group.throughput(Throughput::Elements(REFERENCES.len() as u64));
    let base = Uri::parse(BASE).unwrap();
    group.bench_function("rpoco", |b| {
        b.iter(|| {
            for r in REFERENCES {
                black_box(Uri::resolve_from(&base, black_box(r)).unwrap());
            }
        })
    });
    let base_url = url::Url::parse(BASE).unwrap();
    group.bench_function("url", |b| {
        b.iter(|| {
            for r in REFERENCES {
                black_box(base_url.join(black_box(r)).unwrap());
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("uri_to_string");
    group.throughput(Throughput::Elements(URIS.len() as u64));
    let ours: Vec<Uri> = URIS.iter().map(|s| Uri::parse(s).unwrap()).collect();
    group.bench_function("rpoco", |b| {
        b.iter(|| {
            for uri in &ours {
                black_box(black_box(uri).to_string());
            }
        })
    });
    // `Url` keeps its serialization, so this is a copy: the floor, not a like-for-like peer.
    let theirs: Vec<url::Url> = URIS.iter().map(|s| url::Url::parse(s).unwrap()).collect();
    group.bench_function("url", |b| {
        b.iter(|| {
            for url in &theirs {
                black_box(black_box(url).to_string());
            }
        })
    });
    group.finish();
}

/// A plain `Read`, as a socket or file is: hides the `&[u8]` so `std::io::copy` cannot take
/// its slice fast path (which copies nothing when writing to a sink).
struct OpaqueReader<'a>(&'a [u8]);

impl io::Read for OpaqueReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

/// `io::sink()` whose written bytes escape through `black_box`, so the copy into the buffer
/// cannot be optimized away (with the real `io::sink()` it is, and both sides measure nothing).
struct OpaqueSink;

impl io::Write for OpaqueSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        black_box(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn stream_copier(c: &mut Criterion) {
    const SIZE: usize = 64 << 20;
    let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    let mut group = c.benchmark_group("stream_copier");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(10);
    for target in ["sink", "vec"] {
        group.bench_function(BenchmarkId::new("rpoco", target), |b| {
            let mut out = Vec::with_capacity(SIZE);
            b.iter(|| {
                let mut reader = OpaqueReader(black_box(&data[..]));
                let n = if target == "sink" {
                    StreamCopier::copy_stream(&mut reader, &mut OpaqueSink, StreamCopier::DEFAULT_BUFFER_SIZE)
                } else {
                    out.clear();
                    StreamCopier::copy_stream(&mut reader, &mut out, StreamCopier::DEFAULT_BUFFER_SIZE)
                };
                assert_eq!(n.unwrap(), SIZE as u64);
            })
        });
        group.bench_function(BenchmarkId::new("std_io_copy", target), |b| {
            let mut out = Vec::with_capacity(SIZE);
            b.iter(|| {
                let mut reader = OpaqueReader(black_box(&data[..]));
                let n = if target == "sink" {
                    io::copy(&mut reader, &mut OpaqueSink)
                } else {
                    out.clear();
                    io::copy(&mut reader, &mut out)
                };
                assert_eq!(n.unwrap(), SIZE as u64);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, uri, stream_copier);
criterion_main!(benches);
