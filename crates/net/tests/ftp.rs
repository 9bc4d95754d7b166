//! FTP against pyftpdlib and vsftpd on 127.0.0.1, and against scripted hostile servers.

mod common;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use rpoco_net::ftp::{
    EntryKind, FtpClientSession, FtpPasswordProvider, FtpStreamFactory, ListLine, PasvAddressPolicy,
};
use rpoco_net::{DialogError, DialogLimits, ErrorKind, ProxyConfig, Timeout, UriStreamOpener};
use rpoco_testsupport::{
    FTP_PASSWORD, FTP_USER, Payload, PayloadCheck, PyFtpd, Vsftpd, VsftpdTls, check_file,
    peer_missing as skip, round_trip, test_payload as payload, write_payload,
};

const MIB: usize = 1024 * 1024;

fn pyftpd() -> Option<PyFtpd> {
    PyFtpd::start(None).map_err(|e| skip("pyftpdlib", e)).ok()
}

fn login(port: u16) -> FtpClientSession {
    let mut session = FtpClientSession::connect("127.0.0.1", port).unwrap();
    session.set_timeout(Duration::from_secs(30));
    session.login(FTP_USER, FTP_PASSWORD).unwrap();
    session
}

#[test]
fn pyftpdlib_upload_and_download_64_mib_both_modes() {
    let Some(server) = pyftpd() else { return };
    let mut session = login(server.port);
    assert!(session.welcome_message().unwrap().code() == 220);
    assert_eq!(session.system_type().unwrap(), "UNIX Type: L8");
    let len = 64 * MIB as u64;
    let stored = server.root().join("big.bin");
    round_trip(
        &mut session,
        len,
        &stored,
        |s, data| s.upload_from("big.bin", data),
        |s, out| s.download_to("big.bin", out),
    )
    .unwrap();
    assert_eq!(session.file_size("big.bin").unwrap(), len);

    // Active mode (EPRT, and PORT without the extensions), POCO's stream shape.
    for extended in [true, false] {
        session.set_passive(false, extended);
        let mut check = PayloadCheck::new(3 * MIB as u64);
        io::copy(&mut session.begin_download("big.bin").unwrap().take(3 * MIB as u64), &mut check).unwrap();
        check.finish().unwrap();
        // Not read to the end: the server reports the aborted transfer, with its code.
        let err = session.end_download().unwrap_err();
        let code = err.reply().map(|r| r.code());
        assert!(matches!(code, Some(426) | Some(451)) || err.reply().is_none(), "{err}");
        let stream = session.begin_upload("active.bin").unwrap();
        io::copy(&mut Payload::new(MIB as u64), stream).unwrap();
        assert_eq!(session.end_upload().unwrap().code(), 226);
        check_file(&server.root().join("active.bin"), MIB as u64).unwrap();
    }
    session.close().unwrap();
}

#[test]
fn pyftpdlib_stalled_mid_transfer_times_out_in_both_directions() {
    let Some(server) = pyftpd() else { return };
    let len = 32 * MIB as u64;
    write_payload(&server.root().join("stall.bin"), len).unwrap();
    let mut session = login(server.port);
    session.set_timeout(Duration::from_millis(800));
    let stream = session.begin_download("stall.bin").unwrap();
    let mut check = PayloadCheck::new(len);
    io::copy(&mut stream.take(MIB as u64), &mut check).unwrap();
    server.pause().unwrap();
    let started = Instant::now();
    // What the socket buffers hold still arrives, then nothing: a timeout, not a short file.
    let err = io::copy(stream, &mut check).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err:?}");
    assert_eq!(rpoco_net::Error::from(err).timeout_kind(), Some(Timeout::Read));
    assert!(check.position() < len, "the whole file arrived from a stopped server");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    drop(session);
    server.resume().unwrap();

    // An upload to a server that stops reading: the writes time out once the buffers fill.
    let mut session = login(server.port);
    session.set_timeout(Duration::from_millis(800));
    let stream = session.begin_upload("stalled-up.bin").unwrap();
    server.pause().unwrap();
    let started = Instant::now();
    let err = io::copy(&mut Payload::new(len), stream).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err:?}");
    assert_eq!(rpoco_net::Error::from(err).timeout_kind(), Some(Timeout::Write));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    server.resume().unwrap();
}

