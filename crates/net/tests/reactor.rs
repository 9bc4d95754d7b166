//! SocketReactor behaviour through the public API, with real sockets on 127.0.0.1: handlers
//! that remove themselves, close inside a callback, panic, and a reactor stopped while busy.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use rpoco_net::{
    Notification, ParallelSocketAcceptor, ServerSocket, SocketAcceptor, SocketAddress, SocketConnector,
    SocketReactor, StreamSocket,
};

const LIMIT: Duration = Duration::from_secs(30);

fn listener() -> ServerSocket {
    ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap()
}

fn client(addr: &SocketAddress) -> StreamSocket {
    let s = StreamSocket::connect(addr).unwrap();
    s.set_receive_timeout(Some(LIMIT)).unwrap();
    s
}

/// Runs `reactor` on a thread; the handle joins it.
fn spawn(reactor: &SocketReactor) -> thread::JoinHandle<()> {
    let r = reactor.clone();
    thread::spawn(move || r.run())
}

/// A blocking echo handler: reads what is there, writes it back, removes itself on close.
fn echo(socket: StreamSocket, reactor: &SocketReactor) -> rpoco_net::Result<()> {
    let s = socket.clone();
    reactor.add_event_handler(&socket, Notification::Readable, move |r, _| {
        let mut buf = [0u8; 4096];
        match s.receive_bytes(&mut buf) {
            Ok(n) if n > 0 => {
                if s.send_bytes(&buf[..n]).is_err() {
                    r.remove_socket(&s);
                }
            }
            _ => r.remove_socket(&s),
        }
    })?;
    Ok(())
}

fn round_trip(socket: &StreamSocket, data: &[u8]) {
    socket.send_bytes(data).unwrap();
    let mut back = vec![0u8; data.len()];
    (&*socket).read_exact(&mut back).unwrap();
    assert_eq!(back, data);
}

#[test]
fn a_handler_removing_itself_is_not_called_again() {
    let server = listener();
    let reactor = SocketReactor::new().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let (c, sock) = (calls.clone(), server.clone());
    // Never accepts, so the listener stays readable: only removal stops the calls.
    reactor
        .add_event_handler(&server, Notification::Readable, move |r, kind| {
            assert_eq!(kind, Notification::Readable);
            c.fetch_add(1, Ordering::SeqCst);
            r.remove_event_handler(&sock, Notification::Readable);
        })
        .unwrap();
    let t = spawn(&reactor);
    let _c = client(&server.address().unwrap());
    let start = Instant::now();
    while calls.load(Ordering::SeqCst) == 0 && start.elapsed() < LIMIT {
        thread::sleep(Duration::from_millis(5));
    }
    thread::sleep(Duration::from_millis(200));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(!reactor.has_event_handler(&server, Notification::Readable));
    assert_eq!(reactor.socket_count(), 0);
    reactor.stop();
    t.join().unwrap();
}

