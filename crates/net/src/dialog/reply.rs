//! The sans-IO reply reader: bytes in, complete lines and status replies out.
//!
//! [`LineReader`] cuts a byte stream into lines (LF or CRLF) under a length limit;
//! [`ReplyParser`] assembles lines into status replies, single-line (`250 OK`) and
//! multi-line in both styles the command/reply protocols use:
//!
//! ```text
//! FTP  (RFC 959 4.2):   123-First line        SMTP (RFC 5321 4.2.1):   250-First line
//!                       Second line                                    250-Second line
//!                        234 A line with a number                      250 Last line
//!                       123 The last line
//! ```
//!
//! A multi-line reply ends at the first line that starts with the *same* code followed by a
//! space (or that is the bare code); any other line, including one that begins with a
//! different code, is text. Both readers keep their state between calls, so a caller whose
//! read timed out resumes where it was by feeding the next bytes.
//!
//! ```
//! use rpoco_net::{DialogLimits, ReplyParser};
//!
//! let mut parser = ReplyParser::new(DialogLimits::default());
//! let (used, reply) = parser.parse(b"230-Welcome\r\n23").unwrap();
//! assert_eq!((used, reply), (15, None)); // everything taken, no reply yet
//! let (used, reply) = parser.parse(b"0 Logged in\r\n220 next").unwrap();
//! let reply = reply.unwrap();
//! assert_eq!(used, 13); // stops after the reply: "220 next" is the next one's
//! assert_eq!(reply.code(), 230);
//! assert_eq!(reply.message(), "230-Welcome\n230 Logged in");
//! assert_eq!(reply.text(), "Welcome\nLogged in");
//! ```

use std::fmt;

use super::error::DialogError;

/// Size limits for a command/reply dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DialogLimits {
    /// The longest line accepted, in bytes without the line end (default 4096; RFC 5321
    /// needs 512, FTP servers send longer lines in `FEAT`, `STAT` and `MLST`).
    pub max_line_length: usize,
    /// The largest reply accepted, all its lines together (default 1 MiB: a `STAT` of a big
    /// directory is a long multi-line reply).
    pub max_reply_size: usize,
}

impl Default for DialogLimits {
    fn default() -> Self {
        DialogLimits { max_line_length: 4096, max_reply_size: 1024 * 1024 }
    }
}

/// The class of a reply, its first digit (RFC 959 4.2.1, RFC 5321 4.2.1; POCO's
/// `FTPClientSession::isPositivePreliminary()` and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusClass {
    /// 1yz: the action is starting; expect another reply (POCO `isPositivePreliminary`).
    PositivePreliminary,
    /// 2yz: done (POCO `isPositiveCompletion`).
    PositiveCompletion,
    /// 3yz: more information is needed (POCO `isPositiveIntermediate`).
    PositiveIntermediate,
    /// 4yz: failed, may work later (POCO `isTransientNegative`).
    TransientNegative,
    /// 5yz: failed (POCO `isPermanentNegative`).
    PermanentNegative,
}

impl StatusClass {
    /// The class of `code`, `None` outside 100..=599.
    pub fn of(code: u16) -> Option<StatusClass> {
        Some(match code / 100 {
            1 => StatusClass::PositivePreliminary,
            2 => StatusClass::PositiveCompletion,
            3 => StatusClass::PositiveIntermediate,
            4 => StatusClass::TransientNegative,
            5 => StatusClass::PermanentNegative,
            _ => return None,
        })
    }
}

