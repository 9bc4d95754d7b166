//! Percent-encoding and -decoding with POCO's character sets (`URI::encode` / `URI::decode`).
//!
//! POCO keeps `A-Za-z0-9-_.~` as they are, encodes every byte at or below 0x20, at or above
//! 0x7F, in its `ILLEGAL` set or in the caller's reserved set as `%XX` (upper-case hex), and
//! passes everything else (`/?#&=+:;@` unless reserved) through. An [`EncodeSet`] is that rule
//! for one reserved set, precomputed as a 128-bit mask so encoding is a table look-up per byte.

use std::fmt;

use super::Uri;
use crate::{Error, Result};

impl Uri {
    /// Percent-encodes `s` with POCO's rules (`URI::encode`): `A-Za-z0-9-_.~` are kept; bytes
    /// at or below 0x20 or at or above 0x7F, POCO's [`ILLEGAL`](Uri::ILLEGAL) characters and
    /// the characters in `reserved` become `%XX` (upper-case hex); everything else passes.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let s = "http://google.com/search?q=hello+world#frag ment";
    /// assert_eq!(Uri::encode(s, "+#?"), "http://google.com/search%3Fq=hello%2Bworld%23frag%20ment");
    /// assert_eq!(Uri::encode(s, ""), "http://google.com/search?q=hello+world#frag%20ment");
    /// ```
    pub fn encode(s: &str, reserved: &str) -> String {
        let set = EncodeSet::new(reserved.as_bytes());
        let mut out = String::with_capacity(s.len());
        encode_into(&mut out, s, set);
        out
    }

    /// Percent-decodes `s` (POCO's `URI::decode`). With `plus_as_space`, a `+` that comes after
    /// a `?` in `s` becomes a space.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let s = "http://google.com/search?q=hello+world#frag%20ment";
    /// assert_eq!(Uri::decode(s, true)?, "http://google.com/search?q=hello world#frag ment");
    /// assert!(Uri::decode("100%", false).is_err());
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UriSyntax`] for a `%` not followed by two hex digits, or decoded bytes that are
    /// not UTF-8 (POCO strings are bytes; ours are `String`).
    pub fn decode(s: &str, plus_as_space: bool) -> Result<String> {
        decode("text", s, plus_as_space)
    }
}

/// POCO's `URI::ILLEGAL`: characters that are always percent-encoded.
pub(crate) const ILLEGAL: &str = "%<>{}|\\\"^`!*'()$,[]";

/// The bytes (all ASCII) that are percent-encoded besides every non-ASCII byte.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EncodeSet(u128);

impl EncodeSet {
    /// Controls, space, DEL, [`ILLEGAL`] and the given reserved characters, minus the
    /// unreserved characters POCO never encodes (even when the caller lists them as reserved).
    pub(crate) const fn new(reserved: &[u8]) -> Self {
        let mut set: u128 = 1 << 0x7F;
        let mut b = 0;
        while b <= 0x20 {
            set |= 1 << b;
            b += 1;
        }
        set = add_bytes(set, ILLEGAL.as_bytes());
        set = add_bytes(set, reserved);
        let mut b = 0u8;
        while b < 0x80 {
            if is_unreserved(b) {
                set &= !(1 << b);
            }
            b += 1;
        }
        EncodeSet(set)
    }

    /// The same set with more characters encoded.
    pub(crate) const fn with(self, more: &[u8]) -> Self {
        let EncodeSet(set) = EncodeSet::new(more);
        EncodeSet(self.0 | set)
    }

    #[inline]
    pub(crate) fn contains(self, b: u8) -> bool {
        b >= 0x80 || self.0 & (1u128 << b) != 0
    }
}

const fn add_bytes(mut set: u128, bytes: &[u8]) -> u128 {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            set |= 1 << bytes[i];
        }
        i += 1;
    }
    set
}

/// RFC 3986 `unreserved`, the characters POCO's `encode` always keeps.
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// POCO's `RESERVED_PATH` (`?#`): how the path is written out.
pub(crate) const PATH: EncodeSet = EncodeSet::new(b"?#");
/// POCO's `RESERVED_QUERY` (`?#/:;+@`): how `set_query` encodes.
pub(crate) const QUERY: EncodeSet = EncodeSet::new(b"?#/:;+@");
/// POCO's `RESERVED_QUERY_PARAM` (`?#/:;+@&=`): how query parameters are encoded.
pub(crate) const QUERY_PARAM: EncodeSet = EncodeSet::new(b"?#/:;+@&=");
/// POCO's `RESERVED_FRAGMENT` (empty): how `set_fragment` encodes.
pub(crate) const FRAGMENT: EncodeSet = EncodeSet::new(b"");

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Writes `s` to `out`, percent-encoding the bytes in `set`.
pub(crate) fn encode_to<W: fmt::Write + ?Sized>(out: &mut W, s: &str, set: EncodeSet) -> fmt::Result {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if set.contains(b) {
            // `start..i` holds only bytes that pass through, which are all ASCII, and the byte
            // after an ASCII byte starts a character: both ends are character boundaries.
            if start < i {
                out.write_str(&s[start..i])?;
            }
            out.write_char('%')?;
            out.write_char(char::from(HEX_UPPER[usize::from(b >> 4)]))?;
            out.write_char(char::from(HEX_UPPER[usize::from(b & 0xF)]))?;
            start = i + 1;
        }
    }
    // Every non-ASCII byte is encoded, so a non-empty tail is ASCII and starts on a boundary.
    if start < bytes.len() {
        out.write_str(&s[start..])?;
    }
    Ok(())
}

