//! permessage-deflate (RFC 7692): the offer and answer in `Sec-WebSocket-Extensions`
//! (window bits, context takeover) and the compressor and decompressor for messages.
//!
//! zlib cannot compress raw deflate with an 8-bit window (it refuses `windowBits = -8`).
//! When the peer limits our window to 8 bits we accept and send those messages
//! uncompressed, which RFC 7692 allows (section 6: RSV1 is per message); we always
//! decompress with a 15-bit window, which reads any smaller window.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::error::{WebSocketError, WebSocketErrorCode};
use crate::http::message::{split_elements, split_parameters};

/// The extension token.
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

const TAIL: [u8; 4] = [0x00, 0x00, 0xFF, 0xFF];

/// What an endpoint offers (client) or accepts (server) for permessage-deflate.
///
/// The default offers and accepts the extension with full 15-bit windows and context
/// takeover, the common configuration of browsers and servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    /// The largest window (8–15 bits) this end compresses with.
    pub max_window_bits: u8,
    /// Ask the peer to limit its window to this many bits (8–15; 15 asks nothing).
    pub request_peer_max_window_bits: u8,
    /// Compress every message afresh (this end's `*_no_context_takeover`).
    pub no_context_takeover: bool,
    /// Ask the peer to compress every message afresh.
    pub request_peer_no_context_takeover: bool,
    /// The zlib compression level (0–9).
    pub level: u32,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            max_window_bits: 15,
            request_peer_max_window_bits: 15,
            no_context_takeover: false,
            request_peer_no_context_takeover: false,
            level: 6,
        }
    }
}

/// The parameters both ends agreed on, from this end's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// The window this end compresses with (8 means: send uncompressed, see module docs).
    pub send_window_bits: u8,
    /// This end resets its compressor after each message.
    pub send_no_context_takeover: bool,
    /// The peer resets its compressor after each message (we may reset our decompressor).
    pub recv_no_context_takeover: bool,
    /// The compression level.
    pub level: u32,
}

fn refuse(msg: impl Into<String>) -> WebSocketError {
    WebSocketError::new(WebSocketErrorCode::HandshakeAccept, msg)
}

/// The parameters of one permessage-deflate offer or answer; `None` when malformed.
#[derive(Debug, Default)]
struct Params {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: present without a value (allowed only in an offer).
    client_max_window_bits: Option<Option<u8>>,
}

fn window_bits(v: &str) -> Option<u8> {
    if v.is_empty() || v.len() > 2 || !v.bytes().all(|b| b.is_ascii_digit()) || v.starts_with('0') {
        return None;
    }
    v.parse().ok().filter(|b| (8..=15).contains(b))
}

fn parse_params(element: &str) -> Option<Params> {
    let (name, params) = split_parameters(element);
    if !name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) {
        return None;
    }
    let mut p = Params::default();
    let mut seen = Vec::new();
    for (k, v) in params.iter() {
        let k = k.to_ascii_lowercase();
        if seen.contains(&k) {
            return None;
        }
        match k.as_str() {
            "server_no_context_takeover" if v.is_empty() => p.server_no_context_takeover = true,
            "client_no_context_takeover" if v.is_empty() => p.client_no_context_takeover = true,
            "server_max_window_bits" => p.server_max_window_bits = Some(window_bits(v)?),
            "client_max_window_bits" if v.is_empty() => p.client_max_window_bits = Some(None),
            "client_max_window_bits" => p.client_max_window_bits = Some(Some(window_bits(v)?)),
            _ => return None,
        }
        seen.push(k);
    }
    Some(p)
}

/// Every extension element of the `Sec-WebSocket-Extensions` field values, in order.
pub fn extension_elements<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    values.flat_map(|v| split_elements(v, false)).collect()
}

