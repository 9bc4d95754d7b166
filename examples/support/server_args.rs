//! What the server samples share: the command line `[--port N] [--threads N] [--bind ADDR]`,
//! the listening socket it names, and running a `TcpServer` on it until killed.
#![allow(dead_code)] // each sample uses part of it

use std::process::ExitCode;

use rpoco::net::{
    ServerSocket, SocketAddress, StreamSocket, TcpServer, TcpServerConnection, TcpServerParams,
};

/// What a sample's `serve` returns.
pub(crate) type Served = Result<(), Box<dyn std::error::Error>>;

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

impl ServerArgs {
    /// The listening socket: address and port reuse, a backlog of `backlog`.
    pub(crate) fn server_socket(&self, backlog: i32) -> rpoco::net::Result<ServerSocket> {
        ServerSocket::bind_with(&SocketAddress::new(&self.bind, self.port)?, true, true, backlog)
    }

    /// Serves with a `TcpServer` making one connection object per socket (POCO's
    /// `TCPServer srv(new TCPServerConnectionFactoryImpl<C>(), svs, params)`), prints
    /// `listening on ADDR`, and serves until killed.
    pub(crate) fn run_tcp_server(
        &self,
        connection: impl Fn(StreamSocket) -> Box<dyn TcpServerConnection> + Send + Sync + 'static,
    ) -> Served {
        let params = TcpServerParams { max_threads: self.threads, ..TcpServerParams::default() };
        let server =
            TcpServer::new(connection, self.server_socket(rpoco::net::DEFAULT_BACKLOG)?, Some(params))?;
        server.start()?;
        println!("listening on {}", server.address()?);
        loop {
            std::thread::park();
        }
    }
}

/// The exit status of a sample named `name` whose work returned `result`.
pub(crate) fn exit_status(name: &str, result: Served) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}
