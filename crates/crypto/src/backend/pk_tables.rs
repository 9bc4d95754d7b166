//! Which provider algorithm serves which signature scheme: one table for aws-lc-rs and
//! ring, whose `signature` modules share their names. ring lacks P-521, so aws-lc-rs adds
//! those rows as extra match arms.

/// Defines `rsa_signing`, `verification` and `ecdsa_signing` over the `signature` module
/// `$sig` (in scope at the call); `verify: {..}` and `sign: {..}` are extra match arms
/// (written with `Ec`, `Ecdsa`, `EcdsaP1363` and `D` for `DigestAlgorithm`).
macro_rules! signature_tables {
    ($sig:ident $(, verify: { $($verify:tt)* }, sign: { $($sign:tt)* })?) => {
        fn rsa_signing(scheme: SignatureScheme) -> Option<&'static dyn $sig::RsaEncoding> {
            use DigestAlgorithm as D;
            Some(match scheme {
                SignatureScheme::RsaPkcs1(D::Sha256) => &$sig::RSA_PKCS1_SHA256,
                SignatureScheme::RsaPkcs1(D::Sha384) => &$sig::RSA_PKCS1_SHA384,
                SignatureScheme::RsaPkcs1(D::Sha512) => &$sig::RSA_PKCS1_SHA512,
                SignatureScheme::RsaPss(D::Sha256) => &$sig::RSA_PSS_SHA256,
                SignatureScheme::RsaPss(D::Sha384) => &$sig::RSA_PSS_SHA384,
                SignatureScheme::RsaPss(D::Sha512) => &$sig::RSA_PSS_SHA512,
                _ => return None,
            })
        }

        fn verification(
            kind: KeyType,
            scheme: SignatureScheme,
        ) -> Option<&'static dyn $sig::VerificationAlgorithm> {
            use DigestAlgorithm as D;
            use KeyType::{Ec, Rsa};
            use SignatureScheme::{Ecdsa, EcdsaP1363, RsaPkcs1, RsaPss};
            Some(match (kind, scheme) {
                (Rsa, RsaPkcs1(D::Sha1)) => &$sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                (Rsa, RsaPkcs1(D::Sha256)) => &$sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                (Rsa, RsaPkcs1(D::Sha384)) => &$sig::RSA_PKCS1_2048_8192_SHA384,
                (Rsa, RsaPkcs1(D::Sha512)) => &$sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                (Rsa, RsaPss(D::Sha256)) => &$sig::RSA_PSS_2048_8192_SHA256,
                (Rsa, RsaPss(D::Sha384)) => &$sig::RSA_PSS_2048_8192_SHA384,
                (Rsa, RsaPss(D::Sha512)) => &$sig::RSA_PSS_2048_8192_SHA512,
                (Ec(Curve::P256), Ecdsa(D::Sha256)) => &$sig::ECDSA_P256_SHA256_ASN1,
                (Ec(Curve::P384), Ecdsa(D::Sha384)) => &$sig::ECDSA_P384_SHA384_ASN1,
                (Ec(Curve::P256), EcdsaP1363(D::Sha256)) => &$sig::ECDSA_P256_SHA256_FIXED,
                (Ec(Curve::P384), EcdsaP1363(D::Sha384)) => &$sig::ECDSA_P384_SHA384_FIXED,
                $($($verify)*)?
                (KeyType::Ed25519, SignatureScheme::Ed25519) => &$sig::ED25519,
                _ => return None,
            })
        }

        fn ecdsa_signing(
            kind: KeyType,
            scheme: SignatureScheme,
        ) -> Option<&'static $sig::EcdsaSigningAlgorithm> {
            use DigestAlgorithm as D;
            use KeyType::Ec;
            use SignatureScheme::{Ecdsa, EcdsaP1363};
            Some(match (kind, scheme) {
                (Ec(Curve::P256), Ecdsa(D::Sha256)) => &$sig::ECDSA_P256_SHA256_ASN1_SIGNING,
                (Ec(Curve::P384), Ecdsa(D::Sha384)) => &$sig::ECDSA_P384_SHA384_ASN1_SIGNING,
                (Ec(Curve::P256), EcdsaP1363(D::Sha256)) => &$sig::ECDSA_P256_SHA256_FIXED_SIGNING,
                (Ec(Curve::P384), EcdsaP1363(D::Sha384)) => &$sig::ECDSA_P384_SHA384_FIXED_SIGNING,
                $($($sign)*)?
                _ => return None,
            })
        }
    };
}

pub(super) use signature_tables;