#[test]
fn acceptor_echoes_and_a_handler_closing_inside_its_callback_is_clean() {
    let server = listener();
    let addr = server.address().unwrap();
    let reactor = SocketReactor::new().unwrap();
    // The handler answers "bye" by closing the connection from inside its own callback.
    let _acceptor = SocketAcceptor::with_factory(server, &reactor, |socket, reactor| {
        let s = socket.clone();
        reactor.add_event_handler(&socket, Notification::Readable, move |r, _| {
            let mut buf = [0u8; 64];
            match s.receive_bytes(&mut buf) {
                Ok(n) if n > 0 && &buf[..n] != b"bye" => {
                    let _ = s.send_bytes(&buf[..n]);
                }
                _ => {
                    r.remove_socket(&s);
                    let _ = s.shutdown();
                }
            }
        })?;
        Ok(())
    })
    .unwrap();
    let t = spawn(&reactor);
    let a = client(&addr);
    round_trip(&a, b"hello");
    a.send_bytes(b"bye").unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(a.receive_bytes(&mut buf).unwrap(), 0, "closed by the handler");
    // A peer that closes: the handler sees end of stream and removes itself.
    let b = client(&addr);
    round_trip(&b, b"x");
    drop(b);
    let start = Instant::now();
    while reactor.socket_count() > 1 && start.elapsed() < LIMIT {
        thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(reactor.socket_count(), 1, "only the listener is left");
    round_trip(&client(&addr), b"still serving");
    reactor.stop();
    t.join().unwrap();
}

#[test]
fn a_panicking_handler_is_reported_and_removed_and_the_reactor_goes_on() {
    let server = listener();
    let addr = server.address().unwrap();
    let reactor = SocketReactor::new().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    reactor.set_panic_handler(move |p| {
        tx.lock().unwrap().send((p.notification, p.message.clone())).unwrap();
    });
    let _acceptor = SocketAcceptor::with_factory(server, &reactor, |socket, reactor| {
        let s = socket.clone();
        reactor.add_event_handler(&socket, Notification::Readable, move |r, _| {
            let mut buf = [0u8; 64];
            let n = s.receive_bytes(&mut buf).unwrap_or(0);
            if &buf[..n] == b"boom" {
                panic!("handler exploded on purpose");
            }
            if n == 0 || s.send_bytes(&buf[..n]).is_err() {
                r.remove_socket(&s);
            }
        })?;
        Ok(())
    })
    .unwrap();
    let t = spawn(&reactor);
    let bomber = client(&addr);
    bomber.send_bytes(b"boom").unwrap();
    let (kind, message) = rx.recv_timeout(LIMIT).expect("the panic is reported");
    assert_eq!(kind, Notification::Readable);
    assert!(message.contains("exploded on purpose"), "{message}");
    assert_eq!(reactor.panics(), 1);
    // The panicking handler is gone; others are served.
    round_trip(&client(&addr), b"after the panic");
    assert!(!reactor.has_event_handler(&bomber, Notification::Readable));
    reactor.stop();
    t.join().unwrap();
}

#[test]
fn a_service_handler_panicking_in_open_is_reported_and_costs_only_its_connection() {
    let server = listener();
    let addr = server.address().unwrap();
    let reactor = SocketReactor::new().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    reactor.set_panic_handler(move |p| {
        tx.lock().unwrap().send((p.notification, p.message.clone())).unwrap();
    });
    let opened = AtomicUsize::new(0);
    let _acceptor = SocketAcceptor::with_factory(server, &reactor, move |socket, reactor| {
        if opened.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("open exploded on purpose");
        }
        echo(socket, reactor)
    })
    .unwrap();
    let t = spawn(&reactor);
    let first = client(&addr);
    let (kind, message) = rx.recv_timeout(LIMIT).expect("the panic in open is reported");
    assert_eq!(kind, Notification::Readable);
    assert!(message.contains("open exploded on purpose"), "{message}");
    assert_eq!(reactor.panics(), 1);
    // Its connection is closed: end of stream, not a hang.
    let mut buf = [0u8; 8];
    assert_eq!((&first).read(&mut buf).unwrap(), 0);
    // The acceptor goes on.
    round_trip(&client(&addr), b"the next one is served");
    reactor.stop();
    t.join().unwrap();
}

