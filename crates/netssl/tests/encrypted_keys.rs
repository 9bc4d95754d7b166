//! Encrypted private key files and PKCS #12 in TLS contexts: POCO's passphrase handlers
//! (`KeyFileHandler`, through `SslManager`) for `Context::new` with an encrypted key file, keys
//! encrypted by openssl (PKCS #8 and traditional `Proc-Type: 4,ENCRYPTED`), and contexts
//! made from a PKCS #12 file (openssl's default and `-legacy`), each proved by a real TLS
//! handshake on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::sync::Arc;

use common::{Files, certs, client_context, connect, serve_once};
use rpoco_netssl::{
    Context, Error, ErrorKind, KeyFileHandler, Params, PrivateKey, PrivateKeyPassphraseHandler, SslManager,
    Usage, VerificationMode,
};

/// Serves one TLS connection with `ctx` and checks a client trusting the dev CA gets an echo.
fn handshake_works(ctx: Arc<Context>) {
    let (addr, server) = serve_once(ctx, |tls| {
        let mut buf = [0u8; 5];
        tls.read_exact(&mut buf)?;
        tls.write_all(&buf)?;
        tls.flush()?;
        Ok(())
    });
    let mut tls = connect(&client_context(VerificationMode::Strict), "localhost", addr).unwrap();
    tls.write_all(b"hello").unwrap();
    tls.flush().unwrap();
    let mut back = [0u8; 5];
    tls.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"hello");
    server.join().unwrap().unwrap();
}

/// A context error caused by rpoco-crypto rejecting the passphrase.
fn bad_passphrase(e: &Error) -> bool {
    e.kind() == ErrorKind::SslContext
        && matches!(e.source_as::<rpoco_crypto::Error>(), Some(rpoco_crypto::Error::BadPassphrase(_)))
}

/// A context error raised before any decryption was tried (no passphrase to try).
fn no_passphrase(e: &Error) -> bool {
    e.kind() == ErrorKind::SslContext && e.source_as::<rpoco_crypto::Error>().is_none()
}

fn openssl(args: &[&str]) {
    let out = Command::new("openssl").args(args).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn encrypted_key_files_with_passphrases() {
    let files = Files::new();
    let dir = tempfile::tempdir().unwrap();
    let key = rpoco_crypto::EvpPKey::from_pem(certs().server.key_pem.as_bytes(), None).unwrap();
    let encrypted = dir.path().join("server-enc.key");
    std::fs::write(&encrypted, key.private_key_pem_encrypted(b"server pass").unwrap().as_bytes()).unwrap();
    let enc = encrypted.to_str().unwrap();

    // Explicit passphrase, right and wrong.
    PrivateKey::from_pem_file_with_passphrase(enc, "server pass").unwrap();
    let wrong = PrivateKey::from_pem_file_with_passphrase(enc, "nope").unwrap_err();
    assert!(bad_passphrase(&wrong), "{wrong}");

    // Context::new with an encrypted key file: POCO asks SSLManager's passphrase handler.
    // (All SslManager use is in this one test: it is process-wide.)
    SslManager::instance().shutdown();
    let cert = files.get("server.pem");
    let new = || Context::new(Usage::Server, enc, &cert, "", VerificationMode::None, 9, false, "");
    let err = new().unwrap_err();
    assert!(no_passphrase(&err), "{err}");
    SslManager::instance().set_server_passphrase_handler(Arc::new(KeyFileHandler::new("wrong")));
    assert!(bad_passphrase(&new().unwrap_err()));
    SslManager::instance().set_server_passphrase_handler(Arc::new(KeyFileHandler::new("server pass")));
    handshake_works(new().unwrap());
    SslManager::instance().shutdown();

    // A handler that gives up.
    struct Refuse;
    impl PrivateKeyPassphraseHandler for Refuse {
        fn passphrase(&self, _: &str) -> Option<zeroize::Zeroizing<String>> {
            None
        }
    }
    let pem = std::fs::read(enc).unwrap();
    assert!(no_passphrase(&PrivateKey::from_pem_with_handler(&pem, "k", &Refuse).unwrap_err()));

    // Keys openssl encrypted, both forms.
    if !common::require_program("openssl") {
        return;
    }
    let plain = files.get("server.key");
    for (name, args) in [
        ("pkcs8.key", &["pkcs8", "-topk8", "-v2", "aes-256-cbc"][..]),
        ("traditional.key", &["ec", "-aes128"][..]),
    ] {
        let out = dir.path().join(name);
        let mut all = args.to_vec();
        all.extend(["-in", &plain, "-passout", "pass:os pass", "-out", out.to_str().unwrap()]);
        openssl(&all);
        let key = PrivateKey::from_pem_file_with_passphrase(&out, "os pass")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ctx = Context::new(Usage::Server, "", "", "", VerificationMode::None, 9, false, "").unwrap();
        ctx.use_certificate(&common::cert(&certs().server)).unwrap();
        ctx.use_private_key(&key).unwrap();
        handshake_works(ctx);
    }
}

#[test]
fn contexts_from_pkcs12_files() {
    if !common::require_program("openssl") {
        return;
    }
    let files = Files::new();
    let dir = tempfile::tempdir().unwrap();
    for (name, legacy) in [("default.p12", false), ("legacy.p12", true)] {
        let out = dir.path().join(name);
        let (key, cert, ca) = (files.get("server.key"), files.get("server.pem"), files.get("ca.pem"));
        let mut args = vec![
            "pkcs12",
            "-export",
            "-inkey",
            &key,
            "-in",
            &cert,
            "-certfile",
            &ca,
            "-passout",
            "pass:p12",
            "-out",
        ];
        let out_s = out.to_str().unwrap();
        args.push(out_s);
        if legacy {
            args.push("-legacy");
        }
        openssl(&args);
        let ctx = Context::with_pkcs12_file(Usage::Server, Params::default(), &out, "p12").unwrap();
        assert!(ctx.has_certificate());
        handshake_works(ctx);
        let wrong = Context::with_pkcs12_file(Usage::Server, Params::default(), &out, "bad").unwrap_err();
        assert!(bad_passphrase(&wrong), "{name}: {wrong}");
    }
}
