//! The receiving half of the protocol, sans-IO: frames from [`FrameDecoder`] checked against
//! RFC 6455 and 7692 and put together into frames or whole messages (decompressed, UTF-8
//! checked as they arrive, within the size limits).

use super::deflate::Inflater;
use super::error::{WebSocketError, WebSocketErrorCode};
use super::proto::{Decoded, FrameDecoder, FrameHeader, Opcode, Role};
use super::utf8::Utf8Validator;

/// A close frame's status code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The status code (see [`StatusCode`](super::StatusCode)).
    pub code: u16,
    /// The reason, UTF-8 text of at most 123 bytes.
    pub reason: String,
}

/// What the peer sent: a data frame or message, or a control frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// Data: in frame mode one frame (its own opcode, `Continuation` after the first), in
    /// message mode one whole message (`Text` or `Binary`, `fin` set). Decompressed; text
    /// is valid UTF-8 (a fragment may end inside a character in frame mode).
    Data {
        /// The opcode.
        opcode: Opcode,
        /// Whether this ends the message.
        fin: bool,
        /// The payload.
        payload: Vec<u8>,
    },
    /// A ping with its payload.
    Ping(Vec<u8>),
    /// A pong with its payload.
    Pong(Vec<u8>),
    /// A close frame: `None` when it had no status code.
    Close(Option<CloseFrame>),
}

/// Whether a close status code may appear on the wire (RFC 6455 section 7.4, IANA registry).
pub fn valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// Parses a close frame's payload.
pub fn parse_close(payload: &[u8]) -> Result<Option<CloseFrame>, WebSocketError> {
    match payload {
        [] => Ok(None),
        [_] => Err(WebSocketError::new(WebSocketErrorCode::Protocol, "close frame with a 1-byte payload")),
        [a, b, reason @ ..] => {
            let code = u16::from_be_bytes([*a, *b]);
            if !valid_close_code(code) {
                return Err(WebSocketError::new(
                    WebSocketErrorCode::Protocol,
                    format!("invalid close code {code}"),
                ));
            }
            let reason = std::str::from_utf8(reason).map_err(|_| {
                WebSocketError::new(WebSocketErrorCode::InvalidUtf8, "close reason is not UTF-8")
            })?;
            Ok(Some(CloseFrame { code, reason: reason.to_owned() }))
        }
    }
}

/// The most a frame header's claimed length reserves before its payload arrives.
const PREALLOCATE_MAX: u64 = 1 << 20;

#[derive(Debug)]
struct Message {
    opcode: Opcode,
    compressed: bool,
    utf8: Option<Utf8Validator>,
    delivered: usize,
}

#[derive(Debug)]
struct Assembly {
    inflater: Option<Inflater>,
    max_message: usize,
    whole_messages: bool,
    frame: Option<FrameHeader>,
    message: Option<Message>,
    data: Vec<u8>,
    control: Vec<u8>,
}

/// The receiving state machine for one connection.
#[derive(Debug)]
pub struct Receiver {
    decoder: FrameDecoder,
    asm: Assembly,
}

fn protocol(msg: impl Into<String>) -> WebSocketError {
    WebSocketError::new(WebSocketErrorCode::Protocol, msg)
}

fn too_big(limit: usize) -> WebSocketError {
    WebSocketError::new(
        WebSocketErrorCode::PayloadTooBig,
        format!("message exceeds the limit of {limit} bytes"),
    )
}

impl Receiver {
    /// A receiver at `role` (frames arrive from the other role), with the frame and
    /// message size limits and the decompressor if permessage-deflate was agreed.
    pub fn new(role: Role, max_frame: u64, max_message: usize, inflater: Option<Inflater>) -> Self {
        Receiver {
            decoder: FrameDecoder::new(role, max_frame),
            asm: Assembly {
                inflater,
                max_message,
                whole_messages: true,
                frame: None,
                message: None,
                data: Vec::new(),
                control: Vec::new(),
            },
        }
    }

