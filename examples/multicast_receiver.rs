//! Receives multicast datagrams: joins `--group` on `--interface` and prints each datagram
//! as `from ADDR: TEXT`, until `--count` have arrived (0: forever).
//!
//! ```text
//! cargo run --example multicast_receiver -- [--group 239.255.1.1] [--port 9999] [--interface NAME] [--count 0]
//! ```
//!
//! Prints `listening on GROUP:PORT` once it has joined. Pair it with `multicast_sender`.

use std::process::ExitCode;

#[path = "support/multicast_args.rs"]
mod multicast_args;
#[path = "support/server_args.rs"]
mod server_args;

use multicast_args::MulticastArgs;
use rpoco::net::{MulticastSocket, SocketAddress};

fn main() -> ExitCode {
    let args =
        MulticastArgs::parse("multicast_receiver [--group ADDR] [--port N] [--interface NAME] [--count N]");
    server_args::exit_status("multicast_receiver", receive(&args))
}

fn receive(args: &MulticastArgs) -> server_args::Served {
    let wildcard = if args.group.is_ipv4() { "0.0.0.0" } else { "::" };
    // MulticastSocket ms(SocketAddress(IPAddress(), port), true); ms.joinGroup(group, interface);
    let socket = MulticastSocket::bind(&SocketAddress::new(wildcard, args.port)?, true)?;
    let interface = args.interface()?;
    socket.join_group(args.group, interface.as_ref())?;
    println!("listening on {}", SocketAddress::from_ip(args.group, socket.socket().address()?.port()));
    let mut buf = vec![0u8; 65_536];
    let mut seen = 0;
    while args.count == 0 || seen < args.count {
        let (n, from) = socket.socket().receive_from(&mut buf)?;
        println!("from {from}: {}", String::from_utf8_lossy(&buf[..n]));
        seen += 1;
    }
    socket.leave_group(args.group, interface.as_ref())?;
    Ok(())
}
