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

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::util::{self, cargo, target_dir, workspace_root};

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
    let good = Server::start(&examples, &file("server.pem"), &file("server.key"))?;
    let url = format!("https://localhost:{}/", good.port);
    let fetched = https_get(&examples, &file("ca.pem"), &url)?;
    if !fetched {
        return Err(format!("https_get {url} failed; see its error above"));
    }

    println!("\n--- 2. the same client against a server whose certificate is for another host");
    let wrong = Server::start(&examples, &file("wrong-host.pem"), &file("wrong-host.key"))?;
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

/// A running `https_server` example, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(examples: &Path, cert: &str, key: &str) -> Result<Server, String> {
        let program: PathBuf = examples.join("https_server");
        println!("$ https_server --bind 127.0.0.1 --port 0 --cert {cert} --key {key}");
        let mut child = Command::new(&program)
            .args(["--bind", "127.0.0.1", "--port", "0", "--threads", "4", "--cert", cert, "--key", key])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or("https_server: no stdout")?;
        // Read its output on a thread, so waiting for the first line has a timeout and the
        // later "request from" lines still show.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("[https_server] {line}");
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let mut server = Server { child, port: 0 };
        let addr = rx.recv_timeout(START_TIMEOUT).map_err(|_| {
            format!("https_server did not print `listening on ADDR` within {START_TIMEOUT:?}")
        })?;
        server.port = addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("https_server printed an address without a port: {addr}"))?;
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
