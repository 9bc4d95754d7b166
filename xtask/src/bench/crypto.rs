//! `cargo xtask bench crypto`: rpoco-crypto on each backend beside `openssl speed` and a C++
//! POCO program, all measured in this one invocation.
//!
//! Runs `crates/crypto/examples/crypto_speed.rs` once per backend (RustCrypto, ring,
//! aws-lc-rs), `openssl speed -evp aes-256-gcm` / `-evp sha256` at the same buffer sizes, and
//! `crates/crypto/tests/poco/poco_crypt.cpp` (built with g++ against libpoco-dev) for POCO's
//! `CryptoTransform` AES-256-GCM, `Crypto::DigestEngine` SHA-256 and `Cipher::encryptString`.
//! Prints MB/s (10^6 bytes/s) and ratios, and checks the targets. Every participant
//! (ours and both peers alike) is measured three times, 1 s per figure, and its best run kept,
//! which damps the noise of a shared machine; `--quick` measures once for 0.3 s.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use crate::util::{self, cargo, have, workspace_root};

/// (what, buffer size) -> operations per second.
type Figures = BTreeMap<(String, usize), f64>;

const BACKENDS: [(&str, Option<&str>); 3] =
    [("RustCrypto", None), ("ring", Some("ring")), ("aws-lc-rs", Some("aws-lc-rs"))];
const SIZES: [usize; 2] = [16 * 1024, 1024 * 1024];

fn output(label: &str, cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{label}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{label} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs the speed example with one backend: (figures, cpu features line).
fn ours(features: Option<&str>, seconds: f64) -> Result<(Figures, String), String> {
    let mut cmd = cargo();
    cmd.args(["run", "--release", "-q", "-p", "rpoco-crypto", "--example", "crypto_speed"]);
    if let Some(f) = features {
        cmd.args(["--features", f]);
    }
    cmd.args(["--", &seconds.to_string()]);
    let text = output("crypto_speed", &mut cmd)?;
    let mut figures = Figures::new();
    let mut cpu = String::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["cpu", rest @ ..] => cpu = rest.join(" "),
            [what, size, ops, secs] => {
                let (Ok(size), Ok(ops), Ok(secs)) = (size.parse(), ops.parse::<f64>(), secs.parse::<f64>())
                else {
                    continue;
                };
                figures.insert(((*what).to_owned(), size), ops / secs);
            }
            _ => {}
        }
    }
    Ok((figures, cpu))
}

/// `openssl speed -mr -evp <alg> -bytes <size>`: bytes per second.
fn openssl(alg: &str, size: usize, seconds: f64) -> Result<f64, String> {
    let secs = (seconds.ceil() as u64).max(1).to_string();
    let text = output(
        "openssl speed",
        Command::new("openssl").args([
            "speed",
            "-mr",
            "-evp",
            alg,
            "-bytes",
            &size.to_string(),
            "-seconds",
            &secs,
        ]),
    )?;
    text.lines()
        .filter_map(|l| l.strip_prefix("+F:"))
        .filter_map(|l| l.rsplit(':').next()?.parse::<f64>().ok())
        .next_back()
        .ok_or_else(|| format!("no +F line in openssl speed output for {alg}"))
}

fn poco_peer() -> Result<PathBuf, String> {
    if !have("g++") {
        return Err("g++ not installed".into());
    }
    if !std::path::Path::new("/usr/include/Poco/Crypto/Cipher.h").exists() {
        return Err("libpoco-dev not installed".into());
    }
    let dir = util::target_dir().join("xtask");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let exe = dir.join("poco_crypt");
    let source = workspace_root().join("crates/crypto/tests/poco/poco_crypt.cpp");
    util::run(
        "build POCO peer",
        Command::new("g++")
            .args(["-O2", "-std=c++17", "-o"])
            .arg(&exe)
            .arg(source)
            .args(["-lPocoCrypto", "-lPocoFoundation"]),
    )?;
    Ok(exe)
}

/// Runs a POCO bench command; operations per second.
fn poco(exe: &PathBuf, args: &[&str]) -> Result<f64, String> {
    let text = output("poco_crypt", Command::new(exe).args(args))?;
    let mut it = text.split_whitespace().map(str::parse::<f64>);
    match (it.next(), it.next()) {
        (Some(Ok(ops)), Some(Ok(secs))) if secs > 0.0 => Ok(ops / secs),
        _ => Err(format!("unexpected POCO output {text:?}")),
    }
}

fn mbs(ops: f64, size: usize) -> f64 {
    ops * size as f64 / 1e6
}

fn cell(v: Option<f64>, reference: Option<f64>) -> String {
    match (v, reference) {
        (Some(v), Some(r)) if r > 0.0 => format!("{v:>9.0} ({:>4.2}x)", v / r),
        (Some(v), _) => format!("{v:>9.0}        "),
        (None, _) => format!("{:>9}        ", "n/a"),
    }
}

