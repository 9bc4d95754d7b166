//! aiosmtpd (PyPI) as an SMTP peer on 127.0.0.1: `smtp_peer.py` beside this file, in mode
//! plain, starttls or implicit (TLS), optionally with AUTH; each message it receives is
//! parsed by Python's `email` package and summarised as JSON (`N.json`, 1-based).
// Test set-up: a broken peer set-up is a test failure, so it panics with the reason.
#![allow(unreachable_pub, dead_code, clippy::unwrap_in_result)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct SmtpPeer {
    child: Child,
    pub port: u16,
    out: tempfile::TempDir,
}

impl SmtpPeer {
    /// `None` (skip) when python3 or aiosmtpd is missing outside CI.
    pub fn start(mode: &str, auth: bool, cert: &str, key: &str) -> Option<SmtpPeer> {
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
        let out = tempfile::tempdir().unwrap();
        let script = beside_this_file("smtp_peer.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).args(["--mode", mode, "--out"]).arg(out.path());
        cmd.args(["--cert", cert, "--key", key]);
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
        Some(SmtpPeer { child, port, out })
    }

    /// The JSON summary of the `n`th message received (1-based).
    pub fn received(&self, n: usize) -> Value {
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

/// `name` in this file's directory: `file!()` is relative to the workspace root, an ancestor
/// of whichever package includes this module.
fn beside_this_file(name: &str) -> PathBuf {
    let here = Path::new(file!()).parent().unwrap().join(name);
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|root| root.join(&here))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{} not found", here.display()))
}
