//! aws-lc-rs public-key operations: RSA (PKCS #1 v1.5 and PSS signatures, OAEP and PKCS #1
//! v1.5 encryption, key generation), ECDSA on P-256/384/521 with their matching digests,
//! Ed25519. Signatures are made and checked over digests (`sign_digest`/`verify_digest`), so
//! streaming signers never keep the message. `None` means "not here": RustCrypto takes it.

use aws_lc_rs::digest::{self, Digest};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    self as lc_rsa, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey,
    Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature as sig;
use zeroize::Zeroizing;

use super::pk::Signed;
use crate::digest::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pkey::{Curve, EvpPKey, KeyType};
use crate::rsa_cipher::RsaPadding;
use crate::sign::SignatureScheme;

fn lc_digest(d: DigestAlgorithm) -> Option<&'static digest::Algorithm> {
    Some(match d {
        DigestAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        DigestAlgorithm::Sha224 => &digest::SHA224,
        DigestAlgorithm::Sha256 => &digest::SHA256,
        DigestAlgorithm::Sha384 => &digest::SHA384,
        DigestAlgorithm::Sha512 => &digest::SHA512,
        DigestAlgorithm::Sha512_256 => &digest::SHA512_256,
        _ => return None,
    })
}

fn imported(d: DigestAlgorithm, bytes: &[u8]) -> Option<Digest> {
    Digest::import_less_safe(bytes, lc_digest(d)?).ok()
}

super::pk_tables::signature_tables!(sig,
    verify: {
        (Ec(Curve::P521), Ecdsa(D::Sha512)) => &sig::ECDSA_P521_SHA512_ASN1,
        (Ec(Curve::P521), EcdsaP1363(D::Sha512)) => &sig::ECDSA_P521_SHA512_FIXED,
    },
    sign: {
        (Ec(Curve::P521), Ecdsa(D::Sha512)) => &sig::ECDSA_P521_SHA512_ASN1_SIGNING,
        (Ec(Curve::P521), EcdsaP1363(D::Sha512)) => &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
);

fn rejected(what: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("aws-lc-rs rejected the {what}: {e}"))
}

pub(crate) fn sign(key: &EvpPKey, scheme: SignatureScheme, input: Signed<'_>) -> Option<Result<Vec<u8>>> {
    let pkcs8 = match key.private_pkcs8() {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    match (key.key_type(), scheme) {
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(d) | SignatureScheme::RsaPss(d)) => {
            let encoding = rsa_signing(scheme)?;
            let digest = imported(d, input.digest)?;
            Some(lc_rsa::KeyPair::from_pkcs8(pkcs8).map_err(|e| rejected("RSA private key", e)).and_then(
                |kp| {
                    let mut out = vec![0u8; kp.public_modulus_len()];
                    kp.sign_digest(encoding, &digest, &mut out).map_err(|e| rejected("RSA signature", e))?;
                    Ok(out)
                },
            ))
        }
        (KeyType::Ec(_), SignatureScheme::Ecdsa(d) | SignatureScheme::EcdsaP1363(d)) => {
            let alg = ecdsa_signing(key.key_type(), scheme)?;
            let digest = imported(d, input.digest)?;
            Some(
                sig::EcdsaKeyPair::from_pkcs8(alg, pkcs8)
                    .map_err(|e| rejected("EC private key", e))
                    .and_then(|kp| kp.sign_digest(&digest).map_err(|e| rejected("ECDSA signature", e)))
                    .map(|s| s.as_ref().to_vec()),
            )
        }
        (KeyType::Ed25519, SignatureScheme::Ed25519) => {
            let message = input.message?;
            Some(
                sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
                    .map_err(|e| rejected("Ed25519 private key", e))
                    .map(|kp| kp.sign(message).as_ref().to_vec()),
            )
        }
        _ => None,
    }
}