/// The best of `rounds` runs of `f` (highest rate), or the last error.
fn best<E>(rounds: usize, mut f: impl FnMut() -> Result<f64, E>) -> Result<f64, E> {
    let mut best: Option<f64> = None;
    for _ in 0..rounds {
        let v = f()?;
        best = Some(best.map_or(v, |b| b.max(v)));
    }
    Ok(best.unwrap_or(0.0))
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let (seconds, rounds) = if quick { (0.3, 1) } else { (1.0, 3) };
    let mut results: Vec<(&str, Figures)> = Vec::new();
    let mut cpu = String::new();
    for (name, features) in BACKENDS {
        println!("measuring rpoco-crypto on {name} ({rounds} runs) ...");
        let mut merged = Figures::new();
        for _ in 0..rounds {
            let (figures, c) = ours(features, seconds)?;
            cpu = c;
            for (k, v) in figures {
                let e = merged.entry(k).or_insert(0.0);
                *e = e.max(v);
            }
        }
        results.push((name, merged));
    }
    let mut ossl: BTreeMap<(&str, usize), f64> = BTreeMap::new();
    if have("openssl") {
        for alg in ["aes-256-gcm", "sha256"] {
            for size in SIZES {
                println!("measuring openssl speed -evp {alg} -bytes {size} ...");
                match best(rounds, || openssl(alg, size, seconds)) {
                    Ok(v) => {
                        ossl.insert((alg, size), v / 1e6);
                    }
                    Err(e) => println!("  {e}"),
                }
            }
        }
    } else {
        println!("openssl not installed: no OpenSSL column");
    }
    let mut poco_figs: BTreeMap<(&str, usize), f64> = BTreeMap::new();
    match poco_peer() {
        Ok(exe) => {
            let secs = seconds.to_string();
            for size in SIZES {
                let s = size.to_string();
                println!("measuring C++ POCO at {size} bytes ...");
                if let Ok(v) = best(rounds, || poco(&exe, &["bench-gcm", &s, &secs])) {
                    poco_figs.insert(("aes-256-gcm", size), mbs(v, size));
                }
                if let Ok(v) = best(rounds, || poco(&exe, &["bench-sha", &s, &secs])) {
                    poco_figs.insert(("sha256", size), mbs(v, size));
                }
            }
            for size in [64usize, 16 * 1024] {
                if let Ok(v) = best(rounds, || poco(&exe, &["bench-str", "aes256", &size.to_string(), &secs]))
                {
                    poco_figs.insert(("encrypt_string-aes256", size), v);
                }
            }
        }
        Err(e) => println!("C++ POCO peer unavailable ({e}): no POCO rows"),
    }

    println!(
        "\nCPU features offered (every backend picks AES-NI/VAES, PCLMULQDQ/VPCLMULQDQ and SHA-NI code paths"
    );
    println!("from these at run time; CBC and MD5 always run on RustCrypto): {cpu}\n");
    for (alg, title) in
        [("aes-256-gcm", "AES-256-GCM encrypt, MB/s (x OpenSSL)"), ("sha256", "SHA-256, MB/s (x OpenSSL)")]
    {
        println!("{title:<40} {:>18} {:>18}", "16 KiB", "1 MiB");
        for (name, figures) in &results {
            let row: Vec<String> = SIZES
                .iter()
                .map(|&s| {
                    cell(figures.get(&(alg.to_owned(), s)).map(|&o| mbs(o, s)), ossl.get(&(alg, s)).copied())
                })
                .collect();
            println!("  {:<38} {} {}", format!("rpoco-crypto {name}"), row[0], row[1]);
        }
        let peer_rows = [("openssl speed -evp", &ossl), ("C++ POCO (1.11, OpenSSL)", &poco_figs)];
        for (label, map) in peer_rows {
            let row: Vec<String> = SIZES
                .iter()
                .map(|&s| cell(map.get(&(alg, s)).copied(), ossl.get(&(alg, s)).copied()))
                .collect();
            println!("  {label:<38} {} {}", row[0], row[1]);
        }
        println!();
    }
    println!("{:<40} {:>18} {:>18}", "encrypt_string aes256 (CBC), calls/s", "64 B", "16 KiB");
    for (name, figures) in &results {
        let row: Vec<String> = [64usize, 16 * 1024]
            .iter()
            .map(|&s| {
                cell(
                    figures.get(&("encrypt_string-aes256".to_owned(), s)).copied(),
                    poco_figs.get(&("encrypt_string-aes256", s)).copied(),
                )
            })
            .collect();
        println!("  {:<38} {} {}", format!("rpoco-crypto {name} (x POCO)"), row[0], row[1]);
    }
    let row: Vec<String> = [64usize, 16 * 1024]
        .iter()
        .map(|&s| cell(poco_figs.get(&("encrypt_string-aes256", s)).copied(), None))
        .collect();
    println!("  {:<38} {} {}", "C++ POCO Cipher::encryptString", row[0], row[1]);

    println!("\ntargets (16 KiB buffers; encrypt_string at 64 B):");
    for (name, figures) in results.iter().filter(|(n, _)| *n != "RustCrypto") {
        for (alg, goal) in [("aes-256-gcm", 1.5), ("sha256", 0.9)] {
            let ours = figures.get(&(alg.to_owned(), 16 * 1024)).map(|&o| mbs(o, 16 * 1024));
            match (ours, ossl.get(&(alg, 16 * 1024))) {
                (Some(v), Some(&r)) => println!(
                    "  {name:<10} {alg:<12} >= {goal:.1}x OpenSSL: {:.2}x  {}",
                    v / r,
                    if v / r >= goal { "met" } else { "NOT met" }
                ),
                _ => println!("  {name:<10} {alg:<12} >= {goal:.1}x OpenSSL: not measured"),
            }
        }
    }
    // CBC runs on RustCrypto in every build, so the three rows measure the same code: the
    // spread between them is this machine's noise.
    for (name, figures) in &results {
        let ours = figures.get(&("encrypt_string-aes256".to_owned(), 64)).copied();
        match (ours, poco_figs.get(&("encrypt_string-aes256", 64))) {
            (Some(v), Some(&r)) => println!(
                "  {name:<10} encrypt_string >= 5x POCO encryptString: {:.2}x  {}",
                v / r,
                if v / r >= 5.0 { "met" } else { "NOT met" }
            ),
            _ => println!("  {name:<10} encrypt_string >= 5x POCO encryptString: not measured"),
        }
    }
    println!();
    super::crypto_pk::run(seconds, rounds)
}
