//! The WebSocket frame decoder and receiver (RFC 6455 + permessage-deflate): any bytes from
//! the network give events or a typed error, never a panic, and within the limits; feeding
//! the same bytes in one piece or in arbitrary pieces gives the same events and the same
//! error (a read that stops mid-frame loses nothing, POCO issue #602).
//!
//! The first byte picks the role, the mode (whole messages or frames), permessage-deflate
//! and the chunk size; the rest is the wire.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_net::websocket::deflate::{DeflateParams, Inflater};
use rpoco_net::websocket::{Incoming, Receiver, Role};

const MAX_FRAME: u64 = 4096;
const MAX_MESSAGE: usize = 8192;

fn receiver(control: u8) -> Receiver {
    let role = if control & 1 == 0 { Role::Server } else { Role::Client };
    let inflater = (control & 2 != 0).then(|| {
        Inflater::new(&DeflateParams {
            send_window_bits: 15,
            send_no_context_takeover: false,
            recv_no_context_takeover: control & 8 != 0,
            level: 6,
        })
    });
    let mut r = Receiver::new(role, MAX_FRAME, MAX_MESSAGE, inflater);
    r.set_whole_messages(control & 4 == 0);
    r
}

/// Feeds `wire` in chunks of `chunk` bytes; the events up to the first error, and the error's
/// code. A close ends the stream (nothing after it is read).
fn run(control: u8, wire: &[u8], chunk: usize) -> (Vec<Incoming>, Option<String>) {
    let mut r = receiver(control);
    let mut events = Vec::new();
    for piece in wire.chunks(chunk.max(1)) {
        r.decoder().feed(piece);
        loop {
            match r.poll() {
                Ok(Some(ev)) => {
                    if let Incoming::Data { payload, fin, .. } = &ev {
                        assert!(payload.len() <= MAX_MESSAGE, "data over the message limit");
                        assert!(*fin || control & 4 != 0, "message mode delivers whole messages");
                    }
                    if let Incoming::Ping(p) | Incoming::Pong(p) = &ev {
                        assert!(p.len() <= 125, "control payload over 125 bytes");
                    }
                    let close = matches!(ev, Incoming::Close(_));
                    events.push(ev);
                    if close {
                        return (events, None);
                    }
                }
                Ok(None) => break,
                Err(e) => return (events, Some(format!("{:?}", e.code()))),
            }
        }
    }
    (events, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, wire)) = data.split_first() else { return };
    let whole = run(control, wire, wire.len());
    let chunk = 1 + usize::from(control >> 4);
    let pieces = run(control, wire, chunk);
    // The same events and the same verdict however the bytes arrive (in frame mode too:
    // it delivers whole frames).
    assert_eq!(whole, pieces, "chunked by {chunk}");
});
