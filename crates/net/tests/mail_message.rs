//! POCO's Net/testsuite MailMessageTest, ported where it tests behaviour, plus the bad-input
//! cases of issue 14 (huge part counts, deep nesting, invalid base64).

use std::io::Read;
use std::time::UNIX_EPOCH;

use rpoco_net::mail::{
    ContentDisposition, ContentTransferEncoding, MailLimits, MailMessage, MailPartSource, MailRecipient,
    RecipientType,
};
use rpoco_net::{ErrorKind, Limit, MessageHeader};

fn message_with(recipients: &[(RecipientType, &str, &str)]) -> MailMessage {
    let mut m = MailMessage::new();
    for (kind, addr, name) in recipients {
        m.add_recipient(MailRecipient::new(*kind, addr, name));
    }
    m.set_subject("Test Message");
    m.set_sender("poco@appinf.com");
    m
}

fn written(m: &MailMessage) -> String {
    String::from_utf8(m.to_bytes().unwrap()).unwrap()
}

#[test]
fn write_qp() {
    let mut m = message_with(&[
        (RecipientType::Primary, "john.doe@no.where", "John Doe"),
        (RecipientType::Cc, "jane.doe@no.where", "Jane Doe"),
        (RecipientType::Bcc, "walter.foo@no.where", "Frank Foo"),
        (RecipientType::Bcc, "bernie.bar@no.where", "Bernie Bar"),
    ]);
    m.set_content(
        "Hello, world!\r\nThis is a test for the MailMessage class.\r\nTo test the quoted-printable encoding, we'll put an extra long line here. This should be enough.\r\nAnd here is some more =fe.\r\n",
        ContentTransferEncoding::QuotedPrintable,
    );
    m.set_date(UNIX_EPOCH);
    assert!(!m.is_multipart());
    assert_eq!(
        written(&m),
        "Date: Thu, 1 Jan 1970 00:00:00 GMT\r\n\
         Content-Type: text/plain\r\n\
         Subject: Test Message\r\n\
         From: poco@appinf.com\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         To: John Doe <john.doe@no.where>\r\n\
         CC: Jane Doe <jane.doe@no.where>\r\n\
         \r\n\
         Hello, world!\r\n\
         This is a test for the MailMessage class.\r\n\
         To test the quoted-printable encoding, we'll put an extra long line here. T=\r\n\
         his should be enough.\r\n\
         And here is some more =3Dfe.\r\n"
    );
}

#[test]
fn write_8bit_and_base64() {
    let mut m = message_with(&[(RecipientType::Primary, "john.doe@no.where", "John Doe")]);
    m.set_content(
        "Hello, world!\r\nThis is a test for the MailMessage class.\r\n",
        ContentTransferEncoding::EightBit,
    );
    m.set_date(UNIX_EPOCH);
    let head = "Date: Thu, 1 Jan 1970 00:00:00 GMT\r\nContent-Type: text/plain\r\nSubject: Test Message\r\nFrom: poco@appinf.com\r\n";
    assert_eq!(
        written(&m),
        format!(
            "{head}Content-Transfer-Encoding: 8bit\r\nTo: John Doe <john.doe@no.where>\r\n\r\nHello, world!\r\nThis is a test for the MailMessage class.\r\n"
        )
    );
    m.set_content(
        "Hello, world!\r\nThis is a test for the MailMessage class.\r\n",
        ContentTransferEncoding::Base64,
    );
    assert_eq!(
        written(&m),
        format!(
            "{head}Content-Transfer-Encoding: base64\r\nTo: John Doe <john.doe@no.where>\r\n\r\nSGVsbG8sIHdvcmxkIQ0KVGhpcyBpcyBhIHRlc3QgZm9yIHRoZSBNYWlsTWVzc2FnZSBjbGFz\r\ncy4NCg=="
        )
    );
}

