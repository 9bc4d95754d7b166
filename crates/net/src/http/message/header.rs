//! [`MessageHeader`]: header fields with POCO's limits, reading, writing and value helpers.

use std::io::{BufRead, Write};
use std::ops::{Deref, DerefMut};

use super::name_value::NameValueCollection;
use crate::error::{Error, ErrorKind, Limit, Result};

/// Limits applied when header fields are read (POCO `MessageHeader` limits).
///
/// The defaults are POCO's: 100 fields, 256-byte names, 8192-byte values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderLimits {
    /// Maximum number of fields (POCO `setFieldLimit`, default 100).
    pub max_fields: usize,
    /// Maximum length of a field name in bytes (POCO `setNameLengthLimit`, default 256).
    pub max_name_length: usize,
    /// Maximum length of a field value in bytes (POCO `setValueLengthLimit`, default 8192).
    pub max_value_length: usize,
}

impl Default for HeaderLimits {
    fn default() -> Self {
        HeaderLimits { max_fields: 100, max_name_length: 256, max_value_length: 8192 }
    }
}

impl HeaderLimits {
    /// The longest header block these limits allow (every field at its maximum, with `": "`
    /// and CRLF), used to bound how much a reader buffers before giving up.
    pub fn max_block_length(&self) -> usize {
        self.max_fields
            .saturating_mul(self.max_name_length.saturating_add(self.max_value_length).saturating_add(4))
    }
}

/// POCO `MessageHeader`: a [`NameValueCollection`] of header fields (it dereferences to
/// one) plus the limits and the automatic RFC 2047 decoding used when reading.
///
/// ```
/// use rpoco_net::MessageHeader;
/// let mut h = MessageHeader::new();
/// h.read(&mut &b"Content-Type: text/plain\r\nX-Name: =?UTF-8?B?w6k=?=\r\n\r\n"[..])?;
/// assert_eq!(h.get("content-type"), Some("text/plain"));
/// assert_eq!(h.get("X-Name"), Some("é"));
/// let mut out = Vec::new();
/// h.write(&mut out)?;
/// assert_eq!(out, b"Content-Type: text/plain\r\nX-Name: \xc3\xa9\r\n");
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHeader {
    fields: NameValueCollection,
    limits: HeaderLimits,
    auto_decode: bool,
}

impl Default for MessageHeader {
    fn default() -> Self {
        MessageHeader {
            fields: NameValueCollection::new(),
            limits: HeaderLimits::default(),
            auto_decode: true,
        }
    }
}

impl Deref for MessageHeader {
    type Target = NameValueCollection;
    fn deref(&self) -> &NameValueCollection {
        &self.fields
    }
}

impl DerefMut for MessageHeader {
    fn deref_mut(&mut self) -> &mut NameValueCollection {
        &mut self.fields
    }
}

impl MessageHeader {
    /// An empty header with POCO's limits and auto-decoding on.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limits used by [`read`](Self::read) and the HTTP parsers.
    pub fn limits(&self) -> HeaderLimits {
        self.limits
    }

    /// Sets the limits.
    pub fn set_limits(&mut self, limits: HeaderLimits) {
        self.limits = limits;
    }

    /// POCO `setFieldLimit`.
    pub fn set_field_limit(&mut self, limit: usize) {
        self.limits.max_fields = limit;
    }

    /// POCO `setNameLengthLimit`.
    pub fn set_name_length_limit(&mut self, limit: usize) {
        self.limits.max_name_length = limit;
    }

    /// POCO `setValueLengthLimit`.
    pub fn set_value_length_limit(&mut self, limit: usize) {
        self.limits.max_value_length = limit;
    }

    /// Whether RFC 2047 encoded words in values are decoded when read (default on).
    pub fn auto_decode(&self) -> bool {
        self.auto_decode
    }

    /// POCO `setAutoDecode`.
    pub fn set_auto_decode(&mut self, on: bool) {
        self.auto_decode = on;
    }

    /// The fields as a [`NameValueCollection`].
    pub fn fields(&self) -> &NameValueCollection {
        &self.fields
    }

