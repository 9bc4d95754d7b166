//! The peers of the benchmarks: C++ POCO programs in `xtask/peers/`, built with g++ against
//! Debian's libpoco-dev into `target/peers/`, and Rust peers (`xtask/peers/hyper`), crates
//! outside the workspace built with cargo into `target/peers/<name>/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{run, target_dir, workspace_root};

/// Builds `xtask/peers/<name>.cpp` with `g++ -O2`, linking `-l<lib>` for each of `libs`, after
/// checking that `header` (a POCO header the peer needs) is installed. Returns the binary.
pub(crate) fn build_poco_peer(name: &str, header: &str, libs: &[&str]) -> Result<PathBuf, String> {
    if !Path::new("/usr/include/Poco").join(header).exists() {
        return Err(format!("libpoco-dev is missing (no Poco/{header}): run scripts/install-test-deps.sh"));
    }
    build_cpp_peer(name, libs)
}

/// Builds `xtask/peers/<name>.cpp` with `g++ -O2`, linking `-l<lib>` for each of `libs`.
/// Returns the binary.
pub(crate) fn build_cpp_peer(name: &str, libs: &[&str]) -> Result<PathBuf, String> {
    let root = workspace_root();
    let peers = target_dir().join("peers");
    std::fs::create_dir_all(&peers).map_err(|e| format!("{}: {e}", peers.display()))?;
    let binary = peers.join(name);
    let mut cmd = Command::new("g++");
    cmd.args(["-O2", "-o"]).arg(&binary).arg(root.join(format!("xtask/peers/{name}.cpp")));
    cmd.args(libs.iter().map(|lib| format!("-l{lib}")));
    run(&format!("build peer {name}"), &mut cmd)?;
    Ok(binary)
}

/// Builds the hyper 1 peer (`xtask/peers/hyper`, its own workspace and lock file) in release
/// mode. Returns the binary.
pub(crate) fn build_hyper_peer() -> Result<PathBuf, String> {
    let root = workspace_root();
    let target = target_dir().join("peers/hyper");
    let mut cmd = crate::util::cargo();
    cmd.args(["build", "--quiet", "--release", "--locked", "--manifest-path"])
        .arg(root.join("xtask/peers/hyper/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target);
    run("build the hyper peer", &mut cmd)?;
    Ok(target.join("release/rpoco-peer-hyper"))
}
