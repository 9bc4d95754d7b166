//! `cargo xtask bench https-server`: rpoco's HTTPS server (the `https_server` example, POCO's
//! HTTPSTimeServer on rpoco-net's `HttpServer` over rpoco-netssl's `SecureServerSocket`)
//! beside a C++ POCO `HTTPServer` over `SecureServerSocket` with the same handler (Debian's
//! libpoco-dev, OpenSSL 3) and nginx serving the same body over TLS, all with the same ECDSA
//! P-256 dev certificate and driven by wrk on 127.0.0.1 in one run:
//!
//! - keep-alive: requests/s and p99 latency at 50 connections, where TLS costs only record
//!   encryption, and
//! - a new connection per request (`Connection: close`), where every request pays a full TLS
//!   handshake, so requests/s is handshakes/s.
//!
//! wrk keeps a connection's TLS session when it reconnects and offers it again, so a server
//! that resumes sessions would be measured on abbreviated handshakes. Each server is therefore
//! probed with `openssl s_client -sess_out`/`-sess_in` first and must refuse resumption (ours
//! does by default; POCO's peer turns OpenSSL's stateless tickets off, nginx its cache and
//! tickets); POCO with the same Context and OpenSSL's default tickets left on is measured
//! beside them, labelled as resuming. The kernel's count of outgoing TCP connections proves
//! that each request really opened one.
//!
//! wrk's latency runs from a request's write to its response; on a new connection the write
//! follows the client's side of the handshake, so connect and handshake time are not in p99.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rpoco_testsupport::{Nginx, NginxConfig};

use super::peers::{build_hyper_peer, build_poco_peer};
use super::server::{CONNECTIONS, MANY, Run, Wrk, wrk_at, wrk_with};
use crate::util::{ServerOutput, ServerProcess, cargo, have, run, target_dir, workspace_root};

/// Worker threads for both servers. POCO serves a keep-alive connection on one pool thread for
/// its whole life, so it needs one per wrk connection (50) or the rest wait in its queue; ours
/// gets the same count so that neither has more threads to run TLS handshakes on.
const THREADS: usize = 64;

/// A server under test, with what the resumption probe saw.
struct Target {
    name: &'static str,
    url: String,
    pid: u32,
    probe: Probe,
}

