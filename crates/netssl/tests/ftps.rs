//! FTPS against vsftpd (explicit and implicit, `require_ssl_reuse=YES`, passive and active)
//! and pyftpdlib's TLS handler, all on 127.0.0.1.

mod common;

use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use common::{certs, client_context};
use rpoco_net::ftp::{FtpClientSession, FtpPasswordProvider, FtpTls, FtpTlsMode};
use rpoco_net::{StreamSocket, Transport, UriStreamOpener};
use rpoco_netssl::{Context, FtpsClientSession, FtpsStreamFactory, SecureStreamSocket, VerificationMode};
use rpoco_testsupport::{
    FTP_PASSWORD, FTP_USER, PayloadCheck, PyFtpd, Vsftpd, VsftpdTls, peer_missing as skip, round_trip,
    write_payload,
};

const MIB: usize = 1024 * 1024;

fn identity() -> (&'static str, &'static str) {
    (certs().server_rsa.cert_pem.as_str(), certs().server_rsa.key_pem.as_str())
}

fn vsftpd(mode: VsftpdTls) -> Option<Vsftpd> {
    Vsftpd::start(mode, Some(identity())).map_err(|e| skip("vsftpd", e)).ok()
}

fn context() -> Arc<Context> {
    client_context(VerificationMode::Relaxed)
}

#[test]
fn vsftpd_explicit_64_mib_both_ways_resuming_the_control_session() {
    let Some(server) = vsftpd(VsftpdTls::Explicit) else { return };
    let len = 64 * MIB as u64;
    let mut ftps = FtpsClientSession::connect("127.0.0.1", server.port, &context()).unwrap();
    assert!(ftps.is_secure());
    ftps.login("anonymous", "").unwrap();
    assert!(ftps.session().is_data_protected());
    ftps.session_mut().set_timeout(Duration::from_secs(60));
    let stored = server.root().join("pub/big.bin");
    round_trip(
        &mut ftps,
        len,
        &stored,
        |f, data| f.session_mut().upload_from("pub/big.bin", data),
        |f, out| {
            assert_eq!(f.data_session_reused(), Some(true));
            f.session_mut().download_to("pub/big.bin", out)
        },
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(ftps.data_session_reused(), Some(true));

    // Active mode, a cut download resumed with REST, over TLS.
    let len = 6 * MIB as u64 + 1;
    write_payload(&server.root().join("cut.bin"), len).unwrap();
    let session = ftps.session_mut();
    session.set_passive(false, true);
    let mut check = PayloadCheck::new(len);
    io::copy(&mut session.begin_download("cut.bin").unwrap().take(MIB as u64), &mut check).unwrap();
    assert!(session.end_download().is_err(), "a download stopped early is reported");
    session.set_passive(true, true);
    let stream = session.begin_download_at("cut.bin", check.position()).unwrap();
    io::copy(stream, &mut check).unwrap();
    session.end_download().unwrap();
    check.finish().unwrap();
    assert_eq!(ftps.data_session_reused(), Some(true));
    ftps.close().unwrap();
}

#[test]
fn vsftpd_explicit_active_mode_listing_and_several_transfers() {
    let Some(server) = vsftpd(VsftpdTls::Explicit) else { return };
    server.put("a.txt", b"alpha").unwrap();
    let mut ftps = FtpsClientSession::connect("127.0.0.1", server.port, &context()).unwrap();
    ftps.login("anonymous", "").unwrap();
    for passive in [false, true, false] {
        let session = ftps.session_mut();
        session.set_passive(passive, true);
        let mut got = Vec::new();
        session.begin_download("a.txt").unwrap().read_to_end(&mut got).unwrap();
        session.end_download().unwrap();
        assert_eq!(got, b"alpha", "passive={passive}");
        assert_eq!(ftps.data_session_reused(), Some(true));
        let names = ftps.session_mut().list_names("").unwrap();
        assert!(names.iter().any(|n| n == "a.txt"), "{names:?}");
    }
    let err = ftps.session_mut().download_to("missing.txt", &mut Vec::new()).unwrap_err();
    assert_eq!(err.reply().map(|r| r.code()), Some(550), "{err}");
}

/// A TLS step that does NOT resume the control connection's session on data connections:
/// vsftpd's `require_ssl_reuse` must refuse it. This shows that the resumption the
/// other tests see is what makes vsftpd accept them.
#[derive(Debug)]
struct NoReuse {
    context: Arc<Context>,
}

impl FtpTls for NoReuse {
    fn secure_control(
        &self,
        control: Box<dyn Transport>,
        host: &str,
        timeout: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        Ok(Box::new(SecureStreamSocket::attach(control.socket().clone(), host, &self.context, timeout)?))
    }

    fn secure_data(
        &self,
        _control: &dyn Transport,
        data: StreamSocket,
        host: &str,
        timeout: Option<Duration>,
    ) -> rpoco_net::Result<Box<dyn Transport>> {
        // A fresh context: an empty session cache, so a full handshake.
        Ok(Box::new(SecureStreamSocket::attach(data, host, &context(), timeout)?))
    }

    fn close_data(&self, data: &mut dyn Transport) -> rpoco_net::Result<()> {
        data.shutdown()
    }
}

#[test]
fn vsftpd_refuses_data_connections_that_do_not_resume() {
    let Some(server) = vsftpd(VsftpdTls::Explicit) else { return };
    server.put("a.txt", b"alpha").unwrap();
    let mut session = FtpClientSession::new();
    session.set_tls(Arc::new(NoReuse { context: context() }), FtpTlsMode::Explicit).unwrap();
    session.open("127.0.0.1", server.port).unwrap();
    session.login("anonymous", "").unwrap();
    session.set_timeout(Duration::from_secs(10));
    let result = session.download_to("a.txt", &mut Vec::new());
    let err = result.expect_err("vsftpd accepted a data connection without session reuse");
    assert_eq!(err.reply().map(|r| r.code()), Some(522), "{err}");
    // The server's own words travel with the error.
    assert!(err.reply().is_some_and(|r| r.text().contains("session reuse required")), "{err}");
}

#[test]
fn vsftpd_implicit_and_the_ftps_stream_factory() {
    let Some(server) = vsftpd(VsftpdTls::Implicit) else { return };
    server.put("f.txt", b"implicit\n").unwrap();
    let mut ftps = FtpsClientSession::connect_implicit("127.0.0.1", server.port, &context()).unwrap();
    ftps.login("anonymous", "").unwrap();
    let mut got = Vec::new();
    ftps.session_mut().download_to("f.txt", &mut got).unwrap();
    assert_eq!(got, b"implicit\n");
    assert_eq!(ftps.data_session_reused(), Some(true));
    ftps.close().unwrap();

    let opener = UriStreamOpener::new();
    opener.register_stream_factory("ftps", Arc::new(FtpsStreamFactory::with_context(context())));
    let mut body = String::new();
    opener
        .open(&format!("ftps://127.0.0.1:{}/f.txt", server.port))
        .unwrap()
        .read_to_string(&mut body)
        .unwrap();
    assert_eq!(body, "implicit\n");
}

#[test]
fn an_untrusted_server_certificate_fails_the_upgrade() {
    let Some(server) = vsftpd(VsftpdTls::Explicit) else { return };
    // Trusts nothing the dev CA issued.
    let untrusting =
        Context::new(rpoco_netssl::Usage::Client, "", "", "", VerificationMode::Relaxed, 9, false, "")
            .unwrap();
    let err = FtpsClientSession::connect("127.0.0.1", server.port, &untrusting).unwrap_err();
    let err = rpoco_netssl::Error::from(err);
    assert_eq!(err.poco_class(), "CertificateValidationException", "{err}");
}

/// POCO's `FTPPasswordProvider`, for `ftps://` too.
struct Provider;

impl FtpPasswordProvider for Provider {
    fn password(&self, username: &str, _host: &str) -> Option<String> {
        (username == FTP_USER).then(|| FTP_PASSWORD.to_string())
    }
}

fn pyftpd_tls() -> Option<PyFtpd> {
    PyFtpd::start(Some(identity())).map_err(|e| skip("pyftpdlib with pyOpenSSL", e)).ok()
}

#[test]
fn pyftpdlib_tls_stalled_mid_transfer_times_out() {
    let Some(server) = pyftpd_tls() else { return };
    let len = 32 * MIB as u64;
    write_payload(&server.root().join("stall.bin"), len).unwrap();
    let mut ftps = FtpsClientSession::connect("127.0.0.1", server.port, &context()).unwrap();
    ftps.login(FTP_USER, FTP_PASSWORD).unwrap();
    let session = ftps.session_mut();
    session.set_timeout(Duration::from_millis(800));
    let stream = session.begin_download("stall.bin").unwrap();
    let mut check = PayloadCheck::new(len);
    io::copy(&mut stream.take(MIB as u64), &mut check).unwrap();
    server.pause().unwrap();
    let started = Instant::now();
    // What the socket buffers hold still arrives, then nothing: a timeout, not a short file.
    let err = io::copy(stream, &mut check).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err:?}");
    assert_eq!(rpoco_net::Error::from(err).timeout_kind(), Some(rpoco_net::Timeout::Read));
    assert!(check.position() < len, "the whole file arrived from a stopped server");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    server.resume().unwrap();
}

