//! Header values a peer controls: cookies, media types, credentials, header element lists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_net::{HttpBasicCredentials, HttpCookie, MediaType};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let cookie = HttpCookie::parse(text);
    let _ = cookie.to_string();
    let media = MediaType::parse(text);
    let _ = media.to_string();
    let (scheme, info) = text.split_once(' ').unwrap_or(("Basic", text));
    let _ = HttpBasicCredentials::from_auth_info(scheme, info);
});
