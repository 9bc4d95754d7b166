//! The public-key half of `cargo xtask bench crypto`: sign and verify per second for RSA-2048
//! (PKCS #1 v1.5 and PSS, SHA-256), P-256 ECDSA and Ed25519, and RSA-2048 key generation per
//! second, on each backend (`crates/crypto/examples/pk_speed.rs`) beside `openssl speed
//! rsa2048 ecdsap256 ed25519`, `openssl genpkey` in a loop, and C++ POCO's
//! `RSADigestEngine`/`ECDSADigestEngine`/`RSAKey(KL_2048)` (`crates/crypto/tests/poco/poco_pk.cpp`),
//! all in this one run. Best of the rounds is kept for every participant alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::util::{self, cargo, have, workspace_root};

const BACKENDS: [(&str, Option<&str>); 3] =
    [("RustCrypto", None), ("ring", Some("ring")), ("aws-lc-rs", Some("aws-lc-rs"))];

/// Rows: (key, label). Keys are the `pk_speed` names.
const ROWS: [(&str, &str); 9] = [
    ("rsa2048-pkcs1-sign", "RSA-2048 PKCS#1 sign"),
    ("rsa2048-pkcs1-verify", "RSA-2048 PKCS#1 verify"),
    ("rsa2048-pss-sign", "RSA-2048 PSS sign"),
    ("rsa2048-pss-verify", "RSA-2048 PSS verify"),
    ("p256-sign", "P-256 ECDSA sign"),
    ("p256-verify", "P-256 ECDSA verify"),
    ("ed25519-sign", "Ed25519 sign"),
    ("ed25519-verify", "Ed25519 verify"),
    ("rsa2048-keygen", "RSA-2048 key generation"),
];

type Rates = BTreeMap<String, f64>;

fn output(label: &str, cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{label}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{label} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn keep_best(into: &mut Rates, from: Rates) {
    for (k, v) in from {
        let e = into.entry(k).or_insert(0.0);
        *e = e.max(v);
    }
}

fn ours(features: Option<&str>, seconds: f64) -> Result<Rates, String> {
    let mut cmd = cargo();
    cmd.args(["run", "--release", "-q", "-p", "rpoco-crypto", "--example", "pk_speed"]);
    if let Some(f) = features {
        cmd.args(["--features", f]);
    }
    cmd.args(["--", &seconds.to_string()]);
    let text = output("pk_speed", &mut cmd)?;
    let mut rates = Rates::new();
    for line in text.lines() {
        if let [what, ops, secs] = line.split_whitespace().collect::<Vec<_>>()[..]
            && let (Ok(ops), Ok(secs)) = (ops.parse::<f64>(), secs.parse::<f64>())
            && secs > 0.0
        {
            rates.insert(what.to_owned(), ops / secs);
        }
    }
    Ok(rates)
}

/// `openssl speed -mr`: `+F2:i:2048:sign/s:verify/s` (RSA), `+F4` (ECDSA), `+F6:i:bits:name:sign/s:verify/s` (EdDSA).
fn openssl_speed(seconds: f64) -> Result<Rates, String> {
    let secs = (seconds.ceil() as u64).max(1).to_string();
    let text = output(
        "openssl speed",
        Command::new("openssl").args(["speed", "-mr", "-seconds", &secs, "rsa2048", "ecdsap256", "ed25519"]),
    )?;
    let mut rates = Rates::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        let (prefix, sign, verify) = match f.as_slice() {
            ["+F2", _, "2048", s, v] => ("rsa2048-pkcs1", s, v),
            ["+F4", _, "256", s, v] => ("p256", s, v),
            ["+F6", _, _, "Ed25519", s, v] => ("ed25519", s, v),
            _ => continue,
        };
        if let (Ok(s), Ok(v)) = (sign.parse::<f64>(), verify.parse::<f64>()) {
            rates.insert(format!("{prefix}-sign"), s);
            rates.insert(format!("{prefix}-verify"), v);
        }
    }
    Ok(rates)
}

/// `openssl genpkey` RSA-2048 in a loop for `seconds` (includes process start, a few ms).
fn openssl_keygen(seconds: f64) -> Result<f64, String> {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed().as_secs_f64() < seconds || n == 0 {
        output(
            "openssl genpkey",
            Command::new("openssl").args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ]),
        )?;
        n += 1;
    }
    Ok(f64::from(n) / start.elapsed().as_secs_f64())
}

fn poco_peer(dir: &Path) -> Result<PathBuf, String> {
    if !have("g++") || !Path::new("/usr/include/Poco/Crypto/RSADigestEngine.h").exists() {
        return Err("g++ or libpoco-dev not installed".into());
    }
    let exe = dir.join("poco_pk");
    util::run(
        "build POCO public-key peer",
        Command::new("g++")
            .args(["-O2", "-std=c++17", "-o"])
            .arg(&exe)
            .arg(workspace_root().join("crates/crypto/tests/poco/poco_pk.cpp"))
            .args(["-lPocoCrypto", "-lPocoFoundation", "-lcrypto"]),
    )?;
    Ok(exe)
}

