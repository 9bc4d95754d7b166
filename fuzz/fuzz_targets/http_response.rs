//! A response from a hostile server: head parsing, framing and body decoding never panic,
//! whatever the input and however it is split into reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_fuzz::drain_body;
use rpoco_net::HeaderLimits;
use rpoco_net::proto::{self, BodyDecoder};

fuzz_target!(|data: &[u8]| {
    let Some((&step, data)) = data.split_first() else { return };
    let Ok(Some((response, used))) = proto::parse_response_head(data, &HeaderLimits::default()) else {
        return;
    };
    for method in ["GET", "HEAD"] {
        let Ok(framing) = proto::response_framing(method, &response) else { continue };
        drain_body(BodyDecoder::new(framing), &data[used..], usize::from(step % 16) + 1);
    }
});
