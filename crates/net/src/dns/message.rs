//! The sans-IO half of the resolver: a query's bytes, and what a reply's bytes say.

use std::net::IpAddr;

use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use crate::error::{Error, ErrorKind, Result};

/// What one reply says about one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The records: addresses, CNAME links (alias → target) and PTR names.
    Records { addresses: Vec<IpAddr>, cnames: Vec<(String, String)>, names: Vec<String> },
    /// NXDOMAIN: the name does not exist.
    NoSuchName,
    /// The reply was cut (TC bit): ask again over TCP.
    Truncated,
}

/// The bytes of a recursive query for `name`/`kind` with message id `id`.
pub(crate) fn query(id: u16, name: &Name, kind: RecordType) -> Result<Vec<u8>> {
    let mut m = Message::query();
    m.metadata.id = id;
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(name.clone(), kind));
    m.to_vec()
        .map_err(|e| Error::new(ErrorKind::Protocol, format!("cannot encode a DNS query for {name}: {e}")))
}

/// The name to ask for: `host` as a fully qualified name.
pub(crate) fn name_of(host: &str) -> Result<Name> {
    let mut name = Name::from_ascii(host)
        .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("bad host name `{host}`: {e}")))?;
    name.set_fqdn(true);
    Ok(name)
}

/// The reverse-lookup name of `ip` (`4.3.2.1.in-addr.arpa.`, `….ip6.arpa.`).
pub(crate) fn reverse_name(ip: IpAddr) -> Name {
    Name::from(ip)
}

/// Reads a reply. `None`: not a reply to this question (another id or question), which a
/// resolver ignores as a stray or spoofed datagram.
pub(crate) fn answer(bytes: &[u8], id: u16, name: &Name, kind: RecordType) -> Result<Option<Answer>> {
    let m = Message::from_vec(bytes)
        .map_err(|e| Error::new(ErrorKind::Protocol, format!("malformed DNS reply: {e}")))?;
    let asked = m.queries.first().is_some_and(|q| q.name().eq_case(name) && q.query_type() == kind);
    if m.metadata.id != id || !asked {
        return Ok(None);
    }
    if m.metadata.truncation {
        return Ok(Some(Answer::Truncated));
    }
    match m.metadata.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain => return Ok(Some(Answer::NoSuchName)),
        code => {
            return Err(Error::new(ErrorKind::Net, format!("DNS server answered {code} for {name} {kind}")));
        }
    }
    let (mut addresses, mut cnames, mut names) = (Vec::new(), Vec::new(), Vec::new());
    for r in &m.answers {
        match &r.data {
            RData::A(a) => addresses.push(IpAddr::V4(a.0)),
            RData::AAAA(a) => addresses.push(IpAddr::V6(a.0)),
            RData::CNAME(c) => cnames.push((plain(&r.name), plain(&c.0))),
            RData::PTR(p) => names.push(plain(&p.0)),
            _ => {}
        }
    }
    Ok(Some(Answer::Records { addresses, cnames, names }))
}

/// A name as people write it: no trailing dot.
pub(crate) fn plain(name: &Name) -> String {
    let s = name.to_ascii();
    s.strip_suffix('.').map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_to_other_questions_are_ignored_and_garbage_is_an_error() {
        let name = name_of("www.example.test").unwrap();
        let q = query(7, &name, RecordType::A).unwrap();
        // A query is not a reply to itself with another id.
        assert_eq!(answer(&q, 8, &name, RecordType::A).unwrap(), None);
        assert_eq!(answer(&q, 7, &name_of("other.test").unwrap(), RecordType::A).unwrap(), None);
        assert_eq!(
            answer(&q[..5], 7, &name, RecordType::A).err().map(|e| e.kind()),
            Some(ErrorKind::Protocol)
        );
        assert_eq!(name_of("bad..name").err().map(|e| e.kind()), Some(ErrorKind::InvalidArgument));
        assert_eq!(plain(&reverse_name("192.0.2.1".parse().unwrap())), "1.2.0.192.in-addr.arpa");
    }
}