/// The client's offer: the `Sec-WebSocket-Extensions` element.
pub fn client_offer(config: &DeflateConfig) -> String {
    let mut s = String::from(PERMESSAGE_DEFLATE);
    if config.request_peer_no_context_takeover {
        s.push_str("; server_no_context_takeover");
    }
    if config.no_context_takeover {
        s.push_str("; client_no_context_takeover");
    }
    if config.request_peer_max_window_bits < 15 {
        s.push_str(&format!("; server_max_window_bits={}", config.request_peer_max_window_bits));
    }
    if config.max_window_bits < 15 {
        s.push_str(&format!("; client_max_window_bits={}", config.max_window_bits));
    } else {
        s.push_str("; client_max_window_bits");
    }
    s
}

/// The client checks the server's answer (one extension element) against its offer.
pub fn client_accept(config: &DeflateConfig, element: &str) -> Result<DeflateParams, WebSocketError> {
    let p = parse_params(element)
        .ok_or_else(|| refuse(format!("malformed permessage-deflate answer: {element:?}")))?;
    if let Some(bits) = p.server_max_window_bits
        && config.request_peer_max_window_bits < 15
        && bits > config.request_peer_max_window_bits
    {
        return Err(refuse(format!(
            "server_max_window_bits={bits} above the {} we asked for",
            config.request_peer_max_window_bits
        )));
    }
    if config.request_peer_no_context_takeover && !p.server_no_context_takeover {
        return Err(refuse("the server ignored our server_no_context_takeover"));
    }
    let send_window_bits = match p.client_max_window_bits {
        Some(None) => return Err(refuse("client_max_window_bits without a value in an answer")),
        Some(Some(bits)) => bits.min(config.max_window_bits),
        None => config.max_window_bits,
    };
    Ok(DeflateParams {
        send_window_bits,
        send_no_context_takeover: config.no_context_takeover || p.client_no_context_takeover,
        recv_no_context_takeover: p.server_no_context_takeover,
        level: config.level,
    })
}

/// The server picks the first acceptable offer among the client's extension elements and
/// returns the answer element and the parameters; malformed offers are declined.
pub fn server_accept(config: &DeflateConfig, elements: &[String]) -> Option<(String, DeflateParams)> {
    elements.iter().find_map(|e| {
        let p = parse_params(e)?;
        let mut answer = String::from(PERMESSAGE_DEFLATE);
        let send_no_context_takeover = config.no_context_takeover || p.server_no_context_takeover;
        if send_no_context_takeover {
            answer.push_str("; server_no_context_takeover");
        }
        let recv_no_context_takeover =
            config.request_peer_no_context_takeover || p.client_no_context_takeover;
        if recv_no_context_takeover {
            answer.push_str("; client_no_context_takeover");
        }
        let send_window_bits = p.server_max_window_bits.unwrap_or(15).min(config.max_window_bits);
        if send_window_bits < 15 {
            answer.push_str(&format!("; server_max_window_bits={send_window_bits}"));
        }
        if config.request_peer_max_window_bits < 15 && p.client_max_window_bits.is_some() {
            let bits = match p.client_max_window_bits {
                Some(Some(b)) => b.min(config.request_peer_max_window_bits),
                _ => config.request_peer_max_window_bits,
            };
            answer.push_str(&format!("; client_max_window_bits={bits}"));
        }
        let params = DeflateParams {
            send_window_bits,
            send_no_context_takeover,
            recv_no_context_takeover,
            level: config.level,
        };
        Some((answer, params))
    })
}

/// Compresses outgoing messages.
#[derive(Debug)]
pub struct Deflater {
    compress: Option<Compress>,
    reset_each_message: bool,
}

impl Deflater {
    /// A compressor for the agreed parameters.
    pub fn new(params: &DeflateParams) -> Self {
        let compress = (params.send_window_bits >= 9).then(|| {
            Compress::new_with_window_bits(
                Compression::new(params.level.min(9)),
                false,
                params.send_window_bits,
            )
        });
        Deflater { compress, reset_each_message: params.send_no_context_takeover }
    }

    /// Whether messages are compressed at all (see the module docs about 8-bit windows).
    pub fn active(&self) -> bool {
        self.compress.is_some()
    }

