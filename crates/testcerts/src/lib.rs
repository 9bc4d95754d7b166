//! # rpoco-testcerts (not published)
//!
//! The development and test certificates of rpoco, made with [`rcgen`]: one dev CA, a server
//! certificate for `localhost`, `127.0.0.1` and `::1`, a client certificate, and one
//! certificate per verification failure a TLS client must report (expired, not yet valid,
//! wrong host, self-signed, unknown CA, wrong key usage, CN-only, a forged issuer signature,
//! a chain through an intermediate CA). `cargo xtask certs` writes them to disk; rpoco's
//! integration tests call [`DevCerts::generate`] directly so that every run uses fresh keys
//! and dates relative to now.
//!
//! ```
//! let certs = rpoco_testcerts::DevCerts::generate().unwrap();
//! assert!(certs.ca.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
//! assert_eq!(certs.scenario("expired").unwrap().names, ["localhost", "127.0.0.1", "::1"]);
//! ```

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};

pub use rcgen::Error;

/// The names every "good" dev server certificate is valid for.
pub const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A certificate (with the chain a server or client presents) and its private key.
#[derive(Clone, Debug)]
pub struct CertKey {
    /// File stem used by [`DevCerts::write_to`]: `<name>.pem` and `<name>.key`.
    pub name: String,
    /// The names (DNS or IP) in the subject alternative name extension.
    pub names: Vec<String>,
    /// The end-entity certificate followed by any intermediate, PEM.
    pub cert_pem: String,
    /// The end-entity certificate alone, PEM.
    pub leaf_pem: String,
    /// The chain as DER, end-entity first.
    pub chain_der: Vec<Vec<u8>>,
    /// The private key as PKCS#8 PEM.
    pub key_pem: String,
    /// The private key as PKCS#8 DER.
    pub key_der: Vec<u8>,
}

impl CertKey {
    fn new(name: &str, names: &[&str], chain: &[&rcgen::Certificate], key: &KeyPair) -> Self {
        CertKey {
            name: name.to_string(),
            names: names.iter().map(|n| n.to_string()).collect(),
            cert_pem: chain.iter().map(|c| c.pem()).collect(),
            leaf_pem: chain[0].pem(),
            chain_der: chain.iter().map(|c| c.der().to_vec()).collect(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        }
    }
}

/// What a TLS client verifying a scenario certificate against the dev CA must conclude.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The certificate verifies for `localhost`.
    Accept,
    /// Rejected: the certificate's validity period ended.
    Expired,
    /// Rejected: the certificate's validity period has not begun.
    NotYetValid,
    /// Rejected: the certificate is valid, but not for `localhost`.
    WrongHost,
    /// Rejected: the certificate is self-signed and not trusted.
    SelfSigned,
    /// Rejected: the certificate's issuer is not a trusted CA.
    UnknownIssuer,
    /// Rejected: the certificate may not be used for TLS server authentication.
    WrongUsage,
    /// Rejected: the certificate names its host only in the subject CN, without a SAN.
    CnOnly,
    /// Rejected: the certificate names the dev CA as its issuer, but an impostor with the
    /// same name and another key signed it.
    BadSignature,
}

/// A server certificate for one verification scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// What verification against the dev CA for `localhost` must conclude.
    pub expect: Expect,
    /// The certificate and key a test server presents.
    pub cert: CertKey,
}

impl std::ops::Deref for Scenario {
    type Target = CertKey;
    fn deref(&self) -> &CertKey {
        &self.cert
    }
}

/// A complete set of development certificates.
#[derive(Debug)]
pub struct DevCerts {
    /// The dev root CA (`CN=rpoco dev CA`): trust this one.
    pub ca: CertKey,
    /// A second root CA that nothing trusts (`CN=rpoco unknown CA`).
    pub unknown_ca: CertKey,
    /// An intermediate CA issued by the dev CA (`CN=rpoco dev intermediate CA`).
    pub intermediate_ca: CertKey,
    /// The good server certificate (ECDSA P-256) for [`SERVER_NAMES`], issued by the dev CA.
    pub server: CertKey,
    /// An RSA-2048 server certificate for [`SERVER_NAMES`], for the ECDHE-RSA suites.
    pub server_rsa: CertKey,
    /// A client certificate (`CN=rpoco dev client`, clientAuth), issued by the dev CA.
    pub client: CertKey,
    /// A client certificate issued by the unknown CA.
    pub client_unknown_ca: CertKey,
    /// One server certificate per verification scenario; see [`DevCerts::scenario`].
    pub scenarios: Vec<Scenario>,
    /// The dev CA's key, kept for issuing more certificates with [`DevCerts::issue`].
    ca_issuer: CertifiedIssuer<'static, KeyPair>,
}

