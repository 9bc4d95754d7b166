//! `cargo xtask bench netssl`: HTTPS client figures against a private nginx with TLS on
//! 127.0.0.1, all clients in the same run:
//!
//! - new-connection HTTPS requests/s (a full TLS 1.3 handshake and one small GET each; the
//!   server keeps no session cache and sends no tickets), and
//! - bulk download MB/s of one large body (1 GiB; 256 MiB with `--quick`),
//!
//! for rpoco-netssl's `HttpsClientSession` built with each rustls provider (aws-lc-rs, ring),
//! POCO's C++ `HTTPSClientSession` (Debian's libpoco-dev, OpenSSL 3), curl (OpenSSL), and
//! `openssl s_time` / `openssl s_client`. Every client verifies the server against the dev CA.
//! `--build-times` also measures a clean `cargo build -p rpoco-netssl` per provider on 2 jobs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use rpoco_testsupport::{Nginx, NginxConfig};

use crate::util::{cargo, have, run, workspace_root};

const PROVIDERS: [&str; 2] = ["aws-lc-rs", "ring"];
const SMALL_BYTES: usize = 1024;

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let build_times = args.iter().any(|a| a == "--build-times");
    let handshakes: u64 = if quick { 300 } else { 2_000 };
    let bulk_bytes: u64 = if quick { 256 << 20 } else { 1 << 30 };
    let rounds = if quick { 1 } else { 3 };
    for program in ["nginx", "g++", "curl", "openssl"] {
        if !have(program) {
            return Err(format!("`{program}` is missing: run scripts/install-test-deps.sh"));
        }
    }
    let work = tempfile::Builder::new().prefix("rpoco-bench-netssl").tempdir().map_err(|e| e.to_string())?;
    let certs = rpoco_testcerts::DevCerts::generate().map_err(|e| e.to_string())?;
    certs.write_to(work.path()).map_err(|e| e.to_string())?;
    let file = |name: &str| work.path().join(name).to_string_lossy().into_owned();
    let ca = file("ca.pem");

    let ours: Vec<(String, PathBuf)> = PROVIDERS
        .iter()
        .map(|p| Ok((format!("rpoco HttpsClientSession ({p})"), build_ours(p)?)))
        .collect::<Result<_, String>>()?;
    let poco = super::peers::build_poco_peer(
        "poco_https_client",
        "Net/HTTPSClientSession.h",
        &["PocoNetSSL", "PocoNet", "PocoCrypto", "PocoFoundation"],
    )?;

    // One nginx worker (the clients are sequential); full handshakes only.
    let config = NginxConfig::new()
        .tls(file("server.pem"), file("server.key"))
        .file("index.html", vec![b'x'; SMALL_BYTES])
        .server("ssl_session_cache off;\nssl_session_tickets off;");
    let nginx = Nginx::start(&config)?;
    let bulk = nginx.root.join("bulk.bin");
    // Sparse: the body is zeros that TLS encrypts like any other bytes, and costs no disk.
    std::fs::File::create(&bulk)
        .and_then(|f| f.set_len(bulk_bytes))
        .map_err(|e| format!("{}: {e}", bulk.display()))?;
    let port = nginx.port.to_string();
    let host = "127.0.0.1"; // in the dev certificate's names; `localhost` may resolve to ::1 first

    println!(
        "\nnginx {} over TLS on {host}:{port} (ECDSA P-256 dev certificate, 1 worker, no session cache or tickets); \
         best of {rounds} round(s)",
        nginx_version()
    );
    println!(
        "\nnew connection per request: TLS handshake + GET of {SMALL_BYTES} bytes, {handshakes} requests per client"
    );
    let mut rates: Vec<(String, f64)> = Vec::new();
    let client_args = |mode: &str, path: &str, count: u64| -> Vec<String> {
        vec![mode.into(), host.into(), port.clone(), path.into(), count.to_string(), ca.clone()]
    };
    let mut best = vec![0f64; ours.len() + 3];
    for _ in 0..rounds {
        for (i, (_, binary)) in ours.iter().enumerate() {
            let report =
                client(Command::new(binary).args(client_args("handshakes", "/index.html", handshakes)))?;
            report.expect(handshakes, handshakes * SMALL_BYTES as u64)?;
            if report.resumed != Some(0) {
                return Err(format!(
                    "{}: {:?} handshakes resumed, expected none",
                    binary.display(),
                    report.resumed
                ));
            }
            best[i] = best[i].max(report.requests / report.seconds);
        }
        let report = client(Command::new(&poco).args(client_args("handshakes", "/index.html", handshakes)))?;
        report.expect(handshakes, handshakes * SMALL_BYTES as u64)?;
        best[ours.len()] = best[ours.len()].max(report.requests / report.seconds);
        best[ours.len() + 1] =
            best[ours.len() + 1].max(curl_handshakes(work.path(), &ca, &nginx, handshakes)?);
        best[ours.len() + 2] = best[ours.len() + 2].max(s_time(&ca, nginx.port, if quick { 1 } else { 3 })?);
    }
    for (i, (name, _)) in ours.iter().enumerate() {
        rates.push((name.clone(), best[i]));
    }
    rates.push(("POCO C++ HTTPSClientSession (OpenSSL)".into(), best[ours.len()]));
    rates.push(("curl -K, Connection: close, --no-sessionid (OpenSSL)".into(), best[ours.len() + 1]));
    rates.push(("openssl s_time -new -www (OpenSSL)".into(), best[ours.len() + 2]));
    let poco_rate = best[ours.len()];
    println!("\n| client | handshakes/s | vs POCO |\n|---|---:|---:|");
    for (name, rate) in &rates {
        println!("| {name} | {rate:.0} | {:.2}x |", rate / poco_rate);
    }

    println!("\nbulk: one GET of {} MiB", bulk_bytes >> 20);
    // Warm-up: nginx and the page cache see the file once before anything is timed.
    curl_bulk(&ca, &nginx, bulk_bytes)?;
    let mut best = vec![0f64; ours.len() + 3];
    for _ in 0..rounds {
        for (i, (_, binary)) in ours.iter().enumerate() {
            let report = client(Command::new(binary).args(client_args("bulk", "/bulk.bin", bulk_bytes)))?;
            report.expect(1, bulk_bytes)?;
            best[i] = best[i].max(bulk_bytes as f64 / report.seconds);
        }
        let report = client(Command::new(&poco).args(client_args("bulk", "/bulk.bin", bulk_bytes)))?;
        report.expect(1, bulk_bytes)?;
        best[ours.len()] = best[ours.len()].max(bulk_bytes as f64 / report.seconds);
        best[ours.len() + 1] = best[ours.len() + 1].max(curl_bulk(&ca, &nginx, bulk_bytes)?);
        best[ours.len() + 2] = best[ours.len() + 2].max(s_client_bulk(nginx.port, bulk_bytes)?);
    }
    let mut speeds: Vec<(String, f64)> = Vec::new();
    for (i, (name, _)) in ours.iter().enumerate() {
        speeds.push((name.clone(), best[i]));
    }
    speeds.push(("POCO C++ HTTPSClientSession (OpenSSL)".into(), best[ours.len()]));
    speeds.push(("curl (OpenSSL)".into(), best[ours.len() + 1]));
    speeds.push(("openssl s_client (OpenSSL)".into(), best[ours.len() + 2]));
    let (curl, poco_speed) = (best[ours.len() + 1], best[ours.len()]);
    println!("\n| client | MB/s | vs curl | vs POCO |\n|---|---:|---:|---:|");
    for (name, speed) in &speeds {
        println!("| {name} | {:.0} | {:.2}x | {:.2}x |", speed / 1e6, speed / curl, speed / poco_speed);
    }
    drop(nginx);

    if build_times {
        println!("\nclean `cargo build -p rpoco-netssl -j 2` (dev profile, empty target directory)");
        println!("\n| provider | seconds |\n|---|---:|");
        for provider in PROVIDERS {
            println!("| {provider} | {:.0} |", clean_build_seconds(provider)?);
        }
    }
    Ok(())
}

