//! POCO's `dict` sample: looks a word up with the DICT protocol (RFC 2229) and prints the
//! server's answer.
//!
//! ```text
//! cargo run --example dict -- [--host dict.org] [--port 2628] [--database '!'] WORD
//! ```
//!
//! Sends `DEFINE <database> <word>` and `QUIT`, then copies the reply to stdout, as the C++
//! sample does. The exit status is 0 when the server found a definition (status 150).

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use rpoco::net::{SocketAddress, StreamSocket};

/// The whole reply is read with this limit per read (POCO's sample has none).
const TIMEOUT: Duration = Duration::from_secs(30);
/// A reply larger than this is cut (and says so): a definition is a few kilobytes.
const MAX_REPLY: u64 = 4 << 20;

fn usage() -> ExitCode {
    eprintln!("usage: dict [--host HOST] [--port N] [--database NAME] WORD");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let (mut host, mut port, mut database, mut word) =
        ("dict.org".to_string(), 2628u16, "!".to_string(), None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let ok = match arg.as_str() {
            "--host" => args.next().map(|v| host = v).is_some(),
            "--port" => args.next().and_then(|v| v.parse().ok()).map(|v| port = v).is_some(),
            "--database" => args.next().map(|v| database = v).is_some(),
            _ if word.is_none() && !arg.starts_with("--") => {
                word = Some(arg);
                true
            }
            _ => false,
        };
        if !ok {
            return usage();
        }
    }
    let Some(word) = word else { return usage() };
    // One command per line: a word or database with a line break would smuggle a command.
    if [&word, &database].iter().any(|s| s.is_empty() || s.contains(['\r', '\n'])) {
        eprintln!("dict: the word and the database must be non-empty single-line text");
        return ExitCode::from(2);
    }
    match define(&host, port, &database, &word) {
        Ok(found) if found => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("dict: {e}");
            ExitCode::FAILURE
        }
    }
}

fn define(host: &str, port: u16, database: &str, word: &str) -> Result<bool, Box<dyn std::error::Error>> {
    // SocketAddress sa(HOST, PORT); StreamSocket sock(sa);
    let socket = StreamSocket::connect_timeout(&SocketAddress::new(host, port)?, Some(TIMEOUT))?;
    socket.set_receive_timeout(Some(TIMEOUT))?;
    socket.set_send_timeout(Some(TIMEOUT))?;
    // str << "DEFINE " << DATABASE << " " << term << "\r\n" << "QUIT\r\n"; sock.shutdownSend();
    let quoted = if word.contains(' ') { format!("\"{}\"", word.replace('"', "")) } else { word.to_string() };
    socket.send_bytes(format!("DEFINE {database} {quoted}\r\nQUIT\r\n").as_bytes())?;
    socket.shutdown_send()?;
    // StreamCopier::copyStream(str, std::cout);
    let mut reply = Vec::new();
    (&socket).take(MAX_REPLY).read_to_end(&mut reply)?;
    std::io::stdout().write_all(&reply)?;
    if reply.len() as u64 >= MAX_REPLY {
        eprintln!("dict: reply cut at {MAX_REPLY} bytes");
    }
    Ok(reply.split(|&b| b == b'\n').any(|line| line.starts_with(b"150 ")))
}
