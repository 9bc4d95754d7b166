//! `cargo xtask demo`: the README's main job, the seed program against a local HTTPS server.
//!
//! 1. makes the dev certificates (`.dev-certs/`, as `cargo xtask certs` does);
//! 2. starts `examples/https_server.rs` (POCO's HTTPSTimeServer) on a free loopback port with
//!    the dev server certificate;
//! 3. runs `examples/https_get.rs` (the seed program) against it with verification on,
//!    trusting only the dev CA, and shows the response;
//! 4. starts a second server whose certificate names another host, shows `https_get`
//!    refusing it with its error, and stops both servers.
//!
//! It fails (non-zero exit) if the good fetch fails or the bad one succeeds, so it doubles as
//! an end-to-end check of the examples.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::util::{self, ServerOutput, ServerProcess, cargo, target_dir, workspace_root};

/// How long a server may take to print `listening on ADDR`.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if let Some(arg) = args.first() {
        return Err(format!("unknown argument `{arg}` (usage: cargo xtask demo)"));
    }
    let certs_dir = workspace_root().join(".dev-certs");
    let certs = rpoco_testcerts::DevCerts::generate().map_err(|e| format!("generating certificates: {e}"))?;
    certs.write_to(&certs_dir).map_err(|e| format!("writing {}: {e}", certs_dir.display()))?;
    println!("dev certificates (new keys, CA = rpoco dev CA) in {}", certs_dir.display());

    util::run(
        "build the examples",
        cargo().args(["build", "--quiet", "--example", "https_server", "--example", "https_get"]),
    )?;
    let examples = target_dir().join("debug/examples");
    let file = |name: &str| certs_dir.join(name).to_string_lossy().into_owned();

    println!("\n--- 1. the seed program, verification on, against https_server with the dev certificate");
    let good = https_server(&examples, &file("server.pem"), &file("server.key"))?;
    let url = format!("https://localhost:{}/", good.port);
    let fetched = https_get(&examples, &file("ca.pem"), &url)?;
    if !fetched {
        return Err(format!("https_get {url} failed; see its error above"));
    }

    println!("\n--- 2. the same client against a server whose certificate is for another host");
    let wrong = https_server(&examples, &file("wrong-host.pem"), &file("wrong-host.key"))?;
    let url = format!("https://localhost:{}/", wrong.port);
    if https_get(&examples, &file("ca.pem"), &url)? {
        return Err(format!("https_get {url} succeeded, but the certificate is for wrong.example"));
    }
    println!("(rejected as it must be: the certificate names wrong.example, not localhost)");

    drop((good, wrong));
    println!("\ndemo done: servers stopped. Try it by hand:");
    println!(
        "  cargo run --example https_server -- --port 8443 --cert .dev-certs/server.pem --key .dev-certs/server.key"
    );
    println!("  cargo run --example https_get -- --ca .dev-certs/ca.pem https://localhost:8443/");
    Ok(())
}

/// Runs `https_get --ca CA URL`, letting its stdout and stderr through; whether it succeeded.
fn https_get(examples: &Path, ca: &str, url: &str) -> Result<bool, String> {
    let program = examples.join("https_get");
    println!("$ https_get --ca {ca} {url}");
    let status = Command::new(&program)
        .args(["--ca", ca, url])
        .status()
        .map_err(|e| format!("could not start {}: {e}", program.display()))?;
    println!("[https_get exited with {status}]");
    Ok(status.success())
}

/// Starts the `https_server` example on a free 127.0.0.1 port with `cert` and `key`, its
/// output shown as it comes.
fn https_server(examples: &Path, cert: &str, key: &str) -> Result<ServerProcess, String> {
    println!("$ https_server --bind 127.0.0.1 --port 0 --cert {cert} --key {key}");
    ServerProcess::start(
        "https_server",
        Command::new(examples.join("https_server")).args([
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
            "--threads",
            "4",
            "--cert",
            cert,
            "--key",
            key,
        ]),
        ServerOutput::Echo("https_server"),
        START_TIMEOUT,
    )
}
