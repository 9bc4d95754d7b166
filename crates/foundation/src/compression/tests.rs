use std::io::{self, Read, Write};

use super::*;
use crate::Error;

const KINDS: [StreamType; 3] = [StreamType::Zlib, StreamType::Gzip, StreamType::Raw];

fn sample() -> Vec<u8> {
    (0..200_000u32).flat_map(|i| format!("line {} {}\n", i, i % 7).into_bytes()).collect()
}

fn compress(kind: StreamType, data: &[u8]) -> Vec<u8> {
    let mut w = DeflatingWriter::new(Vec::new(), kind);
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

#[test]
fn round_trip_every_format_through_reader_and_writer() {
    let data = sample();
    for kind in KINDS {
        let packed = compress(kind, &data);
        assert!(packed.len() < data.len() / 3, "{kind:?} did not compress");
        let mut out = Vec::new();
        InflatingReader::new(&packed[..], kind).read_to_end(&mut out).unwrap();
        assert_eq!(out, data, "{kind:?} reader");
        let mut w = InflatingWriter::new(Vec::new(), kind);
        for chunk in packed.chunks(777) {
            w.write_all(chunk).unwrap();
        }
        assert_eq!(w.finish().unwrap(), data, "{kind:?} writer");
        let mut again = Vec::new();
        DeflatingReader::with_level(&data[..], kind, Level::FAST).read_to_end(&mut again).unwrap();
        let mut out = Vec::new();
        InflatingReader::new(&again[..], kind).read_to_end(&mut out).unwrap();
        assert_eq!(out, data, "{kind:?} deflating reader");
    }
}

#[test]
fn truncated_stream_is_unexpected_eof_not_a_short_body() {
    let data = sample();
    for kind in KINDS {
        let packed = compress(kind, &data);
        let cut = &packed[..packed.len() - 5];
        let err = InflatingReader::new(cut, kind).read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{kind:?}: {err}");
        let mut w = InflatingWriter::new(Vec::new(), kind);
        w.write_all(cut).unwrap();
        assert_eq!(w.finish().unwrap_err().kind(), io::ErrorKind::UnexpectedEof, "{kind:?}");
    }
    let empty = InflatingReader::new(&b""[..], StreamType::Gzip).read_to_end(&mut Vec::new()).unwrap_err();
    assert_eq!(empty.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn corrupt_data_is_a_data_format_error_with_an_offset() {
    let mut packed = compress(StreamType::Zlib, &sample());
    packed[40] ^= 0xff;
    packed[41] ^= 0x55;
    let err: Error =
        InflatingReader::new(&packed[..], StreamType::Zlib).read_to_end(&mut Vec::new()).unwrap_err().into();
    assert!(matches!(err, Error::DataFormat { format: "zlib", .. }), "{err}");
    let err: Error = InflatingReader::new(&b"not gzip at all"[..], StreamType::Gzip)
        .read_to_end(&mut Vec::new())
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::DataFormat { format: "gzip", .. }), "{err}");
}

#[test]
fn gzip_members_concatenate_and_trailing_garbage_is_an_error() {
    let mut two = compress(StreamType::Gzip, b"first ");
    two.extend(compress(StreamType::Gzip, b"second"));
    let mut s = String::new();
    InflatingReader::new(&two[..], StreamType::Gzip).read_to_string(&mut s).unwrap();
    assert_eq!(s, "first second");
    let mut w = InflatingWriter::new(Vec::new(), StreamType::Gzip);
    w.write_all(&two).unwrap();
    assert_eq!(w.finish().unwrap(), b"first second");
    two.extend_from_slice(b"junk");
    let err: Error =
        InflatingReader::new(&two[..], StreamType::Gzip).read_to_end(&mut Vec::new()).unwrap_err().into();
    assert!(matches!(err, Error::DataFormat { format: "gzip", .. }), "{err}");
}

#[test]
fn bytes_after_a_zlib_stream_stay_in_the_inner_reader() {
    let mut packed = compress(StreamType::Zlib, b"payload");
    packed.extend_from_slice(b"NEXT");
    let mut r = InflatingReader::from_buf_read(&packed[..], StreamType::Zlib);
    let mut s = String::new();
    r.read_to_string(&mut s).unwrap();
    assert_eq!((s.as_str(), r.into_inner()), ("payload", &b"NEXT"[..]));
}

/// A gzip bomb: one member of 1 MiB of zeros (about 1 KB compressed) repeated 1024 times
/// claims 1 GiB; the reader stops at the limit.
#[test]
fn gzip_bomb_stops_at_the_limit() {
    let member = compress(StreamType::Gzip, &vec![0u8; 1 << 20]);
    assert!(member.len() < 2048, "member is {} bytes", member.len());
    let bomb: Vec<u8> = member.iter().copied().cycle().take(member.len() * 1024).collect();
    let limit = 8 << 20;
    let mut r = InflatingReader::new(&bomb[..], StreamType::Gzip).with_limit(limit);
    let err = io::copy(&mut r, &mut io::sink()).unwrap_err();
    assert!(r.total_out() <= limit + 1);
    let err: Error = err.into();
    assert!(matches!(err, Error::LimitExceeded { what: "decompressed data", limit: 8388608, .. }), "{err}");
    let mut w = InflatingWriter::new(io::sink(), StreamType::Gzip).with_limit(limit);
    let err: Error = w.write_all(&bomb).unwrap_err().into();
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
}

#[test]
fn output_of_exactly_the_limit_is_accepted() {
    let data = vec![7u8; 100_000];
    for kind in KINDS {
        let packed = compress(kind, &data);
        let mut out = Vec::new();
        InflatingReader::new(&packed[..], kind).with_limit(100_000).read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 100_000);
        let err = InflatingReader::new(&packed[..], kind).with_limit(99_999).read_to_end(&mut Vec::new());
        assert!(err.is_err(), "{kind:?}");
    }
}

#[test]
fn reads_what_the_gzip_cli_and_python_zlib_write() {
    // Fixed bytes from `printf 'hello\n' | gzip -n` and Python `zlib.compress(b"hello\n")`.
    let gz = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 0x02,
        0x00, 0x20, 0x30, 0x3a, 0x36, 0x06, 0x00, 0x00, 0x00,
    ];
    let mut s = String::new();
    InflatingReader::new(&gz[..], StreamType::Gzip).read_to_string(&mut s).unwrap();
    assert_eq!(s, "hello\n");
    let z = [0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 0x02, 0x00, 0x08, 0x4b, 0x02, 0x1f];
    let mut s = String::new();
    InflatingReader::new(&z[..], StreamType::Zlib).read_to_string(&mut s).unwrap();
    assert_eq!(s, "hello\n");
}
