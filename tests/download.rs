//! `examples/download.rs` (POCO's `download` sample) run as a program: http and https from
//! nginx, ftp from pyftpdlib, ftps (implicit) from vsftpd, and a file, all through
//! `UriStreamOpener`; TLS verified against `--ca`; the server's reply on error.
#![cfg(feature = "netssl")]

mod support;

use rpoco_testsupport::{
    FTP_PASSWORD, FTP_USER, Nginx, NginxConfig, PyFtpd, Vsftpd, VsftpdTls, peer_missing as skip,
};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn download_opens_every_scheme() {
    let certs = rpoco_testcerts::DevCerts::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, contents: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    };
    let ca = write("ca.pem", certs.ca.cert_pem.as_bytes());
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();

    let file = write("local.bin", &body);
    let Some(out) = support::run("download", &[&format!("file://{file}")], &[]) else { return };
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout == body);

    match PyFtpd::start(None) {
        Ok(ftp) => {
            std::fs::write(ftp.root().join("f.bin"), &body).unwrap();
            let url = format!("ftp://{FTP_USER}:{FTP_PASSWORD}@127.0.0.1:{}/f.bin", ftp.port);
            let out = support::run("download", &[&url], &[]).unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert!(out.stdout == body);
            let missing = format!("ftp://{FTP_USER}:{FTP_PASSWORD}@127.0.0.1:{}/missing.bin", ftp.port);
            let out = support::run("download", &[&missing], &[]).unwrap();
            assert_eq!(out.status.code(), Some(1));
            assert!(text(&out.stderr).contains("550"), "{}", text(&out.stderr));
        }
        Err(e) => skip("pyftpdlib", e),
    }

    let identity = (certs.server_rsa.cert_pem.as_str(), certs.server_rsa.key_pem.as_str());
    match Vsftpd::start(VsftpdTls::Implicit, Some(identity)) {
        Ok(ftps) => {
            ftps.put("s.bin", &body).unwrap();
            let url = format!("ftps://127.0.0.1:{}/s.bin", ftps.port);
            let out = support::run("download", &["--ca", &ca, &url], &[]).unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert!(out.stdout == body);
            // Without the CA the server is not trusted.
            let out = support::run("download", &[&url], &[]).unwrap();
            assert_eq!(out.status.code(), Some(1));
            assert!(out.stdout.is_empty());
        }
        Err(e) => skip("vsftpd", e),
    }

    if rpoco_testsupport::require("nginx").is_some() {
        let cert = write("server.pem", certs.server.cert_pem.as_bytes());
        let key = write("server.key", certs.server.key_pem.as_bytes());
        for tls in [false, true] {
            let mut config = NginxConfig::new().file("page.bin", body.clone());
            if tls {
                config = config.tls(&cert, &key);
            }
            let nginx = Nginx::start(&config).unwrap();
            let out = support::run("download", &["--ca", &ca, &nginx.url("/page.bin")], &[]).unwrap();
            assert!(out.status.success(), "tls={tls}: {}", text(&out.stderr));
            assert!(out.stdout == body, "tls={tls}");
        }
    }

    let out = support::run("download", &[], &[]).unwrap();
    assert_eq!(out.status.code(), Some(2));
}
