//! RFC 2047 encoded words for header values (POCO `MailMessage::encodeWord`). Decoding is
//! [`decode_words`](crate::decode_words), shared with the HTTP header reader.

/// POCO `MailMessage::encodeWord`: `text` unchanged if it is ASCII, otherwise as
/// `=?charset?q?...?=` encoded words (Q encoding, RFC 2047 section 4.2), folded with
/// `"\r\n "` so no encoded line passes 75 characters.
///
/// ```
/// use rpoco_net::{decode_words, mail::encode_word};
/// assert_eq!(encode_word("Hello", "UTF-8"), "Hello");
/// let w = encode_word("Grüße, Jürgen", "UTF-8");
/// assert_eq!(w, "=?UTF-8?q?Gr=C3=BC=C3=9Fe=2C_J=C3=BCrgen?=");
/// assert_eq!(decode_words(&w), "Grüße, Jürgen");
/// ```
pub fn encode_word(text: &str, charset: &str) -> String {
    encode_word_bytes(text.as_bytes(), charset)
}

/// [`encode_word`] for text already in `charset` (e.g. ISO-8859-1 bytes); a UTF-8
/// sequence is never split between two words (RFC 2047 section 5).
pub fn encode_word_bytes(text: &[u8], charset: &str) -> String {
    if text.is_ascii() {
        return String::from_utf8_lossy(text).into_owned();
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let utf8 = charset.eq_ignore_ascii_case("utf-8");
    let mut out = String::with_capacity(text.len() * 3);
    let mut line = 0usize;
    let mut i = 0;
    while i < text.len() {
        let len = if utf8 { utf8_len(text[i]).min(text.len() - i) } else { 1 };
        let encoded: usize = text[i..i + len].iter().map(|&c| if needs_hex(c) { 3 } else { 1 }).sum();
        if line > 0 && line + encoded > 73 {
            out.push_str("?=\r\n ");
            line = 0;
        }
        if line == 0 {
            out.push_str("=?");
            out.push_str(charset);
            out.push_str("?q?");
            line = charset.len() + 5;
        }
        for &c in &text[i..i + len] {
            if c == b' ' {
                out.push('_');
            } else if needs_hex(c) {
                push_hex(&mut out, c, HEX);
            } else {
                out.push(c as char);
            }
        }
        line += encoded;
        let c = text[i];
        i += len;
        // POCO's rule: break after a space once past 64, or anywhere once past 72.
        if i < text.len() && ((line >= 64 && matches!(c, b' ' | b'\t' | b'\r' | b'\n')) || line >= 72) {
            out.push_str("?=\r\n ");
            line = 0;
        }
    }
    if line > 0 {
        out.push_str("?=");
    }
    out
}

fn needs_hex(c: u8) -> bool {
    matches!(
        c,
        b'=' | b'?'
            | b'_'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b','
            | b';'
            | b':'
            | b'.'
            | b'@'
            | b'"'
            | b'\\'
    ) || !(32..127).contains(&c)
}

fn push_hex(out: &mut String, c: u8, hex: &[u8; 16]) {
    out.push('=');
    out.push(hex[(c >> 4) as usize] as char);
    out.push(hex[(c & 15) as usize] as char);
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_words;

    #[test]
    fn poco_test_encode_word() {
        assert_eq!(encode_word_bytes(b"this is pure ASCII", "ISO-8859-1"), "this is pure ASCII");
        assert_eq!(
            encode_word_bytes(b"This text contains German Umlauts: \xc4\xd6", "ISO-8859-1"),
            "=?ISO-8859-1?q?This_text_contains_German_Umlauts=3A_=C4=D6?="
        );
        let long = b"This text contains German Umlauts: \xc4\xd6. It is also a very long text. Longer than 75 characters. Long enough to become three lines after being word-encoded.";
        assert_eq!(
            encode_word_bytes(long, "ISO-8859-1"),
            "=?ISO-8859-1?q?This_text_contains_German_Umlauts=3A_=C4=D6=2E_It_?=\r\n \
             =?ISO-8859-1?q?is_also_a_very_long_text=2E_Longer_than_75_characters=2E_?=\r\n \
             =?ISO-8859-1?q?Long_enough_to_become_three_lines_after_being_word-encode?=\r\n \
             =?ISO-8859-1?q?d=2E?="
        );
    }

    #[test]
    fn long_text_folds_and_round_trips() {
        let text = "Ünïcödé ".repeat(20);
        let w = encode_word(&text, "UTF-8");
        for line in w.split("\r\n") {
            assert!(line.len() <= 76, "{line}");
        }
        assert_eq!(decode_words(&w.replace("\r\n", "")), text);
    }
}
