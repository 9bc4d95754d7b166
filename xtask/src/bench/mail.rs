//! `cargo xtask bench mail`: messages per second sent over one SMTP session to a local
//! aiosmtpd (its `Sink` handler), 1 KiB and 1 MiB attachments, and MIME parse MB/s of a
//! 1 MiB multipart message from memory, for rpoco-net (`crates/net/examples/bench_mail.rs`)
//! and C++ POCO (`xtask/peers/poco_mail_bench.cpp`) in the same run. Bounded by counts.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{cargo, have, run, target_dir};

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = if quick { 1 } else { 3 };
    if !have("g++") {
        return Err("`g++` is missing: run scripts/install-test-deps.sh".into());
    }
    let python_ok =
        Command::new("python3").args(["-c", "import aiosmtpd"]).output().is_ok_and(|o| o.status.success());
    if !python_ok {
        return Err("python3 with aiosmtpd is missing: run scripts/install-test-deps.sh".into());
    }
    run(
        "build rpoco mail client",
        cargo().args(["build", "--quiet", "--release", "-p", "rpoco-net", "--example", "bench_mail"]),
    )?;
    let ours = target_dir().join("release/examples/bench_mail");
    let poco = super::peers::build_poco_peer(
        "poco_mail_bench",
        "Net/SMTPClientSession.h",
        &["PocoNet", "PocoFoundation"],
    )?;
    let clients = [("rpoco-net SmtpClientSession", &ours), ("POCO C++ SMTPClientSession", &poco)];

    let sink = Sink::start()?;
    let port = sink.port.to_string();
    println!("\nSMTP to aiosmtpd (Sink handler) on 127.0.0.1, one session per run, best of {rounds}");
    println!("\n| message | client | messages/s | vs POCO |\n|---|---|---:|---:|");
    for (label, size, count) in
        [("1 KiB", 1024usize, if quick { 200 } else { 1000 }), ("1 MiB", 1 << 20, if quick { 5 } else { 20 })]
    {
        let mut best = [0f64; 2];
        for _ in 0..rounds {
            for (i, (_, program)) in clients.iter().enumerate() {
                let out = output(Command::new(program).args([
                    "smtp",
                    "127.0.0.1",
                    &port,
                    &size.to_string(),
                    &count.to_string(),
                ]))?;
                let n = field(&out, "messages=")?;
                if n as usize != count {
                    return Err(format!("{program:?} sent {n} of {count} messages"));
                }
                best[i] = best[i].max(n / field(&out, "seconds=")?);
            }
        }
        for (i, (name, _)) in clients.iter().enumerate() {
            println!("| {label} | {name} | {:.1} | {:.2}x |", best[i], best[i] / best[1]);
        }
    }
    drop(sink);

    let file = target_dir().join("peers/bench_mail_1mib.eml");
    output(Command::new(&ours).args(["write", &(1usize << 20).to_string()]).arg(&file))?;
    let parse_rounds = if quick { 20 } else { 100 };
    let mut best = [0f64; 2];
    for _ in 0..rounds {
        for (i, (_, program)) in clients.iter().enumerate() {
            let out = output(Command::new(program).arg("parse").arg(&file).arg(parse_rounds.to_string()))?;
            if field(&out, "parts=")? as usize != 2 * parse_rounds {
                return Err(format!("{program:?} found the wrong number of parts: {out}"));
            }
            best[i] = best[i].max(field(&out, "bytes=")? / field(&out, "seconds=")? / 1e6);
        }
    }
    println!(
        "\nMIME parse of a 1 MiB multipart message (QP text + base64 attachment) from memory, {parse_rounds} x, best of {rounds}"
    );
    println!("\n| client | MB/s | vs POCO |\n|---|---:|---:|");
    for (i, (name, _)) in clients.iter().enumerate() {
        let name = name
            .replace("SmtpClientSession", "MailMessage::read")
            .replace("SMTPClientSession", "MailMessage::read");
        println!("| {name} | {:.1} | {:.2}x |", best[i], best[i] / best[1]);
    }
    Ok(())
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(text)
}

fn field(text: &str, name: &str) -> Result<f64, String> {
    text.split_whitespace()
        .find_map(|kv| kv.strip_prefix(name))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no {name} in `{text}`"))
}

/// aiosmtpd with its `Sink` handler (accepts and drops every message) on a free port.
struct Sink {
    child: Child,
    port: u16,
}

impl Sink {
    fn start() -> Result<Sink, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Sink",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start aiosmtpd: {e}"))?;
        let sink = Sink { child, port };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err(format!("aiosmtpd did not start on port {port}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(sink)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
