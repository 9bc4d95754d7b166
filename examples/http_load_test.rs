//! POCO's `HTTPLoadTest` sample, ported: `--threads` threads each send `--repetitions` GET
//! requests to one URL over a kept-alive `HttpClientSession`, optionally keeping cookies
//! (each thread its own `HttpCookieJar`), and the rate is printed at the end.
//!
//! ```text
//! cargo run --example http_load_test -- [--threads 1] [--repetitions 1] [--cookies] [-v] http://127.0.0.1:9980/
//! ```
//!
//! Prints `<n> requests, <ok> ok, <failed> failed in <s> s: <rate> requests/s`; with
//! `--cookies`, also how many cookies the threads held at the end. Exit code 1 if any
//! request failed.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rpoco::foundation::Uri;
use rpoco::net::{HTTP_1_1, HttpClientSession, HttpCookieJar, HttpRequest, HttpResponse};

#[derive(Default)]
struct Totals {
    ok: AtomicU64,
    failed: AtomicU64,
    cookies: AtomicU64,
}

fn one_request(
    session: &mut HttpClientSession,
    uri: &Uri,
    jar: Option<&HttpCookieJar>,
) -> rpoco::net::Result<u16> {
    let path = uri.path_and_query();
    let mut req = HttpRequest::new("GET", if path.is_empty() { "/" } else { &path }, HTTP_1_1);
    if let Some(jar) = jar {
        jar.add_cookie_header(uri, &mut req);
    }
    session.send_request(&mut req)?;
    let mut res = HttpResponse::default();
    let mut body = session.receive_response(&mut res)?;
    std::io::copy(&mut body, &mut std::io::sink())?;
    if let Some(jar) = jar {
        jar.store_response_cookies(uri, &res);
    }
    Ok(res.status().code())
}

/// class HTTPClient: public Runnable
fn client(uri: &Uri, repetitions: u64, cookies: bool, verbose: bool, totals: &Totals) {
    let mut session = HttpClientSession::new(uri.host(), uri.port());
    session.set_keep_alive(true);
    let jar = cookies.then(HttpCookieJar::new);
    for _ in 0..repetitions {
        match one_request(&mut session, uri, jar.as_ref()) {
            Ok(status) if status < 400 => totals.ok.fetch_add(1, Ordering::Relaxed),
            Ok(status) => {
                if verbose {
                    eprintln!("status {status}");
                }
                totals.failed.fetch_add(1, Ordering::Relaxed)
            }
            Err(e) => {
                if verbose {
                    eprintln!("{e}");
                }
                totals.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
    if let Some(jar) = jar {
        totals.cookies.fetch_add(jar.cookies().len() as u64, Ordering::Relaxed);
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: http_load_test [--threads N] [--repetitions N] [--cookies] [-v] <url>");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let (mut threads, mut repetitions, mut cookies, mut verbose, mut url) = (1u64, 1u64, false, false, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let ok = match a.as_str() {
            "--threads" => args.next().and_then(|v| v.parse().ok()).map(|v| threads = v).is_some(),
            "--repetitions" => args.next().and_then(|v| v.parse().ok()).map(|v| repetitions = v).is_some(),
            "--cookies" => {
                cookies = true;
                true
            }
            "-v" | "--verbose" => {
                verbose = true;
                true
            }
            other if url.is_none() && !other.starts_with('-') => {
                url = Some(other.to_owned());
                true
            }
            _ => false,
        };
        if !ok {
            return usage();
        }
    }
    let Some(url) = url else { return usage() };
    let uri = match Uri::parse(&url) {
        Ok(u) if u.scheme() == "http" => u,
        _ => {
            eprintln!("http_load_test: an http:// URL is needed, got `{url}`");
            return ExitCode::from(2);
        }
    };
    let totals = Arc::new(Totals::default());
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (uri, totals) = (uri.clone(), totals.clone());
            std::thread::spawn(move || client(&uri, repetitions, cookies, verbose, &totals))
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let secs = start.elapsed().as_secs_f64();
    let (ok, failed) = (totals.ok.load(Ordering::Relaxed), totals.failed.load(Ordering::Relaxed));
    let n = ok + failed;
    println!(
        "{n} requests, {ok} ok, {failed} failed in {secs:.3} s: {:.1} requests/s",
        n as f64 / secs.max(1e-9)
    );
    if cookies {
        println!("cookies held: {}", totals.cookies.load(Ordering::Relaxed));
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
