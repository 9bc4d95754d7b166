//! Sends each MESSAGE as one multicast datagram to `--group`, leaving by `--interface` with
//! time to live `--ttl` and loopback on (so receivers on this host hear it).
//!
//! ```text
//! cargo run --example multicast_sender -- [--group 239.255.1.1] [--port 9999] [--interface NAME] [--ttl 1] MESSAGE...
//! ```

use std::process::ExitCode;

#[path = "support/multicast_args.rs"]
mod multicast_args;
#[path = "support/server_args.rs"]
mod server_args;

use multicast_args::MulticastArgs;
use rpoco::net::{AddressFamily, MulticastSocket, SocketAddress};

fn main() -> ExitCode {
    let args = MulticastArgs::parse(
        "multicast_sender [--group ADDR] [--port N] [--interface NAME] [--ttl N] MESSAGE...",
    );
    server_args::exit_status("multicast_sender", send(&args))
}

fn send(args: &MulticastArgs) -> server_args::Served {
    let socket =
        MulticastSocket::new(if args.group.is_ipv4() { AddressFamily::IPv4 } else { AddressFamily::IPv6 })?;
    socket.set_interface(args.interface()?.as_ref())?;
    socket.set_time_to_live(args.ttl)?;
    socket.set_loopback(true)?;
    let to = SocketAddress::from_ip(args.group, args.port);
    for message in &args.messages {
        socket.socket().send_to(message.as_bytes(), &to)?;
        println!("sent {} bytes to {to}", message.len());
    }
    Ok(())
}