#[test]
fn pyftpdlib_tls_64_mib_listing_and_the_ftps_factory_with_a_password_provider() {
    let Some(server) = pyftpd_tls() else { return };
    let len = 64 * MIB as u64;
    let mut ftps = FtpsClientSession::connect("127.0.0.1", server.port, &context()).unwrap();
    ftps.login(FTP_USER, FTP_PASSWORD).unwrap();
    let session = ftps.session_mut();
    session.set_timeout(Duration::from_secs(60));
    let stored = server.root().join("up.bin");
    round_trip(
        session,
        len,
        &stored,
        |s, data| -> rpoco_net::Result<u64> {
            let stream = s.begin_upload("up.bin")?;
            io::copy(data, stream)?;
            s.end_upload().map(|_| len)
        },
        |s, out| s.download_to("up.bin", out),
    )
    .unwrap();
    let entries = session.mlsd("").unwrap();
    assert!(entries.iter().any(|e| e.name() == "up.bin" && e.size() == Some(len)));
    assert!(session.list_names("").unwrap().contains(&"up.bin".to_string()));
    let err = session.download_to("missing.bin", &mut io::sink()).unwrap_err();
    assert_eq!(err.reply().map(|r| r.code()), Some(550), "{err}");
    ftps.close().unwrap();

    std::fs::write(server.root().join("p.txt"), b"provided\n").unwrap();
    let mut factory = FtpsStreamFactory::with_context(context()).explicit();
    let opener = UriStreamOpener::new();
    let url = format!("ftps://{FTP_USER}@127.0.0.1:{}/p.txt", server.port);
    opener.register_stream_factory("ftps", Arc::new(factory.clone()));
    let Err(err) = opener.open(&url) else { panic!("logged in without a password") };
    assert_eq!(err.kind(), rpoco_net::ErrorKind::NotAuthenticated, "{err:?}");
    factory.set_password_provider(Some(Arc::new(Provider)));
    opener.register_stream_factory("ftps", Arc::new(factory));
    let mut body = String::new();
    opener.open(&url).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "provided\n");
}
