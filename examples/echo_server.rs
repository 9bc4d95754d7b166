//! POCO's `EchoServer` sample: a [`SocketReactor`] with a [`SocketAcceptor`] creating an
//! `EchoServiceHandler` per connection, which sends back whatever it reads, until the peer
//! closes. (`tcp_echo_server` is the same service on `TcpServer`.)
//!
//! ```text
//! cargo run --example echo_server -- [--port 9977] [--threads 1] [--bind 0.0.0.0]
//! ```
//!
//! `--threads N` with N > 1 spreads connections over N reactors (`ParallelSocketAcceptor`).
//! `--port 0` picks a free port. Prints `listening on ADDR` once it accepts connections,
//! then serves until killed (Ctrl-C). Try it with `nc 127.0.0.1 9977`.

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};

#[path = "support/server_args.rs"]
mod server_args;

use rpoco::net::{
    HandlerId, Notification, ParallelSocketAcceptor, ServiceHandler, SocketAcceptor, SocketReactor,
    StreamSocket,
};
use server_args::{Served, ServerArgs, exit_status};

/// How much unsent echo a connection may hold before it stops reading (POCO's sample uses a
/// FIFOBuffer of the same kind); a client that never reads cannot grow the server's memory.
const PENDING_LIMIT: usize = 64 * 1024;
const READ_CHUNK: usize = 16 * 1024;

/// class EchoServiceHandler
struct EchoServiceHandler {
    socket: StreamSocket,
    pending: Vec<u8>,
    /// The peer sent end of stream: echo what is pending, then close.
    eof: bool,
    readable: Option<HandlerId>,
    writable: Option<HandlerId>,
}

type Shared = Arc<Mutex<EchoServiceHandler>>;

/// Only the reactor thread takes it; a panic while it was held leaves nothing half-done
/// that a later call could trip over, so a poisoned lock is taken as is.
fn lock(this: &Shared) -> MutexGuard<'_, EchoServiceHandler> {
    this.lock().unwrap_or_else(|p| p.into_inner())
}

impl ServiceHandler for EchoServiceHandler {
    fn open(socket: StreamSocket, reactor: &SocketReactor) -> rpoco::net::Result<()> {
        socket.set_blocking(false)?;
        socket.set_no_delay(true)?;
        let this: Shared = Arc::new(Mutex::new(EchoServiceHandler {
            socket,
            pending: Vec::new(),
            eof: false,
            readable: None,
            writable: None,
        }));
        watch_readable(&this, &mut lock(&this), reactor)
    }
}

fn watch_readable(
    this: &Shared,
    h: &mut EchoServiceHandler,
    reactor: &SocketReactor,
) -> rpoco::net::Result<()> {
    let me = this.clone();
    let id = reactor.add_event_handler(&h.socket, Notification::Readable, move |r, _| on_readable(&me, r))?;
    h.readable = Some(id);
    Ok(())
}

/// onSocketReadable: read what is there, echo as much as the socket takes, keep the rest.
fn on_readable(this: &Shared, reactor: &SocketReactor) {
    let mut h = lock(this);
    let mut buf = [0u8; READ_CHUNK];
    while h.pending.len() < PENDING_LIMIT {
        match (&h.socket).read(&mut buf) {
            Ok(0) => {
                h.eof = true;
                break;
            }
            Ok(n) => {
                h.pending.extend_from_slice(&buf[..n]);
                // A short read drained the socket; anything newer makes it readable again
                // (level-triggered), so no second read just to see `WouldBlock`.
                if n < buf.len() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return close(&h, reactor),
        }
    }
    if flush(&mut h).is_err() {
        return close(&h, reactor);
    }
    if !h.pending.is_empty() && h.writable.is_none() {
        let me = this.clone();
        match reactor.add_event_handler(&h.socket, Notification::Writable, move |r, _| on_writable(&me, r)) {
            Ok(id) => h.writable = Some(id),
            Err(_) => return close(&h, reactor),
        }
    }
    if h.eof && h.pending.is_empty() {
        return close(&h, reactor);
    }
    if h.pending.len() >= PENDING_LIMIT || h.eof {
        // Back-pressure (or end of stream): no more reading until the client takes its echo.
        if let Some(id) = h.readable.take() {
            reactor.remove_handler(id);
        }
    }
}

/// onSocketWritable: send what is pending; once it is all gone, stop watching for room and
/// read again.
fn on_writable(this: &Shared, reactor: &SocketReactor) {
    let mut h = lock(this);
    if flush(&mut h).is_err() {
        return close(&h, reactor);
    }
    if h.pending.is_empty() {
        if h.eof {
            return close(&h, reactor);
        }
        if let Some(id) = h.writable.take() {
            reactor.remove_handler(id);
        }
    }
    if h.readable.is_none()
        && !h.eof
        && h.pending.len() < PENDING_LIMIT
        && watch_readable(this, &mut h, reactor).is_err()
    {
        close(&h, reactor);
    }
}

fn flush(h: &mut EchoServiceHandler) -> io::Result<()> {
    while !h.pending.is_empty() {
        match (&h.socket).write(&h.pending) {
            Ok(n) => drop(h.pending.drain(..n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `delete this`: the handler's callbacks go, and with them the last references to it.
fn close(h: &EchoServiceHandler, reactor: &SocketReactor) {
    reactor.remove_socket(&h.socket);
    let _ = h.socket.shutdown();
}

fn main() -> ExitCode {
    let args = ServerArgs::parse("echo_server [--port N] [--threads N] [--bind ADDR]", 9977, 1);
    exit_status("echo_server", serve(&args))
}

fn serve(args: &ServerArgs) -> Served {
    // ServerSocket svs(port); SocketReactor reactor;
    let svs = args.server_socket(1024)?;
    let address = svs.address()?;
    let reactor = SocketReactor::new()?;
    // SocketAcceptor<EchoServiceHandler> acceptor(svs, reactor);
    let (_single, _parallel) = if args.threads > 1 {
        (None, Some(ParallelSocketAcceptor::new::<EchoServiceHandler>(svs, &reactor, args.threads)?))
    } else {
        (Some(SocketAcceptor::new::<EchoServiceHandler>(svs, &reactor)?), None)
    };
    println!("listening on {address}");
    reactor.run();
    Ok(())
}