/// A complete status reply: its three-digit code and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    /// A reply from its code and the lines as received (the first line starting with the code).
    pub fn new(code: u16, lines: Vec<String>) -> Self {
        Reply { code, lines }
    }

    /// The status code (POCO: `receiveStatusMessage`'s return value).
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The class of the code.
    pub fn class(&self) -> StatusClass {
        StatusClass::of(self.code).expect("the parser accepts only codes 100..=599")
    }

    /// 1yz (POCO `isPositivePreliminary`).
    pub fn is_positive_preliminary(&self) -> bool {
        self.class() == StatusClass::PositivePreliminary
    }

    /// 2yz (POCO `isPositiveCompletion`).
    pub fn is_positive_completion(&self) -> bool {
        self.class() == StatusClass::PositiveCompletion
    }

    /// 3yz (POCO `isPositiveIntermediate`).
    pub fn is_positive_intermediate(&self) -> bool {
        self.class() == StatusClass::PositiveIntermediate
    }

    /// 4yz (POCO `isTransientNegative`).
    pub fn is_transient_negative(&self) -> bool {
        self.class() == StatusClass::TransientNegative
    }

    /// 5yz (POCO `isPermanentNegative`).
    pub fn is_permanent_negative(&self) -> bool {
        self.class() == StatusClass::PermanentNegative
    }

    /// The lines as received, without line ends, codes included.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The whole reply as POCO's `receiveStatusMessage` returns it: the lines as received
    /// (codes included), joined with `\n`.
    pub fn message(&self) -> String {
        self.lines.join("\n")
    }

    /// The text without the codes: each line with a leading `NNN-` or `NNN ` of this reply's
    /// code removed, joined with `\n`.
    pub fn text(&self) -> String {
        let code = self.code.to_string();
        let strip = |line: &'_ str| -> String {
            match line.strip_prefix(code.as_str()) {
                Some("") => String::new(),
                Some(rest) if rest.starts_with([' ', '-']) => rest[1..].to_string(),
                _ => line.to_string(),
            }
        };
        self.lines.iter().map(|l| strip(l)).collect::<Vec<_>>().join("\n")
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Cuts bytes into lines: a line ends at LF, and a CR right before it is dropped (servers
/// that send bare LF are read too). Sans-IO: [`push`](Self::push) takes what it is given.
#[derive(Debug, Clone)]
pub struct LineReader {
    max: usize,
    line: Vec<u8>,
}

impl LineReader {
    /// A reader refusing lines longer than `max_line_length` bytes (line end not counted).
    pub fn new(max_line_length: usize) -> Self {
        LineReader { max: max_line_length, line: Vec::new() }
    }

    /// Takes bytes from `input` up to and including the end of the next line. Returns how
    /// many it took and the line, if one ended (without its line end). A line over the limit
    /// is [`DialogError::LineTooLong`] as soon as it is seen, before it is all buffered.
    pub fn push(&mut self, input: &[u8]) -> Result<(usize, Option<Vec<u8>>), DialogError> {
        let (taken, ended) = match input.iter().position(|&b| b == b'\n') {
            Some(lf) => (lf + 1, true),
            None => (input.len(), false),
        };
        let content = if ended { &input[..taken - 1] } else { input };
        // A final CR is (or may turn out to be, when its LF is in the next piece) part of
        // the line end, so it does not count.
        let last = content.last().or(self.line.last());
        let cr = usize::from(last == Some(&b'\r'));
        if self.line.len() + content.len() - cr > self.max {
            let seen = self.line.len() + content.len();
            self.line.clear();
            return Err(DialogError::LineTooLong { limit: self.max, seen });
        }
        self.line.extend_from_slice(content);
        if !ended {
            return Ok((taken, None));
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Ok((taken, Some(std::mem::take(&mut self.line))))
    }

    /// Whether part of a line is buffered.
    pub fn is_partial(&self) -> bool {
        !self.line.is_empty()
    }

    /// Bytes of the current partial line.
    pub fn partial_len(&self) -> usize {
        self.line.len()
    }

    /// Forgets the partial line.
    pub fn reset(&mut self) {
        self.line.clear();
    }
}

/// Assembles status replies from bytes, FTP and SMTP style, limits checked as bytes arrive.
#[derive(Debug, Clone)]
pub struct ReplyParser {
    limits: DialogLimits,
    reader: LineReader,
    /// The code and lines of a multi-line reply begun and not yet ended.
    open: Option<(u16, Vec<String>)>,
    size: usize,
}

impl ReplyParser {
    /// A parser with `limits`.
    pub fn new(limits: DialogLimits) -> Self {
        ReplyParser { limits, reader: LineReader::new(limits.max_line_length), open: None, size: 0 }
    }

    /// The limits.
    pub fn limits(&self) -> DialogLimits {
        self.limits
    }

    /// Takes bytes from `input` up to the end of the next complete reply and returns how
    /// many it took and the reply, if it is complete; bytes after the reply are left for the
    /// caller (the next reply, or data). On an error the parser forgets the reply it was
    /// reading; the stream is then out of step and the connection should be closed.
    pub fn parse(&mut self, input: &[u8]) -> Result<(usize, Option<Reply>), DialogError> {
        let mut used = 0;
        while used < input.len() {
            let (n, line) = match self.reader.push(&input[used..]) {
                Ok(step) => step,
                Err(e) => {
                    self.reset();
                    return Err(e);
                }
            };
            used += n;
            self.size += n;
            if self.size > self.limits.max_reply_size {
                let seen = self.size;
                self.reset();
                return Err(DialogError::ReplyTooLarge { limit: self.limits.max_reply_size, seen });
            }
            let Some(line) = line else { continue };
            match self.line(line) {
                Ok(Some(reply)) => {
                    self.size = 0;
                    return Ok((used, Some(reply)));
                }
                Ok(None) => {}
                Err(e) => {
                    self.reset();
                    return Err(e);
                }
            }
        }
        Ok((used, None))
    }

    /// Whether part of a reply has been read.
    pub fn is_partial(&self) -> bool {
        self.open.is_some() || self.reader.is_partial()
    }

    /// How many bytes of the current partial reply have been read.
    pub fn partial_len(&self) -> usize {
        self.size
    }

    /// Forgets any partial reply.
    pub fn reset(&mut self) {
        self.reader.reset();
        self.open = None;
        self.size = 0;
    }

    fn line(&mut self, line: Vec<u8>) -> Result<Option<Reply>, DialogError> {
        let text = String::from_utf8_lossy(&line).into_owned();
        match &mut self.open {
            None => {
                let (code, more) = first_line(&line)
                    .ok_or_else(|| DialogError::MalformedReply { line: DialogError::excerpt(&text) })?;
                if more {
                    self.open = Some((code, vec![text]));
                    Ok(None)
                } else {
                    Ok(Some(Reply { code, lines: vec![text] }))
                }
            }
            Some((code, lines)) => {
                let code = *code;
                let last = code_of(&line) == Some(code) && matches!(line.get(3), None | Some(b' '));
                lines.push(text);
                if !last {
                    return Ok(None);
                }
                let (_, lines) = self.open.take().expect("open reply");
                Ok(Some(Reply { code, lines }))
            }
        }
    }
}

/// The three-digit code at the start of `line`, if it is one in 100..=599.
fn code_of(line: &[u8]) -> Option<u16> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'1'..=b'5').contains(&digits[0]) {
        return None;
    }
    Some(digits.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
}

/// The code of a reply's first line and whether more lines follow (`NNN-`); `None` when the
/// line is not `NNN`, `NNN text` or `NNN-text`.
fn first_line(line: &[u8]) -> Option<(u16, bool)> {
    let code = code_of(line)?;
    match line.get(3) {
        None | Some(b' ') => Some((code, false)),
        Some(b'-') => Some((code, true)),
        _ => None,
    }
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
