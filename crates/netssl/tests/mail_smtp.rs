//! SMTP against a real peer: aiosmtpd (PyPI) on 127.0.0.1, plain with AUTH PLAIN/LOGIN,
//! STARTTLS and implicit TLS. What the server received is parsed by Python's `email`
//! package and must equal what was sent: headers, non-ASCII subject, parts, attachment bytes.

mod common;
#[path = "../../net/tests/support/mail_fixture.rs"]
mod mail_fixture;
#[path = "peers/smtp.rs"]
mod smtp;

use std::time::Duration;

use mail_fixture::{attachment, message};
use rpoco_net::mail::{LoginMethod, MailMessage, SmtpClientSession};
use rpoco_net::{DialogError, ErrorKind};
use rpoco_netssl::{SecureSmtpClientSession, VerificationMode};
use serde_json::Value;
use smtp::SmtpPeer;

/// aiosmtpd with the dev certificates; the files live as long as the peer.
fn start_peer(mode: &str, auth: bool) -> Option<(SmtpPeer, common::Files)> {
    let files = common::Files::new();
    let peer = SmtpPeer::start(mode, auth, &files.get("server.pem"), &files.get("server.key"))?;
    Some((peer, files))
}

fn b64(v: &Value) -> Vec<u8> {
    rpoco_foundation::base64::decode(v.as_str().unwrap()).unwrap()
}

fn assert_received(got: &Value, sent: &MailMessage) {
    assert_eq!(got["defects"].as_array().unwrap().len(), 0, "{got}");
    assert_eq!(got["subject"], sent.subject());
    assert_eq!(got["from"], "Sändər <sender@example.com>");
    assert_eq!(got["to"], serde_json::json!(["Zoë Tö <to@example.com>"]));
    assert_eq!(got["cc"], serde_json::json!(["cc@example.com"]));
    assert_eq!(got["mail_from"], "sender@example.com");
    assert_eq!(
        got["rcpt_tos"],
        serde_json::json!(["to@example.com", "cc@example.com", "hidden@example.com"])
    );
    assert!(!got["headers"].to_string().contains("hidden@example.com"), "BCC leaked into the headers");
    let parts = got["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0]["content_type"], "text/plain");
    assert_eq!(b64(&parts[0]["payload"]), sent.parts()[0].source.bytes().unwrap());
    assert_eq!(parts[1]["content_type"], "application/octet-stream");
    assert_eq!(parts[1]["filename"], "data.bin");
    assert_eq!(parts[1]["disposition"], "attachment");
    assert_eq!(b64(&parts[1]["payload"]), attachment());
}

const T: Option<Duration> = Some(Duration::from_secs(20));

#[test]
fn plain_with_auth_plain_login_and_auto() {
    let Some((peer, _files)) = start_peer("plain", true) else { return };
    let sent = message();
    for (n, method) in [LoginMethod::Plain, LoginMethod::Login, LoginMethod::Auto].into_iter().enumerate() {
        let mut s = SmtpClientSession::connect_timeout("127.0.0.1", peer.port, T).unwrap();
        s.login_with("client.test", method, "user", "secret").unwrap();
        s.send_message(&sent).unwrap();
        s.close().unwrap();
        let got = peer.received(n + 1);
        assert_received(&got, &sent);
        assert_eq!(got["authenticated"], true);
        assert_eq!(got["tls"], false);
    }
    // A wrong password: the error carries the server's code and text.
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", peer.port, T).unwrap();
    let e = s.login_with("client.test", LoginMethod::Plain, "user", "wrong").unwrap_err();
    assert_eq!((e.kind(), e.poco_class()), (ErrorKind::Smtp, "SMTPException"));
    assert_eq!(e.reply().map(|r| r.code()), Some(535), "{e}");
    // Without AUTH the server refuses MAIL FROM (530), named in the error.
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", peer.port, T).unwrap();
    s.login("client.test").unwrap();
    let e = s.send_message(&sent).unwrap_err();
    assert_eq!((e.kind(), e.reply().map(|r| r.code())), (ErrorKind::Smtp, Some(530)), "{e}");
    // CRAM-MD5 is not offered by this server: refused before sending anything.
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", peer.port, T).unwrap();
    let e = s.login_with("client.test", LoginMethod::CramMd5, "user", "secret").unwrap_err();
    assert!(matches!(e.dialog(), Some(DialogError::BadReply { command, .. }) if command == "EHLO"), "{e}");
}

#[test]
fn starttls_then_send() {
    let Some((peer, _files)) = start_peer("starttls", false) else { return };
    let ctx = common::client_context(VerificationMode::Relaxed);
    let mut s = SecureSmtpClientSession::connect_timeout("localhost", peer.port, ctx, T).unwrap();
    s.login("client.test").unwrap();
    assert!(!s.session().is_secure());
    assert!(s.start_tls().unwrap());
    assert!(s.session().is_secure());
    let sent = message();
    s.session_mut().send_message(&sent).unwrap();
    s.session_mut().close().unwrap();
    let got = peer.received(1);
    assert_received(&got, &sent);
    assert_eq!(got["tls"], true);
    // Without STARTTLS this server refuses the envelope: the code is in the error.
    let mut plain = SmtpClientSession::connect_timeout("127.0.0.1", peer.port, T).unwrap();
    plain.login("client.test").unwrap();
    let e = plain.send_message(&sent).unwrap_err();
    assert_eq!((e.kind(), e.reply().map(|r| r.code())), (ErrorKind::Smtp, Some(530)), "{e}");
    // A CA the client does not trust: STARTTLS fails in the handshake.
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
    let mut s = SecureSmtpClientSession::connect_timeout("localhost", peer.port, untrusting, T).unwrap();
    s.login("client.test").unwrap();
    assert!(s.start_tls().is_err());
}

#[test]
fn implicit_tls_and_plaintext_mismatches() {
    let Some((tls_peer, _f1)) = start_peer("implicit", false) else { return };
    let ctx = common::client_context(VerificationMode::Relaxed);
    let mut s = SecureSmtpClientSession::connect_tls("localhost", tls_peer.port, ctx.clone(), T).unwrap();
    assert!(s.session().is_secure());
    s.login("client.test").unwrap();
    let sent = message();
    s.session_mut().send_message(&sent).unwrap();
    s.session_mut().close().unwrap();
    let got = tls_peer.received(1);
    assert_received(&got, &sent);
    assert_eq!(got["tls"], true);

    // A plain session on the TLS port: no greeting comes; the error says TLS may be needed.
    let mut plain =
        SmtpClientSession::connect_timeout("127.0.0.1", tls_peer.port, Some(Duration::from_secs(2))).unwrap();
    let e = plain.open().unwrap_err();
    assert_eq!(e.timeout_kind(), Some(rpoco_net::Timeout::Read), "{e}");

    // Implicit TLS on a plaintext port: the error says the server speaks plaintext.
    let Some((plain_peer, _f2)) = start_peer("plain", false) else { return };
    let e = SecureSmtpClientSession::connect_tls("localhost", plain_peer.port, ctx, T).unwrap_err();
    assert_eq!(e.net_error().map(|n| n.kind()), Some(ErrorKind::Protocol), "{e}");
}
