//! The Agent's content codings against real coders: nginx's brotli filter, and bodies made
//! by the reference `brotli`, `zstd` and Python `zlib` coders served by nginx as they are
//! (`Content-Encoding` added), including bombs, cut-short streams and oversized windows.

use std::io::Write;
use std::process::{Command, Stdio};

#[cfg(any(feature = "brotli", feature = "zstd"))]
use rpoco_foundation::Error as FoundationError;
use rpoco_net::{Agent, Error};
use rpoco_testsupport::{Nginx, NginxConfig};

/// Whether the coders are installed (required under CI).
fn have(programs: &[&str]) -> bool {
    programs.iter().all(|p| rpoco_testsupport::require(p).is_some())
}

/// `input` coded by `program args` (stdin to stdout).
fn coded_by(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child =
        Command::new(program).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{program} {args:?} failed");
    out.stdout
}

/// Log-like text, large enough to be coded in several blocks.
fn text() -> String {
    (0..40_000).map(|i| format!("{i:06} GET /item/{} 200\n", i % 977)).collect()
}

/// An nginx serving `files` under `/c/` with `Content-Encoding: coding` added, as a server
/// serving precompressed files does.
fn serve_coded(coding: &str, files: Vec<(&str, Vec<u8>)>) -> Nginx {
    let mut config = NginxConfig::new().server(&format!(
        "location /c/ {{ default_type text/plain; add_header Content-Encoding {coding}; }}"
    ));
    for (name, bytes) in files {
        config = config.file(&format!("c/{name}"), bytes);
    }
    Nginx::start(&config).unwrap()
}

#[cfg(any(feature = "brotli", feature = "zstd"))]
fn assert_limit(err: &Error) {
    assert!(
        matches!(err.source_as::<FoundationError>(), Some(FoundationError::LimitExceeded { .. })),
        "{err:?}"
    );
}

#[cfg(any(feature = "brotli", feature = "zstd"))]
fn assert_data_format(err: &Error, coding: &str) {
    assert!(
        matches!(err.source_as::<FoundationError>(), Some(FoundationError::DataFormat { format, .. }) if *format == coding),
        "{err:?}"
    );
}

fn assert_truncated(err: &Error) {
    assert_eq!(err.io_kind(), std::io::ErrorKind::UnexpectedEof, "{err:?}");
}

#[test]
fn raw_deflate_is_decoded_as_zlib_is() {
    // Servers that send `deflate` as raw deflate (RFC 1951) without the zlib wrapper: read
    // as curl and browsers read them.
    let text = text();
    if !have(&["python3", "nginx"]) {
        return;
    }
    let raw = coded_by(
        "python3",
        &[
            "-c",
            "import sys,zlib; c=zlib.compressobj(6, zlib.DEFLATED, -15); \
                 sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())",
        ],
        text.as_bytes(),
    );
    let zlib = coded_by(
        "python3",
        &["-c", "import sys,zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))"],
        text.as_bytes(),
    );
    let nginx = serve_coded("deflate", vec![("raw.txt", raw.clone()), ("zlib.txt", zlib)]);
    let agent = Agent::new();
    for path in ["/c/raw.txt", "/c/zlib.txt"] {
        let res = agent.get(&nginx.url(path)).call().unwrap();
        assert_eq!(res.header("Content-Encoding"), None, "{path}");
        assert_eq!(res.into_string().unwrap(), text, "{path}");
    }
    let cut = serve_coded("deflate", vec![("cut.txt", raw[..raw.len() / 2].to_vec())]);
    let err = agent.get(&cut.url("/c/cut.txt")).call().unwrap().into_bytes().unwrap_err();
    assert_truncated(&err);
}

