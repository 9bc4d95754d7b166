//! Replies from a hostile SMTP/POP3/FTP server: the reply reader (ReplyParser, LineReader)
//! fed in reads of a size taken from the first byte must give the same replies as when fed
//! at once, never take more than it is given, and end in replies or a typed error; the
//! dot-terminated data reader (MailInputStream, POP3 RETR) must end with data or an error.
#![no_main]

use std::io::{BufRead, Read};

use libfuzzer_sys::fuzz_target;
use rpoco_net::mail::MailInputStream;
use rpoco_net::{DialogLimits, LineReader, ReplyParser};

const LIMITS: DialogLimits = DialogLimits { max_line_length: 512, max_reply_size: 4096 };

fn replies(data: &[u8], step: usize) -> Vec<Result<(u16, Vec<String>), String>> {
    let mut parser = ReplyParser::new(LIMITS);
    let mut out = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    for chunk in data.chunks(step) {
        pending.extend_from_slice(chunk);
        loop {
            match parser.parse(&pending) {
                Ok((used, reply)) => {
                    assert!(used <= pending.len());
                    pending.drain(..used);
                    match reply {
                        Some(r) => {
                            assert!((100..=599).contains(&r.code()));
                            out.push(Ok((r.code(), r.lines().to_vec())));
                        }
                        None => break,
                    }
                }
                Err(e) => {
                    out.push(Err(format!("{e:?}")));
                    return out;
                }
            }
        }
    }
    out
}

/// A reader handing out `step` bytes at a time, like a socket.
struct Chunks<'a>(&'a [u8], usize);

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(self.1).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

impl BufRead for Chunks<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        Ok(&self.0[..self.0.len().min(self.1)])
    }

    fn consume(&mut self, n: usize) {
        self.0 = &self.0[n..];
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, data)) = data.split_first() else { return };
    let step = usize::from(step % 32) + 1;
    let whole = replies(data, data.len().max(1));
    let chunked = replies(data, step);
    // Errors may be reported with different `seen` counts; the replies before them agree.
    let ok = |v: &[Result<(u16, Vec<String>), String>]| {
        v.iter().filter_map(|r| r.clone().ok()).collect::<Vec<_>>()
    };
    assert_eq!(ok(&whole), ok(&chunked));
    assert_eq!(whole.last().is_some_and(Result::is_err), chunked.last().is_some_and(Result::is_err));

    let mut lines = LineReader::new(LIMITS.max_line_length);
    let mut rest = data;
    while !rest.is_empty() {
        match lines.push(&rest[..rest.len().min(step)]) {
            Ok((used, line)) => {
                assert!(used > 0 && used <= step);
                if let Some(line) = line {
                    assert!(line.len() <= LIMITS.max_line_length);
                }
                rest = &rest[used..];
            }
            Err(_) => break,
        }
    }

    let mut body = Vec::new();
    let mut stream = MailInputStream::new(Chunks(data, step)).with_limit(8192);
    if stream.read_to_end(&mut body).is_ok() {
        assert!(stream.is_done() && body.len() <= data.len());
    }
});