#[test]
fn stop_while_busy_returns_and_sends_shutdown() {
    let server = listener();
    let addr = server.address().unwrap();
    let reactor = SocketReactor::new().unwrap();
    let _acceptor = SocketAcceptor::with_factory(server.clone(), &reactor, echo).unwrap();
    let shutdowns = Arc::new(AtomicUsize::new(0));
    let s = shutdowns.clone();
    reactor
        .add_event_handler(&server, Notification::Shutdown, move |_, _| {
            s.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    let t = spawn(&reactor);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let done = done.clone();
            thread::spawn(move || {
                let c = StreamSocket::connect(&addr).unwrap();
                c.set_receive_timeout(Some(Duration::from_secs(2))).unwrap();
                let msg = [i as u8; 512];
                let mut back = [0u8; 512];
                let mut rounds = 0u32;
                // Bounded: until stopped, at most 100,000 rounds.
                while !done.load(Ordering::SeqCst) && rounds < 100_000 {
                    if c.send_bytes(&msg).is_err() || (&c).read_exact(&mut back).is_err() {
                        break;
                    }
                    assert_eq!(back, msg);
                    rounds += 1;
                }
                rounds
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    reactor.stop();
    t.join().unwrap();
    assert!(asked.elapsed() < LIMIT);
    assert_eq!(shutdowns.load(Ordering::SeqCst), 1);
    done.store(true, Ordering::SeqCst);
    let rounds: u32 = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(rounds > 0, "the clients were served before the stop");
}

#[test]
fn timeout_and_idle_notifications() {
    let reactor = SocketReactor::with_timeout(Duration::from_millis(20)).unwrap();
    let server = listener();
    let (timeouts, idles) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let t2 = timeouts.clone();
    reactor
        .add_event_handler(&server, Notification::Timeout, move |_, _| {
            t2.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    let i2 = idles.clone();
    reactor
        .add_event_handler(&server, Notification::Idle, move |_, _| {
            i2.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    let t = spawn(&reactor);
    let start = Instant::now();
    while (timeouts.load(Ordering::SeqCst) < 2 || idles.load(Ordering::SeqCst) < 2) && start.elapsed() < LIMIT
    {
        thread::sleep(Duration::from_millis(5));
    }
    // No socket is watched for I/O: the reactor is idle and times out.
    assert!(timeouts.load(Ordering::SeqCst) >= 2 && idles.load(Ordering::SeqCst) >= 2);
    reactor.stop();
    t.join().unwrap();
}

#[test]
fn connector_reports_success_and_refusal() {
    let server = listener();
    let reactor = SocketReactor::new().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    SocketConnector::with_callback(&server.address().unwrap(), &reactor, move |r, _| {
        tx.send(r.map(|s| s.peer_address().unwrap())).unwrap();
    })
    .unwrap();
    // A port nobody listens on (bound, then closed).
    let closed = listener().address().unwrap();
    SocketConnector::with_callback(&closed, &reactor, move |r, _| {
        tx2.send(r.map(|s| s.peer_address().unwrap())).unwrap();
    })
    .unwrap();
    let t = spawn(&reactor);
    let mut results = [rx.recv_timeout(LIMIT).unwrap(), rx.recv_timeout(LIMIT).unwrap()];
    results.sort_by_key(|r| r.is_err());
    assert_eq!(*results[0].as_ref().unwrap(), server.address().unwrap());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.poco_class(), "ConnectionRefusedException", "{err}");
    reactor.stop();
    t.join().unwrap();
}

#[test]
fn parallel_acceptor_spreads_connections_over_its_reactors() {
    let server = listener();
    let addr = server.address().unwrap();
    let reactor = SocketReactor::new().unwrap();
    let acceptor = ParallelSocketAcceptor::with_factory(server, &reactor, 3, echo).unwrap();
    let t = spawn(&reactor);
    let clients: Vec<StreamSocket> = (0..9).map(|_| client(&addr)).collect();
    for (i, c) in clients.iter().enumerate() {
        round_trip(c, format!("client {i}").as_bytes());
    }
    let counts: Vec<usize> = acceptor.reactors().map(|r| r.socket_count()).collect();
    assert_eq!(counts, vec![3, 3, 3]);
    reactor.stop();
    t.join().unwrap();
}

#[test]
fn handlers_added_from_another_thread_while_running_are_served() {
    let reactor = SocketReactor::new().unwrap();
    let t = spawn(&reactor);
    let server = listener();
    let c = client(&server.address().unwrap());
    let (peer, _) = server.accept_connection().unwrap();
    echo(peer, &reactor).unwrap();
    round_trip(&c, b"late registration");
    let mut w = &c;
    w.write_all(b"!").unwrap();
    reactor.stop();
    t.join().unwrap();
}
