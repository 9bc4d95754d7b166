//! The RFC 6455 frame codec, sans-IO: bytes in, frame headers and unmasked payload chunks
//! out; frames in, bytes out.
//!
//! [`FrameDecoder`] keeps every byte it was given until it has used it, so a read that times
//! out in the middle of a frame loses nothing: the next bytes continue the same frame (POCO
//! issue #602, where a timeout mid-frame desynchronised the stream). Payload comes out in
//! chunks as it arrives, so a receiver can check a text frame's UTF-8 before the frame ends.

use super::error::{WebSocketError, WebSocketErrorCode};

/// A frame's opcode (RFC 6455 section 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// `0x0`: continues a fragmented message.
    Continuation,
    /// `0x1`: a text message (UTF-8).
    Text,
    /// `0x2`: a binary message.
    Binary,
    /// `0x8`: the close handshake.
    Close,
    /// `0x9`: a ping; the peer answers with a pong.
    Ping,
    /// `0xA`: a pong.
    Pong,
}

impl Opcode {
    /// The opcode for the low four bits of a frame's first byte; reserved values are `None`.
    pub fn from_u8(v: u8) -> Option<Opcode> {
        Some(match v {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            _ => return None,
        })
    }

    /// The four-bit value.
    pub fn as_u8(self) -> u8 {
        match self {
            Opcode::Continuation => 0x0,
            Opcode::Text => 0x1,
            Opcode::Binary => 0x2,
            Opcode::Close => 0x8,
            Opcode::Ping => 0x9,
            Opcode::Pong => 0xA,
        }
    }

    /// Close, ping and pong: never fragmented, at most 125 bytes, allowed between fragments.
    pub fn is_control(self) -> bool {
        matches!(self, Opcode::Close | Opcode::Ping | Opcode::Pong)
    }
}

/// Which end of the connection this is; it decides the masking rules (section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The end that opened the connection: masks what it sends, refuses masked frames.
    Client,
    /// The end that accepted it: refuses unmasked frames, never masks.
    Server,
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// The final fragment of a message (FIN).
    pub fin: bool,
    /// RSV1 (set on the first frame of a compressed message under permessage-deflate).
    pub rsv1: bool,
    /// RSV2 and RSV3, which no extension of ours defines.
    pub rsv23: u8,
    /// The opcode.
    pub opcode: Opcode,
    /// The masking key, if the frame is masked.
    pub mask: Option<[u8; 4]>,
    /// The payload length.
    pub len: u64,
}

/// What [`FrameDecoder::next`] found in the bytes so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A frame starts; its payload follows as [`Decoded::Payload`] chunks.
    Header(FrameHeader),
    /// The next chunk of the current frame's payload, already unmasked.
    Payload(&'a [u8]),
    /// The current frame's payload is complete.
    FrameEnd,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Header,
    Payload { remaining: u64, mask: Option<[u8; 4]>, offset: usize },
    End,
}

/// The streaming frame decoder for one direction of one connection.
#[derive(Debug)]
pub struct FrameDecoder {
    role: Role,
    max_frame: u64,
    /// Initialised storage: `buf[pos..end]` are the bytes received and not yet decoded, and
    /// `buf[end..]` is room a read can fill without zeroing it first.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    state: State,
}

fn protocol(msg: impl Into<String>) -> WebSocketError {
    WebSocketError::new(WebSocketErrorCode::Protocol, msg)
}

impl FrameDecoder {
    /// A decoder for frames arriving at `role` (a server expects masked frames), refusing
    /// payloads longer than `max_frame` bytes with [`WebSocketErrorCode::PayloadTooBig`].
    pub fn new(role: Role, max_frame: u64) -> Self {
        FrameDecoder { role, max_frame, buf: Vec::new(), pos: 0, end: 0, state: State::Header }
    }

    /// Changes the frame size limit (for frames whose header is not yet decoded).
    pub fn set_max_frame(&mut self, max_frame: u64) {
        self.max_frame = max_frame;
    }