#[test]
fn write_many_recipients_folds_the_to_header() {
    let mut m = message_with(&[
        (RecipientType::Primary, "john.doe@no.where", "John Doe"),
        (RecipientType::Primary, "jane.doe@no.where", "Jane Doe"),
        (RecipientType::Primary, "walter.foo@no.where", "Frank Foo"),
        (RecipientType::Primary, "bernie.bar@no.where", "Bernie Bar"),
        (RecipientType::Primary, "joe.spammer@no.where", "Joe Spammer"),
    ]);
    m.set_content("x", ContentTransferEncoding::EightBit);
    let s = written(&m);
    assert!(
        s.contains(
            "To: John Doe <john.doe@no.where>, Jane Doe <jane.doe@no.where>, \r\n\
             \tFrank Foo <walter.foo@no.where>, Bernie Bar <bernie.bar@no.where>, \r\n\
             \tJoe Spammer <joe.spammer@no.where>\r\n"
        ),
        "{s}"
    );
}

#[test]
fn write_multipart() {
    let mut m = message_with(&[(RecipientType::Primary, "john.doe@no.where", "John Doe")]);
    m.set_date(UNIX_EPOCH);
    m.add_content(
        MailPartSource::from_bytes("Hello World!\r\n", "text/plain", ""),
        ContentTransferEncoding::EightBit,
    );
    let mut sps = MailPartSource::from_bytes(
        "This is some binary data. Really.",
        "application/octet-stream",
        "sample.dat",
    );
    sps.headers_mut().set("Content-ID", "abcd1234");
    m.add_attachment("sample", sps, ContentTransferEncoding::Base64);
    assert!(m.is_multipart());
    let b = m.boundary().to_owned();
    assert_eq!(
        written(&m),
        format!(
            "Date: Thu, 1 Jan 1970 00:00:00 GMT\r\n\
             Content-Type: multipart/mixed; boundary={b}\r\n\
             Subject: Test Message\r\n\
             From: poco@appinf.com\r\n\
             To: John Doe <john.doe@no.where>\r\n\
             Mime-Version: 1.0\r\n\
             \r\n\
             --{b}\r\n\
             Content-Type: text/plain\r\n\
             Content-Transfer-Encoding: 8bit\r\n\
             Content-Disposition: inline\r\n\
             \r\n\
             Hello World!\r\n\
             \r\n\
             --{b}\r\n\
             Content-ID: abcd1234\r\n\
             Content-Type: application/octet-stream; name=sample\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=sample.dat\r\n\
             \r\n\
             VGhpcyBpcyBzb21lIGJpbmFyeSBkYXRhLiBSZWFsbHku\r\n\
             --{b}--\r\n"
        )
    );
}

#[test]
fn read_qp_8bit_and_default_encoding() {
    let m = MailMessage::from_bytes(
        b"Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain\r\nDate: Thu, 1 Jan 1970 00:00:00 GMT\r\nFrom: poco@appinf.com\r\nSubject: Test Message\r\nTo: John Doe <john.doe@no.where>\r\n\r\nHello, world!\r\nThis is a test for the MailMessage class.\r\nTo test the quoted-printable encoding, we'll put an extra long line here. T=\r\nhis should be enough.\r\nAnd here is some more =3Dfe.\r\n",
    )
    .unwrap();
    assert_eq!(m.sender(), "poco@appinf.com");
    assert_eq!(m.content_type(), "text/plain");
    assert_eq!(m.date(), Some(UNIX_EPOCH));
    assert_eq!(m.encoding(), ContentTransferEncoding::QuotedPrintable);
    assert_eq!(
        m.content(),
        b"Hello, world!\r\nThis is a test for the MailMessage class.\r\nTo test the quoted-printable encoding, we'll put an extra long line here. This should be enough.\r\nAnd here is some more =fe.\r\n"
    );
    assert_eq!(m.recipients(), [MailRecipient::new(RecipientType::Primary, "john.doe@no.where", "John Doe")]);
    for cte in ["", "Content-Transfer-Encoding: 8bit\r\n"] {
        let text = format!("{cte}Content-Type: text/plain\r\nFrom: poco@appinf.com\r\n\r\nHello, world!\r\n");
        let m = MailMessage::from_bytes(text.as_bytes()).unwrap();
        assert_eq!(m.content(), b"Hello, world!\r\n");
    }
}

