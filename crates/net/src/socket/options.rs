//! What every POCO `Socket` has, for each socket type: `poll`, `available`, the send and
//! receive buffer sizes, and descriptor access; and [`Socket::select`].

use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec};
use socket2::SockRef;

use super::datagram::DatagramSocket;
use super::poll_set::PollMode;
use super::server::ServerSocket;
use super::stream::StreamSocket;
use crate::error::{Error, Result};

/// Waits up to `timeout` for `mode` on one descriptor; `None` waits without limit.
fn poll_fd(fd: BorrowedFd<'_>, timeout: Option<Duration>, mode: PollMode) -> Result<PollMode> {
    let mut fds = [PollFd::from_borrowed_fd(fd, to_poll_flags(mode))];
    poll_fds(&mut fds, timeout)?;
    Ok(from_poll_flags(fds[0].revents()))
}

fn poll_fds(fds: &mut [PollFd<'_>], timeout: Option<Duration>) -> Result<usize> {
    let ts = timeout.map(|t| Timespec::try_from(t).unwrap_or(Timespec { tv_sec: i64::MAX / 2, tv_nsec: 0 }));
    loop {
        match rustix::event::poll(fds, ts.as_ref()) {
            Ok(n) => return Ok(n),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(Error::from_io_during(e.into(), "poll")),
        }
    }
}

fn to_poll_flags(mode: PollMode) -> PollFlags {
    let mut f = PollFlags::empty();
    if mode.contains(PollMode::READ) {
        f |= PollFlags::IN;
    }
    if mode.contains(PollMode::WRITE) {
        f |= PollFlags::OUT;
    }
    if mode.contains(PollMode::ERROR) {
        f |= PollFlags::PRI;
    }
    f
}

fn from_poll_flags(f: PollFlags) -> PollMode {
    let mut m = PollMode::NONE;
    if f.intersects(PollFlags::IN | PollFlags::HUP) {
        m |= PollMode::READ;
    }
    if f.contains(PollFlags::OUT) {
        m |= PollMode::WRITE;
    }
    if f.intersects(PollFlags::ERR | PollFlags::PRI | PollFlags::NVAL) {
        m |= PollMode::ERROR;
    }
    m
}

/// POCO's static `Socket` functions.
#[derive(Debug, Clone, Copy)]
pub struct Socket;

impl Socket {
    /// POCO `Socket::select`: waits up to `timeout` until a socket of `read` is readable, one
    /// of `write` writable or one of `except` has an error, then leaves in each list only the
    /// sockets that are ready for it. Returns how many are ready (0: time ran out).
    ///
    /// ```
    /// use std::time::Duration;
    /// use rpoco_net::{ServerSocket, Socket, SocketAddress, StreamSocket};
    /// let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
    /// let client = StreamSocket::connect(&server.address()?)?;
    /// let (peer, _) = server.accept_connection()?;
    /// let (mut read, mut write) = (vec![peer.clone()], vec![client.clone()]);
    /// let n = Socket::select(&mut read, &mut write, &mut Vec::new(), Some(Duration::from_secs(5)))?;
    /// assert_eq!((n, read.len(), write.len()), (1, 0, 1));
    /// # Ok::<(), rpoco_net::Error>(())
    /// ```
    pub fn select<S: AsFd>(
        read: &mut Vec<S>,
        write: &mut Vec<S>,
        except: &mut Vec<S>,
        timeout: Option<Duration>,
    ) -> Result<usize> {
        let results = {
            let mut fds: Vec<PollFd<'_>> = Vec::with_capacity(read.len() + write.len() + except.len());
            for (list, mode) in
                [(&*read, PollMode::READ), (&*write, PollMode::WRITE), (&*except, PollMode::ERROR)]
            {
                fds.extend(list.iter().map(|s| PollFd::from_borrowed_fd(s.as_fd(), to_poll_flags(mode))));
            }
            poll_fds(&mut fds, timeout)?;
            fds.iter().map(|f| from_poll_flags(f.revents())).collect::<Vec<_>>()
        };
        let mut it = results.into_iter();
        let mut ready = 0;
        for (list, mode) in [(read, PollMode::READ), (write, PollMode::WRITE), (except, PollMode::ERROR)] {
            let flags: Vec<PollMode> = it.by_ref().take(list.len()).collect();
            let mut flags = flags.into_iter();
            list.retain(|_| flags.next().is_some_and(|m| m.contains(mode)));
            ready += list.len();
        }
        Ok(ready)
    }
}

/// The methods POCO's `Socket` base class gives each socket type.
macro_rules! socket_common {
    ($ty:ty, $get:ident) => {
        impl AsFd for $ty {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.$get().as_fd()
            }
        }

        impl $ty {
            /// POCO `poll`: waits up to `timeout` (`None`: without limit) for `mode`
            /// ([`PollMode::READ`], `WRITE`, `ERROR`); whether any of it happened.
            pub fn poll(&self, timeout: Option<Duration>, mode: PollMode) -> Result<bool> {
                let got = poll_fd(self.as_fd(), timeout, mode)?;
                Ok(!got.is_empty())
            }

            /// POCO `available`: how many bytes can be read without blocking (`FIONREAD`).
            pub fn available(&self) -> Result<usize> {
                let n = rustix::io::ioctl_fionread(self.as_fd())
                    .map_err(|e| Error::from_io_during(e.into(), "available"))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }

            /// Sets `SO_SNDBUF` (the kernel may round it; Linux doubles it).
            pub fn set_send_buffer_size(&self, size: usize) -> Result<()> {
                Ok(SockRef::from(self).set_send_buffer_size(size)?)
            }

            /// `SO_SNDBUF`.
            pub fn send_buffer_size(&self) -> Result<usize> {
                Ok(SockRef::from(self).send_buffer_size()?)
            }

            /// Sets `SO_RCVBUF` (the kernel may round it; Linux doubles it).
            pub fn set_receive_buffer_size(&self, size: usize) -> Result<()> {
                Ok(SockRef::from(self).set_recv_buffer_size(size)?)
            }

            /// `SO_RCVBUF`.
            pub fn receive_buffer_size(&self) -> Result<usize> {
                Ok(SockRef::from(self).recv_buffer_size()?)
            }
        }
    };
}