#[test]
fn pyftpdlib_directories_listings_rename_delete_and_550() {
    let Some(server) = pyftpd() else { return };
    std::fs::write(server.root().join("a.txt"), b"alpha\n").unwrap();
    let mut session = login(server.port);
    assert_eq!(session.working_directory().unwrap(), "/");
    session.create_directory("sub dir").unwrap();
    session.set_working_directory("sub dir").unwrap();
    assert_eq!(session.working_directory().unwrap(), "/sub dir");
    session.upload_from("b.bin", &mut &b"bravo"[..]).unwrap();
    session.cdup().unwrap();

    let mut names = session.list_names("").unwrap();
    names.sort();
    assert_eq!(names, ["a.txt", "sub dir"]);
    let long = session.list("").unwrap();
    let dir = long
        .iter()
        .find_map(|l| match l {
            ListLine::Entry(e) if e.name == "sub dir" => Some(e),
            _ => None,
        })
        .expect("sub dir in LIST");
    assert_eq!(dir.kind, EntryKind::Directory);
    let entries = session.mlsd("sub dir").unwrap();
    let b = entries.iter().find(|e| e.name() == "b.bin").expect("b.bin in MLSD");
    assert_eq!((b.kind(), b.size()), (EntryKind::File, Some(5)));
    assert!(b.modified().is_some());

    session.rename("a.txt", "sub dir/c.txt").unwrap();
    assert!(server.root().join("sub dir/c.txt").exists());
    let err = session.download_to("a.txt", &mut Vec::new()).unwrap_err();
    assert_eq!(err.reply().map(|r| r.code()), Some(550), "{err}");
    assert_eq!(err.poco_class(), "FTPException");
    assert!(err.to_string().contains("RETR a.txt"), "{err}");
    // The session is still usable after a refused command.
    session.remove("sub dir/c.txt").unwrap();
    session.remove("sub dir/b.bin").unwrap();
    session.remove_directory("sub dir").unwrap();
    assert!(!server.root().join("sub dir").exists());
    let err = session.remove("nothing").unwrap_err();
    assert_eq!(err.reply().map(|r| r.code()), Some(550));
    let reply = session.send_command("NOOP", "").unwrap();
    assert_eq!(reply.code(), 200);
}

#[test]
fn pyftpdlib_resume_a_cut_download_with_rest() {
    let Some(server) = pyftpd() else { return };
    let len = 4 * MIB as u64 + 123;
    write_payload(&server.root().join("r.bin"), len).unwrap();
    let mut session = login(server.port);
    let mut check = PayloadCheck::new(len);
    io::copy(&mut session.begin_download("r.bin").unwrap().take(MIB as u64 + 7), &mut check).unwrap();
    // The cut: the client goes away mid-transfer.
    drop(session);
    let mut session = login(server.port);
    let offset = check.position();
    assert_eq!(offset, MIB as u64 + 7);
    io::copy(session.begin_download_at("r.bin", offset).unwrap(), &mut check).unwrap();
    session.end_download().unwrap();
    check.finish().unwrap();
    // A resumed upload (REST before STOR) appends at the offset.
    let stream = session.begin_upload("up.bin").unwrap();
    io::copy(&mut Payload::new(1000), stream).unwrap();
    session.end_upload().unwrap();
    let stream = session.begin_upload_at("up.bin", 1000).unwrap();
    io::copy(&mut Payload::range(1000, len), stream).unwrap();
    session.end_upload().unwrap();
    check_file(&server.root().join("up.bin"), len).unwrap();
}

#[test]
fn pyftpdlib_stream_factory_and_wrong_password() {
    let Some(server) = pyftpd() else { return };
    std::fs::create_dir(server.root().join("pub")).unwrap();
    std::fs::write(server.root().join("pub/f.txt"), b"from ftp\n").unwrap();
    let opener = UriStreamOpener::new();
    opener.register_stream_factory("ftp", std::sync::Arc::new(rpoco_net::ftp::FtpStreamFactory::new()));
    let url = format!("ftp://{FTP_USER}:{FTP_PASSWORD}@127.0.0.1:{}/pub/f.txt;type=i", server.port);
    let mut body = String::new();
    opener.open(&url).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "from ftp\n");
    let anonymous = format!("ftp://127.0.0.1:{}/pub/;type=d", server.port);
    let mut listing = String::new();
    opener.open(&anonymous).unwrap().read_to_string(&mut listing).unwrap();
    assert_eq!(listing.trim(), "f.txt");
    let Err(err) = opener.open(&format!("ftp://{FTP_USER}@127.0.0.1:{}/pub/f.txt", server.port)) else {
        panic!("a user without a password logged in")
    };
    assert_eq!(err.kind(), ErrorKind::NotAuthenticated, "{err:?}");

    let mut session = FtpClientSession::connect("127.0.0.1", server.port).unwrap();
    let err = session.login(FTP_USER, "wrong").unwrap_err();
    assert_eq!(err.reply().map(|r| r.code()), Some(530), "{err}");
    assert!(err.to_string().contains("PASS ***") && !err.to_string().contains("wrong"), "{err}");
}

