//! What an SMTP server's replies say beyond their code: the EHLO extensions (RFC 5321
//! 4.1.1.1) and the hint given when the greeting shows the port speaks something else.

use std::time::Duration;

use crate::dialog::{DialogError, Reply};
use crate::error::{Error, ErrorKind, Timeout};

/// The EHLO keywords (`STARTTLS`, `SIZE 1000`, `AUTH PLAIN LOGIN`, ...): every line but the
/// greeting, without the code, upper-cased.
pub(crate) fn capabilities(reply: &Reply) -> Vec<String> {
    reply.text().lines().skip(1).map(|l| l.trim().to_ascii_uppercase()).collect()
}

/// Whether the EHLO reply lists `keyword` (case-insensitive).
pub(crate) fn has_capability(reply: &Reply, keyword: &str) -> bool {
    let keyword = keyword.to_ascii_uppercase();
    capabilities(reply).iter().any(|c| c.split([' ', '=']).next() == Some(keyword.as_str()))
}

/// The SASL mechanisms of `AUTH` (and of the old `AUTH=` form).
pub(crate) fn auth_mechanisms(reply: &Reply) -> Vec<String> {
    capabilities(reply)
        .iter()
        .filter_map(|c| c.strip_prefix("AUTH").filter(|r| r.starts_with([' ', '='])))
        .flat_map(|r| r[1..].split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// What to tell the user when the greeting did not come or was not SMTP: a port that waits
/// silently may speak TLS (465), one that greets with `+OK` is POP3.
pub(crate) fn greeting_error(e: Error, timeout: Option<Duration>, protocol: &str, tls_port: u16) -> Error {
    if e.is_timeout() {
        return Error::timeout(
            Timeout::Read,
            timeout,
            format_args!(
                "the {protocol} greeting (if the server speaks TLS on this port, like {tls_port}, use implicit TLS)"
            ),
        )
        .with_source(e);
    }
    let line = match e.dialog() {
        Some(DialogError::MalformedReply { line }) => line.clone(),
        _ => return e,
    };
    let b = line.as_bytes();
    let hint = if b.first().is_some_and(|&c| c == 0x15 || c == 0x16) && b.get(1) == Some(&3) {
        "the server speaks TLS on this port (use implicit TLS)"
    } else if line.starts_with("+OK") || line.starts_with("-ERR") {
        "the server speaks POP3, not SMTP"
    } else {
        return e;
    };
    Error::new(ErrorKind::Protocol, format!("{hint}: {:?}", DialogError::excerpt(&line))).with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_and_auth() {
        let r = Reply::new(
            250,
            vec![
                "250-mail.example.com".into(),
                "250-STARTTLS".into(),
                "250-AUTH PLAIN login".into(),
                "250 AUTH=CRAM-MD5".into(),
            ],
        );
        assert!(has_capability(&r, "starttls"));
        assert!(!has_capability(&r, "SIZE"));
        assert_eq!(auth_mechanisms(&r), ["PLAIN", "LOGIN", "CRAM-MD5"]);
    }
}
