//! POCO's SMTPClientSessionTest and POP3ClientSessionTest cases, against a scripted server
//! on 127.0.0.1 (POCO's `DialogServer`: it sends canned replies and records every line it
//! receives), and hostile servers: an endless reply line, a reply that never ends, a server
//! that never answers, an endless message and an endless LIST. Every one must end in a typed
//! error within the limits and timeouts.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rpoco_net::mail::{
    MailMessage, MailRecipient, MessageInfo, Pop3ClientSession, RecipientType, SmtpClientSession,
};
use rpoco_net::{Chain, DialogError, DialogLimits, ErrorKind, Limit, Timeout};

const T: Option<Duration> = Some(Duration::from_secs(10));

/// POCO's `DialogServer`: the first reply on connect, then one reply per line received;
/// after a `354` reply, the lines up to `.` are message data and get one reply at the end.
struct DialogServer {
    port: u16,
    thread: JoinHandle<Vec<String>>,
}

impl DialogServer {
    fn new(replies: &[&str]) -> DialogServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let replies: Vec<String> = replies.iter().map(|r| format!("{r}\r\n")).collect();
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut replies = replies.into_iter();
            let mut send = |out: &mut TcpStream| -> bool {
                match replies.next() {
                    Some(r) => {
                        let _ = out.write_all(r.as_bytes());
                        r.starts_with("354")
                    }
                    None => false,
                }
            };
            send(&mut out);
            let mut data = false;
            let mut received = Vec::new();
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                received.push(line.clone());
                if data {
                    if line == "." {
                        data = send(&mut out);
                    }
                } else {
                    data = send(&mut out);
                }
            }
            received
        });
        DialogServer { port, thread }
    }

    /// Every line the client sent, once it closed the connection.
    fn received(self) -> Vec<String> {
        self.thread.join().unwrap()
    }
}

fn smtp(server: &DialogServer) -> SmtpClientSession {
    SmtpClientSession::connect_timeout("127.0.0.1", server.port, T).unwrap()
}

fn pop3(server: &DialogServer) -> Pop3ClientSession {
    Pop3ClientSession::connect_timeout("127.0.0.1", server.port, T).unwrap()
}

fn test_message(recipients: &[(RecipientType, &str, &str)]) -> MailMessage {
    let mut m = MailMessage::new();
    m.set_sender("john.doe@no.where");
    for (kind, address, name) in recipients {
        m.add_recipient(MailRecipient::new(*kind, address, name));
    }
    m.set_subject("Test Message");
    m.set_content("Hello\r\nblah blah\r\n\r\nJohn\r\n", Default::default());
    m
}

/// The message data the server saw (between DATA and `.`): header lines and body lines.
fn data_lines(received: &[String]) -> (Vec<String>, Vec<String>) {
    let start = received.iter().position(|l| l == "DATA").unwrap() + 1;
    let end = start + received[start..].iter().position(|l| l == ".").unwrap();
    let blank = start + received[start..end].iter().position(String::is_empty).unwrap();
    (received[start..blank].to_vec(), received[blank + 1..end].to_vec())
}

#[test]
fn smtp_login_ehlo() {
    let server = DialogServer::new(&["220 localhost SMTP ready", "250 Hello localhost", "221 Bye"]);
    let mut s = smtp(&server);
    s.login("localhost").unwrap();
    s.close().unwrap();
    assert_eq!(server.received(), ["EHLO localhost", "QUIT"]);
}

#[test]
fn smtp_login_helo() {
    let server = DialogServer::new(&[
        "220 localhost SMTP ready",
        "500 EHLO not understood",
        "250 Hello localhost",
        "221 Bye",
    ]);
    let mut s = smtp(&server);
    s.login("localhost").unwrap();
    s.close().unwrap();
    assert_eq!(server.received(), ["EHLO localhost", "HELO localhost", "QUIT"]);
}

