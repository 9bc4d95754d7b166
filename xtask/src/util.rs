//! Small helpers shared by the xtask commands: finding the workspace and running programs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

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