impl DevCerts {
    /// Generates a fresh set: new keys, validity relative to the current date.
    pub fn generate() -> Result<DevCerts, Error> {
        let ca_issuer = make_ca("rpoco dev CA", None)?;
        let unknown_issuer = make_ca("rpoco unknown CA", None)?;
        let inter_issuer = make_ca("rpoco dev intermediate CA", Some(&ca_issuer))?;

        let ca = ca_cert_key("ca", "rpoco dev CA", &ca_issuer);
        let unknown_ca = ca_cert_key("unknown-ca-root", "rpoco unknown CA", &unknown_issuer);
        let intermediate_ca = ca_cert_key("intermediate-ca", "rpoco dev intermediate CA", &inter_issuer);

        let server = leaf("server", &SERVER_NAMES, Role::Server, &ca_issuer, Validity::Current)?;
        let server_rsa =
            leaf_with("server-rsa", &SERVER_NAMES, Role::Server, &ca_issuer, Validity::Current, true)?;
        let client = leaf("client", &["rpoco dev client"], Role::Client, &ca_issuer, Validity::Current)?;
        let client_unknown_ca = leaf(
            "client-unknown-ca",
            &["rpoco dev client"],
            Role::Client,
            &unknown_issuer,
            Validity::Current,
        )?;

        let mut scenarios = Vec::new();
        let mut push = |expect, cert| scenarios.push(Scenario { expect, cert });
        push(Expect::Expired, leaf("expired", &SERVER_NAMES, Role::Server, &ca_issuer, Validity::Expired)?);
        push(
            Expect::NotYetValid,
            leaf("not-yet-valid", &SERVER_NAMES, Role::Server, &ca_issuer, Validity::NotYetValid)?,
        );
        push(
            Expect::WrongHost,
            leaf("wrong-host", &["wrong.example"], Role::Server, &ca_issuer, Validity::Current)?,
        );
        push(Expect::SelfSigned, self_signed("self-signed", &SERVER_NAMES)?);
        push(
            Expect::UnknownIssuer,
            leaf("unknown-ca", &SERVER_NAMES, Role::Server, &unknown_issuer, Validity::Current)?,
        );
        push(
            Expect::WrongUsage,
            leaf("wrong-usage", &SERVER_NAMES, Role::Client, &ca_issuer, Validity::Current)?,
        );
        push(Expect::CnOnly, cn_only("cn-only", "localhost", &ca_issuer)?);
        let impostor = make_ca("rpoco dev CA", None)?;
        push(
            Expect::BadSignature,
            leaf("bad-signature", &SERVER_NAMES, Role::Server, &impostor, Validity::Current)?,
        );
        // The chain: leaf issued by the intermediate, presented together with it.
        let chain_leaf = leaf("chain", &SERVER_NAMES, Role::Server, &inter_issuer, Validity::Current)?;
        let mut chain = chain_leaf.clone();
        chain.cert_pem.push_str(&intermediate_ca.cert_pem);
        chain.chain_der.extend(intermediate_ca.chain_der.iter().cloned());
        push(Expect::Accept, chain);
        // The same leaf without its intermediate: the client cannot build a path.
        let mut alone = chain_leaf;
        alone.name = "chain-missing-intermediate".into();
        push(Expect::UnknownIssuer, alone);

        Ok(DevCerts {
            ca,
            unknown_ca,
            intermediate_ca,
            server,
            server_rsa,
            client,
            client_unknown_ca,
            scenarios,
            ca_issuer,
        })
    }

    /// The scenario certificate with the given file stem (`"expired"`, `"wrong-host"`, ...).
    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.cert.name == name)
    }

    /// Issues one more server certificate from the dev CA for `names` (DNS names or IPs).
    pub fn issue(&self, file_stem: &str, names: &[&str]) -> Result<CertKey, Error> {
        leaf(file_stem, names, Role::Server, &self.ca_issuer, Validity::Current)
    }

    /// Every certificate and key, for writing out.
    pub fn all(&self) -> Vec<&CertKey> {
        let mut all = vec![
            &self.ca,
            &self.unknown_ca,
            &self.intermediate_ca,
            &self.server,
            &self.server_rsa,
            &self.client,
            &self.client_unknown_ca,
        ];
        all.extend(self.scenarios.iter().map(|s| &s.cert));
        all
    }

    /// Writes `<name>.pem` (certificate chain) and `<name>.key` (PKCS#8 key) for every
    /// certificate into `dir` (created if missing), plus a `README.txt` describing them.
    /// Returns the paths written.
    pub fn write_to(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        let mut readme = String::from(
            "rpoco development certificates (cargo xtask certs). NOT FOR PRODUCTION.\n\
             Trust ca.pem; every other certificate was issued by it unless noted.\n\n",
        );
        for ck in self.all() {
            for (ext, text) in [("pem", &ck.cert_pem), ("key", &ck.key_pem)] {
                let path = dir.join(format!("{}.{ext}", ck.name));
                fs::write(&path, text)?;
                written.push(path);
            }
            let expect = self.scenarios.iter().find(|s| s.cert.name == ck.name).map(|s| s.expect);
            let note = match expect {
                Some(Expect::Accept) => "valid chain: leaf + intermediate CA".to_string(),
                Some(e) => format!("verification must fail: {e:?}"),
                None => String::new(),
            };
            readme.push_str(&format!("{:<28} {:<40} {note}\n", ck.name, ck.names.join(",")));
        }
        let path = dir.join("README.txt");
        fs::write(&path, readme)?;
        written.push(path);
        Ok(written)
    }
}

