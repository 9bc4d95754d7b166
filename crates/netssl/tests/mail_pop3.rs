//! POP3 against a real peer: a private Debian dovecot (dovecot-pop3d) instance on 127.0.0.1,
//! plain, POP3S (implicit TLS) and STLS. The test delivers messages written by our
//! `MailMessage` into the maildir, retrieves them (parsed part for part, raw, header only),
//! deletes one and checks that dovecot removed it at QUIT.

mod common;
#[path = "peers/dovecot.rs"]
mod dovecot;

use std::time::Duration;

use dovecot::{Dovecot, PASSWORD, USER};
use rpoco_net::mail::{
    ContentTransferEncoding, MailMessage, MailPartSource, MailRecipient, MessageInfo, Pop3ClientSession,
    RecipientType,
};
use rpoco_net::{Detail, ErrorKind, Timeout};
use rpoco_netssl::{SecurePop3ClientSession, VerificationMode};

const T: Option<Duration> = Some(Duration::from_secs(20));

fn attachment(n: usize) -> Vec<u8> {
    (0..n as u32).map(|i| (i * 13 % 256) as u8).collect()
}

fn message(n: usize) -> MailMessage {
    let mut m = MailMessage::new();
    m.set_sender("Sändər <sender@example.com>");
    m.add_recipient(MailRecipient::new(RecipientType::Primary, "user@example.com", "Zoë"));
    m.set_subject(&format!("Nachricht {n}: Grüße aus Köln"));
    let body = format!("Message {n}\r\n.a line starting with a dot\r\n.\r\nünïcode\r\n");
    m.add_content(
        MailPartSource::from_bytes(body, "text/plain; charset=utf-8", ""),
        ContentTransferEncoding::QuotedPrintable,
    );
    m.add_attachment(
        "data.bin",
        MailPartSource::from_bytes(attachment(1000 * n), "application/octet-stream", "data.bin"),
        ContentTransferEncoding::Base64,
    );
    m
}

fn assert_same(got: &MailMessage, sent: &MailMessage) {
    assert_eq!(got.subject(), sent.subject());
    assert_eq!(got.sender(), sent.sender());
    assert_eq!(got.recipients(), sent.recipients());
    assert_eq!(got.parts().len(), sent.parts().len());
    for (g, s) in got.parts().iter().zip(sent.parts()) {
        assert_eq!(g.source.bytes(), s.source.bytes());
        assert_eq!(g.source.filename(), s.source.filename());
        assert_eq!(g.disposition, s.disposition);
    }
}

/// The messages delivered to the maildir, with their bytes on the wire.
type Delivered = Vec<(MailMessage, Vec<u8>)>;

fn start() -> Option<(Dovecot, common::Files, Delivered)> {
    let files = common::Files::new();
    let mut dovecot = Dovecot::start(&files.get("server.pem"), &files.get("server.key"))?;
    let mut sent = Vec::new();
    for n in 1..=3 {
        let m = message(n);
        let wire = m.to_bytes().unwrap();
        dovecot.deliver(&wire);
        sent.push((m, wire));
    }
    Some((dovecot, files, sent))
}

