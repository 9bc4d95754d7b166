//! The DER key structures (PKCS #8, encrypted PKCS #8, SPKI, PKCS #1, SEC1) and their
//! normalization into an [`EvpPKey`]: RustCrypto's `pkcs8`, `pkcs1`, `sec1` and `spki`.

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::{EvpPKey, ec, ed25519, rsa};
use crate::error::{Error, Result};
use crate::random;

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// PBKDF2 rounds for the encrypted PKCS #8 we write (OpenSSL 3 uses 2048; OWASP's 2023 advice
/// for PBKDF2-HMAC-SHA-256 is far higher, this is a balance for key files opened at start-up).
pub const PKCS8_PBKDF2_ITERATIONS: u32 = 100_000;

/// Reads a key whose structure is known from its PEM label.
pub(crate) fn read_labelled(label: &str, der: &[u8], passphrase: Option<&[u8]>) -> Result<EvpPKey> {
    match label {
        "PRIVATE KEY" => from_pkcs8(der),
        "ENCRYPTED PRIVATE KEY" => decrypt_pkcs8(der, passphrase),
        "RSA PRIVATE KEY" => rsa::from_pkcs1_private(der),
        "EC PRIVATE KEY" => ec::from_sec1(der, None),
        "PUBLIC KEY" => from_spki(der),
        "RSA PUBLIC KEY" => rsa::from_pkcs1_public(der),
        other => Err(Error::format(format!("PEM block {other} is not a key"))),
    }
}

/// Reads a DER key of any supported structure.
pub(crate) fn read_der(der: &[u8], passphrase: Option<&[u8]>) -> Result<EvpPKey> {
    if PrivateKeyInfoRef::from_der(der).is_ok() {
        return from_pkcs8(der);
    }
    if EncryptedPrivateKeyInfoRef::try_from(der).is_ok() {
        return decrypt_pkcs8(der, passphrase);
    }
    if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return from_spki(der);
    }
    if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        return rsa::from_pkcs1_private(der);
    }
    if sec1::EcPrivateKey::from_der(der).is_ok() {
        return ec::from_sec1(der, None);
    }
    if pkcs1::RsaPublicKeyRef::from_der(der).is_ok() {
        return rsa::from_pkcs1_public(der);
    }
    Err(Error::format(format!(
        "{} bytes are not a DER key (PKCS #8, encrypted PKCS #8, SubjectPublicKeyInfo, PKCS #1 or SEC1), \
         or the DER is truncated or malformed",
        der.len()
    )))
}

fn bad(what: &str, e: impl std::fmt::Display) -> Error {
    Error::format(format!("malformed {what}: {e}"))
}

/// A PKCS #8 `PrivateKeyInfo`, by algorithm.
pub(crate) fn from_pkcs8(der: &[u8]) -> Result<EvpPKey> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| bad("PKCS #8 private key", e))?;
    let oid = info.algorithm.oid;
    let inner = info.private_key.as_bytes();
    if oid == RSA_ENCRYPTION {
        rsa::from_pkcs1_private(inner)
    } else if oid == EC_PUBLIC_KEY {
        let curve = curve_param(info.algorithm.parameters)?;
        ec::from_sec1(inner, curve)
    } else if oid == ED25519 {
        let seed = <&OctetStringRef>::from_der(inner).map_err(|e| bad("Ed25519 private key", e))?;
        ed25519::from_seed(seed.as_bytes())
    } else {
        Err(Error::NotFound(format!(
            "key algorithm {oid} is not supported (RSA, EC P-256/384/521, Ed25519 are)"
        )))
    }
}

/// The most PBKDF2 rounds an encrypted PKCS #8 key may ask for: 100x what we write, seconds
/// of work; a file asking more is refused before any work is done.
pub const MAX_PKCS8_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The most memory (128·N·r bytes) scrypt may ask for, and its largest parallelism: OpenSSL's
/// own limit is 32 MiB (`openssl pkcs8 -scrypt` writes 16 MiB keys).
pub const MAX_PKCS8_SCRYPT_MEMORY: u64 = 64 << 20;
const MAX_SCRYPT_PARALLELISM: u16 = 16;

