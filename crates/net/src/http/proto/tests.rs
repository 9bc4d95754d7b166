//! Byte tables: exact bytes in, expected messages and body events out (and back).
#![allow(clippy::type_complexity)] // the tables are clearer spelled out

use super::*;
use crate::error::{ErrorKind, Limit};
use crate::http::message::{HeaderLimits, HttpMessage, HttpRequest, HttpResponse, HttpStatus, MessageHeader};

/// Feeds `input` to a decoder in pieces of `step` bytes, as a socket might deliver it, and
/// returns the body, the trailers, and whether the end was seen.
fn decode_all(
    framing: BodyFraming,
    input: &[u8],
    step: usize,
) -> crate::Result<(Vec<u8>, MessageHeader, usize)> {
    let mut d = BodyDecoder::new(framing);
    let mut buf: Vec<u8> = Vec::new();
    let mut body = Vec::new();
    let mut fed = 0;
    loop {
        let (n, ev) = d.decode(&buf)?;
        let ev = match ev {
            Decoded::Data(x) => {
                body.extend_from_slice(x);
                None
            }
            Decoded::NeedMore => Some(false),
            Decoded::End => Some(true),
        };
        buf.drain(..n);
        match ev {
            Some(true) => return Ok((body, d.take_trailers(), buf.len() + input.len() - fed)),
            Some(false) if fed == input.len() => {
                d.end_of_input()?;
                return Ok((body, d.take_trailers(), 0));
            }
            Some(false) => {
                let end = (fed + step).min(input.len());
                buf.extend_from_slice(&input[fed..end]);
                fed = end;
            }
            None => {}
        }
    }
}

#[test]
fn body_decoding_table() {
    use BodyFraming::*;
    // (framing, wire bytes, body, trailers, bytes left over after the body)
    let table: &[(BodyFraming, &[u8], &[u8], &[(&str, &str)], usize)] = &[
        (Length(5), b"hello", b"hello", &[], 0),
        (Length(5), b"helloEXTRA", b"hello", &[], 5),
        (Length(0), b"next", b"", &[], 4),
        (None, b"next", b"", &[], 4),
        (Close, b"all of it", b"all of it", &[], 0),
        (Chunked, b"5\r\nhello\r\n0\r\n\r\n", b"hello", &[], 0),
        (Chunked, b"5\nhello\n0\n\n", b"hello", &[], 0),
        (Chunked, b"a;ext=1\r\n0123456789\r\n0\r\n\r\nGET", b"0123456789", &[], 3),
        (Chunked, b"A \r\n0123456789\r\n00\r\n\r\n", b"0123456789", &[], 0),
        (
            Chunked,
            b"3\r\nabc\r\n2\r\nde\r\n0\r\nExpires: never\r\nX-Sum: 9\r\n\r\n",
            b"abcde",
            &[("Expires", "never"), ("X-Sum", "9")],
            0,
        ),
        (Chunked, b"0\r\n\r\n", b"", &[], 0),
        // Trailers ending in LF LF and a long chunk extension: split at every point by the
        // small steps, so the resumed search for a line's or section's end is exercised.
        (Chunked, b"1;name=value;x=y\r\nZ\r\n0\nA: 1\nB: 2\n\nrest", b"Z", &[("A", "1"), ("B", "2")], 4),
    ];
    for (i, &(framing, wire, body, trailers, left)) in table.iter().enumerate() {
        for step in [1, 2, 3, 4, 5, 7, wire.len().max(1)] {
            let (got, t, rest) =
                decode_all(framing, wire, step).unwrap_or_else(|e| panic!("case {i} step {step}: {e}"));
            assert_eq!(got, body, "case {i} step {step}");
            assert_eq!(t.iter().collect::<Vec<_>>(), trailers, "case {i} step {step}");
            if step == wire.len() {
                assert_eq!(rest, left, "case {i}");
            }
        }
    }
}

#[test]
fn body_decoding_errors_name_the_byte() {
    use BodyFraming::*;
    let table: &[(BodyFraming, &[u8], &str)] = &[
        (Length(10), b"short", "5 bytes of the body missing"),
        (Chunked, b"5\r\nhel", "incomplete chunked transfer encoding at body byte 6"),
        (Chunked, b"zz\r\n", "invalid chunk size line `zz` at body byte 0"),
        (Chunked, b"5\r\nhelloX0\r\n\r\n", "missing CRLF after chunk data at body byte 8"),
        (Chunked, b"5x\r\nhello\r\n", "invalid character after chunk size in `5x` at body byte 1"),
        (Chunked, b"-5\r\n", "invalid chunk size line"),
        (Chunked, b"3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n", "no colon"),
    ];
    for (i, &(framing, wire, expected)) in table.iter().enumerate() {
        let e = decode_all(framing, wire, wire.len()).expect_err(&format!("case {i} must fail"));
        assert!(matches!(e.kind(), ErrorKind::Message), "case {i}: {e:?}");
        assert!(e.to_string().contains(expected), "case {i}: `{e}` lacks `{expected}`");
    }
    let e = decode_all(Chunked, b"11111111111111111\r\n", 64).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::Chunk), "{e}");
    let long = [b"1;".as_slice(), &[b'x'; 5000]].concat();
    let e = decode_all(Chunked, &long, 64).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::Chunk), "{e}");
}

