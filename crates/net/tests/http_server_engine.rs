//! The engine under clients that set a bad pace, on 127.0.0.1: as many slow readers and
//! slow senders as worker threads do not stop others from being served (issue 18); a
//! handler that blocks holds only its own thread, one worker serves many connections in
//! turn, connections past `max_queued` are refused at once and the rest served (issue 11). Deadlines are generous: the machine may be loaded.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use rpoco_net::{HttpServerParams, handler_fn};
use socket2::{Domain, Socket, Type};

const WORKERS: usize = 4;

fn params(workers: usize) -> HttpServerParams {
    let mut params = HttpServerParams::default();
    params.tcp.max_threads = workers;
    params
}

/// Answers GET with 4 KiB, POST with the length of the body it read.
fn handler() -> impl rpoco_net::HttpRequestHandlerFactory {
    handler_fn(|request, response| {
        if request.method() == "POST" {
            let mut body = Vec::new();
            request.read_to_end(&mut body)?;
            return response.send_buffer(body.len().to_string().as_bytes());
        }
        response.send_buffer(&[b'x'; 4096])
    })
}

/// A client socket with a tiny receive buffer, connected.
fn small_window_client(port: u16) -> TcpStream {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    socket.connect(&addr.into()).unwrap();
    socket.into()
}

/// One well-behaved GET on a new connection; how long it took.
fn timed_get(port: u16) -> Duration {
    let started = Instant::now();
    let mut c = support::connect(port);
    c.stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let res = c.read_response("GET").expect("a response");
    assert_eq!((res.status, res.body.len()), (200, 4096));
    started.elapsed()
}

#[test]
fn slow_readers_and_slow_senders_do_not_hold_the_workers() {
    let server = support::serve(handler(), params(WORKERS));
    let port = server.port();
    // Slow readers: a small window, many pipelined GETs, then nothing read.
    let readers: Vec<TcpStream> = (0..WORKERS)
        .map(|_| {
            let mut s = small_window_client(port);
            let one = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
            // 2000 answers of 4 KiB: more than the kernel's send buffer takes.
            s.write_all(&one.repeat(2000)).unwrap();
            s
        })
        .collect();
    // Slow senders: 1 MiB bodies at 1 KiB per 100 ms.
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..WORKERS)
        .map(|_| {
            let stop = stop.clone();
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n").unwrap();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if s.write_all(&[b'y'; 1024]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        })
        .collect();
    // Let every slow client reach the point where it would block a worker.
    std::thread::sleep(Duration::from_millis(700));
    for _ in 0..20 {
        let took = timed_get(port);
        assert!(took < Duration::from_secs(10), "a well-behaved GET took {took:?}");
    }
    // The slow clients are still connected, parked, holding no worker.
    assert!(server.tcp_server().idle_connections() >= WORKERS, "slow clients wait in the poller");
    stop.store(true, Ordering::Relaxed);
    for t in senders {
        t.join().unwrap();
    }
    drop(readers);
}

#[test]
fn a_reader_slower_than_the_minimum_rate_is_cut_off() {
    let mut p = params(WORKERS);
    p.response_timeout = Duration::from_millis(800);
    p.min_data_rate = 0;
    let server = support::serve(handler(), p);
    let mut s = small_window_client(server.port());
    s.write_all(&b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000)).unwrap();
    // It reads nothing: once the socket is full, the response cannot leave in time and the
    // server gives up on the connection.
    let tcp = server.tcp_server();
    assert!(support::eventually(Duration::from_secs(1), || tcp.current_connections() == 1));
    assert!(support::eventually(Duration::from_secs(20), || tcp.current_connections() == 0), "closed");
    drop(s);
}

#[test]
fn a_slow_sender_past_the_body_deadline_gets_408() {
    let mut p = params(WORKERS);
    p.request_body_timeout = Duration::from_millis(800);
    p.min_data_rate = 0;
    let server = support::serve(handler(), p);
    let mut c = support::connect(server.port());
    c.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
    let res = c.read_response("POST").expect("an answer");
    assert_eq!(res.status, 408);
    assert!(c.closed_within(Duration::from_secs(10)));
}

