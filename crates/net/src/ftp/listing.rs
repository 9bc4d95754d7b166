//! Directory listings (sans-IO): `MLSD` entries (RFC 3659 7, machine-readable, beyond
//! POCO) and `LIST` lines (human-readable: Unix `ls -l` and DOS/IIS styles), best effort.
//!
//! ```
//! use rpoco_net::ftp::{EntryKind, ListLine, MlsdEntry, parse_list_line};
//!
//! let e = MlsdEntry::parse("type=file;size=1024;modify=20240102030405; report.pdf").unwrap();
//! assert_eq!((e.name(), e.kind(), e.size()), ("report.pdf", EntryKind::File, Some(1024)));
//!
//! match parse_list_line("drwxr-xr-x 2 ftp ftp 4096 Jan 02 03:04 my dir") {
//!     ListLine::Entry(e) => assert_eq!((e.name.as_str(), e.kind), ("my dir", EntryKind::Directory)),
//!     other => panic!("{other:?}"),
//! }
//! assert!(matches!(parse_list_line("?? garbage"), ListLine::Unparsed(_)));
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory (MLSD `dir`, and `cdir`/`pdir` for the directory itself and its parent).
    Directory,
    /// A symbolic link.
    Link,
    /// Anything else (a device, an OS-specific MLSD type).
    Other,
}

/// One `MLSD` line: facts and a name (`fact=value;...; name`, RFC 3659 7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlsdEntry {
    name: String,
    facts: Vec<(String, String)>,
}

impl MlsdEntry {
    /// Parses one line (without its line end); `None` when it is not `facts SP name`.
    pub fn parse(line: &str) -> Option<MlsdEntry> {
        let (facts, name) = line.split_once(' ')?;
        if name.is_empty() {
            return None;
        }
        let mut parsed = Vec::new();
        for fact in facts.split(';').filter(|f| !f.is_empty()) {
            let (key, value) = fact.split_once('=')?;
            if key.is_empty() {
                return None;
            }
            parsed.push((key.to_ascii_lowercase(), value.to_string()));
        }
        Some(MlsdEntry { name: name.to_string(), facts: parsed })
    }

    /// The name, as the server sent it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fact by (case-insensitive) name, e.g. `"unix.mode"`.
    pub fn fact(&self, name: &str) -> Option<&str> {
        self.facts.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// All facts, names in lower case.
    pub fn facts(&self) -> &[(String, String)] {
        &self.facts
    }

    /// The `type` fact as a kind; [`EntryKind::Other`] without one.
    pub fn kind(&self) -> EntryKind {
        match self.fact("type").map(str::to_ascii_lowercase).as_deref() {
            Some("file") => EntryKind::File,
            Some("dir" | "cdir" | "pdir") => EntryKind::Directory,
            Some(t) if t.starts_with("os.unix=slink") || t.starts_with("os.unix=symlink") => EntryKind::Link,
            _ => EntryKind::Other,
        }
    }

    /// Whether this is the listed directory itself (`cdir`) or its parent (`pdir`).
    pub fn is_self_or_parent(&self) -> bool {
        matches!(self.fact("type").map(str::to_ascii_lowercase).as_deref(), Some("cdir" | "pdir"))
    }

    /// The `size` fact.
    pub fn size(&self) -> Option<u64> {
        self.fact("size")?.parse().ok()
    }

    /// The `modify` fact as a time (`YYYYMMDDHHMMSS[.sss]`, UTC).
    pub fn modified(&self) -> Option<SystemTime> {
        parse_time_val(self.fact("modify")?)
    }
}

/// An RFC 3659 `time-val` (`YYYYMMDDHHMMSS[.sss]`, UTC), as in `MDTM` replies and `modify`
/// facts.
pub fn parse_time_val(text: &str) -> Option<SystemTime> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| whole[range].parse::<u32>().ok();
    let (year, month, day) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (hour, minute, second) = (n(8..10)?, n(10..12)?, n(12..14)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    let nanos = if fraction.is_empty() { 0 } else { format!("{fraction:0<9}").parse::<u32>().ok()? };
    let seconds = u64::try_from(seconds).ok()?;
    Some(UNIX_EPOCH + Duration::new(seconds, nanos))
}

/// A `LIST` line that parsed: the fields every common format has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The name (for a Unix symbolic link, without ` -> target`).
    pub name: String,
    /// What it is.
    pub kind: EntryKind,
    /// The size in bytes, when the format gives one.
    pub size: Option<u64>,
    /// The modification time as the server wrote it (`Jan 02 03:04`, `01-02-24 03:04AM`).
    pub modified: String,
    /// Unix permissions (`rwxr-xr-x`), when given.
    pub permissions: Option<String>,
    /// A symbolic link's target.
    pub link_target: Option<String>,
}

