//! An echo server on [`TcpServer`] (a thread per active connection): every connection gets
//! back what it sends, until it closes. `echo_server` is POCO's sample itself, on the reactor.
//!
//! ```text
//! cargo run --example tcp_echo_server -- [--port 9977] [--threads 16] [--bind 0.0.0.0]
//! ```
//!
//! `--port 0` picks a free port. Prints `listening on ADDR` once it accepts connections,
//! then serves until killed (Ctrl-C). Try it with `nc 127.0.0.1 9977`.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

#[path = "support/server_args.rs"]
mod server_args;

use rpoco::net::{Next, StreamSocket, TcpServerConnection};
use server_args::{ServerArgs, exit_status};

/// class EchoConnection: public TCPServerConnection
struct EchoConnection {
    socket: StreamSocket,
}

impl TcpServerConnection for EchoConnection {
    fn run(&mut self) -> Next {
        let mut buffer = [0u8; 8192];
        // A client silent for a minute is dropped (POCO's sample blocks forever).
        let _ = self.socket.set_receive_timeout(Some(Duration::from_secs(60)));
        loop {
            match self.socket.read(&mut buffer) {
                Ok(0) | Err(_) => return Next::Close,
                Ok(n) => {
                    if self.socket.write_all(&buffer[..n]).is_err() {
                        return Next::Close;
                    }
                }
            }
        }
    }
}

fn main() -> ExitCode {
    let args = ServerArgs::parse("tcp_echo_server [--port N] [--threads N] [--bind ADDR]", 9977, 16);
    // TCPServer srv(new TCPServerConnectionFactoryImpl<EchoConnection>(), svs);
    let served =
        args.run_tcp_server(|socket| Box::new(EchoConnection { socket }) as Box<dyn TcpServerConnection>);
    exit_status("tcp_echo_server", served)
}