/// Appends `s` to `out`, percent-encoding the bytes in `set`.
pub(crate) fn encode_into(out: &mut String, s: &str, set: EncodeSet) {
    // Writing to a `String` cannot fail.
    let _ = encode_to(out, s, set);
}

#[inline]
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `s`, as POCO's `URI::decode`; `component` names the URI part in errors.
///
/// With `plus_as_space`, a `+` becomes a space, but only after a `?` has been seen (POCO
/// decodes whole URIs with this function, and `+` means space only in a query).
pub(crate) fn decode(component: &'static str, s: &str, plus_as_space: bool) -> Result<String> {
    let bytes = s.as_bytes();
    let special = |b: u8| b == b'%' || (plus_as_space && b == b'+');
    let Some(first) = bytes.iter().position(|&b| special(b)) else {
        return Ok(s.to_owned());
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut in_query = plus_as_space && bytes[..first].contains(&b'?');
    let mut i = first;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'?' {
            in_query = true;
        }
        if b == b'%' {
            out.push(decode_escape(component, s, i)?);
            i += 3;
            continue;
        }
        out.push(if in_query && plus_as_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8(out).map_err(|e| {
        Error::uri(
            component,
            format!(
                "percent-decoded {component} is not valid UTF-8 (byte {} of the decoded text) in {:?}",
                e.utf8_error().valid_up_to(),
                snippet(s)
            ),
        )
    })
}

/// Decodes the escape at `s[at..]` (where `s.as_bytes()[at] == b'%'`).
pub(crate) fn decode_escape(component: &'static str, s: &str, at: usize) -> Result<u8> {
    let bytes = s.as_bytes();
    match (bytes.get(at + 1).copied().and_then(hex_value), bytes.get(at + 2).copied().and_then(hex_value)) {
        (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
        _ => {
            // `at` is the position of an ASCII '%', so it is a character boundary.
            let escape: String = s[at..].chars().take(3).collect();
            let what = if escape.len() < 3 { "incomplete" } else { "invalid" };
            Err(Error::uri(
                component,
                format!("{what} percent-escape {escape:?} at byte {at} of {:?}", snippet(s)),
            ))
        }
    }
}

/// `s`, shortened to at most 64 characters for error messages.
pub(crate) fn snippet(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}...", &s[..end]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(s: &str, set: EncodeSet) -> String {
        let mut out = String::new();
        encode_into(&mut out, s, set);
        out
    }

    #[test]
    fn encode_keeps_unreserved_and_passes_other_delimiters() {
        assert_eq!(encode("aZ09-_.~", FRAGMENT), "aZ09-_.~");
        assert_eq!(encode("/?#&=+:;@", FRAGMENT), "/?#&=+:;@");
        assert_eq!(encode("/?#&=+:;@", QUERY_PARAM), "%2F%3F%23%26%3D%2B%3A%3B%40");
        // Unreserved characters are never encoded, even when listed as reserved.
        assert_eq!(encode("a.b", EncodeSet::new(b"a.")), "a.b");
    }

    #[test]
    fn encode_illegal_controls_and_non_ascii_upper_case() {
        assert_eq!(
            encode("%<>{}|\\\"^`!*'()$,[]", FRAGMENT),
            "%25%3C%3E%7B%7D%7C%5C%22%5E%60%21%2A%27%28%29%24%2C%5B%5D"
        );
        assert_eq!(encode(" \t\n\x7f", FRAGMENT), "%20%09%0A%7F");
        assert_eq!(encode("ü€", FRAGMENT), "%C3%BC%E2%82%AC");
        assert_eq!(encode("aü/b", PATH), "a%C3%BC/b");
    }

    #[test]
    fn decode_plus_only_after_question_mark() {
        assert_eq!(decode("t", "a+b?c+d", true).unwrap(), "a+b?c d");
        assert_eq!(decode("t", "a+b?c+d", false).unwrap(), "a+b?c+d");
        assert_eq!(decode("t", "%7e%7E%2b", false).unwrap(), "~~+");
        assert_eq!(decode("t", "%C3%BC", false).unwrap(), "ü");
    }

    #[test]
    fn decode_errors_name_the_escape() {
        let e = decode("path", "/a%4", false).unwrap_err();
        assert!(
            matches!(&e, Error::UriSyntax { component: "path", message } if message.contains("\"%4\"")),
            "{e}"
        );
        let e = decode("query", "%zz", false).unwrap_err();
        assert!(e.to_string().contains("invalid percent-escape \"%zz\""), "{e}");
        // A multi-byte character right after '%' must not be sliced through.
        let e = decode("query", "%ü", false).unwrap_err();
        assert!(e.to_string().contains("\"%ü\""), "{e}");
        let e = decode("path", "%FF", false).unwrap_err();
        assert!(e.to_string().contains("not valid UTF-8"), "{e}");
    }

    #[test]
    fn snippet_shortens_on_char_boundaries() {
        let long = "ü".repeat(100);
        let s = snippet(&long);
        assert!(s.ends_with("..."));
        assert_eq!(s.chars().count(), 67);
    }
}