    /// Appends received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        crate::copy::copy_from_slice(&mut self.spare(bytes.len())[..bytes.len()], bytes);
        self.end += bytes.len();
    }

    /// Lets the caller read straight into the decoder: a slice of at least `min` spare bytes
    /// after the buffered ones; call [`commit`](Self::commit) with how many were filled.
    pub fn spare(&mut self, min: usize) -> &mut [u8] {
        self.compact();
        if self.buf.len() - self.end < min {
            // Zeroed once when the buffer grows; later reads reuse the room as it is.
            self.buf.resize(self.end + min, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Keeps the first `n` bytes of the slice [`spare`](Self::spare) returned.
    pub fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Bytes received and not yet decoded.
    pub fn buffered(&self) -> usize {
        self.end - self.pos
    }

    /// Whether the decoder is between frames (no partial frame pending).
    pub fn at_frame_boundary(&self) -> bool {
        matches!(self.state, State::Header) && self.buffered() == 0
    }

    fn compact(&mut self) {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        } else if self.pos >= 64 * 1024 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
    }

    /// The next item the buffered bytes make up, or `None` until more bytes arrive.
    // Not an Iterator: each item borrows the decoder's buffer.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Decoded<'_>>, WebSocketError> {
        match self.state {
            State::End => {
                self.state = State::Header;
                Ok(Some(Decoded::FrameEnd))
            }
            State::Header => {
                let Some((header, used)) = self.parse_header()? else { return Ok(None) };
                self.pos += used;
                self.state = if header.len == 0 {
                    State::End
                } else {
                    State::Payload { remaining: header.len, mask: header.mask, offset: 0 }
                };
                Ok(Some(Decoded::Header(header)))
            }
            State::Payload { remaining, mask, offset } => {
                let avail = self.end - self.pos;
                if avail == 0 {
                    return Ok(None);
                }
                let n = (avail as u64).min(remaining) as usize;
                let start = self.pos;
                self.pos += n;
                let chunk = &mut self.buf[start..start + n];
                if let Some(key) = mask {
                    apply_mask(chunk, key, offset);
                }
                self.state = if remaining == n as u64 {
                    State::End
                } else {
                    State::Payload { remaining: remaining - n as u64, mask, offset: offset + n }
                };
                Ok(Some(Decoded::Payload(&self.buf[start..start + n])))
            }
        }
    }

    fn parse_header(&self) -> Result<Option<(FrameHeader, usize)>, WebSocketError> {
        let b = &self.buf[self.pos..self.end];
        if b.len() < 2 {
            return Ok(None);
        }
        let fin = b[0] & 0x80 != 0;
        let rsv1 = b[0] & 0x40 != 0;
        let rsv23 = (b[0] >> 4) & 0x3;
        let opcode = Opcode::from_u8(b[0] & 0x0F)
            .ok_or_else(|| protocol(format!("reserved opcode 0x{:X}", b[0] & 0x0F)))?;
        let masked = b[1] & 0x80 != 0;
        let (len, mut used) = match b[1] & 0x7F {
            126 => {
                if b.len() < 4 {
                    return Ok(None);
                }
                (u64::from(u16::from_be_bytes([b[2], b[3]])), 4)
            }
            127 => {
                if b.len() < 10 {
                    return Ok(None);
                }
                let len = u64::from_be_bytes([b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]]);
                if len >> 63 != 0 {
                    return Err(protocol("64-bit payload length with the most significant bit set"));
                }
                (len, 10)
            }
            n => (u64::from(n), 2),
        };
        if opcode.is_control() {
            if !fin {
                return Err(protocol(format!("fragmented control frame ({opcode:?})")));
            }
            if len > 125 {
                return Err(protocol(format!("control frame ({opcode:?}) payload of {len} bytes > 125")));
            }
        }
        match (self.role, masked) {
            (Role::Server, false) => return Err(protocol("unmasked frame from a client")),
            (Role::Client, true) => return Err(protocol("masked frame from a server")),
            _ => {}
        }
        if len > self.max_frame {
            return Err(WebSocketError::new(
                WebSocketErrorCode::PayloadTooBig,
                format!("frame payload of {len} bytes exceeds the limit of {} bytes", self.max_frame),
            ));
        }
        let mask = if masked {
            if b.len() < used + 4 {
                return Ok(None);
            }
            let key = [b[used], b[used + 1], b[used + 2], b[used + 3]];
            used += 4;
            Some(key)
        } else {
            None
        };
        Ok(Some((FrameHeader { fin, rsv1, rsv23, opcode, mask, len }, used)))
    }
}

