//! PEM blocks with RFC 1421 headers, and OpenSSL's traditional encrypted keys
//! (`Proc-Type: 4,ENCRYPTED` + `DEK-Info: <cipher>,<hex IV>`).
//!
//! `pem-rfc7468` (used by the `der` crate) rejects headers by design, so the few lines of
//! framing are read here; the contents go to the DER readers in `der_forms`.
//!
//! The traditional encryption is what `openssl rsa -aes256`, `PEM_write_bio_RSAPrivateKey`
//! with a cipher (POCO's `RSAKey::save` with a passphrase: DES-EDE3-CBC) and `ECKey::save`
//! write: key = `EVP_BytesToKey(MD5, passphrase, salt = IV[..8], count = 1)`, then CBC with
//! PKCS #7 padding.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use zeroize::Zeroizing;

use super::{EvpPKey, der_forms};
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::kdf;

/// The most PEM blocks looked at in one input (a chain file has a handful).
const MAX_BLOCKS: usize = 1024;

/// One PEM block: its label, its `Name: value` headers and the decoded body.
pub(crate) struct Block {
    pub(crate) label: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

impl Block {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Every PEM block in `text`, in order. Text outside blocks is ignored (as OpenSSL does);
/// a block without its END line or with bad Base64 is an error.
pub(crate) fn blocks(text: &[u8]) -> Result<Vec<Block>> {
    let text = std::str::from_utf8(text).map_err(|_| Error::format("PEM data is not ASCII text"))?;
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(label) = line.trim().strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        if out.len() == MAX_BLOCKS {
            return Err(Error::format(format!("more than {MAX_BLOCKS} PEM blocks")));
        }
        let end = format!("-----END {label}-----");
        let mut headers = Vec::new();
        let mut body = Zeroizing::new(String::new());
        let mut in_headers = true;
        let mut closed = false;
        for line in lines.by_ref() {
            let line = line.trim();
            if line == end {
                closed = true;
                break;
            }
            if in_headers {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_owned(), value.trim().to_owned()));
                    continue;
                }
                in_headers = false;
                if line.is_empty() {
                    continue;
                }
            }
            body.push_str(line);
        }
        if !closed {
            return Err(Error::truncated(format!("PEM block {label} has no END line")));
        }
        let der = rpoco_foundation::base64::decode(body.as_bytes())
            .map_err(|e| Error::format(format!("bad Base64 in PEM block {label}: {e}")))?;
        out.push(Block { label: label.to_owned(), headers, der: Zeroizing::new(der) });
    }
    Ok(out)
}

/// `label` PEM with 64-character lines and LF line ends, as OpenSSL writes.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = Zeroizing::new(rpoco_foundation::base64::encode_with(
        der,
        rpoco_foundation::base64::Base64Options::no_line_breaks(),
    ));
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.extend(line.iter().map(|&b| char::from(b)));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// The first key block in `text`, decrypted if needed.
pub(crate) fn read_key(text: &[u8], passphrase: Option<&[u8]>) -> Result<EvpPKey> {
    for block in blocks(text)? {
        let der = match block.label.as_str() {
            "RSA PRIVATE KEY" | "EC PRIVATE KEY" if block.header("Proc-Type").is_some() => {
                let der = decrypt_traditional(&block, passphrase)?;
                // A wrong passphrase still yields valid padding about 1 time in 256; what
                // comes out is then not a key, and the passphrase is what was wrong.
                return der_forms::read_labelled(&block.label, &der, passphrase).map_err(|e| match e {
                    Error::Format(_) => Error::BadPassphrase(format!(
                        "wrong passphrase for the {} (the decrypted key does not parse)",
                        block.label
                    )),
                    other => other,
                });
            }
            "PRIVATE KEY"
            | "ENCRYPTED PRIVATE KEY"
            | "RSA PRIVATE KEY"
            | "EC PRIVATE KEY"
            | "PUBLIC KEY"
            | "RSA PUBLIC KEY" => block.der.clone(),
            _ => continue,
        };
        return der_forms::read_labelled(&block.label, &der, passphrase);
    }
    Err(Error::format(
        "no key found in the PEM data (expected BEGIN PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, \
         EC PRIVATE KEY, PUBLIC KEY or RSA PUBLIC KEY)",
    ))
}

