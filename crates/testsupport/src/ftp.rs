//! Private FTP servers on 127.0.0.1: [`PyFtpd`] (pyftpdlib, plain or with its TLS handler)
//! and [`Vsftpd`] (Debian's vsftpd with its own configuration, FTPS with
//! `require_ssl_reuse`). Each runs in a temporary directory and is killed on drop.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{find_program, free_port};

/// The user both servers accept (pyftpdlib: a full-rights user; vsftpd: `anonymous`
/// mapped to the `ftp` system user, with an empty password accepted).
pub const FTP_USER: &str = "user";
/// Its password.
pub const FTP_PASSWORD: &str = "secret";

const PYFTPD: &str = r#"
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
root, cert, key, host = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
auth = DummyAuthorizer()
auth.add_user("user", "secret", root, perm="elradfmwMT")
auth.add_anonymous(root)
if cert:
    from pyftpdlib.handlers import TLS_FTPHandler
    class Handler(TLS_FTPHandler):
        pass
    Handler.certfile = cert
    Handler.keyfile = key
    Handler.tls_control_required = True
    Handler.tls_data_required = True
else:
    class Handler(FTPHandler):
        pass
Handler.authorizer = auth
Handler.permit_foreign_addresses = False
Handler.timeout = 60
server = FTPServer((host, 0), Handler)
print("listening on %s:%d" % (host, server.address[1]), flush=True)
server.serve_forever()
"#;

/// A pyftpdlib server serving a temporary directory; user [`FTP_USER`] may do anything.
#[derive(Debug)]
pub struct PyFtpd {
    child: Child,
    /// Its port.
    pub port: u16,
    dir: tempfile::TempDir,
}

impl PyFtpd {
    /// Starts a plain server, or with `tls` (certificate chain PEM, key PEM) one that
    /// requires `AUTH TLS` and protected data connections. An error says why it could not
    /// start (pyftpdlib or pyOpenSSL missing: install with scripts/install-test-deps.sh).
    pub fn start(tls: Option<(&str, &str)>) -> Result<PyFtpd, String> {
        Self::start_on("127.0.0.1", tls)
    }

    /// [`start`](Self::start) on another loopback address (`::1` for IPv6: `EPSV`, `EPRT`).
    pub fn start_on(host: &str, tls: Option<(&str, &str)>) -> Result<PyFtpd, String> {
        let python = find_program("python3").ok_or("python3 is not installed")?;
        let dir = tempfile::Builder::new().prefix("rpoco-pyftpd").tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("root");
        std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
        let (cert, key) = match tls {
            Some((cert, key)) => {
                let (c, k) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
                std::fs::write(&c, cert).map_err(|e| e.to_string())?;
                std::fs::write(&k, key).map_err(|e| e.to_string())?;
                (c.display().to_string(), k.display().to_string())
            }
            None => (String::new(), String::new()),
        };
        let mut child = Command::new(python)
            .arg("-c")
            .arg(PYFTPD)
            .arg(&root)
            .arg(cert)
            .arg(key)
            .arg(host)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("start python3: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let Some(port) = line.trim().rsplit(':').next().and_then(|p| p.parse().ok()) else {
            let _ = child.kill();
            let out = child.wait_with_output().map(|o| String::from_utf8_lossy(&o.stderr).into_owned());
            return Err(format!("pyftpdlib did not start: {}", out.unwrap_or_default()));
        };
        // Its log goes to stderr; drain it so the server never blocks on a full pipe.
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || std::io::copy(&mut BufReader::new(stderr), &mut std::io::sink()));
        }
        Ok(PyFtpd { child, port, dir })
    }

    /// The directory it serves.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// Stops the server (`SIGSTOP`): connections stay open, nothing moves. Resumed
    /// by [`resume`](Self::resume), and on drop.
    pub fn pause(&self) -> Result<(), String> {
        self.signal("-STOP")
    }

    /// Resumes a [`pause`](Self::pause)d server (`SIGCONT`).
    pub fn resume(&self) -> Result<(), String> {
        self.signal("-CONT")
    }

    fn signal(&self, which: &str) -> Result<(), String> {
        signal_group(&self.child, which)
    }
}

