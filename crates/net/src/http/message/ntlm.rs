//! NTLM (MS-NLMP) for HTTP: [`NtlmCredentials`] builds and parses the three messages
//! (sans-IO, bytes in and out) with NTLMv2 responses; [`HttpNtlmCredentials`] (POCO
//! `HTTPNTLMCredentials`) runs the handshake over `Authorization: NTLM`.
//!
//! NTLM authenticates a connection, not a request: the negotiate, challenge and authenticate
//! messages must travel on one keep-alive connection.

use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest, Md4};
use md5::Md5;

use super::auth_params::HttpAuthenticationParams;
use super::message::HttpMessage;
use super::request::HttpRequest;
use super::response::HttpResponse;
use crate::error::{Error, ErrorKind, Result};

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
/// Challenge messages larger than this are refused (a real one is a few hundred bytes).
const MAX_MESSAGE: usize = 64 * 1024;

/// The NTLM negotiate flags rpoco uses (MS-NLMP §2.2.2.5; POCO `NTLM_FLAG_*`).
mod flags {
    /// Strings are UTF-16LE.
    pub(super) const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
    /// Strings are OEM (ASCII here).
    pub(super) const NEGOTIATE_OEM: u32 = 0x0000_0002;
    /// The server should send its target name.
    pub(super) const REQUEST_TARGET: u32 = 0x0000_0004;
    /// NTLM authentication.
    pub(super) const NEGOTIATE_NTLM: u32 = 0x0000_0200;
    /// Always sign.
    pub(super) const NEGOTIATE_ALWAYS_SIGN: u32 = 0x0000_8000;
    /// Extended session security (NTLM2 key).
    pub(super) const NEGOTIATE_EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
    /// The challenge carries target info (AV pairs).
    pub(super) const NEGOTIATE_TARGET_INFO: u32 = 0x0080_0000;
    /// 128-bit keys.
    pub(super) const NEGOTIATE_128: u32 = 0x2000_0000;
    /// 56-bit keys.
    pub(super) const NEGOTIATE_56: u32 = 0x8000_0000;
}

/// The flags rpoco sends in its negotiate message.
const DEFAULT_FLAGS: u32 = flags::NEGOTIATE_UNICODE
    | flags::NEGOTIATE_OEM
    | flags::REQUEST_TARGET
    | flags::NEGOTIATE_NTLM
    | flags::NEGOTIATE_ALWAYS_SIGN
    | flags::NEGOTIATE_EXTENDED_SESSIONSECURITY
    | flags::NEGOTIATE_128
    | flags::NEGOTIATE_56;

/// A parsed challenge (type 2) message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtlmChallenge {
    /// The server's flags.
    pub flags: u32,
    /// The 8-byte server challenge.
    pub challenge: [u8; 8],
    /// The target (domain or server) name, decoded.
    pub target: String,
    /// The raw target info (AV pairs), echoed in the NTLMv2 response.
    pub target_info: Vec<u8>,
}

impl NtlmChallenge {
    /// The `MsvAvTimestamp` from the target info, if the server sent one.
    pub fn timestamp(&self) -> Option<u64> {
        let mut rest = &self.target_info[..];
        while rest.len() >= 4 {
            let id = u16::from_le_bytes([rest[0], rest[1]]);
            let len = u16::from_le_bytes([rest[2], rest[3]]) as usize;
            let value = rest.get(4..4 + len)?;
            if id == 0 {
                return None;
            }
            if id == 7 && len == 8 {
                return value.try_into().ok().map(u64::from_le_bytes);
            }
            rest = &rest[4 + len..];
        }
        None
    }
}

/// POCO `NTLMCredentials`: the NTLM message formats and NTLMv2 computations, as functions.
#[derive(Debug, Clone, Copy)]
pub struct NtlmCredentials;

type HmacMd5 = Hmac<Md5>;

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let mut mac = <HmacMd5 as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

impl NtlmCredentials {
    /// The flags rpoco's negotiate message sends: Unicode and OEM strings, request target,
    /// NTLM, always sign, extended session security, 128- and 56-bit.
    pub const DEFAULT_FLAGS: u32 = DEFAULT_FLAGS;

