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

use crate::util::{cargo, have, run, target_dir};

const PROVIDERS: [&str; 2] = ["aws-lc-rs", "ring"];
const SMALL_BYTES: usize = 1024;

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let build_times = args.iter().any(|a| a == "--build-times");
    let handshakes: u64 = if quick { 300 } else { 2_000 };
    let bulk_bytes: u64 = if quick { 256 << 20 } else { 1 << 30 };
    let rounds = if quick { 1 } else { 5 };
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
        "\nnginx {} over TLS on {host}:{port} (ECDSA P-256 dev certificate, 1 worker, no session cache or \
         tickets); best of {rounds} rounds, clients interleaved; client CPU = user + system time of the client \
         process in the best round",
        nginx_version()
    );
    let client_args = |mode: &str, path: &str, count: u64| -> Vec<String> {
        vec![mode.into(), host.into(), port.clone(), path.into(), count.to_string(), ca.clone()]
    };
    let programs = |mode: &str| -> Vec<(String, Command)> {
        let (path, count) =
            if mode == "bulk" { ("/bulk.bin", bulk_bytes) } else { ("/index.html", handshakes) };
        let mut list: Vec<(String, Command)> = ours
            .iter()
            .map(|(name, binary)| {
                let mut cmd = Command::new(binary);
                cmd.args(client_args(mode, path, count));
                (name.clone(), cmd)
            })
            .collect();
        let mut cmd = Command::new(&poco);
        cmd.args(client_args(mode, path, count));
        list.push(("POCO C++ HTTPSClientSession (OpenSSL)".into(), cmd));
        list
    };

    println!(
        "\nnew connection per request: TLS 1.3 handshake + GET of {SMALL_BYTES} bytes, {handshakes} requests \
         per client"
    );
    let mut rows: Vec<Row> = Vec::new();
    for _ in 0..rounds {
        let mut i = 0;
        for (name, mut cmd) in programs("handshakes") {
            let report = client(&mut cmd)?;
            report.expect(handshakes, handshakes * SMALL_BYTES as u64)?;
            if report.resumed.is_some_and(|r| r != 0) {
                return Err(format!("{name}: {:?} handshakes resumed, expected none", report.resumed));
            }
            record(&mut rows, i, &name, report.requests / report.seconds, report.cpu / report.requests);
            i += 1;
        }
        let (rate, cpu) = curl_handshakes(work.path(), &ca, &nginx, handshakes)?;
        record(&mut rows, i, "curl -K, Connection: close, --no-sessionid (OpenSSL)", rate, cpu);
        let (rate, cpu) = s_time(&ca, nginx.port, if quick { 1 } else { 3 })?;
        record(&mut rows, i + 1, "openssl s_time -new -www (OpenSSL)", rate, cpu);
    }
    let poco_rate = rows[ours.len()].best;
    println!("\n| client | handshakes/s | vs POCO | client CPU per handshake |\n|---|---:|---:|---:|");
    for row in &rows {
        println!(
            "| {} | {:.0} | {:.2}x | {:.0} µs |",
            row.name,
            row.best,
            row.best / poco_rate,
            row.cpu * 1e6
        );
    }

    println!("\nbulk: one GET of {} MiB", bulk_bytes >> 20);
    // Warm-up: nginx and the page cache see the file once before anything is timed.
    curl_bulk(&ca, &nginx, bulk_bytes)?;
    let gib = bulk_bytes as f64 / f64::from(1u32 << 30);
    let mut rows: Vec<Row> = Vec::new();
    for _ in 0..rounds {
        let mut i = 0;
        for (name, mut cmd) in programs("bulk") {
            let report = client(&mut cmd)?;
            report.expect(1, bulk_bytes)?;
            record(&mut rows, i, &name, bulk_bytes as f64 / report.seconds, report.cpu / gib);
            i += 1;
        }
        let (speed, cpu) = curl_bulk(&ca, &nginx, bulk_bytes)?;
        record(&mut rows, i, "curl (OpenSSL)", speed, cpu / gib);
        let (speed, cpu) = s_client_bulk(nginx.port, bulk_bytes)?;
        record(&mut rows, i + 1, "openssl s_client (OpenSSL)", speed, cpu / gib);
    }
    let (poco_speed, curl_speed) = (rows[ours.len()].best, rows[ours.len() + 1].best);
    println!("\n| client | MB/s | vs curl | vs POCO | client CPU per GiB |\n|---|---:|---:|---:|---:|");
    for row in &rows {
        println!(
            "| {} | {:.0} | {:.2}x | {:.2}x | {:.2} s |",
            row.name,
            row.best / 1e6,
            row.best / curl_speed,
            row.best / poco_speed,
            row.cpu
        );
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
    let peers = target_dir().join("peers");
    std::fs::create_dir_all(&peers).map_err(|e| e.to_string())?;
    let copy = peers.join(format!("bench_https_client-{provider}"));
    std::fs::copy(target_dir().join("release/examples/bench_https_client"), &copy)
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
    /// The client process's CPU time (user + system), seconds.
    cpu: f64,
}

