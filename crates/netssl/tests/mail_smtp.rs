//! SMTP against a real peer: aiosmtpd (PyPI) on 127.0.0.1, plain with AUTH PLAIN/LOGIN,
//! STARTTLS and implicit TLS. What the server received is parsed by Python's `email`
//! package and must equal what was sent: headers, non-ASCII subject, parts, attachment bytes.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rpoco_net::mail::{
    ContentTransferEncoding, LoginMethod, MailMessage, MailPartSource, MailRecipient, RecipientType,
    ServerReplyError, SmtpClientSession,
};
use rpoco_netssl::{SecureSmtpClientSession, VerificationMode};
use serde_json::Value;

struct SmtpPeer {
    child: Child,
    port: u16,
    out: tempfile::TempDir,
    _files: common::Files,
}

impl SmtpPeer {
    /// `None` (skip) when python3 or aiosmtpd is missing outside CI.
    fn start(mode: &str, auth: bool) -> Option<SmtpPeer> {
        let ok = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "aiosmtpd is required under CI (scripts/deps/mail.pip)"
            );
            eprintln!("SKIP: python3 with aiosmtpd not installed (run scripts/install-test-deps.sh)");
            return None;
        }
        let files = common::Files::new();
        let out = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/smtp_peer.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).args(["--mode", mode, "--out"]).arg(out.path());
        cmd.args(["--cert", &files.get("server.pem"), "--key", &files.get("server.key")]);
        if auth {
            cmd.arg("--auth");
        }
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("peer said {line:?}"));
        Some(SmtpPeer { child, port, out, _files: files })
    }

    /// The JSON summary of the `n`th message received (1-based).
    fn received(&self, n: usize) -> Value {
        let path: PathBuf = self.out.path().join(format!("{n}.json"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !path.exists() {
            assert!(Instant::now() < deadline, "message {n} not received");
            std::thread::sleep(Duration::from_millis(20));
        }
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }
}

impl Drop for SmtpPeer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn attachment() -> Vec<u8> {
    (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect()
}

fn message() -> MailMessage {
    let mut m = MailMessage::new();
    m.set_sender("Sändər <sender@example.com>");
    m.add_recipient(MailRecipient::new(RecipientType::Primary, "to@example.com", "Zoë Tö"));
    m.add_recipient(MailRecipient::new(RecipientType::Cc, "cc@example.com", ""));
    m.add_recipient(MailRecipient::new(RecipientType::Bcc, "hidden@example.com", "Hidden"));
    m.set_subject("Grüße – a test with a rather long subject line that needs folding, ok?");
    let body = "Hello,\r\n.a line starting with a dot\r\n..two dots\r\n.\r\nünïcode body\r\n";
    m.add_content(
        MailPartSource::from_bytes(body, "text/plain; charset=utf-8", ""),
        ContentTransferEncoding::QuotedPrintable,
    );
    m.add_attachment(
        "data.bin",
        MailPartSource::from_bytes(attachment(), "application/octet-stream", "data.bin"),
        ContentTransferEncoding::Base64,
    );
    m
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
    let Some(peer) = SmtpPeer::start("plain", true) else { return };
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
    assert_eq!(e.poco_class(), "SMTPException");
    let reply = ServerReplyError::of(&e).expect("reply details");
    assert_eq!(reply.code, Some(535), "{e}");
    assert!(e.to_string().contains("535"), "{e}");
    // Without AUTH the server refuses MAIL FROM (530), named in the error.
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", peer.port, T).unwrap();
    s.login("client.test").unwrap();
    let e = s.send_message(&sent).unwrap_err();
    assert_eq!(ServerReplyError::of(&e).and_then(|r| r.code), Some(530), "{e}");
    // CRAM-MD5 is not offered by this server: refused before sending anything.
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", peer.port, T).unwrap();
    let e = s.login_with("client.test", LoginMethod::CramMd5, "user", "secret").unwrap_err();
    assert!(e.to_string().contains("does not support CRAM-MD5"), "{e}");
}

#[test]
fn starttls_then_send() {
    let Some(peer) = SmtpPeer::start("starttls", false) else { return };
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
    assert_eq!(ServerReplyError::of(&e).and_then(|r| r.code), Some(530), "{e}");
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
    let Some(tls_peer) = SmtpPeer::start("implicit", false) else { return };
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
    assert!(e.is_timeout(), "{e}");
    assert!(e.to_string().contains("implicit TLS"), "{e}");

    // Implicit TLS on a plaintext port: the error says the server speaks plaintext.
    let Some(plain_peer) = SmtpPeer::start("plain", false) else { return };
    let e = SecureSmtpClientSession::connect_tls("localhost", plain_peer.port, ctx, T).unwrap_err();
    assert!(e.to_string().contains("plaintext"), "{e}");
}