/// Refuses key-derivation parameters that would make opening a hostile file take minutes or
/// gigabytes.
fn check_kdf_cost(scheme: &pkcs8::pkcs5::EncryptionScheme) -> Result<()> {
    use pkcs8::pkcs5::pbes2::Kdf;
    match scheme.pbes2().map(|p| &p.kdf) {
        Some(Kdf::Pbkdf2(p)) if p.iteration_count > MAX_PKCS8_PBKDF2_ITERATIONS => {
            Err(Error::unsupported(format!(
                "encrypted PKCS #8 key: {} PBKDF2 rounds exceed the limit of {MAX_PKCS8_PBKDF2_ITERATIONS}",
                p.iteration_count
            )))
        }
        Some(Kdf::Scrypt(p)) => {
            let memory =
                128u64.checked_mul(p.cost_parameter).and_then(|m| m.checked_mul(u64::from(p.block_size)));
            if memory.is_none_or(|m| m > MAX_PKCS8_SCRYPT_MEMORY)
                || p.parallelization > MAX_SCRYPT_PARALLELISM
            {
                return Err(Error::unsupported(format!(
                    "encrypted PKCS #8 key: scrypt N={} r={} p={} exceeds the limit of {MAX_PKCS8_SCRYPT_MEMORY} \
                     bytes of memory and parallelism {MAX_SCRYPT_PARALLELISM}",
                    p.cost_parameter, p.block_size, p.parallelization
                )));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn decrypt_pkcs8(der: &[u8], passphrase: Option<&[u8]>) -> Result<EvpPKey> {
    let info = EncryptedPrivateKeyInfoRef::try_from(der).map_err(|e| bad("encrypted PKCS #8 key", e))?;
    check_kdf_cost(&info.encryption_algorithm)?;
    let passphrase = passphrase.ok_or_else(|| {
        Error::BadPassphrase("the PKCS #8 private key is encrypted and no passphrase was given".into())
    })?;
    let plain = info.decrypt(passphrase).map_err(|e| match e {
        pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::DecryptFailed) => {
            Error::BadPassphrase("wrong passphrase for the encrypted PKCS #8 key (bad decrypt)".into())
        }
        pkcs8::Error::EncryptedPrivateKey(other) => Error::unsupported(format!(
            "encrypted PKCS #8 key: {other} (PBES2 with PBKDF2 or scrypt and AES-CBC or 3DES is supported)"
        )),
        // `info` parsed already: an ASN.1 error here is about the decrypted bytes, which a
        // wrong passphrase with valid padding (about 1 in 256) turns into garbage.
        _ => Error::BadPassphrase(
            "wrong passphrase for the encrypted PKCS #8 key (the decrypted key does not parse)".into(),
        ),
    })?;
    // A wrong passphrase can still produce valid padding (about 1 in 256); what comes out is
    // then not a key.
    from_pkcs8(plain.as_bytes()).map_err(|e| match e {
        Error::Format(_) => Error::BadPassphrase("wrong passphrase for the encrypted PKCS #8 key".into()),
        other => other,
    })
}

/// The named curve from an `id-ecPublicKey` parameter (absent means "from the SEC1 body").
fn curve_param(params: Option<AnyRef<'_>>) -> Result<Option<ec::Curve>> {
    let Some(params) = params else { return Ok(None) };
    let oid: ObjectIdentifier = params.decode_as().map_err(|_| {
        Error::unsupported("EC keys with explicit curve parameters are not supported; use a named curve")
    })?;
    ec::Curve::from_oid(oid).map(Some)
}

/// A SubjectPublicKeyInfo.
pub(crate) fn from_spki(der: &[u8]) -> Result<EvpPKey> {
    let info = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| bad("SubjectPublicKeyInfo", e))?;
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::format("public key BIT STRING has unused bits"))?;
    let oid = info.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        rsa::from_pkcs1_public(bits)
    } else if oid == EC_PUBLIC_KEY {
        let curve = curve_param(info.algorithm.parameters)?
            .ok_or_else(|| Error::format("EC public key without curve parameters"))?;
        ec::public_from_point(curve, bits)
    } else if oid == ED25519 {
        ed25519::public_from_bytes(bits)
    } else {
        Err(Error::NotFound(format!(
            "key algorithm {oid} is not supported (RSA, EC P-256/384/521, Ed25519 are)"
        )))
    }
}