/// Builds the bench client with `provider` and copies it aside (each build overwrites it).
fn build_ours(provider: &str) -> Result<PathBuf, String> {
    let mut cmd = cargo();
    cmd.args(["build", "--quiet", "--release", "-p", "rpoco-netssl", "--example", "bench_https_client"]);
    cmd.args(["--no-default-features", "--features", provider]);
    run(&format!("build rpoco client ({provider})"), &mut cmd)?;
    let root = workspace_root();
    let peers = root.join("target/peers");
    std::fs::create_dir_all(&peers).map_err(|e| e.to_string())?;
    let copy = peers.join(format!("bench_https_client-{provider}"));
    std::fs::copy(root.join("target/release/examples/bench_https_client"), &copy)
        .map_err(|e| e.to_string())?;
    Ok(copy)
}

/// What a client printed: `requests=N bytes=B seconds=S [resumed=R]`.
#[derive(Debug)]
struct Report {
    requests: f64,
    bytes: f64,
    seconds: f64,
    resumed: Option<u64>,
}

impl Report {
    fn expect(&self, requests: u64, bytes: u64) -> Result<(), String> {
        if self.requests as u64 != requests || self.bytes as u64 != bytes {
            return Err(format!(
                "a client reported {self:?}, expected {requests} requests and {bytes} bytes"
            ));
        }
        Ok(())
    }
}

fn client(cmd: &mut Command) -> Result<Report, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let field = |name: &str| {
        text.split_whitespace().find_map(|kv| kv.strip_prefix(name)).and_then(|v| v.parse::<f64>().ok())
    };
    match (field("requests="), field("bytes="), field("seconds=")) {
        (Some(requests), Some(bytes), Some(seconds)) => {
            Ok(Report { requests, bytes, seconds, resumed: field("resumed=").map(|r| r as u64) })
        }
        _ => Err(format!("unexpected output from {cmd:?}: {text}")),
    }
}