    /// Compresses one fragment of a message into `out`; the last one (`fin`) drops the
    /// trailing `00 00 FF FF` of the sync flush, as RFC 7692 section 7.2.1 says.
    pub fn compress(&mut self, input: &[u8], fin: bool, out: &mut Vec<u8>) -> Result<(), WebSocketError> {
        let Some(c) = self.compress.as_mut() else {
            out.extend_from_slice(input);
            return Ok(());
        };
        let start_out = out.len();
        let start_in = c.total_in();
        loop {
            out.reserve(input.len() / 2 + 64);
            let consumed = (c.total_in() - start_in) as usize;
            c.compress_vec(&input[consumed..], out, FlushCompress::Sync)
                .map_err(|e| WebSocketError::new(WebSocketErrorCode::Protocol, format!("deflate: {e}")))?;
            // The sync flush is complete once all input is in and the output has room left.
            if (c.total_in() - start_in) as usize == input.len() && out.len() < out.capacity() {
                break;
            }
        }
        if fin {
            if out.ends_with(&TAIL) {
                out.truncate(out.len() - 4);
            }
            if out.len() == start_out {
                // zlib wrote nothing (a sync flush right after another): the receiver's
                // `00 00 FF FF` must still complete a block, so start an empty stored block.
                out.push(0x00);
            }
            if self.reset_each_message {
                c.reset();
            }
        }
        Ok(())
    }
}

/// Decompresses incoming messages.
#[derive(Debug)]
pub struct Inflater {
    decompress: Decompress,
    reset_each_message: bool,
}

impl Inflater {
    /// A decompressor for the agreed parameters.
    pub fn new(params: &DeflateParams) -> Self {
        Inflater {
            decompress: Decompress::new_with_window_bits(false, 15),
            reset_each_message: params.recv_no_context_takeover,
        }
    }

