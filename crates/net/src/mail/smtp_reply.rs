//! SMTP replies (RFC 5321 section 4.2): `ddd text` lines, `ddd-text` for all but the last,
//! read within a line count limit; and the EHLO capabilities they carry.

use super::error::{MailLimit, MailProtocol, limit, protocol};
use super::line_conn::LineConn;
use crate::error::{Error, Result};

/// The most lines one reply may have (an EHLO reply has one per extension).
const MAX_REPLY_LINES: usize = 512;

/// One SMTP reply: the code and the text of each line (without the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReply {
    /// The 3-digit reply code.
    pub code: u16,
    /// The text of each line, without `ddd-` / `ddd `.
    pub lines: Vec<String>,
}

impl SmtpReply {
    /// POCO's `response` string: every line with its code, joined by `\n`.
    pub fn text(&self) -> String {
        let n = self.lines.len();
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}{}{l}", self.code, if i + 1 < n { '-' } else { ' ' }))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// POCO `isPositiveCompletion` (2xx).
    pub fn is_positive_completion(&self) -> bool {
        self.code / 100 == 2
    }

    /// POCO `isPositiveIntermediate` (3xx).
    pub fn is_positive_intermediate(&self) -> bool {
        self.code / 100 == 3
    }

    /// POCO `isTransientNegative` (4xx).
    pub fn is_transient_negative(&self) -> bool {
        self.code / 100 == 4
    }

    /// POCO `isPermanentNegative` (5xx).
    pub fn is_permanent_negative(&self) -> bool {
        self.code / 100 == 5
    }

    /// The EHLO keywords (`STARTTLS`, `SIZE 1000`, `AUTH PLAIN LOGIN`, ...): every line
    /// but the greeting, upper-cased.
    pub fn capabilities(&self) -> Vec<String> {
        self.lines.iter().skip(1).map(|l| l.trim().to_ascii_uppercase()).collect()
    }

    /// Whether EHLO listed `keyword` (case-insensitive).
    pub fn has_capability(&self, keyword: &str) -> bool {
        self.capabilities().iter().any(|c| c.split([' ', '=']).next() == Some(&keyword.to_ascii_uppercase()))
    }

    /// The SASL mechanisms of `AUTH` (and the old `AUTH=` form).
    pub fn auth_mechanisms(&self) -> Vec<String> {
        self.capabilities()
            .iter()
            .filter_map(|c| c.strip_prefix("AUTH").filter(|r| r.starts_with([' ', '='])))
            .flat_map(|r| r[1..].split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    }

    /// An error for `what` naming this reply.
    pub(crate) fn error(&self, what: impl Into<String>) -> Error {
        super::error::reply(MailProtocol::Smtp, what, Some(self.code), &self.lines.join("\n"))
    }
}

/// Parses one reply line: code, whether more lines follow, text.
pub(crate) fn parse_line(line: &str) -> Option<(u16, bool, &str)> {
    let b = line.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) || !(b'2'..=b'5').contains(&b[0]) {
        return None;
    }
    let code = line[..3].parse().ok()?;
    match b.get(3) {
        None => Some((code, false, "")),
        Some(b' ') => Some((code, false, &line[4..])),
        Some(b'-') => Some((code, true, &line[4..])),
        _ => None,
    }
}

/// Reads one reply, within the connection's deadline.
pub(crate) fn read_reply(conn: &mut LineConn) -> Result<SmtpReply> {
    conn.begin_reply();
    let r = read_lines(conn);
    conn.end_reply();
    r
}

fn read_lines(conn: &mut LineConn) -> Result<SmtpReply> {
    let mut lines = Vec::new();
    let mut code = None;
    loop {
        let Some(line) = conn.read_line()? else {
            return Err(Error::new(
                crate::ErrorKind::ConnectionReset,
                if lines.is_empty() {
                    "the SMTP server closed the connection without a reply"
                } else {
                    "the SMTP server closed the connection in the middle of a reply"
                },
            ));
        };
        let Some((c, more, text)) = parse_line(&line) else {
            return Err(protocol(MailProtocol::Smtp, "malformed SMTP reply line", &mismatch_hint(&line)));
        };
        if code.is_some_and(|first| first != c) {
            return Err(protocol(MailProtocol::Smtp, "SMTP reply lines with different codes", &line));
        }
        code = Some(c);
        lines.push(text.to_owned());
        if !more {
            return Ok(SmtpReply { code: c, lines });
        }
        if lines.len() >= MAX_REPLY_LINES {
            return Err(limit(MailLimit::Size, format!("SMTP reply with more than {MAX_REPLY_LINES} lines")));
        }
    }
}

/// The line as shown in an error, saying so when it looks like TLS or POP3.
pub(crate) fn mismatch_hint(line: &str) -> String {
    let b = line.as_bytes();
    let shown: String = line.chars().take(80).map(|c| if c.is_control() { '?' } else { c }).collect();
    if b.first().is_some_and(|&c| c == 0x15 || c == 0x16) && b.get(1) == Some(&3) {
        format!("the server speaks TLS on this port (use implicit TLS): `{}`", shown.escape_debug())
    } else if line.starts_with("+OK") || line.starts_with("-ERR") {
        format!("the server speaks POP3, not SMTP: `{shown}`")
    } else {
        format!("`{shown}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_capabilities() {
        assert_eq!(parse_line("250-PIPELINING"), Some((250, true, "PIPELINING")));
        assert_eq!(parse_line("250 OK"), Some((250, false, "OK")));
        assert_eq!(parse_line("354"), Some((354, false, "")));
        assert_eq!(parse_line("25O OK"), None);
        assert_eq!(parse_line("250_OK"), None);
        assert_eq!(parse_line("+OK POP3"), None);
        let r = SmtpReply {
            code: 250,
            lines: vec![
                "mail.example.com".into(),
                "STARTTLS".into(),
                "AUTH PLAIN login".into(),
                "AUTH=CRAM-MD5".into(),
            ],
        };
        assert!(r.has_capability("starttls"));
        assert!(!r.has_capability("SIZE"));
        assert_eq!(r.auth_mechanisms(), ["PLAIN", "LOGIN", "CRAM-MD5"]);
        assert_eq!(r.text(), "250-mail.example.com\n250-STARTTLS\n250-AUTH PLAIN login\n250 AUTH=CRAM-MD5");
    }
}