/// POCO's `FTPPasswordProvider`: knows the test user's password on 127.0.0.1 only.
struct Provider;

impl FtpPasswordProvider for Provider {
    fn password(&self, username: &str, host: &str) -> Option<String> {
        (username == FTP_USER && host == "127.0.0.1").then(|| FTP_PASSWORD.to_string())
    }
}

#[test]
fn pyftpdlib_stream_factory_asks_the_password_provider() {
    let Some(server) = pyftpd() else { return };
    std::fs::write(server.root().join("p.txt"), b"provided\n").unwrap();
    let mut factory = FtpStreamFactory::new();
    let url = format!("ftp://{FTP_USER}@127.0.0.1:{}/p.txt", server.port);
    let uri = rpoco_foundation::Uri::parse(&url).unwrap();
    let err = factory.open_stream(&uri).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAuthenticated, "{err:?}");
    factory.set_password_provider(Some(std::sync::Arc::new(Provider)));
    let mut body = String::new();
    factory.open_stream(&uri).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "provided\n");
    // A user the provider does not know.
    let other =
        rpoco_foundation::Uri::parse(&format!("ftp://nobody@127.0.0.1:{}/p.txt", server.port)).unwrap();
    assert_eq!(factory.open_stream(&other).unwrap_err().kind(), ErrorKind::NotAuthenticated);
    // A missing file is the server's 550 when the stream is opened.
    let missing =
        rpoco_foundation::Uri::parse(&format!("ftp://{FTP_USER}@127.0.0.1:{}/none", server.port)).unwrap();
    let err = factory.open_stream(&missing).unwrap_err();
    assert_eq!(err.reply().map(|r| r.code()), Some(550), "{err}");
}

#[test]
fn vsftpd_plain_passive_and_active() {
    let server = match Vsftpd::start(VsftpdTls::None, None) {
        Ok(s) => s,
        Err(e) => return skip("vsftpd", e),
    };
    let data = payload(2 * MIB);
    server.put("file.bin", &data).unwrap();
    for passive in [true, false] {
        let mut session = FtpClientSession::connect("127.0.0.1", server.port).unwrap();
        session.login("anonymous", "").unwrap();
        session.set_passive(passive, true);
        let mut back = Vec::new();
        session.download_to("file.bin", &mut back).unwrap();
        assert!(back == data, "passive={passive}: download differs");
        let name = format!("pub/up-{passive}.bin");
        session.upload_from(&name, &mut &data[..]).unwrap();
        assert!(std::fs::read(server.root().join(&name)).unwrap() == data);
        let names = session.list_names("pub").unwrap();
        assert!(names.iter().any(|n| n.ends_with(&format!("up-{passive}.bin"))), "{names:?}");
        session.close().unwrap();
    }
}

/// A scripted server: greets, accepts any login, then runs `script` on the control
/// connection (its reader and writer).
fn scripted(
    script: impl FnOnce(&mut BufReader<TcpStream>, &mut TcpStream) + Send + 'static,
) -> (u16, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        writer.write_all(b"220 scripted\r\n").unwrap();
        for reply in ["331 password\r\n", "230 in\r\n", "200 type\r\n"] {
            read_command(&mut reader);
            writer.write_all(reply.as_bytes()).unwrap();
        }
        script(&mut reader, &mut writer);
    });
    (port, handle)
}

fn read_command(reader: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.trim_end().to_string()
}

fn scripted_session(port: u16, timeout: Duration) -> FtpClientSession {
    let mut session = FtpClientSession::connect("127.0.0.1", port).unwrap();
    session.set_timeout(timeout);
    session.login("u", "p").unwrap();
    session
}

#[test]
fn an_endless_reply_hits_the_size_limit() {
    let (port, server) = scripted(|reader, writer| {
        assert_eq!(read_command(reader), "PWD");
        let line = b"257-and on and on and on\r\n";
        for _ in 0..10_000 {
            if writer.write_all(line).is_err() {
                return;
            }
        }
    });
    let mut session = scripted_session(port, Duration::from_secs(20));
    session.set_limits(DialogLimits { max_line_length: 1024, max_reply_size: 64 * 1024 });
    let err = session.working_directory().unwrap_err();
    assert!(matches!(err.dialog(), Some(DialogError::ReplyTooLarge { limit: 65536, .. })), "{err:?}");
    drop(session);
    server.join().unwrap();
}

