use std::io::{self, Read, Write};

use super::*;
use crate::error::{ErrorKind, Limit};

/// Yields at most `n` bytes per read, to cross every buffer edge.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.len().min(self.1).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// A part as the tests compare it: its header fields and its body.
type Part = (Vec<(String, String)>, Vec<u8>);

fn parts_of(r: impl Read, boundary: &str) -> crate::Result<Vec<Part>> {
    let mut reader = MultipartReader::new(r, boundary)?;
    let mut out = Vec::new();
    while let Some(h) = reader.next_part()? {
        let mut body = Vec::new();
        reader.read_to_end(&mut body)?;
        out.push((h.fields().iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect(), body));
    }
    Ok(out)
}

const RFC2046_EXAMPLE: &[u8] = b"This is the preamble.  It is to be ignored, though it\r\n\
is a handy place for composition agents to include an\r\n\
explanatory note to non-MIME conformant readers.\r\n\
\r\n\
--simple boundary\r\n\
\r\n\
This is implicitly typed plain US-ASCII text.\r\n\
It does NOT end with a linebreak.\r\n\
--simple boundary\r\n\
Content-type: text/plain; charset=us-ascii\r\n\
\r\n\
This is explicitly typed plain US-ASCII text.\r\n\
It DOES end with a linebreak.\r\n\
\r\n\
--simple boundary--\r\n\
\r\n\
This is the epilogue.  It is also to be ignored.\r\n";

#[test]
fn rfc2046_example_at_every_read_size() {
    for step in [1, 2, 3, 7, 64, 100_000] {
        let parts = parts_of(Trickle(RFC2046_EXAMPLE, step), "simple boundary").unwrap();
        assert_eq!(parts.len(), 2, "step {step}");
        assert!(parts[0].0.is_empty());
        assert_eq!(
            parts[0].1,
            b"This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak."
        );
        assert_eq!(parts[1].0, vec![("Content-type".to_owned(), "text/plain; charset=us-ascii".to_owned())]);
        assert_eq!(
            parts[1].1,
            b"This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n"
        );
    }
    // POCO: the boundary from the first delimiter line.
    let body = b"--xyz\r\nA: 1\r\n\r\nhello\r\n--xyz--\r\n";
    let mut r = MultipartReader::new(&body[..], "").unwrap();
    assert_eq!(r.boundary(), "xyz");
    assert!(r.has_next_part().unwrap());
    assert_eq!(r.next_part().unwrap().unwrap().get("A"), Some("1"));
}

#[test]
fn lf_only_delimiters_padding_and_near_boundaries() {
    let body = b"--b  \nX: y\n\nline\n--bb is not it\n--b\n\n\r\n--b--";
    let parts = parts_of(&body[..], "b");
    // `--bb` at a line start is a broken delimiter line, not content (RFC 2046 §5.1.1).
    assert!(parts.as_ref().is_err_and(|e| e.kind() == ErrorKind::Message), "{parts:?}");
    let body = b"--b  \nX: y\n\nline\n-b\n--b\n\n\r\n--b--";
    let parts = parts_of(&body[..], "b").unwrap();
    assert_eq!(parts[0].1, b"line\n-b");
    assert!(parts[1].0.is_empty() && parts[1].1.is_empty());
    let parts = parts_of(&b"--b\nX: y\n\nline\n--b\n\n\r\n\r\n--b--"[..], "b").unwrap();
    assert_eq!(parts[1].1, b"\r\n");
}

#[test]
fn writer_round_trip_with_binary_content_at_every_read_size() {
    let blob: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).chain(*b"\r\n--B\r\n--B-").collect();
    let mut w = MultipartWriter::new(Vec::new(), "B");
    let mut h = MessageHeader::new();
    h.set("Content-Disposition", "form-data; name=\"f\"; filename=\"x.bin\"");
    w.next_part(&h).unwrap();
    w.write_all(&blob).unwrap();
    w.next_part(&MessageHeader::new()).unwrap();
    let body = w.close().unwrap();
    for step in [1, 13, 4096, 1 << 20] {
        let parts = parts_of(Trickle(&body, step), "B");
        // `\r\n--B\r\n` inside the content is a delimiter: the sender chose a bad boundary.
        assert!(parts.is_err() || parts.unwrap().len() != 2);
    }
    let mut w = MultipartWriter::new(Vec::new(), "MIME_boundary_0123");
    w.next_part(&h).unwrap();
    w.write_all(&blob).unwrap();
    w.next_part(&MessageHeader::new()).unwrap();
    let body = w.close().unwrap();
    for step in [1, 13, 4096, 1 << 20] {
        let parts = parts_of(Trickle(&body, step), "MIME_boundary_0123").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].1, blob, "step {step}");
        assert!(parts[1].1.is_empty());
    }
}

