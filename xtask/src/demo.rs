//! `cargo xtask demo`: the README's main job.
//!
//! Until the HTTPS server lands this runs the Foundation sample (`examples/uri.rs`) on a
//! realistic URI and a relative reference; netssl replaces it with the HTTPS demo.

use crate::util::{self, cargo};

pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    util::run(
        "demo (uri)",
        cargo().args([
            "run",
            "--quiet",
            "--example",
            "uri",
            "--",
            "HTTPS://user@www.Example.com:443/a/./b/../c%20d?q=1+2&x#top",
            "../e?x",
        ]),
    )
}