fn poco(exe: &Path, args: &[&str]) -> Result<f64, String> {
    let text = output("poco_pk", Command::new(exe).args(args))?;
    let mut it = text.split_whitespace().map(str::parse::<f64>);
    match (it.next(), it.next()) {
        (Some(Ok(ops)), Some(Ok(secs))) if secs > 0.0 => Ok(ops / secs),
        _ => Err(format!("unexpected POCO output {text:?}")),
    }
}

fn poco_rates(seconds: f64, rounds: usize) -> Result<Rates, String> {
    let dir = util::target_dir().join("xtask");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let exe = poco_peer(&dir)?;
    let rsa = workspace_root().join("crates/crypto/tests/data/keys/rsa2048.pem");
    let ec = dir.join("bench-p256.pem");
    if have("openssl") {
        output(
            "openssl genpkey",
            Command::new("openssl")
                .args(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out"])
                .arg(&ec),
        )?;
    }
    let secs = seconds.to_string();
    let mut rates = Rates::new();
    for _ in 0..rounds {
        let mut round = Rates::new();
        for (kind, key, prefix) in [("rsa", &rsa, "rsa2048-pkcs1"), ("ec", &ec, "p256")] {
            let key = key.to_string_lossy();
            for op in ["sign", "verify"] {
                if let Ok(v) = poco(&exe, &[&format!("bench-{op}"), kind, "", &key, &secs]) {
                    round.insert(format!("{prefix}-{op}"), v);
                }
            }
        }
        if let Ok(v) = poco(&exe, &["bench-keygen", &(seconds * 3.0).to_string()]) {
            round.insert("rsa2048-keygen".into(), v);
        }
        keep_best(&mut rates, round);
    }
    Ok(rates)
}

fn cell(v: Option<f64>, reference: Option<f64>) -> String {
    match (v, reference) {
        (Some(v), Some(r)) if r > 0.0 => format!("{v:>9.0} ({:>4.2}x)", v / r),
        (Some(v), _) => format!("{v:>9.0}        "),
        (None, _) => format!("{:>9}        ", "-"),
    }
}

pub(crate) fn run(seconds: f64, rounds: usize) -> Result<(), String> {
    let mut results: Vec<(&str, Rates)> = Vec::new();
    for (name, features) in BACKENDS {
        println!("measuring rpoco-crypto public-key operations on {name} ({rounds} runs) ...");
        let mut best = Rates::new();
        for _ in 0..rounds {
            keep_best(&mut best, ours(features, seconds)?);
        }
        results.push((name, best));
    }
    let mut ossl = Rates::new();
    if have("openssl") {
        println!("measuring openssl speed rsa2048 ecdsap256 ed25519 and openssl genpkey ...");
        for _ in 0..rounds {
            keep_best(&mut ossl, openssl_speed(seconds)?);
            let mut k = Rates::new();
            k.insert("rsa2048-keygen".into(), openssl_keygen(seconds * 3.0)?);
            keep_best(&mut ossl, k);
        }
    } else {
        println!("openssl not installed: no OpenSSL column");
    }
    println!("measuring C++ POCO RSADigestEngine/ECDSADigestEngine/RSAKey ...");
    let poco_figs = poco_rates(seconds, rounds).unwrap_or_else(|e| {
        println!("C++ POCO peer unavailable ({e}): no POCO column");
        Rates::new()
    });

    print!("\n{:<26}", "ops/s (x OpenSSL)");
    for (name, _) in &results {
        print!(" {name:>18}");
    }
    println!(" {:>18} {:>18}", "openssl", "C++ POCO 1.11");
    for (key, label) in ROWS {
        let reference = ossl.get(key).copied();
        print!("{label:<26}");
        for (_, rates) in &results {
            print!(" {}", cell(rates.get(key).copied(), reference));
        }
        println!(" {} {}", cell(reference, None), cell(poco_figs.get(key).copied(), reference));
    }
    println!(
        "(- : not measured, or no constant-time implementation on that backend; openssl has no PSS figure)"
    );
    println!("\ntargets (sign and verify >= 1.0x openssl speed on the provider backend):");
    for (name, rates) in results.iter().filter(|(n, _)| *n != "RustCrypto") {
        for (key, label) in ROWS.iter().filter(|(k, _)| !k.contains("pss") && !k.contains("keygen")) {
            match (rates.get(*key), ossl.get(*key)) {
                (Some(v), Some(r)) => {
                    println!(
                        "  {name:<10} {label:<24} {:.2}x  {}",
                        v / r,
                        if v / r >= 1.0 { "met" } else { "NOT met" }
                    )
                }
                _ => println!("  {name:<10} {label:<24} not measured"),
            }
        }
    }
    Ok(())
}
