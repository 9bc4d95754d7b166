//! [`HttpCookieJar`]: RFC 6265 cookie storage for clients (beyond POCO; as ureq and reqwest
//! have). It stores `Set-Cookie` from responses and adds `Cookie` to later requests.

mod date;
mod set_cookie;

use std::sync::Mutex;
use std::time::SystemTime;

use rpoco_foundation::Uri;

use crate::http::message::{HttpMessage, HttpRequest, HttpResponse, SameSite};
use set_cookie::Parsed;

/// A cookie as the jar keeps it (RFC 6265 §5.3 storage model).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCookie {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
    /// The domain (lower case, no leading dot).
    pub domain: String,
    /// The path.
    pub path: String,
    /// When it expires; `None` for a session cookie.
    pub expires: Option<SystemTime>,
    /// Sent only over `https`.
    pub secure: bool,
    /// `HttpOnly` was set.
    pub http_only: bool,
    /// Sent only to exactly [`domain`](Self::domain), not its subdomains.
    pub host_only: bool,
    /// The `SameSite` attribute, as stored (see [`HttpCookieJar`] on how it applies).
    pub same_site: SameSite,
    creation: u64,
    last_access: u64,
}

/// Limits a jar keeps (RFC 6265 §6.1 minimums: 4096 bytes per cookie, 50 per domain,
/// 3000 in total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieJarLimits {
    /// Most bytes in one cookie's name plus value.
    pub max_cookie_bytes: usize,
    /// Most cookies for one domain (the least recently used go first).
    pub max_per_domain: usize,
    /// Most cookies in the jar.
    pub max_total: usize,
}

impl Default for CookieJarLimits {
    fn default() -> Self {
        CookieJarLimits { max_cookie_bytes: 4096, max_per_domain: 50, max_total: 3000 }
    }
}

#[derive(Debug, Default)]
struct Store {
    cookies: Vec<StoredCookie>,
    clock: u64,
}

/// An RFC 6265 cookie jar, safe to share between threads (`Arc<HttpCookieJar>`).
///
/// Domain and path matching, expiry (`Max-Age` over `Expires`, dates per §5.1.1), `Secure`,
/// `HttpOnly`, host-only cookies, and no cookies for a public suffix (the Public Suffix List
/// from the `psl` crate). From RFC 6265bis: `Secure` cookies only from `https`, the
/// `__Secure-` and `__Host-` prefixes. `SameSite` is stored but, as in other non-browser
/// clients, every request counts as same-site (a client has no top-level site).
///
/// ```
/// use rpoco_foundation::Uri;
/// use rpoco_net::{HttpCookieJar, HttpMessage, HttpRequest, HttpResponse, HttpStatus};
/// let jar = HttpCookieJar::new();
/// let url = Uri::parse("https://www.example.com/shop/cart")?;
/// let mut res = HttpResponse::new(HttpStatus::OK);
/// res.add("Set-Cookie", "cart=3; Path=/shop; Secure; HttpOnly");
/// res.add("Set-Cookie", "lang=en; Domain=example.com; Path=/"); // no Path: "/shop" (RFC 6265 §5.1.4)
/// res.add("Set-Cookie", "evil=1; Domain=com"); // a public suffix: ignored
/// jar.store_response_cookies(&url, &res);
/// let mut req = HttpRequest::with_method("GET", "/shop/pay");
/// jar.add_cookie_header(&Uri::parse("https://www.example.com/shop/pay")?, &mut req);
/// assert_eq!(req.get("Cookie"), Some("cart=3; lang=en"));
/// assert_eq!(jar.cookie_header(&Uri::parse("http://example.com/")?).as_deref(), Some("lang=en"));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct HttpCookieJar {
    store: Mutex<Store>,
    limits: CookieJarLimits,
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
}

