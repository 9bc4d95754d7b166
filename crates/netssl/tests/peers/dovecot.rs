//! A private Debian dovecot (dovecot-pop3d) instance for the POP3 tests: its own config,
//! base and state directories, a passwd-file with one user and a maildir, on free ports of
//! 127.0.0.1 (POP3 with STLS, and POP3S), started in the foreground and stopped on drop.
// Test set-up: a broken peer set-up is a test failure, so it panics with the reason.
#![allow(unreachable_pub, clippy::unwrap_in_result)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "user";
pub const PASSWORD: &str = "s3cret";

pub struct Dovecot {
    child: Child,
    pub pop3_port: u16,
    pub pop3s_port: u16,
    dir: tempfile::TempDir,
    /// The owner the mail process runs as (uid, gid), for delivered files.
    owner: Option<(u32, u32)>,
    delivered: usize,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn id(args: &[&str]) -> Option<u32> {
    let out = Command::new("id").args(args).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

impl Dovecot {
    /// `None` (skip) when dovecot is missing outside CI; under CI that is a failure.
    pub fn start(cert: &str, key: &str) -> Option<Dovecot> {
        if !Path::new("/usr/sbin/dovecot").exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "dovecot-pop3d is required under CI (scripts/deps/mail.apt)"
            );
            eprintln!("SKIP: /usr/sbin/dovecot not installed (run scripts/install-test-deps.sh)");
            return None;
        }
        let dir = tempfile::Builder::new().prefix("dv").tempdir_in("/tmp").unwrap();
        let d = dir.path();
        // The mail process (another user when the test runs as root) must reach the maildir.
        std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        for sub in ["run", "state", "mail/user/new", "mail/user/cur", "mail/user/tmp"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        std::fs::write(d.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n")).unwrap();
        // As root, dovecot refuses to run its login and mail processes as root: they run as
        // the package's users. Otherwise everything runs as the current user.
        let root = id(&["-u"]) == Some(0);
        let (internal, login, mail_user, owner) = if root {
            let uid = id(&["-u", "dovecot"]).expect("the dovecot user (dovecot-core creates it)");
            let gid = id(&["-g", "dovecot"]).expect("the dovecot group");
            (
                "dovecot".to_string(),
                "dovenull".to_string(),
                "uid=dovecot gid=dovecot".to_string(),
                Some((uid, gid)),
            )
        } else {
            let user = String::from_utf8_lossy(&Command::new("id").arg("-un").output().unwrap().stdout)
                .trim()
                .to_string();
            let group = String::from_utf8_lossy(&Command::new("id").arg("-gn").output().unwrap().stdout)
                .trim()
                .to_string();
            (user.clone(), user.clone(), format!("uid={user} gid={group}"), None)
        };
        let (pop3_port, pop3s_port) = (free_port(), free_port());
        let p = d.display();
        let config = format!(
            "base_dir = {p}/run\nstate_dir = {p}/state\ninstance_name = rpoco-{pop3_port}\nprotocols = pop3\n\
             listen = 127.0.0.1\ndefault_internal_user = {internal}\ndefault_internal_group = {internal}\n\
             default_login_user = {login}\nlog_path = {p}/log\ninfo_log_path = {p}/log\n\
             ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain\npassdb {{\n  driver = passwd-file\n  args = {p}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = {mail_user} home={p}/mail/%u\n}}\n\
             mail_location = maildir:{p}/mail/%u\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n\
             service pop3-login {{\n  inet_listener pop3 {{\n    port = {pop3_port}\n  }}\n\
               inet_listener pop3s {{\n    port = {pop3s_port}\n    ssl = yes\n  }}\n  chroot =\n}}\n\
             service imap-login {{\n  chroot =\n}}\nservice anvil {{\n  chroot =\n}}\n\
             service stats {{\n  unix_listener stats-reader {{\n    user = {internal}\n  }}\n\
               unix_listener stats-writer {{\n    user = {internal}\n  }}\n}}\n"
        );
        std::fs::write(d.join("dovecot.conf"), config).unwrap();
        if let Some((uid, gid)) = owner {
            chown_tree(&d.join("mail"), uid, gid);
        }
        let child = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(d.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start dovecot");
        let dovecot = Dovecot { child, pop3_port, pop3s_port, dir, owner, delivered: 0 };
        let deadline = Instant::now() + Duration::from_secs(20);
        for port in [pop3_port, pop3s_port] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "dovecot did not listen on {port}; log:\n{}",
                    dovecot.log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Some(dovecot)
    }

    /// Delivers `message` into the user's maildir (`new/`), as an MDA would.
    pub fn deliver(&mut self, message: &[u8]) {
        self.delivered += 1;
        let name = format!("{}.M{}P1.rpoco", 1_700_000_000 + self.delivered, self.delivered);
        let tmp = self.maildir().join("tmp").join(&name);
        std::fs::write(&tmp, message).unwrap();
        if let Some((uid, gid)) = self.owner {
            std::os::unix::fs::chown(&tmp, Some(uid), Some(gid)).unwrap();
        }
        std::fs::rename(&tmp, self.maildir().join("new").join(&name)).unwrap();
    }

    /// The messages the maildir holds now (new and cur).
    pub fn stored(&self) -> usize {
        ["new", "cur"].iter().map(|s| std::fs::read_dir(self.maildir().join(s)).unwrap().count()).sum()
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail").join(USER)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), uid, gid);
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its login and mail processes.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
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
