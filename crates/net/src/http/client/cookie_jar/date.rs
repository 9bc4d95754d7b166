//! RFC 6265 §5.1.1: the lenient cookie-date algorithm (`Wed, 21-Oct-2015 07:28:00 GMT` and
//! the other forms servers send).

use std::time::{Duration, SystemTime};

fn is_delimiter(c: char) -> bool {
    matches!(c, '\t' | ' '..='/' | ';'..='@' | '['..='`' | '{'..='~')
}

/// Leading digits of `token` (`min..=max` of them), the rest ignored.
fn digits(token: &str, min: usize, max: usize) -> Option<u32> {
    let n = token.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    token[..n].parse().ok()
}

fn time(token: &str) -> Option<(u32, u32, u32)> {
    let mut it = token.splitn(3, ':');
    let h = it.next()?;
    let m = it.next()?;
    let s = it.next()?;
    if h.len() > 2 || m.len() > 2 || h.is_empty() || m.is_empty() {
        return None;
    }
    Some((h.parse().ok()?, m.parse().ok()?, digits(s, 1, 2)?))
}

/// The date, or `None` when the algorithm fails.
pub(super) fn parse_cookie_date(s: &str) -> Option<SystemTime> {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let (mut t, mut day, mut month, mut year) = (None, None, None, None);
    for token in s.split(is_delimiter).filter(|t| !t.is_empty()) {
        if t.is_none()
            && let Some(v) = time(token)
        {
            t = Some(v);
        } else if day.is_none()
            && let Some(v) = digits(token, 1, 2)
        {
            day = Some(v);
        } else if month.is_none()
            && let Some(i) =
                MONTHS.iter().position(|m| token.len() >= 3 && token[..3].eq_ignore_ascii_case(m))
        {
            month = Some(i as u32 + 1);
        } else if year.is_none()
            && let Some(v) = digits(token, 2, 4)
        {
            year = Some(v);
        }
    }
    let (h, mi, sec) = t?;
    let (day, month, mut year) = (day?, month?, year?);
    if (70..=99).contains(&year) {
        year += 1900;
    } else if year <= 69 {
        year += 2000;
    }
    if !(1..=31).contains(&day) || year < 1601 || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let days = days_from_civil(year as i64, month, day)?;
    let secs = days * 86_400 + (h * 3600 + mi * 60 + sec) as i64;
    if secs >= 0 {
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64))
    } else {
        Some(SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()))
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm); `None` for a day past the month's end.
fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if d > month_days[(m - 1) as usize] {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Option<u64> {
        parse_cookie_date(s).map(|t| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs())
    }

    #[test]
    fn the_forms_servers_send() {
        assert_eq!(secs("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1_445_412_480));
        assert_eq!(secs("Wed, 21-Oct-2015 07:28:00 GMT"), Some(1_445_412_480));
        assert_eq!(secs("Wednesday, 21-Oct-15 07:28:00 GMT"), Some(1_445_412_480));
        assert_eq!(secs("Wed Oct 21 07:28:00 2015"), Some(1_445_412_480));
        assert_eq!(secs("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(secs("Wed, 31 Feb 2015 07:28:00 GMT"), None);
        assert_eq!(secs("garbage"), None);
        assert_eq!(secs("Wed, 21 Oct 2015 25:28:00 GMT"), None);
    }
}
