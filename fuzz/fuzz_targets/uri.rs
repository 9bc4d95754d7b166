//! `Uri`: parsing never panics; what parses prints to text that parses again, and printing
//! settles after one more round (POCO's parse rules can read a printed relative reference
//! differently, e.g. `//host` as a path, so the first reprint may still change spelling);
//! resolution and normalization never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_foundation::Uri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (left, right) = text.split_once('\u{0}').unwrap_or((text, "../x"));
    if let Ok(mut uri) = left.parse::<Uri>() {
        let printed = uri.to_string();
        let again: Uri = printed.parse().expect("printed Uri must parse");
        let reprinted = again.to_string();
        let third: Uri = reprinted.parse().expect("reprinted Uri must parse");
        assert_eq!(third.to_string(), reprinted, "printing settles");
        let _ = uri.query_parameters(true);
        let _ = uri.path_segments();
        let mut normalized = uri.clone();
        normalized.normalize();
        let _ = normalized.to_string();
        if uri.resolve(right).is_ok() {
            let resolved = uri.to_string();
            let again: Uri = resolved.parse().expect("resolved Uri must parse");
            let _ = again.to_string().parse::<Uri>().expect("reprinted resolved Uri must parse");
        }
    }
    let _ = Uri::decode(left, true);
});
