//! The mail samples run as programs on 127.0.0.1: `mail` (POCO's Mail sample) against
//! aiosmtpd, plain with AUTH, STARTTLS and implicit TLS, and refused; `pop3_list` against a
//! private dovecot, plain, POP3S and STLS, fetching and deleting.
#![cfg(all(feature = "net", feature = "netssl"))]

#[path = "../crates/netssl/tests/peers/dovecot.rs"]
mod dovecot;
#[path = "../crates/netssl/tests/peers/smtp.rs"]
mod smtp;
mod support;

use std::path::Path;

use rpoco::net::mail::{MailMessage, MailPartSource, MailRecipient};
use rpoco_testcerts::DevCerts;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn certs(dir: &Path) -> (String, String, String) {
    DevCerts::generate().unwrap().write_to(dir).unwrap();
    let f = |n: &str| dir.join(n).to_string_lossy().into_owned();
    (f("server.pem"), f("server.key"), f("ca.pem"))
}

fn b64(v: &serde_json::Value) -> Vec<u8> {
    rpoco::foundation::base64::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn mail_sends_plain_starttls_and_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, ca) = certs(dir.path());
    let attachment = dir.path().join("report.bin");
    let data: Vec<u8> = (0..50_000u32).map(|i| (i * 11 % 256) as u8).collect();
    std::fs::write(&attachment, &data).unwrap();
    let attachment = attachment.to_string_lossy().into_owned();

    // Plain SMTP with AUTH, a non-ASCII subject and an attachment.
    let Some(peer) = smtp::SmtpPeer::start("plain", true, &cert, &key) else { return };
    let port = peer.port.to_string();
    let args = [
        "127.0.0.1",
        "sender@example.com",
        "rcpt@example.com",
        "--port",
        &port,
        "--user",
        "user",
        "--password",
        "secret",
        "--subject",
        "Grüße vom Beispiel",
        "--attach",
        &attachment,
    ];
    let Some(out) = support::run("mail", &args, &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = peer.received(1);
    assert_eq!(got["subject"], "Grüße vom Beispiel");
    assert_eq!(got["authenticated"], true);
    assert_eq!(got["rcpt_tos"], serde_json::json!(["rcpt@example.com"]));
    let parts = got["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert!(text(&b64(&parts[0]["payload"])).starts_with("Hello rcpt@example.com,"));
    assert_eq!(parts[1]["filename"], "report.bin");
    assert_eq!(b64(&parts[1]["payload"]), data);

    // Without credentials this server refuses the envelope: exit 1 and the code on stderr.
    let refused =
        support::run("mail", &["127.0.0.1", "a@example.com", "b@example.com", "--port", &port], &[]).unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("530"), "{}", text(&refused.stderr));

    // STARTTLS and implicit TLS, verified against the test CA.
    for (mode, flag) in [("starttls", "--starttls"), ("implicit", "--tls")] {
        let peer = smtp::SmtpPeer::start(mode, false, &cert, &key).unwrap();
        let port = peer.port.to_string();
        let args =
            ["localhost", "sender@example.com", "rcpt@example.com", "--port", &port, flag, "--ca", &ca];
        let out = support::run("mail", &args, &[]).unwrap();
        assert!(out.status.success(), "{mode}: {}", text(&out.stderr));
        let got = peer.received(1);
        assert_eq!(got["tls"], true, "{mode}");
        // Without the CA the server's certificate is not trusted: nothing is sent.
        let args = ["localhost", "sender@example.com", "rcpt@example.com", "--port", &port, flag];
        let out = support::run("mail", &args, &[]).unwrap();
        assert_eq!(out.status.code(), Some(1), "{mode}");
    }
}

#[test]
fn pop3_list_lists_fetches_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, ca) = certs(dir.path());
    let Some(mut dovecot) = dovecot::Dovecot::start(&cert, &key) else { return };
    let mut sent = Vec::new();
    for subject in ["Erste Nachricht", "Second message"] {
        let mut m = MailMessage::new();
        m.set_sender("sender@example.com");
        m.add_recipient(MailRecipient::to("user@example.com"));
        m.set_subject(subject);
        m.add_content(
            MailPartSource::from_bytes("Hello\r\n.dot line\r\n", "text/plain", ""),
            Default::default(),
        );
        let wire = m.to_bytes().unwrap();
        dovecot.deliver(&wire);
        sent.push(wire);
    }
    let login = ["--user", dovecot::USER, "--password", dovecot::PASSWORD];
    let port = dovecot.pop3_port.to_string();
    let mut args = vec!["127.0.0.1", "--port", &port];
    args.extend(login);
    args.extend(["--fetch", "1"]);
    let Some(out) = support::run("pop3_list", &args, &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = format!(
        "1 {} Erste Nachricht\n2 {} Second message\n{}",
        sent[0].len(),
        sent[1].len(),
        text(&sent[0])
    );
    assert_eq!(text(&out.stdout), expected);

    // POP3S and STLS, verified against the test CA; the second deletes message 2.
    let pop3s = dovecot.pop3s_port.to_string();
    for (flag, port, delete) in [("--tls", &pop3s, false), ("--stls", &port, true)] {
        let mut args = vec!["localhost", "--port", port.as_str(), flag, "--ca", &ca];
        args.extend(login);
        if delete {
            args.extend(["--delete", "2"]);
        }
        let out = support::run("pop3_list", &args, &[]).unwrap();
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        assert!(text(&out.stdout).starts_with("1 "), "{flag}");
    }
    assert_eq!(dovecot.stored(), 1);

    // A wrong password: exit 1 with dovecot's -ERR on stderr.
    let out =
        support::run("pop3_list", &["127.0.0.1", "--port", &port, "--user", "user", "--password", "no"], &[])
            .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("-ERR"), "{}", text(&out.stderr));
}