#[test]
fn smtp_login_failed() {
    let server = DialogServer::new(&["500 No SMTP service here", "221 Bye"]);
    let mut s = smtp(&server);
    let e = s.login("localhost").unwrap_err();
    assert_eq!((e.kind(), e.poco_class()), (ErrorKind::Smtp, "SMTPException"));
    assert_eq!(e.reply().map(|r| r.code()), Some(500));
    s.close().unwrap();
    assert!(server.received().is_empty(), "nothing is sent after a refused greeting");
}

#[test]
fn smtp_send() {
    let replies = [
        "220 localhost SMTP ready",
        "250 Hello localhost",
        "250 OK",
        "250 OK",
        "354 Send data",
        "250 OK",
        "221 Bye",
    ];
    let server = DialogServer::new(&replies);
    let mut s = smtp(&server);
    s.login("localhost").unwrap();
    s.send_message(&test_message(&[(RecipientType::Primary, "jane.doe@no.where", "Jane Doe")])).unwrap();
    s.close().unwrap();
    let received = server.received();
    // RFC 5321 4.1.2: no space after the colon (POCO sends `MAIL FROM: <...>`).
    assert_eq!(
        received[..4],
        ["EHLO localhost", "MAIL FROM:<john.doe@no.where>", "RCPT TO:<jane.doe@no.where>", "DATA"]
    );
    let (header, body) = data_lines(&received);
    assert!(header.iter().any(|h| h.starts_with("Date: ")), "{header:?}");
    for line in [
        "Content-Type: text/plain",
        "From: john.doe@no.where",
        "Subject: Test Message",
        "Content-Transfer-Encoding: quoted-printable",
        "To: Jane Doe <jane.doe@no.where>",
    ] {
        assert!(header.iter().any(|h| h == line), "{line} in {header:?}");
    }
    assert_eq!(body, ["Hello", "blah blah", "", "John"]);
    assert_eq!(received.last().map(String::as_str), Some("QUIT"));
}

#[test]
fn smtp_send_multi_recipient() {
    let replies = [
        "220 localhost SMTP ready",
        "250 Hello localhost",
        "250 OK",
        "250 OK",
        "250 OK",
        "250 OK",
        "354 Send data",
        "250 OK",
        "221 Bye",
    ];
    let server = DialogServer::new(&replies);
    let mut s = smtp(&server);
    s.login("localhost").unwrap();
    let m = test_message(&[
        (RecipientType::Primary, "jane.doe@no.where", "Jane Doe"),
        (RecipientType::Cc, "jack.doe@no.where", "Jack Doe"),
        (RecipientType::Bcc, "joe.doe@no.where", "Joe Doe"),
    ]);
    s.send_message(&m).unwrap();
    s.close().unwrap();
    let received = server.received();
    assert_eq!(
        received[1..5],
        [
            "MAIL FROM:<john.doe@no.where>",
            "RCPT TO:<jane.doe@no.where>",
            "RCPT TO:<jack.doe@no.where>",
            "RCPT TO:<joe.doe@no.where>"
        ]
    );
    let (header, _) = data_lines(&received);
    assert!(header.iter().any(|h| h == "To: Jane Doe <jane.doe@no.where>"), "{header:?}");
    assert!(header.iter().any(|h| h.eq_ignore_ascii_case("CC: Jack Doe <jack.doe@no.where>")), "{header:?}");
    assert!(!header.iter().any(|h| h.contains("joe.doe")), "BCC stays out of the header: {header:?}");
}

