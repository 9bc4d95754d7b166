//! Shared by the tests that run the examples as programs.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The example binary `name`, which `cargo test` builds with the test targets. `None` (with a
/// skip message) when it was not built, e.g. under `cargo test --test NAME`; that fails
/// under `CI`, where the examples must be tested.
pub(crate) fn example(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?.join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
        let built = path.metadata().and_then(|m| m.modified()).ok()?;
        let edited = source.metadata().and_then(|m| m.modified()).ok()?;
        assert!(
            built >= edited,
            "{} is older than its source: run `cargo test` (it builds examples)",
            path.display()
        );
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} was not built (`cargo test` builds examples)",
        path.display()
    );
    eprintln!("SKIP: {} not built; `cargo test` (without --test) builds it", path.display());
    None
}

/// Runs example `name` to completion with `args` and extra environment variables; `None` if it
/// was not built.
pub(crate) fn run(name: &str, args: &[&str], env: &[(&str, &str)]) -> Option<Output> {
    let program = example(name)?;
    Some(Command::new(program).args(args).envs(env.iter().copied()).output().expect("run the example"))
}

/// An example server (`http_server`, `https_server`, `echo_server`) running on a free
/// 127.0.0.1 port, killed on drop.
pub(crate) struct ExampleServer {
    pub(crate) child: Child,
    pub(crate) port: u16,
    /// Its stdout after the `listening on ADDR` line. Dropping it stops the reading thread at
    /// the next line, which closes the pipe.
    pub(crate) lines: mpsc::Receiver<String>,
}

impl ExampleServer {
    /// Starts example `name` with `--bind 127.0.0.1 --port 0 --threads 2` and `args`, and
    /// waits for `listening on ADDR`; `None` if the example was not built.
    pub(crate) fn start(name: &str, args: &[&str]) -> Option<ExampleServer> {
        let program = example(name)?;
        Some(Self::spawn(&program, args))
    }

    fn spawn(program: &Path, args: &[&str]) -> ExampleServer {
        let mut child = Command::new(program)
            .args(["--bind", "127.0.0.1", "--port", "0", "--threads", "2"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the example");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("the server prints its address");
        let addr =
            line.strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line: {line}"));
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        let port = addr.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port in the address");
        ExampleServer { child, port, lines: rx }
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
