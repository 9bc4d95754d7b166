//! Proxies: [`ProxyConfig`], HTTP `CONNECT` tunnels and SOCKS5 (RFC 1928/1929).

use std::io::{Read, Write};
use std::time::Duration;

use crate::error::{Detail, Error, ErrorKind, Result};
use crate::http::conn::Conn;
use crate::http::message::{
    HTTP_1_1, HeaderLimits, HttpBasicCredentials, HttpDigestCredentials, HttpMessage, HttpRequest, HttpStatus,
};
use crate::http::proto::{BodyDecoder, Decoded, parse_response_head, response_framing};
use crate::socket::StreamSocket;

/// How credentials are presented to an HTTP proxy (POCO `ProxyAuthentication`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProxyAuth {
    /// `Proxy-Authorization: Basic` on every request (POCO default).
    #[default]
    Basic,
    /// Digest: the proxy's `407` challenge is answered (RFC 7616).
    Digest,
}

/// POCO `HTTPClientSession::ProxyConfig`.
///
/// `protocol` is `"http"` (an HTTP proxy: plain requests are forwarded with absolute URIs,
/// TLS connections tunnel with `CONNECT`) or `"socks5"`. `non_proxy_hosts` is a
/// case-insensitive regular expression matched at the start of the host name, as in POCO.
///
/// ```
/// use rpoco_net::ProxyConfig;
/// let mut p = ProxyConfig::new("127.0.0.1", 3128);
/// p.non_proxy_hosts = r"localhost|.*\.internal$".into();
/// assert!(p.bypasses("LOCALHOST"));
/// assert!(p.bypasses("db.internal"));
/// assert!(!p.bypasses("example.com"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    /// Proxy host; empty = no proxy.
    pub host: String,
    /// Proxy port (default 80).
    pub port: u16,
    /// `"http"` (default) or `"socks5"`.
    pub protocol: String,
    /// Tunnel TLS connections with `CONNECT` (default true; rpoco always tunnels TLS).
    pub tunnel: bool,
    /// Proxy user name; empty = no credentials (no `Proxy-Authorization` is sent).
    pub username: String,
    /// Proxy password.
    pub password: String,
    /// Hosts reached directly: a regular expression (case-insensitive, anchored at the start).
    pub non_proxy_hosts: String,
    /// How credentials are presented.
    pub auth: ProxyAuth,
}

impl std::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("protocol", &self.protocol)
            .field("tunnel", &self.tunnel)
            .field("username", &self.username)
            .field("non_proxy_hosts", &self.non_proxy_hosts)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            host: String::new(),
            port: 80,
            protocol: "http".into(),
            tunnel: true,
            username: String::new(),
            password: String::new(),
            non_proxy_hosts: String::new(),
            auth: ProxyAuth::Basic,
        }
    }
}

impl ProxyConfig {
    /// An HTTP proxy at `host:port`.
    pub fn new(host: &str, port: u16) -> Self {
        ProxyConfig { host: host.to_owned(), port, ..Default::default() }
    }

    /// A SOCKS5 proxy at `host:port`.
    pub fn socks5(host: &str, port: u16) -> Self {
        ProxyConfig { host: host.to_owned(), port, protocol: "socks5".into(), ..Default::default() }
    }

    /// Sets credentials (builder style).
    pub fn with_credentials(mut self, username: &str, password: &str) -> Self {
        self.username = username.to_owned();
        self.password = password.to_owned();
        self
    }

    /// Whether a proxy is configured.
    pub fn is_set(&self) -> bool {
        !self.host.is_empty()
    }

    /// Whether this is a SOCKS5 proxy.
    pub fn is_socks5(&self) -> bool {
        self.protocol.eq_ignore_ascii_case("socks5") || self.protocol.eq_ignore_ascii_case("socks5h")
    }

    /// Whether `host` is reached directly (`non_proxy_hosts` matches at its start). An
    /// invalid expression bypasses nothing. Compiles the expression on each call; sessions
    /// and [`Chain`](crate::Chain)s compile it once when the proxy is set.
    pub fn bypasses(&self, host: &str) -> bool {
        NoProxy::compile(&self.non_proxy_hosts).is_ok_and(|n| n.matches(host))
    }