#[derive(Clone, Copy)]
enum Role {
    Server,
    Client,
}

#[derive(Clone, Copy)]
enum Validity {
    Current,
    Expired,
    NotYetValid,
}

fn ca_cert_key(name: &str, cn: &str, issuer: &CertifiedIssuer<'static, KeyPair>) -> CertKey {
    CertKey::new(name, &[cn], &[issuer.as_ref()], issuer.key())
}

fn make_ca(
    cn: &str,
    parent: Option<&CertifiedIssuer<'static, KeyPair>>,
) -> Result<CertifiedIssuer<'static, KeyPair>, Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = dn(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate()?;
    match parent {
        None => CertifiedIssuer::self_signed(params, key),
        Some(parent) => CertifiedIssuer::signed_by(params, key, parent),
    }
}

fn dn(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CH");
    dn.push(DnType::OrganizationName, "rpoco");
    dn.push(DnType::CommonName, cn);
    dn
}

fn leaf(
    name: &str,
    names: &[&str],
    role: Role,
    issuer: &Issuer<'_, KeyPair>,
    validity: Validity,
) -> Result<CertKey, Error> {
    leaf_with(name, names, role, issuer, validity, false)
}

fn leaf_with(
    name: &str,
    names: &[&str],
    role: Role,
    issuer: &Issuer<'_, KeyPair>,
    validity: Validity,
    rsa: bool,
) -> Result<CertKey, Error> {
    let sans: Vec<String> = match role {
        Role::Server => names.iter().map(|n| n.to_string()).collect(),
        Role::Client => Vec::new(),
    };
    let mut params = CertificateParams::new(sans)?;
    params.distinguished_name = dn(names[0]);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![match role {
        Role::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Role::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    if matches!(role, Role::Client) && !names[0].contains(' ') {
        // Client certificates name their holder in the CN; a DNS SAN is harmless and lets the
        // "wrong usage" scenario (a client certificate served by a server) carry the host names.
        params.subject_alt_names = names.iter().filter_map(|n| san(n)).collect();
    }
    set_validity(&mut params, validity);
    let key = if rsa {
        KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)?
    } else {
        KeyPair::generate()?
    };
    let cert = params.signed_by(&key, issuer)?;
    Ok(CertKey::new(name, names, &[&cert], &key))
}

fn san(name: &str) -> Option<SanType> {
    match name.parse::<std::net::IpAddr>() {
        Ok(ip) => Some(SanType::IpAddress(ip)),
        Err(_) => name.try_into().ok().map(SanType::DnsName),
    }
}

fn self_signed(name: &str, names: &[&str]) -> Result<CertKey, Error> {
    let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
    params.distinguished_name = dn(names[0]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    set_validity(&mut params, Validity::Current);
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(CertKey::new(name, names, &[&cert], &key))
}

fn cn_only(name: &str, cn: &str, issuer: &Issuer<'_, KeyPair>) -> Result<CertKey, Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = dn(cn);
    params.is_ca = IsCa::ExplicitNoCa;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    set_validity(&mut params, Validity::Current);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, issuer)?;
    Ok(CertKey::new(name, &[cn], &[&cert], &key))
}

fn set_validity(params: &mut CertificateParams, validity: Validity) {
    let now = rcgen::date_time_ymd(2000, 1, 1)
        + (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH))
            .unwrap_or_default()
            .saturating_sub(std::time::Duration::from_secs(946_684_800));
    let day = std::time::Duration::from_secs(86_400);
    let (from, to) = match validity {
        Validity::Current => (now - day, now + 365 * day),
        Validity::Expired => (now - 30 * day, now - day),
        Validity::NotYetValid => (now + day, now + 30 * day),
    };
    params.not_before = from;
    params.not_after = to;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_holds_leaf_then_intermediate() {
        let certs = DevCerts::generate().unwrap();
        assert_eq!(certs.server.leaf_pem, certs.server.cert_pem);
        let chain = certs.scenario("chain").unwrap();
        assert_eq!(chain.chain_der.len(), 2);
        assert_eq!(chain.cert_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(chain.cert_pem.starts_with(&chain.leaf_pem));
    }

    #[test]
    fn writes_every_file() {
        let dir = std::env::temp_dir().join(format!("rpoco-testcerts-{}", std::process::id()));
        let certs = DevCerts::generate().unwrap();
        let written = certs.write_to(&dir).unwrap();
        assert_eq!(written.len(), certs.all().len() * 2 + 1);
        assert!(dir.join("expired.pem").is_file() && dir.join("ca.key").is_file());
        fs::remove_dir_all(&dir).unwrap();
    }
}
