//! FTP/FTPS transfer load for `cargo xtask bench ftp`: one download or upload through
//! `FtpClientSession` / `FtpsClientSession` (explicit `AUTH TLS`, data connections resuming
//! the control connection's session), passive mode.
//!
//! ```text
//! bench_ftp_client download|upload plain|ftps <host> <port> <remote-path> <bytes> [<ca.pem>]
//! ```
//! Logs in as `anonymous`; prints `bytes=B seconds=S reused=R` (R: whether the data
//! connection resumed the TLS session, 1 or 0; absent for plain FTP).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use rpoco_net::ftp::FtpClientSession;
use rpoco_netssl::{Context, FtpsClientSession, Usage, VerificationMode};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, security, host, port, path, bytes, ca) =
        match args.as_slice() {
            [m, s, h, p, path, b, rest @ ..] if rest.len() <= 1 => {
                (m, s, h, p.parse()?, path, b.parse::<u64>()?, rest.first())
            }
            _ => return Err(
                "usage: bench_ftp_client download|upload plain|ftps <host> <port> <path> <bytes> [<ca.pem>]"
                    .into(),
            ),
        };
    // From before the connection, as curl's time_total: connect, TLS, login, transfer, reply.
    let started = Instant::now();
    let mut ftps = None;
    let mut plain = None;
    let session: &mut FtpClientSession = if security == "ftps" {
        let ca = ca.ok_or("ftps needs the CA file")?;
        let context = Context::with_ca(Usage::Client, ca, VerificationMode::Relaxed, 9, false, "")?;
        let f = ftps.insert(FtpsClientSession::connect(host, port, &context)?);
        f.login("anonymous", "")?;
        f.session_mut()
    } else {
        let s = plain.insert(FtpClientSession::connect(host, port)?);
        s.login("anonymous", "")?;
        s
    };
    session.set_timeout(Duration::from_secs(60));
    let mut buf = vec![0u8; 256 * 1024];
    let mut moved = 0u64;
    if mode == "download" {
        let stream = session.begin_download(path)?;
        loop {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                break;
            }
            moved += n as u64;
        }
        session.end_download()?;
    } else {
        let stream = session.begin_upload(path)?;
        while moved < bytes {
            let n = buf.len().min((bytes - moved) as usize);
            stream.write_all(&buf[..n])?;
            moved += n as u64;
        }
        session.end_upload()?;
    }
    let seconds = started.elapsed().as_secs_f64();
    if moved != bytes {
        return Err(format!("moved {moved} bytes, expected {bytes}").into());
    }
    let reused =
        ftps.as_ref().and_then(|f| f.data_session_reused()).map(|r| format!(" reused={}", u8::from(r)));
    println!("bytes={moved} seconds={seconds:.6}{}", reused.unwrap_or_default());
    Ok(())
}
