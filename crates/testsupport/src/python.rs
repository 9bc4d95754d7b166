//! Python peers on 127.0.0.1: [`PythonPeer::httpbin`] (httpbin under gunicorn) and
//! [`PythonPeer::script`] (a test's own small server), killed on drop.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::free_port;

/// Whether `python3` can import `module`; when not, panics under `CI` and prints a skip
/// reason otherwise (as [`require`](crate::require) does for programs).
pub fn require_python_module(module: &str) -> bool {
    // Remembered per test process: an import can take a second on a loaded machine.
    static FOUND: Mutex<Vec<(String, bool)>> = Mutex::new(Vec::new());
    let known =
        FOUND.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(m, _)| m == module).map(|e| e.1);
    let ok = known.unwrap_or_else(|| {
        let ok = Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        FOUND.lock().unwrap_or_else(|e| e.into_inner()).push((module.to_owned(), ok));
        ok
    });
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python module {module} is required under CI (scripts/install-test-deps.sh installs it)"
        );
        eprintln!("SKIP: python module {module} not installed (run scripts/install-test-deps.sh)");
    }
    ok
}

/// A Python server process on a 127.0.0.1 port, killed on drop.
#[derive(Debug)]
pub struct PythonPeer {
    child: Child,
    port: u16,
}

impl PythonPeer {
    /// httpbin under gunicorn (one gthread worker, keep-alive on), or `None` (skip) when
    /// either is missing. Waits up to 60 s for the port to accept connections.
    pub fn httpbin() -> Option<Self> {
        if !require_python_module("httpbin") || !require_python_module("gunicorn") {
            return None;
        }
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "gunicorn", "-b", &format!("127.0.0.1:{port}"), "-k", "gthread", "--threads", "8"])
            .args(["-w", "1", "--keep-alive", "10", "--log-level", "warning", "httpbin:app"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gunicorn");
        let peer = PythonPeer { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "httpbin did not listen on 127.0.0.1:{port} within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(peer)
    }

    /// One httpbin shared by the tests of a process that run at the same time (it is
    /// stateless): started on first use, killed when the last test holding it drops it.
    pub fn shared_httpbin() -> Option<Arc<Self>> {
        static SHARED: Mutex<Weak<PythonPeer>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(peer) = shared.upgrade() {
            return Some(peer);
        }
        let peer = Arc::new(Self::httpbin()?);
        *shared = Arc::downgrade(&peer);
        Some(peer)
    }

    /// Runs `python3 script args...` with `env`; the script prints `listening on
    /// 127.0.0.1:PORT` once it accepts connections (within 60 s).
    pub fn script(script: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new("python3");
        cmd.arg(script).args(args).stdout(Stdio::piped()).stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start python3");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            while let Some(Ok(line)) = lines.next() {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.rsplit(':').next().and_then(|p| p.trim().parse::<u16>().ok()));
                }
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(60)).ok().flatten();
        let Some(port) = port else {
            let _ = child.kill();
            panic!("{} did not print `listening on ADDR` within 60 s", script.display());
        };
        PythonPeer { child, port }
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for PythonPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
