//! The fuzzing peer: speaks raw frames (any RSV bits, any opcode, chopped into pieces) to
//! the endpoint under test, watches what comes back, and grades each case the way the
//! Autobahn testsuite does (OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED, FAILED).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use rpoco_net::websocket::deflate::{Deflater, Inflater};
use rpoco_net::websocket::{CloseFrame, Incoming, Negotiated, Opcode, Receiver, Role};

/// What the fuzzer saw, in Autobahn's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    Message { binary: bool, payload: Vec<u8> },
    Pong(Vec<u8>),
    Timeout(&'static str),
}

/// One thing the fuzzer does.
#[derive(Debug, Clone)]
pub enum Step {
    /// A raw frame (`rsv` is the three RSV bits, `op` any four-bit value), written in pieces
    /// of `chop` bytes if given; `len` repeats `payload` up to that length.
    Frame { fin: bool, rsv: u8, op: u8, payload: Vec<u8>, chop: Option<usize> },
    /// A close frame with this raw payload (code and reason as bytes).
    CloseRaw(Vec<u8>),
    /// Several frames `(fin, rsv, op, payload)` in one write.
    Batch(Vec<(bool, u8, u8, Vec<u8>)>),
    /// One text frame written in three pieces split at `cuts` (payload offsets), with a
    /// one-second watch (labelled A, B) after the first and the second (cases 6.4.3/6.4.4).
    Split { payload: Vec<u8>, cuts: [usize; 2] },
    /// Watch for `Duration`; if the connection is still open, record `Ev::Timeout(label)`
    /// and go on, else stop sending (Autobahn's `continueLater` with a state check).
    Wait(Duration, &'static str),
}

/// A case: steps, the expected events, the expected close.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub steps: Vec<Step>,
    pub ok: Vec<Ev>,
    pub non_strict: Option<Vec<Ev>>,
    /// The fuzzer closes (after the expected events) rather than the endpoint failing.
    pub closed_by_me: bool,
    pub codes: Vec<u16>,
    pub require_clean: bool,
    /// How long the fuzzer waits in all before dropping the connection.
    pub kill_after: Duration,
    pub informational: bool,
    /// Echo runs (sections 9, 10, 12, 13): messages sent one by one, each echo checked.
    pub echo: Option<EchoRun>,
    /// permessage-deflate offers/acceptance for sections 12 and 13.
    pub deflate: Option<DeflateCase>,
}

#[derive(Debug, Clone)]
pub struct EchoRun {
    pub messages: Vec<(bool, Vec<u8>)>,
    /// Frame payloads of at most this many bytes (0: one frame).
    pub frag: usize,
    /// Write the bytes in pieces of this size (0: at once).
    pub chop: usize,
}

/// (request_no_context_takeover, request_max_window_bits) per offer, as in case12_x_x.
#[derive(Debug, Clone)]
pub struct DeflateCase {
    pub offers: Vec<(bool, u8)>,
    pub accept: (bool, u8),
}

