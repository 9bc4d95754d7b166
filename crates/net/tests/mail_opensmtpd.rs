//! SMTP against a Debian MTA: OpenSMTPD (`opensmtpd`) on 127.0.0.1, started by the test with
//! its own configuration, delivering every recipient's copy through an MDA script into a
//! directory. Each delivered copy is parsed by Python's `email` package and must equal what
//! was sent (headers, non-ASCII subject, parts, attachment bytes), with the envelope the MTA
//! reports to the MDA (`SENDER`, `RECIPIENT`).
//!
//! Plain SMTP only: Debian's OpenSMTPD 6.8 fails every TLS handshake on this OpenSSL 3 with
//! "EVP lib" (seen with ECDSA and RSA keys, and with curl as the client), so STARTTLS and
//! AUTH are tested against aiosmtpd (`rpoco-netssl`'s `mail_smtp` tests).

#[path = "support/mail_fixture.rs"]
mod mail_fixture;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mail_fixture::{attachment, message};
use rpoco_net::ErrorKind;
use rpoco_net::mail::SmtpClientSession;
use serde_json::Value;

const SMTPD: &str = "/usr/sbin/smtpd";

/// OpenSMTPD in the foreground (`-d`) with a private configuration; killed on drop.
struct OpenSmtpd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl OpenSmtpd {
    fn start() -> Option<OpenSmtpd> {
        if !Path::new(SMTPD).exists() {
            assert!(std::env::var_os("CI").is_none(), "{SMTPD} is required under CI (scripts/deps/mail.apt)");
            eprintln!("SKIP: opensmtpd not installed (run scripts/install-test-deps.sh)");
            return None;
        }
        let dir = tempfile::Builder::new().prefix("rpoco-opensmtpd").tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        // The MDA runs as `nobody`: it must reach the directory and write into it.
        set_mode(dir.path(), 0o755);
        set_mode(&inbox, 0o777);
        let deliver = dir.path().join("deliver.sh");
        std::fs::write(
            &deliver,
            format!(
                "#!/bin/sh\nn=\"$(date +%s%N)-$$\"\ncat > \"{i}/$n.tmp\"\n\
                 printf '%s\\n%s\\n' \"$SENDER\" \"$RECIPIENT\" > \"{i}/$n.env\"\nmv \"{i}/$n.tmp\" \"{i}/$n.eml\"\n",
                i = inbox.display()
            ),
        )
        .unwrap();
        set_mode(&deliver, 0o755);
        let port = rpoco_testsupport::free_port();
        let conf = dir.path().join("smtpd.conf");
        std::fs::write(
            &conf,
            format!(
                "table vusers {{ \"@example.com\" = \"nobody\" }}\n\
                 listen on 127.0.0.1 port {port} hostname localhost\n\
                 action \"deliver\" mda \"{}\" virtual <vusers>\n\
                 match from any for domain \"example.com\" action \"deliver\"\n",
                deliver.display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("smtpd.log")).unwrap();
        let child = Command::new(SMTPD)
            .arg("-d")
            .arg("-f")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut peer = OpenSmtpd { child, port, dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = peer.child.try_wait().unwrap().is_some();
            assert!(
                !exited && started.elapsed() < Duration::from_secs(10),
                "smtpd did not start: {}",
                peer.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(peer)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("smtpd.log")).unwrap_or_default()
    }

    /// The delivered copies, once `n` have arrived: (envelope sender, recipient, message).
    fn delivered(&self, n: usize) -> Vec<(String, String, PathBuf)> {
        let inbox = self.dir.path().join("inbox");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut copies: Vec<_> = std::fs::read_dir(&inbox)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .map(|eml| {
                    let env = std::fs::read_to_string(eml.with_extension("env")).unwrap();
                    let mut lines = env.lines();
                    let sender = lines.next().unwrap_or("").to_owned();
                    (sender, lines.next().unwrap_or("").to_owned(), eml)
                })
                .collect();
            if copies.len() >= n {
                copies.sort_by(|a, b| a.1.cmp(&b.1));
                return copies;
            }
            assert!(Instant::now() < deadline, "{} of {n} copies delivered: {}", copies.len(), self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for OpenSmtpd {
    fn drop(&mut self) {
        // SIGTERM: the parent stops its privilege-separated children before it exits.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The message as Python's `email` package reads it (strict default policy).
fn parsed(eml: &Path) -> Value {
    const SCRIPT: &str = r#"
import base64, email, email.policy, json, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
parts = []
for part in msg.walk():
    if part.is_multipart():
        continue
    parts.append({"content_type": part.get_content_type(), "filename": part.get_filename(),
                  "disposition": part.get_content_disposition(),
                  "payload": base64.b64encode(part.get_payload(decode=True) or b"").decode()})
print(json.dumps({"headers": [[k, str(v)] for k, v in msg.items()], "subject": str(msg["subject"]),
                  "from": str(msg["from"]), "to": [str(a) for a in msg["to"].addresses],
                  "cc": [str(a) for a in msg["cc"].addresses], "defects": [repr(d) for d in msg.defects],
                  "parts": parts}))
"#;
    let out = Command::new("python3").arg("-c").arg(SCRIPT).arg(eml).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn b64(v: &Value) -> Vec<u8> {
    rpoco_foundation::base64::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn opensmtpd_delivers_what_was_sent_to_every_recipient() {
    let Some(mta) = OpenSmtpd::start() else { return };
    let sent = message();
    let timeout = Some(Duration::from_secs(20));
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", mta.port, timeout).unwrap();
    s.login("client.test").unwrap();
    s.send_message(&sent).unwrap();
    // A recipient the MTA does not deliver for: refused with its code, the session goes on.
    let e = s.send_message_to(&sent, &["nobody@elsewhere.test"]).unwrap_err();
    assert_eq!((e.kind(), e.reply().map(|r| r.code())), (ErrorKind::Smtp, Some(550)), "{e}");
    s.close().unwrap();

    let copies = mta.delivered(3);
    let recipients: Vec<&str> = copies.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(recipients, ["cc@example.com", "hidden@example.com", "to@example.com"]);
    for (sender, recipient, eml) in &copies {
        assert_eq!(sender, "sender@example.com", "{recipient}");
        let got = parsed(eml);
        assert_eq!(got["defects"].as_array().unwrap().len(), 0, "{got}");
        assert_eq!(got["subject"], sent.subject());
        assert_eq!(got["from"], "Sändər <sender@example.com>");
        assert_eq!(got["to"], serde_json::json!(["Zoë Tö <to@example.com>"]));
        assert_eq!(got["cc"], serde_json::json!(["cc@example.com"]));
        // BCC: in no header the sender wrote (the MTA's own Delivered-To names the copy's
        // recipient).
        for h in got["headers"].as_array().unwrap() {
            if h[0] != "Delivered-To" {
                assert!(!h[1].as_str().unwrap().contains("hidden@example.com"), "BCC leaked: {h}");
            }
        }
        let parts = got["parts"].as_array().unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0]["content_type"], "text/plain");
        // Stored for local delivery with Unix line ends, as MTAs do: the text's line breaks
        // arrive as LF; every other byte as sent.
        let text = String::from_utf8(sent.parts()[0].source.bytes().unwrap().to_vec()).unwrap();
        assert_eq!(b64(&parts[0]["payload"]), text.replace("\r\n", "\n").into_bytes());
        assert_eq!(
            (&parts[1]["filename"], &parts[1]["disposition"]),
            (&"data.bin".into(), &"attachment".into())
        );
        assert_eq!(b64(&parts[1]["payload"]), attachment());
    }
}
