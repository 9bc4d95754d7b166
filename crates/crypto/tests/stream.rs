//! Segmented AES-GCM streams: round trips at every size around segment boundaries, and
//! detection of tampering, reordering and truncation.

use std::io::{Read, Write};

use rpoco_crypto::stream::STREAM_HEADER_LEN;
use rpoco_crypto::{Cipher, CipherKey, DecryptingReader, EncryptingWriter, Error};

const SEG: usize = 32;
const SEG_CT: usize = SEG + 16;

fn cipher() -> Cipher {
    Cipher::new(CipherKey::new("aes-256-gcm").unwrap())
}

fn encrypt(c: &Cipher, data: &[u8], pieces: usize) -> Vec<u8> {
    let mut w = EncryptingWriter::with_segment_size(Vec::new(), c, SEG).unwrap();
    for chunk in data.chunks(pieces.max(1)) {
        w.write_all(chunk).unwrap();
    }
    w.finish().unwrap()
}

fn decrypt(c: &Cipher, data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    DecryptingReader::new(data, c)?.read_to_end(&mut out).map_err(Error::from)?;
    Ok(out)
}

#[test]
fn round_trips_around_segment_boundaries() {
    let c = cipher();
    for len in [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 5] {
        let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        for pieces in [1, 7, 1000] {
            let ct = encrypt(&c, &data, pieces);
            // The final segment is always present; it is empty only for empty input.
            let segments = if len == 0 { 1 } else { len.div_ceil(SEG) };
            assert_eq!(ct.len(), STREAM_HEADER_LEN + len + segments * 16, "len {len}");
            assert_eq!(decrypt(&c, &ct).unwrap(), data, "len {len} pieces {pieces}");
        }
    }
}

#[test]
fn every_flipped_bit_is_detected() {
    let c = cipher();
    let ct = encrypt(&c, &[9u8; 3 * SEG + 3], 10);
    for i in 0..ct.len() {
        let mut t = ct.clone();
        t[i] ^= 0x01;
        let e = decrypt(&c, &t).unwrap_err();
        assert!(matches!(e, Error::TagMismatch | Error::Format(_) | Error::Truncated(_)), "byte {i}: {e:?}");
    }
}

#[test]
fn reordered_dropped_or_duplicated_segments_are_detected() {
    let c = cipher();
    let data: Vec<u8> = (0..3 * SEG as u32 + 10).map(|i| i as u8).collect();
    let ct = encrypt(&c, &data, 100);
    let (head, body) = ct.split_at(STREAM_HEADER_LEN);
    let segs: Vec<&[u8]> = body.chunks(SEG_CT).collect();
    assert_eq!(segs.len(), 4);
    let swapped = [head, segs[1], segs[0], segs[2], segs[3]].concat();
    assert!(matches!(decrypt(&c, &swapped), Err(Error::TagMismatch)));
    let dropped = [head, segs[0], segs[2], segs[3]].concat();
    assert!(matches!(decrypt(&c, &dropped), Err(Error::TagMismatch)));
    let duplicated = [head, segs[0], segs[0], segs[1], segs[2], segs[3]].concat();
    assert!(matches!(decrypt(&c, &duplicated), Err(Error::TagMismatch)));
    // Segments of another stream under the same key do not fit (per-stream subkey).
    let other = encrypt(&c, &data, 100);
    let spliced = [head, segs[0], &other[STREAM_HEADER_LEN + SEG_CT..]].concat();
    assert!(matches!(decrypt(&c, &spliced), Err(Error::TagMismatch)));
}

#[test]
fn truncation_is_an_error_not_a_short_read() {
    let c = cipher();
    let ct = encrypt(&c, &[1u8; 3 * SEG + 10], 100);
    for cut in [STREAM_HEADER_LEN + SEG_CT, STREAM_HEADER_LEN + 2 * SEG_CT, STREAM_HEADER_LEN + 3 * SEG_CT] {
        assert!(matches!(decrypt(&c, &ct[..cut]), Err(Error::Truncated(_))), "cut at {cut}");
    }
    assert!(matches!(decrypt(&c, &ct[..STREAM_HEADER_LEN]), Err(Error::Truncated(_))));
    assert!(matches!(decrypt(&c, &ct[..10]), Err(Error::Truncated(_))));
    assert!(matches!(decrypt(&c, &[]), Err(Error::Truncated(_))));
    assert!(matches!(decrypt(&c, &ct[..ct.len() - 1]), Err(Error::TagMismatch)));
    let mut longer = ct.clone();
    longer.push(0);
    assert!(decrypt(&c, &longer).is_err());
}

#[test]
fn nothing_of_a_bad_segment_is_released() {
    let c = cipher();
    let data = vec![5u8; 2 * SEG + 1];
    let mut ct = encrypt(&c, &data, 100);
    let last = ct.len() - 1;
    ct[last] ^= 1; // the final segment's tag
    let mut reader = DecryptingReader::new(&ct[..], &c).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 7];
    let err = loop {
        match reader.read(&mut buf) {
            Ok(0) => panic!("tampered stream read to the end"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => break e,
        }
    };
    assert_eq!(got, data[..2 * SEG], "only the verified segments were released");
    assert!(matches!(Error::from(err), Error::TagMismatch));
    assert!(reader.read(&mut buf).is_err(), "the error is sticky");
}

#[test]
fn wrong_key_magic_or_cipher_are_typed_errors() {
    let c = cipher();
    let ct = encrypt(&c, b"hello", 100);
    assert!(matches!(decrypt(&cipher(), &ct), Err(Error::TagMismatch)));
    let mut bad = ct.clone();
    bad[0] = b'X';
    assert!(matches!(decrypt(&c, &bad), Err(Error::Format(_))));
    let cbc = Cipher::new(CipherKey::new("aes256").unwrap());
    assert!(matches!(EncryptingWriter::new(Vec::new(), &cbc), Err(Error::InvalidArgument(_))));
    assert!(matches!(DecryptingReader::new(&ct[..], &cbc), Err(Error::InvalidArgument(_))));
    assert!(matches!(EncryptingWriter::with_segment_size(Vec::new(), &c, 0), Err(Error::InvalidArgument(_))));
}
