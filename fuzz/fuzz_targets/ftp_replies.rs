//! Bytes from a hostile FTP (or SMTP) server: the reply parser, the `PASV`/`EPSV` address
//! parsers and the listing parsers never panic, keep their limits, and give the same
//! replies however the input is split into reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_net::ftp::data::{parse_epsv_reply, parse_pasv_reply};
use rpoco_net::ftp::{MlsdEntry, parse_list_line, parse_time_val};
use rpoco_net::{DialogLimits, Reply, ReplyParser};

const LIMITS: DialogLimits = DialogLimits { max_line_length: 200, max_reply_size: 2000 };

/// Every reply in `data`, fed `step` bytes at a time, up to the first error.
fn replies(data: &[u8], step: usize) -> (Vec<Reply>, bool) {
    let mut parser = ReplyParser::new(LIMITS);
    let mut out = Vec::new();
    for piece in data.chunks(step) {
        let mut rest = piece;
        while !rest.is_empty() {
            match parser.parse(rest) {
                Ok((used, reply)) => {
                    assert!(used <= rest.len() && (used > 0 || reply.is_some()));
                    rest = &rest[used..];
                    out.extend(reply);
                }
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, data)) = data.split_first() else { return };
    let (whole, failed) = replies(data, data.len().max(1));
    let (split, failed_split) = replies(data, usize::from(step % 32) + 1);
    assert_eq!(failed, failed_split);
    assert_eq!(whole, split, "the split into reads changed the replies");
    for reply in &whole {
        assert!((100..600).contains(&reply.code()));
        assert!(reply.lines().iter().all(|l| l.len() <= 3 * LIMITS.max_line_length));
        let _ = (parse_pasv_reply(reply), parse_epsv_reply(reply), reply.text());
    }
    for line in String::from_utf8_lossy(data).lines() {
        let _ = parse_list_line(line);
        if let Some(entry) = MlsdEntry::parse(line) {
            let _ = (entry.kind(), entry.size(), entry.modified());
        }
        let _ = parse_time_val(line);
    }
});
