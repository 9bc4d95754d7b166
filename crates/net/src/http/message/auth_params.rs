//! [`HttpAuthenticationParams`] (POCO `HTTPAuthenticationParams`) and the RFC 7235
//! challenge parser behind it: `WWW-Authenticate`, `Proxy-Authenticate` and `Authorization`
//! values as a scheme plus either a token68 or `name=value` parameters.

use super::message::HttpMessage;
use super::name_value::NameValueCollection;
use super::request::HttpRequest;
use super::response::HttpResponse;
use crate::error::{Error, ErrorKind, Result};

/// At most this many challenges in one header value, and parameters in one challenge.
const MAX_ITEMS: usize = 64;

/// One challenge or credentials value: `scheme token68` or `scheme name=value, ...`.
///
/// ```
/// use rpoco_net::HttpAuthenticationParams;
/// let all = HttpAuthenticationParams::parse_all(
///     r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
/// )?;
/// assert_eq!(all.len(), 2);
/// assert_eq!((all[0].scheme(), all[0].get("title")), ("Newauth", Some(r#"Login to "apps""#)));
/// assert_eq!((all[1].scheme(), all[1].realm()), ("Basic", "simple"));
/// let ntlm = HttpAuthenticationParams::parse("NTLM TlRMTVNTUAABAAAA")?;
/// assert_eq!(ntlm.token68(), Some("TlRMTVNTUAABAAAA"));
/// # Ok::<(), rpoco_net::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpAuthenticationParams {
    scheme: String,
    token68: Option<String>,
    params: NameValueCollection,
}

impl HttpAuthenticationParams {
    /// POCO `HTTPAuthenticationParams::WWW_AUTHENTICATE`.
    pub const WWW_AUTHENTICATE: &'static str = "WWW-Authenticate";
    /// POCO `HTTPAuthenticationParams::PROXY_AUTHENTICATE`.
    pub const PROXY_AUTHENTICATE: &'static str = "Proxy-Authenticate";

    /// Empty parameters for `scheme`.
    pub fn new(scheme: &str) -> Self {
        HttpAuthenticationParams { scheme: scheme.to_owned(), ..Default::default() }
    }

