//! `/etc/hosts`, which the system resolver reads before DNS (as POCO's `getaddrinfo` does).

use std::net::IpAddr;

use super::HostEntry;

/// The entries of a hosts file: one per line, `address name [alias...]`, `#` comments.
pub(crate) fn parse(text: &str) -> Vec<(IpAddr, Vec<String>)> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split('#').next()?.split_whitespace();
            let ip = words.next()?.split('%').next()?.parse().ok()?;
            let names: Vec<String> = words.map(str::to_owned).collect();
            (!names.is_empty()).then_some((ip, names))
        })
        .collect()
}

fn read() -> Vec<(IpAddr, Vec<String>)> {
    std::fs::read_to_string("/etc/hosts").map(|t| parse(&t)).unwrap_or_default()
}

/// The entry for `host` (a name or an alias): every address listed for it.
pub(crate) fn by_name(host: &str) -> Option<HostEntry> {
    let entries = read();
    let mut found: Option<HostEntry> = None;
    for (ip, names) in entries.iter().filter(|(_, n)| n.iter().any(|n| n.eq_ignore_ascii_case(host))) {
        let entry = found.get_or_insert_with(|| HostEntry {
            name: names[0].clone(),
            aliases: names[1..].to_vec(),
            addresses: Vec::new(),
        });
        if !entry.addresses.contains(ip) {
            entry.addresses.push(*ip);
        }
    }
    found
}

/// The entry for `ip`: its first name, the rest as aliases.
pub(crate) fn by_address(ip: IpAddr) -> Option<HostEntry> {
    let (_, names) = read().into_iter().find(|(a, _)| *a == ip)?;
    Some(HostEntry { name: names[0].clone(), aliases: names[1..].to_vec(), addresses: vec![ip] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_lines() {
        let got = parse(
            "# comment\n127.0.0.1 localhost loopback # trailing\n\n::1\tip6-localhost\nbad line\n10.0.0.1\n",
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, vec!["localhost", "loopback"]);
        assert_eq!(got[1].0, "::1".parse::<IpAddr>().unwrap());
    }
}
