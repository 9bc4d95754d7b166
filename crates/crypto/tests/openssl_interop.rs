//! Cross-checks against the `openssl` command line: `EVP_BytesToKey` (`openssl enc -P`, one
//! round, as `enc` uses it) and AES-CBC ciphertext (`openssl enc -d` decrypts ours).
//!
//! Without `openssl` the tests print why and pass, unless `CI` is set: then they fail.

use std::io::Write;
use std::process::{Command, Stdio};

use rpoco_crypto::{Cipher, CipherKey, DigestAlgorithm, Encoding, digest_to_hex, kdf};

fn have_openssl() -> bool {
    if Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("openssl is not installed in CI (scripts/install-test-deps.sh installs it)");
    }
    println!("SKIPPED openssl interop: openssl is not installed");
    false
}

fn openssl(args: &[&str], stdin: &[u8]) -> (bool, Vec<u8>, String) {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn openssl");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write stdin");
    let out = child.wait_with_output().expect("openssl output");
    (out.status.success(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn evp_bytes_to_key_matches_openssl_enc_p() {
    if !have_openssl() {
        return;
    }
    let cases = [
        ("aes-256-cbc", "md5", "password", "0102030405060708", 32, 16),
        ("aes-128-cbc", "sha1", "", "ffffffffffffffff", 16, 16),
        ("aes-192-cbc", "sha256", "a longer passphrase with spaces", "00000000deadbeef", 24, 16),
        ("aes-256-cbc", "sha512", "p", "0011223344556677", 32, 16),
    ];
    for (cipher, md, pass, salt_hex, key_len, iv_len) in cases {
        let (ok, out, err) =
            openssl(&["enc", "-P", &format!("-{cipher}"), "-md", md, "-S", salt_hex, "-k", pass], b"");
        assert!(ok, "openssl enc -P: {err}");
        let text = String::from_utf8(out).unwrap();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim_start_matches([' ', '=']).trim().to_ascii_lowercase())
                .unwrap_or_else(|| panic!("no {name} in {text}"))
        };
        let salt: [u8; 8] = rpoco_foundation::hex::decode(salt_hex).unwrap().try_into().unwrap();
        let digest = DigestAlgorithm::from_name(md).unwrap();
        let (key, iv) =
            kdf::evp_bytes_to_key(digest, pass.as_bytes(), Some(&salt), 1, key_len, iv_len).unwrap();
        assert_eq!(digest_to_hex(&key), field("key"), "{cipher} {md}");
        assert_eq!(digest_to_hex(&iv), field("iv"), "{cipher} {md}");
    }
}

#[test]
fn openssl_decrypts_our_cbc_and_we_decrypt_its() {
    if !have_openssl() {
        return;
    }
    let key = CipherKey::new("aes-256-cbc").unwrap();
    let cipher = Cipher::new(key.clone());
    let (k, iv) = (digest_to_hex(key.key()), digest_to_hex(key.iv()));
    for len in [0usize, 1, 15, 16, 17, 1000] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
        let ours = cipher.encrypt_string(&data, Encoding::None, true).unwrap();
        let (ok, back, err) = openssl(&["enc", "-d", "-aes-256-cbc", "-K", &k, "-iv", &iv], &ours);
        assert!(ok, "openssl could not decrypt our CBC ({len} bytes): {err}");
        assert_eq!(back, data);
        let (ok, theirs, err) = openssl(&["enc", "-aes-256-cbc", "-K", &k, "-iv", &iv], &data);
        assert!(ok, "{err}");
        assert_eq!(theirs, ours, "same key and IV give the same CBC ciphertext");
        assert_eq!(cipher.decrypt_string(&theirs, Encoding::None, true).unwrap(), data);
    }
}
