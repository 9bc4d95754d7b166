//! Arbitrary server bytes through the client exchange state machine (proto::client): for a
//! GET, a HEAD and a POST with `Expect: 100-continue`, on a fresh and a reused connection,
//! fed in pieces of a size the input chooses. Nothing may panic, and every outcome is a
//! response, a typed error or a retry decision.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_net::proto::client::{AfterHead, Await100Next, Call, Fed, RecvBody};
use rpoco_net::{HTTP_1_1, HttpMessage, HttpRequest};

fn request(which: u8) -> HttpRequest {
    match which % 3 {
        0 => HttpRequest::new("GET", "/", HTTP_1_1),
        1 => HttpRequest::new("HEAD", "/", HTTP_1_1),
        _ => {
            let mut post = HttpRequest::new("POST", "/", HTTP_1_1);
            post.set_content_length(Some(3));
            post.set("Expect", "100-continue");
            post
        }
    }
}

/// Reads a body to its end or first error, offering `step` bytes more each time.
fn body(mut call: Call<RecvBody>, input: &[u8], step: usize) {
    let (mut offered, mut start) = (0usize, 0usize);
    let mut out = [0u8; 512];
    for _ in 0..input.len() * 2 + 8 {
        if call.is_finished() {
            let _ = call.finish().map(|done| done.keep_alive());
            return;
        }
        let Ok((used, _)) = call.read(&input[start..offered], &mut out) else { return };
        start += used;
        if used == 0 {
            if offered == input.len() {
                let _ = call.end_of_input();
                return;
            }
            offered = (offered + step).min(input.len());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, step, data @ ..] = data else { return };
    let step = usize::from(*step % 32) + 1;
    let reused = which & 0x80 != 0;
    let Ok(call) = Call::new(&request(*which), reused) else { return };
    let mut sent = Vec::new();
    let (mut offered, mut start) = (0usize, 0usize);
    let mut call = match call.write_head(&mut sent) {
        AfterHead::SendBody(call) => match call.finish(None, &mut sent) {
            Ok(call) => call,
            Err(_) => return,
        },
        AfterHead::Await100(mut waiting) => loop {
            match waiting.feed(&data[start..offered]) {
                Ok(Await100Next::NeedMore(w)) if offered < data.len() => {
                    waiting = w;
                    offered = (offered + step).min(data.len());
                }
                Ok(Await100Next::NeedMore(_)) | Err(_) => return,
                Ok(Await100Next::Continue { used, mut call, .. }) => {
                    start += used;
                    if call.write(b"abc", &mut sent).is_err() {
                        return;
                    }
                    match call.finish(None, &mut sent) {
                        Ok(call) => break call,
                        Err(_) => return,
                    }
                }
                Ok(Await100Next::Rejected { used, call, .. }) => {
                    return body(call, &data[start + used..], step);
                }
            }
        },
    };
    loop {
        match call.feed(&data[start..offered]) {
            Ok(Fed::NeedMore(c)) if offered < data.len() => {
                call = c;
                offered = (offered + step).min(data.len());
            }
            Ok(Fed::NeedMore(c)) => {
                let _ = c.end_of_input(&data[start..]);
                return;
            }
            Ok(Fed::Interim { used, call: c }) => {
                start += used;
                offered = offered.max(start);
                call = c;
            }
            Ok(Fed::Response { used, call, .. }) => return body(call, &data[start + used..], step),
            Err(_) => return,
        }
    }
});
