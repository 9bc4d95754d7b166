//! Driving the handshake: at once with a total time limit (blocking transports), or in
//! steps on a non-blocking transport whose owner waits for readiness in between.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use super::{Deadline, IoTimeouts, Stepped, TimeoutOps, TlsStream};
use crate::error::{Error, ErrorKind, Result, Timeout};

impl<T: Read + Write> TlsStream<T> {
    /// Runs the handshake now if it has not run (POCO's `completeHandshake`). Reads and
    /// writes do this themselves; call it to see handshake errors at a known point.
    pub fn complete_handshake(&mut self) -> Result<()> {
        if let Some((kind, detail, why)) = &self.failed {
            let message = format!("the TLS handshake failed earlier: {why}");
            return Err(Error::new(*kind, message).with_detail(detail.clone()));
        }
        if !self.conn.is_handshaking() {
            return Ok(());
        }
        let result = match (self.stepped, self.handshake_timeout.as_ref().map(|(limit, _)| *limit)) {
            (Some(stepped), _) => self.drive_handshake(Drive::Stepped(stepped.deadline)),
            (None, Some(limit)) => self.timed_handshake(limit),
            (None, None) => self.drive_handshake(Drive::Blocking(None)),
        };
        match &result {
            // A stepped handshake waiting for the peer is not a failure.
            Err(e) if self.stepped.is_some() && e.io_kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => self.failed = Some((e.kind(), e.detail().clone(), e.message().to_owned())),
            Ok(()) => {}
        }
        result
    }

    /// Makes the handshake run in steps over a non-blocking transport: a read or write that
    /// would block returns [`io::ErrorKind::WouldBlock`] and the next call carries on, so a
    /// server can wait for the client in a poller instead of on a thread. The handshake must
    /// be done within `limit` from now (`None`: no limit of its own).
    pub(crate) fn set_stepped_handshake(&mut self, limit: Option<Duration>) {
        self.stepped = Some(Stepped { deadline: limit.map(|limit| (Instant::now() + limit, limit)) });
    }

    /// While a stepped handshake is in progress, when it must be done.
    pub(crate) fn pending_handshake_deadline(&self) -> Option<Instant> {
        let stepped = self.stepped.filter(|_| self.conn.is_handshaking() && self.failed.is_none())?;
        stepped.deadline.map(|(at, _)| at)
    }

    fn timed_handshake(&mut self, limit: Duration) -> Result<()> {
        let Some((_, ops)) = &self.handshake_timeout else {
            return self.drive_handshake(Drive::Blocking(None));
        };
        let (get_read, get_write, set_read, set_write) =
            (ops.get_read, ops.get_write, ops.set_read, ops.set_write);
        let saved = (get_read(&self.io)?, get_write(&self.io)?);
        let result =
            self.drive_handshake(Drive::Blocking(Some((Instant::now() + limit, limit, set_read, set_write))));
        let restored = set_read(&mut self.io, saved.0).and_then(|()| set_write(&mut self.io, saved.1));
        result.and(restored.map_err(Error::io))
    }

    /// Runs the handshake as far as `drive` lets it: to the end (blocking), or until the
    /// transport would block (stepped).
    fn drive_handshake(&mut self, drive: Drive<T>) -> Result<()> {
        let peer = self.peer.clone();
        let limit = match drive {
            Drive::Blocking(deadline) => deadline.map(|(at, limit, ..)| (at, limit)),
            Drive::Stepped(deadline) => deadline,
        };
        let timed_out = |peer: &str, cause: &dyn std::fmt::Display| match limit {
            Some((_, limit)) => {
                Error::timeout(Timeout::Handshake, Some(limit), format_args!("TLS handshake with {peer}"))
            }
            None => {
                Error::timeout(Timeout::Handshake, None, format_args!("TLS handshake with {peer} ({cause})"))
            }
        };
        // Before each read or write: a passed deadline is a timeout, and blocking I/O may wait
        // only for what is left of it.
        let before = |io: &mut T, writing: bool| -> Result<()> {
            let Some((at, _)) = limit else { return Ok(()) };
            let left = at.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out(&peer, &"deadline passed"));
            }
            if let Drive::Blocking(Some((_, _, set_read, set_write))) = drive {
                let set = if writing { set_write } else { set_read };
                set(io, Some(left)).map_err(Error::io)?;
            }
            Ok(())
        };
        // A blocking socket reports its timeout as WouldBlock or TimedOut; a stepped handshake
        // hands WouldBlock back to its caller, who resumes when the socket is ready.
        let io_error = |e: io::Error| match drive {
            Drive::Blocking(_) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                timed_out(&peer, &e)
            }
            _ => Error::io(e),
        };
        while self.conn.is_handshaking() {
            while self.conn.wants_write() {
                before(&mut self.io, true)?;
                self.conn.write_tls(&mut self.io).map_err(io_error)?;
            }
            self.io.flush()?;
            if !self.conn.is_handshaking() {
                break;
            }
            before(&mut self.io, false)?;
            let n = self.conn.read_tls(&mut self.io).map_err(io_error)?;
            self.process_packets()?;
            if n == 0 && self.conn.is_handshaking() {
                return Err(Error::new(
                    ErrorKind::SslConnectionUnexpectedlyClosed,
                    format!("{peer} closed the connection during the TLS handshake"),
                ));
            }
        }
        // The last flight (e.g. the client's Finished in TLS 1.3) may still be queued.
        self.flush_tls().map_err(Error::io)
    }
}

/// How [`TlsStream::drive_handshake`] waits for the peer.
enum Drive<T> {
    /// Blocking I/O to the end, with the transport's timeouts cut to what is left of the
    /// deadline before each read and write.
    Blocking(Option<Deadline<T>>),
    /// Non-blocking I/O: `WouldBlock` goes back to the caller; the deadline is checked on
    /// each step.
    Stepped(Option<(Instant, Duration)>),
}

impl<T> Clone for Drive<T> {
    fn clone(&self) -> Self {
        *self
    }
}

// Not derived: the derive would require `T: Copy`, and only function pointers over `T` are held.
impl<T> Copy for Drive<T> {}

impl<T: Read + Write> TlsStream<T> {
    /// Limits the whole handshake to `timeout` (`None`: only the transport's own timeouts
    /// apply). The transport's timeouts are restored afterwards.
    pub fn set_handshake_timeout(&mut self, timeout: Option<Duration>)
    where
        T: IoTimeouts,
    {
        self.handshake_timeout = timeout.map(|limit| {
            let ops = TimeoutOps {
                get_read: <T as IoTimeouts>::read_timeout,
                set_read: <T as IoTimeouts>::set_read_timeout,
                get_write: <T as IoTimeouts>::write_timeout,
                set_write: <T as IoTimeouts>::set_write_timeout,
            };
            (limit, ops)
        });
    }
}
