use super::*;

fn parse_all(input: &[u8], limits: DialogLimits) -> Result<Vec<Reply>, DialogError> {
    let mut parser = ReplyParser::new(limits);
    let mut replies = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let (used, reply) = parser.parse(rest)?;
        rest = &rest[used..];
        replies.extend(reply);
    }
    assert!(!parser.is_partial(), "input ended inside a reply");
    Ok(replies)
}

fn reply(code: u16, lines: &[&str]) -> Reply {
    Reply::new(code, lines.iter().map(|l| l.to_string()).collect())
}

/// Input bytes and the replies (code, lines) they parse into.
type Case = (&'static [u8], &'static [(u16, &'static [&'static str])]);

#[test]
fn reply_table() {
    let cases: &[Case] = &[
        (b"220 Service ready\r\n", &[(220, &["220 Service ready"])]),
        (b"200\r\n", &[(200, &["200"])]),
        (b"200 \r\n", &[(200, &["200 "])]),
        (b"220 bare LF\n221 next\n", &[(220, &["220 bare LF"]), (221, &["221 next"])]),
        // FTP style (RFC 959 4.2): inner lines without the code, or with another code.
        (
            b"123-First line\r\nSecond line\r\n 234 A line beginning with numbers\r\n123 The last line\r\n",
            &[(
                123,
                &["123-First line", "Second line", " 234 A line beginning with numbers", "123 The last line"],
            )],
        ),
        (
            b"211-Features:\r\n MDTM\r\n211-not the end\r\n211 End\r\n",
            &[(211, &["211-Features:", " MDTM", "211-not the end", "211 End"])],
        ),
        // A different code followed by a space inside a multi-line reply is text.
        (b"220-a\r\n230 other code\r\n220 end\r\n", &[(220, &["220-a", "230 other code", "220 end"])]),
        // The bare code ends a multi-line reply too.
        (b"220-a\r\n220\r\n", &[(220, &["220-a", "220"])]),
        // SMTP style (RFC 5321 4.2.1).
        (
            b"250-mail.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
            &[(250, &["250-mail.example", "250-PIPELINING", "250 STARTTLS"])],
        ),
        // CR inside a line is kept; only the CR before LF is a line end.
        (b"500 a\rb\r\n", &[(500, &["500 a\rb"])]),
        // Non-UTF-8 bytes are replaced, not refused.
        (b"257 \"/d\xe9j\xe0\"\r\n", &[(257, &["257 \"/d\u{fffd}j\u{fffd}\""])]),
    ];
    for (input, expected) in cases {
        let got = parse_all(input, DialogLimits::default()).unwrap();
        let want: Vec<Reply> = expected.iter().map(|(c, l)| reply(*c, l)).collect();
        assert_eq!(got, want, "input {:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn every_split_point_gives_the_same_replies() {
    let input: &[u8] = b"230-Welcome\r\n line two\r\n230 done\r\n150 opening\r\n226 ok\r\n";
    let whole = parse_all(input, DialogLimits::default()).unwrap();
    assert_eq!(whole.len(), 3);
    for split in 0..input.len() {
        let mut parser = ReplyParser::new(DialogLimits::default());
        let mut got = Vec::new();
        for piece in [&input[..split], &input[split..]] {
            let mut rest = piece;
            while !rest.is_empty() {
                let (used, reply) = parser.parse(rest).unwrap();
                rest = &rest[used..];
                got.extend(reply);
            }
        }
        assert_eq!(got, whole, "split at {split}");
    }
}

#[test]
fn one_byte_at_a_time() {
    let input: &[u8] = b"220-x\r\n220 y\r\n";
    let mut parser = ReplyParser::new(DialogLimits::default());
    let mut got = None;
    for (i, b) in input.iter().enumerate() {
        let (used, reply) = parser.parse(std::slice::from_ref(b)).unwrap();
        assert_eq!(used, 1);
        if reply.is_some() {
            assert_eq!(i, input.len() - 1);
            got = reply;
        }
    }
    assert_eq!(got.unwrap().text(), "x\ny");
}

#[test]
fn malformed_first_lines_are_refused() {
    let cases: &[&[u8]] = &[
        b"hello\r\n",
        b"22 short\r\n",
        b"2200 four digits\r\n",
        b"220x\r\n",
        b"020 class zero\r\n",
        b"620 class six\r\n",
        b"+OK pop3\r\n",
        b"\r\n",
    ];
    for input in cases {
        let err = parse_all(input, DialogLimits::default()).unwrap_err();
        assert!(matches!(err, DialogError::MalformedReply { .. }), "{input:?}: {err:?}");
    }
}

#[test]
fn a_long_line_is_refused_before_it_is_buffered() {
    let limits = DialogLimits { max_line_length: 16, max_reply_size: 1024 };
    // Exactly at the limit, with the CRLF split across two pieces, is accepted.
    let mut parser = ReplyParser::new(limits);
    assert_eq!(parser.parse(b"220 123456789012\r").unwrap(), (17, None));
    assert_eq!(parser.parse(b"\n").unwrap().1.unwrap().code(), 220);
    // One byte more is refused while still without a line end.
    let mut parser = ReplyParser::new(limits);
    let err = parser.parse(b"220 1234567890123").unwrap_err();
    assert_eq!(err, DialogError::LineTooLong { limit: 16, seen: 17 });
    assert!(!parser.is_partial(), "the parser forgets the broken reply");
}

#[test]
fn an_endless_reply_is_refused_at_the_size_limit() {
    let limits = DialogLimits { max_line_length: 64, max_reply_size: 1000 };
    let mut parser = ReplyParser::new(limits);
    let mut fed = 0;
    let err = loop {
        match parser.parse(b"220-and more and more\r\n") {
            Ok((_, None)) => fed += 23,
            Ok((_, Some(r))) => panic!("a reply that never ends ended: {r:?}"),
            Err(e) => break e,
        }
        assert!(fed < 2000, "no limit hit");
    };
    assert!(matches!(err, DialogError::ReplyTooLarge { limit: 1000, seen } if seen > 1000 && seen <= 1023));
}

#[test]
fn line_reader_table() {
    let mut reader = LineReader::new(8);
    assert_eq!(reader.push(b"+OK\r\nnext").unwrap(), (5, Some(b"+OK".to_vec())));
    assert_eq!(reader.push(b"next").unwrap(), (4, None));
    assert_eq!(reader.push(b" 1\n").unwrap(), (3, Some(b"next 1".to_vec())));
    assert_eq!(reader.push(b"\n").unwrap(), (1, Some(Vec::new())));
    assert!(matches!(reader.push(b"123456789"), Err(DialogError::LineTooLong { limit: 8, seen: 9 })));
}

#[test]
fn reply_text_and_classes() {
    let r = reply(250, &["250-mail.example", "250-SIZE 100", "250 HELP"]);
    assert_eq!(r.message(), "250-mail.example\n250-SIZE 100\n250 HELP");
    assert_eq!(r.text(), "mail.example\nSIZE 100\nHELP");
    assert!(r.is_positive_completion());
    let classes = [
        (150, StatusClass::PositivePreliminary),
        (226, StatusClass::PositiveCompletion),
        (331, StatusClass::PositiveIntermediate),
        (421, StatusClass::TransientNegative),
        (550, StatusClass::PermanentNegative),
    ];
    for (code, class) in classes {
        assert_eq!(reply(code, &["x"]).class(), class);
        assert_eq!(StatusClass::of(code), Some(class));
    }
    assert_eq!(StatusClass::of(99), None);
    assert_eq!(StatusClass::of(600), None);
}