#[test]
fn a_blocking_handler_holds_only_its_own_thread() {
    let server = support::serve(
        handler_fn(|request, response| {
            if request.uri() == "/slow" {
                std::thread::sleep(Duration::from_secs(2));
            }
            response.send_buffer(b"done")
        }),
        params(WORKERS),
    );
    let port = server.port();
    let slow = std::thread::spawn(move || {
        let (res, _) = support::exchange(port, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        res.status
    });
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    for _ in 0..10 {
        let (res, _) = support::exchange(port, b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(res.body, b"done");
    }
    assert!(started.elapsed() < Duration::from_millis(1800), "fast requests waited for the slow one");
    assert_eq!(slow.join().unwrap(), 200);
}

#[test]
fn handlers_blocking_on_every_core_do_not_stop_the_others() {
    // More blocked handlers than the machine has cores (the workers the server runs at once
    // before it sees them stall): the rest are still served, by the threads it adds.
    let blocked = std::thread::available_parallelism().map_or(1, |n| n.get()) + 2;
    let server = support::serve(
        handler_fn(|request, response| {
            if request.uri() == "/slow" {
                std::thread::sleep(Duration::from_secs(2));
            }
            response.send_buffer(b"done")
        }),
        params(blocked + 2),
    );
    let port = server.port();
    let slow: Vec<_> = (0..blocked)
        .map(|_| {
            std::thread::spawn(move || {
                support::exchange(port, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").0.status
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let mut kept = support::connect(port);
    for i in 0..10 {
        let (res, _) = support::exchange(port, b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(res.body, b"done", "new connection {i}");
        kept.write_all(b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(kept.read_response("GET").unwrap().body, b"done", "kept-alive request {i}");
    }
    assert!(started.elapsed() < Duration::from_millis(1500), "fast requests waited {:?}", started.elapsed());
    for s in slow {
        assert_eq!(s.join().unwrap(), 200);
    }
}

#[test]
fn handlers_that_wait_run_up_to_max_threads_at_once() {
    // Handlers that wait 10 ms each (for a database, say) use no core while they wait: the
    // server learns it and runs up to max_threads of them at once, as POCO's pool does. At
    // the machine's core count it would take four times as long on two cores.
    const CLIENTS: usize = 8;
    const EACH: usize = 20;
    let server = support::serve(
        handler_fn(|_request, response| {
            std::thread::sleep(Duration::from_millis(10));
            response.send_buffer(b"done")
        }),
        params(CLIENTS),
    );
    let port = server.port();
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = support::connect(port);
                for _ in 0..EACH {
                    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assert_eq!(c.read_response("GET").unwrap().body, b"done");
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    // All at once: 20 x 10 ms = 200 ms; two at a time: 800 ms.
    let took = started.elapsed();
    assert!(took < Duration::from_millis(600), "{CLIENTS} clients x {EACH} waiting requests took {took:?}");
}

#[test]
fn one_worker_serves_a_hundred_connections_in_turn() {
    let server = support::serve(
        handler_fn(|request, response| response.send_buffer(request.uri().as_bytes())),
        HttpServerParams {
            tcp: rpoco_net::TcpServerParams { max_queued: 200, ..params(1).tcp },
            ..params(1)
        },
    );
    let mut clients: Vec<support::Raw> = (0..100).map(|_| support::connect(server.port())).collect();
    for round in 0..3 {
        for (i, c) in clients.iter_mut().enumerate() {
            c.write_all(format!("GET /{round}/{i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        }
        for (i, c) in clients.iter_mut().enumerate() {
            let res = c.read_response("GET").unwrap();
            assert_eq!(res.body, format!("/{round}/{i}").as_bytes());
        }
    }
    assert_eq!(server.tcp_server().current_threads(), 1);
    assert_eq!(server.tcp_server().total_connections(), 100);
}

#[test]
fn connections_past_max_queued_are_refused_cleanly() {
    let (open, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let entered = Arc::new(AtomicUsize::new(0));
    let seen = entered.clone();
    let server = support::serve(
        handler_fn(move |_request, response| {
            seen.fetch_add(1, Ordering::SeqCst);
            let _ = gate.lock().unwrap().recv_timeout(Duration::from_secs(20));
            response.send_buffer(b"done")
        }),
        HttpServerParams {
            tcp: rpoco_net::TcpServerParams { max_queued: 1, ..params(1).tcp },
            keep_alive: false,
            ..params(1)
        },
    );
    let (port, tcp) = (server.port(), server.tcp_server());
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    // The only worker is held by a handler; one more connection may wait in the queue.
    let mut running = support::connect(port);
    running.write_all(get);
    assert!(support::eventually(Duration::from_secs(10), || entered.load(Ordering::SeqCst) == 1));
    let mut queued = support::connect(port);
    queued.write_all(get);
    assert!(support::eventually(Duration::from_secs(10), || tcp.queued_connections() == 1));
    // Past the queue: closed at once and counted, not left hanging.
    let started = Instant::now();
    let mut refused = support::connect(port);
    assert!(refused.closed_within(Duration::from_secs(5)), "the connection past the queue is closed");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(tcp.refused_connections(), 1);
    // The running and the queued requests are still answered, and the server serves on.
    open.send(()).unwrap();
    assert_eq!(running.read_response("GET").unwrap().body, b"done");
    open.send(()).unwrap();
    assert_eq!(queued.read_response("GET").unwrap().body, b"done");
    open.send(()).unwrap();
    let (res, _) = support::exchange(port, get);
    assert_eq!((res.status, res.body.as_slice()), (200, &b"done"[..]));
    assert_eq!((tcp.total_connections(), tcp.refused_connections()), (3, 1));
}
