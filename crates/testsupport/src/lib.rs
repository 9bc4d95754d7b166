//! # rpoco-testsupport (not published)
//!
//! The real peers rpoco's integration tests and `cargo xtask bench` talk to on 127.0.0.1,
//! written once: [`Nginx`] (a private nginx on a free port, plain or TLS, killed on drop) and
//! [`http_proxy`] (an HTTP forward and `CONNECT` proxy that records what it saw), plus
//! [`require`], which applies the project rule for missing external programs: a test fails
//! when the `CI` environment variable is set and prints a skip reason otherwise.
//!
//! Nothing here depends on the rpoco crates, so every crate can use it as a dev-dependency
//! without building itself twice.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! let (port, log) = rpoco_testsupport::http_proxy(None);
//! // Not a valid target: the proxy answers 502 and records the request.
//! let mut s = TcpStream::connect(("127.0.0.1", port))?;
//! s.write_all(b"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n")?;
//! let mut answer = String::new();
//! s.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 502"));
//! assert_eq!(log.lock().unwrap().requests[0].method(), "CONNECT");
//! # Ok::<(), std::io::Error>(())
//! ```

mod ftp;
mod nginx;
mod payload;
mod proxy;
mod python;

use std::net::TcpListener;
use std::path::PathBuf;

pub use ftp::{FTP_PASSWORD, FTP_USER, PyFtpd, Vsftpd, VsftpdTls, peer_missing};
pub use nginx::{Nginx, NginxConfig};
pub use payload::{Payload, PayloadCheck, check_file, fill_payload, round_trip, test_payload, write_payload};
pub use proxy::{ProxiedRequest, ProxyLog, http_proxy, pipe};
pub use python::{PythonPeer, require_python_module};

/// Where `program` is: on `PATH`, or in `/usr/sbin` / `/usr/local/sbin` (where Debian puts
/// nginx).
pub fn find_program(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// [`find_program`] for tests: a missing program panics when `CI` is set (CI installs every
/// peer with `scripts/install-test-deps.sh`) and prints a skip reason otherwise.
pub fn require(program: &str) -> Option<PathBuf> {
    let found = find_program(program);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is required under CI (scripts/install-test-deps.sh installs it)"
        );
        eprintln!("SKIP: {program} not installed (run scripts/install-test-deps.sh)");
    }
    found
}

/// A TCP port on 127.0.0.1 that was free a moment ago (for servers that must be told their
/// port, such as nginx).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("bind 127.0.0.1:0")
}
