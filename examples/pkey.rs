//! Sign, verify, encrypt and decrypt files with a key, for scripts.
//!
//! ```text
//! pkey sign KEY FILE SIG [--passphrase P]     SHA-256: PKCS #1 v1.5 (RSA), DER ECDSA (EC), pure Ed25519
//! pkey verify PUBKEY FILE SIG                 exit 0 when valid, 1 when not
//! pkey encrypt PUBKEY FILE OUT                RSA-OAEP with SHA-256 and MGF1-SHA-256
//! pkey decrypt KEY FILE OUT [--passphrase P]
//! ```
//!
//! Keys in any format rpoco reads (PEM or DER; PKCS #8, encrypted PKCS #8, PKCS #1, SEC1,
//! OpenSSL's encrypted PEM, SubjectPublicKeyInfo). The results interoperate with
//! `openssl dgst -sha256 -sign/-verify`, `openssl pkeyutl -rawin` (Ed25519) and `openssl
//! pkeyutl -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256`.
//! Exit codes: 0 success, 1 a signature that does not verify, 2 usage or any other error.

use std::process::ExitCode;

use rpoco::crypto::sign::{sign_message, verify_message};
use rpoco::crypto::{EvpPKey, RsaCipher, RsaPadding, SignatureScheme};

const USAGE: &str = "usage: pkey sign KEY FILE SIG | verify PUBKEY FILE SIG | encrypt PUBKEY FILE OUT | decrypt KEY FILE OUT \
                     [--passphrase P]";

/// The largest input file (encryption and signing read it whole).
const MAX_INPUT: u64 = 256 << 20;

fn read(path: &str) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| format!("{path}: {e}"))?.len();
    if len > MAX_INPUT {
        return Err(format!("{path}: larger than {MAX_INPUT} bytes"));
    }
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

fn write(path: &str, data: &[u8]) -> Result<(), String> {
    std::fs::write(path, data).map_err(|e| format!("{path}: {e}"))
}

fn key(path: &str, passphrase: Option<&str>) -> Result<EvpPKey, String> {
    EvpPKey::from_file(path, passphrase.map(str::as_bytes)).map_err(|e| format!("{path}: {e}"))
}

fn scheme(key: &EvpPKey) -> SignatureScheme {
    use rpoco::crypto::{DigestAlgorithm, KeyType};
    match key.key_type() {
        KeyType::Rsa => SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256),
        KeyType::Ed25519 => SignatureScheme::Ed25519,
        _ => SignatureScheme::Ecdsa(DigestAlgorithm::Sha256),
    }
}

fn run(args: &[String]) -> Result<bool, String> {
    let mut positional = Vec::new();
    let mut passphrase = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if let Some(p) = arg.strip_prefix("--passphrase=") {
            passphrase = Some(p.to_owned());
        } else if arg == "--passphrase" {
            passphrase = Some(it.next().ok_or("--passphrase needs a value")?.clone());
        } else {
            positional.push(arg.as_str());
        }
    }
    let pass = passphrase.as_deref();
    let err = |e: rpoco::crypto::Error| e.to_string();
    match positional[..] {
        ["sign", k, file, sig] => {
            let key = key(k, pass)?;
            write(sig, &sign_message(&key, scheme(&key), &read(file)?).map_err(err)?)?;
        }
        ["verify", k, file, sig] => {
            let key = key(k, pass)?;
            return Ok(verify_message(&key, scheme(&key), &read(file)?, &read(sig)?));
        }
        ["encrypt", k, file, out] => {
            let cipher = RsaCipher::new(&key(k, pass)?, RsaPadding::OAEP_SHA256).map_err(err)?;
            write(out, &cipher.encrypt(&read(file)?).map_err(err)?)?;
        }
        ["decrypt", k, file, out] => {
            let cipher = RsaCipher::new(&key(k, pass)?, RsaPadding::OAEP_SHA256).map_err(err)?;
            write(out, &cipher.decrypt(&read(file)?).map_err(err)?)?;
        }
        _ => return Err(USAGE.into()),
    }
    Ok(true)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("pkey: signature does not verify");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("pkey: {e}");
            ExitCode::from(2)
        }
    }
}
