//! Small helpers shared by the xtask commands: finding the workspace and running programs.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The workspace root (the parent of the `xtask` directory).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set, else `target/` in the workspace.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace_root().join(dir),
        _ => workspace_root().join("target"),
    }
}

/// The `cargo` that invoked us, so the same toolchain runs every step.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// Runs `cmd`, echoing it first; fails with the command line if it does not succeed.
pub(crate) fn run(label: &str, cmd: &mut Command) -> Result<(), String> {
    let line = format!("{cmd:?}").replace('"', "");
    println!("\n==> {label}: {line}");
    let started = Instant::now();
    let status = cmd.status().map_err(|e| format!("{label}: could not start `{line}`: {e}"))?;
    println!(
        "<== {label}: {} in {:.1}s",
        if status.success() { "ok" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    if status.success() { Ok(()) } else { Err(format!("{label} failed ({status}): {line}")) }
}

/// Whether `program` can be found on `PATH` (or in `/usr/sbin`, where Debian puts nginx).
pub(crate) fn have(program: &str) -> bool {
    let in_dir = |dir: &Path| dir.join(program).is_file();
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|d| in_dir(&d)))
        || in_dir(Path::new("/usr/sbin"))
}

/// Where a [`ServerProcess`]'s standard output goes.
#[derive(Clone, Copy)]
pub(crate) enum ServerOutput<'a> {
    /// Read on a thread and echoed, each line prefixed with `[prefix] `.
    Echo(&'a str),
    /// Written to this file, read by nobody while it runs: for servers that log a line per
    /// request while being measured (a pipe would need a reader competing for the CPU, and
    /// once closed would fail the server's writes).
    File(&'a Path),
}

/// A server program (an rpoco example, a C++ POCO peer) that prints `listening on ADDR` when
/// it accepts connections. Its standard input stays open until it is dropped (the POCO peers
/// serve until it closes); dropping it kills the process.
pub(crate) struct ServerProcess {
    pub(crate) name: &'static str,
    pub(crate) child: Child,
    pub(crate) port: u16,
    _stdin: Option<ChildStdin>,
}

impl ServerProcess {
    /// Starts `cmd` and waits up to `ready_within` for its `listening on ADDR` line.
    pub(crate) fn start(
        name: &'static str,
        cmd: &mut Command,
        output: ServerOutput<'_>,
        ready_within: Duration,
    ) -> Result<ServerProcess, String> {
        cmd.stdin(Stdio::piped()).stderr(Stdio::inherit());
        match output {
            ServerOutput::Echo(_) => cmd.stdout(Stdio::piped()),
            ServerOutput::File(path) => {
                cmd.stdout(File::create(path).map_err(|e| format!("{}: {e}", path.display()))?)
            }
        };
        let mut child = cmd.spawn().map_err(|e| format!("start {name}: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        // From here on, dropping the server kills the child.
        let mut server = ServerProcess { name, child, port: 0, _stdin: stdin };
        let first_line = match (output, stdout) {
            (ServerOutput::Echo(prefix), Some(stdout)) => {
                let (tx, rx) = mpsc::channel();
                let prefix = prefix.to_string();
                std::thread::spawn(move || {
                    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                        println!("[{prefix}] {line}");
                        let _ = tx.send(line);
                    }
                });
                rx.recv_timeout(ready_within).ok()
            }
            (ServerOutput::File(path), _) => server.first_line_of(path, ready_within)?,
            (ServerOutput::Echo(_), None) => return Err(format!("{name}: no standard output")),
        };
        let line = first_line
            .ok_or_else(|| format!("{name} did not print `listening on ADDR` within {ready_within:?}"))?;
        server.port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("{name} printed `{}` instead of `listening on ADDR`", line.trim()))?;
        Ok(server)
    }

    /// Waits for the first complete line in `log`; `None` if none came within `limit`.
    fn first_line_of(&mut self, log: &Path, limit: Duration) -> Result<Option<String>, String> {
        let started = Instant::now();
        while started.elapsed() < limit {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some((line, _)) = text.split_once('\n') {
                return Ok(Some(line.to_string()));
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited ({status}) before listening", self.name));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(None)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