/// One wrk run as measured from outside the server.
#[derive(Clone)]
struct Measured {
    wrk: Wrk,
    /// Server CPU time (user + system) per request, in microseconds.
    cpu_us: f64,
}

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let (seconds, rounds) = if quick { (2, 1) } else { (5, 2) };
    for program in ["wrk", "nginx", "g++", "openssl", "curl"] {
        if !have(program) {
            return Err(format!("`{program}` is missing: run scripts/install-test-deps.sh"));
        }
    }
    let work =
        tempfile::Builder::new().prefix("rpoco-bench-https-server").tempdir().map_err(|e| e.to_string())?;
    let certs = rpoco_testcerts::DevCerts::generate().map_err(|e| e.to_string())?;
    certs.write_to(work.path()).map_err(|e| e.to_string())?;
    let file = |name: &str| work.path().join(name);
    let (cert, key, ca) = (file("server.pem"), file("server.key"), file("ca.pem"));

    run(
        "build rpoco https_server",
        cargo().args(["build", "--quiet", "--release", "--example", "https_server"]),
    )?;
    let ours_bin = target_dir().join("release/examples/https_server");
    let poco_bin = build_poco_peer(
        "poco_https_server",
        "Net/SecureServerSocket.h",
        &["PocoNetSSL", "PocoNet", "PocoCrypto", "PocoFoundation"],
    )?;

    let threads = THREADS.to_string();
    let ours = start_logged(
        "rpoco HttpServer + SecureServerSocket",
        Command::new(&ours_bin)
            .args(["--bind", "127.0.0.1", "--port", "0", "--threads", &threads, "--cert"])
            .arg(&cert)
            .arg("--key")
            .arg(&key),
        &file("ours.log"),
    )?;
    let poco = start_logged(
        "POCO C++ HTTPServer + SecureServerSocket",
        Command::new(&poco_bin).args(["0", &threads]).arg(&cert).arg(&key),
        &file("poco.log"),
    )?;
    let poco_tickets = start_logged(
        "POCO C++, OpenSSL's default tickets on",
        Command::new(&poco_bin).args(["0", &threads]).arg(&cert).arg(&key).arg("tickets"),
        &file("poco-tickets.log"),
    )?;
    let hyper_bin = build_hyper_peer()?;
    let hyper = start_logged(
        "hyper 1 + tokio-rustls (2 workers)",
        Command::new(&hyper_bin).arg("0").arg(&cert).arg(&key),
        &file("hyper.log"),
    )?;
    // One worker, and no session cache or tickets: every new connection a full handshake.
    // It answers the same 13 bytes from its config (`return 200`).
    let nginx = Nginx::start(&NginxConfig::new().tls(&cert, &key).server(
        "ssl_session_cache off;\nssl_session_tickets off;\n\
         location = /hello { default_type text/plain; return 200 \"Hello, world!\"; }",
    ))?;
    let nginx_pid = std::fs::read_to_string(nginx.dir().join("nginx.pid"))
        .ok()
        .and_then(|p| p.trim().parse().ok())
        .ok_or("nginx wrote no pid file")?;

    let target = |name: &'static str, port: u16, pid: u32| -> Result<Target, String> {
        let url = format!("https://127.0.0.1:{port}/hello");
        let body = fetch(&ca, &url)?;
        if body != b"Hello, world!" {
            return Err(format!(
                "{name} answered {:?}, not the 13-byte hello",
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(Target { name, probe: probe(&url, work.path())?, url, pid })
    };
    let targets = [
        target(ours.name, ours.port, ours.child.id())?,
        target(hyper.name, hyper.port, hyper.child.id())?,
        target("nginx 1 worker (return 200)", nginx.port, nginx_pid)?,
        target(poco.name, poco.port, poco.child.id())?,
        target(poco_tickets.name, poco_tickets.port, poco_tickets.child.id())?,
    ];
    let compared = &targets[..4];
    if let Some(t) = compared.iter().find(|t| t.probe.resumed) {
        return Err(format!(
            "{} resumed a TLS session: wrk would measure abbreviated handshakes, not full ones",
            t.name
        ));
    }

    println!(
        "\n{THREADS} worker threads for rpoco and POCO: POCO holds a pool thread per keep-alive connection, \
         so it needs one per wrk connection ({CONNECTIONS}); rpoco gets the same count so that neither has \
         more threads for handshakes. Both log one line per request to a file, as the sample does."
    );
    println!(
        "\nTLS as negotiated with `openssl s_client` (OpenSSL, as wrk), and whether a session was resumed:"
    );
    for t in &targets {
        println!("  {:<42} {}", t.name, t.probe.summary);
    }

    let mut charted = Vec::new();
    for conns in [CONNECTIONS, MANY] {
        println!(
            "\nkeep-alive: wrk -t2 -c{conns} -d{seconds}s --latency, GET of the 13-byte hello, {rounds} \
             round(s) interleaved, median shown"
        );
        let keep_alive = measure(compared, rounds, seconds, |url| {
            let (w, requests, errors) = wrk_at(url, seconds, conns, &[])?;
            Ok((w, requests as f64, errors.map(|e| format!("; {e}")).unwrap_or_default()))
        })?;
        table("requests/s", "server CPU per request", false, compared, &keep_alive);
        charted.push((format!("keep-alive, {conns} connections"), keep_alive));
    }

    println!(
        "\nnew connection per request: the same wrk with -H \"Connection: close\", so each request is a new \
         TCP connection and a TLS handshake"
    );
    let close = measure(&targets, rounds, seconds, |url| {
        let (w, requests, opens) = wrk_new_connections(url, seconds)?;
        Ok((w, requests as f64, format!("; {requests} requests on {opens} new connections")))
    })?;
    table("handshakes/s", "server CPU per handshake", true, &targets, &close);
    charted.push(("new connection per request".to_string(), close[..compared.len()].to_vec()));
    let names: Vec<&str> = compared.iter().map(|t| t.name).collect();
    let runs: Vec<Vec<Run>> = charted
        .iter()
        .map(|(_, ms)| {
            ms.iter()
                .map(|m| Run { rps: m.wrk.rps, p99_ms: m.wrk.p99_ms, cpu_us: m.cpu_us, errors: None })
                .collect()
        })
        .collect();
    let series: Vec<(String, &Vec<Run>)> =
        charted.iter().map(|(label, _)| label.clone()).zip(&runs).collect();
    let svg = super::chart::grouped_bars(
        "HTTPS (TLS 1.3, ECDSA P-256), 13-byte answer: requests/s",
        &names,
        &series,
    );
    let chart = workspace_root().join("docs/benchmarks-https-server.svg");
    std::fs::write(&chart, svg).map_err(|e| format!("{}: {e}", chart.display()))?;
    println!("\nchart written to {}", chart.display());
    Ok(())
}

/// Runs `one` against each target `rounds` times, interleaved, and keeps each target's median
/// round (by requests/s). `one` returns wrk's figures, the number of requests served, and a note to print.
fn measure(
    targets: &[Target],
    rounds: usize,
    seconds: u64,
    one: impl Fn(&str) -> Result<(Wrk, f64, String), String>,
) -> Result<Vec<Measured>, String> {
    let ticks = clock_ticks();
    let mut all: Vec<Vec<Measured>> = vec![Vec::new(); targets.len()];
    for round in 0..rounds {
        for (t, runs) in targets.iter().zip(&mut all) {
            let pid = t.pid.to_string();
            let before = (cpu_ticks(&pid, false)?, cpu_ticks("self", true)?);
            let (w, requests, note) = one(&t.url)?;
            let server_s = (cpu_ticks(&pid, false)? - before.0) as f64 / ticks;
            let wrk_s = (cpu_ticks("self", true)? - before.1) as f64 / ticks;
            let m = Measured { cpu_us: server_s * 1e6 / requests.max(1.0), wrk: w };
            println!(
                "  round {}: {:<42} {:>8.0} req/s  p99 {:>6.2} ms  CPU in {seconds} s: server {server_s:.2} s, \
                 wrk {wrk_s:.2} s{note}",
                round + 1,
                t.name,
                m.wrk.rps,
                m.wrk.p99_ms,
            );
            runs.push(m);
        }
    }
    Ok(all
        .into_iter()
        .map(|mut runs| {
            runs.sort_by(|a, b| a.wrk.rps.total_cmp(&b.wrk.rps));
            runs.swap_remove(runs.len() / 2)
        })
        .collect())
}

/// Prints the markdown table; ratios are against hyper and nginx (the second and third
/// targets). With `handshakes`, a column says whether the server's handshakes were full or
/// resumed.
fn table(rate: &str, cpu: &str, handshakes: bool, targets: &[Target], best: &[Measured]) {
    let (head, rule) = if handshakes { (" handshakes |", "---|") } else { ("", "") };
    println!(
        "\n| server |{head} {rate} | p99 latency | {cpu} | vs hyper | vs nginx |\n|---|{rule}---:|---:|---:|---:|---:|"
    );
    for (t, m) in targets.iter().zip(best) {
        let kind = match (handshakes, t.probe.resumed) {
            (false, _) => "",
            (true, false) => " full |",
            (true, true) => " resumed |",
        };
        println!(
            "| {} |{kind} {:.0} | {:.2} ms | {:.0} µs | {:.2}x | {:.2}x |",
            t.name,
            m.wrk.rps,
            m.wrk.p99_ms,
            m.cpu_us,
            m.wrk.rps / best[1].wrk.rps,
            m.wrk.rps / best[2].wrk.rps
        );
    }
}

/// Starts a server whose standard output goes to `log` (both servers write a line per
/// request, which nobody should read while they are measured), within 10 s.
fn start_logged(name: &'static str, cmd: &mut Command, log: &Path) -> Result<ServerProcess, String> {
    ServerProcess::start(name, cmd, ServerOutput::File(log), Duration::from_secs(10))
}

/// GET `url` with curl, verifying the server against the dev CA; returns the decoded body.
fn fetch(ca: &Path, url: &str) -> Result<Vec<u8>, String> {
    let out = Command::new("curl")
        .args(["-sS", "--fail", "--max-time", "10", "--cacert"])
        .arg(ca)
        .arg(url)
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    if !out.status.success() {
        return Err(format!("curl {url}: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(out.stdout)
}

/// What `openssl s_client` saw on two connections to a server, the second offering the
/// session (or ticket) of the first.
struct Probe {
    resumed: bool,
    /// Protocol, cipher, key exchange group and session tickets of the first connection, and
    /// the outcome.
    summary: String,
}

fn probe(url: &str, dir: &Path) -> Result<Probe, String> {
    let (authority, path) = url
        .strip_prefix("https://")
        .and_then(|rest| rest.split_once('/').map(|(a, p)| (a, format!("/{p}"))))
        .ok_or_else(|| format!("not an https URL: {url}"))?;
    let session = dir.join(format!("session-{}.pem", authority.replace(':', "-")));
    let first = s_client(authority, &path, &[Path::new("-sess_out"), &session], dir)?;
    let field = |text: &str, prefix: &str| {
        text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
    };
    let cipher = field(&first, "New, ")
        .or_else(|| field(&first, "Reused, "))
        .ok_or_else(|| format!("openssl s_client {authority}: no handshake\n{first}"))?;
    let group = field(&first, "Server Temp Key:").unwrap_or_else(|| "?".into());
    // Tickets cost the client work even when the server cannot honour them.
    let tickets = first.lines().filter(|l| l.contains("Post-Handshake New Session Ticket")).count();
    // A server that issues neither a session id nor a ticket leaves nothing to offer.
    let resumed = session.exists() && {
        let second = s_client(authority, &path, &[Path::new("-sess_in"), &session], dir)?;
        second.lines().any(|l| l.starts_with("Reused,"))
    };
    let outcome = if resumed { "session resumed" } else { "resumption refused: full handshakes" };
    Ok(Probe { resumed, summary: format!("{cipher}, {group}; {tickets} session ticket(s); {outcome}") })
}

/// One `openssl s_client` connection sending a GET with `Connection: close`, bounded to 10 s;
/// returns what it printed.
fn s_client(authority: &str, path: &str, extra: &[&Path], dir: &Path) -> Result<String, String> {
    let out_path = dir.join("s_client.out");
    let out = File::create(&out_path).map_err(|e| e.to_string())?;
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", authority, "-ign_eof"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("openssl s_client: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        stdin.write_all(request.as_bytes()).map_err(|e| format!("openssl s_client: {e}"))?;
    }
    wait_within(&mut child, Duration::from_secs(10))
        .map_err(|e| format!("openssl s_client {authority}: {e}"))?;
    std::fs::read_to_string(&out_path).map_err(|e| e.to_string())
}

fn wait_within(child: &mut Child, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            return Ok(());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("no answer within {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// wrk with `Connection: close`: each response ends its connection and wrk opens another.
/// Returns wrk's figures, the requests it completed and the TCP connections opened meanwhile
/// (the kernel's `ActiveOpens`, counted for this network namespace, so other programs can
/// only add to it); fails if fewer connections than requests were opened, or on any error.
fn wrk_new_connections(url: &str, seconds: u64) -> Result<(Wrk, u64, u64), String> {
    let before = active_opens()?;
    let (wrk, requests) = wrk_with(url, seconds, &["-H", "Connection: close"])?;
    let opens = active_opens()? - before;
    if requests == 0 || opens < requests {
        return Err(format!(
            "wrk against {url}: {requests} requests on {opens} new TCP connections; with `Connection: close` \
             each request needs its own (did the server keep the connection open?)"
        ));
    }
    Ok((wrk, requests, opens))
}

/// TCP connections this network namespace has opened (`Tcp: ActiveOpens` in /proc/net/snmp).
fn active_opens() -> Result<u64, String> {
    let snmp = std::fs::read_to_string("/proc/net/snmp").map_err(|e| format!("/proc/net/snmp: {e}"))?;
    let mut tcp = snmp.lines().filter(|l| l.starts_with("Tcp:"));
    let (names, values) = (tcp.next().unwrap_or(""), tcp.next().unwrap_or(""));
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(name, _)| *name == "ActiveOpens")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| "no Tcp ActiveOpens in /proc/net/snmp".to_string())
}

/// CPU time (user + system) of process `pid` so far, in clock ticks: its own, or with
/// `children` that of its children it has waited for (for this process: each wrk run).
pub(super) fn cpu_ticks(pid: &str, children: bool) -> Result<u64, String> {
    let stat =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| format!("/proc/{pid}: {e}"))?;
    // The command name may hold spaces and parentheses: fields are counted after the last `)`.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    // utime, stime, cutime and cstime are fields 14 to 17 of proc(5); the first after `)` is 3.
    let first = if children { 13 } else { 11 };
    match (field(first), field(first + 1)) {
        (Some(user), Some(system)) => Ok(user + system),
        _ => Err(format!("/proc/{pid}/stat: unexpected format")),
    }
}

pub(super) fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}
