//! `cargo xtask bench server`: rpoco-net's `HttpServer` (the `http_server` example's
//! `/hello`), hyper 1 on tokio (`xtask/peers/hyper`), nginx with one worker (`return 200`)
//! and a C++ POCO `HTTPServer` (Debian's libpoco-dev), each answering the same 13-byte
//! `Hello, world!`, driven by wrk on 127.0.0.1 in one run: requests/s, p99 latency and server
//! CPU per request at 50 and 500 keep-alive connections (median of interleaved rounds), a
//! chart (`docs/benchmarks-server.svg`); then threads and RSS with 10,000 idle keep-alive
//! connections. Bounded: each wrk run lasts a few seconds.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rpoco_testsupport::{Nginx as ConfiguredNginx, NginxConfig};

use super::https_server::{clock_ticks, cpu_ticks};
use super::net::Nginx;
use super::peers::{build_hyper_peer, build_poco_peer};
use crate::util::{ServerOutput, ServerProcess, cargo, have, run, target_dir, workspace_root};

pub(super) const CONNECTIONS: usize = 50;
/// The second keep-alive run: many connections per worker.
pub(super) const MANY: usize = 500;
const IDLE: usize = 10_000;
/// Worker threads for our server (POCO's default pool size).
const OUR_THREADS: usize = 16;
/// POCO serves a keep-alive connection on one pool thread for its whole life, so it needs at
/// least one thread per wrk connection or the rest wait in its queue.
const POCO_THREADS: usize = 64;

/// A server under test.
struct Target {
    name: &'static str,
    url: String,
    pid: u32,
}