#[test]
fn smtp_multi_separate_recipient() {
    let replies = [
        "220 localhost SMTP ready",
        "250 Hello localhost",
        "250 OK",
        "250 OK",
        "250 OK",
        "250 OK",
        "354 Send data",
        "250 OK",
        "221 Bye",
    ];
    let server = DialogServer::new(&replies);
    let mut s = smtp(&server);
    s.login("localhost").unwrap();
    let m = test_message(&[
        (RecipientType::Primary, "jane.doe@no.where", "Jane Doe"),
        (RecipientType::Cc, "jack.doe@no.where", "Jack Doe"),
        (RecipientType::Cc, "joe.doe@no.where", "Joe Doe"),
    ]);
    s.send_message_to(&m, &["jill.doe@no.where", "josh.doe@no.where", "jake.doe@no.where"]).unwrap();
    s.close().unwrap();
    let received = server.received();
    assert_eq!(
        received[1..6],
        [
            "MAIL FROM:<john.doe@no.where>",
            "RCPT TO:<jill.doe@no.where>",
            "RCPT TO:<josh.doe@no.where>",
            "RCPT TO:<jake.doe@no.where>",
            "DATA"
        ]
    );
    let (header, _) = data_lines(&received);
    assert!(
        header
            .iter()
            .any(|h| h.eq_ignore_ascii_case("CC: Jack Doe <jack.doe@no.where>, Joe Doe <joe.doe@no.where>")),
        "{header:?}"
    );
}

#[test]
fn smtp_send_failed() {
    let replies = [
        "220 localhost SMTP ready",
        "250 Hello localhost",
        "250 OK",
        "250 OK",
        "354 Send data",
        "500 Error",
        "221 Bye",
    ];
    let server = DialogServer::new(&replies);
    let mut s = smtp(&server);
    s.login("localhost").unwrap();
    let e = s
        .send_message(&test_message(&[(RecipientType::Primary, "jane.doe@no.where", "Jane Doe")]))
        .unwrap_err();
    assert_eq!((e.kind(), e.reply().map(|r| r.code())), (ErrorKind::Smtp, Some(500)), "{e}");
    s.close().unwrap();
    assert_eq!(server.received().last().map(String::as_str), Some("QUIT"));
}

#[test]
fn smtp_rejected_recipient_names_the_command_and_code() {
    let replies = ["220 ready", "250 Hello", "250 OK", "550 5.1.1 No such user", "221 Bye"];
    let server = DialogServer::new(&replies);
    let mut s = smtp(&server);
    s.login("localhost").unwrap();
    let e = s.send_message(&test_message(&[(RecipientType::Primary, "nobody@no.where", "")])).unwrap_err();
    match e.dialog() {
        Some(DialogError::UnexpectedReply { command, reply, .. }) => {
            assert_eq!((command.as_str(), reply.code()), ("RCPT TO:<nobody@no.where>", 550));
            assert_eq!(reply.text(), "5.1.1 No such user");
        }
        other => panic!("{other:?}"),
    }
    s.close().unwrap();
    server.received();
}

const POP3_LOGIN: [&str; 3] = ["+OK POP3 Ready...", "+OK USER", "+OK PASS"];

fn pop3_server(replies: &[&str]) -> DialogServer {
    let all: Vec<&str> = POP3_LOGIN.iter().chain(replies).copied().chain(["+OK QUIT"]).collect();
    DialogServer::new(&all)
}

#[test]
fn pop3_login() {
    let server = pop3_server(&[]);
    let mut s = pop3(&server);
    s.login("user", "secret").unwrap();
    s.close().unwrap();
    assert_eq!(server.received(), ["USER user", "PASS secret", "QUIT"]);
}

#[test]
fn pop3_login_fail() {
    let server = DialogServer::new(&["+OK POP3 Ready...", "+OK USER", "-ERR PASS", "+OK QUIT"]);
    let mut s = pop3(&server);
    let e = s.login("user", "secret").unwrap_err();
    assert_eq!((e.kind(), e.poco_class()), (ErrorKind::Pop3, "POP3Exception"));
    s.close().unwrap();
    server.received();
}

#[test]
fn pop3_message_count() {
    let server = pop3_server(&["+OK 42 12345"]);
    let mut s = pop3(&server);
    s.login("user", "secret").unwrap();
    assert_eq!(s.message_count().unwrap(), 42);
    s.close().unwrap();
    assert_eq!(server.received()[2], "STAT");
}