#[test]
fn bad_bodies_are_errors_within_limits() {
    // No closing delimiter.
    let e = parts_of(&b"--b\r\n\r\ncontent that never ends"[..], "b").unwrap_err();
    assert!(e.kind() == ErrorKind::Message && e.message().contains("no closing delimiter"), "{e}");
    // No delimiter at all.
    let e = parts_of(&b"just text"[..], "b").unwrap_err();
    assert!(e.kind() == ErrorKind::Message && e.message().contains("no delimiter"), "{e}");
    // Ends inside a header, or right after a delimiter.
    assert!(parts_of(&b"--b\r\nA: 1\r\n"[..], "b").is_err_and(|e| e.kind() == ErrorKind::Message));
    assert!(parts_of(&b"--b"[..], "b").is_err_and(|e| e.kind() == ErrorKind::Message));
    assert!(parts_of(&b"--bX\r\n"[..], "b").is_err_and(|e| e.kind() == ErrorKind::Message));
    // 100,000 parts: stops at the limit.
    let many: Vec<u8> = b"--b\r\n\r\nx\r\n".repeat(100_000).into_iter().chain(*b"--b--").collect();
    let e = parts_of(&many[..], "b").unwrap_err();
    assert!(e.limit_kind() == Some(Limit::Form), "{e}");
    // A 10 MB part header: stops after the header limit, not after 10 MB.
    let mut huge = b"--b\r\nX: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 10 << 20));
    huge.extend_from_slice(b"\r\n\r\nbody\r\n--b--");
    let mut counted = CountingBytes(&huge[..], 0);
    let e = parts_of(&mut counted, "b").unwrap_err();
    assert!(e.limit_kind() == Some(Limit::HeadLength), "{e}");
    assert!(counted.1 < 200 * 1024, "read {} bytes before giving up", counted.1);
    // A long header line within the block limit still meets the field-value limit.
    let mut long = b"--b\r\nX: ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 10_000));
    long.extend_from_slice(b"\r\n\r\nbody\r\n--b--");
    assert!(parts_of(&long[..], "b").is_err_and(|e| e.kind() == ErrorKind::LimitExceeded));
}

struct CountingBytes<'a>(&'a [u8], usize);

impl Read for CountingBytes<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1 += n;
        Ok(n)
    }
}

#[test]
fn part_store_spools_to_files_and_removes_them() {
    let mut w = MultipartWriter::new(Vec::new(), "q");
    let mut h = MessageHeader::new();
    h.set("Content-Disposition", "form-data; name=\"up\"; filename=\"a.txt\"");
    h.set("Content-Type", "text/csv");
    w.next_part(&h).unwrap();
    w.write_all(&b"1,2,3\n".repeat(10_000)).unwrap();
    let body = w.close().unwrap();
    let mut store = PartStore::new().unwrap();
    let mut r = MultipartReader::new(&body[..], "q").unwrap();
    while let Some(h) = r.next_part().unwrap() {
        store.handle_part(&h, &mut r).unwrap();
    }
    let p = &store.parts()[0];
    assert_eq!(
        (p.name.as_str(), p.filename.as_str(), p.media_type.as_str(), p.size),
        ("up", "a.txt", "text/csv", 60_000)
    );
    assert_eq!(std::fs::read(&p.path).unwrap(), b"1,2,3\n".repeat(10_000));
    let dir = store.dir().to_owned();
    let mut small = PartStore::new().unwrap();
    small.set_max_part_size(100);
    let mut r = MultipartReader::new(&body[..], "q").unwrap();
    let h = r.next_part().unwrap().unwrap();
    assert!(small.handle_part(&h, &mut r).is_err_and(|e| e.limit_kind() == Some(Limit::Body)));
    drop(store);
    assert!(!dir.exists());
    let mut r = MultipartReader::new(&body[..], "q").unwrap();
    let h = r.next_part().unwrap().unwrap();
    NullPartHandler.handle_part(&h, &mut r).unwrap();
    assert!(r.next_part().unwrap().is_none());
}
