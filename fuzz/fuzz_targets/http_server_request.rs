//! What the server does with a hostile client's bytes: `RequestHeadReader` (strict syntax,
//! limits, target and `Host` checks, framing, the refusal status) fed the input in pieces
//! as reads would deliver it, then the strict body decoder over the rest. Never panics;
//! an accepted head never claims more bytes than it was given; every refusal is 400, 414
//! or 431; the reader finds the same head however the input is split.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpoco_fuzz::drain_body;
use rpoco_net::HttpMessage;
use rpoco_net::proto::RequestLimits;
use rpoco_net::proto::server::RequestHeadReader;

fuzz_target!(|data: &[u8]| {
    let Some((&step, data)) = data.split_first() else { return };
    let step = usize::from(step % 32) + 1;
    let whole = RequestHeadReader::new(RequestLimits::default()).read(data);
    let mut reader = RequestHeadReader::new(RequestLimits::default());
    let mut end = 0;
    let split = loop {
        end = (end + step).min(data.len());
        match reader.read(&data[..end]) {
            Ok(None) if end < data.len() => continue,
            other => break other,
        }
    };
    match (&whole, &split) {
        (Ok(Some(a)), Ok(Some(b))) => {
            assert!(a.used <= data.len());
            assert_eq!((a.used, a.head.method(), a.head.uri()), (b.used, b.head.method(), b.head.uri()));
            drain_body(a.body_decoder(), &data[a.used..], step);
        }
        (Err(a), Err(b)) => {
            assert!(matches!(a.status.code(), 400 | 414 | 431), "{a:?}");
            assert!(matches!(b.status.code(), 400 | 414 | 431), "{b:?}");
        }
        (Ok(None), Ok(None)) => {}
        // A prefix may already break a limit the whole input breaks later, or the other way
        // round for limits checked only on incomplete input; both refuse or wait.
        (Err(_), Ok(None)) | (Ok(None), Err(_)) => {}
        (a, b) => panic!("whole {a:?} / split {b:?}"),
    }
});
