//! Lists a POP3 mailbox and optionally fetches or deletes messages (POCO's
//! `POP3ClientSession`; POP3S and STLS through rpoco-netssl).
//!
//! ```text
//! cargo run --example pop3_list -- HOST --user U --password P [--port N] [--tls|--stls]
//!     [--ca FILE] [--fetch ID]... [--delete ID]...
//! ```
//!
//! Prints one line per message, `ID SIZE SUBJECT`, then each `--fetch`ed message as it is
//! stored (dot-unstuffed) to stdout; `--delete` marks messages, removed at QUIT. The port
//! defaults to 110 (995 with `--tls`). Errors go to stderr with exit code 1.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use rpoco::net::mail::Pop3ClientSession;
use rpoco::netssl::{Context, SecurePop3ClientSession, Usage, VerificationMode};

const USAGE: &str = "usage: pop3_list HOST --user U --password P [--port N] [--tls|--stls] [--ca FILE] \
                     [--fetch ID]... [--delete ID]...";

#[derive(Default)]
struct Options {
    host: String,
    user: String,
    password: String,
    port: Option<u16>,
    tls: bool,
    stls: bool,
    ca: Option<String>,
    fetch: Vec<u32>,
    delete: Vec<u32>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut host = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |what: &str| it.next().cloned().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "--user" => o.user = value("a user name")?,
            "--password" => o.password = value("a password")?,
            "--port" => o.port = Some(value("a port")?.parse().map_err(|_| "--port needs a number 1-65535")?),
            "--tls" => o.tls = true,
            "--stls" => o.stls = true,
            "--ca" => o.ca = Some(value("a file")?),
            "--fetch" => {
                o.fetch.push(value("a message number")?.parse().map_err(|_| "--fetch needs a number")?)
            }
            "--delete" => {
                o.delete.push(value("a message number")?.parse().map_err(|_| "--delete needs a number")?)
            }
            "-h" | "--help" => return Err(String::new()),
            other if !other.starts_with("--") && host.is_none() => host = Some(other.to_string()),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    o.host = host.ok_or("HOST needed")?;
    if o.user.is_empty() {
        return Err("--user and --password needed".into());
    }
    if o.tls && o.stls {
        return Err("--tls and --stls exclude each other".into());
    }
    Ok(o)
}

fn run(o: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let timeout = Some(Duration::from_secs(60));
    let context = || {
        let ca = o.ca.as_deref().unwrap_or("");
        Context::new(Usage::Client, "", "", ca, VerificationMode::Relaxed, 9, o.ca.is_none(), "")
    };
    let mut session: Pop3ClientSession = if o.tls {
        SecurePop3ClientSession::connect_tls(&o.host, o.port.unwrap_or(995), context()?, timeout)?
            .into_session()
    } else if o.stls {
        let mut s = SecurePop3ClientSession::connect(&o.host, o.port.unwrap_or(110), context()?, timeout)?;
        s.start_tls()?;
        s.into_session()
    } else {
        Pop3ClientSession::connect_timeout(&o.host, o.port.unwrap_or(110), timeout)?
    };
    session.login(&o.user, &o.password)?;
    let mut out = std::io::stdout().lock();
    for info in session.list_messages()? {
        let header = session.retrieve_header(info.id)?;
        writeln!(out, "{} {} {}", info.id, info.size, header.get("Subject").unwrap_or(""))?;
    }
    for &id in &o.fetch {
        session.retrieve_message_to(id, &mut out)?;
    }
    for &id in &o.delete {
        session.delete_message(id)?;
    }
    out.flush()?;
    session.close()?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("pop3_list: {why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pop3_list: {e}");
            ExitCode::FAILURE
        }
    }
}