#[test]
fn a_pasv_reply_pointing_elsewhere_is_refused() {
    let (port, server) = scripted(|reader, writer| {
        assert_eq!(read_command(reader), "EPSV");
        writer.write_all(b"500 no EPSV here\r\n").unwrap();
        assert_eq!(read_command(reader), "PASV");
        writer.write_all(b"227 Entering Passive Mode (10,9,8,7,4,210)\r\n").unwrap();
        // Nothing else: the client must not connect anywhere, nor send RETR.
        let mut rest = String::new();
        let _ = reader.read_line(&mut rest);
        assert!(rest.is_empty() || rest.starts_with("QUIT"), "{rest:?}");
        let _ = writer.write_all(b"221 bye\r\n");
    });
    let mut session = scripted_session(port, Duration::from_secs(10));
    let err = session.download_to("x", &mut Vec::new()).unwrap_err();
    match err.dialog() {
        Some(DialogError::BadReply { command, problem, reply, .. }) => {
            assert_eq!((command.as_str(), reply.code()), ("PASV", 227));
            assert!(problem.contains("10.9.8.7"), "{problem}");
        }
        other => panic!("{other:?} from {err}"),
    }
    drop(session);
    server.join().unwrap();
}

#[test]
fn a_pasv_reply_elsewhere_is_followed_when_told_to_use_the_control_host() {
    let data = TcpListener::bind("127.0.0.1:0").unwrap();
    let data_port = data.local_addr().unwrap().port();
    let (port, server) = scripted(move |reader, writer| {
        assert_eq!(read_command(reader), "PASV");
        let pasv = format!("227 (10,9,8,7,{},{})\r\n", data_port >> 8, data_port & 0xff);
        writer.write_all(pasv.as_bytes()).unwrap();
        let (mut conn, _) = data.accept().unwrap();
        assert_eq!(read_command(reader), "RETR x");
        writer.write_all(b"150 here\r\n").unwrap();
        conn.write_all(b"payload").unwrap();
        drop(conn);
        writer.write_all(b"226 done\r\n").unwrap();
        let _ = read_command(reader);
        let _ = writer.write_all(b"221 bye\r\n");
    });
    let mut session = scripted_session(port, Duration::from_secs(10));
    session.set_passive(true, false);
    session.set_pasv_address_policy(PasvAddressPolicy::UseControlHost);
    let mut got = Vec::new();
    session.download_to("x", &mut got).unwrap();
    assert_eq!(got, b"payload");
    session.close().unwrap();
    server.join().unwrap();
}

#[test]
fn a_stalled_transfer_times_out() {
    let data = TcpListener::bind("127.0.0.1:0").unwrap();
    let data_port = data.local_addr().unwrap().port();
    let (port, server) = scripted(move |reader, writer| {
        assert_eq!(read_command(reader), "EPSV");
        writer.write_all(format!("229 Extended (|||{data_port}|)\r\n").as_bytes()).unwrap();
        let (mut conn, _) = data.accept().unwrap();
        assert_eq!(read_command(reader), "RETR slow");
        writer.write_all(b"150 here\r\n").unwrap();
        conn.write_all(&[7u8; 5000]).unwrap();
        // Stall: keep both connections open until the client gives up.
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    let mut session = scripted_session(port, Duration::from_millis(700));
    let started = Instant::now();
    let mut got = Vec::new();
    let err = session.download_to("slow", &mut got).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
    drop(session);
    server.join().unwrap();
}

#[test]
fn a_refused_data_connection_is_an_error_and_the_session_goes_on() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let (port, server) = scripted(move |reader, writer| {
        assert_eq!(read_command(reader), "EPSV");
        writer.write_all(format!("229 (|||{closed_port}|)\r\n").as_bytes()).unwrap();
        // Active mode next: the server cannot connect back and says so.
        let port_cmd = read_command(reader);
        assert!(port_cmd.starts_with("EPRT |1|127.0.0.1|"), "{port_cmd}");
        writer.write_all(b"200 ok\r\n").unwrap();
        assert_eq!(read_command(reader), "RETR x");
        writer.write_all(b"425 Can't open data connection\r\n").unwrap();
        assert_eq!(read_command(reader), "NOOP");
        writer.write_all(b"200 still here\r\n").unwrap();
    });
    let mut session = scripted_session(port, Duration::from_secs(10));
    let err = session.download_to("x", &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err:?}");
    session.set_passive(false, true);
    let err = session.download_to("x", &mut Vec::new()).unwrap_err();
    assert_eq!(err.reply().map(|r| r.code()), Some(425), "{err}");
    assert_eq!(session.send_command("NOOP", "").unwrap().code(), 200);
    drop(session);
    server.join().unwrap();
}

#[test]
fn bad_listing_lines_are_raw_entries_or_errors() {
    let data = TcpListener::bind("127.0.0.1:0").unwrap();
    let data_port = data.local_addr().unwrap().port();
    let (port, server) = scripted(move |reader, writer| {
        for (command, body) in [
            ("LIST", &b"total 3\r\n-rw-r--r-- 1 u g 5 Jan 01 10:00 ok.txt\r\n\x00\xff garbage \xfe\r\n"[..]),
            ("MLSD", &b"type=file;size=1; fine\r\nthis line has no facts\r\n"[..]),
        ] {
            assert_eq!(read_command(reader), "EPSV");
            writer.write_all(format!("229 (|||{data_port}|)\r\n").as_bytes()).unwrap();
            let (mut conn, _) = data.accept().unwrap();
            assert_eq!(read_command(reader), command);
            writer.write_all(b"150 here\r\n").unwrap();
            conn.write_all(body).unwrap();
            drop(conn);
            writer.write_all(b"226 done\r\n").unwrap();
        }
    });
    let mut session = scripted_session(port, Duration::from_secs(10));
    let lines = session.list("").unwrap();
    assert_eq!(lines.len(), 3);
    assert!(matches!(&lines[0], ListLine::Total(3)));
    assert!(matches!(&lines[1], ListLine::Entry(e) if e.name == "ok.txt"));
    assert!(matches!(&lines[2], ListLine::Unparsed(raw) if raw.contains("garbage")));
    let err = session.mlsd("").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err:?}");
    assert!(err.message().contains("no facts"), "{err:?}");
    drop(session);
    server.join().unwrap();
}