/// XORs `data` with the masking key, `offset` bytes into the payload.
pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    let mut k = [0u8; 4];
    for (i, b) in k.iter_mut().enumerate() {
        *b = key[(offset + i) % 4];
    }
    let word = u32::from_ne_bytes(k);
    let wide = u64::from(word) | (u64::from(word) << 32);
    let mut chunks = data.chunks_exact_mut(8);
    for c in &mut chunks {
        let v = u64::from_ne_bytes((&*c).try_into().expect("8 bytes")) ^ wide;
        c.copy_from_slice(&v.to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= k[i % 4];
    }
}

/// Appends one frame to `out`: the header, then `payload` (masked with `mask` if given).
pub fn encode_frame(
    out: &mut Vec<u8>,
    fin: bool,
    rsv1: bool,
    opcode: Opcode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) {
    out.push((u8::from(fin) << 7) | (u8::from(rsv1) << 6) | opcode.as_u8());
    let m = if mask.is_some() { 0x80 } else { 0 };
    let len = payload.len();
    if len < 126 {
        out.push(m | len as u8);
    } else if len <= 0xFFFF {
        out.push(m | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(m | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            let start = out.len();
            crate::copy::extend_from_slice(out, payload);
            apply_mask(&mut out[start..], key, 0);
        }
        None => crate::copy::extend_from_slice(out, payload),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(d: &mut FrameDecoder) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(item) = d.next().unwrap() {
            out.push(match item {
                Decoded::Header(h) => format!("H{:?}/{}/{}", h.opcode, h.fin, h.len),
                Decoded::Payload(p) => format!("P{}", String::from_utf8_lossy(p)),
                Decoded::FrameEnd => "E".into(),
            });
        }
        out
    }

    #[test]
    fn rfc_examples_decode() {
        // RFC 6455 5.7: an unmasked "Hello" and a masked one.
        let mut d = FrameDecoder::new(Role::Client, 1 << 20);
        d.feed(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        assert_eq!(drain(&mut d), ["HText/true/5", "PHello", "E"]);
        let mut d = FrameDecoder::new(Role::Server, 1 << 20);
        d.feed(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
        assert_eq!(drain(&mut d), ["HText/true/5", "PHello", "E"]);
        // A fragmented unmasked text message.
        let mut d = FrameDecoder::new(Role::Client, 1 << 20);
        d.feed(&[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]);
        assert_eq!(drain(&mut d), ["HText/false/3", "PHel", "E", "HContinuation/true/2", "Plo", "E"]);
    }

    #[test]
    fn resumes_byte_by_byte_mid_frame() {
        let mut wire = Vec::new();
        let payload: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
        encode_frame(&mut wire, true, false, Opcode::Binary, &payload, Some([1, 2, 3, 4]));
        let mut d = FrameDecoder::new(Role::Server, 1 << 20);
        let mut got = Vec::new();
        let mut ended = false;
        for b in &wire {
            d.feed(std::slice::from_ref(b));
            while let Some(item) = d.next().unwrap() {
                match item {
                    Decoded::Header(h) => assert_eq!(h.len, 300),
                    Decoded::Payload(p) => got.extend_from_slice(p),
                    Decoded::FrameEnd => ended = true,
                }
            }
        }
        assert!(ended);
        assert_eq!(got, payload);
        assert!(d.at_frame_boundary());
    }

    #[test]
    fn length_encodings_round_trip() {
        for len in [0usize, 125, 126, 65535, 65536] {
            let payload = vec![7u8; len];
            let mut wire = Vec::new();
            encode_frame(&mut wire, true, false, Opcode::Binary, &payload, None);
            let mut d = FrameDecoder::new(Role::Client, 1 << 20);
            d.feed(&wire);
            let Some(Decoded::Header(h)) = d.next().unwrap() else { panic!("no header") };
            assert_eq!(h.len, len as u64);
        }
    }

    #[test]
    fn violations_are_protocol_errors() {
        let cases: &[(Role, &[u8], WebSocketErrorCode)] = &[
            (Role::Client, &[0x83, 0x00], WebSocketErrorCode::Protocol), // reserved opcode
            (Role::Client, &[0x09, 0x00], WebSocketErrorCode::Protocol), // fragmented ping
            (Role::Client, &[0x89, 0x7E, 0x00, 0x7E], WebSocketErrorCode::Protocol), // ping of 126
            (Role::Server, &[0x81, 0x00], WebSocketErrorCode::Protocol), // unmasked from client
            (Role::Client, &[0x81, 0x80, 0, 0, 0, 0], WebSocketErrorCode::Protocol), // masked from server
            (Role::Client, &[0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0], WebSocketErrorCode::Protocol),
            (Role::Client, &[0x82, 0x7E, 0x10, 0x00], WebSocketErrorCode::PayloadTooBig),
        ];
        for (role, bytes, code) in cases {
            let mut d = FrameDecoder::new(*role, 1000);
            d.feed(bytes);
            assert_eq!(d.next().unwrap_err().code(), *code, "{bytes:?}");
        }
    }

    #[test]
    fn reads_through_spare_keep_partial_frames_across_compaction() {
        // Many frames read in uneven pieces straight into the decoder: a frame header or
        // payload cut by a read boundary survives the buffer being compacted and reused.
        let mut wire = Vec::new();
        let mut want = Vec::new();
        for i in 0..200u32 {
            let payload: Vec<u8> = (0..(i * 37 % 1500)).map(|j| (i + j) as u8).collect();
            encode_frame(&mut wire, true, false, Opcode::Binary, &payload, Some([9, 8, 7, i as u8]));
            want.push(payload);
        }
        let mut d = FrameDecoder::new(Role::Server, 1 << 20);
        let (mut got, mut current) = (Vec::new(), Vec::new());
        let mut at = 0;
        for step in [1usize, 3, 700, 13, 4096, 2, 65_000, 9].iter().cycle() {
            if at == wire.len() {
                break;
            }
            let n = (*step).min(wire.len() - at);
            let room = d.spare(n);
            assert!(room.len() >= n);
            room[..n].copy_from_slice(&wire[at..at + n]);
            d.commit(n);
            at += n;
            while let Some(item) = d.next().unwrap() {
                match item {
                    Decoded::Header(_) => current.clear(),
                    Decoded::Payload(p) => current.extend_from_slice(p),
                    Decoded::FrameEnd => got.push(std::mem::take(&mut current)),
                }
            }
        }
        assert_eq!(got, want);
        assert!(d.at_frame_boundary());
    }

    #[test]
    fn mask_matches_bytewise_at_any_offset() {
        let key = [0xA1, 0xB2, 0xC3, 0xD4];
        for offset in 0..4 {
            let mut data: Vec<u8> = (0..37).collect();
            apply_mask(&mut data, key, offset);
            for (i, b) in data.iter().enumerate() {
                assert_eq!(*b, (i as u8) ^ key[(offset + i) % 4]);
            }
        }
    }
}
