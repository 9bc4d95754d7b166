//! TcpServer on 127.0.0.1: echo connections, the refusing queue, panicking connections,
//! parked connections, the connection filter, and stopping.

mod support;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rpoco_net::{
    Next, ServerSocket, SocketAddress, StreamSocket, TcpServer, TcpServerConnection, TcpServerParams,
};

fn listener() -> ServerSocket {
    ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), true).unwrap()
}

fn client(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

struct Echo(StreamSocket);

impl TcpServerConnection for Echo {
    fn run(&mut self) -> Next {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = self.0.read(&mut buf) {
            if self.0.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        Next::Close
    }
}

fn echo_factory(s: StreamSocket) -> Box<dyn TcpServerConnection> {
    Box::new(Echo(s))
}

#[test]
fn echoes_for_many_clients_and_counts_them() {
    let server = TcpServer::new(echo_factory, listener(), None).unwrap();
    server.start().unwrap();
    assert_eq!(server.max_threads(), 16);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let port = server.port();
            std::thread::spawn(move || {
                let mut s = client(port);
                for j in 0..50 {
                    let msg = format!("client {i} message {j}\n");
                    s.write_all(msg.as_bytes()).unwrap();
                    let mut back = vec![0u8; msg.len()];
                    s.read_exact(&mut back).unwrap();
                    assert_eq!(back, msg.as_bytes());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(server.total_connections(), 8);
    assert!(server.max_concurrent_connections() >= 1);
    assert!(support::eventually(Duration::from_secs(5), || server.current_connections() == 0));
    server.stop();
    server.stop();
    assert!(server.start().is_err(), "a stopped server does not restart");
}

/// Holds its worker until the gate opens, then echoes one byte.
struct Gated(StreamSocket, Arc<Mutex<mpsc::Receiver<()>>>);

impl TcpServerConnection for Gated {
    fn run(&mut self) -> Next {
        let _ = self.1.lock().unwrap().recv_timeout(Duration::from_secs(10));
        let _ = self.0.write_all(b"!");
        Next::Close
    }
}

#[test]
fn connections_beyond_the_queue_are_refused_not_left_hanging() {
    let (open, gate) = mpsc::channel::<()>();
    let gate = Arc::new(Mutex::new(gate));
    let params = TcpServerParams { max_threads: 1, max_queued: 1, ..TcpServerParams::default() };
    let server = TcpServer::new(
        move |s: StreamSocket| Box::new(Gated(s, gate.clone())) as Box<dyn TcpServerConnection>,
        listener(),
        Some(params),
    )
    .unwrap();
    server.start().unwrap();
    let mut running = client(server.port());
    assert!(support::eventually(Duration::from_secs(5), || server.current_threads() == 1
        && server.queued_connections() == 0));
    let mut queued = client(server.port());
    assert!(support::eventually(Duration::from_secs(5), || server.queued_connections() == 1));
    let started = Instant::now();
    let mut refused = client(server.port());
    let mut b = [0u8; 1];
    let r = refused.read(&mut b);
    assert!(matches!(r, Ok(0)) || r.is_err(), "refused connection got {r:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "refused at once, not left hanging");
    assert_eq!(server.refused_connections(), 1);
    open.send(()).unwrap();
    open.send(()).unwrap();
    assert_eq!(running.read(&mut b).unwrap(), 1);
    assert_eq!(queued.read(&mut b).unwrap(), 1);
    assert_eq!(server.total_connections(), 2);
}

struct Panicky;

impl TcpServerConnection for Panicky {
    fn run(&mut self) -> Next {
        panic!("connection bug");
    }
}

#[test]
fn a_panicking_connection_is_closed_and_the_worker_survives() {
    let params = TcpServerParams { max_threads: 1, ..TcpServerParams::default() };
    let made = std::sync::atomic::AtomicUsize::new(0);
    let server = TcpServer::new(
        move |s: StreamSocket| -> Box<dyn TcpServerConnection> {
            if made.fetch_add(1, std::sync::atomic::Ordering::SeqCst).is_multiple_of(2) {
                Box::new(Panicky)
            } else {
                Box::new(Echo(s))
            }
        },
        listener(),
        Some(params),
    )
    .unwrap();
    server.start().unwrap();
    let mut echoed = 0;
    for i in 0..10 {
        let mut s = client(server.port());
        let odd = i % 2 == 1;
        let _ = s.write_all(b"x");
        let mut b = [0u8; 1];
        match s.read(&mut b) {
            Ok(1) => {
                assert!(odd);
                echoed += 1;
            }
            other => assert!(!odd, "echo connection got {other:?}"),
        }
    }
    assert!(server.current_threads() <= 1);
    assert_eq!(echoed, 5);
}

/// Echoes lines without holding a thread: reads what is there, then parks until readable
/// again; closes itself when `deadline` passes without input.
struct ParkingEcho {
    socket: StreamSocket,
    idle: Duration,
    deadline: Option<Instant>,
}

impl TcpServerConnection for ParkingEcho {
    fn run(&mut self) -> Next {
        if self.socket.set_blocking(false).is_err() {
            return Next::Close;
        }
        let mut buf = [0u8; 4096];
        loop {
            match (&self.socket).read(&mut buf) {
                Ok(0) => return Next::Close,
                Ok(n) => {
                    let _ = self.socket.set_blocking(true);
                    if self.socket.send_bytes(&buf[..n]).is_err() {
                        return Next::Close;
                    }
                    let _ = self.socket.set_blocking(false);
                    self.deadline = Some(Instant::now() + self.idle);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let deadline = *self.deadline.get_or_insert_with(|| Instant::now() + self.idle);
                    if Instant::now() >= deadline {
                        return Next::Close;
                    }
                    return Next::WaitReadable { deadline: Some(deadline) };
                }
                Err(_) => return Next::Close,
            }
        }
    }
}

#[test]
fn parked_connections_hold_no_thread_and_wake_on_data_or_deadline() {
    let params = TcpServerParams { max_threads: 2, ..TcpServerParams::default() };
    let server = TcpServer::new(
        |socket: StreamSocket| {
            Box::new(ParkingEcho { socket, idle: Duration::from_millis(500), deadline: None })
                as Box<dyn TcpServerConnection>
        },
        listener(),
        Some(params),
    )
    .unwrap();
    server.start().unwrap();
    // Ten connections at once on two workers: each is parked between messages.
    let mut clients: Vec<TcpStream> = (0..10).map(|_| client(server.port())).collect();
    for round in 0..3 {
        for (i, c) in clients.iter_mut().enumerate() {
            let msg = format!("{round}:{i};");
            c.write_all(msg.as_bytes()).unwrap();
            let mut back = vec![0u8; msg.len()];
            c.read_exact(&mut back).unwrap();
            assert_eq!(back, msg.as_bytes());
        }
    }
    assert!(support::eventually(Duration::from_secs(2), || server.idle_connections() == 10));
    assert!(server.current_threads() <= 2);
    // The deadline runs each connection once more, and it closes itself.
    let started = Instant::now();
    for c in &mut clients {
        let mut b = [0u8; 1];
        assert_eq!(c.read(&mut b).unwrap(), 0);
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(support::eventually(Duration::from_secs(2), || server.current_connections() == 0));
}

#[test]
fn the_connection_filter_rejects_before_queueing() {
    let server = TcpServer::new(echo_factory, listener(), None).unwrap();
    server.set_connection_filter(|_socket, peer| peer.port() % 2 == 1).unwrap();
    server.start().unwrap();
    assert!(server.set_connection_filter(|_, _| true).is_err(), "only before start");
    let mut served = 0;
    for _ in 0..10 {
        let mut s = client(server.port());
        let odd = s.local_addr().unwrap().port() % 2 == 1;
        let _ = s.write_all(b"y");
        let mut b = [0u8; 1];
        let got = matches!(s.read(&mut b), Ok(1));
        assert_eq!(got, odd);
        served += usize::from(got);
    }
    assert_eq!(server.total_connections(), served as u64);
}