    /// Parses one challenge (the first, if the value holds several).
    pub fn parse(value: &str) -> Result<Self> {
        Self::parse_all(value)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::new(ErrorKind::NotAuthenticated, "empty authentication header"))
    }

    /// Parses every challenge in a header value (RFC 7235 §4.1: `1#challenge`).
    pub fn parse_all(value: &str) -> Result<Vec<Self>> {
        Parser { s: value.as_bytes(), pos: 0 }.challenges()
    }

    /// Every challenge in all `header` fields of `response`, in order.
    pub fn challenges(response: &HttpResponse, header: &str) -> Result<Vec<Self>> {
        let mut out = Vec::new();
        for value in response.header().get_all(header) {
            out.extend(Self::parse_all(value)?);
        }
        Ok(out)
    }

    /// POCO `fromAuthInfo`: parameters without the scheme (`realm="x", nonce="y"`).
    pub fn from_auth_info(scheme: &str, info: &str) -> Result<Self> {
        let mut p = Parser { s: info.as_bytes(), pos: 0 };
        let mut out = Self::new(scheme);
        p.params(&mut out, false)?;
        p.ows();
        if p.pos < p.s.len() {
            return Err(p.error("unexpected text after the parameters"));
        }
        Ok(out)
    }

    /// POCO `fromRequest`: the request's `Authorization` value.
    pub fn from_request(request: &HttpRequest) -> Result<Self> {
        let v = request
            .get("Authorization")
            .ok_or_else(|| Error::new(ErrorKind::NotAuthenticated, "no Authorization header"))?;
        Self::parse(v)
    }

    /// POCO `fromResponse`: the first challenge of `scheme` (case-insensitive) in `header`.
    pub fn from_response(response: &HttpResponse, header: &str, scheme: &str) -> Result<Self> {
        Self::challenges(response, header)?.into_iter().find(|c| c.is_scheme(scheme)).ok_or_else(|| {
            Error::new(ErrorKind::NotAuthenticated, format!("no {scheme} challenge in {header}"))
        })
    }

    /// The scheme as sent, e.g. `Digest`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Whether the scheme is `scheme` (case-insensitive, RFC 7235 §2.1).
    pub fn is_scheme(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The token68 form (`Basic QWxh...`, `NTLM TlRM...`), if that is what was sent.
    pub fn token68(&self) -> Option<&str> {
        self.token68.as_deref()
    }

    /// Sets the token68 form (and drops parameters).
    pub fn set_token68(&mut self, token: &str) {
        self.token68 = Some(token.to_owned());
        self.params = NameValueCollection::new();
    }

    /// A parameter (names are case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }

    /// Sets a parameter.
    pub fn set(&mut self, name: &str, value: &str) {
        self.params.set(name, value);
    }

    /// All parameters in order.
    pub fn params(&self) -> &NameValueCollection {
        &self.params
    }

    /// The `realm` parameter, or `""` (POCO `getRealm`).
    pub fn realm(&self) -> &str {
        self.get("realm").unwrap_or("")
    }

    /// Sets `realm` (POCO `setRealm`).
    pub fn set_realm(&mut self, realm: &str) {
        self.set("realm", realm);
    }

    /// The parameters as sent after the scheme (POCO `toString`): values quoted, except
    /// those RFC 7616 sends as tokens (`algorithm`, `qop` of a response, `nc`, `stale`,
    /// `userhash`, `charset`).
    pub fn auth_info(&self) -> String {
        if let Some(t) = &self.token68 {
            return t.clone();
        }
        let mut out = String::new();
        for (n, v) in self.params.iter() {
            if !out.is_empty() {
                out.push_str(", ");
            }
            let bare =
                ["algorithm", "nc", "stale", "userhash", "charset"].iter().any(|b| n.eq_ignore_ascii_case(b))
                    || (n.eq_ignore_ascii_case("qop") && !v.contains(','))
                    || n.ends_with('*');
            if bare && !v.is_empty() && v.bytes().all(is_tchar) {
                out.push_str(&format!("{n}={v}"));
            } else {
                out.push_str(&format!("{n}={}", quoted_string(v)));
            }
        }
        out
    }
}

impl std::fmt::Display for HttpAuthenticationParams {
    /// `scheme auth-info`, the whole header value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let info = self.auth_info();
        if info.is_empty() { f.write_str(&self.scheme) } else { write!(f, "{} {info}", self.scheme) }
    }
}