#[test]
fn pop3_list() {
    let server = pop3_server(&["+OK Here comes da list\r\n1 1234\r\n2 5678\r\n3 987\r\n."]);
    let mut s = pop3(&server);
    s.login("user", "secret").unwrap();
    let infos = s.list_messages().unwrap();
    assert_eq!(
        infos,
        [
            MessageInfo { id: 1, size: 1234 },
            MessageInfo { id: 2, size: 5678 },
            MessageInfo { id: 3, size: 987 }
        ]
    );
    s.close().unwrap();
    assert_eq!(server.received()[2], "LIST");
}

const MESSAGE: &str = "+OK Here comes the message\r\nFrom: john.doe@no.where\r\nTo: jane.doe@no.where\r\n\
    Subject: test\r\n\r\nHello Jane,\r\n\r\nblah blah blah...\r\n....\r\n\r\nYours, John\r\n.";
const CONTENT: &[u8] = b"Hello Jane,\r\n\r\nblah blah blah...\r\n...\r\n\r\nYours, John\r\n";

#[test]
fn pop3_retrieve_message() {
    let server = pop3_server(&[MESSAGE]);
    let mut s = pop3(&server);
    s.login("user", "secret").unwrap();
    let mut m = MailMessage::new();
    s.retrieve_message(1, &mut m).unwrap();
    assert_eq!(m.content(), CONTENT);
    assert_eq!(m.subject(), "test");
    s.close().unwrap();
    assert_eq!(server.received()[2], "RETR 1");
}

#[test]
fn pop3_retrieve_header_and_messages() {
    let header = "+OK Here comes the message\r\nFrom: john.doe@no.where\r\nTo: jane.doe@no.where\r\nSubject: test\r\n\r\n.";
    let server = pop3_server(&[header, MESSAGE]);
    let mut s = pop3(&server);
    s.login("user", "secret").unwrap();
    let h = s.retrieve_header(1).unwrap();
    assert_eq!(h.get("From"), Some("john.doe@no.where"));
    assert_eq!(h.get("To"), Some("jane.doe@no.where"));
    assert_eq!(h.get("Subject"), Some("test"));
    let mut m = MailMessage::new();
    s.retrieve_message(2, &mut m).unwrap();
    assert_eq!(m.content(), CONTENT);
    s.close().unwrap();
    assert_eq!(server.received()[2..4], ["TOP 1 0", "RETR 2"]);
}

#[test]
fn pop3_delete_message() {
    let server = pop3_server(&["+OK DELETED"]);
    let mut s = pop3(&server);
    s.login("user", "secret").unwrap();
    s.delete_message(42).unwrap();
    s.close().unwrap();
    assert_eq!(server.received()[2..], ["DELE 42", "QUIT"]);
}

/// A server that sends `prefix`, then `chunk` over and over until the client goes away (or
/// 64 MiB), counting what it sent.
fn flood(prefix: &'static [u8], chunk: &'static [u8]) -> (u16, JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut sent = 0;
        if stream.write_all(prefix).is_err() {
            return sent;
        }
        // Answer the login of a POP3 client first when the flood is a reply to a command.
        if prefix.starts_with(b"+OK") && chunk != b"x" {
            for reply in [&b"+OK\r\n"[..], b"+OK\r\n"] {
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || stream.write_all(reply).is_err() {
                    return sent;
                }
            }
            let mut line = String::new();
            if reader.read_line(&mut line).is_err()
                || stream.write_all(b"+OK here it comes\r\nSubject: endless\r\n\r\n").is_err()
            {
                return sent;
            }
        }
        while sent < 64 << 20 {
            match stream.write_all(chunk) {
                Ok(()) => sent += chunk.len(),
                Err(_) => break,
            }
        }
        sent
    });
    (port, thread)
}