    /// Reads the conventional environment variables (an rpoco addition; POCO has none):
    /// `HTTPS_PROXY`/`https_proxy` for `scheme == "https"`, else `HTTP_PROXY`/`http_proxy`;
    /// `NO_PROXY`/`no_proxy` (comma-separated names, `.suffix` or `*`) becomes
    /// `non_proxy_hosts`. Values look like `http://user:pass@host:port` or `socks5://host:port`.
    /// `None` if the variable is unset or empty; a malformed value is an error.
    pub fn from_env(scheme: &str) -> Result<Option<Self>> {
        let names: &[&str] = if scheme.eq_ignore_ascii_case("https") {
            &["HTTPS_PROXY", "https_proxy"]
        } else {
            &["HTTP_PROXY", "http_proxy"]
        };
        let Some(value) = names.iter().filter_map(|n| std::env::var(n).ok()).find(|v| !v.trim().is_empty())
        else {
            return Ok(None);
        };
        let mut config = Self::parse_url(value.trim())?;
        if let Some(no) =
            ["NO_PROXY", "no_proxy"].iter().filter_map(|n| std::env::var(n).ok()).find(|v| !v.is_empty())
        {
            config.non_proxy_hosts = no_proxy_regex(&no);
        }
        Ok(Some(config))
    }

    /// Parses `[scheme://][user[:password]@]host[:port][/]` (default scheme `http`, default
    /// ports 80 for HTTP and 1080 for SOCKS5).
    pub fn parse_url(url: &str) -> Result<Self> {
        let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
        let rest = rest.trim_end_matches('/');
        let (user_info, host_port) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let socks = scheme.eq_ignore_ascii_case("socks5") || scheme.eq_ignore_ascii_case("socks5h");
        if !socks && !scheme.eq_ignore_ascii_case("http") {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unsupported proxy scheme `{scheme}` in `{url}`"),
            ));
        }
        let default_port = if socks { 1080 } else { 80 };
        let (host, port) = match crate::socket::split_host_port(host_port) {
            Ok((h, p)) => (
                h.to_owned(),
                p.parse().map_err(|_| {
                    Error::new(ErrorKind::InvalidArgument, format!("bad proxy port in `{url}`"))
                })?,
            ),
            Err(_) => (host_port.trim_start_matches('[').trim_end_matches(']').to_owned(), default_port),
        };
        if host.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, format!("no proxy host in `{url}`")));
        }
        let mut config = ProxyConfig {
            host,
            port,
            protocol: if socks { "socks5" } else { "http" }.into(),
            ..Default::default()
        };
        if let Some(ui) = user_info {
            let (u, p) = ui.split_once(':').unwrap_or((ui, ""));
            config.username = crate::http::encoding::uri_decode(u, false)?;
            config.password = crate::http::encoding::uri_decode(p, false)?;
        }
        Ok(config)
    }

    /// Sets `Proxy-Authorization` on `request` if there are credentials (never otherwise:
    /// POCO sends `Basic Og==` even without them).
    pub(crate) fn authorize(
        &self,
        request: &mut HttpRequest,
        digest: &mut Option<HttpDigestCredentials>,
    ) -> Result<()> {
        if self.username.is_empty() {
            return Ok(());
        }
        match self.auth {
            ProxyAuth::Basic => {
                HttpBasicCredentials::new(&self.username, &self.password).proxy_authenticate(request)
            }
            ProxyAuth::Digest => {
                if let Some(d) = digest.as_mut().filter(|d| d.has_challenge()) {
                    d.update_proxy_auth_info(request)?;
                }
            }
        }
        Ok(())
    }
}

/// A compiled `non_proxy_hosts` expression (case-insensitive, anchored at the start).
#[derive(Debug, Clone, Default)]
pub(crate) struct NoProxy(Option<regex::Regex>);

impl NoProxy {
    /// Compiles `expression`; empty matches nothing, invalid is an error naming it.
    pub(crate) fn compile(expression: &str) -> Result<Self> {
        if expression.is_empty() {
            return Ok(NoProxy(None));
        }
        regex::RegexBuilder::new(&format!("^(?:{expression})"))
            .case_insensitive(true)
            .build()
            .map(|re| NoProxy(Some(re)))
            .map_err(|e| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("non_proxy_hosts `{expression}` is not a valid expression"),
                )
                .with_source(e)
            })
    }

    /// Whether `host` is reached directly.
    pub(crate) fn matches(&self, host: &str) -> bool {
        self.0.as_ref().is_some_and(|re| re.is_match(host))
    }
}

/// Turns a `NO_PROXY` list into a `non_proxy_hosts` expression matching whole host names.
fn no_proxy_regex(list: &str) -> String {
    let mut alternatives = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if entry == "*" {
            return ".*".into();
        }
        let host = entry.split(':').next().unwrap_or(entry).trim_start_matches("*.").trim_start_matches('.');
        alternatives.push(format!("(?:.*\\.)?{}", regex::escape(host)));
    }
    if alternatives.is_empty() { String::new() } else { format!("(?:{})$", alternatives.join("|")) }
}