#[test]
fn response_head_table() {
    let limits = HeaderLimits::default();
    // (wire, status, reason, version, fields, head length)
    let table: &[(&[u8], u16, &str, &str, &[(&str, &str)], usize)] = &[
        (b"HTTP/1.1 200 OK\r\n\r\n", 200, "OK", "HTTP/1.1", &[], 19),
        (
            b"HTTP/1.0 404 Not Found\r\nA: 1\r\nb:2\r\n\r\nbody",
            404,
            "Not Found",
            "HTTP/1.0",
            &[("A", "1"), ("b", "2")],
            37,
        ),
        (b"HTTP/1.1 204 \r\n\r\n", 204, "", "HTTP/1.1", &[], 17),
        (b"HTTP/1.1 200 OK\nX: y \n\n", 200, "OK", "HTTP/1.1", &[("X", "y")], 23),
        (b"\r\nHTTP/1.1 200 OK\r\n\r\n", 200, "OK", "HTTP/1.1", &[], 21),
        // POCO keeps folded lines (with their leading whitespace) and ignores colon-less ones.
        (b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", 200, "OK", "HTTP/1.1", &[("X", "a b")], 29),
        (b"HTTP/1.1 200 OK\r\nnocolon\r\nY: 1\r\n\r\n", 200, "OK", "HTTP/1.1", &[("Y", "1")], 34),
        (b"HTTP/1.1 200 OK\r\nX: caf\xe9\r\n\r\n", 200, "OK", "HTTP/1.1", &[("X", "caf\u{e9}")], 28),
        (b"HTTP/1.1 200 OK\r\nS: =?UTF-8?Q?=C3=A9?=\r\n\r\n", 200, "OK", "HTTP/1.1", &[("S", "\u{e9}")], 42),
    ];
    for (i, &(wire, status, reason, version, fields, len)) in table.iter().enumerate() {
        let (res, n) =
            parse_response_head(wire, &limits).unwrap().unwrap_or_else(|| panic!("case {i} incomplete"));
        assert_eq!(res.status(), HttpStatus(status), "case {i}");
        assert_eq!(res.reason(), reason, "case {i}");
        assert_eq!(res.version(), version, "case {i}");
        assert_eq!(res.header().iter().collect::<Vec<_>>(), fields, "case {i}");
        assert_eq!(n, len, "case {i}");
        // Every proper prefix is incomplete, never an error.
        for cut in 0..len.saturating_sub(1) {
            assert!(parse_response_head(&wire[..cut], &limits).unwrap().is_none(), "case {i} cut {cut}");
        }
    }
}

#[test]
fn response_head_errors() {
    let limits = HeaderLimits::default();
    let e = parse_response_head(b"HTTP/1.1 2x0 OK\r\n\r\n", &limits).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Syntax), "{e:?}");
    let e = parse_response_head(b"HTTX/1.1 200 OK\r\n\r\n", &limits).unwrap_err();
    assert!(e.kind() == ErrorKind::Message && e.message().contains("HTTX/1.1 200 OK"), "{e:?}");
    let e = parse_response_head(b"HTTP/1.1 200 OK\r\nGood: 1\r\nBad\x01Name: 2\r\n\r\n", &limits);
    // httparse ignores invalid lines in responses (as POCO); the good one stays.
    assert_eq!(e.unwrap().unwrap().0.get("Good"), Some("1"));

    let many: Vec<u8> = [b"HTTP/1.1 200 OK\r\n".to_vec(), b"A: b\r\n".repeat(101), b"\r\n".to_vec()].concat();
    let e = parse_response_head(&many, &limits).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::FieldCount), "{e:?}");
    let long_value = [b"HTTP/1.1 200 OK\r\nA: ".as_slice(), &[b'v'; 8193], b"\r\n\r\n"].concat();
    let e = parse_response_head(&long_value, &limits).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::ValueLength) && e.message().contains("`A`"), "{e:?}");
    let long_name = [b"HTTP/1.1 200 OK\r\n".as_slice(), &[b'n'; 257], b": v\r\n\r\n"].concat();
    let e = parse_response_head(&long_name, &limits).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::NameLength), "{e:?}");
    // An endless value is refused before the head completes.
    let endless = [b"HTTP/1.1 200 OK\r\nA: ".as_slice(), &[b'v'; 9000]].concat();
    let e = parse_response_head(&endless, &limits).unwrap_err();
    assert!(e.kind() == ErrorKind::LimitExceeded, "{e:?}");
    // Configurable: a larger value limit accepts it.
    let big = HeaderLimits { max_value_length: 10000, ..HeaderLimits::default() };
    assert!(parse_response_head(&long_value, &big).unwrap().is_some());
}

