//! POCO's `TimeServer` sample: a [`TcpServer`] whose connections each get the current time
//! (ISO 8601, UTC, as POCO's default format) as one line, then are closed.
//!
//! ```text
//! cargo run --example time_server -- [--port 9911] [--threads 16] [--bind 0.0.0.0]
//! ```
//!
//! `--port 0` picks a free port. Prints `listening on ADDR` once it accepts connections,
//! then serves until killed (Ctrl-C). Try it with `nc 127.0.0.1 9911`.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

#[path = "support/datetime.rs"]
mod datetime;
#[path = "support/server_args.rs"]
mod server_args;

use rpoco::net::{
    Next, ServerSocket, SocketAddress, StreamSocket, TcpServer, TcpServerConnection, TcpServerParams,
};
use server_args::ServerArgs;

/// class TimeServerConnection: public TCPServerConnection
struct TimeServerConnection {
    socket: StreamSocket,
}

impl TcpServerConnection for TimeServerConnection {
    fn run(&mut self) -> Next {
        // std::string dt(DateTimeFormatter::format(now, _format)); dt.append("\r\n");
        let dt = format!("{}Z\r\n", datetime::sortable_utc(SystemTime::now()).replacen(' ', "T", 1));
        // A client that never reads cannot hold the thread (POCO's sample has no limit).
        let _ = self.socket.set_send_timeout(Some(Duration::from_secs(10)));
        let _ = self.socket.send_bytes(dt.as_bytes());
        let _ = self.socket.shutdown_send();
        Next::Close
    }
}

fn main() -> ExitCode {
    let args = ServerArgs::parse("time_server [--port N] [--threads N] [--bind ADDR]", 9911, 16);
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("time_server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &ServerArgs) -> Result<(), Box<dyn std::error::Error>> {
    let address = SocketAddress::new(&args.bind, args.port)?;
    let socket = ServerSocket::bind_with(&address, true, true, rpoco::net::DEFAULT_BACKLOG)?;
    let params = TcpServerParams { max_threads: args.threads, ..TcpServerParams::default() };
    // TCPServer srv(new TimeServerConnectionFactory(format), svs, pParams);
    let server = TcpServer::new(
        |socket: StreamSocket| Box::new(TimeServerConnection { socket }) as Box<dyn TcpServerConnection>,
        socket,
        Some(params),
    )?;
    server.start()?;
    println!("listening on {}", server.address()?);
    loop {
        std::thread::park();
    }
}