/// Opens a `CONNECT host:port` tunnel over `socket` (already connected to the proxy). A
/// `407` with a Digest challenge is answered once, on a new connection if the proxy closed
/// this one (`reconnect` opens it).
pub(crate) fn connect_tunnel(
    mut socket: StreamSocket,
    config: &ProxyConfig,
    digest: &mut Option<HttpDigestCredentials>,
    target_host: &str,
    target_port: u16,
    mut reconnect: impl FnMut() -> Result<StreamSocket>,
) -> Result<StreamSocket> {
    let authority = if target_host.contains(':') {
        format!("[{target_host}]:{target_port}")
    } else {
        format!("{target_host}:{target_port}")
    };
    let mut answered_challenge = false;
    loop {
        let mut req = HttpRequest::new(HttpRequest::HTTP_CONNECT, &authority, HTTP_1_1);
        req.set("Host", &authority);
        req.set("Proxy-Connection", "Keep-Alive");
        config.authorize(&mut req, digest)?;
        let mut conn = Conn::new(Box::new(socket.clone()));
        conn.wbuf.extend_from_slice(&req.to_bytes());
        conn.flush().map_err(|e| Error::from_io_during(e, "send CONNECT to proxy"))?;
        let limits = HeaderLimits::default();
        let res = conn.read_head(|b| parse_response_head(b, &limits)).map_err(|e| match e.kind() {
            ErrorKind::Message | ErrorKind::LimitExceeded => {
                malformed_reply(conn.buffered(), "answered CONNECT with something that is not HTTP")
                    .with_source(e)
            }
            _ => e,
        })?;
        let res = res.ok_or_else(|| {
            Error::new(ErrorKind::NoMessage, "proxy closed the connection without answering CONNECT")
        })?;
        let code = res.status().code();
        if (200..300).contains(&code) {
            if !conn.buffered().is_empty() {
                return Err(malformed_reply(conn.buffered(), "sent data after its CONNECT response"));
            }
            return Ok(socket);
        }
        if code == HttpStatus::PROXY_AUTHENTICATION_REQUIRED.code()
            && config.auth == ProxyAuth::Digest
            && !config.username.is_empty()
            && !answered_challenge
        {
            answered_challenge = true;
            let mut creds = HttpDigestCredentials::new(&config.username, &config.password);
            creds.proxy_authenticate(&mut req, &res)?;
            *digest = Some(creds);
            socket = if res.keep_alive() && drain(&mut conn, &res)? { socket } else { reconnect()? };
            continue;
        }
        return Err(Error::proxy_reply(
            Some(code),
            res.reason(),
            format!("Cannot establish proxy connection ({code}): {}", res.reason()),
        ));
    }
}

/// A proxy reply its protocol does not allow: kind [`ErrorKind::ProxyProtocol`], with the
/// start of what the proxy sent (printable ASCII kept, other bytes as `\xNN`) as its words.
fn malformed_reply(got: &[u8], what: &str) -> Error {
    let words: String =
        got.iter().take(64).flat_map(|&b| std::ascii::escape_default(b)).map(char::from).collect();
    Error::peer(ErrorKind::ProxyProtocol, &words, format!("proxy {what}: \"{words}\""))
}

/// Reads and discards a small response body; false if it could not be done (close instead).
fn drain(conn: &mut Conn, res: &crate::http::message::HttpResponse) -> Result<bool> {
    let framing = response_framing("CONNECT-AUTH", res)?;
    let mut decoder = BodyDecoder::new(framing);
    let mut budget = 64 * 1024;
    loop {
        let (used, ev) = decoder.decode(conn.buffered())?;
        let done = matches!(ev, Decoded::End);
        let need = matches!(ev, Decoded::NeedMore);
        conn.consume(used);
        if done {
            return Ok(true);
        }
        budget -= used.min(budget);
        if budget == 0 || matches!(framing, crate::http::proto::BodyFraming::Close) {
            return Ok(false);
        }
        if need && conn.fill()? == 0 {
            return Ok(false);
        }
    }
}