/// Sends a signal to the process group `child` leads (it was spawned with its own group),
/// so that processes it forked per session get it too.
fn signal_group(child: &Child, which: &str) -> Result<(), String> {
    let status = Command::new("kill")
        .arg(which)
        .arg("--")
        .arg(format!("-{}", child.id()))
        .status()
        .map_err(|e| format!("kill {which}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("kill {which}: {status}")) }
}

impl Drop for PyFtpd {
    fn drop(&mut self) {
        let _ = self.resume();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a [`Vsftpd`] speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VsftpdTls {
    /// No TLS.
    None,
    /// `AUTH TLS` required (`force_anon_logins_ssl`, `force_anon_data_ssl`).
    Explicit,
    /// TLS from the first byte (`implicit_ssl=YES`).
    Implicit,
}

/// A private vsftpd on 127.0.0.1, logins as `anonymous` into a root with a writable `pub/`
/// directory; FTPS with `require_ssl_reuse=YES` (data connections must resume the control
/// connection's TLS session). Passive and active modes are both on.
#[derive(Debug)]
pub struct Vsftpd {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Vsftpd {
    /// Starts vsftpd (as root, which it needs to switch to the `ftp` user). `tls` carries the
    /// certificate chain and key PEMs when `mode` is not [`VsftpdTls::None`].
    pub fn start(mode: VsftpdTls, tls: Option<(&str, &str)>) -> Result<Vsftpd, String> {
        let program =
            find_program("vsftpd").ok_or("vsftpd is not installed (scripts/install-test-deps.sh)")?;
        let (uid, gid) = ftp_user().ok_or("no `ftp` system user (the vsftpd package creates it)")?;
        let dir = tempfile::Builder::new().prefix("rpoco-vsftpd").tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("root");
        let empty = dir.path().join("empty");
        for d in [&root, &empty, &root.join("pub")] {
            std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
        }
        std::os::unix::fs::chown(root.join("pub"), Some(uid), Some(gid))
            .map_err(|e| format!("chown: {e}"))?;
        let mut ssl = String::new();
        if mode != VsftpdTls::None {
            let (cert, key) = tls.ok_or("TLS mode without a certificate")?;
            let (c, k) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
            std::fs::write(&c, cert).map_err(|e| e.to_string())?;
            std::fs::write(&k, key).map_err(|e| e.to_string())?;
            ssl = format!(
                "ssl_enable=YES\nallow_anon_ssl=YES\nforce_anon_logins_ssl=YES\nforce_anon_data_ssl=YES\n\
                 require_ssl_reuse=YES\nssl_request_cert=NO\nssl_tlsv1=YES\nssl_sslv2=NO\nssl_sslv3=NO\n\
                 rsa_cert_file={}\nrsa_private_key_file={}\nimplicit_ssl={}\ndebug_ssl=YES\n",
                c.display(),
                k.display(),
                if mode == VsftpdTls::Implicit { "YES" } else { "NO" }
            );
        }
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port();
            let log = dir.path().join("vsftpd.log");
            let conf = format!(
                "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\nbackground=NO\n\
                 anonymous_enable=YES\nno_anon_password=YES\nanon_root={root}\nlocal_enable=NO\n\
                 write_enable=YES\nanon_upload_enable=YES\nanon_mkdir_write_enable=YES\n\
                 anon_other_write_enable=YES\nanon_umask=022\nanon_world_readable_only=NO\n\
                 pasv_enable=YES\nport_enable=YES\nconnect_from_port_20=NO\n\
                 secure_chroot_dir={empty}\nseccomp_sandbox=NO\nisolate=NO\nisolate_network=NO\n\
                 xferlog_enable=NO\nvsftpd_log_file={log}\nlog_ftp_protocol=YES\n\
                 idle_session_timeout=120\ndata_connection_timeout=60\nmax_per_ip=0\nmax_clients=0\n{ssl}",
                root = root.display(),
                empty = empty.display(),
                log = log.display(),
            );
            let conf_path = dir.path().join("vsftpd.conf");
            std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
            let mut child = Command::new(&program)
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("start vsftpd: {e}"))?;
            let started = Instant::now();
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Ok(Vsftpd { child, port, dir });
                }
                if child.try_wait().ok().flatten().is_some() || started.elapsed() > Duration::from_secs(10) {
                    let _ = child.kill();
                    last = child
                        .wait_with_output()
                        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                        .unwrap_or_default();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !last.contains("listening on") && !last.contains("Address already in use") {
                break;
            }
        }
        Err(format!("vsftpd did not start: {last}"))
    }

    /// The anonymous root (read-only for the server's user).
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// Puts a file into the root, readable by the server.
    pub fn put(&self, path: &str, contents: &[u8]) -> std::io::Result<PathBuf> {
        let file = self.root().join(path);
        std::fs::write(&file, contents)?;
        Ok(file)
    }

    /// The server's log (protocol lines and SSL debugging).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("vsftpd.log")).unwrap_or_default()
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Vsftpd {
    fn drop(&mut self) {
        // vsftpd forks a process per session (in a session of its own, out of reach of a
        // signal to this one); those end when their connection does.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The project rule for a peer that could not start (not installed, failed): a test failure
/// when `CI` is set, else a printed skip.
pub fn peer_missing(what: &str, why: String) {
    assert!(std::env::var_os("CI").is_none(), "{what} is required under CI: {why}");
    eprintln!("SKIP: {what}: {why}");
}

fn ftp_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("ftp:"))?;
    let fields: Vec<&str> = line.split(':').collect();
    Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
}
