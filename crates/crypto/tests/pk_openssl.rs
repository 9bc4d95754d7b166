//! Public-key interop with the `openssl` command line, both ways: keys in every format
//! (PKCS #8, traditional, DER, encrypted PKCS #8, `Proc-Type: 4,ENCRYPTED` with AES and
//! DES-EDE3), signatures (RSA PKCS #1 v1.5 and PSS, ECDSA, Ed25519), RSA-OAEP ciphertexts,
//! PKCS #12 files (default and `-legacy`) and certificates.
//!
//! Without `openssl` the tests print why and pass, unless `CI` is set: then they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use rpoco_crypto::sign::{sign_message, verify_message};
use rpoco_crypto::{
    Curve, DigestAlgorithm, EcKey, Ed25519Key, Error, EvpPKey, KeyType, Pkcs12Container, PrivateKeyFormat,
    RsaCipher, RsaPadding, SignatureScheme, X509Certificate,
};

fn have_openssl() -> bool {
    if Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("openssl is not installed in CI (scripts/install-test-deps.sh installs it)");
    }
    println!("SKIPPED openssl public-key interop: openssl is not installed");
    false
}

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn backend() -> &'static str {
    rpoco_crypto::backend_name()
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Dir(tempfile::tempdir().unwrap())
    }
    fn p(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
    fn s(&self, name: &str) -> String {
        self.p(name).display().to_string()
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// (name, genpkey arguments) for each key type.
const KEYS: [(&str, &[&str]); 5] = [
    ("rsa", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
    ("p256", &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
    ("p384", &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
    ("p521", &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]),
    ("ed25519", &["-algorithm", "ED25519"]),
];

fn genpkey(dir: &Dir, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.p(&format!("{name}.pem"));
    if name == "rsa" {
        // RSA generation is slow; the committed fixture is an `openssl genpkey` key too.
        std::fs::copy(fixture("keys/rsa2048.pem"), &path).unwrap();
    } else {
        let mut all = vec!["genpkey"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-out", path.to_str().unwrap()]);
        openssl(&all);
    }
    path
}

#[test]
fn openssl_keys_load_in_every_format() {
    if !have_openssl() {
        return;
    }
    let dir = Dir::new();
    for (name, args) in KEYS {
        let pem = genpkey(&dir, name, args);
        let pem_s = pem.to_str().unwrap();
        let spki = openssl(&["pkey", "-in", pem_s, "-pubout", "-outform", "DER"]);
        let key = EvpPKey::from_file(&pem, None).unwrap();
        assert_eq!(key.public_key_der(), &spki[..], "{name}");
        let pass = "pass:s3cret";
        let mut forms: Vec<(&str, Vec<&str>)> = vec![
            ("der", vec!["pkey", "-in", pem_s, "-outform", "DER"]),
            ("pkcs8-aes", vec!["pkcs8", "-topk8", "-in", pem_s, "-v2", "aes-256-cbc", "-passout", pass]),
            ("pkcs8-des3", vec!["pkcs8", "-topk8", "-in", pem_s, "-v2", "des3", "-passout", pass]),
            ("pkcs8-scrypt", vec!["pkcs8", "-topk8", "-in", pem_s, "-scrypt", "-passout", pass]),
            ("pubout", vec!["pkey", "-in", pem_s, "-pubout"]),
        ];
        if name != "ed25519" {
            // `openssl ec` always writes SEC1; `openssl rsa` needs -traditional for PKCS #1.
            let tool: &[&str] = if name == "rsa" { &["rsa", "-traditional"] } else { &["ec"] };
            for (form, cipher) in [
                ("traditional", None),
                ("traditional-aes", Some("-aes256")),
                ("traditional-des3", Some("-des3")),
            ] {
                let mut a = tool.to_vec();
                a.extend(["-in", pem_s]);
                if let Some(c) = cipher {
                    a.extend([c, "-passout", pass]);
                }
                forms.push((form, a));
            }
        }
        if name == "rsa" {
            forms.push(("rsa-public", vec!["rsa", "-in", pem_s, "-RSAPublicKey_out"]));
        }
        for (form, args) in forms {
            let bytes = openssl(&args);
            let back =
                EvpPKey::from_bytes(&bytes, Some(b"s3cret")).unwrap_or_else(|e| panic!("{name} {form}: {e}"));
            assert_eq!(back, key, "{name} {form}");
            assert_eq!(back.has_private_key(), !form.contains("pub"), "{name} {form}");
            if form.contains("aes") || form.contains("des3") || form.contains("scrypt") {
                let wrong = EvpPKey::from_bytes(&bytes, Some(b"wrong"));
                assert!(matches!(wrong, Err(Error::BadPassphrase(_))), "{name} {form}: {wrong:?}");
            }
        }
    }
}

#[test]
fn our_keys_load_in_openssl() {
    if !have_openssl() {
        return;
    }
    let dir = Dir::new();
    let keys: Vec<EvpPKey> = vec![
        EvpPKey::from_file(fixture("keys/rsa2048.pem"), None).unwrap(),
        EcKey::generate(Curve::P256).unwrap().into(),
        EcKey::generate(Curve::P521).unwrap().into(),
        Ed25519Key::generate().unwrap().into(),
    ];
    for key in keys {
        let what = key.key_type().to_string();
        std::fs::write(dir.p("enc.pem"), key.private_key_pem_encrypted(b"pw").unwrap().as_bytes()).unwrap();
        std::fs::write(
            dir.p("trad.pem"),
            key.private_key_pem_as(PrivateKeyFormat::Traditional).unwrap().as_bytes(),
        )
        .unwrap();
        std::fs::write(dir.p("pub.pem"), key.public_key_pem()).unwrap();
        for file in ["enc.pem", "trad.pem"] {
            let spki =
                openssl(&["pkey", "-in", &dir.s(file), "-passin", "pass:pw", "-pubout", "-outform", "DER"]);
            assert_eq!(&spki[..], key.public_key_der(), "{what} {file}");
        }
        let spki = openssl(&["pkey", "-pubin", "-in", &dir.s("pub.pem"), "-pubout", "-outform", "DER"]);
        assert_eq!(&spki[..], key.public_key_der(), "{what} public");
        let text = String::from_utf8(openssl(&["asn1parse", "-in", &dir.s("enc.pem")])).unwrap();
        assert!(text.contains("PBES2") && text.contains("PBKDF2") && text.contains("aes-256-cbc"), "{text}");
    }
}

fn scheme_args(key: KeyType, scheme: SignatureScheme) -> Vec<&'static str> {
    match (key, scheme) {
        (_, SignatureScheme::RsaPss(_)) => {
            vec![
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
                "-sigopt",
                "rsa_mgf1_md:sha256",
            ]
        }
        _ => vec![],
    }
}

#[test]
fn signatures_verify_both_ways() {
    if !have_openssl() {
        return;
    }
    let dir = Dir::new();
    let message = b"The quick brown fox jumps over the lazy dog".repeat(50);
    std::fs::write(dir.p("msg"), &message).unwrap();
    for (name, args) in KEYS {
        let pem = genpkey(&dir, name, args);
        let key = EvpPKey::from_file(&pem, None).unwrap();
        std::fs::write(dir.p("pub.pem"), key.public_key_pem()).unwrap();
        let schemes = match key.key_type() {
            KeyType::Rsa => vec![
                SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256),
                SignatureScheme::RsaPss(DigestAlgorithm::Sha256),
            ],
            KeyType::Ed25519 => vec![SignatureScheme::Ed25519],
            kind => vec![SignatureScheme::default_for(kind), SignatureScheme::Ecdsa(DigestAlgorithm::Sha256)],
        };
        for scheme in schemes {
            let what = format!("{name} {scheme}");
            // openssl signs, we verify.
            let sig = if scheme == SignatureScheme::Ed25519 {
                openssl(&[
                    "pkeyutl",
                    "-sign",
                    "-rawin",
                    "-inkey",
                    pem.to_str().unwrap(),
                    "-in",
                    &dir.s("msg"),
                ])
            } else {
                let md = format!("-{}", scheme.digest().unwrap().name().to_ascii_lowercase());
                let msg = dir.s("msg");
                let mut a = vec!["dgst", md.as_str(), "-sign", pem.to_str().unwrap()];
                a.extend(scheme_args(key.key_type(), scheme));
                a.push(&msg);
                openssl(&a)
            };
            assert!(
                verify_message(&key.public_only(), scheme, &message, &sig),
                "{what}: openssl's signature rejected"
            );
            assert!(!verify_message(&key.public_only(), scheme, b"other", &sig), "{what}");
            // we sign, openssl verifies.
            let ours = sign_message(&key, scheme, &message);
            if backend() == "RustCrypto" && key.key_type() == KeyType::Rsa {
                assert!(matches!(ours, Err(Error::Unsupported(_))), "{what}");
                continue;
            }
            std::fs::write(dir.p("sig"), ours.unwrap()).unwrap();
            let out = if scheme == SignatureScheme::Ed25519 {
                Command::new("openssl")
                    .args([
                        "pkeyutl",
                        "-verify",
                        "-rawin",
                        "-pubin",
                        "-inkey",
                        &dir.s("pub.pem"),
                        "-in",
                        &dir.s("msg"),
                    ])
                    .args(["-sigfile", &dir.s("sig")])
                    .output()
            } else {
                let md = format!("-{}", scheme.digest().unwrap().name().to_ascii_lowercase());
                Command::new("openssl")
                    .args(["dgst", &md, "-verify", &dir.s("pub.pem"), "-signature", &dir.s("sig")])
                    .args(scheme_args(key.key_type(), scheme))
                    .arg(dir.p("msg"))
                    .output()
            }
            .unwrap();
            assert!(
                out.status.success(),
                "{what}: openssl rejects our signature: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn oaep_ciphertexts_both_ways() {
    if !have_openssl() {
        return;
    }
    let dir = Dir::new();
    let pem = fixture("keys/rsa2048.pem");
    let key = EvpPKey::from_file(&pem, None).unwrap();
    std::fs::write(dir.p("pub.pem"), key.public_key_pem()).unwrap();
    let secret = b"a secret shorter than one OAEP block";
    std::fs::write(dir.p("plain"), secret).unwrap();
    for (padding, md) in [(RsaPadding::OAEP_SHA256, "sha256"), (RsaPadding::OAEP_SHA1, "sha1")] {
        let oaep = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt"];
        let md_opt = format!("rsa_oaep_md:{md}");
        let mgf_opt = format!("rsa_mgf1_md:{md}");
        let ours = RsaCipher::new(&key.public_only(), padding).unwrap().encrypt(secret).unwrap();
        std::fs::write(dir.p("ct"), &ours).unwrap();
        let plain = openssl(
            &[
                &["pkeyutl", "-decrypt", "-inkey", pem.to_str().unwrap(), "-in", &dir.s("ct")][..],
                &oaep[..],
                &[md_opt.as_str(), "-pkeyopt", mgf_opt.as_str()][..],
            ]
            .concat(),
        );
        assert_eq!(plain, secret, "{padding}: openssl decrypts ours");
        let theirs = openssl(
            &[
                &["pkeyutl", "-encrypt", "-pubin", "-inkey", &dir.s("pub.pem"), "-in", &dir.s("plain")][..],
                &oaep[..],
                &[md_opt.as_str(), "-pkeyopt", mgf_opt.as_str()][..],
            ]
            .concat(),
        );
        let opened = RsaCipher::new(&key, padding).unwrap().decrypt(&theirs);
        if backend() != "aws-lc-rs" {
            assert!(matches!(opened, Err(Error::Unsupported(_))), "{padding}");
            continue;
        }
        assert_eq!(&opened.unwrap()[..], secret, "{padding}: we decrypt openssl's");
    }
}

/// A CA and an EC leaf it signed, with openssl.
fn make_chain(dir: &Dir) -> (PathBuf, PathBuf, PathBuf) {
    let leaf_key = dir.p("leaf.key");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        &dir.s("leaf.key"),
    ]);
    openssl(&[
        "req",
        "-new",
        "-key",
        &dir.s("leaf.key"),
        "-subj",
        "/C=CH/ST=Zug/O=rpoco, Inc./CN=leaf.example",
        "-out",
        &dir.s("leaf.csr"),
    ]);
    std::fs::write(dir.p("ext"), "subjectAltName=DNS:leaf.example,DNS:*.leaf.example,IP:127.0.0.1\n")
        .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &dir.s("leaf.csr"),
        "-CA",
        fixture("certs/ca.pem").to_str().unwrap(),
        "-CAkey",
        fixture("certs/ca.key").to_str().unwrap(),
        "-set_serial",
        "0x00ABCDEF01",
        "-days",
        "30",
        "-extfile",
        &dir.s("ext"),
        "-sha384",
        "-out",
        &dir.s("leaf.pem"),
    ]);
    (leaf_key, dir.p("leaf.pem"), fixture("certs/ca.pem"))
}

#[test]
fn certificates_match_openssl() {
    if !have_openssl() {
        return;
    }
    let dir = Dir::new();
    let (_, leaf_pem, ca_pem) = make_chain(&dir);
    let leaf = X509Certificate::from_file(&leaf_pem).unwrap();
    let ca = X509Certificate::from_file(&ca_pem).unwrap();
    assert_eq!(leaf.subject_name(), "C=CH,ST=Zug,O=rpoco\\, Inc.,CN=leaf.example");
    assert_eq!(leaf.issuer_name(), ca.subject_name());
    assert_eq!(leaf.serial_number(), "ABCDEF01");
    assert_eq!(leaf.signature_algorithm(), "sha384WithRSAEncryption");
    assert_eq!(leaf.dns_names(), ["leaf.example", "*.leaf.example"]);
    assert_eq!(leaf.ip_addresses(), ["127.0.0.1".parse::<std::net::IpAddr>().unwrap()]);
    assert_eq!(leaf.public_key().unwrap().key_type(), KeyType::Ec(Curve::P256));
    assert!(leaf.issued_by(&ca));
    assert!(!ca.issued_by(&leaf));
    assert!(!leaf.issued_by(&leaf));
    for (alg, flag) in [(DigestAlgorithm::Sha1, "-sha1"), (DigestAlgorithm::Sha256, "-sha256")] {
        let out = String::from_utf8(openssl(&[
            "x509",
            "-in",
            leaf_pem.to_str().unwrap(),
            "-noout",
            "-fingerprint",
            flag,
        ]))
        .unwrap();
        let hex = out.trim().rsplit('=').next().unwrap().replace(':', "").to_ascii_lowercase();
        assert_eq!(rpoco_crypto::digest_to_hex(&leaf.fingerprint(alg)), hex, "{flag}");
    }
    // Our PEM reads back in openssl identically.
    std::fs::write(dir.p("ours.pem"), leaf.to_pem()).unwrap();
    let der = openssl(&["x509", "-in", &dir.s("ours.pem"), "-outform", "DER"]);
    assert_eq!(der, leaf.der());
}

#[test]
fn pkcs12_default_and_legacy() {
    if !have_openssl() {
        return;
    }
    let dir = Dir::new();
    let (key_path, leaf_pem, ca_pem) = make_chain(&dir);
    let key = EvpPKey::from_file(&key_path, None).unwrap();
    let leaf = X509Certificate::from_file(&leaf_pem).unwrap();
    let ca = X509Certificate::from_file(&ca_pem).unwrap();
    for (form, extra) in [("default", None), ("legacy", Some("-legacy"))] {
        let out = dir.s(&format!("{form}.p12"));
        let mut args = vec![
            "pkcs12",
            "-export",
            "-inkey",
            key_path.to_str().unwrap(),
            "-in",
            leaf_pem.to_str().unwrap(),
            "-certfile",
            ca_pem.to_str().unwrap(),
            "-name",
            "my server",
            "-passout",
            "pass:p12 pass",
            "-out",
            &out,
        ];
        args.extend(extra);
        openssl(&args);
        let p12 = Pkcs12Container::from_file(&out, "p12 pass").unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(p12.private_key(), Some(&key), "{form}");
        assert!(p12.private_key().unwrap().has_private_key());
        assert_eq!(p12.certificate(), Some(&leaf), "{form}");
        assert_eq!(p12.ca_certificates(), [ca.clone()], "{form}");
        assert_eq!(p12.friendly_name(), "my server", "{form}");
        let wrong = Pkcs12Container::from_file(&out, "wrong");
        assert!(matches!(wrong, Err(Error::BadPassphrase(_))), "{form}: {wrong:?}");
        let bytes = std::fs::read(&out).unwrap();
        let cut = Pkcs12Container::from_der(&bytes[..bytes.len() / 2], "p12 pass");
        assert!(matches!(cut, Err(Error::Format(_))), "{form}: {cut:?}");
    }
}
