//! `cargo xtask bench reactor`: echo round trips/s at 50 and 1,000 connections for rpoco's
//! reactor echo server (the `echo_server` example: SocketReactor + SocketAcceptor, and with
//! `--threads 2` a ParallelSocketAcceptor over two reactors) beside C++ POCO's EchoServer
//! sample (one SocketReactor; Debian's libpoco-dev) and a tokio echo server
//! (`xtask/peers/tokio-echo`, current-thread and 2 workers), all in one run on 127.0.0.1.
//!
//! The load is closed-loop: client threads each own a share of the connections and, round
//! after round, send one message on every connection and then read every echo back (checked
//! byte for byte). Bounded: each measurement lasts a few seconds.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use super::peers::build_poco_peer;
use crate::util::{ServerOutput, ServerProcess, cargo, run, target_dir, workspace_root};

const MESSAGE: usize = 128;
const CLIENT_THREADS: usize = 2;

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let (seconds, rounds) = if quick { (1, 1) } else { (3, 2) };
    raise_nofile(4096);
    run(
        "build rpoco echo_server",
        // Only rpoco-net: the example needs nothing of netssl or crypto.
        cargo().args([
            "build",
            "--quiet",
            "--release",
            "--no-default-features",
            "--features",
            "net",
            "--example",
            "echo_server",
        ]),
    )?;
    let ours = target_dir().join("release/examples/echo_server");
    let poco = build_poco_peer("poco_echo_server", "Net/SocketReactor.h", &["PocoNet", "PocoFoundation"])?;
    let tokio_dir = target_dir().join("peers/tokio-echo");
    run(
        "build the tokio echo peer",
        cargo()
            .args(["build", "--quiet", "--release", "--manifest-path"])
            .arg(workspace_root().join("xtask/peers/tokio-echo/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &tokio_dir),
    )?;
    let tokio = tokio_dir.join("release/tokio-echo");

    let servers: Vec<(&'static str, Command)> = vec![
        (
            "rpoco SocketReactor (1 thread)",
            command(&ours, &["--bind", "127.0.0.1", "--port", "0", "--threads", "1"]),
        ),
        (
            "rpoco ParallelSocketAcceptor (2)",
            command(&ours, &["--bind", "127.0.0.1", "--port", "0", "--threads", "2"]),
        ),
        ("POCO C++ SocketReactor (1 thread)", command(&poco, &["0"])),
        ("tokio current_thread", command(&tokio, &["0", "1"])),
        ("tokio multi_thread (2 workers)", command(&tokio, &["0", "2"])),
    ];
    let mut results: Vec<(&str, Vec<f64>)> = Vec::new();
    for (name, mut cmd) in servers {
        let server = ServerProcess::start(name, &mut cmd, ServerOutput::Echo(name), Duration::from_secs(10))?;
        let mut best = Vec::new();
        for connections in [50, 1000] {
            let mut top: f64 = 0.0;
            for round in 0..rounds {
                let rate = measure(server.port, connections, Duration::from_secs(seconds))?;
                println!(
                    "  {name:<36} {connections:>5} connections, round {}: {rate:>10.0} round trips/s",
                    round + 1
                );
                top = top.max(rate);
            }
            best.push(top);
        }
        results.push((name, best));
    }
    println!(
        "\nclosed-loop echo of {MESSAGE}-byte messages, {CLIENT_THREADS} client threads, {seconds}s per run, best of {rounds}\n"
    );
    println!(
        "| server | 50 connections | 1,000 connections | vs POCO (50 / 1,000) | vs tokio same threads (50 / 1,000) |"
    );
    println!("|---|---:|---:|---:|---:|");
    let poco = results[2].1.clone();
    for (i, (name, r)) in results.iter().enumerate() {
        let tokio = if i == 1 || i == 4 { &results[4].1 } else { &results[3].1 };
        println!(
            "| {name} | {:.0} | {:.0} | {:.2}x / {:.2}x | {:.2}x / {:.2}x |",
            r[0],
            r[1],
            r[0] / poco[0],
            r[1] / poco[1],
            r[0] / tokio[0],
            r[1] / tokio[1]
        );
    }
    let (ours1, ours2) = (&results[0].1, &results[1].1);
    let vs_poco = ours1[0].min(ours1[1] * poco[0] / poco[1]) / poco[0];
    let vs_tokio = (ours2[0] / results[4].1[0]).min(ours2[1] / results[4].1[1]);
    println!(
        "\ntargets: >= 1.5x POCO (1 reactor vs 1 reactor, worst of the two loads): {} ({vs_poco:.2}x); \
         >= 0.8x tokio (2 reactors vs 2 workers, worst): {} ({vs_tokio:.2}x)",
        if vs_poco >= 1.5 { "met" } else { "NOT met" },
        if vs_tokio >= 0.8 { "met" } else { "NOT met" },
    );
    Ok(())
}

fn command(program: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args);
    c
}

/// Servers inherit the limit: 1,000 connections and their client ends need more than 1,024.
fn raise_nofile(want: u64) {
    let pid = std::process::id().to_string();
    let _ = Command::new("prlimit").args(["--pid", &pid, &format!("--nofile={want}:{want}")]).status();
}

/// Round trips per second over `connections` connections for `length`.
fn measure(port: u16, connections: usize, length: Duration) -> Result<f64, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(CLIENT_THREADS + 1));
    let workers: Vec<_> = (0..CLIENT_THREADS)
        .map(|t| {
            let (stop, start) = (stop.clone(), start.clone());
            let share = connections / CLIENT_THREADS + usize::from(t < connections % CLIENT_THREADS);
            std::thread::spawn(move || client(port, share, t as u8, &stop, &start))
        })
        .collect();
    start.wait();
    let began = Instant::now();
    std::thread::sleep(length);
    stop.store(true, Ordering::SeqCst);
    let mut total = 0u64;
    for w in workers {
        total += w.join().map_err(|_| "a client thread panicked".to_string())??;
    }
    Ok(total as f64 / began.elapsed().as_secs_f64())
}

fn client(port: u16, share: usize, tag: u8, stop: &AtomicBool, start: &Barrier) -> Result<u64, String> {
    let connect = || -> std::io::Result<TcpStream> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(20)))?;
        Ok(s)
    };
    let sockets: Vec<TcpStream> = match (0..share).map(|_| connect()).collect() {
        Ok(s) => s,
        Err(e) => {
            start.wait();
            return Err(format!("connect to 127.0.0.1:{port}: {e}"));
        }
    };
    start.wait();
    let mut message = [0u8; MESSAGE];
    let mut back = [0u8; MESSAGE];
    let mut trips = 0u64;
    let mut round = 0u8;
    while !stop.load(Ordering::Relaxed) {
        round = round.wrapping_add(1);
        message.iter_mut().enumerate().for_each(|(i, b)| *b = (i as u8) ^ round ^ tag);
        for mut s in &sockets {
            s.write_all(&message).map_err(|e| format!("send: {e}"))?;
        }
        for mut s in &sockets {
            s.read_exact(&mut back).map_err(|e| format!("receive: {e}"))?;
            if back != message {
                return Err("an echo differs from what was sent".into());
            }
        }
        trips += sockets.len() as u64;
    }
    Ok(trips)
}
