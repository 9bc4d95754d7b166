//! `cargo xtask deny`: supply-chain checks (advisories, licenses, duplicate versions, sources)
//! with cargo-deny, configured by `deny.toml`. Installs cargo-deny first if it is missing.

use std::process::{Command, Stdio};

use crate::util::{self, cargo};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["deny", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        util::run("install cargo-deny", cargo().args(["install", "--locked", "cargo-deny"]))?;
    }
    util::run("cargo deny", cargo().args(["deny", "check"]).args(args))
}
