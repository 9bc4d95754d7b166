//! Base64 and hex decoders: never panic; what decodes re-encodes and decodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_foundation::base64::{self, Base64Options};
use rpoco_foundation::hex;

fuzz_target!(|data: &[u8]| {
    for options in [Base64Options::default(), Base64Options::url(), Base64Options::url().without_padding()] {
        if let Ok(bytes) = base64::decode_with(data, options) {
            let text = base64::encode_with(&bytes, options);
            assert_eq!(base64::decode_with(&text, options).expect("own output decodes"), bytes);
        }
    }
    if let Ok(bytes) = hex::decode(data) {
        assert_eq!(hex::decode(hex::encode(&bytes)).expect("own output decodes"), bytes);
    }
});
