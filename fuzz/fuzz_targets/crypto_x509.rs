//! Certificates from anywhere through rpoco-crypto: parsing, every accessor, the public key and
//! the signature check (against itself) never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_crypto::{DigestAlgorithm, NameField, X509Certificate};

fuzz_target!(|data: &[u8]| {
    for cert in X509Certificate::from_der(data.to_vec())
        .into_iter()
        .chain(X509Certificate::all_from_pem(data).unwrap_or_default())
    {
        let _ = (cert.subject_name(), cert.issuer_name(), cert.subject_field(NameField::CommonName));
        let _ = (cert.serial_number(), cert.version(), cert.signature_algorithm(), cert.extract_names());
        let _ = (cert.fingerprint(DigestAlgorithm::Sha1), cert.public_key(), cert.is_self_signed());
        assert_eq!(X509Certificate::from_pem(cert.to_pem().as_bytes()).expect("our PEM reads back"), cert);
    }
});