#[test]
fn pyftpdlib_over_ipv6_uses_epsv_and_eprt() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        return eprintln!("SKIP: no IPv6 loopback here");
    }
    let server = match PyFtpd::start_on("::1", None) {
        Ok(s) => s,
        Err(e) => return skip("pyftpdlib", e),
    };
    let data = payload(MIB + 1);
    let mut session = FtpClientSession::connect("::1", server.port).unwrap();
    session.login(FTP_USER, FTP_PASSWORD).unwrap();
    session.upload_from("six.bin", &mut &data[..]).unwrap();
    session.set_passive(false, true);
    let mut back = Vec::new();
    session.download_to("six.bin", &mut back).unwrap();
    assert!(back == data);
    assert!(std::fs::read(server.root().join("six.bin")).unwrap() == data);
    // PASV cannot name an IPv6 address: without the extensions, passive mode fails cleanly.
    session.set_passive(true, false);
    let err = session.download_to("six.bin", &mut Vec::new()).unwrap_err();
    assert!(err.reply().is_some(), "{err:?}");
    session.close().unwrap();
}

#[test]
fn pyftpdlib_through_socks5_and_http_connect_proxies() {
    let Some(server) = pyftpd() else { return };
    let (http_port, http_log) = rpoco_testsupport::http_proxy(None);
    let socks_port = common::socks5_proxy(false);
    let len = MIB as u64 + 3;
    for (name, proxy) in [
        ("socks5", ProxyConfig::socks5("127.0.0.1", socks_port)),
        ("connect", ProxyConfig::new("127.0.0.1", http_port)),
    ] {
        let mut session = FtpClientSession::new();
        session.set_proxy(proxy).unwrap();
        session.set_timeout(Duration::from_secs(20));
        session.open("127.0.0.1", server.port).unwrap();
        session.login(FTP_USER, FTP_PASSWORD).unwrap();
        let file = format!("{name}.bin");
        round_trip(
            &mut session,
            len,
            &server.root().join(&file),
            |s, data| s.upload_from(&file, data),
            |s, out| s.download_to(&file, out),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(session.list_names("").unwrap().contains(&file), "{name}");
        // The server cannot connect back through a proxy: active mode is refused up front.
        session.set_passive(false, true);
        let err = session.download_to(&file, &mut io::sink()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{name}: {err:?}");
        session.set_passive(true, true);
        assert_eq!(session.send_command("NOOP", "").unwrap().code(), 200, "{name}");
        session.close().unwrap();
    }
    // The HTTP proxy saw a tunnel for the control connection and one per data connection.
    let log = http_log.lock().unwrap();
    let tunnels = log.requests.iter().filter(|r| r.method() == "CONNECT").count();
    assert!(tunnels >= 4, "{tunnels} CONNECT tunnels");
}