    /// Reads fields up to and including the empty line that ends them (CRLF or LF line
    /// endings) and adds them. Limits exceeded → [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded); a malformed
    /// line → [`ErrorKind::Message`](crate::ErrorKind::Message) naming it. (POCO leaves the empty line unread.)
    pub fn read(&mut self, reader: &mut impl BufRead) -> Result<()> {
        let max = self.limits.max_block_length().saturating_add(2);
        let mut block = Vec::new();
        loop {
            let start = block.len();
            let n = std::io::Read::take(&mut *reader, (max - block.len().min(max)) as u64 + 1)
                .read_until(b'\n', &mut block)?;
            if block.len() > max {
                return Err(Error::limit(Limit::HeadLength, format!("header block longer than {max} bytes")));
            }
            if n == 0 || !block.ends_with(b"\n") {
                return Err(Error::new(
                    ErrorKind::Message,
                    format!("header block truncated at byte {}", block.len()),
                ));
            }
            let line = &block[start..];
            if line == b"\n" || line == b"\r\n" {
                break;
            }
        }
        let parsed = crate::http::proto::parse_fields(&block, &self.limits, self.auto_decode, 0)?;
        for (n, v) in parsed.0.iter() {
            self.fields.push(n.to_owned(), v.to_owned());
        }
        Ok(())
    }

    /// Writes every field as `Name: value\r\n`, in order, without the final empty line.
    pub fn write(&self, out: &mut impl Write) -> Result<()> {
        let mut buf = Vec::with_capacity(256);
        self.write_to_vec(&mut buf);
        out.write_all(&buf)?;
        Ok(())
    }

    pub(crate) fn write_to_vec(&self, out: &mut Vec<u8>) {
        for (n, v) in self.fields.iter() {
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }

    /// Whether the field `name` contains `token` as one of its comma-separated elements
    /// (case-insensitive), e.g. `Connection: keep-alive, Upgrade` has `upgrade`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.fields
            .get_all(name)
            .any(|v| split_elements(v, true).iter().any(|e| e.eq_ignore_ascii_case(token)))
    }
}

