//! Authentication headers a server controls: the RFC 7235 challenge parser, and Digest, NTLM
//! and the HttpCredentials chooser answering whatever it parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_net::{
    HttpAuthenticationParams, HttpCredentials, HttpMessage, HttpRequest, HttpResponse, HttpStatus,
    NtlmCredentials,
};

fuzz_target!(|data: &[u8]| {
    let _ = NtlmCredentials::parse_challenge_message(data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(all) = HttpAuthenticationParams::parse_all(text) {
        for c in &all {
            // What is printed parses back to the same value.
            let again = HttpAuthenticationParams::parse(&c.to_string());
            assert!(again.is_ok(), "{c} does not parse back");
        }
    }
    let mut res = HttpResponse::new(HttpStatus::UNAUTHORIZED);
    res.set("WWW-Authenticate", text);
    let mut req = HttpRequest::with_method("GET", "/");
    let mut creds = HttpCredentials::new("user", "pass");
    if creds.authenticate(&mut req, &res).is_ok() {
        let _ = creds.update_auth_info(&mut req);
    }
});
