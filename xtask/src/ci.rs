//! `cargo xtask ci`: what CI runs, in the order that fails fastest.
//!
//! 1. installs the external peers the tests talk to (`scripts/install-test-deps.sh`),
//! 2. `cargo fmt --check`, 3. clippy with `-D warnings` on every target (rpoco-crypto once
//!    per backend),
//! 4. every test and doctest (rpoco-crypto once per backend), 5. `cargo doc --no-deps` with
//!    warnings denied.

use std::time::Instant;

use crate::util::{self, cargo, workspace_root};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let skip_deps = args.iter().any(|a| a == "--no-install");
    if !skip_deps {
        let script = workspace_root().join("scripts/install-test-deps.sh");
        util::run("test peers", std::process::Command::new("bash").arg(script))?;
    }
    util::run("fmt", cargo().args(["fmt", "--all", "--", "--check"]))?;
    util::run("clippy", cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // The workspace build compiles rpoco-crypto on aws-lc-rs only; code behind the other two
    // backends is linted here (and tested below).
    for (label, features) in [("clippy crypto (RustCrypto)", None), ("clippy crypto (ring)", Some("ring"))] {
        let mut cmd = cargo();
        cmd.args(["clippy", "-p", "rpoco-crypto", "--no-default-features", "--all-targets"]);
        if let Some(f) = features {
            cmd.args(["--features", f]);
        }
        util::run(label, cmd.args(["--", "-D", "warnings"]))?;
    }
    util::run("test", cargo().args(["test", "--workspace"]))?;
    // The workspace run tests rpoco-crypto on aws-lc-rs (the umbrella turns it on); its
    // other two backends must pass the same suite.
    for (label, features) in [("test crypto (RustCrypto)", None), ("test crypto (ring)", Some("ring"))] {
        let mut cmd = cargo();
        cmd.args(["test", "-p", "rpoco-crypto", "--no-default-features"]);
        if let Some(f) = features {
            cmd.args(["--features", f]);
        }
        util::run(label, &mut cmd)?;
    }
    util::run("doc", cargo().args(["doc", "--workspace", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings"))?;
    println!("\nxtask ci: all checks passed in {:.0}s", started.elapsed().as_secs_f64());
    Ok(())
}