/// RFC 6265 §5.1.3.
fn domain_match(host: &str, domain: &str) -> bool {
    host == domain
        || (!is_ip(host)
            && host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// RFC 6265 §5.1.4.
fn path_match(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

/// RFC 6265 §5.1.4 default-path.
fn default_path(uri_path: &str) -> String {
    if !uri_path.starts_with('/') {
        return "/".into();
    }
    match uri_path.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => uri_path[..i].to_owned(),
    }
}

fn is_public_suffix(domain: &str) -> bool {
    psl::suffix_str(domain).is_some_and(|s| s.eq_ignore_ascii_case(domain))
}

impl HttpCookieJar {
    /// An empty jar with RFC 6265's limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty jar with `limits`.
    pub fn with_limits(limits: CookieJarLimits) -> Self {
        HttpCookieJar { store: Mutex::default(), limits }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores every `Set-Cookie` of `response`, which answered a request for `url`.
    pub fn store_response_cookies(&self, url: &Uri, response: &HttpResponse) {
        for v in response.header().get_all("Set-Cookie") {
            self.store_set_cookie(url, v);
        }
    }

    /// Stores one `Set-Cookie` value received from `url`; returns whether it was accepted
    /// (a deletion, an expired cookie replacing a stored one, counts as accepted).
    pub fn store_set_cookie(&self, url: &Uri, set_cookie: &str) -> bool {
        let Some(p) = Parsed::parse(set_cookie, self.limits.max_cookie_bytes) else { return false };
        let host = url.host().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() {
            return false;
        }
        let secure_origin = url.scheme().eq_ignore_ascii_case("https");
        let attr = p
            .domain
            .as_deref()
            .map(|d| d.trim_start_matches('.').to_ascii_lowercase())
            .filter(|d| !d.is_empty());
        let (domain, host_only) = match attr {
            None => (host.clone(), true),
            // §5.3 step 5: a public suffix only as the host itself (then host-only).
            Some(d) if is_public_suffix(&d) => {
                if d != host {
                    return false;
                }
                (host.clone(), true)
            }
            Some(d) if !domain_match(&host, &d) => return false,
            Some(d) => (d, false),
        };
        if p.secure && !secure_origin {
            return false;
        }
        let path = match &p.path {
            Some(path) if path.starts_with('/') => path.clone(),
            _ => default_path(url.path()),
        };
        // RFC 6265bis §4.1.3: cookie name prefixes.
        if p.name.starts_with("__Secure-") && !p.secure {
            return false;
        }
        if p.name.starts_with("__Host-") && (!p.secure || !host_only || path != "/") {
            return false;
        }
        let now = SystemTime::now();
        let expires = p.expiry(now);
        let mut store = self.lock();
        store.clock += 1;
        let tick = store.clock;
        let same = |c: &StoredCookie| c.name == p.name && c.domain == domain && c.path == path;
        // RFC 6265bis §5.7 step 13: an insecure origin does not overwrite a Secure cookie.
        if !secure_origin
            && store.cookies.iter().any(|c| {
                c.secure
                    && c.name == p.name
                    && (domain_match(&c.domain, &domain) || domain_match(&domain, &c.domain))
            })
        {
            return false;
        }
        let old = store.cookies.iter().position(same);
        let creation = old.map(|i| store.cookies[i].creation).unwrap_or(tick);
        if let Some(i) = old {
            store.cookies.remove(i);
        }
        if expires.is_some_and(|e| e <= now) {
            return old.is_some();
        }
        store.cookies.push(StoredCookie {
            name: p.name,
            value: p.value,
            domain: domain.clone(),
            path,
            expires,
            secure: p.secure,
            http_only: p.http_only,
            host_only,
            same_site: p.same_site,
            creation,
            last_access: tick,
        });
        self.evict(&mut store, &domain, now);
        true
    }

    fn evict(&self, store: &mut Store, domain: &str, now: SystemTime) {
        store.cookies.retain(|c| c.expires.is_none_or(|e| e > now));
        let lru = |cookies: &[StoredCookie], domain: Option<&str>| {
            cookies
                .iter()
                .enumerate()
                .filter(|(_, c)| domain.is_none_or(|d| c.domain == d))
                .min_by_key(|(_, c)| c.last_access)
                .map(|(i, _)| i)
        };
        while store.cookies.iter().filter(|c| c.domain == domain).count() > self.limits.max_per_domain {
            if let Some(i) = lru(&store.cookies, Some(domain)) {
                store.cookies.remove(i);
            }
        }
        while store.cookies.len() > self.limits.max_total {
            if let Some(i) = lru(&store.cookies, None) {
                store.cookies.remove(i);
            }
        }
    }

    /// The `Cookie` value for a request to `url` (RFC 6265 §5.4: longer paths first, then
    /// older first), or `None` when no cookie applies.
    pub fn cookie_header(&self, url: &Uri) -> Option<String> {
        let host = url.host().trim_end_matches('.').to_ascii_lowercase();
        let secure = url.scheme().eq_ignore_ascii_case("https") || url.scheme().eq_ignore_ascii_case("wss");
        let path = if url.path().is_empty() { "/" } else { url.path() };
        let now = SystemTime::now();
        let mut store = self.lock();
        store.clock += 1;
        let tick = store.clock;
        let mut matched: Vec<&mut StoredCookie> = store
            .cookies
            .iter_mut()
            .filter(|c| {
                (if c.host_only { c.domain == host } else { domain_match(&host, &c.domain) })
                    && path_match(path, &c.path)
                    && (!c.secure || secure)
                    && c.expires.is_none_or(|e| e > now)
            })
            .collect();
        if matched.is_empty() {
            return None;
        }
        matched.sort_by(|a, b| b.path.len().cmp(&a.path.len()).then(a.creation.cmp(&b.creation)));
        let mut out = String::new();
        for c in matched {
            c.last_access = tick;
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(&c.name);
            out.push('=');
            out.push_str(&c.value);
        }
        Some(out)
    }

    /// Sets `Cookie` on `request` for `url` (replacing one set before), if any cookie applies.
    pub fn add_cookie_header(&self, url: &Uri, request: &mut HttpRequest) {
        match self.cookie_header(url) {
            Some(v) => request.set("Cookie", &v),
            None => request.erase("Cookie"),
        }
    }

    /// Every stored, unexpired cookie.
    pub fn cookies(&self) -> Vec<StoredCookie> {
        let now = SystemTime::now();
        self.lock().cookies.iter().filter(|c| c.expires.is_none_or(|e| e > now)).cloned().collect()
    }

    /// Removes every cookie.
    pub fn clear(&self) {
        self.lock().cookies.clear();
    }

    /// Removes session cookies (those without an expiry), as at the end of a session.
    pub fn clear_session_cookies(&self) {
        self.lock().cookies.retain(|c| c.expires.is_some());
    }
}

#[cfg(test)]
mod tests;
