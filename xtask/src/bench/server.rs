//! `cargo xtask bench server`: rpoco-net's `HttpServer` (the `http_server` example, POCO's
//! HTTPTimeServer) beside a C++ POCO `HTTPServer` with the same handler (Debian's
//! libpoco-dev) and nginx serving the same body, all driven by wrk on 127.0.0.1 in one run:
//! requests/s and p99 latency at 50 keep-alive connections; then RSS and threads with
//! 10,000 idle keep-alive connections. Bounded: each wrk run lasts a few seconds.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::net::Nginx;
use super::peers::build_poco_peer;
use crate::util::{ServerOutput, ServerProcess, cargo, have, run, target_dir};

pub(super) const CONNECTIONS: usize = 50;
const IDLE: usize = 10_000;
/// Worker threads for our server (POCO's default pool size).
const OUR_THREADS: usize = 16;
/// POCO serves a keep-alive connection on one pool thread for its whole life, so it needs at
/// least one thread per wrk connection or the rest wait in its queue.
const POCO_THREADS: usize = 64;

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let (seconds, rounds) = if quick { (2, 1) } else { (5, 2) };
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
    // nginx serves the body our handler sends (the time in it changes, its length does not).
    let body = fetch_body(ours.port)?;
    let nginx = Nginx::start_with("server", &[("index.html", &body)], IDLE + 64)?;

    println!(
        "\nwrk -t2 -c{CONNECTIONS} -d{seconds}s --latency on 127.0.0.1, GET / ({} -byte HTML), {rounds} round(s), best shown",
        body.len()
    );
    let targets = [
        (ours.name.to_string(), format!("http://127.0.0.1:{}/", ours.port)),
        (poco.name.to_string(), format!("http://127.0.0.1:{}/", poco.port)),
        ("nginx (static file, 1 worker)".to_string(), format!("http://127.0.0.1:{}/index.html", nginx.port)),
    ];
    let mut best: Vec<Option<Wrk>> = vec![None; targets.len()];
    for round in 0..rounds {
        for (i, (name, url)) in targets.iter().enumerate() {
            let w = wrk(url, seconds)?;
            println!("  round {}: {name:<32} {:>9.0} req/s  p99 {:>8.2} ms", round + 1, w.rps, w.p99_ms);
            if best[i].as_ref().is_none_or(|b| w.rps > b.rps) {
                best[i] = Some(w);
            }
        }
    }
    let best: Vec<Wrk> = best.into_iter().map(|b| b.expect("measured")).collect();
    println!("\n| server | requests/s | p99 latency | req/s vs POCO |\n|---|---:|---:|---:|");
    for ((name, _), w) in targets.iter().zip(&best) {
        println!("| {name} | {:.0} | {:.2} ms | {:.2}x |", w.rps, w.p99_ms, w.rps / best[1].rps);
    }
    let (ratio, p99_ok) = (best[0].rps / best[1].rps, best[0].p99_ms <= best[1].p99_ms);
    println!(
        "\ntargets: req/s >= 1.5x POCO: {} ({ratio:.2}x); p99 no worse than POCO: {} ({:.2} vs {:.2} ms)",
        if ratio >= 1.5 { "met" } else { "NOT met" },
        if p99_ok { "met" } else { "NOT met" },
        best[0].p99_ms,
        best[1].p99_ms
    );

    println!("\n{IDLE} idle keep-alive connections (each served one request, then left open)");
    println!(
        "\n| server | threads before | threads with {IDLE} idle | RSS before | RSS with {IDLE} idle |\n|---|---:|---:|---:|---:|"
    );
    for (name, pid, port, path) in [
        (ours.name, ours.child.id(), ours.port, "/"),
        ("nginx (1 worker)", nginx.pid(), nginx.port, "/index.html"),
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
        drop(clients);
    }
    println!(
        "| {} | - | - | - | - |\n\nPOCO's HTTPServer is not run here: it holds a pool thread per open keep-alive \
         connection, so {IDLE} idle connections would need {IDLE} threads (with {POCO_THREADS} threads, all but \
         {POCO_THREADS} + its queue of 100 wait or are refused).",
        poco.name
    );
    Ok(())
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

pub(super) fn wrk(url: &str, seconds: u64) -> Result<Wrk, String> {
    wrk_with(url, seconds, &[]).map(|(wrk, _)| wrk)
}

/// Runs wrk at [`CONNECTIONS`] connections with `extra` arguments; returns its figures and
/// the number of requests it completed. Any socket error or non-2xx response is an error.
pub(super) fn wrk_with(url: &str, seconds: u64, extra: &[&str]) -> Result<(Wrk, u64), String> {
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{CONNECTIONS}"), &format!("-d{seconds}s"), "--timeout", "5s", "--latency"])
        .args(extra)
        .arg(url)
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    if let Some(line) = text.lines().find(|l| l.contains("Non-2xx") || l.contains("Socket errors")) {
        return Err(format!("wrk against {url} saw errors: {}", line.trim()));
    }
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
    Ok((Wrk { rps, p99_ms }, requests))
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

/// One GET; returns the body (chunked or with Content-Length).
fn fetch_body(port: u16) -> Result<Vec<u8>, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    s.write_all(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").map_err(|e| e.to_string())?;
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
