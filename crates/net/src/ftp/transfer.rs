//! Transfers on an [`FtpClientSession`]: the data connection's set-up (passive or active)
//! and the POCO-shaped `begin_*`/`end_*` pairs, with the Rust-shaped helpers on them.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::data::{self, PendingData};
use super::listing::{ListLine, MlsdEntry, parse_list_line};
use super::session::{FtpClientSession, shown};
use crate::dialog::{LineReader, Reply, telnet};
use crate::error::{Error, ErrorKind, Limit, Result, Timeout};
use crate::socket::Transport;

/// The largest listing [`FtpClientSession::list`] and friends read (64 MiB).
pub const MAX_LISTING_SIZE: u64 = 64 * 1024 * 1024;

/// The longest listing line accepted (8 KiB).
const MAX_LISTING_LINE: usize = 8 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Download,
    Upload,
    List,
}

/// A transfer in progress: the data connection and what it is for.
#[derive(Debug)]
pub(super) struct Transfer {
    stream: DataStream,
    direction: Direction,
    command: String,
}

/// The data connection of a transfer: read a download or listing, write an upload.
///
/// Reads and writes are bounded by the session's timeout. Returned by
/// [`FtpClientSession::begin_download`] and friends; the matching `end_*` closes it and
/// reads the server's verdict.
#[derive(Debug)]
pub struct DataStream {
    transport: Box<dyn Transport>,
    transferred: u64,
    timeout: Duration,
    command: String,
}

impl DataStream {
    /// How many bytes went through so far.
    pub fn transferred(&self) -> u64 {
        self.transferred
    }

    /// The connection (plain, or TLS with FTPS: netssl reads whether its session resumed).
    pub fn transport(&self) -> &dyn Transport {
        self.transport.as_ref()
    }

    /// A socket timeout (which blocking reads report as `WouldBlock`) becomes
    /// `io::ErrorKind::TimedOut` carrying net's timeout error, which names the transfer.
    fn timed_out(&self, e: io::Error, which: Timeout) -> io::Error {
        let wrapped = e.get_ref().is_some_and(|inner| inner.is::<Error>());
        if wrapped || !matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) {
            return e;
        }
        let what = format!("FTP data connection of {} after {} bytes", self.command, self.transferred);
        io::Error::new(
            io::ErrorKind::TimedOut,
            Error::timeout(which, Some(self.timeout), what).with_source(e),
        )
    }
}

impl Read for DataStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.transport.read(buf).map_err(|e| self.timed_out(e, Timeout::Read))?;
        self.transferred += n as u64;
        Ok(n)
    }
}

impl Write for DataStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.transport.write(buf).map_err(|e| self.timed_out(e, Timeout::Write))?;
        self.transferred += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.transport.flush().map_err(|e| self.timed_out(e, Timeout::Write))
    }
}

impl FtpClientSession {
    /// Starts downloading `path` with `RETR` and returns the data stream (POCO
    /// `beginDownload`); read it to the end, then call [`end_download`](Self::end_download).
    pub fn begin_download(&mut self, path: &str) -> Result<&mut DataStream> {
        self.begin_transfer("RETR", path, Direction::Download, 0)
    }

    /// Starts downloading `path` from byte `offset` on (`REST offset`, RFC 3659 5), to resume
    /// a download that was cut.
    pub fn begin_download_at(&mut self, path: &str, offset: u64) -> Result<&mut DataStream> {
        self.begin_transfer("RETR", path, Direction::Download, offset)
    }

    /// Finishes a download: closes the data connection and reads the server's final reply
    /// (POCO `endDownload`). A download not read to the end is aborted by the server (426).
    pub fn end_download(&mut self) -> Result<Reply> {
        self.end_transfer(Direction::Download)
    }

    /// Starts uploading to `path` with `STOR` (POCO `beginUpload`); write the data, then call
    /// [`end_upload`](Self::end_upload).
    pub fn begin_upload(&mut self, path: &str) -> Result<&mut DataStream> {
        self.begin_transfer("STOR", path, Direction::Upload, 0)
    }

