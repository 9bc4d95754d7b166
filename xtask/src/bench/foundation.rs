//! `cargo xtask bench foundation`: runs the `rpoco-foundation` criterion bench and prints ours
//! beside the peer measured in the same run (`url`, `std::io::copy`), with ratios.
//!
//! The figures come from criterion's `target/criterion/<id>/new/estimates.json` (median);
//! earlier results of these benches are deleted first, so a stale figure is never shown.

use std::fs;
use std::path::Path;

use crate::util;

/// Criterion groups written by `crates/foundation/benches/foundation.rs`.
const GROUPS: &[&str] = &["uri_parse", "uri_resolve", "uri_to_string", "stream_copier"];

/// One row: what is measured, our bench id, the peer's, and the peer's name.
struct Row {
    what: &'static str,
    ours: &'static str,
    peer: &'static str,
    peer_name: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        what: "Uri parse, 20 URIs",
        ours: "uri_parse/rpoco",
        peer: "uri_parse/url",
        peer_name: "url::Url::parse",
    },
    Row {
        what: "Uri resolve, 10 references",
        ours: "uri_resolve/rpoco",
        peer: "uri_resolve/url",
        peer_name: "url::Url::join",
    },
    Row {
        what: "Uri to_string, 20 URIs",
        ours: "uri_to_string/rpoco",
        peer: "uri_to_string/url",
        peer_name: "Url::to_string (a copy)",
    },
    Row {
        what: "copy_stream 64 MiB to a sink",
        ours: "stream_copier/rpoco/sink",
        peer: "stream_copier/std_io_copy/sink",
        peer_name: "std::io::copy",
    },
    Row {
        what: "copy_stream 64 MiB to a Vec",
        ours: "stream_copier/rpoco/vec",
        peer: "stream_copier/std_io_copy/vec",
        peer_name: "std::io::copy",
    },
];

pub(super) fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let criterion = util::target_dir().join("criterion");
    for group in GROUPS {
        let dir = criterion.join(group);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("cannot remove stale {}: {e}", dir.display()))?;
        }
    }
    let mut cmd = util::cargo();
    cmd.args(["bench", "-p", "rpoco-foundation", "--bench", "foundation", "--"]);
    if quick {
        cmd.arg("--quick");
    }
    util::run("bench foundation", &mut cmd)?;

    println!("\nfoundation (criterion medians, same run; ratio > 1 means rpoco is faster)\n");
    println!("{:<30} {:>20} {:>20}  {:<24} {:>7}", "measured", "rpoco", "peer", "peer is", "ratio");
    for row in ROWS {
        let ours = Estimate::load(&criterion, row.ours)?;
        let peer = Estimate::load(&criterion, row.peer)?;
        println!(
            "{:<30} {:>20} {:>20}  {:<24} {:>6.2}x",
            row.what,
            ours.describe(),
            peer.describe(),
            row.peer_name,
            peer.nanos / ours.nanos
        );
    }
    Ok(())
}

/// A bench's median time per iteration and its declared throughput.
struct Estimate {
    nanos: f64,
    bytes: Option<f64>,
    elements: Option<f64>,
}

impl Estimate {
    fn load(criterion: &Path, id: &str) -> Result<Self, String> {
        let dir = criterion.join(id).join("new");
        let read = |name: &str| -> Result<serde_json::Value, String> {
            let path = dir.join(name);
            let text =
                fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
        };
        let estimates = read("estimates.json")?;
        let nanos = estimates["median"]["point_estimate"]
            .as_f64()
            .filter(|n| *n > 0.0)
            .ok_or_else(|| format!("{id}: no median in estimates.json"))?;
        let benchmark = read("benchmark.json")?;
        let throughput = &benchmark["throughput"];
        Ok(Estimate { nanos, bytes: throughput["Bytes"].as_f64(), elements: throughput["Elements"].as_f64() })
    }

    /// `1.23 µs (8.1 M/s)` or `4.2 ms (15.3 GB/s)`.
    fn describe(&self) -> String {
        let time = if self.nanos >= 1e6 {
            format!("{:.2} ms", self.nanos / 1e6)
        } else if self.nanos >= 1e3 {
            format!("{:.2} µs", self.nanos / 1e3)
        } else {
            format!("{:.0} ns", self.nanos)
        };
        let seconds = self.nanos / 1e9;
        match (self.bytes, self.elements) {
            (Some(bytes), _) => format!("{time} ({:.1} GB/s)", bytes / seconds / 1e9),
            (None, Some(elements)) => format!("{time} ({:.1} M/s)", elements / seconds / 1e6),
            (None, None) => time,
        }
    }
}
