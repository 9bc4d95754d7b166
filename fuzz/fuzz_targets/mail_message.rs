//! A message from a hostile sender: MailMessage::read (headers, RFC 2047 words, nested
//! multiparts, quoted-printable and base64) with small limits must end in a message or a
//! typed error, never a panic; a message that reads must write again, and read back with
//! the same parts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_net::mail::{MailLimits, MailMessage};

fuzz_target!(|data: &[u8]| {
    let limits = MailLimits {
        max_header_size: 4096,
        max_header_fields: 64,
        max_parts: 32,
        max_depth: 4,
        max_content_size: 1 << 16,
    };
    let mut m = MailMessage::new();
    if m.read_with_limits(&mut &data[..], &limits).is_err() {
        return;
    }
    assert!(m.parts().len() <= limits.max_parts);
    let Ok(wire) = m.to_bytes() else { return };
    let mut back = MailMessage::new();
    let relaxed = MailLimits { max_content_size: 1 << 20, max_header_size: 1 << 20, ..limits };
    back.read_with_limits(&mut &wire[..], &relaxed).expect("our own output reads");
    assert_eq!(back.parts().len(), m.parts().len());
    for (a, b) in back.parts().iter().zip(m.parts()) {
        assert_eq!(a.source.bytes(), b.source.bytes());
    }
});