/// POCO `MessageHeader::splitElements`: splits at commas outside double quotes, trims each
/// element, drops empty ones; `ignore_quotes` removes the quote characters.
///
/// ```
/// use rpoco_net::split_elements;
/// assert_eq!(split_elements(r#"a, "b,c" , ,d"#, false), ["a", r#""b,c""#, "d"]);
/// assert_eq!(split_elements(r#"a, "b,c""#, true), ["a", "b,c"]);
/// ```
pub fn split_elements(s: &str, ignore_quotes: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                if !ignore_quotes {
                    cur.push(c);
                }
            }
            '\\' if quoted => {
                if !ignore_quotes {
                    cur.push(c);
                }
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' if !quoted => {
                let t = trim_ows(&cur);
                if !t.is_empty() {
                    out.push(t.to_owned());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    let t = trim_ows(&cur);
    if !t.is_empty() {
        out.push(t.to_owned());
    }
    out
}

/// POCO `MessageHeader::splitParameters`: `value; a=1; b="x y"` → (`value`, parameters),
/// with quotes removed and names and values trimmed.
///
/// ```
/// use rpoco_net::split_parameters;
/// let (v, p) = split_parameters(r#"text/html; charset="utf-8"; q=0.5"#);
/// assert_eq!(v, "text/html");
/// assert_eq!(p.get("Charset"), Some("utf-8"));
/// assert_eq!(p.get("q"), Some("0.5"));
/// ```
pub fn split_parameters(s: &str) -> (String, NameValueCollection) {
    let mut parts = split_outside_quotes(s, ';').into_iter();
    let value = trim_ows(&parts.next().unwrap_or_default()).to_owned();
    let mut params = NameValueCollection::new();
    for p in parts {
        let (n, v) = p.split_once('=').unwrap_or((p.as_str(), ""));
        let n = trim_ows(n);
        if n.is_empty() {
            continue;
        }
        params.add(n, unquote(trim_ows(v)));
    }
    (value, params)
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in s.chars() {
        let cur = out.last_mut().expect("never empty");
        if escaped {
            escaped = false;
            cur.push(c);
            continue;
        }
        match c {
            '\\' if quoted => {
                escaped = true;
                cur.push(c);
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c == sep && !quoted => out.push(String::new()),
            _ => cur.push(c),
        }
    }
    out
}

pub(crate) fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return v.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// POCO `MessageHeader::quote`: `value` as is if it has only alphanumerics and `._-`,
/// otherwise in double quotes with `"` and `\` escaped.
///
/// ```
/// use rpoco_net::quote;
/// assert_eq!(quote("utf-8"), "utf-8");
/// assert_eq!(quote("a b"), "\"a b\"");
/// ```
pub fn quote(value: &str) -> String {
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Decodes RFC 2047 encoded words (`=?charset?B|Q?text?=`) in UTF-8, US-ASCII and
/// ISO-8859-1; words in other charsets, or malformed ones, are left as they are.
/// Whitespace between two adjacent encoded words is dropped (RFC 2047 section 6.2).
pub fn decode_words(value: &str) -> String {
    if !value.contains("=?") {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut pending_ws = String::new();
    let mut last_was_word = false;
    while !rest.is_empty() {
        if let Some((decoded, used)) = rest.strip_prefix("=?").and_then(decode_one_word) {
            if !last_was_word {
                out.push_str(&pending_ws);
            }
            pending_ws.clear();
            out.push_str(&decoded);
            rest = &rest[2 + used..];
            last_was_word = true;
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        if c == ' ' || c == '\t' {
            pending_ws.push(c);
        } else {
            out.push_str(&pending_ws);
            pending_ws.clear();
            out.push(c);
            last_was_word = false;
        }
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(&pending_ws);
    out
}

/// Decodes `charset?E?text?=` (the part after `=?`); returns the text and bytes used.
fn decode_one_word(s: &str) -> Option<(String, usize)> {
    let (charset, after) = s.split_once('?')?;
    let (enc, after) = after.split_once('?')?;
    let end = after.find("?=")?;
    let text = &after[..end];
    if text.contains(' ') || charset.is_empty() {
        return None;
    }
    let bytes = match enc {
        "B" | "b" => rpoco_foundation::base64::decode(text).ok()?,
        "Q" | "q" => {
            let mut out = Vec::with_capacity(text.len());
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b'_' => out.push(b' '),
                    b'=' => {
                        let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                        out.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    c => out.push(c),
                }
                i += 1;
            }
            out
        }
        _ => return None,
    };
    let charset = charset.split('*').next().unwrap_or(charset);
    let decoded = if charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("us-ascii") {
        String::from_utf8(bytes).ok()?
    } else if charset.eq_ignore_ascii_case("iso-8859-1") || charset.eq_ignore_ascii_case("latin1") {
        bytes.iter().map(|&b| b as char).collect()
    } else {
        return None;
    };
    Some((decoded, charset.len() + enc.len() + 2 + end + 2))
}

/// Removes optional whitespace (RFC 9110 5.6.3: only SP and HTAB) from both ends of a field
/// value or list element. Never `str::trim`: field bytes above 0x7F become chars such as
/// U+0085 and U+00A0, which `trim` removes and every RFC parser keeps (a smuggling
/// differential on `Transfer-Encoding` and `Content-Length`).
pub(crate) fn trim_ows(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2047_words() {
        assert_eq!(decode_words("=?ISO-8859-1?Q?a=E9_b?= c"), "aé b c");
        assert_eq!(decode_words("=?UTF-8?B?w6k=?= =?UTF-8?Q?x?="), "éx");
        assert_eq!(decode_words("plain =?koi8-r?B?AAA=?="), "plain =?koi8-r?B?AAA=?=");
        assert_eq!(decode_words("=?UTF-8?Q?bad=Z?="), "=?UTF-8?Q?bad=Z?=");
    }

    #[test]
    fn read_stops_at_empty_line_and_enforces_limits() {
        let mut h = MessageHeader::new();
        let mut input = &b"A: 1\nB:  2 \n\nrest"[..];
        h.read(&mut input).unwrap();
        assert_eq!(h.get("b"), Some("2"));
        assert_eq!(input, b"rest");
        let mut h = MessageHeader::new();
        h.set_field_limit(1);
        let e = h.read(&mut &b"A: 1\r\nB: 2\r\n\r\n"[..]).unwrap_err();
        assert!(e.limit_kind() == Some(Limit::FieldCount), "{e}");
        let mut h = MessageHeader::new();
        assert!(matches!(h.read(&mut &b"A: 1\r\n"[..]).map_err(|e| e.kind()), Err(ErrorKind::Message)));
    }

    #[test]
    fn tokens() {
        let mut h = MessageHeader::new();
        h.add("Connection", "keep-alive, Upgrade");
        assert!(h.has_token("connection", "upgrade"));
        assert!(!h.has_token("connection", "close"));
    }
}
