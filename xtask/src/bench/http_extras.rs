//! `cargo xtask bench http-extras`: gzip deflate/inflate MB/s of rpoco-foundation's
//! `DeflatingWriter`/`InflatingReader` beside POCO's `DeflatingOutputStream`/
//! `InflatingInputStream`, Python's `zlib` and the `gzip` CLI; multipart parse MB/s of
//! rpoco-net's `MultipartReader` beside POCO's `Net::MultipartReader`. All in one run, over the
//! same files.
//!
//! Inputs (made here, deterministic): 16 MiB of log-like text (about 4:1 under gzip -6, some
//! lines starting with `--` so the multipart scanner meets near-delimiters), its `gzip -6 -n`
//! form, and a 32 MiB `multipart/form-data` body (three fields, the text and four 4 MiB binary
//! files). Level 6 everywhere (zlib's default). Ours, POCO and Python read their inputs into
//! memory and time only the codec or parser; the gzip CLI is timed as a process reading the
//! (page-cached) file, so it pays its start-up and reads. Best of three rounds, each 1 s per
//! figure (`--quick`: one round of 0.3 s). MB = 10^6 bytes, of uncompressed data for deflate
//! and inflate and of body for multipart.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{cargo, have, run, target_dir};

const OPS: [&str; 3] = ["deflate", "inflate", "multipart"];
const PEOPLE: [&str; 4] = ["rpoco", "POCO C++", "Python zlib", "gzip CLI"];
const BOUNDARY: &str = "----rpocoBenchBoundary7MA4YWxkTrZu0gW";

const PYTHON: &str = r#"
import sys, time, zlib
data = open(sys.argv[1], 'rb').read()
gz = open(sys.argv[2], 'rb').read()
secs = float(sys.argv[3])
def measure(what, n, f):
    f()
    start, total, el = time.perf_counter(), 0, 0.0
    while el < secs:
        f(); total += n; el = time.perf_counter() - start
    print(what, total, '%.6f' % el)
def deflate():
    c = zlib.compressobj(6, zlib.DEFLATED, 31); c.compress(data); c.flush()
def inflate():
    assert len(zlib.decompress(gz, 31)) == len(data)
measure('deflate', len(data), deflate)
measure('inflate', len(data), inflate)
"#;

/// A small xorshift generator, so the inputs are the same in every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn text(size: usize) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "GET",
        "POST",
        "/index.html",
        "/api/v1/items",
        "200",
        "404",
        "304",
        "keep-alive",
        "gzip",
        "Mozilla/5.0",
        "client",
        "server",
        "upload",
        "session",
        "cookie",
        "request",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::with_capacity(size + 128);
    while out.len() < size {
        if rng.next().is_multiple_of(50) {
            out.extend_from_slice(b"-- ");
        }
        out.extend_from_slice(format!("{} ", 1_700_000_000 + rng.next() % 100_000).as_bytes());
        for _ in 0..(4 + rng.next() % 8) {
            out.extend_from_slice(WORDS[(rng.next() % 16) as usize].as_bytes());
            out.push(b' ');
        }
        out.extend_from_slice(format!("{:x}\n", rng.next() % 0xFFFF_FFFF).as_bytes());
    }
    out.truncate(size);
    out
}