#[test]
fn plain_list_retrieve_and_delete() {
    let Some((dovecot, _files, sent)) = start() else { return };
    let mut s = Pop3ClientSession::connect_timeout("127.0.0.1", dovecot.pop3_port, T).unwrap();
    s.login(USER, PASSWORD).unwrap_or_else(|e| panic!("{e}\n{}", dovecot.log()));
    assert_eq!(s.message_count().unwrap(), 3);
    let list = s.list_messages().unwrap();
    let sizes: Vec<MessageInfo> = sent
        .iter()
        .enumerate()
        .map(|(i, (_, w))| MessageInfo { id: i as u32 + 1, size: w.len() as u64 })
        .collect();
    assert_eq!(list, sizes);
    for (i, (m, wire)) in sent.iter().enumerate() {
        let id = i as u32 + 1;
        let mut got = MailMessage::new();
        s.retrieve_message(id, &mut got).unwrap();
        assert_same(&got, m);
        let mut raw = Vec::new();
        assert_eq!(s.retrieve_message_to(id, &mut raw).unwrap(), wire.len() as u64);
        assert_eq!(&raw, wire, "dot-unstuffed bytes equal what was delivered");
        let header = s.retrieve_header(id).unwrap();
        assert_eq!(header.get("Subject").map(|v| v.to_string()), Some(m.subject().to_string()));
    }
    // A message that does not exist: dovecot's -ERR, kind Pop3 with its line.
    let e = s.retrieve_message_to(99, &mut Vec::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pop3, "{e}");
    assert!(matches!(e.detail(), Detail::Peer(line) if line.starts_with("-ERR")), "{e}");
    // Still in step after the error.
    assert_eq!(s.message_count().unwrap(), 3);
    s.delete_message(2).unwrap();
    s.close().unwrap();
    assert_eq!(dovecot.stored(), 2, "QUIT committed the deletion");

    let mut s = Pop3ClientSession::connect_timeout("127.0.0.1", dovecot.pop3_port, T).unwrap();
    s.login(USER, PASSWORD).unwrap();
    assert_eq!(s.message_count().unwrap(), 2);
    let mut got = MailMessage::new();
    s.retrieve_message(2, &mut got).unwrap();
    assert_same(&got, &sent[2].0);
    s.close().unwrap();

    // A wrong password: dovecot's -ERR as a Pop3 error.
    let mut s = Pop3ClientSession::connect_timeout("127.0.0.1", dovecot.pop3_port, T).unwrap();
    let e = s.login(USER, "wrong").unwrap_err();
    assert_eq!((e.kind(), e.poco_class()), (ErrorKind::Pop3, "POP3Exception"), "{e}");
}

#[test]
fn pop3s_stls_and_mismatches() {
    let Some((dovecot, _files, sent)) = start() else { return };
    let ctx = common::client_context(VerificationMode::Relaxed);

    // POP3S: TLS from the first byte, verified against the test CA.
    let mut s = SecurePop3ClientSession::connect_tls("localhost", dovecot.pop3s_port, ctx.clone(), T)
        .unwrap_or_else(|e| panic!("{e}\n{}", dovecot.log()));
    assert!(s.session().is_secure());
    s.session_mut().login(USER, PASSWORD).unwrap();
    let mut got = MailMessage::new();
    s.session_mut().retrieve_message(1, &mut got).unwrap();
    assert_same(&got, &sent[0].0);
    s.session_mut().close().unwrap();

    // STLS on the plain port: CAPA offers it, then the same session goes on in TLS.
    let mut s = SecurePop3ClientSession::connect("localhost", dovecot.pop3_port, ctx.clone(), T).unwrap();
    let caps = s.session_mut().capabilities().unwrap();
    assert!(caps.iter().any(|c| c == "STLS"), "{caps:?}");
    assert!(!s.session().is_secure());
    s.start_tls().unwrap();
    assert!(s.session().is_secure());
    s.session_mut().login(USER, PASSWORD).unwrap();
    assert_eq!(s.session_mut().message_count().unwrap(), 3);
    let mut got = MailMessage::new();
    s.session_mut().retrieve_message(3, &mut got).unwrap();
    assert_same(&got, &sent[2].0);
    s.session_mut().delete_message(1).unwrap();
    s.session_mut().close().unwrap();
    assert_eq!(dovecot.stored(), 2);

    // A CA the client does not trust: the handshake fails, nothing is sent in clear.
    let untrusting = rpoco_netssl::Context::new(
        rpoco_netssl::Usage::Client,
        "",
        "",
        "",
        VerificationMode::Relaxed,
        9,
        false,
        "",
    )
    .unwrap();
    let e = SecurePop3ClientSession::connect_tls("localhost", dovecot.pop3s_port, untrusting, T).unwrap_err();
    assert_eq!(e.kind(), rpoco_netssl::ErrorKind::CertificateValidation, "{e}");

    // POP3S on the plaintext port: the error says the server speaks plaintext.
    let e = SecurePop3ClientSession::connect_tls("localhost", dovecot.pop3_port, ctx, T).unwrap_err();
    assert_eq!(e.net_error().map(|n| n.kind()), Some(ErrorKind::Protocol), "{e}");
    // Plain POP3 on the TLS port: no greeting comes; a read timeout that names the greeting.
    let mut s =
        Pop3ClientSession::connect_timeout("127.0.0.1", dovecot.pop3s_port, Some(Duration::from_secs(1)))
            .unwrap();
    let e = s.login(USER, PASSWORD).unwrap_err();
    assert_eq!(e.timeout_kind(), Some(Timeout::Read), "{e}");
}
