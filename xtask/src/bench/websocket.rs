//! `cargo xtask bench websocket`: echo round trips per second over one connection, binary
//! messages of 16 B, 1 KiB and 64 KiB, ws:// and wss://, for rpoco's `WebSocket`
//! (`crates/netssl/examples/bench_websocket.rs`: `HttpServer` + `WebSocket::accept`, and
//! `WebSocket::connect` over `HttpClientSession` / `HttpsClientSession`), tungstenite 0.27
//! sync (`xtask/peers/tungstenite`, TLS through rustls with aws-lc-rs, as ours) and POCO's
//! C++ `WebSocket` (`xtask/peers/poco_ws_bench.cpp`, OpenSSL), in the same run. Each
//! implementation's client talks to its own server; the client sends a message, waits for
//! its echo, and repeats for a fixed time. Rounds interleave the implementations; the best
//! round counts. MB/s is message bytes echoed back per second (one direction).
//!
//! Beside them runs the floor (`xtask/peers/tcp_echo_floor.cpp`): the same echo of the same
//! number of wire bytes over plain TCP with no WebSocket code at all, a blocking write and
//! read per round trip on each side. No ws:// implementation can exceed it on the machine of
//! that run, so it tells which targets the machine leaves room for.
//!
//! With `taskset` and two CPUs or more, every server runs on CPU 0 and every client on CPU 1:
//! unpinned, one round trip's two wake-ups land wherever the scheduler puts them, and the
//! same binary varied by ±15 % from round to round on the 2-core bench machine.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::server::Run;
use crate::util::{ServerOutput, ServerProcess, cargo, have, run, target_dir, workspace_root};

const SIZES: [(usize, &str); 3] = [(16, "16 B"), (1024, "1 KiB"), (64 * 1024, "64 KiB")];

const SERVER_CPU: usize = 0;
const CLIENT_CPU: usize = 1;

