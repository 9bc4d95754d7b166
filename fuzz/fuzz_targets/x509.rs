//! Certificates from a peer: DER and PEM parsing and every accessor never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_netssl::X509Certificate;

fuzz_target!(|data: &[u8]| {
    for cert in X509Certificate::from_der(data.to_vec())
        .into_iter()
        .chain(X509Certificate::all_from_pem(data).unwrap_or_default())
    {
        let _ = (cert.subject_name(), cert.issuer_name(), cert.common_name());
        let _ = (cert.dns_names(), cert.ip_addresses());
        let _ = cert.verify_hostname("example.com");
        let _ = cert.verify_hostname("127.0.0.1");
    }
});
