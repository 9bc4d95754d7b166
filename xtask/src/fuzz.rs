//! `cargo xtask fuzz [TARGET...] [--seconds N]`: coverage-guided fuzzing (libFuzzer through
//! cargo-fuzz, installed if missing) of everything that parses untrusted input. Targets live
//! in `fuzz/fuzz_targets/`; without names, each runs for `--seconds` (default 30). Crashes
//! are saved under `fuzz/artifacts/` and reproduce with `cargo fuzz run TARGET FILE`.
//!
//! cargo-fuzz needs a few unstable compiler flags; with the stable toolchain this sets
//! `RUSTC_BOOTSTRAP=1` for the fuzz build only.

use std::process::{Command, Stdio};

use crate::util::{self, cargo, workspace_root};

const TARGETS: &[&str] = &[
    "uri",
    "encoders",
    "http_response",
    "http_request",
    "header_values",
    "x509",
    "crypto_open",
    "http_server_request",
    "multipart",
    "auth_challenge",
    "client_exchange",
    "ftp_replies",
    "websocket_frames",
    "pkey_read",
    "pkcs12",
    "crypto_x509",
    "mail_reply",
    "mail_message",
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = 30u32;
    let mut names = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = rest
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--seconds needs a whole number of seconds")?;
            }
            name if TARGETS.contains(&name) => names.push(name),
            other => return Err(format!("unknown fuzz target `{other}`; targets: {}", TARGETS.join(", "))),
        }
    }
    if names.is_empty() {
        names = TARGETS.to_vec();
    }
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        util::run("install cargo-fuzz", cargo().args(["install", "--locked", "cargo-fuzz"]))?;
    }
    let fuzz_dir = workspace_root().join("fuzz");
    for name in names {
        let corpus = fuzz_dir.join("corpus").join(name);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("creating {}: {e}", corpus.display()))?;
        util::run(
            &format!("fuzz {name} for {seconds}s"),
            cargo()
                .current_dir(&fuzz_dir)
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", "--sanitizer", "none", name])
                .arg(&corpus)
                .args(["--", &format!("-max_total_time={seconds}"), "-max_len=65536"]),
        )?;
    }
    Ok(())
}
