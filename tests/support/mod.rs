//! Shared by the tests that run the examples as programs.

use std::path::PathBuf;

/// The example binary `name`, which `cargo test` builds with the test targets. `None` (with a
/// skip message) when it was not built, e.g. under `cargo test --test NAME`; that fails
/// under `CI`, where the examples must be tested.
pub(crate) fn example(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?.join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
        let built = path.metadata().and_then(|m| m.modified()).ok()?;
        let edited = source.metadata().and_then(|m| m.modified()).ok()?;
        assert!(
            built >= edited,
            "{} is older than its source: run `cargo test` (it builds examples)",
            path.display()
        );
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} was not built (`cargo test` builds examples)",
        path.display()
    );
    eprintln!("SKIP: {} not built; `cargo test` (without --test) builds it", path.display());
    None
}