/// The median of a server's rounds at one connection count.
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub(super) rps: f64,
    pub(super) p99_ms: f64,
    /// Server CPU (user + system) per request, microseconds.
    pub(super) cpu_us: f64,
    /// wrk's error line, if it saw socket errors or non-2xx answers.
    pub(super) errors: Option<String>,
}

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let (seconds, rounds) = if quick { (2, 1) } else { (5, 3) };
    for program in ["wrk", "nginx", "g++", "prlimit"] {
        if !have(program) {
            return Err(format!("`{program}` is missing: run scripts/install-test-deps.sh"));
        }
    }
    if !Path::new("/usr/include/Poco/Net/HTTPServer.h").exists() {
        return Err("libpoco-dev is missing: run scripts/install-test-deps.sh".into());
    }
    // This process holds the client ends; each server, in its own process, the other ends.
    raise_fd_limit(IDLE as u64 + 1024)?;
    run(
        "build rpoco http_server",
        cargo().args(["build", "--quiet", "--release", "--example", "http_server"]),
    )?;
    let ours_bin = target_dir().join("release/examples/http_server");
    let poco_bin =
        build_poco_peer("poco_http_server", "Net/HTTPServer.h", &["PocoNet", "PocoUtil", "PocoFoundation"])?;
    let hyper_bin = build_hyper_peer()?;

    let ours = start_server(
        "rpoco-net HttpServer",
        Command::new(&ours_bin).args([
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--threads",
            &OUR_THREADS.to_string(),
        ]),
    )?;
    let poco =
        start_server("POCO C++ HTTPServer", Command::new(&poco_bin).args(["0", &POCO_THREADS.to_string()]))?;
    let hyper = start_server("hyper 1 + tokio (2 workers)", Command::new(&hyper_bin).arg("0"))?;
    // nginx with one worker answers the same 13 bytes from its config (`return 200`).
    let nginx = ConfiguredNginx::start(
        &NginxConfig::new()
            .server("location = /hello { default_type text/plain; return 200 \"Hello, world!\"; }"),
    )?;
    let nginx_pid: u32 = std::fs::read_to_string(nginx.dir().join("nginx.pid"))
        .ok()
        .and_then(|p| p.trim().parse().ok())
        .ok_or("nginx wrote no pid file")?;
    let targets = [
        Target {
            name: ours.name,
            url: format!("http://127.0.0.1:{}/hello", ours.port),
            pid: ours.child.id(),
        },
        Target {
            name: hyper.name,
            url: format!("http://127.0.0.1:{}/hello", hyper.port),
            pid: hyper.child.id(),
        },
        Target { name: "nginx 1 worker (return 200)", url: nginx.url("/hello"), pid: nginx_pid },
        Target {
            name: poco.name,
            url: format!("http://127.0.0.1:{}/hello", poco.port),
            pid: poco.child.id(),
        },
    ];
    for t in &targets {
        let body = fetch_body(&t.url)?;
        if body != b"Hello, world!" {
            return Err(format!(
                "{} answered {:?}, not the 13-byte hello",
                t.name,
                String::from_utf8_lossy(&body)
            ));
        }
    }

    println!(
        "\nwrk -t2 -cN -d{seconds}s --latency on 127.0.0.1, keep-alive GET of the same 13-byte \
         `Hello, world!`, {rounds} round(s) interleaved, median shown; rpoco {OUR_THREADS} threads, \
         POCO {POCO_THREADS}"
    );
    let mut results: Vec<Vec<Run>> = Vec::new();
    for conns in [CONNECTIONS, MANY] {
        results.push(measure(&targets, conns, seconds, rounds)?);
    }
    println!(
        "\n| server | connections | requests/s | p99 latency | server CPU per request | vs hyper | vs nginx |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (conns, runs) in [CONNECTIONS, MANY].iter().zip(&results) {
        for (t, r) in targets.iter().zip(runs) {
            let errors = r.errors.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
            println!(
                "| {} | {conns} | {:.0}{errors} | {:.2} ms | {:.1} µs | {:.2}x | {:.2}x |",
                t.name,
                r.rps,
                r.p99_ms,
                r.cpu_us,
                r.rps / runs[1].rps,
                r.rps / runs[2].rps
            );
        }
    }
    for (conns, runs) in [CONNECTIONS, MANY].iter().zip(&results) {
        let (us, hy, ng) = (&runs[0], &runs[1], &runs[2]);
        println!(
            "targets at {conns} connections: >= 1.0x hyper: {} ({:.2}x); >= 1.2x nginx: {} ({:.2}x); p99 no worse \
             than hyper: {} ({:.2} vs {:.2} ms)",
            met(us.rps >= hy.rps),
            us.rps / hy.rps,
            met(us.rps >= 1.2 * ng.rps),
            us.rps / ng.rps,
            met(us.p99_ms <= hy.p99_ms),
            us.p99_ms,
            hy.p99_ms
        );
    }
    let names: Vec<&str> = targets.iter().map(|t| t.name).collect();
    let svg = super::chart::grouped_bars(
        "HTTP keep-alive, 13-byte answer (requests/s, wrk -t2, 127.0.0.1)",
        &names,
        &[(format!("{CONNECTIONS} connections"), &results[0]), (format!("{MANY} connections"), &results[1])],
    );
    let chart = workspace_root().join("docs/benchmarks-server.svg");
    std::fs::write(&chart, svg).map_err(|e| format!("{}: {e}", chart.display()))?;
    println!("\nchart written to {}", chart.display());

    println!("\n{IDLE} idle keep-alive connections (each served one request, then left open)");
    println!(
        "\n| server | threads before | threads with {IDLE} idle | RSS before | RSS with {IDLE} idle |\n|---|---:|---:|---:|---:|"
    );
    let idle_nginx = Nginx::start_with("server", &[("hello", b"Hello, world!")], IDLE + 64)?;
    let mut idle = Vec::new();
    for (name, pid, port, path) in [
        (ours.name, ours.child.id(), ours.port, "/hello"),
        (hyper.name, hyper.child.id(), hyper.port, "/hello"),
        ("nginx (1 worker)", idle_nginx.pid(), idle_nginx.port, "/hello"),
    ] {
        let before = proc_status(pid)?;
        let clients = open_idle(port, path, IDLE)?;
        std::thread::sleep(Duration::from_millis(300));
        let after = proc_status(pid)?;
        println!(
            "| {name} | {} | {} | {:.1} MiB | {:.1} MiB |",
            before.threads,
            after.threads,
            before.rss_kib as f64 / 1024.0,
            after.rss_kib as f64 / 1024.0
        );
        idle.push(after);
        drop(clients);
    }
    println!(
        "targets: threads <= max_threads + 3 ({}): {} ({}); RSS no larger than nginx's: {} ({:.1} vs {:.1} MiB)",
        OUR_THREADS + 3,
        met(idle[0].threads <= OUR_THREADS as u64 + 3),
        idle[0].threads,
        met(idle[0].rss_kib <= idle[2].rss_kib),
        idle[0].rss_kib as f64 / 1024.0,
        idle[2].rss_kib as f64 / 1024.0
    );
    println!(
        "\nPOCO's HTTPServer is not in the idle run: it holds a pool thread per open keep-alive connection, so \
         {IDLE} idle connections would need {IDLE} threads."
    );
    Ok(())
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

