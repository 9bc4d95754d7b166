//! Process-wide state, in its own test binary and one test so nothing runs beside it: the
//! `VerificationMode::None` warning (through the `log` facade) and `SslManager`'s defaults.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use rpoco_netssl::{
    AcceptCertificateHandler, CertificateCheck, Context, SslManager, Usage, VerificationMode,
};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.level() == log::Level::Warn {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

static LOGGER: Capture = Capture(Mutex::new(Vec::new()));

fn warnings() -> Vec<String> {
    std::mem::take(&mut *LOGGER.0.lock().unwrap())
}

#[test]
fn process_wide_state() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Warn);

    // One warning per unverified host and context, naming the host: not one per connection.
    let unverified = client_context(VerificationMode::None);
    let handshake = |ctx: &Arc<Context>, host: &str| {
        let (addr, server) = serve_once(server_context(&certs().server, VerificationMode::None), |tls| {
            tls.complete_handshake()
        });
        connect(ctx, host, addr).unwrap();
        server.join().unwrap().unwrap();
    };
    for _ in 0..3 {
        handshake(&unverified, "localhost");
    }
    let seen = warnings();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("localhost") && seen[0].contains("NOT verified"), "{seen:?}");
    // A mutation rebuilds the rustls configuration; the context still remembers the host.
    unverified.set_alpn_protocols(&["http/1.1"]).unwrap();
    handshake(&unverified, "localhost");
    assert_eq!(warnings(), Vec::<String>::new());
    // Another host is named once too.
    handshake(&unverified, "127.0.0.1");
    handshake(&unverified, "127.0.0.1");
    let seen = warnings();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("127.0.0.1"), "{seen:?}");
    // Another context warns for itself.
    handshake(&client_context(VerificationMode::None), "localhost");
    assert_eq!(warnings().len(), 1);

    // Verified connections log nothing.
    let (addr, server) =
        serve_once(server_context(&certs().server, VerificationMode::None), |tls| tls.complete_handshake());
    connect(&client_context(VerificationMode::Relaxed), "localhost", addr).unwrap();
    server.join().unwrap().unwrap();
    assert_eq!(warnings(), Vec::<String>::new());

    // SslManager: the default client context is POCO's, with the Mozilla roots, which do not
    // include our dev CA.
    let manager = SslManager::instance();
    let default = manager.default_client_context().unwrap();
    assert_eq!(default.verification_mode(), VerificationMode::Relaxed);
    assert!(Arc::ptr_eq(&default, &manager.default_client_context().unwrap()));
    assert!(manager.default_server_context().is_err());
    let (addr, server) =
        serve_once(server_context(&certs().server, VerificationMode::None), |tls| tls.complete_handshake());
    let err = connect(&default, "localhost", addr).unwrap_err();
    assert_eq!(err.verification_failure().unwrap().check, CertificateCheck::UnknownIssuer, "{err}");
    let _ = server.join().unwrap();

    // Its handler decides for contexts without one of their own.
    manager.initialize_client(Some(Arc::new(AcceptCertificateHandler)), default.clone());
    let bare = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "").unwrap();
    let (addr, server) =
        serve_once(server_context(&certs().server, VerificationMode::None), |tls| tls.complete_handshake());
    connect(&bare, "localhost", addr).unwrap();
    server.join().unwrap().unwrap();
    assert!(warnings().iter().any(|w| w.contains("AcceptCertificateHandler")));

    let server_ctx = server_context(&certs().server, VerificationMode::None);
    manager.initialize_server(None, server_ctx.clone());
    assert!(Arc::ptr_eq(&manager.default_server_context().unwrap(), &server_ctx));
    manager.shutdown();
    assert!(manager.default_server_context().is_err());
}