#[test]
fn smtp_endless_reply_line_hits_the_line_limit() {
    let (port, flooder) = flood(b"220 ", b"x");
    let started = Instant::now();
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", port, T).unwrap();
    let e = s.open().unwrap_err();
    assert!(matches!(e.dialog(), Some(DialogError::LineTooLong { limit: 4096, .. })), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(s);
    assert!(flooder.join().unwrap() < 64 << 20, "the client stopped reading");
}

#[test]
fn smtp_reply_that_never_ends_hits_the_reply_limit() {
    let (port, flooder) = flood(b"220-", b"more\r\n220-");
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", port, T).unwrap();
    let e = s.open().unwrap_err();
    assert!(
        matches!(e.dialog(), Some(DialogError::ReplyTooLarge { limit, .. }) if *limit == DialogLimits::default().max_reply_size),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::Message);
    drop(s);
    flooder.join().unwrap();
}

#[test]
fn silent_servers_time_out_on_every_step() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        for _ in 0..2 {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.write_all(b"220 ready\r\n");
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(3));
    });
    let short = Some(Duration::from_millis(300));
    // Greeting arrives, EHLO is never answered.
    let mut s = SmtpClientSession::connect_timeout("127.0.0.1", port, short).unwrap();
    let started = Instant::now();
    let e = s.login("localhost").unwrap_err();
    assert_eq!(e.timeout_kind(), Some(Timeout::Read), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // A POP3 client on it gets an SMTP greeting: a protocol error saying so.
    let mut p = Pop3ClientSession::connect_timeout("127.0.0.1", port, short).unwrap();
    let e = p.login("u", "p").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    holder.join().unwrap();
}

#[test]
fn pop3_endless_message_hits_the_message_limit() {
    let (port, flooder) = flood(b"+OK ready\r\n", b"0123456789012345678901234567890123456789\r\n");
    let mut s = Pop3ClientSession::connect_timeout("127.0.0.1", port, T).unwrap();
    s.set_max_message_size(1 << 20);
    s.login("u", "p").unwrap();
    let mut m = MailMessage::new();
    let e = s.retrieve_message(1, &mut m).unwrap_err();
    assert_eq!(e.limit_kind(), Some(Limit::Body), "{e}");
    // The stream is out of step: the session is closed, not reused.
    assert_eq!(s.message_count().unwrap_err().kind(), ErrorKind::IllegalState);
    drop(s);
    flooder.join().unwrap();
}

#[test]
fn pop3_endless_list_hits_the_list_limit() {
    let (port, flooder) = flood(b"+OK ready\r\n", b"1 1234\r\n");
    let mut s = Pop3ClientSession::connect_timeout("127.0.0.1", port, T).unwrap();
    s.set_max_list_size(64 * 1024);
    s.login("u", "p").unwrap();
    let e = s.list_messages().unwrap_err();
    assert_eq!(e.limit_kind(), Some(Limit::Body), "{e}");
    drop(s);
    flooder.join().unwrap();
}

#[test]
fn pop3_endless_status_line_hits_the_line_limit() {
    let (port, flooder) = flood(b"+OK ", b"x");
    let mut s = Pop3ClientSession::connect_timeout("127.0.0.1", port, T).unwrap();
    let e = s.login("u", "p").unwrap_err();
    assert!(matches!(e.dialog(), Some(DialogError::LineTooLong { .. })), "{e}");
    drop(s);
    flooder.join().unwrap();
}

#[test]
fn sessions_connect_through_the_shared_chain() {
    let server = DialogServer::new(&["220 localhost SMTP ready", "250 Hello localhost", "221 Bye"]);
    let mut s = SmtpClientSession::connect_chain(&Chain::plain(), "127.0.0.1", server.port, T).unwrap();
    s.login("localhost").unwrap();
    s.close().unwrap();
    assert_eq!(server.received(), ["EHLO localhost", "QUIT"]);
    let server = pop3_server(&["+OK 1 10"]);
    let mut p = Pop3ClientSession::connect_chain(&Chain::plain(), "localhost", server.port, T).unwrap();
    p.login("user", "secret").unwrap();
    assert_eq!(p.message_count().unwrap(), 1);
    p.close().unwrap();
    assert_eq!(server.received(), ["USER user", "PASS secret", "STAT", "QUIT"]);
}