/// Runs wrk at `conns` connections against each target `rounds` times, interleaved, and
/// returns each target's median round (by requests/s), with the server's CPU per request.
fn measure(targets: &[Target], conns: usize, seconds: u64, rounds: usize) -> Result<Vec<Run>, String> {
    let ticks = clock_ticks();
    let mut all: Vec<Vec<Run>> = vec![Vec::new(); targets.len()];
    for round in 0..rounds {
        for (t, runs) in targets.iter().zip(&mut all) {
            let pid = t.pid.to_string();
            let before = cpu_ticks(&pid, false)?;
            let (w, requests, errors) = wrk_at(&t.url, seconds, conns, &[])?;
            let server_s = (cpu_ticks(&pid, false)? - before) as f64 / ticks;
            let r = Run {
                rps: w.rps,
                p99_ms: w.p99_ms,
                cpu_us: server_s * 1e6 / (requests.max(1) as f64),
                errors,
            };
            println!(
                "  round {} -c{conns}: {:<32} {:>9.0} req/s  p99 {:>8.2} ms  {:>6.1} µs CPU/request{}",
                round + 1,
                t.name,
                r.rps,
                r.p99_ms,
                r.cpu_us,
                r.errors.as_deref().map(|e| format!("  ({e})")).unwrap_or_default()
            );
            runs.push(r);
        }
    }
    Ok(all
        .into_iter()
        .map(|mut runs| {
            runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
            runs.swap_remove(runs.len() / 2)
        })
        .collect())
}

/// Raises this process's open-file limit (the children inherit it) with util-linux `prlimit`.
fn raise_fd_limit(want: u64) -> Result<(), String> {
    let pid = std::process::id().to_string();
    let limit = format!("--nofile={want}:{want}");
    let raised = Command::new("prlimit").args(["--pid", &pid, &limit]).status().map_err(|e| e.to_string())?;
    if !raised.success() {
        // Not allowed to raise the hard limit: take what the hard limit gives.
        let out = Command::new("prlimit")
            .args(["--pid", &pid, "--nofile", "--raw", "--noheadings", "--output=HARD"])
            .output();
        let hard =
            out.ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<u64>().ok()).unwrap_or(0);
        let soft = format!("--nofile={hard}:{hard}");
        Command::new("prlimit").args(["--pid", &pid, &soft]).status().map_err(|e| e.to_string())?;
        if hard < want {
            return Err(format!("the open-file limit is {hard}; the idle-connection bench needs {want}"));
        }
    }
    Ok(())
}

/// A server program under test; it prints `listening on ADDR` when ready and stops when
/// killed or when its standard input closes.
/// Starts a server that prints `listening on ADDR` (and nothing per request), within 10 s.
fn start_server(name: &'static str, cmd: &mut Command) -> Result<ServerProcess, String> {
    ServerProcess::start(name, cmd, ServerOutput::Echo(name), Duration::from_secs(10))
}

#[derive(Debug, Clone)]
pub(super) struct Wrk {
    pub(super) rps: f64,
    pub(super) p99_ms: f64,
}

