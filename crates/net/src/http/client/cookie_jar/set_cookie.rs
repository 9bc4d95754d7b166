//! RFC 6265 §5.2: the `Set-Cookie` parsing algorithm.

use std::time::{Duration, SystemTime};

use crate::http::message::SameSite;

#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub(super) name: String,
    pub(super) value: String,
    pub(super) domain: Option<String>,
    pub(super) path: Option<String>,
    max_age: Option<i64>,
    expires: Option<SystemTime>,
    pub(super) secure: bool,
    pub(super) http_only: bool,
    pub(super) same_site: SameSite,
}

impl Parsed {
    /// `None` when the user agent must ignore the header (§5.2 steps 2 and 5).
    pub(super) fn parse(header: &str, max_bytes: usize) -> Option<Parsed> {
        let mut pieces = header.split(';');
        let pair = pieces.next()?;
        let (name, value) = pair.split_once('=')?;
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty()
            || name.len() + value.len() > max_bytes
            || name.bytes().chain(value.bytes()).any(|b| b.is_ascii_control())
        {
            return None;
        }
        let mut p = Parsed { name: name.to_owned(), value: value.to_owned(), ..Default::default() };
        for attr in pieces {
            let (n, v) = attr.split_once('=').unwrap_or((attr, ""));
            let (n, v) = (n.trim(), v.trim());
            if v.len() > 1024 {
                continue;
            }
            match n.to_ascii_lowercase().as_str() {
                "expires" => {
                    if let Some(t) = super::date::parse_cookie_date(v) {
                        p.expires = Some(t);
                    }
                }
                "max-age" => {
                    let digits = v.strip_prefix('-').unwrap_or(v);
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                        p.max_age = Some(v.parse::<i64>().unwrap_or(if v.starts_with('-') {
                            i64::MIN
                        } else {
                            i64::MAX
                        }));
                    }
                }
                "domain" => p.domain = Some(v.to_owned()),
                "path" => p.path = Some(v.to_owned()),
                "secure" => p.secure = true,
                "httponly" => p.http_only = true,
                "samesite" => {
                    p.same_site = match v.to_ascii_lowercase().as_str() {
                        "strict" => SameSite::Strict,
                        "lax" => SameSite::Lax,
                        "none" => SameSite::None,
                        _ => SameSite::NotSpecified,
                    }
                }
                _ => {}
            }
        }
        Some(p)
    }

    /// §5.3 step 3: `Max-Age` wins over `Expires`; neither means a session cookie.
    pub(super) fn expiry(&self, now: SystemTime) -> Option<SystemTime> {
        match self.max_age {
            Some(s) if s <= 0 => Some(SystemTime::UNIX_EPOCH),
            // Far-future values are capped (400 days, RFC 6265bis §5.5).
            Some(s) => Some(now + Duration::from_secs((s as u64).min(400 * 86_400))),
            None => self.expires.map(|e| e.min(now + Duration::from_secs(400 * 86_400))),
        }
    }
}