    /// Decompresses the next chunk of a compressed message onto `out`, refusing to let
    /// `out` grow past `limit` bytes (a compression bomb ends with
    /// [`WebSocketErrorCode::PayloadTooBig`]).
    pub fn inflate(&mut self, input: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<(), WebSocketError> {
        let d = &mut self.decompress;
        let start_in = d.total_in();
        loop {
            let consumed = (d.total_in() - start_in) as usize;
            out.reserve((limit + 1).saturating_sub(out.len()).clamp(64, 64 * 1024));
            let before = out.len();
            let status = d.decompress_vec(&input[consumed..], out, FlushDecompress::Sync);
            // Output over the limit came before any corrupt input after it in the same call:
            // report it first, as a read that stopped between the two would have.
            if out.len() > limit {
                return Err(WebSocketError::new(
                    WebSocketErrorCode::PayloadTooBig,
                    format!("decompressed message exceeds the limit of {limit} bytes"),
                ));
            }
            let status = status
                .map_err(|e| WebSocketError::new(WebSocketErrorCode::Protocol, format!("inflate: {e}")))?;
            let now = (d.total_in() - start_in) as usize;
            if status == Status::StreamEnd && now < input.len() {
                return Err(WebSocketError::new(
                    WebSocketErrorCode::Protocol,
                    "data after the final deflate block",
                ));
            }
            let stalled = now == consumed && out.len() == before;
            if (now == input.len() && out.len() < out.capacity()) || stalled {
                return Ok(());
            }
        }
    }

    /// Ends a compressed message: feeds the `00 00 FF FF` the sender dropped.
    pub fn finish(&mut self, out: &mut Vec<u8>, limit: usize) -> Result<(), WebSocketError> {
        self.inflate(&TAIL, out, limit)?;
        if self.reset_each_message {
            self.decompress.reset(false);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(bits: u8, nct: bool) -> DeflateParams {
        DeflateParams {
            send_window_bits: bits,
            send_no_context_takeover: nct,
            recv_no_context_takeover: nct,
            level: 6,
        }
    }

    #[test]
    fn rfc7692_hello_example() {
        // Section 7.2.3.1: "Hello" compressed is c2 07 f2 48 cd c9 c9 07 00 (ours may differ,
        // but that one must inflate to "Hello").
        let mut inf = Inflater::new(&params(15, false));
        let mut out = Vec::new();
        inf.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &mut out, 100).unwrap();
        inf.finish(&mut out, 100).unwrap();
        assert_eq!(out, b"Hello");
    }

    #[test]
    fn round_trips_with_and_without_context_takeover() {
        for (bits, nct) in [(15, false), (9, true), (12, false), (8, false)] {
            let p = params(bits, nct);
            let (mut def, mut inf) = (Deflater::new(&p), Inflater::new(&p));
            for i in 0..5 {
                let msg: Vec<u8> = format!("message {i} ").repeat(200 * (i + 1)).into_bytes();
                let mut wire = Vec::new();
                def.compress(&msg[..100], false, &mut wire).unwrap();
                def.compress(&msg[100..], true, &mut wire).unwrap();
                let mut out = Vec::new();
                if def.active() {
                    assert!(wire.len() < msg.len() / 4, "{bits} bits: {} of {}", wire.len(), msg.len());
                    inf.inflate(&wire, &mut out, 1 << 20).unwrap();
                    inf.finish(&mut out, 1 << 20).unwrap();
                } else {
                    out = wire;
                }
                assert_eq!(out, msg);
            }
        }
    }

    #[test]
    fn empty_messages_between_others_stay_in_step() {
        let p = params(15, false);
        let (mut def, mut inf) = (Deflater::new(&p), Inflater::new(&p));
        for m in [&b"one"[..], b"", b"", &[7u8; 5000], b""] {
            let mut wire = Vec::new();
            def.compress(m, true, &mut wire).unwrap();
            assert!(!wire.is_empty());
            let mut out = Vec::new();
            inf.inflate(&wire, &mut out, 1 << 20).unwrap();
            inf.finish(&mut out, 1 << 20).unwrap();
            assert_eq!(out, m);
        }
    }

    #[test]
    fn bomb_stops_at_the_limit() {
        let p = params(15, false);
        let mut def = Deflater::new(&p);
        let mut wire = Vec::new();
        def.compress(&vec![0u8; 1 << 20], true, &mut wire).unwrap();
        let mut out = Vec::new();
        let mut inf = Inflater::new(&p);
        let err = inf.inflate(&wire, &mut out, 4096).and_then(|_| inf.finish(&mut out, 4096)).unwrap_err();
        assert_eq!(err.code(), WebSocketErrorCode::PayloadTooBig);
        assert!(out.len() <= 4097 + 64 * 1024);
    }

    #[test]
    fn negotiation_both_ways() {
        let client = DeflateConfig {
            request_peer_max_window_bits: 10,
            request_peer_no_context_takeover: true,
            ..Default::default()
        };
        let offer = client_offer(&client);
        assert_eq!(
            offer,
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits"
        );
        let elements = extension_elements(
            ["x-other, permessage-deflate; server_max_window_bits=16", offer.as_str()].into_iter(),
        );
        let (answer, sp) = server_accept(&DeflateConfig::default(), &elements).unwrap();
        assert_eq!(answer, "permessage-deflate; server_no_context_takeover; server_max_window_bits=10");
        assert_eq!((sp.send_window_bits, sp.send_no_context_takeover), (10, true));
        let cp = client_accept(&client, &answer).unwrap();
        assert_eq!((cp.send_window_bits, cp.recv_no_context_takeover), (15, true));
        // Answers that break the offer are refused.
        for bad in [
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; server_max_window_bits=12; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover; x=1",
        ] {
            assert_eq!(
                client_accept(&client, bad).unwrap_err().code(),
                WebSocketErrorCode::HandshakeAccept,
                "{bad}"
            );
        }
        assert!(
            server_accept(
                &DeflateConfig::default(),
                &["permessage-deflate; server_max_window_bits=07".into()]
            )
            .is_none()
        );
    }
}
