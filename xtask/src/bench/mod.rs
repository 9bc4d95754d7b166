//! `cargo xtask bench [AREA...]`: measured performance, ours beside a peer in the same run.
//!
//! Each area (foundation, net, server, netssl, https-server, crypto) lives in its own module
//! and prints a table of figures with the peer measured in the same run; `docs/benchmarks.md`
//! records them. Runs are bounded in time. Without arguments every area runs.

use std::time::Instant;

mod chart;
mod crypto;
mod crypto_pk;
mod foundation;
mod ftp;
mod http_extras;
mod https_server;
mod mail;
mod net;
mod netssl;
mod peers;
mod reactor;
mod server;
mod websocket;

/// A benchmark area: a name and the function that measures and prints it.
struct Area {
    name: &'static str,
    about: &'static str,
    run: fn(&[String]) -> Result<(), String>,
}

const AREAS: &[Area] = &[
    Area {
        name: "foundation",
        about: "Uri parse/resolve/to_string vs url, StreamCopier vs std::io::copy",
        run: foundation::run,
    },
    Area {
        name: "net",
        about: "sequential keep-alive GETs/s vs POCO C++ and curl (nginx)",
        run: net::run_bench,
    },
    Area { name: "netssl", about: "HTTPS handshakes/s, bulk MB/s vs POCO C++, curl", run: netssl::run_bench },
    Area {
        name: "server",
        about: "HttpServer req/s, p99 and idle cost vs POCO C++ and nginx (wrk)",
        run: server::run_bench,
    },
    Area {
        name: "https-server",
        about: "HTTPS server req/s keep-alive and new-connection handshakes/s vs POCO C++ and nginx (wrk)",
        run: https_server::run_bench,
    },
    Area {
        name: "crypto",
        about: "AES-256-GCM, SHA-256, encrypt_string, RSA/ECDSA/Ed25519 sign+verify, RSA keygen per backend vs openssl speed and C++ POCO",
        run: crypto::run,
    },
    Area {
        name: "http-extras",
        about: "gzip inflate/deflate MB/s vs POCO C++, Python zlib, gzip CLI; multipart parse MB/s vs POCO C++",
        run: http_extras::run_bench,
    },
    Area {
        name: "websocket",
        about: "WebSocket echo round trips/s and MB/s (16 B, 1 KiB, 64 KiB; ws, wss) vs tungstenite and POCO C++",
        run: websocket::run_bench,
    },
    Area {
        name: "reactor",
        about: "echo round trips/s at 50 and 1,000 connections vs POCO C++ EchoServer and tokio",
        run: reactor::run_bench,
    },
    Area {
        name: "ftp",
        about: "FTP and FTPS download/upload MB/s from vsftpd vs curl (--size=MIB, 1 GiB default)",
        run: ftp::run_bench,
    },
    Area {
        name: "mail",
        about: "SMTP messages/s (1 KiB, 1 MiB) to aiosmtpd and MIME parse MB/s vs POCO C++",
        run: mail::run_bench,
    },
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let (names, rest): (Vec<&String>, Vec<&String>) = args.iter().partition(|a| !a.starts_with('-'));
    let rest: Vec<String> = rest.into_iter().cloned().collect();
    if names.iter().any(|n| *n == "help") || AREAS.is_empty() {
        println!("usage: cargo xtask bench [AREA...] [--quick]\n\nareas:");
        for a in AREAS {
            println!("  {:<12} {}", a.name, a.about);
        }
        return Ok(());
    }
    for name in &names {
        if !AREAS.iter().any(|a| a.name == name.as_str()) {
            return Err(format!("unknown bench area `{name}`; `cargo xtask bench help` lists them"));
        }
    }
    let started = Instant::now();
    for area in AREAS.iter().filter(|a| names.is_empty() || names.iter().any(|n| *n == a.name)) {
        println!("\n######## bench: {} ########", area.name);
        (area.run)(&rest)?;
    }
    println!("\nxtask bench: done in {:.0}s", started.elapsed().as_secs_f64());
    Ok(())
}