    /// NTOWFv2 (MS-NLMP §3.3.2): HMAC-MD5 keyed with MD4(UTF-16LE(password)) over
    /// UTF-16LE(uppercase(user) + domain).
    pub fn create_ntlmv2_hash(username: &str, domain: &str, password: &str) -> [u8; 16] {
        let nt_hash = Md4::digest(utf16le(password));
        hmac_md5(&nt_hash, &[&utf16le(&(username.to_uppercase() + domain))])
    }

    /// The LMv2 response: HMAC-MD5(hash, server challenge + client nonce) + client nonce.
    pub fn create_lmv2_response(ntlm2_hash: &[u8; 16], challenge: &[u8; 8], nonce: &[u8; 8]) -> Vec<u8> {
        let mut out = hmac_md5(ntlm2_hash, &[challenge, nonce]).to_vec();
        out.extend_from_slice(nonce);
        out
    }

    /// The NTLMv2 response: NTProofStr + the client blob (version, `timestamp` as a Windows
    /// FILETIME, nonce, target info).
    pub fn create_ntlmv2_response(
        ntlm2_hash: &[u8; 16],
        challenge: &[u8; 8],
        nonce: &[u8; 8],
        target_info: &[u8],
        timestamp: u64,
    ) -> Vec<u8> {
        let mut blob = vec![1u8, 1, 0, 0, 0, 0, 0, 0];
        blob.extend_from_slice(&timestamp.to_le_bytes());
        blob.extend_from_slice(nonce);
        blob.extend_from_slice(&[0; 4]);
        blob.extend_from_slice(target_info);
        blob.extend_from_slice(&[0; 4]);
        let proof = hmac_md5(ntlm2_hash, &[challenge, &blob]);
        let mut out = proof.to_vec();
        out.extend(blob);
        out
    }

    /// An 8-byte random client nonce.
    pub fn create_nonce() -> [u8; 8] {
        let mut n = [0u8; 8];
        if getrandom::fill(&mut n).is_err() {
            n = rpoco_foundation::hex::decode(crate::http::random_hex(8))
                .ok()
                .and_then(|v| v.try_into().ok())
                .unwrap_or(n);
        }
        n
    }

    /// Now as a Windows FILETIME (100 ns since 1601-01-01).
    pub fn timestamp() -> u64 {
        let since_unix =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        (since_unix.as_nanos() / 100) as u64 + 116_444_736_000_000_000
    }

    /// The negotiate (type 1) message with `flags` (no domain or workstation).
    pub fn format_negotiate_message(flags: u32) -> Vec<u8> {
        let mut m = SIGNATURE.to_vec();
        m.extend_from_slice(&1u32.to_le_bytes());
        m.extend_from_slice(&flags.to_le_bytes());
        m.extend_from_slice(&[0; 16]);
        m
    }

    /// Parses a challenge (type 2) message; every field is bounds-checked.
    pub fn parse_challenge_message(m: &[u8]) -> Result<NtlmChallenge> {
        let bad = |what: &str| {
            Error::new(ErrorKind::NotAuthenticated, format!("bad NTLM challenge message: {what}"))
        };
        if m.len() > MAX_MESSAGE {
            return Err(bad(&format!("longer than {MAX_MESSAGE} bytes")));
        }
        if m.len() < 32 || &m[..8] != SIGNATURE {
            return Err(bad("no NTLMSSP signature"));
        }
        if u32::from_le_bytes([m[8], m[9], m[10], m[11]]) != 2 {
            return Err(bad("not a type 2 message"));
        }
        let field = |at: usize| -> Result<&[u8]> {
            if m.len() < at + 8 {
                return Ok(&[]);
            }
            let len = u16::from_le_bytes([m[at], m[at + 1]]) as usize;
            let off = u32::from_le_bytes([m[at + 4], m[at + 5], m[at + 6], m[at + 7]]) as usize;
            m.get(off..off.saturating_add(len)).ok_or_else(|| bad("a field points outside the message"))
        };
        let flags = u32::from_le_bytes([m[20], m[21], m[22], m[23]]);
        let mut challenge = [0u8; 8];
        challenge.copy_from_slice(&m[24..32]);
        let raw_target = field(12)?;
        let target = if flags & flags::NEGOTIATE_UNICODE != 0 {
            let units: Vec<u16> =
                raw_target.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        } else {
            String::from_utf8_lossy(raw_target).into_owned()
        };
        let target_info = if flags & flags::NEGOTIATE_TARGET_INFO != 0 && m.len() >= 48 {
            field(40)?.to_vec()
        } else {
            Vec::new()
        };
        Ok(NtlmChallenge { flags, challenge, target, target_info })
    }