#[test]
fn request_head_table_and_strictness() {
    let limits = RequestLimits::default();
    let (req, n) =
        parse_request_head(b"POST /x HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", &limits).unwrap().unwrap();
    assert_eq!((req.method(), req.uri(), req.version(), n), ("POST", "/x", "HTTP/1.0", 39));
    assert_eq!(request_framing(&req).unwrap(), BodyFraming::Length(3));

    // (wire, what the error must say)
    let bad: &[(&[u8], &str)] = &[
        (b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "obsolete line folding"),
        (b"GET / HTTP/1.1\r\nnocolon\r\n\r\n", "no colon"),
        (b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", "line 2 at byte 16"),
        (b"GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n", "invalid character in field name"),
        (b"GET / FTP/1.1\r\n\r\n", "malformed request line `GET / FTP/1.1`"),
    ];
    for (i, &(wire, expected)) in bad.iter().enumerate() {
        let e = parse_request_head(wire, &limits).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Message), "case {i}: {e:?}");
        assert!(e.to_string().contains(expected), "case {i}: `{e}` lacks `{expected}`");
    }
    let long_uri = [b"GET /".as_slice(), &[b'a'; 16384], b" HTTP/1.1\r\n\r\n"].concat();
    let e = parse_request_head(&long_uri, &limits).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::Uri), "{e:?}");
    // ...even before the line ends.
    let e = parse_request_head(&long_uri[..16400], &limits).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::Uri), "{e:?}");
    let long_method = [&[b'M'; 33][..], b" / HTTP/1.1\r\n\r\n"].concat();
    let e = parse_request_head(&long_method, &limits).unwrap_err();
    assert!(e.limit_kind() == Some(Limit::Method), "{e:?}");
}

#[test]
fn request_framing_rejects_smuggling() {
    let cases: &[(&[(&str, &str)], Result<BodyFraming, &str>)] = &[
        (&[], Ok(BodyFraming::None)),
        (&[("Content-Length", "0")], Ok(BodyFraming::None)),
        (&[("Transfer-Encoding", "chunked")], Ok(BodyFraming::Chunked)),
        (&[("Transfer-Encoding", "gzip, chunked")], Ok(BodyFraming::Chunked)),
        (&[("Content-Length", "5"), ("Content-Length", "5")], Ok(BodyFraming::Length(5))),
        (&[("Transfer-Encoding", "chunked"), ("Content-Length", "5")], Err("both")),
        (&[("Transfer-Encoding", "gzip")], Err("does not end in chunked")),
        (&[("Content-Length", "5"), ("Content-Length", "6")], Err("conflicting")),
        (&[("Content-Length", "+5")], Err("invalid Content-Length")),
        (&[("Content-Length", "5, 6")], Err("conflicting")),
    ];
    for (i, (fields, expected)) in cases.iter().enumerate() {
        let mut req = HttpRequest::with_method("POST", "/");
        for (n, v) in *fields {
            req.add(n, v);
        }
        match (request_framing(&req), expected) {
            (Ok(f), Ok(e)) => assert_eq!(f, *e, "case {i}"),
            (Err(err), Err(e)) => assert!(err.to_string().contains(e), "case {i}: {err}"),
            (got, e) => panic!("case {i}: got {got:?}, expected {e:?}"),
        }
    }
}

#[test]
fn response_framing_table() {
    let mk = |status: u16, fields: &[(&str, &str)]| {
        let mut r = HttpResponse::new(HttpStatus(status));
        for (n, v) in fields {
            r.add(n, v);
        }
        r
    };
    use BodyFraming::*;
    let table: &[(&str, u16, &[(&str, &str)], BodyFraming)] = &[
        ("GET", 200, &[("Content-Length", "7")], Length(7)),
        ("HEAD", 200, &[("Content-Length", "7")], None),
        ("GET", 204, &[("Content-Length", "7")], None),
        ("GET", 304, &[("Transfer-Encoding", "chunked")], None),
        ("GET", 101, &[], None),
        ("CONNECT", 200, &[], None),
        ("GET", 200, &[], Close),
        ("GET", 200, &[("Transfer-Encoding", "chunked"), ("Content-Length", "7")], Chunked),
        ("GET", 200, &[("Transfer-Encoding", "gzip")], Close),
        ("GET", 404, &[("Content-Length", "0")], Length(0)),
    ];
    for (i, &(method, status, fields, expected)) in table.iter().enumerate() {
        assert_eq!(response_framing(method, &mk(status, fields)).unwrap(), expected, "case {i}");
    }
    assert!(response_framing("GET", &mk(200, &[("Content-Length", "x")])).is_err());
}

