//! Reading an RFC 5322 header block: folded lines unfolded, RFC 2047 words decoded, bytes
//! that are not UTF-8 kept as Latin-1 (old mailers send raw 8-bit headers), within limits.

use std::io::{BufRead, Read};

use super::error::{MailLimit, limit, malformed};
use crate::decode_words;
use crate::error::Result;
use crate::http::message::MessageHeader;

/// Limits for one header block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderBlockLimits {
    /// The whole block in bytes, line breaks included.
    pub max_size: usize,
    /// The number of fields.
    pub max_fields: usize,
}

/// Reads fields up to and including the empty line (CRLF or LF line ends).
pub(crate) fn read_header(src: &mut dyn BufRead, limits: HeaderBlockLimits) -> Result<MessageHeader> {
    let mut header = MessageHeader::new();
    let mut line = Vec::with_capacity(256);
    let mut used = 0usize;
    let mut current: Option<(String, Vec<u8>)> = None;
    loop {
        line.clear();
        let budget = (limits.max_size - used.min(limits.max_size)) as u64 + 1;
        let n = (&mut *src).take(budget).read_until(b'\n', &mut line)?;
        used += n;
        if used > limits.max_size {
            return Err(limit(
                MailLimit::Header,
                format!("header block longer than {} bytes", limits.max_size),
            ));
        }
        if n == 0 {
            // End of input ends the header (a message with no body).
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.is_empty() {
            break;
        }
        if text[0] == b' ' || text[0] == b'\t' {
            match &mut current {
                Some((_, value)) => {
                    value.push(b' ');
                    value.extend_from_slice(trim(text));
                }
                None => return Err(malformed("header starts with a continuation line")),
            }
            continue;
        }
        if let Some(field) = current.take() {
            push(&mut header, field, limits.max_fields)?;
        }
        let Some(colon) = text.iter().position(|&c| c == b':') else {
            return Err(malformed(format!(
                "header line without a colon: `{}`",
                String::from_utf8_lossy(&text[..text.len().min(60)])
            )));
        };
        let name = trim(&text[..colon]);
        if name.is_empty() || name.iter().any(|&c| !(33..=126).contains(&c)) {
            return Err(malformed(format!(
                "bad header field name `{}`",
                String::from_utf8_lossy(&name[..name.len().min(60)])
            )));
        }
        current = Some((String::from_utf8_lossy(name).into_owned(), trim(&text[colon + 1..]).to_vec()));
    }
    if let Some(field) = current.take() {
        push(&mut header, field, limits.max_fields)?;
    }
    Ok(header)
}

fn push(header: &mut MessageHeader, (name, value): (String, Vec<u8>), max_fields: usize) -> Result<()> {
    if header.len() >= max_fields {
        return Err(limit(MailLimit::Fields, format!("more than {max_fields} header fields")));
    }
    let value = match String::from_utf8(value) {
        Ok(v) => v,
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    };
    header.add(name, decode_words(&value));
    Ok(())
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b' ' && c != b'\t').map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: HeaderBlockLimits = HeaderBlockLimits { max_size: 1024, max_fields: 10 };

    #[test]
    fn unfolds_decodes_and_stops_at_the_empty_line() {
        let mut input = &b"To: A <a@x>,\r\n\tB <b@x>\r\nSubject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=\r\n =?UTF-8?q?_2?=\r\nX-Latin: caf\xe9\r\n\r\nbody"[..];
        let h = read_header(&mut input, LIMITS).unwrap();
        assert_eq!(h.get("to"), Some("A <a@x>, B <b@x>"));
        assert_eq!(h.get("subject"), Some("Grüße 2"));
        assert_eq!(h.get("x-latin"), Some("café"));
        assert_eq!(input, b"body");
    }

    #[test]
    fn limits_and_bad_lines() {
        let big = format!("A: {}\r\n\r\n", "x".repeat(2000));
        assert!(read_header(&mut big.as_bytes(), LIMITS).is_err());
        let many = "A: 1\r\n".repeat(11) + "\r\n";
        assert!(read_header(&mut many.as_bytes(), LIMITS).is_err());
        assert!(read_header(&mut &b"no colon here\r\n\r\n"[..], LIMITS).is_err());
        assert!(read_header(&mut &b" folded first\r\n\r\n"[..], LIMITS).is_err());
    }
}