impl Case {
    pub fn new(id: impl Into<String>, steps: Vec<Step>) -> Self {
        Case {
            id: id.into(),
            steps,
            ok: Vec::new(),
            non_strict: None,
            closed_by_me: true,
            codes: vec![1000],
            require_clean: true,
            kill_after: Duration::from_secs(2),
            informational: false,
            echo: None,
            deflate: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    NonStrict,
    Informational,
    Unimplemented,
    Failed,
}

/// The fuzzer's end of one connection, after the opening handshake.
pub struct Fuzzer {
    stream: TcpStream,
    role: Role,
    rx: Receiver,
    deflater: Option<Deflater>,
    events: Vec<Ev>,
    /// The endpoint's close frame: `Some(None)` without status.
    peer_close: Option<Option<u16>>,
    peer_closed_first: bool,
    close_sent: bool,
    eof: bool,
    error: Option<String>,
    masks: u32,
}

pub fn raw_frame(fin: bool, rsv: u8, op: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![(u8::from(fin) << 7) | ((rsv & 7) << 4) | (op & 0x0F)];
    let m = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(m | n as u8),
        n if n <= 0xFFFF => {
            out.push(m | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(m | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(k) => {
            out.extend_from_slice(&k);
            let start = out.len();
            out.extend_from_slice(payload);
            rpoco_net::websocket::proto::apply_mask(&mut out[start..], k, 0);
        }
        None => out.extend_from_slice(payload),
    }
    out
}

impl Fuzzer {
    /// `role` is the fuzzer's own role; `early` are bytes read past the handshake.
    pub fn new(stream: TcpStream, role: Role, negotiated: &Negotiated, early: &[u8]) -> Self {
        stream.set_nodelay(true).unwrap();
        let mut rx = Receiver::new(
            role,
            u64::MAX >> 1,
            usize::MAX >> 1,
            negotiated.deflate.as_ref().map(Inflater::new),
        );
        rx.decoder().feed(early);
        Fuzzer {
            stream,
            role,
            rx,
            deflater: negotiated.deflate.as_ref().map(Deflater::new),
            events: Vec::new(),
            peer_close: None,
            peer_closed_first: false,
            close_sent: false,
            eof: false,
            error: None,
            masks: 0x9e37_79b9,
        }
    }

    fn mask(&mut self) -> Option<[u8; 4]> {
        (self.role == Role::Client).then(|| {
            self.masks = self.masks.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            self.masks.to_be_bytes()
        })
    }

    fn open(&self) -> bool {
        !self.eof && self.peer_close.is_none() && self.error.is_none()
    }

    fn write(&mut self, bytes: &[u8], chop: usize) {
        let chop = if chop == 0 { bytes.len().max(1) } else { chop };
        for piece in bytes.chunks(chop) {
            if chop < bytes.len() {
                self.pump(Duration::ZERO);
            }
            if !self.open() {
                return;
            }
            if let Err(e) = self.stream.write_all(piece) {
                self.note_write_error(e);
                return;
            }
        }
    }

    fn note_write_error(&mut self, e: std::io::Error) {
        if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) {
            self.eof = true;
        } else {
            self.error = Some(format!("write: {e}"));
        }
    }

    fn send_close(&mut self, payload: &[u8]) {
        if self.close_sent || self.eof {
            return;
        }
        self.close_sent = true;
        let m = self.mask();
        let f = raw_frame(true, 0, 8, payload, m);
        if let Err(e) = self.stream.write_all(&f) {
            self.note_write_error(e);
        }
    }

    /// Reads what arrives within `wait` (at least one non-blocking look); returns early once
    /// something happened (an event, a close, the end).
    fn pump(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        let mut buf = vec![0u8; 256 * 1024];
        let before = (self.events.len(), self.peer_close.is_some());
        loop {
            while self.error.is_none() {
                match self.rx.poll() {
                    Ok(Some(ev)) => self.on_incoming(ev),
                    Ok(None) => break,
                    Err(e) => self.error = Some(format!("the endpoint sent bad frames: {e}")),
                }
            }
            if self.eof || self.error.is_some() || (self.events.len(), self.peer_close.is_some()) != before {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let r = if left.is_zero() {
                self.stream.set_nonblocking(true).unwrap();
                let r = self.stream.read(&mut buf);
                self.stream.set_nonblocking(false).unwrap();
                r
            } else {
                self.stream.set_read_timeout(Some(left.min(Duration::from_millis(100)))).unwrap();
                self.stream.read(&mut buf)
            };
            match r {
                Ok(0) => self.eof = true,
                Ok(n) => self.rx.decoder().feed(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if Instant::now() >= deadline {
                        return;
                    }
                }
                Err(e) if e.kind() == ErrorKind::ConnectionReset => self.eof = true,
                Err(e) => self.error = Some(format!("read: {e}")),
            }
        }
    }

    /// Reads what arrives for the whole of `d`, or until the connection ends.
    fn watch(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while self.open() && Instant::now() < end {
            self.pump(end.saturating_duration_since(Instant::now()));
        }
    }

    fn on_incoming(&mut self, ev: Incoming) {
        match ev {
            Incoming::Data { opcode, payload, .. } => {
                self.events.push(Ev::Message { binary: opcode == Opcode::Binary, payload });
            }
            Incoming::Pong(p) => self.events.push(Ev::Pong(p)),
            Incoming::Ping(p) => {
                let m = self.mask();
                let _ = self.stream.write_all(&raw_frame(true, 0, 0xA, &p, m));
            }
            Incoming::Close(frame) => {
                self.peer_closed_first = !self.close_sent;
                self.peer_close = Some(frame.as_ref().map(|f: &CloseFrame| f.code));
                // Answer like Autobahn: echo the code.
                let payload = frame.map(|f| f.code.to_be_bytes().to_vec()).unwrap_or_default();
                self.send_close(&payload);
            }
        }
    }

    fn send_message(&mut self, binary: bool, payload: &[u8], frag: usize, chop: usize) {
        let op = if binary { 2 } else { 1 };
        let (rsv, data) = match self.deflater.as_mut() {
            Some(d) if d.active() => {
                let mut out = Vec::new();
                d.compress(payload, true, &mut out).unwrap();
                (4, out)
            }
            _ => (0, payload.to_vec()),
        };
        let size = if frag == 0 { data.len().max(1) } else { frag };
        let pieces: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(size).collect() };
        let mut wire = Vec::with_capacity(data.len() + 16 * pieces.len());
        for (i, p) in pieces.iter().enumerate() {
            let m = self.mask();
            let fin = i + 1 == pieces.len();
            wire.extend(raw_frame(fin, if i == 0 { rsv } else { 0 }, if i == 0 { op } else { 0 }, p, m));
        }
        self.write(&wire, chop);
    }

    /// Runs a case and grades it.
    pub fn run(mut self, case: &Case) -> (Outcome, String) {
        if let Some(run) = &case.echo {
            for (i, (binary, msg)) in run.messages.iter().enumerate() {
                self.send_message(*binary, msg, run.frag, run.chop);
                let wait_until = Instant::now() + case.kill_after;
                while self.events.len() <= i && self.open() && Instant::now() < wait_until {
                    self.pump(Duration::from_millis(200));
                }
                match self.events.get(i) {
                    Some(Ev::Message { binary: b, payload }) if b == binary && payload == msg => {}
                    Some(other) => {
                        let what = match other {
                            Ev::Message { binary, payload } => {
                                format!("binary={binary} len={}", payload.len())
                            }
                            e => format!("{e:?}"),
                        };
                        return (
                            Outcome::Failed,
                            format!("message {i}: echo differs ({what}, sent len {})", msg.len()),
                        );
                    }
                    None => return (Outcome::Failed, format!("message {i}: no echo ({:?})", self.error)),
                }
            }
            self.events.clear();
        }
        let deadline = Instant::now() + case.kill_after;
        for step in &case.steps {
            match step {
                Step::Frame { fin, rsv, op, payload, chop } => {
                    let m = self.mask();
                    let f = raw_frame(*fin, *rsv, *op, payload, m);
                    self.write(&f, chop.unwrap_or(0));
                }
                Step::CloseRaw(p) => self.send_close(p),
                Step::Batch(frames) => {
                    let mut wire = Vec::new();
                    for (fin, rsv, op, payload) in frames {
                        let m = self.mask();
                        wire.extend(raw_frame(*fin, *rsv, *op, payload, m));
                    }
                    self.write(&wire, 0);
                }
                Step::Split { payload, cuts } => {
                    let m = self.mask();
                    let f = raw_frame(true, 0, 1, payload, m);
                    let head = f.len() - payload.len();
                    let (a, b) = (head + cuts[0], head + cuts[1]);
                    self.write(&f[..a], 0);
                    for (range, label) in [(a..b, "A"), (b..f.len(), "B")] {
                        self.watch(Duration::from_secs(1));
                        if !self.open() {
                            break;
                        }
                        self.events.push(Ev::Timeout(label));
                        self.write(&f[range], 0);
                    }
                }
                Step::Wait(d, label) => {
                    self.watch(*d);
                    if self.open() {
                        self.events.push(Ev::Timeout(label));
                    }
                }
            }
        }
        // Watch until the expected events are in (then close, if that is ours to do), the
        // endpoint closes, or time is up.
        loop {
            if self.closed_by_fuzzer_ready(case) {
                let code = case.codes[0].to_be_bytes();
                self.send_close(&code);
            }
            if self.eof || self.error.is_some() || Instant::now() >= deadline {
                break;
            }
            if self.close_sent && self.peer_close.is_some() && self.role == Role::Server {
                break; // a server closes TCP once both close frames are out
            }
            self.pump(Duration::from_millis(50));
        }
        if case.closed_by_me && !self.close_sent && !self.eof {
            self.send_close(&case.codes[0].to_be_bytes());
            self.pump(Duration::from_millis(500));
        }
        self.grade(case)
    }

    fn closed_by_fuzzer_ready(&self, case: &Case) -> bool {
        case.closed_by_me && !self.close_sent && self.open() && self.events == case.ok
    }

    fn grade(&self, case: &Case) -> (Outcome, String) {
        if let Some(e) = &self.error {
            return (Outcome::Failed, e.clone());
        }
        let mut outcome = if self.events == case.ok {
            Outcome::Ok
        } else if case.non_strict.as_ref().is_some_and(|n| *n == self.events) {
            Outcome::NonStrict
        } else {
            Outcome::Failed
        };
        let mut why = format!("events {:?}", summarize(&self.events));
        if let Some(Some(code)) = self.peer_close
            && !case.codes.contains(&code)
        {
            outcome = Outcome::Failed;
            why = format!("close code {code}, expected one of {:?}", case.codes);
        }
        if !case.closed_by_me {
            // The endpoint must fail the connection itself: a close frame or a dropped TCP.
            if !(self.peer_closed_first || (self.eof && !self.close_sent)) {
                outcome = Outcome::Failed;
                why = "the endpoint did not fail the connection".into();
            }
        } else if case.require_clean && self.peer_close.is_none() {
            outcome = Outcome::Failed;
            why = format!("no close frame from the endpoint (eof {}, {why})", self.eof);
        } else if case.require_clean && self.role == Role::Client && !self.eof {
            outcome = Outcome::Failed;
            why = "the server did not close the TCP connection after the close handshake".into();
        }
        if case.informational {
            outcome = Outcome::Informational;
        }
        (outcome, why)
    }
}

fn summarize(events: &[Ev]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Ev::Message { binary, payload } if payload.len() > 40 => {
                format!("msg(bin={binary}, {} bytes)", payload.len())
            }
            Ev::Message { binary, payload } => {
                format!("msg(bin={binary}, {:?})", String::from_utf8_lossy(payload))
            }
            e => format!("{e:?}"),
        })
        .collect()
}