/// One line of a `LIST` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListLine {
    /// A line in a known format.
    Entry(ListEntry),
    /// Unix's `total N` line: no entry.
    Total(u64),
    /// A line in no known format, as it came (`LIST` output is meant for people; RFC 959
    /// fixes no format).
    Unparsed(String),
}

/// Parses one `LIST` line (Unix `ls -l` style or DOS/IIS style).
pub fn parse_list_line(line: &str) -> ListLine {
    if let Some(total) = line.strip_prefix("total ").and_then(|n| n.trim().parse().ok()) {
        return ListLine::Total(total);
    }
    unix_line(line)
        .or_else(|| dos_line(line))
        .map_or_else(|| ListLine::Unparsed(line.to_string()), ListLine::Entry)
}

/// Splits off `n` whitespace-separated fields; the rest keeps its inner spaces.
fn fields(line: &str, n: usize) -> Option<(Vec<&str>, &str)> {
    let mut out = Vec::with_capacity(n);
    let mut rest = line.trim_start();
    for _ in 0..n {
        let end = rest.find(char::is_whitespace)?;
        out.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    Some((out, rest))
}

/// `drwxr-xr-x 2 owner group 4096 Jan 02 03:04 name` (also without the group column).
fn unix_line(line: &str) -> Option<ListEntry> {
    let mode = line.get(..10)?;
    let kind = match mode.as_bytes()[0] {
        b'-' => EntryKind::File,
        b'd' => EntryKind::Directory,
        b'l' => EntryKind::Link,
        b'b' | b'c' | b'p' | b's' => EntryKind::Other,
        _ => return None,
    };
    if !mode[1..].bytes().all(|b| b"rwxsStTl-".contains(&b)) {
        return None;
    }
    // The size is the field before the month name; try with and without a group column.
    for columns in [8, 7] {
        let Some((f, name)) = fields(line, columns) else { continue };
        let (size, month, day, time) = (f[columns - 4], f[columns - 3], f[columns - 2], f[columns - 1]);
        let Ok(size) = size.parse::<u64>() else { continue };
        if !is_month(month) || day.parse::<u8>().is_err() || name.is_empty() {
            continue;
        }
        let (name, target) = match (kind, name.split_once(" -> ")) {
            (EntryKind::Link, Some((n, t))) => (n.to_string(), Some(t.to_string())),
            _ => (name.to_string(), None),
        };
        return Some(ListEntry {
            name,
            kind,
            size: Some(size),
            modified: format!("{month} {day} {time}"),
            permissions: Some(mode[1..].to_string()),
            link_target: target,
        });
    }
    None
}

fn is_month(text: &str) -> bool {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    MONTHS.iter().any(|m| m.eq_ignore_ascii_case(text))
}

/// `01-02-24  03:04AM  <DIR>  name` or `01-02-24  03:04AM  1234 name`.
fn dos_line(line: &str) -> Option<ListEntry> {
    let (f, name) = fields(line, 3)?;
    let (date, time, what) = (f[0], f[1], f[2]);
    let date_ok = date.len() >= 8 && date.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'/');
    let time_ok = time.len() >= 4 && time.bytes().all(|b| b.is_ascii_digit() || b":APMapm".contains(&b));
    if !date_ok || !time_ok || name.is_empty() {
        return None;
    }
    let (kind, size) = if what.eq_ignore_ascii_case("<DIR>") {
        (EntryKind::Directory, None)
    } else {
        (EntryKind::File, Some(what.parse().ok()?))
    };
    Some(ListEntry {
        name: name.to_string(),
        kind,
        size,
        modified: format!("{date} {time}"),
        permissions: None,
        link_target: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlsd_lines() {
        let e = MlsdEntry::parse("Type=dir;Modify=20240102030405.123;UNIX.mode=0755; sub dir").unwrap();
        assert_eq!(e.name(), "sub dir");
        assert_eq!(e.kind(), EntryKind::Directory);
        assert_eq!(e.fact("unix.mode"), Some("0755"));
        let t = e.modified().unwrap().duration_since(UNIX_EPOCH).unwrap();
        assert_eq!((t.as_secs(), t.subsec_millis()), (1_704_164_645, 123));
        assert!(MlsdEntry::parse("type=cdir; .").unwrap().is_self_or_parent());
        assert_eq!(MlsdEntry::parse(" name-without-facts").unwrap().facts(), &[]);
        for bad in ["no-space", "type=file;", "type=file; ", "=x; name", "typefile; name", ""] {
            assert_eq!(MlsdEntry::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn time_vals() {
        let secs = |s: &str| parse_time_val(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs());
        assert_eq!(secs("19700101000000"), Some(0));
        assert_eq!(secs("20000229235959"), Some(951_868_799));
        for bad in ["2024010203040", "20241302030405", "2024010203040x", "20240102030405.1234567890"] {
            assert_eq!(secs(bad), None, "{bad}");
        }
        assert!(parse_time_val("20240102030405.").is_some());
    }

    #[test]
    fn list_lines() {
        let entry = |line: &str| match parse_list_line(line) {
            ListLine::Entry(e) => e,
            other => panic!("{line}: {other:?}"),
        };
        let e = entry("-rw-r--r--    1 ftp      ftp        67108864 Dec 02 03:04 big file.bin");
        assert_eq!((e.name.as_str(), e.kind, e.size), ("big file.bin", EntryKind::File, Some(67_108_864)));
        assert_eq!(e.permissions.as_deref(), Some("rw-r--r--"));
        assert_eq!(e.modified, "Dec 02 03:04");
        let e = entry("lrwxrwxrwx 1 owner 7 Jan  5  2023 latest -> v1.2.3");
        assert_eq!((e.name.as_str(), e.link_target.as_deref()), ("latest", Some("v1.2.3")));
        let e = entry("drwxr-xr-x   2 user group 4096 Jan 02 03:04 docs");
        assert_eq!(e.kind, EntryKind::Directory);
        let e = entry("01-02-24  03:04AM       <DIR>          Program Files");
        assert_eq!((e.name.as_str(), e.kind, e.size), ("Program Files", EntryKind::Directory, None));
        let e = entry("01-02-24  03:04PM                 1234 a.txt");
        assert_eq!((e.name.as_str(), e.size), ("a.txt", Some(1234)));
        assert_eq!(parse_list_line("total 12"), ListLine::Total(12));
        for bad in [
            "",
            "x",
            "drwxr-xr-x",
            "drwxr-xr-x 2 user group notanumber Jan 02 03:04 docs",
            "qrwxr-xr-x 2 user group 1 Jan 02 03:04 docs",
            "-rw-r--r-- 1 user group 1 Foo 02 03:04 x",
            "-rw-r--r-- 1 user group 1 Jan 02 03:04 ",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
            "01-02-24 03:04AM <DIR>",
            "01-02-24 03:04AM 12x name",
        ] {
            assert!(matches!(parse_list_line(bad), ListLine::Unparsed(_)), "{bad:?}");
        }
    }
}
