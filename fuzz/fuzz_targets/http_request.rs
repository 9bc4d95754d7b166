//! A request from a hostile client (what the server parses): the strict head parser, framing
//! rules and body decoding never panic, whatever the input and however it is split.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_fuzz::drain_body;
use rpoco_net::proto::{self, BodyDecoder, RequestLimits};

fuzz_target!(|data: &[u8]| {
    let Some((&step, data)) = data.split_first() else { return };
    let Ok(Some((request, used))) = proto::parse_request_head(data, &RequestLimits::default()) else {
        return;
    };
    assert!(used <= data.len());
    if let Ok(framing) = proto::request_framing(&request) {
        drain_body(BodyDecoder::new(framing), &data[used..], usize::from(step % 16) + 1);
    }
});
