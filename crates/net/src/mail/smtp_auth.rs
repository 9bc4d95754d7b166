//! SMTP AUTH (RFC 4954): the login methods POCO offers and the SASL computations for each
//! (PLAIN RFC 4616, LOGIN, CRAM-MD5 RFC 2195, CRAM-SHA1, XOAUTH2), free of I/O.

use hmac::{Hmac, KeyInit, Mac};
use rpoco_foundation::base64::{self, Base64Options};

/// POCO `SMTPClientSession::LoginMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginMethod {
    /// POCO `AUTH_NONE`: EHLO only.
    None,
    /// POCO `AUTH_CRAM_MD5`.
    CramMd5,
    /// POCO `AUTH_CRAM_SHA1`.
    CramSha1,
    /// POCO `AUTH_LOGIN`.
    Login,
    /// POCO `AUTH_PLAIN`.
    Plain,
    /// POCO `AUTH_XOAUTH2` (the password is the OAuth 2 access token).
    XOauth2,
    /// Not in POCO: the strongest method the server's EHLO offers. Over plain TCP the
    /// challenge-response methods come first (they do not send the password); over TLS,
    /// PLAIN. XOAUTH2 is never chosen (it needs a token, not a password).
    Auto,
}

impl LoginMethod {
    /// The SASL mechanism name.
    pub fn mechanism(self) -> &'static str {
        match self {
            LoginMethod::None | LoginMethod::Auto => "",
            LoginMethod::CramMd5 => "CRAM-MD5",
            LoginMethod::CramSha1 => "CRAM-SHA1",
            LoginMethod::Login => "LOGIN",
            LoginMethod::Plain => "PLAIN",
            LoginMethod::XOauth2 => "XOAUTH2",
        }
    }

    /// The method [`Auto`](Self::Auto) picks from the server's mechanisms.
    pub(crate) fn choose(offered: &[String], secure: bool) -> Option<LoginMethod> {
        let order: &[LoginMethod] = if secure {
            &[LoginMethod::Plain, LoginMethod::Login, LoginMethod::CramSha1, LoginMethod::CramMd5]
        } else {
            &[LoginMethod::CramSha1, LoginMethod::CramMd5, LoginMethod::Plain, LoginMethod::Login]
        };
        order.iter().copied().find(|m| offered.iter().any(|o| o.eq_ignore_ascii_case(m.mechanism())))
    }
}

fn b64(data: &[u8]) -> String {
    base64::encode_with(data, Base64Options::no_line_breaks())
}

/// `AUTH PLAIN` initial response: base64 of NUL user NUL password.
pub(crate) fn plain(user: &str, password: &str) -> String {
    b64(format!("\0{user}\0{password}").as_bytes())
}

/// `AUTH XOAUTH2` initial response.
pub(crate) fn xoauth2(user: &str, token: &str) -> String {
    b64(format!("user={user}\x01auth=Bearer {token}\x01\x01").as_bytes())
}

/// A base64 `AUTH LOGIN` answer.
pub(crate) fn login_item(item: &str) -> String {
    b64(item.as_bytes())
}

/// What a LOGIN prompt asks for: `Some(true)` user name, `Some(false)` password.
pub(crate) fn login_prompt(prompt_b64: &str) -> Option<bool> {
    let prompt = base64::decode(prompt_b64.trim()).ok()?;
    let p = String::from_utf8_lossy(&prompt).to_ascii_lowercase();
    if p.starts_with("username") || p.starts_with("user") || p.starts_with("login") {
        Some(true)
    } else if p.starts_with("password") {
        Some(false)
    } else {
        None
    }
}

/// The CRAM answer to a base64 challenge: base64 of `user hex(HMAC(password, challenge))`.
/// `None` when the challenge is not base64.
pub(crate) fn cram(method: LoginMethod, challenge_b64: &str, user: &str, password: &str) -> Option<String> {
    let challenge = base64::decode(challenge_b64.trim()).ok()?;
    let digest = match method {
        LoginMethod::CramSha1 => {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(password.as_bytes()).ok()?;
            mac.update(&challenge);
            mac.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut mac = Hmac::<md5::Md5>::new_from_slice(password.as_bytes()).ok()?;
            mac.update(&challenge);
            mac.finalize().into_bytes().to_vec()
        }
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Some(b64(format!("{user} {hex}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2195_cram_md5_example() {
        // RFC 2195 section 2: challenge <1896.697170952@postoffice.reston.mci.net>,
        // user tim, secret tanstaaftanstaaf.
        let challenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
        let answer = cram(LoginMethod::CramMd5, challenge, "tim", "tanstaaftanstaaf").unwrap();
        assert_eq!(answer, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
        assert!(cram(LoginMethod::CramSha1, challenge, "tim", "x").is_some());
        assert!(cram(LoginMethod::CramMd5, "!!", "tim", "x").is_none());
    }

    #[test]
    fn initial_responses_and_prompts() {
        assert_eq!(plain("tim", "tanstaaf"), "AHRpbQB0YW5zdGFhZg==");
        assert_eq!(base64::decode(xoauth2("u", "t")).unwrap(), b"user=u\x01auth=Bearer t\x01\x01");
        assert_eq!(login_prompt("VXNlcm5hbWU6"), Some(true));
        assert_eq!(login_prompt("UGFzc3dvcmQ6"), Some(false));
        let offered = vec!["LOGIN".to_owned(), "PLAIN".to_owned(), "CRAM-MD5".to_owned()];
        assert_eq!(LoginMethod::choose(&offered, false), Some(LoginMethod::CramMd5));
        assert_eq!(LoginMethod::choose(&offered, true), Some(LoginMethod::Plain));
        assert_eq!(LoginMethod::choose(&[], true), None);
    }
}