socket_common!(StreamSocket, as_tcp_stream);
socket_common!(ServerSocket, as_tcp_listener);
socket_common!(DatagramSocket, as_udp_socket);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SocketAddress;

    #[test]
    fn poll_available_and_buffer_sizes() {
        let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
        assert!(!server.poll(Some(Duration::from_millis(1)), PollMode::READ).unwrap());
        let client = StreamSocket::connect(&server.address().unwrap()).unwrap();
        assert!(server.poll(Some(Duration::from_secs(5)), PollMode::READ).unwrap());
        let (peer, _) = server.accept_connection().unwrap();
        assert_eq!(peer.available().unwrap(), 0);
        client.send_bytes(b"hello").unwrap();
        assert!(peer.poll(Some(Duration::from_secs(5)), PollMode::READ).unwrap());
        assert_eq!(peer.available().unwrap(), 5);
        assert!(client.poll(Some(Duration::from_secs(5)), PollMode::WRITE).unwrap());
        client.set_send_buffer_size(64 * 1024).unwrap();
        client.set_receive_buffer_size(32 * 1024).unwrap();
        // Linux doubles the value asked for; anything at least that is right.
        assert!(client.send_buffer_size().unwrap() >= 64 * 1024);
        assert!(client.receive_buffer_size().unwrap() >= 32 * 1024);
    }

    #[test]
    fn select_times_out_with_nothing_ready() {
        let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0").unwrap(), false).unwrap();
        let mut read = vec![server.clone()];
        let n = Socket::select(&mut read, &mut Vec::new(), &mut Vec::new(), Some(Duration::from_millis(20)))
            .unwrap();
        assert_eq!((n, read.len()), (0, 0));
    }
}