/// RFC 9110 quoted-string, always quoted (RFC 7616 requires quotes on realm, nonce, uri...).
fn quoted_string(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> Error {
        Error::new(ErrorKind::Syntax, format!("authentication header: {what} at byte {}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        // Only tchar bytes (ASCII) were taken.
        std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("")
    }

    fn challenges(&mut self) -> Result<Vec<HttpAuthenticationParams>> {
        let mut out = Vec::new();
        loop {
            self.skip_separators();
            if self.pos >= self.s.len() {
                return Ok(out);
            }
            if out.len() == MAX_ITEMS {
                return Err(self.error(&format!("more than {MAX_ITEMS} challenges")));
            }
            let scheme = self.token().to_owned();
            if scheme.is_empty() {
                return Err(self.error("expected an authentication scheme"));
            }
            let mut c = HttpAuthenticationParams::new(&scheme);
            let spaced = matches!(self.peek(), Some(b' ' | b'\t'));
            self.ows();
            if spaced && !matches!(self.peek(), None | Some(b',')) {
                if let Some(t) = self.try_token68() {
                    c.token68 = Some(t);
                } else {
                    self.params(&mut c, true)?;
                }
            } else if !matches!(self.peek(), None | Some(b',')) {
                return Err(self.error("expected a space after the scheme"));
            }
            out.push(c);
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
    }

    /// `token68` followed by the end or a comma; otherwise backs off (it was a parameter).
    fn try_token68(&mut self) -> Option<String> {
        let start = self.pos;
        let mut end = start;
        while self.s.get(end).copied().is_some_and(is_token68) {
            end += 1;
        }
        if end == start {
            return None;
        }
        while self.s.get(end) == Some(&b'=') {
            end += 1;
        }
        let mut after = end;
        while matches!(self.s.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        if !matches!(self.s.get(after), None | Some(b',')) {
            return None;
        }
        self.pos = after;
        std::str::from_utf8(&self.s[start..end]).ok().map(str::to_owned)
    }

    /// `#auth-param`; with `stop_at_challenge`, ends before a comma that starts a new
    /// challenge (`token SP`, not `token =`).
    fn params(&mut self, c: &mut HttpAuthenticationParams, stop_at_challenge: bool) -> Result<()> {
        loop {
            self.skip_separators();
            if self.pos >= self.s.len() {
                return Ok(());
            }
            let mark = self.pos;
            let name = self.token().to_owned();
            if name.is_empty() {
                return Err(self.error("expected a parameter name"));
            }
            self.ows();
            if self.peek() != Some(b'=') {
                if stop_at_challenge && !c.params.is_empty() {
                    self.pos = mark;
                    return Ok(());
                }
                return Err(self.error(&format!("parameter `{name}` without `=`")));
            }
            self.pos += 1;
            self.ows();
            let value = if self.peek() == Some(b'"') { self.quoted()? } else { self.token().to_owned() };
            if c.params.len() == MAX_ITEMS {
                return Err(self.error(&format!("more than {MAX_ITEMS} parameters")));
            }
            if c.params.get(&name).is_some() {
                return Err(self.error(&format!("parameter `{name}` given twice")));
            }
            c.params.add(name, value);
            self.ows();
            match self.peek() {
                None => return Ok(()),
                Some(b',') => {}
                Some(_) => return Err(self.error("expected `,` between parameters")),
            }
        }
    }

    fn quoted(&mut self) -> Result<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'"' => {
                    return String::from_utf8(out).map_err(|_| self.error("quoted string is not UTF-8"));
                }
                b'\\' => match self.peek() {
                    Some(e) => {
                        out.push(e);
                        self.pos += 1;
                    }
                    None => break,
                },
                _ => out.push(b),
            }
        }
        self.pos = open;
        Err(self.error("unterminated quoted string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7235_and_rfc7616_shapes() {
        let all = HttpAuthenticationParams::parse_all(
            "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, \
             nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\",\
             Digest realm=\"http-auth@example.org\", algorithm=MD5, nonce=\"abc\", Basic realm=\"x\", Negotiate, NTLM",
        )
        .unwrap();
        let schemes: Vec<_> = all.iter().map(|c| c.scheme()).collect();
        assert_eq!(schemes, ["Digest", "Digest", "Basic", "Negotiate", "NTLM"]);
        assert_eq!(all[0].get("qop"), Some("auth, auth-int"));
        assert_eq!(all[0].get("ALGORITHM"), Some("SHA-256"));
        assert_eq!(all[1].get("algorithm"), Some("MD5"));
        assert!(all[3].params().is_empty() && all[3].token68().is_none());
    }

    #[test]
    fn token68_with_padding_and_bad_input() {
        let c = HttpAuthenticationParams::parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==").unwrap();
        // `Digest realm` is a token68, not a broken parameter.
        assert_eq!(HttpAuthenticationParams::parse("Digest realm").unwrap().token68(), Some("realm"));
        assert_eq!(c.token68(), Some("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        for bad in ["Digest realm=\"open", "Digest a=1 b=2", "=x", "Digest a=1, a=2", "Digest a=\"\\"] {
            assert!(
                HttpAuthenticationParams::parse_all(bad).is_err_and(|e| e.kind() == crate::ErrorKind::Syntax),
                "{bad}"
            );
        }
        let many = format!("Digest {}", (0..100).map(|i| format!("p{i}=1")).collect::<Vec<_>>().join(","));
        assert!(HttpAuthenticationParams::parse(&many).is_err());
    }

    #[test]
    fn display_round_trips() {
        let c = HttpAuthenticationParams::parse(
            r#"Digest realm="a \"b\"", algorithm=MD5, qop=auth, nc=00000001"#,
        )
        .unwrap();
        assert_eq!(c.to_string(), r#"Digest realm="a \"b\"", algorithm=MD5, qop=auth, nc=00000001"#);
        assert_eq!(HttpAuthenticationParams::parse(&c.to_string()).unwrap(), c);
    }
}