/// The SPKI DER for a raw public key.
pub(crate) fn spki(oid: ObjectIdentifier, params: Option<AnyRef<'_>>, public: &[u8]) -> Result<Vec<u8>> {
    let info = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters: params },
        subject_public_key: BitStringRef::from_bytes(public).map_err(|e| bad("public key", e))?,
    };
    info.to_der().map_err(|e| bad("public key", e))
}

/// A PKCS #8 v1 `PrivateKeyInfo` DER around an algorithm's private key bytes.
pub(crate) fn pkcs8(
    oid: ObjectIdentifier,
    params: Option<AnyRef<'_>>,
    private: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let key = OctetStringRef::new(private).map_err(|e| bad("private key", e))?;
    let info = PrivateKeyInfoRef::new(AlgorithmIdentifierRef { oid, parameters: params }, key);
    info.to_der().map(Zeroizing::new).map_err(|e| bad("private key", e))
}

/// The algorithm-specific private key inside a PKCS #8 `PrivateKeyInfo`.
pub(crate) fn pkcs8_inner(pkcs8: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = PrivateKeyInfoRef::from_der(pkcs8).map_err(|e| bad("PKCS #8 private key", e))?;
    Ok(Zeroizing::new(info.private_key.as_bytes().to_vec()))
}

/// Encrypted PKCS #8 (PBES2: PBKDF2-HMAC-SHA-256, AES-256-CBC, random salt and IV).
pub(crate) fn encrypt_pkcs8(pkcs8: &[u8], passphrase: &[u8]) -> Result<Vec<u8>> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    random::fill_random(&mut salt)?;
    random::fill_random(&mut iv)?;
    let params =
        pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(PKCS8_PBKDF2_ITERATIONS, &salt, iv)
            .map_err(|e| Error::invalid(format!("PBES2 parameters: {e}")))?;
    let info = PrivateKeyInfoRef::from_der(pkcs8).map_err(|e| bad("PKCS #8 private key", e))?;
    let doc = info
        .encrypt_with_params(params, passphrase)
        .map_err(|e| Error::invalid(format!("PKCS #8 encryption: {e}")))?;
    Ok(doc.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use der::asn1::OctetString;
    use pkcs8::pkcs5::pbes2::Parameters;
    use pkcs8::pkcs5::scrypt;

    use super::*;

    /// An encrypted PKCS #8 key with `params` and a ciphertext nobody derived a key for: the
    /// limit must refuse it before any key derivation runs (the test would take minutes or
    /// gigabytes otherwise).
    fn sealed_with(params: Parameters) -> Vec<u8> {
        let info = pkcs8::EncryptedPrivateKeyInfoOwned {
            encryption_algorithm: params.into(),
            encrypted_data: OctetString::new(vec![0u8; 48]).unwrap(),
        };
        info.to_der().unwrap()
    }

    #[test]
    fn hostile_key_derivation_costs_are_refused_up_front() {
        let (salt, iv) = ([7u8; 16], [9u8; 16]);
        let rounds =
            Parameters::generate_pbkdf2_sha256_aes256cbc(MAX_PKCS8_PBKDF2_ITERATIONS + 1, &salt, iv).unwrap();
        let memory =
            Parameters::generate_scrypt_aes128cbc(scrypt::Params::new(24, 8, 1).unwrap(), &salt, iv).unwrap();
        let parallel =
            Parameters::generate_scrypt_aes128cbc(scrypt::Params::new(10, 8, 64).unwrap(), &salt, iv)
                .unwrap();
        for (what, params) in
            [("PBKDF2 rounds", rounds), ("scrypt memory", memory), ("scrypt parallelism", parallel)]
        {
            let der = sealed_with(params);
            assert!(matches!(decrypt_pkcs8(&der, Some(b"pw")), Err(Error::Unsupported(_))), "{what}");
        }
        // Within the limits the derivation runs (and the zero ciphertext is a wrong passphrase).
        let at_limit = Parameters::generate_pbkdf2_sha256_aes256cbc(1, &salt, iv).unwrap();
        assert!(matches!(decrypt_pkcs8(&sealed_with(at_limit), Some(b"pw")), Err(Error::BadPassphrase(_))));
    }
}