fn multipart(text: &[u8]) -> Vec<u8> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut body = Vec::new();
    let part = |body: &mut Vec<u8>, disposition: &str, content: &[u8]| {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n").as_bytes(),
        );
        body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(&mut body, "name=\"title\"", b"benchmark upload");
    part(&mut body, "name=\"log\"; filename=\"access.log\"", text);
    for i in 0..4 {
        let bytes: Vec<u8> = (0..(4 << 20) / 8).flat_map(|_| rng.next().to_le_bytes()).collect();
        part(&mut body, &format!("name=\"file{i}\"; filename=\"blob{i}.bin\""), &bytes);
    }
    part(&mut body, "name=\"note\"", b"the end");
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Parses `<what> <bytes> <seconds>` lines into MB/s per operation.
fn rates(label: &str, cmd: &mut Command) -> Result<BTreeMap<String, f64>, String> {
    let out = cmd.output().map_err(|e| format!("{label}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{label} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let mut map = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let [what, bytes, secs] = line.split_whitespace().collect::<Vec<_>>().as_slice()
            && let (Ok(bytes), Ok(secs)) = (bytes.parse::<f64>(), secs.parse::<f64>())
            && secs > 0.0
        {
            map.insert((*what).to_owned(), bytes / secs / 1e6);
        }
    }
    if map.is_empty() {
        return Err(format!("{label} printed no figures"));
    }
    Ok(map)
}

/// The gzip CLI as a process: MB/s of `uncompressed` bytes.
fn gzip_cli(args: &[&str], file: &Path, uncompressed: usize) -> Result<f64, String> {
    let started = Instant::now();
    let status = Command::new("gzip")
        .args(args)
        .arg(file)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("gzip: {e}"))?;
    if !status.success() {
        return Err(format!("gzip {args:?} failed: {status}"));
    }
    Ok(uncompressed as f64 / started.elapsed().as_secs_f64() / 1e6)
}

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let (seconds, rounds) = if quick { ("0.3", 1) } else { ("1", 3) };
    for program in ["g++", "gzip", "python3"] {
        if !have(program) {
            return Err(format!("`{program}` is missing: run scripts/install-test-deps.sh"));
        }
    }
    run(
        "build rpoco side",
        cargo().args(["build", "--quiet", "--release", "-p", "rpoco-net", "--example", "bench_http_extras"]),
    )?;
    let ours = target_dir().join("release/examples/bench_http_extras");
    let poco = super::peers::build_poco_peer(
        "poco_http_extras",
        "Net/MultipartReader.h",
        &["PocoNet", "PocoFoundation"],
    )?;

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data_path = dir.path().join("access.log");
    let gz_path = dir.path().join("access.log.gz");
    let body_path = dir.path().join("upload.multipart");
    let data = text(16 << 20);
    std::fs::write(&data_path, &data).map_err(|e| e.to_string())?;
    let gz =
        Command::new("gzip").args(["-6", "-n", "-c"]).arg(&data_path).output().map_err(|e| e.to_string())?;
    if !gz.status.success() {
        return Err("gzip -6 failed".into());
    }
    std::fs::write(&gz_path, &gz.stdout).map_err(|e| e.to_string())?;
    let body = multipart(&data);
    std::fs::write(&body_path, &body).map_err(|e| e.to_string())?;
    println!(
        "\ninputs: {} bytes of text ({} gzipped, {:.1}:1), a {}-byte multipart body; {rounds} round(s) of {seconds} s per figure, best kept",
        data.len(),
        gz.stdout.len(),
        data.len() as f64 / gz.stdout.len() as f64,
        body.len()
    );

    let files = [&data_path, &gz_path, &body_path];
    let mut best: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    let mut keep = |who: &'static str, what: &str, v: f64| {
        let op = OPS.iter().find(|o| **o == what).copied();
        if let Some(op) = op {
            let e = best.entry((who, op)).or_insert(0.0);
            *e = e.max(v);
        }
    };
    for round in 1..=rounds {
        println!("round {round}/{rounds} ...");
        let mut native = |who: &'static str, exe: &Path| -> Result<(), String> {
            let figures = rates(who, Command::new(exe).args(files).args([BOUNDARY, seconds]))?;
            figures.iter().for_each(|(what, v)| keep(who, what, *v));
            Ok(())
        };
        native(PEOPLE[0], &ours)?;
        native(PEOPLE[1], &poco)?;
        let py = rates(
            "python3 zlib",
            Command::new("python3").args(["-c", PYTHON]).args([&data_path, &gz_path]).arg(seconds),
        )?;
        py.iter().for_each(|(what, v)| keep(PEOPLE[2], what, *v));
        keep(PEOPLE[3], "deflate", gzip_cli(&["-6", "-n", "-c"], &data_path, data.len())?);
        keep(PEOPLE[3], "inflate", gzip_cli(&["-d", "-c"], &gz_path, data.len())?);
    }

    println!("\nhttp-extras, MB/s (ratio = rpoco / POCO C++; > 1 means rpoco is faster)\n");
    println!(
        "{:<10} {:>10} {:>10} {:>12} {:>10} {:>9}",
        "measured", PEOPLE[0], PEOPLE[1], PEOPLE[2], PEOPLE[3], "vs POCO"
    );
    for op in OPS {
        let cell = |who: &str| best.get(&(who, op)).map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}"));
        let ratio = match (best.get(&(PEOPLE[0], op)), best.get(&(PEOPLE[1], op))) {
            (Some(o), Some(p)) if *p > 0.0 => format!("{:.2}x", o / p),
            _ => "n/a".to_owned(),
        };
        println!(
            "{op:<10} {:>10} {:>10} {:>12} {:>10} {ratio:>9}",
            cell(PEOPLE[0]),
            cell(PEOPLE[1]),
            cell(PEOPLE[2]),
            cell(PEOPLE[3])
        );
    }
    let misses: Vec<&str> = OPS
        .iter()
        .copied()
        .filter(|op| match (best.get(&(PEOPLE[0], *op)), best.get(&(PEOPLE[1], *op))) {
            (Some(o), Some(p)) => o < p,
            _ => true,
        })
        .collect();
    if misses.is_empty() {
        println!("\ntarget >= 1.0x POCO: met for {}", OPS.join(", "));
    } else {
        println!("\ntarget >= 1.0x POCO: NOT met for {}", misses.join(", "));
    }
    Ok(())
}