#[test]
fn encoding_table() {
    let mut req = HttpRequest::new("PUT", "/up", "HTTP/1.1");
    req.set("Host", "h");
    req.set_chunked_transfer_encoding(true);
    let mut out = Vec::new();
    encode_request_head(&req, &mut out);
    let mut enc = BodyEncoder::new(outgoing_framing(&req).unwrap());
    enc.encode(b"", &mut out).unwrap();
    enc.encode(&[b'x'; 26], &mut out).unwrap();
    let mut trailers = MessageHeader::new();
    trailers.set("X-Check", "ok");
    enc.finish(Some(&trailers), &mut out).unwrap();
    let expected: &[u8] = b"PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1A\r\nxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n0\r\nX-Check: ok\r\n\r\n";
    assert_eq!(out, expected);

    let mut res = HttpResponse::new(HttpStatus(299));
    res.set_content_length(Some(2));
    let mut out = Vec::new();
    encode_response_head(&res, &mut out);
    let mut enc = BodyEncoder::new(outgoing_framing(&res).unwrap());
    assert!(enc.finish(None, &mut Vec::new()).is_err(), "short body");
    enc.encode(b"ok", &mut out).unwrap();
    assert!(enc.encode(b"!", &mut out).is_err(), "excess byte");
    enc.finish(None, &mut out).unwrap();
    assert_eq!(out, b"HTTP/1.0 299 ???\r\nContent-Length: 2\r\n\r\nok");

    let mut none = BodyEncoder::new(BodyFraming::None);
    let e = none.encode(b"data", &mut Vec::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState, "neither Content-Length nor chunked: {e:?}");
}

#[test]
fn validation_refuses_header_injection() {
    let mut req = HttpRequest::new("GET", "/", "HTTP/1.1");
    req.set("X", "a\r\nInjected: 1");
    assert!(
        matches!(validate_request_head(&req), Err(e) if e.kind() == ErrorKind::InvalidArgument && e.message().contains("`X`"))
    );
    let req = HttpRequest::new("GET", "/a b", "HTTP/1.1");
    assert!(validate_request_head(&req).is_err());
    let mut res = HttpResponse::default();
    res.set_reason("OK\r\nX: y");
    assert!(validate_response_head(&res).is_err());
    let mut ok = HttpRequest::new("GET", "/", "HTTP/1.1");
    ok.set("Host", "x");
    validate_request_head(&ok).unwrap();
}

#[test]
fn round_trip_encoded_heads_parse_back() {
    let mut res = HttpResponse::with_version("HTTP/1.1", HttpStatus::NOT_FOUND);
    res.add("Set-Cookie", "a=1");
    res.add("Set-Cookie", "b=2");
    let bytes = res.to_bytes();
    let (back, n) = parse_response_head(&bytes, &HeaderLimits::default()).unwrap().unwrap();
    assert_eq!(n, bytes.len());
    assert_eq!(back.header().get_all("set-cookie").collect::<Vec<_>>(), ["a=1", "b=2"]);
    assert_eq!(back.reason(), "Not Found");
}

/// Hostile input: random bytes and random output sizes never panic, and data events never
/// exceed the requested maximum.
#[test]
fn random_input_never_panics() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"0123456789abcdefABCDEF;=\r\n :\tHTTP/1.1 200 OK\x00\xff";
    for round in 0..3000 {
        let len = (next() % 200) as usize;
        let input: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let _ = parse_response_head(&input, &HeaderLimits::default());
        let _ = parse_request_head(&input, &RequestLimits::default());
        let framing = match round % 3 {
            0 => BodyFraming::Chunked,
            1 => BodyFraming::Length(next() % 300),
            _ => BodyFraming::Close,
        };
        let mut d = BodyDecoder::new(framing);
        let mut pos = 0;
        for _ in 0..400 {
            let max = 1 + (next() % 9) as usize;
            match d.decode_max(&input[pos..], max) {
                Ok((used, Decoded::Data(data))) => {
                    assert!(data.len() <= max && used <= input.len() - pos);
                    pos += used;
                }
                Ok((used, _)) => {
                    assert!(used <= input.len() - pos);
                    break;
                }
                Err(_) => break,
            }
        }
        let _ = d.end_of_input();
    }
}
