//! `cargo xtask deny`: supply-chain checks (advisories, licenses, duplicate versions, sources)
//! with cargo-deny, configured by `deny.toml`. Installs cargo-deny first if it is missing.
//!
//! The advisory check needs the RustSec database from GitHub. When it cannot be fetched
//! (an offline machine), the other checks still run and the output says loudly that
//! advisories were not checked; extra arguments go to `cargo deny check`.

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
    if !args.is_empty() {
        return util::run("cargo deny", cargo().args(["deny", "check"]).args(args));
    }
    if util::run("fetch advisory db", cargo().args(["deny", "fetch"])).is_ok() {
        return util::run("cargo deny", cargo().args(["deny", "check"]));
    }
    eprintln!(
        "\nxtask deny: WARNING: the RustSec advisory database could not be fetched, so advisories \
         were NOT checked. Checking bans, licenses and sources only; re-run with network access."
    );
    util::run("cargo deny (no advisories)", cargo().args(["deny", "check", "bans", "licenses", "sources"]))
}