/// Runs wrk at [`CONNECTIONS`] connections with `extra` arguments; returns its figures and
/// the number of requests it completed. Any socket error or non-2xx response is an error.
pub(super) fn wrk_with(url: &str, seconds: u64, extra: &[&str]) -> Result<(Wrk, u64), String> {
    match wrk_at(url, seconds, CONNECTIONS, extra)? {
        (_, _, Some(errors)) => Err(format!("wrk against {url} saw errors: {errors}")),
        (wrk, requests, None) => Ok((wrk, requests)),
    }
}

/// Runs wrk at `conns` connections; its figures, the requests completed, and its line
/// about socket errors or non-2xx answers if it printed one.
pub(super) fn wrk_at(
    url: &str,
    seconds: u64,
    conns: usize,
    extra: &[&str],
) -> Result<(Wrk, u64, Option<String>), String> {
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{conns}"), &format!("-d{seconds}s"), "--timeout", "5s", "--latency"])
        .args(extra)
        .arg(url)
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let errors = text
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    let requests: u64 = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in ").and_then(|(n, _)| n.parse().ok()))
        .ok_or_else(|| format!("no request count in wrk output:\n{text}"))?;
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk output:\n{text}"))?;
    let p99_ms = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| parse_duration_ms(v.trim()))
        .ok_or_else(|| format!("no 99% latency in wrk output:\n{text}"))?;
    Ok((Wrk { rps, p99_ms }, requests, (!errors.is_empty()).then_some(errors)))
}

/// wrk's `123.45us` / `1.23ms` / `1.02s` as milliseconds.
pub(super) fn parse_duration_ms(v: &str) -> Option<f64> {
    let split = v.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = v.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// One GET of `url` (`http://127.0.0.1:PORT/PATH`); returns the body (chunked or with
/// Content-Length).
fn fetch_body(url: &str) -> Result<Vec<u8>, String> {
    let rest = url.strip_prefix("http://127.0.0.1:").ok_or_else(|| format!("unexpected URL {url}"))?;
    let (port, path) = rest.split_once('/').ok_or_else(|| format!("unexpected URL {url}"))?;
    let port: u16 = port.parse().map_err(|_| format!("unexpected URL {url}"))?;
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    s.write_all(format!("GET /{path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    s.read_to_end(&mut all).map_err(|e| e.to_string())?;
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no response head")? + 4;
    let (head, mut rest) = (String::from_utf8_lossy(&all[..split]).to_string(), &all[split..]);
    if !head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        return Ok(rest.to_vec());
    }
    let mut body = Vec::new();
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size =
            usize::from_str_radix(&String::from_utf8_lossy(&rest[..eol]), 16).map_err(|e| e.to_string())?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
        rest = &rest[eol + 4 + size..];
    }
}

/// Opens `n` connections, sends one GET on each and reads its response, and returns the
/// still-open connections.
fn open_idle(port: u16, path: &str, n: usize) -> Result<Vec<TcpStream>, String> {
    let started = Instant::now();
    let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
    let mut open = Vec::with_capacity(n);
    let mut buf = vec![0u8; 4096];
    for i in 0..n {
        let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connection {i}: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
        s.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
        // Both servers answer this small page in one segment; read until the body's end.
        let mut got = Vec::new();
        while !complete(&got) {
            let k = s.read(&mut buf).map_err(|e| format!("connection {i}: {e}"))?;
            if k == 0 {
                return Err(format!("connection {i} closed by the server"));
            }
            got.extend_from_slice(&buf[..k]);
        }
        open.push(s);
    }
    println!("  opened {n} idle connections in {:.1}s", started.elapsed().as_secs_f64());
    Ok(open)
}

fn complete(r: &[u8]) -> bool {
    let Some(split) = r.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&r[..split]).to_ascii_lowercase();
    if head.contains("transfer-encoding: chunked") {
        return r.ends_with(b"0\r\n\r\n");
    }
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    r.len() >= split + 4 + len
}

struct Status {
    threads: u64,
    rss_kib: u64,
}

fn proc_status(pid: u32) -> Result<Status, String> {
    let text =
        std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| format!("/proc/{pid}: {e}"))?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok(Status { threads: field("Threads:"), rss_kib: field("VmRSS:") })
}
