//! The reactor samples run as programs: `echo_server` (SocketReactor + SocketAcceptor) under
//! 1,000 concurrent clients with every byte checked, and with socat and ncat as clients.
#![cfg(feature = "net")]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

const CLIENTS: usize = 1000;
const THREADS: usize = 20;

/// A payload no other client sends, so a crossed stream shows as a mismatch.
fn payload(client: usize, round: usize) -> Vec<u8> {
    let mut x = (client as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ round as u64;
    (0..1500 + client % 700)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn thousand_clients(port: u16) {
    rlimit::increase_nofile_limit(CLIENTS as u64 + 512).unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let ids: Vec<usize> = (t..CLIENTS).step_by(THREADS).collect();
                let sockets: Vec<TcpStream> = ids
                    .iter()
                    .map(|_| {
                        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                        s
                    })
                    .collect();
                // Every client is connected before any sends: 1,000 at once.
                barrier.wait();
                let mut bytes = 0;
                for round in 0..3 {
                    for (s, &id) in sockets.iter().zip(&ids) {
                        (&*s).write_all(&payload(id, round)).unwrap();
                    }
                    for (s, &id) in sockets.iter().zip(&ids) {
                        let want = payload(id, round);
                        let mut back = vec![0u8; want.len()];
                        (&*s).read_exact(&mut back).unwrap();
                        assert!(back == want, "client {id} round {round}: echo differs");
                        bytes += want.len();
                    }
                }
                bytes
            })
        })
        .collect();
    let total: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    let expected: usize = (0..CLIENTS).map(|c| 3 * payload(c, 0).len()).sum();
    assert_eq!(total, expected);
}

#[test]
fn echo_server_serves_1000_concurrent_clients_on_one_reactor() {
    let Some(server) = support::ExampleServer::start("echo_server", &["--threads", "1"]) else { return };
    thousand_clients(server.port);
}

#[test]
fn echo_server_serves_1000_concurrent_clients_on_parallel_reactors() {
    let Some(server) = support::ExampleServer::start("echo_server", &["--threads", "3"]) else { return };
    thousand_clients(server.port);
}

#[test]
fn echo_server_holds_back_for_a_client_that_does_not_read() {
    let Some(server) = support::ExampleServer::start("echo_server", &[]) else { return };
    // Sends 8 MiB without reading: the server stops reading once its buffer and the
    // socket buffers are full (the writes here block), then gives everything back.
    let s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let data: Vec<u8> = (0..8 << 20).map(|i: u32| (i % 251) as u8).collect();
    let writer = {
        let (s, data) = (s.try_clone().unwrap(), data.clone());
        std::thread::spawn(move || (&s).write_all(&data).unwrap())
    };
    std::thread::sleep(Duration::from_millis(300));
    let mut back = vec![0u8; data.len()];
    (&s).read_exact(&mut back).unwrap();
    writer.join().unwrap();
    assert!(back == data);
}

fn pipe_through(program: &str, args: &[String], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(out.status.success(), "{program}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn socat_and_ncat_get_their_bytes_back() {
    let Some(server) = support::ExampleServer::start("echo_server", &[]) else { return };
    let input: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    if let Some(socat) = rpoco_testsupport::require("socat") {
        // Half-close after the input; wait up to 10 s for the rest of the echo.
        let args = ["-t10".into(), "-T10".into(), "-".into(), format!("TCP:127.0.0.1:{}", server.port)];
        let out = pipe_through(socat.to_str().unwrap(), &args, &input);
        assert!(out == input, "socat got {} of {} bytes back", out.len(), input.len());
    }
    if let Some(ncat) = rpoco_testsupport::require("ncat") {
        // ncat closes after stdin ends and the server (which closes on end of stream) does.
        let args = ["127.0.0.1".into(), server.port.to_string()];
        let out = pipe_through(ncat.to_str().unwrap(), &args, &input);
        assert!(out == input, "ncat got {} of {} bytes back", out.len(), input.len());
    }
}
