//! Incremental UTF-8 validation: a text message is checked chunk by chunk as it arrives,
//! and the first byte that can never be part of valid UTF-8 fails it at once (fail fast,
//! RFC 6455 section 8.1), even in the middle of a frame.

/// The validator for one text message.
#[derive(Debug, Default, Clone)]
pub struct Utf8Validator {
    carry: [u8; 4],
    len: usize,
}

fn sequence_length(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

impl Utf8Validator {
    /// Checks the next chunk; `false` as soon as the bytes so far cannot be valid UTF-8.
    pub fn push(&mut self, mut data: &[u8]) -> bool {
        if self.len > 0 {
            let need = sequence_length(self.carry[0]);
            let take = (need - self.len).min(data.len());
            self.carry[self.len..self.len + take].copy_from_slice(&data[..take]);
            self.len += take;
            data = &data[take..];
            match std::str::from_utf8(&self.carry[..self.len]) {
                Ok(_) => self.len = 0,
                Err(e) if e.error_len().is_none() => return true,
                Err(_) => return false,
            }
        }
        match std::str::from_utf8(data) {
            Ok(_) => true,
            Err(e) if e.error_len().is_none() => {
                let rest = &data[e.valid_up_to()..];
                self.carry[..rest.len()].copy_from_slice(rest);
                self.len = rest.len();
                true
            }
            Err(_) => false,
        }
    }

    /// Whether the message may end here (no sequence left open).
    pub fn complete(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_anywhere_matches_whole_validation() {
        let samples: &[&[u8]] = &[
            "κόσμε".as_bytes(),
            b"\xF0\x90\x80\x80",
            b"\xF4\x8F\xBF\xBF",
            b"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64\x69\x74\x65\x64",
            b"\xF4\x90\x80\x80",
            b"\xC0\xAF",
            b"\xED\xBF\xBF",
        ];
        for s in samples {
            let whole = std::str::from_utf8(s).is_ok();
            for cut in 0..=s.len() {
                let mut v = Utf8Validator::default();
                let ok = v.push(&s[..cut]) && v.push(&s[cut..]) && v.complete();
                assert_eq!(ok, whole, "{s:?} cut at {cut}");
            }
        }
    }

    #[test]
    fn fails_fast_on_the_first_impossible_byte() {
        let mut v = Utf8Validator::default();
        assert!(v.push("κόσμε".as_bytes()));
        assert!(!v.push(b"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xF4\x90"));
        let mut v = Utf8Validator::default();
        assert!(v.push(b"\xF4"));
        assert!(!v.push(b"\x90"));
        let mut v = Utf8Validator::default();
        assert!(v.push(b"\xE2\x82"));
        assert!(!v.complete());
    }
}