    /// Sets both limits (POCO `setMaxPayloadSize` sets the two to one value).
    pub fn set_limits(&mut self, max_frame: u64, max_message: usize) {
        self.decoder.set_max_frame(max_frame);
        self.asm.max_message = max_message;
    }

    /// Message mode (`true`, the default) or frame mode (POCO `receiveFrame`).
    pub fn set_whole_messages(&mut self, on: bool) {
        self.asm.whole_messages = on;
    }

    /// The decoder, to feed it bytes.
    pub fn decoder(&mut self) -> &mut FrameDecoder {
        &mut self.decoder
    }

    /// Whether no frame is partly received.
    pub fn idle(&self) -> bool {
        self.asm.frame.is_none() && self.decoder.at_frame_boundary()
    }

    /// The next frame or message the bytes fed so far complete, `None` until more arrive.
    pub fn poll(&mut self) -> Result<Option<Incoming>, WebSocketError> {
        loop {
            let Some(item) = self.decoder.next()? else { return Ok(None) };
            match item {
                Decoded::Header(h) => self.asm.on_header(h)?,
                Decoded::Payload(p) => self.asm.on_payload(p)?,
                Decoded::FrameEnd => {
                    if let Some(ev) = self.asm.on_frame_end()? {
                        return Ok(Some(ev));
                    }
                }
            }
        }
    }
}

impl Assembly {
    fn on_header(&mut self, h: FrameHeader) -> Result<(), WebSocketError> {
        if h.rsv23 != 0 {
            return Err(protocol(format!(
                "RSV2/RSV3 bits set ({:#x}) without an extension defining them",
                h.rsv23
            )));
        }
        if h.opcode.is_control() {
            if h.rsv1 {
                return Err(protocol("RSV1 set on a control frame"));
            }
            self.control.clear();
        } else if h.opcode == Opcode::Continuation {
            if self.message.is_none() {
                return Err(protocol("continuation frame without a message to continue"));
            }
            if h.rsv1 {
                return Err(protocol("RSV1 set on a continuation frame"));
            }
        } else {
            if self.message.is_some() {
                return Err(protocol(format!(
                    "{:?} frame while a fragmented message is unfinished",
                    h.opcode
                )));
            }
            if h.rsv1 && self.inflater.is_none() {
                return Err(protocol("RSV1 set without permessage-deflate"));
            }
            self.data.clear();
            self.message = Some(Message {
                opcode: h.opcode,
                compressed: h.rsv1,
                utf8: (h.opcode == Opcode::Text).then(Utf8Validator::default),
                delivered: 0,
            });
        }
        if let Some(msg) = &self.message
            && !msg.compressed
            && !h.opcode.is_control()
        {
            // Room for the frame up front (the payload then lands in one copy), but only up
            // to a bound: the length is the peer's claim, not bytes that have arrived.
            let room = self.max_message.saturating_sub(msg.delivered + self.data.len());
            self.data.reserve((h.len.min(PREALLOCATE_MAX) as usize).min(room));
        }
        self.frame = Some(h);
        Ok(())
    }

    fn on_payload(&mut self, p: &[u8]) -> Result<(), WebSocketError> {
        let Some(frame) = self.frame else { return Err(protocol("payload outside a frame")) };
        if frame.opcode.is_control() {
            self.control.extend_from_slice(p);
            return Ok(());
        }
        let msg = self.message.as_mut().ok_or_else(|| protocol("payload outside a message"))?;
        let limit = self.max_message.saturating_sub(msg.delivered);
        let before = self.data.len();
        let added = if msg.compressed {
            let inflater =
                self.inflater.as_mut().ok_or_else(|| protocol("compressed frame without deflate"))?;
            inflater.inflate(p, &mut self.data, limit)
        } else if before + p.len() > limit {
            crate::copy::extend_from_slice(&mut self.data, &p[..limit.saturating_sub(before)]);
            Err(too_big(self.max_message))
        } else {
            crate::copy::extend_from_slice(&mut self.data, p);
            Ok(())
        };
        check_in_order(msg, &self.data, before, limit, added)
    }

