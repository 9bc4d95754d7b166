//! `cargo xtask bench net`: sequential keep-alive GETs per second against a private nginx on
//! 127.0.0.1, for rpoco-net's `HttpClientSession`, POCO's C++ `HTTPClientSession` (Debian's
//! libpoco-dev) and curl, in the same run. Bounded: a fixed request count per client.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{cargo, have, run, target_dir};

const BODY_BYTES: usize = 1024;

pub(crate) fn run_bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let requests: u64 = if quick { 2_000 } else { 20_000 };
    let rounds = if quick { 1 } else { 3 };
    for program in ["nginx", "g++", "curl"] {
        if !have(program) {
            return Err(format!("`{program}` is missing: run scripts/install-test-deps.sh"));
        }
    }
    run(
        "build rpoco client",
        cargo().args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "rpoco-net",
            "--example",
            "bench_keepalive_get",
        ]),
    )?;
    let ours = target_dir().join("release/examples/bench_keepalive_get");
    let poco = super::peers::build_poco_peer(
        "poco_keepalive_get",
        "Net/HTTPClientSession.h",
        &["PocoNet", "PocoFoundation"],
    )?;

    let nginx = Nginx::start()?;
    let port = nginx.port.to_string();
    let url = format!("http://127.0.0.1:{port}/index.html");
    let curl_config = nginx.dir.join("curl.cfg");
    let line = format!("url = \"{url}\"\noutput = \"/dev/null\"\n");
    std::fs::write(&curl_config, line.repeat(requests as usize)).map_err(|e| e.to_string())?;

    println!(
        "\nsequential keep-alive GET of a {BODY_BYTES}-byte file from nginx on 127.0.0.1, {requests} requests x {rounds} rounds (best round)"
    );
    let mut results: Vec<(&str, f64)> = Vec::new();
    let mut best = [0f64; 3];
    for _ in 0..rounds {
        let n = requests.to_string();
        best[0] = best[0]
            .max(timed_client(Command::new(&ours).args(["127.0.0.1", &port, "/index.html", &n]), requests)?);
        best[1] = best[1]
            .max(timed_client(Command::new(&poco).args(["127.0.0.1", &port, "/index.html", &n]), requests)?);
        let started = Instant::now();
        let status = Command::new("curl")
            .args(["-s", "--fail", "-K"])
            .arg(&curl_config)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("curl: {e}"))?;
        if !status.success() {
            return Err(format!("curl failed: {status}"));
        }
        best[2] = best[2].max(requests as f64 / started.elapsed().as_secs_f64());
    }
    results.push(("rpoco-net HttpClientSession", best[0]));
    results.push(("POCO C++ HTTPClientSession", best[1]));
    results.push(("curl (one process, -K list)", best[2]));
    println!("\n| client | requests/s | vs POCO |\n|---|---:|---:|");
    for (name, rate) in &results {
        println!("| {name} | {rate:.0} | {:.2}x |", rate / best[1]);
    }
    Ok(())
}

/// Runs a client that prints `requests=N bytes=B seconds=S`; returns requests per second.
fn timed_client(cmd: &mut Command, expected: u64) -> Result<f64, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}{}", text, String::from_utf8_lossy(&out.stderr)));
    }
    let field = |name: &str| {
        text.split_whitespace().find_map(|kv| kv.strip_prefix(name)).and_then(|v| v.parse::<f64>().ok())
    };
    let (Some(n), Some(bytes), Some(secs)) = (field("requests="), field("bytes="), field("seconds=")) else {
        return Err(format!("unexpected output from {cmd:?}: {text}"));
    };
    if n as u64 != expected || bytes as u64 != expected * BODY_BYTES as u64 {
        return Err(format!(
            "{cmd:?}: {n} requests / {bytes} bytes, expected {expected} / {}",
            expected * BODY_BYTES as u64
        ));
    }
    Ok(n / secs)
}

/// A private nginx on a free 127.0.0.1 port serving files from a temporary directory;
/// killed (and the directory removed) on drop.
pub(crate) struct Nginx {
    child: Child,
    pub(crate) port: u16,
    pub(crate) dir: PathBuf,
}

impl Nginx {
    fn start() -> Result<Nginx, String> {
        Self::start_with("net", &[("index.html", &[b'x'; BODY_BYTES])], 64)
    }

    /// nginx serving `files` (name, content) as its root, with `worker_connections`.
    pub(crate) fn start_with(
        tag: &str,
        files: &[(&str, &[u8])],
        worker_connections: usize,
    ) -> Result<Nginx, String> {
        let dir = std::env::temp_dir().join(format!("rpoco-bench-{tag}-{}", std::process::id()));
        let html = dir.join("html");
        std::fs::create_dir_all(&html).map_err(|e| e.to_string())?;
        for (name, content) in files {
            std::fs::write(html.join(name), content).map_err(|e| e.to_string())?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections {worker_connections}; }}\nhttp {{ access_log off; client_body_temp_path {d}/body; \
             proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi; \
             keepalive_requests 1000000; server {{ listen 127.0.0.1:{port}; root {}; }} }}\n",
            html.display()
        );
        std::fs::write(dir.join("nginx.conf"), conf).map_err(|e| e.to_string())?;
        let nginx = if Path::new("/usr/sbin/nginx").exists() { "/usr/sbin/nginx" } else { "nginx" };
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start nginx: {e}"))?;
        let n = Nginx { child, port, dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!("nginx did not start on port {port}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(n)
    }
}

impl Nginx {
    /// The nginx process id (one process: `master_process off`).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