const MULTIPART: &str = "Content-Type: multipart/mixed; boundary=MIME_boundary_01234567\r\n\
    Date: Thu, 1 Jan 1970 00:00:00 GMT\r\n\
    From: poco@appinf.com\r\n\
    Mime-Version: 1.0\r\n\
    Subject: Test Message\r\n\
    To: John Doe <john.doe@no.where>\r\n\
    \r\n\
    \r\n\
    --MIME_boundary_01234567\r\n\
    Content-Disposition: inline\r\n\
    Content-Transfer-Encoding: 8bit\r\n\
    Content-Type: text/plain\r\n\
    \r\n\
    Hello World!\r\n\
    \r\n\
    --MIME_boundary_01234567\r\n\
    Content-Disposition: attachment; filename=sample.dat\r\n\
    Content-Transfer-Encoding: base64\r\n\
    Content-Type: application/octet-stream; name=sample\r\n\
    \r\n\
    VGhpcyBpcyBzb21lIGJpbmFyeSBkYXRhLiBSZWFsbHku\r\n\
    --MIME_boundary_01234567--\r\n";

fn collect(text: &[u8]) -> Vec<(String, String, Vec<u8>)> {
    let mut seen = Vec::new();
    let mut handler = |h: &MessageHeader, body: &mut dyn Read| {
        let mut data = Vec::new();
        body.read_to_end(&mut data)?;
        seen.push((
            h.get("Content-Disposition").unwrap_or("").to_owned(),
            h.get("Content-Type").unwrap_or("").to_owned(),
            data,
        ));
        Ok(())
    };
    let mut m = MailMessage::new();
    m.read_with(&mut &text[..], &mut handler, &MailLimits::default()).unwrap();
    seen
}

#[test]
fn read_multipart_with_a_handler_and_without_final_boundary() {
    let full = collect(MULTIPART.as_bytes());
    let expected = vec![
        ("inline".to_owned(), "text/plain".to_owned(), b"Hello World!\r\n".to_vec()),
        (
            "attachment; filename=sample.dat".to_owned(),
            "application/octet-stream; name=sample".to_owned(),
            b"This is some binary data. Really.".to_vec(),
        ),
    ];
    assert_eq!(full, expected);
    let truncated = MULTIPART.strip_suffix("--MIME_boundary_01234567--\r\n").unwrap();
    assert_eq!(collect(truncated.as_bytes()), expected);
    let no_cte = MULTIPART.replacen("Content-Transfer-Encoding: 8bit\r\n", "", 1);
    assert_eq!(collect(no_cte.as_bytes()), expected);
}

#[test]
fn read_multipart_into_the_message() {
    let m = MailMessage::from_bytes(MULTIPART.as_bytes()).unwrap();
    assert!(m.is_multipart());
    assert_eq!(m.parts().len(), 2);
    assert_eq!(m.parts()[0].encoding, ContentTransferEncoding::EightBit);
    assert_eq!(m.parts()[0].disposition, ContentDisposition::Inline);
    assert_eq!(m.parts()[1].name, "sample");
    assert_eq!(m.parts()[1].source.filename(), "sample.dat");
    assert_eq!(m.parts()[1].encoding, ContentTransferEncoding::Base64);
    assert_eq!(m.parts()[1].disposition, ContentDisposition::Attachment);
    assert_eq!(
        m.parts()[1].source.headers().get("content-type"),
        Some("application/octet-stream; name=sample")
    );
    // Mixed-case header names, an empty Content-Disposition (inline).
    let mixed = MULTIPART
        .replace("Content-Type: multipart", "Content-type: multipart")
        .replace("Content-Disposition: inline", "content-disposition: ")
        .replace("Content-Transfer-Encoding: base64", "content-Transfer-encodING: base64");
    let m = MailMessage::from_bytes(mixed.as_bytes()).unwrap();
    assert_eq!(m.get("content-type"), Some("multipart/mixed; boundary=MIME_boundary_01234567"));
    assert_eq!(m.parts()[0].disposition, ContentDisposition::Inline);
    assert_eq!(m.parts()[1].encoding, ContentTransferEncoding::Base64);
}