/// `program` run on `cpu` when the machine has a second CPU and `taskset`, else as it is.
fn pinned(cpu: usize, program: &std::path::Path) -> Command {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    if cpus >= 2 && have("taskset") {
        let mut cmd = Command::new("taskset");
        cmd.arg("-c").arg(cpu.to_string()).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

struct Implementation {
    name: &'static str,
    binary: PathBuf,
}

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let (seconds, rounds) = if quick { (0.5, 1) } else { (1.5, 5) };
    if !have("g++") {
        return Err("`g++` is missing: run scripts/install-test-deps.sh".into());
    }
    let work = tempfile::Builder::new().prefix("rpoco-bench-ws").tempdir().map_err(|e| e.to_string())?;
    let certs = rpoco_testcerts::DevCerts::generate().map_err(|e| e.to_string())?;
    certs.write_to(work.path()).map_err(|e| e.to_string())?;
    let file = |name: &str| work.path().join(name).to_string_lossy().into_owned();
    let (cert, key, ca) = (file("server.pem"), file("server.key"), file("ca.pem"));

    let impls = [
        Implementation { name: "rpoco WebSocket", binary: build_ours()? },
        Implementation { name: "tungstenite 0.27 (sync)", binary: build_tungstenite_peer()? },
        Implementation {
            name: "POCO C++ WebSocket",
            binary: super::peers::build_poco_peer(
                "poco_ws_bench",
                "Net/WebSocket.h",
                &["PocoNetSSL", "PocoNet", "PocoCrypto", "PocoFoundation"],
            )?,
        },
    ];
    let floor_bin = super::peers::build_cpp_peer("tcp_echo_floor", &[])?;
    let floor = ServerProcess::start(
        "TCP floor",
        pinned(SERVER_CPU, &floor_bin).arg("server"),
        ServerOutput::Echo("TCP floor"),
        Duration::from_secs(10),
    )?;
    let mut servers = Vec::new();
    for i in &impls {
        let start = |extra: &[&str]| {
            ServerProcess::start(
                i.name,
                pinned(SERVER_CPU, &i.binary).arg("server").args(extra),
                ServerOutput::Echo(i.name),
                Duration::from_secs(10),
            )
        };
        servers.push((start(&[])?, start(&["--tls", &cert, &key])?));
    }

    println!(
        "\necho round trips over one connection on 127.0.0.1, {seconds} s per figure, best of {rounds} rounds, \
         implementations interleaved; each client against its own server; no compression; {}",
        if pinned(0, std::path::Path::new("x")).get_program() == "taskset" {
            "servers pinned to CPU 0, clients to CPU 1"
        } else {
            "not pinned"
        }
    );
    // configs: (size, tls); best[impl][config] = (round trips/s, MB/s)
    let configs: Vec<(usize, &str, bool)> =
        [false, true].iter().flat_map(|&tls| SIZES.iter().map(move |&(s, l)| (s, l, tls))).collect();
    let mut best = vec![vec![(0.0f64, 0.0f64); configs.len()]; impls.len()];
    let mut best_floor = vec![0.0f64; configs.len()];
    for _ in 0..rounds {
        for (c, &(size, _, tls)) in configs.iter().enumerate() {
            if !tls {
                let mut cmd = pinned(CLIENT_CPU, &floor_bin);
                cmd.args(["client", &floor.port.to_string(), &size.to_string(), &seconds.to_string()]);
                best_floor[c] = best_floor[c].max(client("TCP floor", &mut cmd, size)?.0);
            }
            for (i, imp) in impls.iter().enumerate() {
                let (plain, secure) = &servers[i];
                let port = if tls { secure.port } else { plain.port };
                let mut cmd = pinned(CLIENT_CPU, &imp.binary);
                cmd.args(["client", &port.to_string(), &size.to_string(), &seconds.to_string()]);
                if tls {
                    cmd.args(["--tls", &ca]);
                }
                let (trips, mbs) = client(imp.name, &mut cmd, size)?;
                if trips > best[i][c].0 {
                    best[i][c] = (trips, mbs);
                }
            }
        }
    }

    println!(
        "\n| message | transport | rpoco round trips/s | MB/s | tungstenite round trips/s | MB/s | POCO round trips/s | \
         MB/s | TCP floor round trips/s | vs tungstenite | vs POCO | rpoco / floor |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for (c, &(_, label, tls)) in configs.iter().enumerate() {
        let (us, tu, po) = (best[0][c], best[1][c], best[2][c]);
        let (floor_rt, of_floor) = if tls {
            ("—".to_string(), "—".to_string())
        } else {
            (format!("{:.0}", best_floor[c]), format!("{:.2}", us.0 / best_floor[c]))
        };
        println!(
            "| {label} | {} | {:.0} | {:.1} | {:.0} | {:.1} | {:.0} | {:.1} | {floor_rt} | {:.2}x | {:.2}x | {of_floor} |",
            if tls { "wss" } else { "ws" },
            us.0,
            us.1,
            tu.0,
            tu.1,
            po.0,
            po.1,
            us.0 / tu.0,
            us.0 / po.0
        );
    }
    let (vs_tu, vs_po): (Vec<f64>, Vec<f64>) =
        (0..configs.len()).map(|c| (best[0][c].0 / best[1][c].0, best[0][c].0 / best[2][c].0)).unzip();
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "\ntargets: >= 1.0x tungstenite in every row: {} (lowest {:.2}x); >= 1.5x POCO in every row: {} (lowest {:.2}x)",
        if min(&vs_tu) >= 1.0 { "met" } else { "NOT met" },
        min(&vs_tu),
        if min(&vs_po) >= 1.5 { "met" } else { "NOT met" },
        min(&vs_po)
    );

    for (c, &(_, label, tls)) in configs.iter().enumerate() {
        let wanted = 1.5 * best[2][c].0;
        if !tls && wanted > best_floor[c] {
            println!(
                "{label} ws: 1.5x POCO is {wanted:.0} round trips/s, above the TCP floor of {:.0} on this machine",
                best_floor[c]
            );
        }
    }

    let names: Vec<String> =
        configs.iter().map(|&(_, l, tls)| format!("{l} {}", if tls { "wss" } else { "ws" })).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let runs: Vec<Vec<Run>> = best
        .iter()
        .map(|row| row.iter().map(|&(rps, _)| Run { rps, p99_ms: 0.0, cpu_us: 0.0, errors: None }).collect())
        .collect();
    let series: Vec<(String, &Vec<Run>)> =
        impls.iter().map(|i| i.name.to_string()).zip(runs.iter()).collect();
    let svg = super::chart::grouped_bars(
        "WebSocket echo round trips/s, one connection, 127.0.0.1",
        &names,
        &series,
    );
    let chart = workspace_root().join("docs/benchmarks-websocket.svg");
    std::fs::write(&chart, svg).map_err(|e| format!("{}: {e}", chart.display()))?;
    println!("\nchart written to {}", chart.display());
    drop(servers);
    drop(floor);
    Ok(())
}

/// Runs one client; its `round_trips=N bytes=B seconds=S` line as (round trips/s, MB/s).
fn client(name: &str, cmd: &mut Command, size: usize) -> Result<(f64, f64), String> {
    let out = cmd.output().map_err(|e| format!("{name}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{name} client failed ({}): {stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let field = |key: &str| -> Option<f64> {
        stdout.split_whitespace().find_map(|kv| kv.strip_prefix(key).and_then(|v| v.parse().ok()))
    };
    let (Some(trips), Some(bytes), Some(seconds)) =
        (field("round_trips="), field("bytes="), field("seconds="))
    else {
        return Err(format!("{name} client printed `{}`", stdout.trim()));
    };
    if trips < 1.0 || bytes != trips * size as f64 {
        return Err(format!("{name} client: {bytes} bytes for {trips} round trips of {size} bytes"));
    }
    Ok((trips / seconds, bytes / seconds / 1e6))
}

fn build_ours() -> Result<PathBuf, String> {
    let mut cmd = cargo();
    cmd.args(["build", "--quiet", "--release", "-p", "rpoco-netssl", "--example", "bench_websocket"]);
    run("build rpoco bench_websocket", &mut cmd)?;
    Ok(target_dir().join("release/examples/bench_websocket"))
}

/// Builds the tungstenite peer (`xtask/peers/tungstenite`, its own workspace and lock file).
fn build_tungstenite_peer() -> Result<PathBuf, String> {
    let target = target_dir().join("peers/tungstenite");
    let mut cmd = cargo();
    cmd.args(["build", "--quiet", "--release", "--locked", "--manifest-path"])
        .arg(workspace_root().join("xtask/peers/tungstenite/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target);
    run("build the tungstenite peer", &mut cmd)?;
    Ok(target.join("release/rpoco-peer-tungstenite"))
}
