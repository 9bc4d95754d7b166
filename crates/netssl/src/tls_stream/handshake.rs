//! Driving the handshake: at once with a total time limit (blocking transports), or in
//! steps on a non-blocking transport whose owner waits for readiness in between.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use super::{Deadline, IoTimeouts, SetTimeout, Stepped, TimeoutOps, TlsStream};
use crate::error::{Error, Result};

impl<T: Read + Write> TlsStream<T> {
    /// Runs the handshake now if it has not run (POCO's `completeHandshake`). Reads and
    /// writes do this themselves; call it to see handshake errors at a known point.
    pub fn complete_handshake(&mut self) -> Result<()> {
        if let Some(why) = &self.failed {
            return Err(Error::Ssl(format!("the TLS handshake failed earlier: {why}")));
        }
        if !self.conn.is_handshaking() {
            return Ok(());
        }
        let result = match (self.stepped, self.handshake_timeout.as_ref().map(|(limit, _)| *limit)) {
            (Some(stepped), _) => self.step_handshake(stepped),
            (None, Some(limit)) => self.timed_handshake(limit),
            (None, None) => self.drive_handshake(None),
        };
        match &result {
            // A stepped handshake waiting for the peer is not a failure.
            Err(Error::Io(e)) if self.stepped.is_some() && e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => self.failed = Some(e.to_string()),
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

    /// One step of a stepped handshake: as far as the bytes at hand allow.
    fn step_handshake(&mut self, stepped: Stepped) -> Result<()> {
        while self.conn.is_handshaking() {
            if let Some((at, limit)) = stepped.deadline
                && Instant::now() >= at
            {
                return Err(Error::Timeout(format!(
                    "TLS handshake with {} did not complete within {limit:?}",
                    self.peer
                )));
            }
            while self.conn.wants_write() {
                self.conn.write_tls(&mut self.io)?;
            }
            self.io.flush()?;
            if !self.conn.is_handshaking() {
                break;
            }
            let n = self.conn.read_tls(&mut self.io)?;
            self.process_packets()?;
            if n == 0 && self.conn.is_handshaking() {
                return Err(Error::SslConnectionUnexpectedlyClosed(format!(
                    "{} closed the connection during the TLS handshake",
                    self.peer
                )));
            }
        }
        self.flush_tls().map_err(Error::Io)
    }

    fn timed_handshake(&mut self, limit: Duration) -> Result<()> {
        let Some((_, ops)) = &self.handshake_timeout else { return self.drive_handshake(None) };
        let (get_read, get_write, set_read, set_write) =
            (ops.get_read, ops.get_write, ops.set_read, ops.set_write);
        let saved = (get_read(&self.io)?, get_write(&self.io)?);
        let result = self.drive_handshake(Some((Instant::now() + limit, limit, set_read, set_write)));
        let restored = set_read(&mut self.io, saved.0).and_then(|()| set_write(&mut self.io, saved.1));
        result.and(restored.map_err(Error::Io))
    }

    fn drive_handshake(&mut self, deadline: Option<Deadline<T>>) -> Result<()> {
        let peer = self.peer.clone();
        let timed_out = |limit: Duration, peer: &str| {
            Error::Timeout(format!("TLS handshake with {peer} did not complete within {limit:?}"))
        };
        let remaining = |io: &mut T, set: SetTimeout<T>| -> Result<()> {
            if let Some((at, limit, ..)) = deadline {
                let left = at.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(timed_out(limit, &peer));
                }
                set(io, Some(left)).map_err(Error::Io)?;
            }
            Ok(())
        };
        let is_timeout =
            |e: &io::Error| matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut);
        while self.conn.is_handshaking() {
            while self.conn.wants_write() {
                if let Some((.., set_write)) = deadline {
                    remaining(&mut self.io, set_write)?;
                }
                match self.conn.write_tls(&mut self.io) {
                    Ok(_) => {}
                    Err(e) if is_timeout(&e) && deadline.is_some() => {
                        return Err(timed_out(deadline.map(|d| d.1).unwrap_or_default(), &self.peer));
                    }
                    Err(e) => return Err(Error::Io(e)),
                }
            }
            self.io.flush()?;
            if !self.conn.is_handshaking() {
                break;
            }
            if let Some((_, _, set_read, _)) = deadline {
                remaining(&mut self.io, set_read)?;
            }
            let n = match self.conn.read_tls(&mut self.io) {
                Ok(n) => n,
                Err(e) if is_timeout(&e) => {
                    return Err(match deadline {
                        Some((_, limit, ..)) => timed_out(limit, &self.peer),
                        None => Error::Timeout(format!("TLS handshake with {}: {e}", self.peer)),
                    });
                }
                Err(e) => return Err(Error::Io(e)),
            };
            self.process_packets()?;
            if n == 0 && self.conn.is_handshaking() {
                return Err(Error::SslConnectionUnexpectedlyClosed(format!(
                    "{} closed the connection during the TLS handshake",
                    self.peer
                )));
            }
        }
        // The last flight (e.g. the client's Finished in TLS 1.3) may still be queued.
        self.flush_tls().map_err(Error::Io)
    }
}

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
