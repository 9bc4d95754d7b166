//! The rpoco side of `cargo xtask bench mail` (the C++ peer is xtask/peers/poco_mail_bench.cpp,
//! same arguments, same output):
//!
//! ```text
//! bench_mail smtp HOST PORT SIZE COUNT   COUNT messages with a SIZE-byte attachment, one session
//! bench_mail parse FILE ROUNDS           parse the MIME message in FILE ROUNDS times from memory
//! ```
//!
//! Prints `messages=N seconds=S` or `bytes=B parts=P seconds=S`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use rpoco_net::mail::{
    ContentTransferEncoding, MailMessage, MailPartSource, MailRecipient, RecipientType, SmtpClientSession,
};

fn message(size: usize) -> MailMessage {
    let mut m = MailMessage::new();
    m.set_sender("bench@example.com");
    m.add_recipient(MailRecipient::new(RecipientType::Primary, "sink@example.com", "Sink"));
    m.set_subject("benchmark message");
    m.add_content(
        MailPartSource::from_bytes("A benchmark message.\r\n", "text/plain", ""),
        ContentTransferEncoding::QuotedPrintable,
    );
    let data: Vec<u8> = (0..size).map(|i| (i * 7 % 256) as u8).collect();
    m.add_attachment(
        "data.bin",
        MailPartSource::from_bytes(data, "application/octet-stream", "data.bin"),
        ContentTransferEncoding::Base64,
    );
    m
}

fn smtp(host: &str, port: u16, size: usize, count: usize) -> rpoco_net::Result<()> {
    let m = message(size);
    let started = Instant::now();
    let mut s = SmtpClientSession::connect_timeout(host, port, Some(Duration::from_secs(60)))?;
    s.login("bench.example.com")?;
    for _ in 0..count {
        s.send_message(&m)?;
    }
    s.close()?;
    println!("messages={count} seconds={:.6}", started.elapsed().as_secs_f64());
    Ok(())
}

fn parse(file: &str, rounds: usize) -> rpoco_net::Result<()> {
    let wire = std::fs::read(file)?;
    let started = Instant::now();
    let mut parts = 0;
    for _ in 0..rounds {
        let m = MailMessage::from_bytes(&wire)?;
        parts += m.parts().len();
    }
    println!("bytes={} parts={parts} seconds={:.6}", wire.len() * rounds, started.elapsed().as_secs_f64());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = |i: usize| args.get(i).and_then(|v| v.parse::<usize>().ok());
    let result = match (args.first().map(String::as_str), args.len()) {
        (Some("smtp"), 5) => match (args[2].parse(), n(3), n(4)) {
            (Ok(port), Some(size), Some(count)) => smtp(&args[1], port, size, count),
            _ => return usage(),
        },
        (Some("write"), 3) => match n(1) {
            Some(size) => message(size).to_bytes().and_then(|w| Ok(std::fs::write(&args[2], w)?)),
            None => return usage(),
        },
        (Some("parse"), 3) => match n(2) {
            Some(rounds) => parse(&args[1], rounds),
            None => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_mail: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: bench_mail smtp HOST PORT SIZE COUNT | write SIZE FILE | parse FILE ROUNDS");
    ExitCode::from(2)
}
