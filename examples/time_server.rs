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

use rpoco::net::{Next, StreamSocket, TcpServerConnection};
use server_args::{ServerArgs, exit_status};

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
    // TCPServer srv(new TimeServerConnectionFactory(format), svs, pParams);
    let served = args
        .run_tcp_server(|socket| Box::new(TimeServerConnection { socket }) as Box<dyn TcpServerConnection>);
    exit_status("time_server", served)
}
