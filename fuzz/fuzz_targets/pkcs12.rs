//! PKCS #12 files from anywhere: the reader never panics, for the right-looking and the
//! empty password.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_crypto::Pkcs12Container;

fuzz_target!(|data: &[u8]| {
    for password in ["", "fuzz"] {
        if let Ok(p12) = Pkcs12Container::from_der(data, password) {
            let _ = (p12.private_key(), p12.certificate(), p12.ca_certificates(), p12.friendly_name());
        }
    }
});
