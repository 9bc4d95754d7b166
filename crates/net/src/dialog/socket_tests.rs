use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::*;
use crate::{ErrorKind, ServerSocket};

/// A dialog connected to a raw loopback peer the test writes to by hand.
fn pair() -> (DialogSocket, TcpStream) {
    let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
    let dialog = DialogSocket::connect(&server.address().unwrap(), Some(Duration::from_secs(10))).unwrap();
    let (peer, _) = server.accept_connection().unwrap();
    (dialog, peer.as_tcp_stream().try_clone().unwrap())
}

#[test]
fn replies_and_lines_in_one_stream() {
    let (mut dialog, mut peer) = pair();
    peer.write_all(b"+OK POP3 ready\r\n211-Features\r\n UTF8\r\n211 End\r\nraw tail").unwrap();
    assert_eq!(dialog.receive_message().unwrap().as_deref(), Some("+OK POP3 ready"));
    let reply = dialog.receive_status_message().unwrap();
    assert_eq!((reply.code(), reply.text()), (211, "Features\n UTF8\nEnd".to_string()));
    let mut tail = [0u8; 8];
    dialog.set_receive_timeout(Some(Duration::from_secs(10)));
    assert_eq!(dialog.receive_raw_bytes(&mut tail).unwrap(), 8);
    assert_eq!(&tail, b"raw tail");
}

#[test]
fn commands_go_out_with_crlf_and_injection_is_refused() {
    let (mut dialog, mut peer) = pair();
    dialog.send_command("RETR", &["a file.txt"]).unwrap();
    dialog.send_command("NOOP", &[]).unwrap();
    let err = dialog.send_command("RETR", &["x\r\nDELE y"]).unwrap_err();
    assert!(err.kind() == ErrorKind::InvalidArgument, "{err:?}");
    drop(dialog);
    let mut sent = String::new();
    peer.read_to_string(&mut sent).unwrap();
    assert_eq!(sent, "RETR a file.txt\r\nNOOP\r\n");
}

#[test]
fn a_timed_out_reply_resumes_where_it_was() {
    let (mut dialog, mut peer) = pair();
    dialog.set_receive_timeout(Some(Duration::from_millis(300)));
    peer.write_all(b"230-first half\r\n23").unwrap();
    let started = Instant::now();
    let err = dialog.receive_status_message().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(250));
    peer.write_all(b"0 second half\r\n").unwrap();
    dialog.set_receive_timeout(Some(Duration::from_secs(10)));
    let reply = dialog.receive_status_message().unwrap();
    assert_eq!(reply.message(), "230-first half\n230 second half");
}

#[test]
fn the_timeout_bounds_the_whole_reply_not_each_read() {
    let (mut dialog, peer) = pair();
    dialog.set_receive_timeout(Some(Duration::from_millis(600)));
    // A peer trickling a reply that never ends, one line every 100 ms.
    let trickle = std::thread::spawn(move || {
        let mut peer = peer;
        for _ in 0..40 {
            if peer.write_all(b"220-more\r\n").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let started = Instant::now();
    let err = dialog.receive_status_message().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    drop(dialog);
    trickle.join().unwrap();
}

#[test]
fn limits_give_typed_errors_and_leave_the_stream_out_of_step() {
    let (mut dialog, mut peer) = pair();
    dialog.set_limits(DialogLimits { max_line_length: 32, max_reply_size: 256 });
    peer.write_all(&[b'x'; 100]).unwrap();
    let err = dialog.receive_status_message().unwrap_err();
    assert!(matches!(err.dialog(), Some(DialogError::LineTooLong { limit: 32, .. })), "{err:?}");
    assert_eq!(err.poco_class(), "IOException");
    let again = dialog.receive_status_message().unwrap_err();
    assert!(again.kind() == ErrorKind::IllegalState, "{again:?}");

    let (mut dialog, mut peer) = pair();
    dialog.set_limits(DialogLimits { max_line_length: 32, max_reply_size: 256 });
    for _ in 0..30 {
        peer.write_all(b"220-endless\r\n").unwrap();
    }
    let err = dialog.receive_status_message().unwrap_err();
    assert!(matches!(err.dialog(), Some(DialogError::ReplyTooLarge { limit: 256, .. })), "{err:?}");
    assert_eq!(err.poco_class(), "MessageException");
}

#[test]
fn end_of_stream_before_and_inside_a_reply() {
    let (mut dialog, peer) = pair();
    drop(peer);
    assert!(dialog.receive_status_message().is_err_and(|e| e.kind() == ErrorKind::NoMessage));
    assert_eq!(dialog.receive_message().unwrap(), None);

    let (mut dialog, mut peer) = pair();
    peer.write_all(b"220-half").unwrap();
    drop(peer);
    let err = dialog.receive_status_message().unwrap_err();
    assert!(err.kind() == ErrorKind::ConnectionReset, "{err:?}");
}

#[test]
fn upgrade_swaps_the_transport_and_refuses_plaintext_read_ahead() {
    let (mut dialog, mut peer) = pair();
    peer.write_all(b"220 go ahead\r\n").unwrap();
    dialog.receive_status_message().unwrap();
    let local = dialog.address().unwrap();
    // The "upgrade" here wraps the same socket again; the point is the hand-over.
    dialog.upgrade(Ok).unwrap();
    assert_eq!(dialog.address().unwrap(), local);

    peer.write_all(b"220 go ahead\r\n250 injected\r\n").unwrap();
    dialog.receive_status_message().unwrap();
    let err = dialog.upgrade(Ok).unwrap_err();
    assert!(err.kind() == ErrorKind::Protocol, "{err:?}");
    let detached = dialog.into_detached().unwrap();
    assert_eq!(detached.buffered, b"250 injected\r\n");
    let mut again = DialogSocket::from_detached(detached);
    assert_eq!(again.receive_status_message().unwrap().code(), 250);
}

#[test]
fn a_failed_upgrade_leaves_no_connection() {
    let (mut dialog, _peer) = pair();
    let err = dialog.upgrade(|_| Err(Error::new(ErrorKind::Protocol, "handshake failed"))).unwrap_err();
    assert!(err.kind() == ErrorKind::Protocol);
    assert!(!dialog.is_open());
    assert!(dialog.send_message("NOOP").is_err_and(|e| e.kind() == ErrorKind::IllegalState));
}