    /// The authenticate (type 3) message answering `challenge` for `domain\username`, with an
    /// NTLMv2 response (`nonce` and `timestamp` given so the result can be checked).
    pub fn format_authenticate_message(
        challenge: &NtlmChallenge,
        domain: &str,
        username: &str,
        password: &str,
        workstation: &str,
        nonce: &[u8; 8],
        timestamp: u64,
    ) -> Vec<u8> {
        let hash = Self::create_ntlmv2_hash(username, domain, password);
        let server_time = challenge.timestamp();
        let nt = Self::create_ntlmv2_response(
            &hash,
            &challenge.challenge,
            nonce,
            &challenge.target_info,
            server_time.unwrap_or(timestamp),
        );
        // With a server timestamp the LMv2 response is zeros (MS-NLMP §3.1.5.1.2).
        let lm = if server_time.is_some() {
            vec![0; 24]
        } else {
            Self::create_lmv2_response(&hash, &challenge.challenge, nonce)
        };
        let unicode = challenge.flags & flags::NEGOTIATE_UNICODE != 0;
        let enc = |s: &str| if unicode { utf16le(s) } else { s.as_bytes().to_vec() };
        let flags = (challenge.flags & DEFAULT_FLAGS & !flags::NEGOTIATE_OEM)
            | flags::NEGOTIATE_NTLM
            | if unicode { flags::NEGOTIATE_UNICODE } else { flags::NEGOTIATE_OEM };
        let fields: [Vec<u8>; 6] = [lm, nt, enc(domain), enc(username), enc(workstation), Vec::new()];
        let mut head = SIGNATURE.to_vec();
        head.extend_from_slice(&3u32.to_le_bytes());
        let mut payload = Vec::new();
        let base = 64usize;
        for f in &fields {
            let len = f.len() as u16;
            head.extend_from_slice(&len.to_le_bytes());
            head.extend_from_slice(&len.to_le_bytes());
            head.extend_from_slice(&((base + payload.len()) as u32).to_le_bytes());
            payload.extend_from_slice(f);
        }
        head.extend_from_slice(&flags.to_le_bytes());
        head.extend(payload);
        head
    }
}

/// Where an [`HttpNtlmCredentials`] handshake is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Step {
    #[default]
    Start,
    NegotiateSent,
    Answered,
}

/// POCO `HTTPNTLMCredentials`: answers `WWW-Authenticate: NTLM` (or `Proxy-Authenticate`).
///
/// The first `401` (bare `NTLM`) gets the negotiate message; the second (`NTLM <challenge>`)
/// gets the authenticate message. Send both retries on the same keep-alive connection. A user
/// name of the form `DOMAIN\user` sets the domain; otherwise the challenge's target is used.
#[derive(Clone, Default)]
pub struct HttpNtlmCredentials {
    username: String,
    password: String,
    domain: Option<String>,
    workstation: String,
    step: Step,
}

impl std::fmt::Debug for HttpNtlmCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpNtlmCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

impl HttpNtlmCredentials {
    /// Credentials for `username` (optionally `DOMAIN\user`) and `password`.
    pub fn new(username: &str, password: &str) -> Self {
        let (domain, user) = match username.split_once('\\') {
            Some((d, u)) => (Some(d.to_owned()), u.to_owned()),
            None => (None, username.to_owned()),
        };
        HttpNtlmCredentials { username: user, password: password.to_owned(), domain, ..Default::default() }
    }

    /// The user name (without the domain).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Sets the workstation name sent in the authenticate message (default empty).
    pub fn set_workstation(&mut self, name: &str) {
        self.workstation = name.to_owned();
    }

    /// Whether the authenticate message was sent (the handshake is done on our side).
    pub fn is_answered(&self) -> bool {
        self.step == Step::Answered
    }

