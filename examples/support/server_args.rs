//! The command line the server samples share: `[--port N] [--threads N] [--bind ADDR]`.

/// A server sample's settings.
pub(crate) struct ServerArgs {
    pub(crate) port: u16,
    pub(crate) threads: usize,
    pub(crate) bind: String,
}

impl ServerArgs {
    /// Parses the process arguments over the given defaults (binding 0.0.0.0); a bad one
    /// prints `usage` and exits with status 2.
    pub(crate) fn parse(usage: &str, port: u16, threads: usize) -> ServerArgs {
        let mut parsed = ServerArgs { port, threads, bind: "0.0.0.0".into() };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let value = args.next();
            let ok = match (arg.as_str(), value) {
                ("--port", Some(v)) => v.parse().map(|v| parsed.port = v).is_ok(),
                ("--threads", Some(v)) => v.parse().map(|v| parsed.threads = v).is_ok(),
                ("--bind", Some(v)) => {
                    parsed.bind = v;
                    true
                }
                _ => false,
            };
            if !ok {
                eprintln!("usage: {usage}");
                std::process::exit(2);
            }
        }
        parsed
    }
}
