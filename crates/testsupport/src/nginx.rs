//! [`Nginx`]: a private nginx on a free 127.0.0.1 port, with its own prefix, configuration
//! and document root in a temporary directory; `daemon off`, killed (only this process) on
//! drop.

use std::fmt::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{find_program, free_port};

/// What a private [`Nginx`] serves.
///
/// In [`server`](Self::server) and [`http`](Self::http), `{root}` becomes the document root,
/// `{port}` the listening port and `{dir}` the prefix directory.
///
/// ```no_run
/// use rpoco_testsupport::{Nginx, NginxConfig};
/// let config = NginxConfig::new()
///     .file("index.html", b"hello\n")
///     .server("location = /moved { return 302 /index.html; }");
/// let nginx = Nginx::start(&config)?;
/// assert!(nginx.url("/index.html").starts_with("http://127.0.0.1:"));
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct NginxConfig {
    /// Directives at the top level, before `events` (such as `load_module`).
    pub main: String,
    /// Directives inside `server { }`, after `listen` and `root`.
    pub server: String,
    /// Directives inside `http { }`, before the server.
    pub http: String,
    /// TLS: the certificate (chain) file and the key file; the server then listens with `ssl`
    /// for TLS 1.2 and 1.3, with a shared session cache (set at `http` level, so
    /// [`server`](Self::server) directives can override both).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Files to create under the document root: path relative to the root, contents.
    pub files: Vec<(String, Vec<u8>)>,
}

impl NginxConfig {
    /// An nginx serving an empty document root over plain HTTP.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file under the document root (parent directories are created).
    pub fn file(mut self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.to_string(), contents.into()));
        self
    }

    /// Appends top-level directives (before `events { }`), such as `load_module`.
    pub fn main(mut self, directives: &str) -> Self {
        self.main.push_str(directives);
        self.main.push('\n');
        self
    }

    /// Appends directives to the `server { }` block.
    pub fn server(mut self, directives: &str) -> Self {
        self.server.push_str(directives);
        self.server.push('\n');
        self
    }

    /// Appends directives to the `http { }` block.
    pub fn http(mut self, directives: &str) -> Self {
        self.http.push_str(directives);
        self.http.push('\n');
        self
    }

    /// Serves HTTPS with this certificate (chain) and key, both PEM files.
    pub fn tls(mut self, certificate: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.tls = Some((certificate.into(), key.into()));
        self
    }

    fn render(&self, dir: &Path, root: &Path, port: u16) -> String {
        let fill = |text: &str| {
            text.replace("{root}", &root.display().to_string())
                .replace("{port}", &port.to_string())
                .replace("{dir}", &dir.display().to_string())
        };
        let d = dir.display();
        let mut conf = format!(
            "{}daemon off;\nmaster_process off;\nworker_processes 1;\nuser root;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\nevents {{ worker_connections 512; }}\nhttp {{\n\
             access_log off;\nclient_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
             keepalive_requests 1000000;\nkeepalive_timeout 30s;\n\
             types {{ text/html html; text/plain txt; application/octet-stream bin; }}\n",
            fill(&self.main)
        );
        if self.tls.is_some() {
            // At http level, so a server block may override them (e.g. `ssl_session_cache off`).
            conf.push_str("ssl_protocols TLSv1.2 TLSv1.3;\nssl_session_cache shared:rpoco:1m;\n");
        }
        conf.push_str(&fill(&self.http));
        conf.push_str("server {\n");
        match &self.tls {
            Some((cert, key)) => {
                let _ = write!(
                    conf,
                    "listen 127.0.0.1:{port} ssl;\nssl_certificate {};\nssl_certificate_key {};\n",
                    cert.display(),
                    key.display()
                );
            }
            None => {
                let _ = writeln!(conf, "listen 127.0.0.1:{port};");
            }
        }
        let _ = writeln!(conf, "root {};", root.display());
        conf.push_str(&fill(&self.server));
        conf.push_str("}\n}\n");
        conf
    }
}

/// A private nginx on 127.0.0.1; see [`NginxConfig`]. Dropping it kills the process it
/// started (and nothing else) and removes its directory.
#[derive(Debug)]
pub struct Nginx {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// The document root.
    pub root: PathBuf,
    scheme: &'static str,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Starts nginx with `config` and waits (up to 10 s) until it accepts connections. An
    /// error says why (nginx missing, configuration rejected: with nginx's error log).
    pub fn start(config: &NginxConfig) -> Result<Nginx, String> {
        let program = find_program("nginx").ok_or("nginx is not installed (scripts/install-test-deps.sh)")?;
        let dir = tempfile::Builder::new().prefix("rpoco-nginx").tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("html");
        std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
        for (path, contents) in &config.files {
            let file = root.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&file, contents).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        let mut last_error = String::new();
        // The port is free when picked but another process may take it first: try again.
        for _ in 0..3 {
            let port = free_port();
            let conf_path = dir.path().join("nginx.conf");
            std::fs::write(&conf_path, config.render(dir.path(), &root, port)).map_err(|e| e.to_string())?;
            let mut child = Command::new(&program)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(&conf_path)
                .arg("-e")
                .arg(dir.path().join("error.log"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("start {}: {e}", program.display()))?;
            let started = Instant::now();
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    let scheme = if config.tls.is_some() { "https" } else { "http" };
                    return Ok(Nginx { child, port, root, scheme, dir });
                }
                let exited = child.try_wait().ok().flatten().is_some();
                if exited || started.elapsed() > Duration::from_secs(10) {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_error = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !last_error.contains("Address already in use") {
                break;
            }
        }
        Err(format!("nginx did not start: {last_error}"))
    }

    /// `http(s)://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}://127.0.0.1:{}{path}", self.scheme, self.port)
    }

    /// The prefix directory (configuration, logs, temporary files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// nginx's error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