    fn on_frame_end(&mut self) -> Result<Option<Incoming>, WebSocketError> {
        let Some(frame) = self.frame.take() else { return Err(protocol("frame end outside a frame")) };
        let payload = std::mem::take(&mut self.control);
        match frame.opcode {
            Opcode::Ping => return Ok(Some(Incoming::Ping(payload))),
            Opcode::Pong => return Ok(Some(Incoming::Pong(payload))),
            Opcode::Close => return Ok(Some(Incoming::Close(parse_close(&payload)?))),
            _ => {}
        }
        let msg = self.message.as_mut().ok_or_else(|| protocol("frame end outside a message"))?;
        if frame.fin {
            if msg.compressed {
                let limit = self.max_message.saturating_sub(msg.delivered);
                let before = self.data.len();
                let inflater =
                    self.inflater.as_mut().ok_or_else(|| protocol("compressed frame without deflate"))?;
                let added = inflater.finish(&mut self.data, limit);
                check_in_order(msg, &self.data, before, limit, added)?;
            }
            if msg.utf8.as_ref().is_some_and(|v| !v.complete()) {
                return Err(WebSocketError::new(
                    WebSocketErrorCode::InvalidUtf8,
                    "text message ends inside a UTF-8 sequence",
                ));
            }
        }
        let opcode = if self.whole_messages { msg.opcode } else { frame.opcode };
        if self.whole_messages && !frame.fin {
            return Ok(None);
        }
        msg.delivered += self.data.len();
        if frame.fin {
            self.message = None;
        }
        Ok(Some(Incoming::Data { opcode, fin: frame.fin, payload: std::mem::take(&mut self.data) }))
    }
}

/// Validates the bytes `data[before..]` just added (up to the message limit) before
/// reporting how adding them ended: an error is reported for the first byte it concerns, so
/// the verdict does not depend on how the network split the frames (bytes that arrive one
/// read at a time are validated as they come).
fn check_in_order(
    msg: &mut Message,
    data: &[u8],
    before: usize,
    limit: usize,
    added: Result<(), WebSocketError>,
) -> Result<(), WebSocketError> {
    let end = data.len().min(limit).max(before);
    check_utf8(msg, &data[before..end])?;
    added
}