    /// Starts writing `path` from byte `offset` on (`REST offset` then `STOR`), to resume an
    /// upload that was cut.
    pub fn begin_upload_at(&mut self, path: &str, offset: u64) -> Result<&mut DataStream> {
        self.begin_transfer("STOR", path, Direction::Upload, offset)
    }

    /// Finishes an upload: closes the data connection (the end of the file for the server)
    /// and reads the final reply (POCO `endUpload`).
    pub fn end_upload(&mut self) -> Result<Reply> {
        self.end_transfer(Direction::Upload)
    }

    /// Starts a listing of `path` (empty: the working directory): `NLST` (names) or, with
    /// `extended`, `LIST` (POCO `beginList`); finish with [`end_list`](Self::end_list).
    pub fn begin_list(&mut self, path: &str, extended: bool) -> Result<&mut DataStream> {
        self.begin_transfer(if extended { "LIST" } else { "NLST" }, path, Direction::List, 0)
    }

    /// Finishes a listing (POCO `endList`).
    pub fn end_list(&mut self) -> Result<Reply> {
        self.end_transfer(Direction::List)
    }

    /// Downloads `path` into `out`; returns the byte count.
    pub fn download_to(&mut self, path: &str, out: &mut dyn Write) -> Result<u64> {
        let stream = self.begin_download(path)?;
        let copied = io::copy(stream, out);
        self.finish_copy(copied, Direction::Download)
    }

    /// Uploads `input` to `path`; returns the byte count.
    pub fn upload_from(&mut self, path: &str, input: &mut dyn Read) -> Result<u64> {
        let stream = self.begin_upload(path)?;
        let copied = io::copy(input, stream);
        self.finish_copy(copied, Direction::Upload)
    }

    /// The names in `path` (`NLST`).
    pub fn list_names(&mut self, path: &str) -> Result<Vec<String>> {
        self.begin_list(path, false)?;
        self.read_listing(|line| Ok(Some(line.to_string())))
    }

    /// The lines of `LIST path`, each parsed or kept as it came.
    pub fn list(&mut self, path: &str) -> Result<Vec<ListLine>> {
        self.begin_list(path, true)?;
        self.read_listing(|line| Ok(Some(parse_list_line(line))))
    }

    /// The entries of `path` from `MLSD` (RFC 3659 7; beyond POCO). A line that is not
    /// `facts name` is [`ErrorKind::Protocol`](crate::ErrorKind::Protocol) naming it.
    pub fn mlsd(&mut self, path: &str) -> Result<Vec<MlsdEntry>> {
        self.begin_transfer("MLSD", path, Direction::List, 0)?;
        self.read_listing(|line| {
            MlsdEntry::parse(line)
                .map(Some)
                .ok_or_else(|| Error::new(ErrorKind::Protocol, format!("MLSD line does not parse: {line:?}")))
        })
    }

    /// Aborts the transfer in progress: Telnet IP and Synch, `ABOR`, then the server's
    /// replies (POCO `abort`).
    pub fn abort(&mut self) -> Result<()> {
        let Some(transfer) = self.transfer.take() else { return Ok(()) };
        let control = self.control_mut()?;
        control.send_bytes(&[telnet::IAC, telnet::IP, telnet::IAC, telnet::DM])?;
        control.send_message("ABOR")?;
        drop(transfer);
        // 426 (transfer aborted) then 226, or just 226/225 when it had ended.
        let mut reply = self.receive("ABOR")?;
        if reply.code() == 426 || reply.code() == 451 {
            reply = self.receive("ABOR")?;
        }
        if !reply.is_positive_completion() {
            return Err(self.unexpected("ABOR", reply));
        }
        Ok(())
    }

    /// The data stream of the transfer in progress.
    pub fn data_stream(&mut self) -> Option<&mut DataStream> {
        self.transfer.as_mut().map(|t| &mut t.stream)
    }

    /// Finishes whichever transfer is in progress (download, upload or listing) and returns
    /// the server's final reply.
    pub fn end_transfer_in_progress(&mut self) -> Result<Reply> {
        match self.transfer.as_ref().map(|t| t.direction) {
            Some(direction) => self.end_transfer(direction),
            None => Err(Error::new(ErrorKind::IllegalState, "no transfer in progress")),
        }
    }