fn decrypt_traditional(block: &Block, passphrase: Option<&[u8]>) -> Result<Zeroizing<Vec<u8>>> {
    let proc_type = block.header("Proc-Type").unwrap_or_default();
    if proc_type.replace(' ', "") != "4,ENCRYPTED" {
        return Err(Error::format(format!("unsupported PEM Proc-Type {proc_type:?}")));
    }
    let dek =
        block.header("DEK-Info").ok_or_else(|| Error::format("encrypted PEM key without DEK-Info header"))?;
    let (cipher, iv_hex) =
        dek.split_once(',').ok_or_else(|| Error::format(format!("malformed DEK-Info header {dek:?}")))?;
    let iv = rpoco_foundation::hex::decode(iv_hex.trim())
        .map_err(|_| Error::format(format!("malformed IV in DEK-Info header {dek:?}")))?;
    let cipher = cipher.trim().to_ascii_uppercase();
    let (key_len, iv_len) = match cipher.as_str() {
        "DES-EDE3-CBC" => (24, 8),
        "AES-128-CBC" => (16, 16),
        "AES-192-CBC" => (24, 16),
        "AES-256-CBC" => (32, 16),
        other => {
            return Err(Error::unsupported(format!(
                "PEM key encrypted with {other}: only DES-EDE3-CBC and AES-128/192/256-CBC are supported"
            )));
        }
    };
    if iv.len() != iv_len {
        return Err(Error::format(format!(
            "DEK-Info IV for {cipher} must be {iv_len} bytes, got {}",
            iv.len()
        )));
    }
    let passphrase = passphrase.ok_or_else(|| {
        Error::BadPassphrase(format!("the {} is encrypted and no passphrase was given", block.label))
    })?;
    let salt: [u8; 8] = iv[..8].try_into().map_err(|_| Error::format("short DEK-Info IV"))?;
    let (key, _) = kdf::evp_bytes_to_key(DigestAlgorithm::Md5, passphrase, Some(&salt), 1, key_len, 0)?;
    let key = Zeroizing::new(key);
    let plain = match key_len {
        24 if iv_len == 8 => cbc_decrypt::<des::TdesEde3>(&key, &iv, &block.der),
        16 => cbc_decrypt::<aes::Aes128Dec>(&key, &iv, &block.der),
        24 => cbc_decrypt::<aes::Aes192Dec>(&key, &iv, &block.der),
        _ => cbc_decrypt::<aes::Aes256Dec>(&key, &iv, &block.der),
    };
    plain.ok_or_else(|| {
        Error::BadPassphrase(format!("wrong passphrase for the {} ({cipher} bad decrypt)", block.label))
    })
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>>
where
    C: BlockCipherDecrypt + KeyInit,
{
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    dec.decrypt_padded_vec::<Pkcs7>(data).ok().map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_with_headers_and_noise() {
        let text = b"junk\n-----BEGIN X-----\nA: b\nProc-Type: 4,ENCRYPTED\n\nAAEC\n-----END X-----\ntrailer";
        let b = blocks(text).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].label, "X");
        assert_eq!(b[0].header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(&b[0].der[..], &[0, 1, 2]);
        assert!(matches!(blocks(b"-----BEGIN X-----\nAAEC\n"), Err(Error::Truncated(_))));
        assert!(matches!(blocks(b"-----BEGIN X-----\nA!!C\n-----END X-----\n"), Err(Error::Format(_))));
        let round = encode("THING", &[7u8; 100]);
        assert_eq!(&blocks(round.as_bytes()).unwrap()[0].der[..], &[7u8; 100]);
    }

    #[test]
    fn unknown_dek_cipher_is_unsupported() {
        let text = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-CBC,0001020304050607\n\nAAEC\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(read_key(text, Some(b"x")), Err(Error::Unsupported(_))));
        let text = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00010203040506070001020304050607\n\nAAECAwQFBgcICQoLDA0ODw==\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(read_key(text, None), Err(Error::BadPassphrase(_))));
    }
}
