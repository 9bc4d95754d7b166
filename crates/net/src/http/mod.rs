//! HTTP: the message model, the sans-IO protocol core, the client session and the server.

pub mod client;
pub(crate) mod conn;
mod content_coding;
pub(crate) mod encoding;
pub mod message;
pub mod proto;
pub mod server;

pub use content_coding::{CompressionOptions, ContentCoding, accepted_coding, send_compressed};

/// `2 * bytes` lowercase hex characters from the operating system's random source (Digest
/// cnonces, multipart boundaries).
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // No OS randomness: fall back to the clock; these values need uniqueness, not secrecy.
        let t =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (t >> ((i % 16) * 8)) as u8;
        }
    }
    rpoco_foundation::hex::encode_with(&buf, rpoco_foundation::hex::HexOptions::no_line_breaks())
}