pub(crate) fn verify(
    key: &EvpPKey,
    scheme: SignatureScheme,
    input: Signed<'_>,
    signature: &[u8],
) -> Option<bool> {
    let alg = verification(key.key_type(), scheme)?;
    let public = sig::UnparsedPublicKey::new(alg, key.public_key_bytes());
    Some(match scheme {
        SignatureScheme::Ed25519 => public.verify(input.message?, signature).is_ok(),
        SignatureScheme::RsaPkcs1(d)
        | SignatureScheme::RsaPss(d)
        | SignatureScheme::Ecdsa(d)
        | SignatureScheme::EcdsaP1363(d) => {
            public.verify_digest(&imported(d, input.digest)?, signature).is_ok()
        }
    })
}

pub(crate) fn generate_rsa(bits: usize) -> Result<Zeroizing<Vec<u8>>> {
    let size = match bits {
        2048 => lc_rsa::KeySize::Rsa2048,
        3072 => lc_rsa::KeySize::Rsa3072,
        4096 => lc_rsa::KeySize::Rsa4096,
        8192 => lc_rsa::KeySize::Rsa8192,
        other => {
            return Err(Error::unsupported(format!(
                "aws-lc-rs generates RSA keys of 2048, 3072, 4096 or 8192 bits, not {other}"
            )));
        }
    };
    let kp = lc_rsa::KeyPair::generate(size).map_err(|e| rejected("RSA key generation", e))?;
    let der = kp.as_der().map_err(|e| rejected("RSA key encoding", e))?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}

fn oaep(d: DigestAlgorithm) -> Option<&'static lc_rsa::OaepAlgorithm> {
    Some(match d {
        DigestAlgorithm::Sha1 => &lc_rsa::OAEP_SHA1_MGF1SHA1,
        DigestAlgorithm::Sha256 => &lc_rsa::OAEP_SHA256_MGF1SHA256,
        DigestAlgorithm::Sha384 => &lc_rsa::OAEP_SHA384_MGF1SHA384,
        DigestAlgorithm::Sha512 => &lc_rsa::OAEP_SHA512_MGF1SHA512,
        _ => return None,
    })
}

pub(crate) fn rsa_encrypt(key: &EvpPKey, padding: RsaPadding, plaintext: &[u8]) -> Option<Result<Vec<u8>>> {
    let public = match PublicEncryptingKey::from_der(key.public_key_der()) {
        Ok(k) => k,
        Err(e) => return Some(Err(rejected("RSA public key", e))),
    };
    let too_long = || {
        Error::invalid(format!(
            "{} bytes are too long for {padding} with a {}-bit key",
            plaintext.len(),
            key.bits()
        ))
    };
    Some(match padding {
        RsaPadding::Oaep(d) => {
            let alg = oaep(d)?;
            OaepPublicEncryptingKey::new(public).map_err(|e| rejected("RSA public key", e)).and_then(|k| {
                if plaintext.len() > k.max_plaintext_size(alg) {
                    return Err(too_long());
                }
                let mut out = vec![0u8; k.ciphertext_size()];
                let n = k
                    .encrypt(alg, plaintext, &mut out, None)
                    .map_err(|e| rejected("OAEP encryption", e))?
                    .len();
                out.truncate(n);
                Ok(out)
            })
        }
        RsaPadding::Pkcs1 => {
            Pkcs1PublicEncryptingKey::new(public).map_err(|e| rejected("RSA public key", e)).and_then(|k| {
                if plaintext.len() > k.max_plaintext_size() {
                    return Err(too_long());
                }
                let mut out = vec![0u8; k.ciphertext_size()];
                let n = k.encrypt(plaintext, &mut out).map_err(|e| rejected("PKCS #1 encryption", e))?.len();
                out.truncate(n);
                Ok(out)
            })
        }
    })
}