/// curl fetching the small page `n` times from one process; `Connection: close` and no
/// session cache make every request a new connection with a full handshake.
fn curl_handshakes(dir: &Path, ca: &str, nginx: &Nginx, n: u64) -> Result<f64, String> {
    let config = dir.join("curl-handshakes.cfg");
    let url = format!("https://127.0.0.1:{}/index.html", nginx.port);
    std::fs::write(&config, format!("url = \"{url}\"\noutput = \"/dev/null\"\n").repeat(n as usize))
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let out = Command::new("curl")
        .args([
            "-s",
            "--fail",
            "--no-sessionid",
            "-H",
            "Connection: close",
            "--cacert",
            ca,
            "-w",
            "%{num_connects}\n",
            "-K",
        ])
        .arg(&config)
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("curl failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let connects: u64 =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().parse::<u64>().ok()).sum();
    if connects != n {
        return Err(format!("curl made {connects} connections for {n} requests"));
    }
    Ok(n as f64 / seconds)
}

/// `openssl s_time -new`: full handshakes plus `GET /index.html` for `seconds`; connections
/// per wall-clock second (s_time prints whole seconds only, so we time it ourselves).
fn s_time(ca: &str, port: u16, seconds: u32) -> Result<f64, String> {
    let started = Instant::now();
    let out = Command::new("openssl")
        .args(["s_time", "-connect", &format!("127.0.0.1:{port}"), "-new", "-www", "/index.html"])
        .args(["-CAfile", ca, "-verify", "9", "-time", &seconds.to_string()])
        .output()
        .map_err(|e| format!("openssl s_time: {e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    // "<N> connections in <T> real seconds, <B> bytes read per connection"
    let line =
        text.lines().find(|l| l.contains("real seconds")).ok_or_else(|| format!("s_time said: {text}"))?;
    let connections: f64 =
        line.split_whitespace().next().and_then(|n| n.parse().ok()).ok_or(format!("s_time: {line}"))?;
    Ok(connections / elapsed)
}

fn curl_bulk(ca: &str, nginx: &Nginx, bytes: u64) -> Result<f64, String> {
    let out = Command::new("curl")
        .args(["-s", "--fail", "--cacert", ca, "-o", "/dev/null", "-w", "%{size_download} %{time_total}"])
        .arg(format!("https://127.0.0.1:{}/bulk.bin", nginx.port))
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    match (out.status.success(), fields.next().flatten(), fields.next().flatten()) {
        (true, Some(size), Some(seconds)) if size as u64 == bytes => Ok(size / seconds),
        _ => Err(format!("curl bulk: {text} {}", String::from_utf8_lossy(&out.stderr))),
    }
}

/// `openssl s_client` reading the body to stdout (HTTP/1.0: nginx closes after it); the
/// bytes are counted here and include the response head.
fn s_client_bulk(port: u16, bytes: u64) -> Result<f64, String> {
    let started = Instant::now();
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-quiet", "-no_ign_eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("openssl s_client: {e}"))?;
    let request = "GET /bulk.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    let mut stdin = child.stdin.take().ok_or("s_client stdin")?;
    std::io::Write::write_all(&mut stdin, request.as_bytes()).map_err(|e| e.to_string())?;
    let mut stdout = child.stdout.take().ok_or("s_client stdout")?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut got = 0u64;
    loop {
        match stdout.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n as u64,
            Err(e) => return Err(format!("reading s_client: {e}")),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(stdin);
    let _ = child.wait();
    if got < bytes {
        return Err(format!("s_client delivered {got} bytes, expected at least {bytes}"));
    }
    Ok(bytes as f64 / seconds)
}

fn nginx_version() -> String {
    let out = Command::new(rpoco_testsupport::find_program("nginx").unwrap_or_else(|| "nginx".into()))
        .arg("-v")
        .output();
    out.map(|o| String::from_utf8_lossy(&o.stderr).trim().trim_start_matches("nginx version: ").to_string())
        .unwrap_or_default()
}

/// A clean dev build of rpoco-netssl with `provider`, 2 jobs, in an empty target directory.
fn clean_build_seconds(provider: &str) -> Result<f64, String> {
    let dir = tempfile::Builder::new().prefix("rpoco-build-").tempdir().map_err(|e| e.to_string())?;
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--quiet",
        "-j",
        "2",
        "-p",
        "rpoco-netssl",
        "--no-default-features",
        "--features",
        provider,
    ]);
    cmd.env("CARGO_TARGET_DIR", dir.path());
    let started = Instant::now();
    run(&format!("clean build ({provider})"), &mut cmd)?;
    Ok(started.elapsed().as_secs_f64())
}
