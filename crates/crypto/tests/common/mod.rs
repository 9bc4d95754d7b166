//! Shared by the integration tests: building a C++ POCO peer from `tests/poco/`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `tests/poco/<source>` with g++ against `libs` into the test's temp directory, or
/// prints why it cannot and returns `None` (panics under `CI`, where a missing peer is a
/// failure).
pub(crate) fn build_poco_peer(source: &str, libs: &[&str]) -> Option<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/poco").join(source);
    let missing = if Command::new("g++").arg("--version").output().is_err() {
        Some("g++ is not installed")
    } else if !Path::new("/usr/include/Poco/Crypto/Cipher.h").exists() {
        Some("libpoco-dev (POCO Crypto headers) is not installed")
    } else {
        None
    };
    if let Some(why) = missing {
        if std::env::var_os("CI").is_some() {
            panic!("POCO interop peer unavailable in CI: {why} (scripts/install-test-deps.sh installs it)");
        }
        println!("SKIPPED POCO interop: {why}; run scripts/install-test-deps.sh");
        return None;
    }
    // Named by a digest of the source and flags, so the peer is compiled once for all test
    // binaries and backends of a run (and again only when the source changes): g++ takes
    // seconds per peer.
    let text = std::fs::read(&src).expect("read peer source");
    let mut id = rpoco_crypto::DigestEngine::new("SHA256").expect("SHA-256");
    id.update(&text);
    id.update(libs.join(" ").as_bytes());
    let tag = &rpoco_crypto::digest_to_hex(&id.digest())[..16];
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = dir.join(format!("{}-{tag}", source.trim_end_matches(".cpp")));
    if out.exists() {
        return Some(out);
    }
    // Built under a name of this process, then renamed: concurrent test binaries never run
    // a half-written peer.
    let partial =
        dir.join(format!("{}-{tag}.{}.partial", source.trim_end_matches(".cpp"), std::process::id()));
    let result = Command::new("g++")
        .args(["-O2", "-std=c++17", "-o"])
        .arg(&partial)
        .arg(&src)
        .args(libs)
        .output()
        .expect("run g++");
    assert!(result.status.success(), "g++ {source} failed:\n{}", String::from_utf8_lossy(&result.stderr));
    std::fs::rename(&partial, &out).expect("install the built peer");
    Some(out)
}