    /// Ends a transfer that is still open without reporting its outcome (for `close`).
    pub(super) fn end_transfer_quietly(&mut self) -> Result<()> {
        match self.transfer.as_ref().map(|t| t.direction) {
            Some(direction) => self.end_transfer(direction).map(drop),
            None => Ok(()),
        }
    }

    fn finish_copy(&mut self, copied: io::Result<u64>, direction: Direction) -> Result<u64> {
        match copied {
            Ok(n) => {
                self.end_transfer(direction)?;
                Ok(n)
            }
            Err(e) => {
                // Dropping the data connection aborts it; the control connection's replies
                // (426, 226) are read so that it stays in step.
                let _ = self.end_transfer(direction);
                Err(Error::from_io_during(e, "transfer"))
            }
        }
    }

    fn read_listing<T>(&mut self, mut parse: impl FnMut(&str) -> Result<Option<T>>) -> Result<Vec<T>> {
        let result = self.collect_lines(&mut parse);
        let ended = self.end_transfer(Direction::List);
        let items = result?;
        ended?;
        Ok(items)
    }

    fn collect_lines<T>(&mut self, parse: &mut impl FnMut(&str) -> Result<Option<T>>) -> Result<Vec<T>> {
        let stream = &mut self.transfer.as_mut().expect("listing begun").stream;
        let mut reader = LineReader::new(MAX_LISTING_LINE);
        let mut items = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = stream.read(&mut buf).map_err(|e| Error::from_io_during(e, "read listing"))?;
            if stream.transferred > MAX_LISTING_SIZE {
                return Err(Error::limit(
                    Limit::Body,
                    format!("listing larger than {MAX_LISTING_SIZE} bytes"),
                ));
            }
            if n == 0 {
                if reader.is_partial() {
                    // The last line without a line end.
                    let (_, line) = reader.push(b"\n").map_err(Error::from)?;
                    push_line(&line.unwrap_or_default(), parse, &mut items)?;
                }
                return Ok(items);
            }
            let mut rest = &buf[..n];
            while !rest.is_empty() {
                let (used, line) = reader.push(rest).map_err(Error::from)?;
                rest = &rest[used..];
                if let Some(line) = line {
                    push_line(&line, parse, &mut items)?;
                }
            }
        }
    }

    fn begin_transfer(
        &mut self,
        command: &str,
        path: &str,
        direction: Direction,
        offset: u64,
    ) -> Result<&mut DataStream> {
        if !self.is_logged_in() {
            return Err(Error::new(ErrorKind::IllegalState, format!("{command}: not logged in")));
        }
        if self.transfer.is_some() {
            return Err(Error::new(
                ErrorKind::IllegalState,
                format!("{command}: a transfer is already in progress"),
            ));
        }
        if offset > 0 {
            self.expect("REST", &offset.to_string(), |r| r.code() == 350)?;
        }
        let pending = self.prepare_data()?;
        let shown = shown(command, path);
        let reply = self.command(command, path)?;
        if !reply.is_positive_preliminary() {
            return Err(self.unexpected(&shown, reply));
        }
        let timeout = Some(self.timeout);
        let socket = pending.complete(timeout)?;
        socket.set_receive_timeout(timeout)?;
        socket.set_send_timeout(timeout)?;
        let transport: Box<dyn Transport> = match (self.protect_data, self.tls.as_ref().map(|(t, _)| t)) {
            (true, Some(tls)) => {
                let control = self.control.as_ref().expect("logged in").transport()?;
                tls.secure_data(control, socket, &self.host, timeout)?
            }
            _ => Box::new(socket),
        };
        let stream = DataStream { transport, transferred: 0, timeout: self.timeout, command: shown.clone() };
        let transfer = self.transfer.insert(Transfer { stream, direction, command: shown });
        Ok(&mut transfer.stream)
    }

    fn end_transfer(&mut self, direction: Direction) -> Result<Reply> {
        let Some(mut transfer) = self.transfer.take() else {
            return Err(Error::new(ErrorKind::IllegalState, "no transfer in progress"));
        };
        if transfer.direction != direction {
            let command = transfer.command.clone();
            self.transfer = Some(transfer);
            return Err(Error::new(
                ErrorKind::IllegalState,
                format!("the transfer in progress is {command}"),
            ));
        }
        // An upload ends with the end of the data connection, closed so that no byte is
        // lost: a reset (closing with unread bytes, such as the server's close_notify) can
        // make the server drop data it has received and not yet read.
        let transport = transfer.stream.transport.as_mut();
        let closed = match (direction, self.tls.as_ref().filter(|_| self.protect_data)) {
            (Direction::Upload, tls) => transport.flush().map_err(Error::from).and_then(|()| match tls {
                Some((tls, _)) => tls.close_data(transport),
                None => close_plain_upload(transport),
            }),
            _ => {
                let _ = transport.shutdown();
                Ok(())
            }
        };
        drop(transfer.stream);
        let reply = self.receive(&transfer.command)?;
        closed?;
        if !reply.is_positive_completion() {
            return Err(self.unexpected(&transfer.command, reply));
        }
        Ok(reply)
    }

    /// Opens (passive) or announces (active) the data connection.
    fn prepare_data(&mut self) -> Result<PendingData> {
        let control = self.control()?;
        let peer = control.peer_address()?.host().to_canonical();
        let local = control.address()?.host();
        if self.passive {
            let target = self.passive_address(peer)?;
            return Ok(PendingData::Connected(self.data_connection(target)?));
        }
        self.check_active_allowed()?;
        let (pending, address) = PendingData::listen(local, peer)?;
        match address {
            SocketAddr::V4(v4) if !self.extended => {
                self.expect("PORT", &data::port_argument(v4), |r| r.code() == 200)?;
            }
            SocketAddr::V4(v4) => {
                let reply = self.command("EPRT", &data::eprt_argument(address))?;
                if reply.code() != 200 {
                    self.expect("PORT", &data::port_argument(v4), |r| r.code() == 200)?;
                }
            }
            SocketAddr::V6(_) => {
                self.expect("EPRT", &data::eprt_argument(address), |r| r.code() == 200)?;
            }
        }
        Ok(pending)
    }

    fn passive_address(&mut self, peer: IpAddr) -> Result<SocketAddr> {
        if self.extended && !self.epsv_refused {
            let reply = self.command("EPSV", "")?;
            if reply.code() == 229 {
                let port = data::parse_epsv_reply(&reply)
                    .ok_or_else(|| self.bad_reply("EPSV", "no port in the reply", reply.clone()))?;
                return Ok(SocketAddr::new(peer, port));
            }
            if !reply.is_permanent_negative() || peer.is_ipv6() {
                return Err(self.unexpected("EPSV", reply));
            }
            self.epsv_refused = true;
        }
        let reply = self.expect("PASV", "", |r| r.code() == 227)?;
        let announced = data::parse_pasv_reply(&reply)
            .ok_or_else(|| self.bad_reply("PASV", "no address in the reply", reply.clone()))?;
        data::pasv_target(announced, peer, self.effective_pasv_policy())
            .map_err(|problem| self.bad_reply("PASV", &problem, reply))
    }
}

/// Half-closes a plain upload connection and waits (within the receive timeout) for the
/// server to close it.
fn close_plain_upload(transport: &mut dyn Transport) -> Result<()> {
    transport.socket().shutdown_send()?;
    let mut sink = [0u8; 4096];
    while let Ok(n) = transport.read(&mut sink) {
        if n == 0 {
            break;
        }
    }
    Ok(())
}

fn push_line<T>(
    line: &[u8],
    parse: &mut impl FnMut(&str) -> Result<Option<T>>,
    items: &mut Vec<T>,
) -> Result<()> {
    let text = String::from_utf8_lossy(line);
    if text.is_empty() {
        return Ok(());
    }
    if let Some(item) = parse(&text)? {
        items.push(item);
    }
    Ok(())
}