#[test]
fn read_write_multipart_is_byte_identical() {
    let msgin = "Content-Type: multipart/mixed; boundary=MIME_boundary_31E8A8D61DF53389\r\n\
        Date: Thu, 1 Jan 1970 00:00:00 GMT\r\n\
        From: poco@appinf.com\r\n\
        Mime-Version: 1.0\r\n\
        Subject: Test Message\r\n\
        To: John Doe <john.doe@no.where>\r\n\
        \r\n\
        --MIME_boundary_31E8A8D61DF53389\r\n\
        Content-Disposition: inline\r\n\
        Content-Transfer-Encoding: 8bit\r\n\
        Content-Type: text/plain\r\n\
        \r\n\
        Hello World!\r\n\
        \r\n\
        --MIME_boundary_31E8A8D61DF53389\r\n\
        Content-Disposition: attachment; filename=sample.dat\r\n\
        Content-ID: abcd1234\r\n\
        Content-Transfer-Encoding: base64\r\n\
        Content-Type: application/octet-stream; name=sample\r\n\
        \r\n\
        VGhpcyBpcyBzb21lIGJpbmFyeSBkYXRhLiBSZWFsbHku\r\n\
        --MIME_boundary_31E8A8D61DF53389--\r\n";
    let m = MailMessage::from_bytes(msgin.as_bytes()).unwrap();
    assert_eq!(written(&m), msgin);
}

#[test]
fn empty_boundary_is_an_error() {
    let e = MailMessage::from_bytes(
        b"Content-Type: multipart/mixed; boundary\r\nFrom: poco@appinf.com\r\n\r\n\r\n--\r\nContent-Disposition: inline\r\n\r\nHello\r\n----\r\n",
    )
    .unwrap_err();
    assert_eq!(e.poco_class(), "MessageException", "{e}");
}

#[test]
fn non_ascii_subject_names_and_filenames_round_trip() {
    let mut m = MailMessage::new();
    m.set_sender("Jürgen <j@x.org>");
    m.add_recipient(MailRecipient::new(RecipientType::Primary, "z@x.org", "Zoë \"Z\" Ünal"));
    m.set_subject("Grüße aus Köln – ein sehr langer Betreff, der über mehrere Zeilen gefaltet werden muss");
    m.add_content(
        MailPartSource::from_bytes("Text\r\n", "text/plain; charset=utf-8", ""),
        ContentTransferEncoding::QuotedPrintable,
    );
    m.add_attachment(
        "",
        MailPartSource::from_bytes(vec![1, 2, 3], "application/octet-stream", "Bericht-März.bin"),
        ContentTransferEncoding::Base64,
    );
    let wire = m.to_bytes().unwrap();
    assert!(wire.is_ascii());
    let back = MailMessage::from_bytes(&wire).unwrap();
    assert_eq!(back.subject(), m.subject());
    assert_eq!(back.sender(), m.sender());
    assert_eq!(back.recipients()[0].real_name(), "Zoë \"Z\" Ünal");
    assert_eq!(back.parts()[1].source.filename(), "Bericht-März.bin");
    assert_eq!(back.parts()[1].source.bytes(), Some(&[1u8, 2, 3][..]));
}

#[test]
fn header_injection_is_refused() {
    let mut m = MailMessage::new();
    m.set_subject("hi\r\nBcc: victim@x.org");
    let e = m.to_bytes().unwrap_err();
    assert_eq!(e.poco_class(), "InvalidArgumentException");
}