    /// Starts over (a new connection needs a new handshake).
    pub fn reset(&mut self) {
        self.step = Step::Start;
    }

    /// Answers the `WWW-Authenticate: NTLM` step in `response`.
    pub fn authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        self.answer(request, response, HttpAuthenticationParams::WWW_AUTHENTICATE, "Authorization")
    }

    /// Answers the `Proxy-Authenticate: NTLM` step in `response`.
    pub fn proxy_authenticate(&mut self, request: &mut HttpRequest, response: &HttpResponse) -> Result<()> {
        self.answer(request, response, HttpAuthenticationParams::PROXY_AUTHENTICATE, "Proxy-Authorization")
    }

    fn answer(
        &mut self,
        request: &mut HttpRequest,
        response: &HttpResponse,
        from: &str,
        to: &str,
    ) -> Result<()> {
        let c = HttpAuthenticationParams::from_response(response, from, "NTLM")?;
        let value = match c.token68() {
            None if self.step == Step::Start => {
                self.step = Step::NegotiateSent;
                rpoco_foundation::base64::encode_with(
                    &NtlmCredentials::format_negotiate_message(DEFAULT_FLAGS),
                    no_breaks(),
                )
            }
            None => return Err(Error::new(ErrorKind::NotAuthenticated, "NTLM authentication was refused")),
            Some(_) if self.step == Step::Answered => {
                return Err(Error::new(
                    ErrorKind::NotAuthenticated,
                    "NTLM: a second challenge after the answer",
                ));
            }
            Some(token) => {
                let raw = rpoco_foundation::base64::decode(token)?;
                let ch = NtlmCredentials::parse_challenge_message(&raw)?;
                let domain = self.domain.clone().unwrap_or_else(|| ch.target.clone());
                let msg = NtlmCredentials::format_authenticate_message(
                    &ch,
                    &domain,
                    &self.username,
                    &self.password,
                    &self.workstation,
                    &NtlmCredentials::create_nonce(),
                    NtlmCredentials::timestamp(),
                );
                self.step = Step::Answered;
                rpoco_foundation::base64::encode_with(&msg, no_breaks())
            }
        };
        request.set(to, &format!("NTLM {value}"));
        Ok(())
    }
}

fn no_breaks() -> rpoco_foundation::base64::Base64Options {
    rpoco_foundation::base64::Base64Options::no_line_breaks()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// MS-NLMP §4.2.4 (NTLMv2 authentication) test vectors.
    #[test]
    fn ms_nlmp_4_2_4_vectors() {
        let hash = NtlmCredentials::create_ntlmv2_hash("User", "Domain", "Password");
        assert_eq!(hex(&hash), "0c868a403bfd7a93a3001ef22ef02e3f");
        let server = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
        let client = [0xaa; 8];
        let lm = NtlmCredentials::create_lmv2_response(&hash, &server, &client);
        assert_eq!(hex(&lm), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
        let mut info = vec![0x02, 0x00, 0x0c, 0x00];
        info.extend(utf16le("Domain"));
        info.extend([0x01, 0x00, 0x0c, 0x00]);
        info.extend(utf16le("Server"));
        info.extend([0, 0, 0, 0]);
        let nt = NtlmCredentials::create_ntlmv2_response(&hash, &server, &client, &info, 0);
        assert_eq!(hex(&nt[..16]), "68cd0ab851e51c96aabc927bebef6a1c");
    }

    #[test]
    fn challenge_parsing_is_bounds_checked() {
        let mut m = SIGNATURE.to_vec();
        m.extend(2u32.to_le_bytes());
        m.extend([12, 0, 12, 0, 0xff, 0xff, 0, 0]); // target points far outside
        m.extend(DEFAULT_FLAGS.to_le_bytes());
        m.extend([1; 8]);
        assert!(NtlmCredentials::parse_challenge_message(&m).is_err());
        assert!(NtlmCredentials::parse_challenge_message(b"NTLMSSP\0").is_err());
        assert!(
            NtlmCredentials::parse_challenge_message(&NtlmCredentials::format_negotiate_message(0)).is_err()
        );
    }
}
