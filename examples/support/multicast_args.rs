//! The command line of the multicast sender/receiver pair.
#![allow(dead_code)] // each sample uses part of it

use std::net::IpAddr;

use rpoco::net::NetworkInterface;

pub(crate) struct MulticastArgs {
    pub(crate) group: IpAddr,
    pub(crate) port: u16,
    pub(crate) interface: Option<String>,
    pub(crate) ttl: u32,
    pub(crate) count: usize,
    pub(crate) messages: Vec<String>,
}

impl MulticastArgs {
    /// Parses the process arguments; a bad one prints `usage` and exits with status 2.
    pub(crate) fn parse(usage: &str) -> MulticastArgs {
        let mut a = MulticastArgs {
            group: "239.255.1.1".parse().expect("a literal address"),
            port: 9999,
            interface: None,
            ttl: 1,
            count: 0,
            messages: Vec::new(),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let ok = match arg.as_str() {
                "--group" => args.next().and_then(|v| v.parse().ok()).map(|v| a.group = v).is_some(),
                "--port" => args.next().and_then(|v| v.parse().ok()).map(|v| a.port = v).is_some(),
                "--interface" => args.next().map(|v| a.interface = Some(v)).is_some(),
                "--ttl" => args.next().and_then(|v| v.parse().ok()).map(|v| a.ttl = v).is_some(),
                "--count" => args.next().and_then(|v| v.parse().ok()).map(|v| a.count = v).is_some(),
                _ if !arg.starts_with("--") => {
                    a.messages.push(arg);
                    true
                }
                _ => false,
            };
            if !ok || !a.group.is_multicast() {
                eprintln!("usage: {usage}");
                std::process::exit(2);
            }
        }
        a
    }

    /// The interface named, if any.
    pub(crate) fn interface(&self) -> rpoco::net::Result<Option<NetworkInterface>> {
        self.interface.as_deref().map(NetworkInterface::for_name).transpose()
    }
}