/// The SOCKS5 handshake over `socket` (connected to the proxy): no authentication or
/// username/password (RFC 1929), then `CONNECT` to `host:port` by name (the proxy resolves).
pub(crate) fn socks5_connect(
    socket: &StreamSocket,
    config: &ProxyConfig,
    host: &str,
    port: u16,
    timeout: Option<Duration>,
) -> Result<()> {
    socket.set_receive_timeout(timeout)?;
    socket.set_send_timeout(timeout)?;
    let mut s = socket;
    let with_auth = !config.username.is_empty();
    let greeting: &[u8] = if with_auth { &[5, 2, 0, 2] } else { &[5, 1, 0] };
    s.write_all(greeting)?;
    let mut reply = [0u8; 2];
    s.read_exact(&mut reply).map_err(|e| Error::from_io_during(e, "SOCKS5 greeting"))?;
    if reply[0] != 5 {
        return Err(malformed_reply(&reply, "is not SOCKS5 (its greeting reply has a wrong version byte)"));
    }
    match reply[1] {
        0 => {}
        2 if with_auth => {
            let (u, p) = (config.username.as_bytes(), config.password.as_bytes());
            if u.len() > 255 || p.len() > 255 {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "SOCKS5 user name and password are limited to 255 bytes",
                ));
            }
            let mut msg = vec![1, u.len() as u8];
            msg.extend_from_slice(u);
            msg.push(p.len() as u8);
            msg.extend_from_slice(p);
            s.write_all(&msg)?;
            s.read_exact(&mut reply)?;
            if reply[1] != 0 {
                return Err(Error::new(
                    ErrorKind::NotAuthenticated,
                    "SOCKS5 proxy rejected the user name or password",
                ));
            }
        }
        0xff => {
            return Err(Error::new(
                ErrorKind::NotAuthenticated,
                "SOCKS5 proxy accepts none of our authentication methods",
            ));
        }
        _ => {
            return Err(malformed_reply(&reply, "chose a SOCKS5 authentication method we did not offer"));
        }
    }
    let mut req = vec![5, 1, 0];
    match host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            req.push(1);
            req.extend_from_slice(&a.octets());
        }
        Ok(std::net::IpAddr::V6(a)) => {
            req.push(4);
            req.extend_from_slice(&a.octets());
        }
        Err(_) => {
            if host.len() > 255 {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("host name too long for SOCKS5: {host}"),
                ));
            }
            req.push(3);
            req.push(host.len() as u8);
            req.extend_from_slice(host.as_bytes());
        }
    }
    req.extend_from_slice(&port.to_be_bytes());
    s.write_all(&req)?;
    let mut head = [0u8; 4];
    s.read_exact(&mut head).map_err(|e| Error::from_io_during(e, "SOCKS5 connect reply"))?;
    if head[0] != 5 {
        return Err(malformed_reply(&head, "sent a SOCKS5 connect reply with a wrong version byte"));
    }
    if head[1] != 0 {
        let why = match head[1] {
            1 => "general failure",
            2 => "connection not allowed by ruleset",
            3 => "network unreachable",
            4 => "host unreachable",
            5 => "connection refused",
            6 => "TTL expired",
            7 => "command not supported",
            8 => "address type not supported",
            _ => "unknown error",
        };
        let msg = format!("SOCKS5 proxy could not connect to {host}:{port}: {why} (code {})", head[1]);
        let words = Detail::ProxyReply { status: Some(u16::from(head[1])), words: why.to_owned() };
        return Err(Error::new(ErrorKind::ProxyRefused, msg).with_detail(words));
    }
    let skip = match head[3] {
        1 => 4 + 2,
        4 => 16 + 2,
        3 => {
            let mut len = [0u8; 1];
            s.read_exact(&mut len)?;
            len[0] as usize + 2
        }
        _ => {
            return Err(malformed_reply(&head, "sent a SOCKS5 connect reply with an unknown address type"));
        }
    };
    let mut rest = vec![0u8; skip];
    s.read_exact(&mut rest)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_proxy_urls_and_no_proxy() {
        let p = ProxyConfig::parse_url("http://u%40x:p@proxy.local:3128/").unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.username.as_str(), p.password.as_str()),
            ("proxy.local", 3128, "u@x", "p")
        );
        let s = ProxyConfig::parse_url("socks5://[::1]").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.is_socks5()), ("::1", 1080, true));
        assert!(ProxyConfig::parse_url("ftp://x").is_err());
        let mut c = ProxyConfig::new("p", 1);
        c.non_proxy_hosts = no_proxy_regex("localhost, .example.com,10.0.0.1:80");
        assert!(c.bypasses("localhost") && c.bypasses("a.example.com") && c.bypasses("example.com"));
        assert!(c.bypasses("10.0.0.1") && !c.bypasses("localhost.evil") && !c.bypasses("badexample.com"));
        c.non_proxy_hosts = no_proxy_regex("*");
        assert!(c.bypasses("anything"));
    }
}