#[cfg(feature = "brotli")]
#[test]
fn brotli_from_nginx_and_from_the_reference_coder() {
    const MODULE: &str = "/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so";
    if rpoco_testsupport::require("nginx").is_none() {
        return;
    }
    assert!(
        std::path::Path::new(MODULE).exists() || std::env::var_os("CI").is_none(),
        "{MODULE} is required under CI (scripts/install-test-deps.sh installs it)"
    );
    let text = text();
    if std::path::Path::new(MODULE).exists() {
        // nginx codes the response itself, as it is asked to by the agent's Accept-Encoding.
        let config = NginxConfig::new()
            .main(&format!("load_module {MODULE};"))
            .http("brotli on; brotli_types text/plain; brotli_min_length 100;")
            .server("add_header X-Accept-Encoding $http_accept_encoding;")
            .file("data.txt", text.clone());
        let nginx = Nginx::start(&config).unwrap();
        let res = Agent::new().get(&nginx.url("/data.txt")).call().unwrap();
        assert!(res.header("X-Accept-Encoding").is_some_and(|v| v.contains("br")), "{:?}", res.headers());
        assert_eq!(res.header("Content-Encoding"), None, "decoded");
        assert_eq!(res.into_string().unwrap(), text);
        let raw = Agent::builder().decompress(false).build();
        let res = raw.get(&nginx.url("/data.txt")).header("Accept-Encoding", "br").call().unwrap();
        assert_eq!(res.header("Content-Encoding"), Some("br"), "nginx coded it");
        let packed = res.into_bytes().unwrap();
        assert!(packed.len() < text.len() / 4, "{} bytes", packed.len());
    }
    if !have(&["brotli", "nginx"]) {
        return;
    }
    let best = coded_by("brotli", &["-c", "-q", "11"], text.as_bytes());
    let bomb = coded_by("brotli", &["-c", "-q", "5"], &vec![0u8; 64 << 20]);
    // The large-window extension (not RFC 7932) with a window of 1 GiB.
    let large = coded_by("brotli", &["-c", "--large_window=30"], text.as_bytes());
    let cut = best[..best.len() - 20].to_vec();
    let mut corrupt = best.clone();
    corrupt[best.len() / 2] ^= 0x55;
    let nginx = serve_coded(
        "br",
        vec![("best", best), ("bomb", bomb), ("large", large), ("cut", cut), ("corrupt", corrupt)],
    );
    let agent = Agent::builder().decompress_limit(1 << 20).build();
    let res = agent.get(&nginx.url("/c/best")).call().unwrap();
    assert_eq!(res.into_string().unwrap(), text);
    let err = agent.get(&nginx.url("/c/bomb")).call().unwrap().into_bytes().unwrap_err();
    assert_limit(&err);
    let err = agent.get(&nginx.url("/c/large")).call().unwrap().into_bytes().unwrap_err();
    assert_data_format(&err, "br");
    let err = agent.get(&nginx.url("/c/cut")).call().unwrap().into_bytes().unwrap_err();
    assert_truncated(&err);
    // brotli carries no checksum: a changed byte is seen as a format error or, as here, as
    // a stream that needs more input than the body has; either way an error, not a body.
    let err = agent.get(&nginx.url("/c/corrupt")).call().unwrap().into_bytes().unwrap_err();
    assert_truncated(&err);
}

#[cfg(feature = "zstd")]
#[test]
fn zstd_from_the_reference_coder() {
    let text = text();
    if !have(&["zstd", "nginx"]) {
        return;
    }
    let one = coded_by("zstd", &["-c", "-19"], text.as_bytes());
    // Two frames one after the other decode to the two texts (RFC 8878 §3.1).
    let two = [one.clone(), one.clone()].concat();
    let bomb = coded_by("zstd", &["-c", "-3"], &vec![0u8; 64 << 20]);
    // 16 MiB whose second half repeats the first: coded with a 128 MiB window, over the
    // 8 MiB that RFC 9659 §3 lets an HTTP decoder refuse.
    let half: Vec<u8> =
        (0u32..(8 << 20) / 4).flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()).collect();
    let wide = coded_by("zstd", &["-c", "-1", "--long=27"], &[half.clone(), half].concat());
    let cut = one[..one.len() - 9].to_vec();
    let mut corrupt = one.clone();
    corrupt[one.len() / 2] ^= 0x55;
    let nginx = serve_coded(
        "zstd",
        vec![("one", one), ("two", two), ("bomb", bomb), ("wide", wide), ("cut", cut), ("corrupt", corrupt)],
    );
    let agent = Agent::builder().decompress_limit(4 << 20).build();
    let res = agent.get(&nginx.url("/c/one")).call().unwrap();
    assert_eq!(res.header("Content-Encoding"), None, "decoded");
    assert_eq!(res.into_string().unwrap(), text);
    assert_eq!(agent.get(&nginx.url("/c/two")).call().unwrap().into_string().unwrap(), text.repeat(2));
    let err = agent.get(&nginx.url("/c/bomb")).call().unwrap().into_bytes().unwrap_err();
    assert_limit(&err);
    let err = agent.get(&nginx.url("/c/wide")).call().unwrap().into_bytes().unwrap_err();
    assert_data_format(&err, "zstd");
    let err = agent.get(&nginx.url("/c/cut")).call().unwrap().into_bytes().unwrap_err();
    assert_truncated(&err);
    let err = agent.get(&nginx.url("/c/corrupt")).call().unwrap().into_bytes().unwrap_err();
    assert_data_format(&err, "zstd");
    // The connection is reused after a decoded body: the next request goes out on it.
    let res = agent.get(&nginx.url("/c/one")).call().unwrap();
    assert_eq!(res.into_string().unwrap(), text);
}
