//! Helpers shared by the fuzz targets.

use rpoco_net::proto::{BodyDecoder, Decoded};

/// Feeds `body` to the decoder `step` bytes at a time, as reads from a socket would, until the
/// body ends or fails; checks that the decoder always makes progress.
pub fn drain_body(mut decoder: BodyDecoder, body: &[u8], step: usize) {
    let mut pending: Vec<u8> = Vec::new();
    let mut offered = 0;
    loop {
        match decoder.decode(&pending) {
            Ok((used, Decoded::Data(bytes))) => {
                assert!(!bytes.is_empty() && used <= pending.len());
                pending.drain(..used);
            }
            Ok((used, Decoded::NeedMore)) => {
                pending.drain(..used);
                if offered >= body.len() {
                    let _ = decoder.end_of_input();
                    return;
                }
                let next = (offered + step).min(body.len());
                pending.extend_from_slice(&body[offered..next]);
                offered = next;
            }
            Ok((_, Decoded::End)) | Err(_) => return,
        }
    }
}