pub(crate) fn rsa_decrypt(
    key: &EvpPKey,
    padding: RsaPadding,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let private =
        PrivateDecryptingKey::from_pkcs8(key.private_pkcs8()?).map_err(|e| rejected("RSA private key", e))?;
    let failed = || Error::BadDecrypt;
    let mut out = Zeroizing::new(vec![0u8; private.key_size_bytes()]);
    let n = match padding {
        RsaPadding::Oaep(d) => {
            let alg = oaep(d).ok_or_else(|| {
                Error::unsupported(format!(
                    "{padding} is not supported (OAEP with SHA-1, SHA-256, SHA-384, SHA-512 is)"
                ))
            })?;
            let k = OaepPrivateDecryptingKey::new(private).map_err(|e| rejected("RSA private key", e))?;
            k.decrypt(alg, ciphertext, &mut out, None).map_err(|_| failed())?.len()
        }
        RsaPadding::Pkcs1 => {
            let k = Pkcs1PrivateDecryptingKey::new(private).map_err(|e| rejected("RSA private key", e))?;
            k.decrypt(ciphertext, &mut out).map_err(|_| failed())?.len()
        }
    };
    out.truncate(n);
    Ok(out)
}

/// A key parsed once for repeated use (signature engines keep one), so the per-call cost is the
/// signature alone, not parsing and validating the key again.
pub(crate) enum Prepared {
    Rsa(lc_rsa::KeyPair),
    Ecdsa(sig::EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
    Public(sig::ParsedPublicKey),
}

/// The provider's parsed private key for `scheme`, if it serves it.
pub(crate) fn prepare_signer(key: &EvpPKey, scheme: SignatureScheme) -> Option<Prepared> {
    let pkcs8 = key.private_pkcs8().ok()?;
    Some(match (key.key_type(), scheme) {
        (KeyType::Rsa, SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss(_)) => {
            rsa_signing(scheme)?;
            Prepared::Rsa(lc_rsa::KeyPair::from_pkcs8(pkcs8).ok()?)
        }
        (KeyType::Ec(_), _) => Prepared::Ecdsa(
            sig::EcdsaKeyPair::from_pkcs8(ecdsa_signing(key.key_type(), scheme)?, pkcs8).ok()?,
        ),
        (KeyType::Ed25519, SignatureScheme::Ed25519) => {
            Prepared::Ed25519(sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).ok()?)
        }
        _ => return None,
    })
}

/// The provider's parsed public key for `scheme`, if it serves it.
pub(crate) fn prepare_verifier(key: &EvpPKey, scheme: SignatureScheme) -> Option<Prepared> {
    let alg = verification(key.key_type(), scheme)?;
    sig::ParsedPublicKey::new(alg, key.public_key_bytes()).ok().map(Prepared::Public)
}

pub(crate) fn sign_prepared(
    p: &Prepared,
    scheme: SignatureScheme,
    input: Signed<'_>,
) -> Option<Result<Vec<u8>>> {
    let digest = || scheme.digest().and_then(|d| imported(d, input.digest));
    Some(match p {
        Prepared::Rsa(kp) => {
            let (encoding, digest) = (rsa_signing(scheme)?, digest()?);
            let mut out = vec![0u8; kp.public_modulus_len()];
            kp.sign_digest(encoding, &digest, &mut out)
                .map(|()| out)
                .map_err(|e| rejected("RSA signature", e))
        }
        Prepared::Ecdsa(kp) => kp
            .sign_digest(&digest()?)
            .map(|s| s.as_ref().to_vec())
            .map_err(|e| rejected("ECDSA signature", e)),
        Prepared::Ed25519(kp) => Ok(kp.sign(input.message?).as_ref().to_vec()),
        Prepared::Public(_) => return None,
    })
}

pub(crate) fn verify_prepared(
    p: &Prepared,
    scheme: SignatureScheme,
    input: Signed<'_>,
    signature: &[u8],
) -> Option<bool> {
    let Prepared::Public(key) = p else { return None };
    Some(match scheme {
        SignatureScheme::Ed25519 => key.verify_sig(input.message?, signature).is_ok(),
        _ => key.verify_digest_sig(&imported(scheme.digest()?, input.digest)?, signature).is_ok(),
    })
}