fn check_utf8(msg: &mut Message, new: &[u8]) -> Result<(), WebSocketError> {
    if let Some(v) = msg.utf8.as_mut()
        && !v.push(new)
    {
        return Err(WebSocketError::new(
            WebSocketErrorCode::InvalidUtf8,
            format!("text message is not UTF-8 (within the first {} bytes)", msg.delivered + new.len()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::websocket::proto::encode_frame;

    fn server_rx() -> Receiver {
        Receiver::new(Role::Client, 1 << 20, 1 << 20, None)
    }

    fn frame(out: &mut Vec<u8>, fin: bool, op: Opcode, p: &[u8]) {
        encode_frame(out, fin, false, op, p, None);
    }

    #[test]
    fn fragments_with_a_ping_between_them() {
        let mut wire = Vec::new();
        frame(&mut wire, false, Opcode::Text, b"frag");
        frame(&mut wire, true, Opcode::Ping, b"hi");
        frame(&mut wire, true, Opcode::Continuation, b"ment");
        let mut rx = server_rx();
        rx.decoder().feed(&wire);
        assert_eq!(rx.poll().unwrap(), Some(Incoming::Ping(b"hi".to_vec())));
        assert_eq!(
            rx.poll().unwrap(),
            Some(Incoming::Data { opcode: Opcode::Text, fin: true, payload: b"fragment".to_vec() })
        );
        assert_eq!(rx.poll().unwrap(), None);
        assert!(rx.idle());
    }

    #[test]
    fn frame_mode_keeps_fragments_apart() {
        let mut wire = Vec::new();
        frame(&mut wire, false, Opcode::Binary, b"ab");
        frame(&mut wire, true, Opcode::Continuation, b"cd");
        let mut rx = server_rx();
        rx.set_whole_messages(false);
        rx.decoder().feed(&wire);
        assert_eq!(
            rx.poll().unwrap(),
            Some(Incoming::Data { opcode: Opcode::Binary, fin: false, payload: b"ab".to_vec() })
        );
        assert_eq!(
            rx.poll().unwrap(),
            Some(Incoming::Data { opcode: Opcode::Continuation, fin: true, payload: b"cd".to_vec() })
        );
    }

    #[test]
    fn violations_map_to_their_codes() {
        let cases: Vec<(Vec<u8>, WebSocketErrorCode)> = vec![
            (
                {
                    let mut w = Vec::new();
                    frame(&mut w, true, Opcode::Continuation, b"x");
                    w
                },
                WebSocketErrorCode::Protocol,
            ),
            (
                {
                    let mut w = Vec::new();
                    frame(&mut w, false, Opcode::Text, b"a");
                    frame(&mut w, true, Opcode::Text, b"b");
                    w
                },
                WebSocketErrorCode::Protocol,
            ),
            (vec![0xC1, 0x01, b'a'], WebSocketErrorCode::Protocol), // RSV1 without deflate
            (vec![0xA1, 0x01, b'a'], WebSocketErrorCode::Protocol), // RSV2
            (
                {
                    let mut w = Vec::new();
                    frame(&mut w, true, Opcode::Text, b"\xCE\xBA\xF4\x90");
                    w
                },
                WebSocketErrorCode::InvalidUtf8,
            ),
            (
                {
                    let mut w = Vec::new();
                    frame(&mut w, true, Opcode::Text, b"\xCE");
                    w
                },
                WebSocketErrorCode::InvalidUtf8,
            ),
            (
                {
                    let mut w = Vec::new();
                    frame(&mut w, true, Opcode::Close, &[0x03, 0xED]);
                    w
                },
                WebSocketErrorCode::Protocol,
            ), // 1005
            (
                {
                    let mut w = Vec::new();
                    frame(&mut w, true, Opcode::Close, &[0x03]);
                    w
                },
                WebSocketErrorCode::Protocol,
            ),
            (
                {
                    let mut w = Vec::new();
                    frame(&mut w, true, Opcode::Close, &[0x03, 0xE8, 0xFF]);
                    w
                },
                WebSocketErrorCode::InvalidUtf8,
            ),
        ];
        for (wire, code) in cases {
            let mut rx = server_rx();
            rx.decoder().feed(&wire);
            assert_eq!(rx.poll().unwrap_err().code(), code, "{wire:?}");
        }
    }

    #[test]
    fn invalid_utf8_fails_before_the_frame_ends() {
        let mut wire = Vec::new();
        frame(&mut wire, true, Opcode::Text, &[b"\xCE\xBA\xF4\x90".as_slice(), &[b'a'; 100]].concat());
        let mut rx = server_rx();
        rx.decoder().feed(&wire[..6]);
        assert_eq!(rx.poll().unwrap_err().code(), WebSocketErrorCode::InvalidUtf8);
    }

    #[test]
    fn message_limit_spans_fragments() {
        let mut wire = Vec::new();
        frame(&mut wire, false, Opcode::Binary, &[0; 60]);
        frame(&mut wire, true, Opcode::Continuation, &[0; 60]);
        let mut rx = Receiver::new(Role::Client, 100, 100, None);
        rx.decoder().feed(&wire);
        assert_eq!(rx.poll().unwrap_err().code(), WebSocketErrorCode::PayloadTooBig);
    }

    #[test]
    fn close_codes() {
        for code in [1000, 1001, 1003, 1007, 1011, 3000, 4999] {
            assert!(valid_close_code(code), "{code}");
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000] {
            assert!(!valid_close_code(code), "{code}");
        }
        assert_eq!(
            parse_close(&[0x03, 0xE8, b'o', b'k']).unwrap(),
            Some(CloseFrame { code: 1000, reason: "ok".into() })
        );
    }

    /// The first error a client-side receiver (frame mode, permessage-deflate, 4 KiB frames,
    /// 8 KiB messages) reports when `wire` arrives in reads of `chunk` bytes.
    fn first_error_in_reads(
        wire: &[u8],
        chunk: usize,
        no_context_takeover: bool,
    ) -> Option<WebSocketErrorCode> {
        use crate::websocket::deflate::{DeflateParams, Inflater};
        let params = DeflateParams {
            send_window_bits: 15,
            send_no_context_takeover: false,
            recv_no_context_takeover: no_context_takeover,
            level: 6,
        };
        let mut rx = Receiver::new(Role::Client, 4096, 8192, Some(Inflater::new(&params)));
        rx.set_whole_messages(false);
        for piece in wire.chunks(chunk) {
            rx.decoder().feed(piece);
            loop {
                match rx.poll() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => return Some(e.code()),
                }
            }
        }
        None
    }

    /// The verdict on a stream does not depend on how it is split into reads: here a
    /// compressed text fragment whose deflate stream ends early (Protocol) after yielding
    /// bytes that are not UTF-8 (InvalidUtf8, the earlier fault), found by the
    /// websocket_frames fuzzer as Protocol whole and InvalidUtf8 in 3-byte reads.
    #[test]
    fn the_first_fault_is_reported_however_the_bytes_arrive() {
        let wire = [0x41, 0x06, 0xd3, 0xff, 0x41, 0x06, 0xd3, 0xff, 0x10, 0x10, 0xd2];
        for chunk in 1..=wire.len() {
            let verdict = first_error_in_reads(&wire, chunk, true);
            assert_eq!(verdict, Some(WebSocketErrorCode::InvalidUtf8), "{chunk}-byte reads");
        }
    }

    /// A compressed fragment whose output passes the message limit just before an invalid
    /// back-reference: PayloadTooBig whether the inflater sees the corrupt bytes in the same
    /// read or a later one (websocket_frames fuzz finding: PayloadTooBig whole, Protocol in
    /// 9-byte reads, context takeover on, frame mode, client role).
    #[test]
    fn the_limit_is_reported_before_corrupt_input_that_follows_it() {
        let wire: &[u8] = &[
            0x42, 0x01, 0xab, 0x00, 0x2b, 0x2f, 0x2e, 0x01, 0x01, 0xfe, 0x30, 0x38, 0x18, 0x38, 0x38, 0x38,
            0x38, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x26, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
            0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x00,
            0x00, 0x00, 0x00, 0x2b, 0x2f, 0x2e, 0x01, 0x01, 0xfe, 0x30, 0x38, 0x18, 0x38, 0x38, 0x38, 0x38,
            0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x26, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
            0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x45, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x00, 0x00,
            0x2b, 0x2f, 0x2e, 0x01, 0x01, 0xfe, 0x30, 0x38, 0x18, 0x38, 0x38, 0x38, 0x38, 0x43, 0xc3, 0xc3,
            0xc3, 0xc3, 0x26, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
            0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x00, 0x00, 0x00, 0x00, 0x2b,
            0x2f, 0x2e, 0x01, 0x01, 0xfe, 0x30, 0x38, 0x18, 0x38, 0x38, 0x38, 0x38, 0xc3, 0xc3, 0xc3, 0xc3,
            0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x26, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
            0xc3, 0xc3, 0xc3, 0xc3, 0xd6, 0x42, 0x94, 0xc3, 0xc3, 0xc3, 0x00, 0x00, 0x00, 0x00, 0x2b, 0x2f,
            0x2e, 0xad, 0x03, 0x00, 0x2c, 0xbe, 0xff, 0x00, 0x04, 0x01, 0x2d, 0x10, 0x25, 0x00,
        ];
        for chunk in 1..=wire.len() {
            let verdict = first_error_in_reads(wire, chunk, false);
            assert_eq!(verdict, Some(WebSocketErrorCode::PayloadTooBig), "{chunk}-byte reads");
        }
    }
}
