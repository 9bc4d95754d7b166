//! `cargo xtask bench ftp`: FTP and FTPS transfer MB/s against a private vsftpd on
//! 127.0.0.1, rpoco beside curl in the same run.
//!
//! Download and upload of one file (1 GiB; 256 MiB with `--quick`; `--size=MIB` to choose),
//! passive mode, plain FTP and explicit FTPS (`AUTH TLS`, `PROT P`, vsftpd with
//! `require_ssl_reuse=YES`, so both clients resume the control connection's TLS session on
//! the data connection). rpoco's client is `crates/netssl/examples/bench_ftp_client.rs`;
//! curl is Debian's (OpenSSL). Best of 3 rounds (1 with `--quick`), clients interleaved.
//! Both clients' times run from before the connection to the server's final reply
//! (curl's `time_total`): connect, TLS handshake, login, transfer.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use rpoco_testsupport::{Vsftpd, VsftpdTls};

use crate::util::{cargo, have, run, target_dir};

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let size_mib: u64 = match args.iter().find_map(|a| a.strip_prefix("--size=")) {
        Some(v) => v.parse().map_err(|_| "--size=MIB needs a number of MiB")?,
        None if quick => 256,
        None => 1024,
    };
    let bytes = size_mib << 20;
    let rounds = if quick { 1 } else { 3 };
    for program in ["vsftpd", "curl"] {
        if !have(program) {
            return Err(format!("`{program}` is missing: run scripts/install-test-deps.sh"));
        }
    }
    let work = tempfile::Builder::new().prefix("rpoco-bench-ftp").tempdir().map_err(|e| e.to_string())?;
    let certs = rpoco_testcerts::DevCerts::generate().map_err(|e| e.to_string())?;
    certs.write_to(work.path()).map_err(|e| e.to_string())?;
    let ca = work.path().join("ca.pem").display().to_string();
    // Sparse: zeros that cost no disk; TLS encrypts them like any other bytes.
    let source = work.path().join("upload.bin");
    sparse(&source, bytes)?;

    let mut cmd = cargo();
    cmd.args(["build", "--quiet", "--release", "-p", "rpoco-netssl", "--example", "bench_ftp_client"]);
    run("build rpoco FTP client", &mut cmd)?;
    let ours = target_dir().join("release/examples/bench_ftp_client");

    let identity = (certs.server_rsa.cert_pem.as_str(), certs.server_rsa.key_pem.as_str());
    println!(
        "\nvsftpd {} on 127.0.0.1, passive mode, {size_mib} MiB per transfer; best of {rounds} rounds",
        vsftpd_version()
    );
    println!("\n| transfer | rpoco MB/s | curl MB/s | rpoco / curl |\n|---|---:|---:|---:|");
    for (security, mode) in [("plain", VsftpdTls::None), ("ftps", VsftpdTls::Explicit)] {
        let server = Vsftpd::start(mode, Some(identity))?;
        sparse(&server.root().join("big.bin"), bytes)?;
        let url = |path: &str| format!("ftp://127.0.0.1:{}/{path}", server.port);
        let tls_args: Vec<&str> =
            if security == "ftps" { vec!["--ssl-reqd", "--cacert", &ca] } else { vec![] };
        for direction in ["download", "upload"] {
            let (mut best_ours, mut best_curl) = (0f64, 0f64);
            for _ in 0..rounds {
                let remote = if direction == "download" { "big.bin" } else { "pub/rpoco.bin" };
                let mut ours_cmd = Command::new(&ours);
                ours_cmd.args([direction, security, "127.0.0.1", &server.port.to_string(), remote]);
                ours_cmd.arg(bytes.to_string()).arg(&ca);
                best_ours = best_ours.max(ours_run(&mut ours_cmd, bytes, security == "ftps")?);

                let mut curl = Command::new("curl");
                curl.args(["-s", "-S", "--fail"]).args(&tls_args);
                if direction == "download" {
                    curl.args(["-o", "/dev/null", "-w", "%{size_download} %{time_total}", &url("big.bin")]);
                } else {
                    curl.arg("-T").arg(&source).args([
                        "-w",
                        "%{size_upload} %{time_total}",
                        &url("pub/curl.bin"),
                    ]);
                }
                best_curl = best_curl.max(curl_run(&mut curl, bytes)?);
            }
            println!(
                "| {security} {direction} | {:.0} | {:.0} | {:.2}x |",
                best_ours / 1e6,
                best_curl / 1e6,
                best_ours / best_curl
            );
        }
    }
    Ok(())
}

fn sparse(path: &Path, bytes: u64) -> Result<(), String> {
    std::fs::File::create(path).and_then(|f| f.set_len(bytes)).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs our client; bytes per second.
fn ours_run(cmd: &mut Command, bytes: u64, tls: bool) -> Result<f64, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let field = |name: &str| text.split_whitespace().find_map(|kv| kv.strip_prefix(name));
    let moved: u64 = field("bytes=").and_then(|v| v.parse().ok()).ok_or(format!("bad output: {text}"))?;
    let seconds: f64 = field("seconds=").and_then(|v| v.parse().ok()).ok_or(format!("bad output: {text}"))?;
    if moved != bytes || (tls && field("reused=") != Some("1")) {
        return Err(format!("rpoco client: {text} (expected {bytes} bytes, TLS session reused)"));
    }
    Ok(moved as f64 / seconds)
}

/// Runs curl with `-w "%{size} %{time_total}"`; bytes per second.
fn curl_run(cmd: &mut Command, bytes: u64) -> Result<f64, String> {
    let started = Instant::now();
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let mut fields = text.split_whitespace();
    let moved = fields.next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let seconds =
        fields.next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(started.elapsed().as_secs_f64());
    if moved as u64 != bytes {
        return Err(format!("curl moved {moved} bytes, expected {bytes}"));
    }
    Ok(moved / seconds)
}

fn vsftpd_version() -> String {
    Command::new("dpkg-query")
        .args(["-W", "-f", "${Version}", "vsftpd"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}
