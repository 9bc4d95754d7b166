//! Property tests for `Uri`: text round-trips for component-wise generated references
//! (IPv6 hosts, ports, percent-escapes, relative references), no panic on any input, and
//! resolution checked against a direct transcription of RFC 3986 §5.2's pseudo-code.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use rpoco_foundation::Uri;

fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["http", "https", "ftp", "file", "mailto", "urn", "ws", "ldap", "x-y+z.1"])
            .prop_map(str::to_owned),
        "[a-zA-Z][a-zA-Z0-9+.-]{0,6}",
    ]
}

fn user_info() -> impl Strategy<Value = String> {
    // Escapes of ASCII bytes or of whole UTF-8 sequences: user info must decode to UTF-8.
    "([a-zA-Z0-9._~!$&'()*+,;=:@-]|%[0-7][0-9A-Fa-f]|%C3%A9|é){0,8}"
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "([a-zA-Z0-9._~!$&'()*+,;=-]|%[0-7][0-9A-F]|%C3%BC|ü){0,12}",
        any::<[u8; 4]>().prop_map(|a| Ipv4Addr::from(a).to_string()),
        any::<[u16; 8]>().prop_map(|a| Ipv6Addr::from(a).to_string()),
        any::<[u16; 8]>().prop_map(|a| format!("{}%25eth0", Ipv6Addr::from(a))),
        Just("v1.fe:x".to_owned()),
    ]
}

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(80), Just(443), 1..=65535u16]
}

/// Decoded paths: anything at all, since the path is stored decoded and fully re-encoded.
fn path() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just(String::new()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        "[a-z:%?#@;= +]{1,4}",
        "\\PC{1,4}",
        "[\\x00-\\x1f\\x7f]{1,2}",
    ];
    (any::<bool>(), prop::collection::vec(segment, 0..5)).prop_map(|(rooted, segments)| {
        let path = segments.join("/");
        if rooted { format!("/{path}") } else { path }
    })
}

/// Raw queries: anything but `#` and controls, with valid and invalid escapes and non-ASCII.
fn query() -> impl Strategy<Value = String> {
    "([a-zA-Z0-9&=+/?:@!$'()*,;._~ -]|%[0-9a-fA-F]{2}|%|ü){0,12}"
}

fn fragment() -> impl Strategy<Value = String> {
    "([a-zA-Z0-9&=+/?:@!$'()*,;._~# -]|%[0-9a-fA-F]{2}|€){0,12}"
}

/// A URI reference built component by component, with its authority as text.
fn reference() -> impl Strategy<Value = Uri> {
    let authority = (user_info(), host(), port()).prop_map(|(user_info, host, port)| {
        let mut authority = String::new();
        if !user_info.is_empty() {
            authority = format!("{user_info}@");
        }
        if host.contains(':') {
            authority.push_str(&format!("[{host}]"));
        } else {
            authority.push_str(&host);
        }
        if port != 0 {
            authority.push_str(&format!(":{port}"));
        }
        authority
    });
    let absolute = (scheme(), prop::option::of(authority), path(), query(), fragment()).prop_map(
        |(scheme, authority, mut path, query, fragment)| {
            let authority = authority.unwrap_or_default();
            // After `//` a path is empty or starts with `/` (RFC 3986 §3.3).
            let slashes = !authority.is_empty() || scheme.eq_ignore_ascii_case("file");
            if slashes && !path.is_empty() && !path.starts_with('/') {
                path.insert(0, '/');
            }
            Uri::from_parts(&scheme, &authority, &path, &query, &fragment).unwrap()
        },
    );
    let relative = (path(), query(), fragment())
        .prop_map(|(path, query, fragment)| Uri::from_parts("", "", &path, &query, &fragment).unwrap());
    prop_oneof![absolute, relative]
}

/// What parsing `uri.to_string()` gives back: `uri` itself, except for POCO's rule that a `/`
/// follows `//` when the path is empty but a query or fragment is not, or the path is rootless.
fn after_round_trip(uri: &Uri) -> Uri {
    let mut expected = uri.clone();
    let slashes = !uri.is_relative() && (!uri.authority().is_empty() || uri.scheme() == "file");
    let rest = !uri.path().is_empty() || !uri.raw_query().is_empty() || !uri.raw_fragment().is_empty();
    if slashes && !uri.path().starts_with('/') && rest {
        let encoded = format!("/{}", uri.raw_path());
        expected.set_path(&encoded).unwrap();
    }
    expected
}

