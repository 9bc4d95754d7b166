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
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(source.trim_end_matches(".cpp"));
    let result = Command::new("g++")
        .args(["-O2", "-std=c++17", "-o"])
        .arg(&out)
        .arg(&src)
        .args(libs)
        .output()
        .expect("run g++");
    assert!(result.status.success(), "g++ {source} failed:\n{}", String::from_utf8_lossy(&result.stderr));
    Some(out)
}
