//! Media types by file name extension, for [`send_file`](crate::HttpServerResponse::send_file).

use std::path::Path;

/// The media type for a file name's extension (case-insensitive): the common web types,
/// `application/octet-stream` for anything else.
///
/// ```
/// use rpoco_net::media_type_for_path;
/// assert_eq!(media_type_for_path("index.HTML"), "text/html; charset=utf-8");
/// assert_eq!(media_type_for_path("logo.png"), "image/png");
/// assert_eq!(media_type_for_path("data"), "application/octet-stream");
/// ```
pub fn media_type_for_path(path: impl AsRef<Path>) -> &'static str {
    let ext = path.as_ref().extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "txt" | "text" => "text/plain; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "avif" => "image/avif",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}
