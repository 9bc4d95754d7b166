//! The sending half of the protocol, sans-IO: frames and messages to bytes, compressed when
//! permessage-deflate was agreed, masked when this end is the client.

use super::deflate::Deflater;
use super::error::{WebSocketError, WebSocketErrorCode};
use super::proto::{Opcode, Role, encode_frame};

/// Masking keys from the operating system's random source, fetched 64 keys at a time
/// (RFC 6455 section 5.3 wants them unpredictable).
#[derive(Debug)]
struct MaskSource {
    pool: [u8; 256],
    next: usize,
}

impl MaskSource {
    fn new() -> Self {
        MaskSource { pool: [0; 256], next: 256 }
    }

    fn key(&mut self) -> [u8; 4] {
        if self.next >= self.pool.len() {
            if getrandom::fill(&mut self.pool).is_err() {
                // No OS randomness: the clock and a counter keep keys changing; masking only
                // guards intermediaries against crafted bytes, it is not confidentiality.
                let t = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos();
                for (i, b) in self.pool.iter_mut().enumerate() {
                    *b = (t >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
                }
            }
            self.next = 0;
        }
        let k = [
            self.pool[self.next],
            self.pool[self.next + 1],
            self.pool[self.next + 2],
            self.pool[self.next + 3],
        ];
        self.next += 4;
        k
    }
}

/// The sending state machine for one connection.
#[derive(Debug)]
pub struct Sender {
    role: Role,
    deflater: Option<Deflater>,
    masks: MaskSource,
    /// Inside a fragmented message: whether it is compressed.
    fragmented: Option<bool>,
    scratch: Vec<u8>,
}

impl Sender {
    /// A sender at `role`, with the compressor if permessage-deflate was agreed.
    pub fn new(role: Role, deflater: Option<Deflater>) -> Self {
        Sender { role, deflater, masks: MaskSource::new(), fragmented: None, scratch: Vec::new() }
    }

    /// Whether this sender compresses messages.
    pub fn compresses(&self) -> bool {
        self.deflater.as_ref().is_some_and(Deflater::active)
    }

    /// Appends one frame (POCO `sendFrame`): data frames of a compressed connection are
    /// compressed (RSV1 on the first frame of the message); a `Continuation` needs an
    /// unfinished message and `Text`/`Binary` needs none; control frames need `fin` and at
    /// most 125 bytes.
    pub fn frame(
        &mut self,
        out: &mut Vec<u8>,
        fin: bool,
        opcode: Opcode,
        payload: &[u8],
    ) -> Result<(), WebSocketError> {
        let mask = (self.role == Role::Client).then(|| self.masks.key());
        if opcode.is_control() {
            if !fin || payload.len() > 125 {
                return Err(WebSocketError::new(
                    WebSocketErrorCode::Protocol,
                    format!("control frames must be final and at most 125 bytes ({} given)", payload.len()),
                ));
            }
            encode_frame(out, true, false, opcode, payload, mask);
            return Ok(());
        }
        let compressed = match (opcode, self.fragmented) {
            (Opcode::Continuation, Some(c)) => c,
            (Opcode::Continuation, None) => {
                return Err(WebSocketError::new(
                    WebSocketErrorCode::Protocol,
                    "continuation frame without a message",
                ));
            }
            (_, Some(_)) => {
                return Err(WebSocketError::new(
                    WebSocketErrorCode::Protocol,
                    "new data frame while a fragmented message is unfinished",
                ));
            }
            _ => self.compresses(),
        };
        self.fragmented = if fin { None } else { Some(compressed) };
        let rsv1 = compressed && opcode != Opcode::Continuation;
        match (compressed, self.deflater.as_mut()) {
            (true, Some(d)) => {
                self.scratch.clear();
                d.compress(payload, fin, &mut self.scratch)?;
                encode_frame(out, fin, rsv1, opcode, &self.scratch, mask);
            }
            _ => encode_frame(out, fin, false, opcode, payload, mask),
        }
        Ok(())
    }

    /// Appends a close frame with `code` and `reason` (cut to 123 bytes at a character
    /// boundary); `code` 0 sends a close frame without status.
    pub fn close(&mut self, out: &mut Vec<u8>, code: u16, reason: &str) {
        let mut payload = Vec::with_capacity(125);
        if code != 0 {
            payload.extend_from_slice(&code.to_be_bytes());
            let mut end = reason.len().min(123);
            while !reason.is_char_boundary(end) {
                end -= 1;
            }
            payload.extend_from_slice(&reason.as_bytes()[..end]);
        }
        let mask = (self.role == Role::Client).then(|| self.masks.key());
        encode_frame(out, true, false, Opcode::Close, &payload, mask);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::websocket::deflate::{DeflateParams, Inflater};
    use crate::websocket::receiver::{Incoming, Receiver};

    #[test]
    fn client_frames_are_masked_with_fresh_keys_and_decode() {
        let mut tx = Sender::new(Role::Client, None);
        let mut a = Vec::new();
        tx.frame(&mut a, true, Opcode::Text, b"hello").unwrap();
        let mut b = Vec::new();
        tx.frame(&mut b, true, Opcode::Text, b"hello").unwrap();
        assert_eq!(a[1] & 0x80, 0x80);
        assert_ne!(a, b, "two frames with the same masking key");
        let mut rx = Receiver::new(Role::Server, 1 << 20, 1 << 20, None);
        rx.decoder().feed(&a);
        assert_eq!(
            rx.poll().unwrap(),
            Some(Incoming::Data { opcode: Opcode::Text, fin: true, payload: b"hello".to_vec() })
        );
    }

    #[test]
    fn compressed_fragments_round_trip() {
        let p = DeflateParams {
            send_window_bits: 15,
            send_no_context_takeover: false,
            recv_no_context_takeover: false,
            level: 6,
        };
        let mut tx = Sender::new(Role::Server, Some(Deflater::new(&p)));
        let mut rx = Receiver::new(Role::Client, 1 << 20, 1 << 20, Some(Inflater::new(&p)));
        for round in 0..3 {
            let mut wire = Vec::new();
            tx.frame(&mut wire, false, Opcode::Text, "Hällo ".repeat(50).as_bytes()).unwrap();
            tx.frame(&mut wire, true, Opcode::Ping, b"p").unwrap();
            tx.frame(&mut wire, true, Opcode::Continuation, "wörld".repeat(50).as_bytes()).unwrap();
            assert_eq!(wire[0], 0x41, "round {round}: RSV1 on the first frame only");
            rx.decoder().feed(&wire);
            assert_eq!(rx.poll().unwrap(), Some(Incoming::Ping(b"p".to_vec())));
            let want = ["Hällo ".repeat(50), "wörld".repeat(50)].concat().into_bytes();
            assert_eq!(
                rx.poll().unwrap(),
                Some(Incoming::Data { opcode: Opcode::Text, fin: true, payload: want })
            );
        }
    }

    #[test]
    fn misuse_is_refused() {
        let mut tx = Sender::new(Role::Server, None);
        let mut out = Vec::new();
        assert!(tx.frame(&mut out, true, Opcode::Continuation, b"x").is_err());
        assert!(tx.frame(&mut out, false, Opcode::Ping, b"x").is_err());
        assert!(tx.frame(&mut out, true, Opcode::Pong, &[0; 126]).is_err());
        tx.frame(&mut out, false, Opcode::Binary, b"x").unwrap();
        assert!(tx.frame(&mut out, true, Opcode::Binary, b"x").is_err());
        let mut c = Vec::new();
        tx.close(&mut c, 1000, &"é".repeat(100));
        assert_eq!(c.len(), 2 + 2 + 122);
    }
}
