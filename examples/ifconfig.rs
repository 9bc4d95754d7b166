//! POCO's `ifconfig` sample: lists this host's network interfaces with their index, MAC
//! address, MTU, flags and addresses (netmask, broadcast), from [`NetworkInterface::list`].
//!
//! ```text
//! cargo run --example ifconfig -- [NAME]
//! ```
//!
//! With a name, only that interface (exit status 1 if there is none).

use std::process::ExitCode;

use rpoco::net::NetworkInterface;

fn mac(bytes: Option<[u8; 6]>) -> String {
    bytes.map_or_else(|| "-".into(), |m| m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":"))
}

fn print(itf: &NetworkInterface) {
    println!("{}:", itf.name());
    println!("  index:       {}", itf.index());
    println!("  MAC address: {}", mac(itf.mac_address()));
    println!("  MTU:         {}", itf.mtu().map_or_else(|| "-".into(), |m| m.to_string()));
    let flags = [
        (itf.is_up(), "UP"),
        (itf.is_running(), "RUNNING"),
        (itf.is_loopback(), "LOOPBACK"),
        (itf.is_point_to_point(), "POINTOPOINT"),
        (itf.supports_broadcast(), "BROADCAST"),
        (itf.supports_multicast(), "MULTICAST"),
    ];
    let on: Vec<&str> = flags.iter().filter(|(set, _)| *set).map(|(_, name)| *name).collect();
    println!("  flags:       {}", on.join(" "));
    for a in itf.addresses() {
        let family = if a.address.is_ipv4() { "IPv4" } else { "IPv6" };
        let mut line = format!("  {family}:        {}", a.address);
        if let Some(mask) = a.netmask {
            line.push_str(&format!(" netmask {mask}"));
            if let Some(p) = a.prefix_length() {
                line.push_str(&format!(" (/{p})"));
            }
        }
        if let Some(b) = a.broadcast {
            line.push_str(&format!(" broadcast {b}"));
        }
        println!("{line}");
    }
}

fn main() -> ExitCode {
    let only = std::env::args().nth(1);
    let list = match NetworkInterface::list() {
        Ok(list) => list,
        Err(e) => {
            eprintln!("ifconfig: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut shown = 0;
    for itf in list.iter().filter(|i| only.as_deref().is_none_or(|n| i.name() == n)) {
        print(itf);
        shown += 1;
    }
    if shown == 0 {
        eprintln!("ifconfig: no interface {}", only.unwrap_or_default());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