/// URI-ish text: mostly delimiters and the characters URIs are made of, some anything.
fn uri_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9:/?#\\[\\]@!$&'()*+,;=%._~ é-]{0,40}",
        "(http|HTTP|file|x|)(:|)(//|/|)([a-z@:\\[\\]0-9.%]{0,12})(/[a-z.%2eE]{0,5}){0,4}(\\?[a-z=&+%]{0,6}|)(#.{0,4}|)",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn generated_references_round_trip(uri in reference()) {
        let text = uri.to_string();
        let back = Uri::parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert_eq!(&back, &after_round_trip(&uri), "text {:?}", text);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn parsed_text_round_trips(text in uri_text()) {
        if let Ok(uri) = Uri::parse(&text) {
            let printed = uri.to_string();
            let back = Uri::parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed:?}: {e}")))?;
            prop_assert_eq!(back, after_round_trip(&uri), "{:?} printed as {:?}", text, printed);
        }
    }

    #[test]
    fn nothing_panics(base in uri_text(), rel in uri_text()) {
        for text in [&base, &rel] {
            if let Ok(mut uri) = Uri::parse(text) {
                let _ = (uri.to_string(), uri.authority(), uri.path_etc(), uri.query(), uri.fragment());
                let _ = (uri.query_parameters(true), uri.query_parameters(false), uri.host_to_ascii());
                let _ = uri.path_segments().count();
                let _ = url::Url::try_from(&uri);
                uri.normalize();
                let _ = uri.to_string();
            }
            let _ = (Uri::decode(text, true), Uri::encode(text, text));
        }
        if let Ok(mut uri) = Uri::parse(&base) {
            let _ = uri.resolve(&rel);
            let _ = uri.to_string();
            if let Ok(rel) = Uri::parse(&rel) {
                let _ = uri.resolve_uri(&rel);
            }
        }
        let mut fixed = Uri::parse("http://a/b/c/d;p?q").unwrap();
        let _ = fixed.resolve(&rel);
        let _ = fixed.to_string();
    }

    #[test]
    fn resolution_matches_rfc_3986_pseudo_code(
        base_path in "(/[a-z.;=]{0,3}){0,4}",
        base_query in "(\\?[a-z]{0,2})?",
        authority in "(//[a-z]{0,2})?",
        rel_path in "/?((\\.|\\.\\.|[a-z;=]{0,2})/){0,5}(\\.|\\.\\.|[a-z;=]{0,2})",
        rel_query in "(\\?[a-z./]{0,3})?",
        rel_fragment in "(#[a-z./]{0,3})?",
    ) {
        let base_text = format!("http://a{base_path}{base_query}");
        let rel_text = format!("{authority}{rel_path}{rel_query}{rel_fragment}");
        let expected = rfc::resolve(&base_text, &rel_text);
        let mut ours = Uri::parse(&base_text).unwrap();
        ours.resolve(&rel_text).unwrap();
        prop_assert_eq!(&ours, &Uri::parse(&expected).unwrap(), "{} + {} = {}, got {}", base_text, rel_text, expected, ours);
        // A reference path resolved against a base with an authority leaves no dot segments.
        if !rel_path.is_empty() {
            prop_assert!(ours.path().split('/').all(|s| s != "." && s != ".."), "{}", ours);
        }
    }
}

/// RFC 3986 §5.2 transcribed literally, on strings (Appendix B for splitting).
mod rfc {
    struct Parts<'a> {
        scheme: Option<&'a str>,
        authority: Option<&'a str>,
        path: &'a str,
        query: Option<&'a str>,
        fragment: Option<&'a str>,
    }

    fn split(s: &str) -> Parts<'_> {
        let (s, fragment) = match s.split_once('#') {
            Some((s, f)) => (s, Some(f)),
            None => (s, None),
        };
        let (s, query) = match s.split_once('?') {
            Some((s, q)) => (s, Some(q)),
            None => (s, None),
        };
        let (scheme, s) = match s.find(':') {
            Some(i) if i > 0 && !s[..i].contains('/') => (Some(&s[..i]), &s[i + 1..]),
            _ => (None, s),
        };
        let (authority, path) = match s.strip_prefix("//") {
            Some(rest) => {
                let end = rest.find('/').unwrap_or(rest.len());
                (Some(&rest[..end]), &rest[end..])
            }
            None => (None, s),
        };
        Parts { scheme, authority, path, query, fragment }
    }

    fn remove_dot_segments(path: &str) -> String {
        let mut input = path.to_owned();
        let mut output = String::new();
        let pop = |output: &mut String| {
            let cut = output.rfind('/').unwrap_or(0);
            output.truncate(cut);
        };
        while !input.is_empty() {
            if input.starts_with("../") {
                input.drain(..3);
            } else if input.starts_with("./") {
                input.drain(..2);
            } else if input.starts_with("/./") {
                input.replace_range(..3, "/");
            } else if input == "/." {
                input = "/".to_owned();
            } else if input.starts_with("/../") {
                input.replace_range(..4, "/");
                pop(&mut output);
            } else if input == "/.." {
                input = "/".to_owned();
                pop(&mut output);
            } else if input == "." || input == ".." {
                input.clear();
            } else {
                let start = usize::from(input.starts_with('/'));
                let end = input[start..].find('/').map_or(input.len(), |i| i + start);
                output.push_str(&input[..end]);
                input.drain(..end);
            }
        }
        output
    }

    pub(super) fn resolve(base: &str, reference: &str) -> String {
        let (b, r) = (split(base), split(reference));
        let (scheme, authority, path, query);
        if r.scheme.is_some() {
            (scheme, authority, path, query) = (r.scheme, r.authority, remove_dot_segments(r.path), r.query);
        } else {
            scheme = b.scheme;
            if r.authority.is_some() {
                (authority, path, query) = (r.authority, remove_dot_segments(r.path), r.query);
            } else {
                authority = b.authority;
                if r.path.is_empty() {
                    path = b.path.to_owned();
                    query = r.query.or(b.query);
                } else {
                    path = if r.path.starts_with('/') {
                        remove_dot_segments(r.path)
                    } else if b.authority.is_some() && b.path.is_empty() {
                        remove_dot_segments(&format!("/{}", r.path))
                    } else {
                        let dir = b.path.rfind('/').map_or("", |i| &b.path[..=i]);
                        remove_dot_segments(&format!("{dir}{}", r.path))
                    };
                    query = r.query;
                }
            }
        }
        let mut t = String::new();
        if let Some(scheme) = scheme {
            t = format!("{scheme}:");
        }
        if let Some(authority) = authority {
            t.push_str(&format!("//{authority}"));
        }
        t.push_str(&path);
        if let Some(query) = query {
            t.push_str(&format!("?{query}"));
        }
        if let Some(fragment) = r.fragment {
            t.push_str(&format!("#{fragment}"));
        }
        t
    }
}
