//! The transfers a connection makes from the poller, without blocking, at the client's
//! pace: a request body read in full before its handler runs, a response leaving, the
//! unread rest of a body discarded. Each returns [`Progress`]; the connection parks on
//! `Pending` until the socket is ready or the transfer's budget runs out.

use std::io::{self, Write};

use crate::error::{Error, Result};
use crate::http::conn::Conn;
use crate::http::proto::server::{ReceivedRequest, TransferBudget};
use crate::http::proto::{BodyDecoder, Decoded};

/// How far a non-blocking transfer got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Complete.
    Done,
    /// The socket would block: wait in the poller.
    Pending,
    /// The client closed the connection.
    Closed,
}

/// A request whose body is read into the connection's buffer before its handler runs.
/// The body's framing is checked on the way by a second decoder (`scan`), which only
/// finds where the body ends; the handler's reads decode the same bytes again.
pub(crate) struct BodyFirst {
    pub(crate) pending: ReceivedRequest,
    scan: BodyDecoder,
    /// Bytes of the buffer (past the head) the scan has seen.
    scanned: usize,
    pub(crate) budget: TransferBudget,
}

impl BodyFirst {
    pub(crate) fn new(pending: ReceivedRequest, scan: BodyDecoder, budget: TransferBudget) -> Self {
        BodyFirst { pending, scan, scanned: 0, budget }
    }

    /// Reads until the whole body is buffered, or `limit` bytes of it are (the handler
    /// reads the rest), without blocking. A malformed chunked body is an error.
    pub(crate) fn buffer(&mut self, conn: &mut Conn, limit: usize) -> Result<Progress> {
        loop {
            loop {
                let (used, event) = self.scan.decode(&conn.buffered()[self.scanned..])?;
                self.scanned += used;
                match event {
                    Decoded::End => return Ok(Progress::Done),
                    Decoded::NeedMore => break,
                    Decoded::Data(_) => {}
                }
            }
            if self.scanned >= limit {
                return Ok(Progress::Done);
            }
            match fill(conn, &mut self.budget)? {
                Progress::Done => {}
                other => return Ok(other),
            }
        }
    }
}

/// Reads more into the buffer: `Done` if bytes came.
fn fill(conn: &mut Conn, budget: &mut TransferBudget) -> Result<Progress> {
    match conn.fill() {
        Ok(0) => Ok(Progress::Closed),
        Ok(n) => {
            budget.moved(n);
            Ok(Progress::Done)
        }
        // A transport's own buffer (decrypted TLS) does not wake the poller.
        Err(e) if e.kind() == io::ErrorKind::WouldBlock && conn.transport.has_buffered_data() => {
            Ok(Progress::Done)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Progress::Pending),
        Err(e) => Err(Error::from_io_during(e, "receive the request body")),
    }
}

/// Writes the write buffer without blocking, counting what left against `budget`.
pub(crate) fn flush(conn: &mut Conn, budget: &mut TransferBudget) -> io::Result<Progress> {
    while !conn.wbuf.is_empty() {
        match conn.transport.write(&conn.wbuf) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                conn.wbuf.drain(..n);
                budget.moved(n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Pending),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    loop {
        // TLS: records the transport could not send yet.
        match conn.transport.flush() {
            Ok(()) => return Ok(Progress::Done),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Pending),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Discards body bytes until the body ends, without blocking; at most `left` more.
pub(crate) fn drain(
    conn: &mut Conn,
    decoder: &mut BodyDecoder,
    budget: &mut TransferBudget,
    left: &mut u64,
) -> Result<Progress> {
    loop {
        let (used, end) = {
            let (used, event) = decoder.decode(conn.buffered())?;
            (used, event == Decoded::End)
        };
        conn.consume(used);
        *left = left.saturating_sub(used as u64);
        if end {
            return Ok(Progress::Done);
        }
        if used > 0 && !conn.buffered().is_empty() {
            continue;
        }
        if *left == 0 {
            return Ok(Progress::Pending);
        }
        match fill(conn, budget)? {
            Progress::Done => {}
            other => return Ok(other),
        }
    }
}
