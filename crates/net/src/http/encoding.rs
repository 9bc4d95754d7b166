//! Percent-encoding with POCO `URI::encode`/`decode` rules (used by cookies and forms).

use crate::error::{Error, ErrorKind, Result};

const ILLEGAL: &str = "%<>{}|\\\"^`!*'()$,[]";

/// POCO `URI::encode`: keeps `A-Za-z0-9-_.~` and other printable ASCII not in POCO's
/// ILLEGAL set nor in `reserved`; everything else becomes `%XX` (upper case).
pub(crate) fn uri_encode(s: &str, reserved: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let c = b as char;
        let keep = b.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '.' | '~')
            || (b > 0x20 && b < 0x7f && !ILLEGAL.contains(c) && !reserved.contains(c));
        if keep {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// POCO `URI::decode`: `%XX` (either case) → byte, `+` → space when `plus_as_space`.
/// A bad escape → [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) naming its offset; non-UTF-8 results are an error.
pub(crate) fn uri_decode(s: &str, plus_as_space: bool) -> Result<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                let v = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                    Error::new(ErrorKind::Syntax, format!("bad percent-escape at byte {i} of `{s}`"))
                })?;
                out.push(v);
                i += 3;
                continue;
            }
            b'+' if plus_as_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| Error::new(ErrorKind::Syntax, format!("percent-decoded `{s}` is not UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poco_rules() {
        assert_eq!(uri_encode("a b/c?é", ""), "a%20b/c?%C3%A9");
        assert_eq!(uri_encode("a=b&c", "&="), "a%3Db%26c");
        assert_eq!(uri_decode("a%20b+c", true).unwrap(), "a b c");
        assert!(
            matches!(uri_decode("a%2", false), Err(e) if e.kind() == ErrorKind::Syntax && e.message().contains("byte 1"))
        );
    }
}