/// One client's best figure over the rounds, and its CPU cost per unit in that round.
struct Row {
    name: String,
    best: f64,
    cpu: f64,
}

fn record(rows: &mut Vec<Row>, i: usize, name: &str, value: f64, cpu: f64) {
    if rows.len() <= i {
        rows.push(Row { name: name.to_string(), best: 0.0, cpu: 0.0 });
    }
    if value > rows[i].best {
        rows[i].best = value;
        rows[i].cpu = cpu;
    }
}

/// The CPU time (user + system, seconds) of this process's waited-for children so far, from
/// `/proc/self/stat` (`cutime`, `cstime`; clock ticks of 10 ms).
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    // After the command name: state is field 3; cutime and cstime are fields 16 and 17.
    let tick = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
    tick(16) + tick(17)
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
    let before = children_cpu();
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let cpu = children_cpu() - before;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let field = |name: &str| {
        text.split_whitespace().find_map(|kv| kv.strip_prefix(name)).and_then(|v| v.parse::<f64>().ok())
    };
    match (field("requests="), field("bytes="), field("seconds=")) {
        (Some(requests), Some(bytes), Some(seconds)) => {
            Ok(Report { requests, bytes, seconds, resumed: field("resumed=").map(|r| r as u64), cpu })
        }
        _ => Err(format!("unexpected output from {cmd:?}: {text}")),
    }
}

/// curl fetching the small page `n` times from one process; `Connection: close` and no
/// session cache make every request a new connection with a full handshake. Returns
/// handshakes per second and CPU seconds per handshake.
fn curl_handshakes(dir: &Path, ca: &str, nginx: &Nginx, n: u64) -> Result<(f64, f64), String> {
    let config = dir.join("curl-handshakes.cfg");
    let url = format!("https://127.0.0.1:{}/index.html", nginx.port);
    std::fs::write(&config, format!("url = \"{url}\"\noutput = \"/dev/null\"\n").repeat(n as usize))
        .map_err(|e| e.to_string())?;
    let (started, before) = (Instant::now(), children_cpu());
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
    Ok((n as f64 / seconds, (children_cpu() - before) / n as f64))
}

/// `openssl s_time -new`: full handshakes plus `GET /index.html` for `seconds`; connections
/// per wall-clock second (s_time prints whole seconds only, so we time it ourselves) and CPU
/// seconds per connection.
fn s_time(ca: &str, port: u16, seconds: u32) -> Result<(f64, f64), String> {
    let (started, before) = (Instant::now(), children_cpu());
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
    Ok((connections / elapsed, (children_cpu() - before) / connections))
}

/// curl downloading the large body to /dev/null: bytes per second and CPU seconds.
fn curl_bulk(ca: &str, nginx: &Nginx, bytes: u64) -> Result<(f64, f64), String> {
    let before = children_cpu();
    let out = Command::new("curl")
        .args(["-s", "--fail", "--cacert", ca, "-o", "/dev/null", "-w", "%{size_download} %{time_total}"])
        .arg(format!("https://127.0.0.1:{}/bulk.bin", nginx.port))
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    match (out.status.success(), fields.next().flatten(), fields.next().flatten()) {
        (true, Some(size), Some(seconds)) if size as u64 == bytes => {
            Ok((size / seconds, children_cpu() - before))
        }
        _ => Err(format!("curl bulk: {text} {}", String::from_utf8_lossy(&out.stderr))),
    }
}

/// `openssl s_client` reading the body to stdout (HTTP/1.0: nginx closes after it); the
/// bytes are counted here and include the response head. Bytes per second and CPU seconds.
fn s_client_bulk(port: u16, bytes: u64) -> Result<(f64, f64), String> {
    let (started, before) = (Instant::now(), children_cpu());
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
    Ok((bytes as f64 / seconds, children_cpu() - before))
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
