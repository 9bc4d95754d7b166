//! OpenSSL cipher strings translated into the rustls cipher suites they select.
//!
//! rustls implements nine suites; OpenSSL knows about a hundred. A cipher string is
//! evaluated exactly as OpenSSL evaluates it (`ssl_cipher_apply_rule`: add, `-` delete,
//! `!` kill, `+` move to end, `@STRENGTH`), over the rustls suites only, with each OpenSSL
//! alias (`HIGH`, `aRSA`, `AESGCM`, ...) matching the rustls suites OpenSSL would match.
//! Aliases and suite names that exist in OpenSSL but select nothing rustls has (`RC4`,
//! `3DES`, `AES128-SHA`, ...) are accepted and select nothing; a word that is not OpenSSL
//! vocabulary at all is an error naming it (OpenSSL ignores those silently). The full table
//! is in `docs/ciphers.md`.
//!
//! As in OpenSSL, the cipher list governs TLS 1.2; TLS 1.3 suites come from the separate
//! `cipher_suites` list (all three by default). As an extension, TLS 1.3 names written in
//! the cipher list restrict TLS 1.3 to those suites.

use std::fmt;

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kx {
    Ecdhe,
    /// TLS 1.3 suites do not fix the key exchange.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Au {
    Ecdsa,
    Rsa,
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Enc {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20,
}

/// One suite rustls implements, with the properties OpenSSL's aliases select on.
#[derive(Debug)]
pub(crate) struct Suite {
    /// The IANA code point (as rustls' `CipherSuite` number).
    pub(crate) id: u16,
    pub(crate) openssl: &'static str,
    pub(crate) iana: &'static str,
    pub(crate) tls13: bool,
    kx: Kx,
    au: Au,
    enc: Enc,
}

impl Suite {
    /// Symmetric strength in bits, as OpenSSL's `@STRENGTH` sorts (ChaCha20 counts 256).
    pub(crate) fn bits(&self) -> u16 {
        match self.enc {
            Enc::Aes128Gcm => 128,
            Enc::Aes256Gcm | Enc::Chacha20 => 256,
        }
    }

    fn enc_name(&self) -> String {
        match self.enc {
            Enc::Aes128Gcm => "AESGCM(128)".into(),
            Enc::Aes256Gcm => "AESGCM(256)".into(),
            Enc::Chacha20 => "CHACHA20/POLY1305(256)".into(),
        }
    }
}

const fn s(
    id: u16,
    openssl: &'static str,
    iana: &'static str,
    tls13: bool,
    kx: Kx,
    au: Au,
    enc: Enc,
) -> Suite {
    Suite { id, openssl, iana, tls13, kx, au, enc }
}

/// TLS 1.2 suites in OpenSSL's `ALL` order, then TLS 1.3 suites in OpenSSL's default order.
pub(crate) static SUITES: [Suite; 9] = [
    s(
        0xC02C,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        false,
        Kx::Ecdhe,
        Au::Ecdsa,
        Enc::Aes256Gcm,
    ),
    s(
        0xC030,
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        false,
        Kx::Ecdhe,
        Au::Rsa,
        Enc::Aes256Gcm,
    ),
    s(
        0xCCA9,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        false,
        Kx::Ecdhe,
        Au::Ecdsa,
        Enc::Chacha20,
    ),
    s(
        0xCCA8,
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        false,
        Kx::Ecdhe,
        Au::Rsa,
        Enc::Chacha20,
    ),
    s(
        0xC02B,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        false,
        Kx::Ecdhe,
        Au::Ecdsa,
        Enc::Aes128Gcm,
    ),
    s(
        0xC02F,
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        false,
        Kx::Ecdhe,
        Au::Rsa,
        Enc::Aes128Gcm,
    ),
    s(0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", true, Kx::Any, Au::Any, Enc::Aes256Gcm),
    s(
        0x1303,
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        true,
        Kx::Any,
        Au::Any,
        Enc::Chacha20,
    ),
    s(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", true, Kx::Any, Au::Any, Enc::Aes128Gcm),
];

/// What a cipher string (plus the TLS 1.3 list) selected, in preference order.
#[derive(Clone, Debug)]
pub(crate) struct Selection {
    pub(crate) tls12: Vec<&'static Suite>,
    pub(crate) tls13: Vec<&'static Suite>,
}

/// OpenSSL aliases that select rustls suites, as predicates over a TLS 1.2 suite.
fn alias(word: &str) -> Option<fn(&Suite) -> bool> {
    Some(match word {
        "ALL" | "DEFAULT" | "HIGH" | "TLSv1.2" | "kECDHE" | "kEECDH" | "ECDHE" | "EECDH" | "ECDH" => |_| true,
        "aECDSA" | "ECDSA" => |s| s.au == Au::Ecdsa,
        "aRSA" => |s| s.au == Au::Rsa,
        "AES" | "AESGCM" | "FIPS" => |s| s.enc != Enc::Chacha20,
        "AES128" => |s| s.enc == Enc::Aes128Gcm,
        "AES256" => |s| s.enc == Enc::Aes256Gcm,
        "CHACHA20" => |s| s.enc == Enc::Chacha20,
        _ => return None,
    })
}

/// OpenSSL aliases that exist but select none of the rustls suites.
const EMPTY_ALIASES: &[&str] = &[
    "COMPLEMENTOFALL",
    "COMPLEMENTOFDEFAULT",
    "MEDIUM",
    "LOW",
    "EXP",
    "EXPORT",
    "EXPORT40",
    "EXPORT56",
    "eNULL",
    "NULL",
    "aNULL",
    "ADH",
    "AECDH",
    "MD5",
    "SHA1",
    "SHA",
    "SHA256",
    "SHA384",
    "RC4",
    "RC2",
    "3DES",
    "DES",
    "SEED",
    "IDEA",
    "CAMELLIA",
    "CAMELLIA128",
    "CAMELLIA256",
    "ARIA",
    "ARIA128",
    "ARIA256",
    "ARIAGCM",
    "AESCCM",
    "AESCCM8",
    "kRSA",
    "RSA",
    "DH",
    "kDHE",
    "kEDH",
    "EDH",
    "DHE",
    "kDHr",
    "kDHd",
    "kDH",
    "aDH",
    "aDSS",
    "DSS",
    "PSK",
    "kPSK",
    "kECDHEPSK",
    "kDHEPSK",
    "kRSAPSK",
    "aPSK",
    "SRP",
    "kSRP",
    "aSRP",
    "aECDH",
    "kECDHr",
    "kECDHe",
    "kGOST",
    "aGOST",
    "aGOST01",
    "aGOST12",
    "GOST94",
    "GOST89MAC",
    "GOST12",
    "kGOST18",
    "CBC",
    "SSLv3",
    "TLSv1",
    "TLSv1.0",
    "aGOST94",
    "KRB5",
    "kKRB5",
    "aKRB5",
    "kFZA",
    "aFZA",
    "eFZA",
    "FZA",
];

/// Building blocks of OpenSSL suite names (`DHE-RSA-AES128-SHA`), for recognizing suites that
/// rustls does not implement.
const NAME_PARTS: &[&str] = &[
    "ECDHE",
    "DHE",
    "EDH",
    "ECDH",
    "DH",
    "ADH",
    "AECDH",
    "RSA",
    "ECDSA",
    "DSS",
    "PSK",
    "SRP",
    "AES128",
    "AES256",
    "AES",
    "GCM",
    "CCM",
    "CCM8",
    "SHA",
    "SHA256",
    "SHA384",
    "CHACHA20",
    "POLY1305",
    "CBC3",
    "CBC",
    "DES",
    "RC4",
    "RC2",
    "MD5",
    "NULL",
    "CAMELLIA128",
    "CAMELLIA256",
    "CAMELLIA",
    "ARIA128",
    "ARIA256",
    "SEED",
    "IDEA",
    "EXP",
    "EXP1024",
    "GOST2001",
    "GOST2012",
    "GOST89",
    "GOST94",
    "KUZNYECHIK",
    "MAGMA",
    "OMAC",
    "CTR",
    "CNT",
    "KRB5",
    "ANON",
    "ECCPWD",
];

fn is_openssl_suite_name(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    parts.len() >= 2 && parts.iter().all(|p| NAME_PARTS.contains(p))
}

fn is_iana_suite_name(word: &str) -> bool {
    let is_name = |w: &str| w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    is_name(word)
        && (word.starts_with("TLS_") || word.starts_with("SSL_"))
        && (word.contains("_WITH_") || matches!(word, "TLS_AES_128_CCM_SHA256" | "TLS_AES_128_CCM_8_SHA256"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Delete,
    Kill,
    MoveToEnd,
}

/// OpenSSL replaces a list starting with a Suite B keyword by a fixed list (RFC 6460); the
/// curve and signature restrictions of Suite B are not applied.
fn suite_b(cipher_list: &str) -> Option<&'static str> {
    const P256: &str = "ECDHE-ECDSA-AES128-GCM-SHA256";
    const P384: &str = "ECDHE-ECDSA-AES256-GCM-SHA384";
    let keyword = cipher_list.split([':', ',', ' ', ';']).next()?;
    Some(match keyword {
        "SUITEB128ONLY" => P256,
        "SUITEB128C2" | "SUITEB192" => P384,
        "SUITEB128" => "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
        _ => return None,
    })
}

/// Evaluates an OpenSSL cipher list (TLS 1.2) and a TLS 1.3 `ciphersuites` list.
pub(crate) fn select(cipher_list: &str, tls13_list: &str) -> Result<Selection> {
    let rules = suite_b(cipher_list).unwrap_or(cipher_list);
    let tls12_suites: Vec<&'static Suite> = SUITES.iter().filter(|s| !s.tls13).collect();
    // OpenSSL's linked list: every suite in order, some active, killed ones removed.
    let mut order: Vec<&'static Suite> = tls12_suites.clone();
    let mut active: Vec<u16> = Vec::new();
    let mut tls13_named: Vec<&'static Suite> = Vec::new();

    let bad = |word: &str, why: &str| {
        Error::context(format!("invalid cipher list {cipher_list:?}: {why} {word:?}"))
    };
    for element in rules.split([':', ',', ' ', ';']).filter(|e| !e.is_empty()) {
        if let Some(command) = element.strip_prefix('@') {
            match command {
                "STRENGTH" => {
                    let mut moved: Vec<&'static Suite> =
                        order.iter().copied().filter(|s| active.contains(&s.id)).collect();
                    moved.sort_by_key(|s| std::cmp::Reverse(s.bits()));
                    order.retain(|s| !active.contains(&s.id));
                    order.extend(moved);
                }
                c if c
                    .strip_prefix("SECLEVEL=")
                    .and_then(|n| n.parse::<u8>().ok())
                    .is_some_and(|n| n <= 5) => {}
                _ => return Err(bad(element, "unknown command")),
            }
            continue;
        }
        let (op, words) = match element.as_bytes()[0] {
            b'!' => (Op::Kill, &element[1..]),
            b'-' => (Op::Delete, &element[1..]),
            b'+' => (Op::MoveToEnd, &element[1..]),
            _ => (Op::Add, element),
        };
        // `A+B` selects suites matching every word.
        let mut matches: Vec<&'static Suite> = tls12_suites.clone();
        for word in words.split('+') {
            if word.is_empty() {
                return Err(bad(element, "empty word in"));
            }
            if let Some(pred) = alias(word) {
                matches.retain(|s| pred(s));
            } else if let Some(suite) = SUITES.iter().find(|s| s.openssl == word || s.iana == word) {
                if suite.tls13 {
                    if op == Op::Add && !tls13_named.iter().any(|s| s.id == suite.id) {
                        tls13_named.push(suite);
                    }
                    matches.clear();
                } else {
                    matches.retain(|s| s.id == suite.id);
                }
            } else if EMPTY_ALIASES.contains(&word) || is_openssl_suite_name(word) || is_iana_suite_name(word)
            {
                matches.clear();
            } else {
                return Err(bad(word, "unknown cipher"));
            }
        }
        apply(op, &matches, &mut order, &mut active);
    }

    let tls12: Vec<&'static Suite> = order.into_iter().filter(|s| active.contains(&s.id)).collect();
    let tls13 = if !tls13_list.is_empty() {
        parse_tls13_list(tls13_list)?
    } else if !tls13_named.is_empty() {
        tls13_named.clone()
    } else {
        SUITES.iter().filter(|s| s.tls13).collect()
    };
    if tls12.is_empty() && tls13_named.is_empty() {
        return Err(Error::context(format!(
            "cipher list {cipher_list:?} selects no cipher suite rustls implements \
             (for TLS 1.2 rustls has only ECDHE with AES-GCM or ChaCha20-Poly1305; see docs/ciphers.md)"
        )));
    }
    Ok(Selection { tls12, tls13 })
}

fn apply(op: Op, matches: &[&'static Suite], order: &mut Vec<&'static Suite>, active: &mut Vec<u16>) {
    let hit = |s: &&'static Suite| matches.iter().any(|m| m.id == s.id);
    match op {
        Op::Add => {
            let added: Vec<&'static Suite> =
                order.iter().copied().filter(|s| hit(s) && !active.contains(&s.id)).collect();
            order.retain(|s| !added.iter().any(|a| a.id == s.id));
            active.extend(added.iter().map(|s| s.id));
            order.extend(added);
        }
        Op::Delete => {
            // Deleted suites move to the front, so a later add re-appends them in order.
            let deleted: Vec<&'static Suite> =
                order.iter().copied().filter(|s| hit(s) && active.contains(&s.id)).collect();
            order.retain(|s| !deleted.iter().any(|d| d.id == s.id));
            active.retain(|id| !deleted.iter().any(|d| d.id == *id));
            order.splice(0..0, deleted);
        }
        Op::Kill => {
            order.retain(|s| !hit(s));
            active.retain(|id| !matches.iter().any(|m| m.id == *id));
        }
        Op::MoveToEnd => {
            let moved: Vec<&'static Suite> =
                order.iter().copied().filter(|s| hit(s) && active.contains(&s.id)).collect();
            order.retain(|s| !moved.iter().any(|m| m.id == s.id));
            order.extend(moved);
        }
    }
}

fn parse_tls13_list(list: &str) -> Result<Vec<&'static Suite>> {
    let mut out: Vec<&'static Suite> = Vec::new();
    for name in list.split(':').filter(|n| !n.is_empty()) {
        match SUITES.iter().find(|s| s.tls13 && s.iana == name) {
            Some(suite) if !out.iter().any(|s| s.id == suite.id) => out.push(suite),
            Some(_) => {}
            None if is_iana_suite_name(name) => {}
            None => {
                return Err(Error::context(format!(
                    "invalid TLS 1.3 cipher suite list {list:?}: unknown suite {name:?}"
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(Error::context(format!(
            "TLS 1.3 cipher suite list {list:?} selects no suite rustls implements"
        )));
    }
    Ok(out)
}

/// Which cipher suites a [`Context`](super::Context) kept, in preference order, with their
/// OpenSSL and IANA names: the answer to "what did my cipher list turn into?".
///
/// `Display` prints one line per suite, like `openssl ciphers -v`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherReport {
    /// The cipher list the context was given.
    pub cipher_list: String,
    /// The suites kept, TLS 1.3 first (as OpenSSL lists them).
    pub suites: Vec<CipherInfo>,
}

/// One cipher suite in a [`CipherReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherInfo {
    /// OpenSSL's name, e.g. `ECDHE-RSA-AES128-GCM-SHA256` (TLS 1.3 suites use the IANA name).
    pub openssl_name: &'static str,
    /// The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub iana_name: &'static str,
    /// `"TLSv1.2"` or `"TLSv1.3"`.
    pub protocol: &'static str,
    /// Symmetric key strength in bits.
    pub bits: u16,
    /// The OpenSSL-style description: `Kx=ECDH Au=RSA Enc=AESGCM(128) Mac=AEAD`.
    pub description: String,
}

impl CipherReport {
    pub(crate) fn new(cipher_list: &str, selection: &Selection, tls12_on: bool, tls13_on: bool) -> Self {
        let mut suites = Vec::new();
        let groups = [(tls13_on, &selection.tls13), (tls12_on, &selection.tls12)];
        for suite in groups.iter().filter(|(on, _)| *on).flat_map(|(_, list)| list.iter()) {
            let (kx, au) = match (suite.kx, suite.au) {
                (Kx::Any, _) | (_, Au::Any) => ("any", "any"),
                (Kx::Ecdhe, Au::Rsa) => ("ECDH", "RSA"),
                (Kx::Ecdhe, Au::Ecdsa) => ("ECDH", "ECDSA"),
            };
            suites.push(CipherInfo {
                openssl_name: suite.openssl,
                iana_name: suite.iana,
                protocol: if suite.tls13 { "TLSv1.3" } else { "TLSv1.2" },
                bits: suite.bits(),
                description: format!("Kx={kx} Au={au} Enc={} Mac=AEAD", suite.enc_name()),
            });
        }
        CipherReport { cipher_list: cipher_list.to_string(), suites }
    }
}

impl fmt::Display for CipherReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for suite in &self.suites {
            writeln!(f, "{:<30} {} {}", suite.openssl_name, suite.protocol, suite.description)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &str) -> Vec<&'static str> {
        select(list, "").unwrap().tls12.iter().map(|s| s.openssl).collect()
    }

    #[test]
    fn poco_default_keeps_every_tls12_suite_strongest_first() {
        assert_eq!(
            names("ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH"),
            [
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                "ECDHE-RSA-CHACHA20-POLY1305",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256",
            ]
        );
    }

    #[test]
    fn operators_follow_openssl() {
        assert_eq!(names("aRSA+AES128"), ["ECDHE-RSA-AES128-GCM-SHA256"]);
        assert_eq!(
            names("HIGH:!aRSA:!CHACHA20"),
            ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256"]
        );
        // `-` deletes but allows re-adding (at the end); `!` is permanent.
        assert_eq!(
            names("HIGH:-AES256:AES256:!ECDSA:!CHACHA20"),
            ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"]
        );
        assert_eq!(names("HIGH:!AES256:AES256:!ECDSA:!CHACHA20"), ["ECDHE-RSA-AES128-GCM-SHA256"]);
        // `+` moves matching active suites to the end.
        assert_eq!(
            names("aRSA:+AES256:!CHACHA20"),
            ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"]
        );
        assert_eq!(
            names("ECDHE-RSA-AES128-GCM-SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 RC4-SHA"),
            ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"]
        );
    }

    #[test]
    fn selecting_nothing_or_unknown_words_are_errors() {
        let err = select("RC4:3DES:MEDIUM", "").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::SslContext, "selects no cipher suite: {err}");
        let err = select("HIGH:BOGUS", "").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::SslContext, "{err}");
        // It names the word it does not know.
        assert!(err.message().contains("\"BOGUS\""), "{err}");
        assert!(select("HIGH:@FOO", "").is_err());
        assert!(select("HIGH", "TLS_NOPE").is_err());
        // OpenSSL names of suites rustls lacks are known and select nothing.
        assert_eq!(
            names("DHE-RSA-AES256-GCM-SHA384:AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256"),
            ["ECDHE-ECDSA-AES128-GCM-SHA256"]
        );
    }

    #[test]
    fn tls13_names() {
        let sel = select("TLS_AES_128_GCM_SHA256", "").unwrap();
        assert!(sel.tls12.is_empty());
        assert_eq!(sel.tls13.iter().map(|s| s.iana).collect::<Vec<_>>(), ["TLS_AES_128_GCM_SHA256"]);
        let sel = select("HIGH", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256").unwrap();
        assert_eq!(sel.tls13.len(), 1);
        assert_eq!(select("HIGH", "").unwrap().tls13.len(), 3);
    }

    #[test]
    fn report_lists_what_was_kept() {
        let sel = select("aRSA+AESGCM", "TLS_AES_256_GCM_SHA384").unwrap();
        let report = CipherReport::new("aRSA+AESGCM", &sel, true, true);
        let text = report.to_string();
        assert_eq!(report.suites.len(), 3);
        assert!(text.starts_with("TLS_AES_256_GCM_SHA384"), "{text}");
        assert!(
            text.contains("ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(128) Mac=AEAD"),
            "{text}"
        );
    }
}