#[test]
fn file_attachments_are_streamed_and_rewritable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let mut m = MailMessage::new();
    m.add_attachment(
        "big.bin",
        MailPartSource::from_file(&path, "application/octet-stream").unwrap(),
        ContentTransferEncoding::Base64,
    );
    let first = m.to_bytes().unwrap();
    assert_eq!(first, m.to_bytes().unwrap());
    let back = MailMessage::from_bytes(&first).unwrap();
    assert_eq!(back.parts()[0].source.bytes(), Some(&data[..]));
    let missing = MailPartSource::from_file(dir.path().join("nope"), "text/plain").unwrap_err();
    assert_eq!(missing.poco_class(), "OpenFileException");
}

fn nested(depth: usize) -> String {
    let mut s = String::from("Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
    for d in 1..depth {
        s.push_str(&format!("--b{}\r\nContent-Type: multipart/mixed; boundary=b{d}\r\n\r\n", d - 1));
    }
    s.push_str(&format!("--b{}\r\nContent-Type: text/plain\r\n\r\nleaf\r\n", depth - 1));
    for d in (0..depth).rev() {
        s.push_str(&format!("--b{d}--\r\n"));
    }
    s
}

#[test]
fn nesting_is_walked_up_to_the_depth_limit() {
    let m = MailMessage::from_bytes(nested(3).as_bytes()).unwrap();
    assert_eq!(m.parts().len(), 1);
    assert_eq!(m.parts()[0].source.bytes(), Some(&b"leaf"[..]));
    let e = MailMessage::from_bytes(nested(100).as_bytes()).unwrap_err();
    assert_eq!((e.kind(), e.limit_kind()), (ErrorKind::LimitExceeded, Some(Limit::Nesting)), "{e}");
    let limits = MailLimits { max_depth: 100, ..MailLimits::default() };
    let mut m = MailMessage::new();
    m.read_with_limits(&mut nested(100).as_bytes(), &limits).unwrap();
    assert_eq!(m.parts()[0].source.bytes(), Some(&b"leaf"[..]));
}

#[test]
fn ten_thousand_parts_hit_the_part_limit() {
    let mut s = String::from("Content-Type: multipart/mixed; boundary=zz\r\n\r\n");
    for _ in 0..10_000 {
        s.push_str("--zz\r\n\r\nx\r\n");
    }
    s.push_str("--zz--\r\n");
    let e = MailMessage::from_bytes(s.as_bytes()).unwrap_err();
    assert_eq!((e.kind(), e.limit_kind()), (ErrorKind::LimitExceeded, Some(Limit::Parts)), "{e}");
    let limits = MailLimits { max_parts: 20_000, ..MailLimits::default() };
    let mut m = MailMessage::new();
    m.read_with_limits(&mut s.as_bytes(), &limits).unwrap();
    assert_eq!(m.parts().len(), 10_000);
}

#[test]
fn invalid_base64_and_quoted_printable_are_data_format_errors() {
    let bad = MULTIPART.replace("VGhpcyBpcyBzb21lIGJpbmFyeSBkYXRhLiBSZWFsbHku", "VGhpcy!!!");
    let e = MailMessage::from_bytes(bad.as_bytes()).unwrap_err();
    assert_eq!(e.poco_class(), "DataFormatException", "{e}");
    let e = MailMessage::from_bytes(b"Content-Transfer-Encoding: quoted-printable\r\n\r\nbad =ZZ\r\n")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Message, "{e}");
}

#[test]
fn oversized_headers_and_content_hit_limits() {
    let big = format!("Subject: {}\r\n\r\nbody", "x".repeat(300 * 1024));
    let e = MailMessage::from_bytes(big.as_bytes()).unwrap_err();
    assert_eq!(e.limit_kind(), Some(Limit::HeadLength), "{e}");
    let limits = MailLimits { max_content_size: 10, ..MailLimits::default() };
    let mut m = MailMessage::new();
    let e = m.read_with_limits(&mut &b"From: a\r\n\r\n0123456789ABCDEF"[..], &limits).unwrap_err();
    assert_eq!(e.limit_kind(), Some(Limit::Body), "{e}");
}
