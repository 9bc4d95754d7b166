//! POCO's own URI test-suite (`Foundation/testsuite/src/URITest.cpp`), ported case by case,
//! plus the behaviours of `Poco::URI` that `poco-api-map.md` lists and that suite does not
//! cover. Where rpoco departs from POCO on purpose (see `docs/porting.md`), the case says so.

use rpoco_foundation::{Error, Uri};

type Result = std::result::Result<(), Error>;

fn uri(s: &str) -> Uri {
    Uri::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

/// Asserts every component of `u`, decoded query and fragment included.
#[track_caller]
#[allow(clippy::too_many_arguments)] // one per component, in POCO's order
fn assert_parts(
    u: &Uri,
    scheme: &str,
    user_info: &str,
    host: &str,
    port: u16,
    path: &str,
    query: &str,
    fragment: &str,
) {
    assert_eq!(u.scheme(), scheme, "scheme of {u}");
    assert_eq!(u.user_info(), user_info, "user info of {u}");
    assert_eq!(u.host(), host, "host of {u}");
    assert_eq!(u.port(), port, "port of {u}");
    assert_eq!(u.path(), path, "path of {u}");
    assert_eq!(u.query().unwrap(), query, "query of {u}");
    assert_eq!(u.fragment().unwrap(), fragment, "fragment of {u}");
}

#[test]
fn construction() -> Result {
    let mut u = Uri::new();
    assert_parts(&u, "", "", "", 0, "", "", "");
    assert!(u.authority().is_empty());

    u.set_scheme("ftp")?;
    assert_eq!((u.scheme(), u.port()), ("ftp", 21));
    u.set_scheme("HTTP")?;
    assert_eq!(u.scheme(), "http");

    u.set_authority("www.appinf.com")?;
    assert_eq!((u.authority().as_str(), u.port()), ("www.appinf.com", 80));
    u.set_authority("user@services.appinf.com:8000")?;
    assert_eq!((u.user_info(), u.host(), u.port()), ("user", "services.appinf.com", 8000));

    u.set_path("/index.html")?;
    assert_eq!(u.path(), "/index.html");
    u.set_path("/file%20with%20spaces.html")?;
    assert_eq!(u.path(), "/file with spaces.html");

    u.set_path_etc("/query.cgi?query=foo")?;
    assert_eq!((u.path(), u.query()?.as_str(), u.fragment()?.as_str()), ("/query.cgi", "query=foo", ""));
    assert_eq!(u.path_etc(), "/query.cgi?query=foo");
    assert_eq!(u.path_and_query(), "/query.cgi?query=foo");

    u.set_path_etc("/query.cgi?query=bar#frag")?;
    assert_eq!((u.path(), u.query()?.as_str(), u.fragment()?.as_str()), ("/query.cgi", "query=bar", "frag"));
    assert_eq!(u.path_etc(), "/query.cgi?query=bar#frag");
    assert_eq!(u.path_and_query(), "/query.cgi?query=bar");

    u.set_query("query=test");
    assert_eq!(u.query()?, "query=test");
    u.set_fragment("result");
    assert_eq!(u.fragment()?, "result");

    let u2 = Uri::from_scheme_path_etc("file", "/home/guenter/foo.bar")?;
    assert_eq!((u2.scheme(), u2.path()), ("file", "/home/guenter/foo.bar"));

    let u3 = Uri::from_scheme_authority_path_etc("http", "www.appinf.com", "/index.html")?;
    assert_eq!((u3.scheme(), u3.authority().as_str(), u3.path()), ("http", "www.appinf.com", "/index.html"));

    let u4 = Uri::from_scheme_authority_path_etc("http", "www.appinf.com:8000", "/index.html")?;
    assert_eq!((u4.authority().as_str(), u4.path()), ("www.appinf.com:8000", "/index.html"));

    let u5 = Uri::from_scheme_authority_path_etc("http", "user@www.appinf.com:8000", "/index.html")?;
    assert_parts(&u5, "http", "user", "www.appinf.com", 8000, "/index.html", "", "");
    assert_eq!(u5.authority(), "user@www.appinf.com:8000");

    // The well-known port is hidden from the authority but still reported by `port()`.
    let u6 = Uri::from_scheme_authority_path_etc("http", "user@www.appinf.com:80", "/index.html")?;
    assert_parts(&u6, "http", "user", "www.appinf.com", 80, "/index.html", "", "");
    assert_eq!(u6.authority(), "user@www.appinf.com");
    assert_eq!(u6.specified_port(), Some(80));

    // `host:` with an empty port: no port given.
    let u7 = Uri::from_scheme_authority_path_etc("http", "user@www.appinf.com:", "/index.html")?;
    assert_parts(&u7, "http", "user", "www.appinf.com", 80, "/index.html", "", "");
    assert_eq!((u7.authority().as_str(), u7.specified_port()), ("user@www.appinf.com", None));

    // The 4-argument constructor is the 5-argument one with an empty fragment.
    let u8 = Uri::from_parts("http", "www.appinf.com", "/index.html", "query=test", "")?;
    assert_parts(&u8, "http", "", "www.appinf.com", 80, "/index.html", "query=test", "");

    let mut u9 = Uri::from_parts("http", "www.appinf.com", "/index.html", "query=test", "fragment")?;
    assert_eq!(u9.authority(), "www.appinf.com");
    assert_eq!(u9.path_etc(), "/index.html?query=test#fragment");
    assert_parts(&u9, "http", "", "www.appinf.com", 80, "/index.html", "query=test", "fragment");
    u9.clear();
    assert_parts(&u9, "", "", "", 0, "", "", "");
    assert!(u9.authority().is_empty() && u9.is_empty());

    let u10 = Uri::from_scheme_authority_path_etc("ldap", "[2001:db8::7]", "/c=GB?objectClass?one")?;
    assert_eq!((u10.scheme(), u10.user_info(), u10.host(), u10.port()), ("ldap", "", "2001:db8::7", 389));
    assert_eq!(u10.authority(), "[2001:db8::7]");
    assert_eq!(u10.path_etc(), "/c=GB?objectClass?one");

    let u11 =
        Uri::from_scheme_authority_path_etc("http", "www.appinf.com", "/index.html?query=test#fragment")?;
    assert_parts(&u11, "http", "", "www.appinf.com", 80, "/index.html", "query=test", "fragment");
    assert_eq!(u11.path_etc(), "/index.html?query=test#fragment");
    Ok(())
}

#[test]
fn parse() {
    let u = uri("http://www.appinf.com");
    assert_parts(&u, "http", "", "www.appinf.com", 80, "", "", "");
    assert!(!u.is_relative());
    assert_parts(&uri("http://www.appinf.com/"), "http", "", "www.appinf.com", 80, "/", "", "");

    let u = uri("ftp://anonymous@ftp.appinf.com/pub/");
    assert_parts(&u, "ftp", "anonymous", "ftp.appinf.com", 21, "/pub/", "", "");
    assert_eq!(u.authority(), "anonymous@ftp.appinf.com");
    assert!(!u.is_relative());

    assert_parts(
        &uri("https://www.appinf.com/index.html#top"),
        "https",
        "",
        "www.appinf.com",
        443,
        "/index.html",
        "",
        "top",
    );
    let u = uri("http://www.appinf.com/search.cgi?keyword=test&scope=all");
    assert_parts(&u, "http", "", "www.appinf.com", 80, "/search.cgi", "keyword=test&scope=all", "");
    let u = uri("http://www.appinf.com/search.cgi?keyword=test&scope=all#result");
    assert_parts(&u, "http", "", "www.appinf.com", 80, "/search.cgi", "keyword=test&scope=all", "result");
    let u = uri("http://www.appinf.com/search.cgi?keyword=test%20encoded&scope=all#result");
    assert_parts(
        &u,
        "http",
        "",
        "www.appinf.com",
        80,
        "/search.cgi",
        "keyword=test encoded&scope=all",
        "result",
    );

    let u = uri("ldap://[2001:db8::7]/c=GB?objectClass?one");
    assert_parts(&u, "ldap", "", "2001:db8::7", 389, "/c=GB", "objectClass?one", "");
    assert_eq!(u.authority(), "[2001:db8::7]");

    let u = uri("mailto:John.Doe@example.com");
    assert_parts(&u, "mailto", "", "", 0, "John.Doe@example.com", "", "");
    assert!(u.authority().is_empty());
    assert_parts(&uri("tel:+1-816-555-1212"), "tel", "", "", 0, "+1-816-555-1212", "", "");

    let u = uri("telnet://192.0.2.16:80");
    assert_parts(&u, "telnet", "", "192.0.2.16", 80, "", "", "");
    assert_eq!(u.authority(), "192.0.2.16:80");

    let u = uri("urn:oasis:names:specification:docbook:dtd:xml:4.1.2");
    assert_parts(&u, "urn", "", "", 0, "oasis:names:specification:docbook:dtd:xml:4.1.2", "", "");

    let u = uri("");
    assert_parts(&u, "", "", "", 0, "", "", "");
    assert!(u.is_empty() && u.authority().is_empty());

    // Relative references.
    for (input, path, query, fragment) in [
        ("/foo/bar", "/foo/bar", "", ""),
        ("./foo/bar", "./foo/bar", "", ""),
        ("../foo/bar", "../foo/bar", "", ""),
        ("index.html", "index.html", "", ""),
        ("index.html#frag", "index.html", "", "frag"),
        ("?query=test", "", "query=test", ""),
        ("?query=test#frag", "", "query=test", "frag"),
        ("#frag", "", "", "frag"),
        ("#", "", "", ""),
        ("./c:/Windows/system32/", "./c:/Windows/system32/", "", ""),
    ] {
        let u = uri(input);
        assert_parts(&u, "", "", "", 0, path, query, fragment);
        assert!(u.is_relative() && u.authority().is_empty(), "{input}");
    }

    let u = uri("file:///a/b/c");
    assert_parts(&u, "file", "", "", 0, "/a/b/c", "", "");
    assert!(u.authority().is_empty() && !u.is_relative());
    let u = uri("file://localhost/a/b/c");
    assert_parts(&u, "file", "", "localhost", 0, "/a/b/c", "", "");
    assert_eq!(u.authority(), "localhost");
    assert_parts(&uri("file:///c:/Windows/system32/"), "file", "", "", 0, "/c:/Windows/system32/", "", "");

    assert_eq!((uri("ws://www.appinf.com/ws").scheme(), uri("ws://www.appinf.com/ws").port()), ("ws", 80));
    assert_eq!(
        (uri("wss://www.appinf.com/ws").scheme(), uri("wss://www.appinf.com/ws").port()),
        ("wss", 443)
    );
}

#[test]
fn to_string() -> Result {
    for s in [
        "http://www.appinf.com",
        "http://www.appinf.com/",
        "ftp://anonymous@ftp.appinf.com/pub/",
        "https://www.appinf.com/index.html#top",
        "http://www.appinf.com/search.cgi?keyword=test&scope=all",
        "http://www.appinf.com/search.cgi?keyword=test&scope=all#result",
        "http://www.appinf.com/search.cgi?keyword=test%20encoded&scope=all#result",
        "ldap://[2001:db8::7]/c=GB?objectClass?one",
        "mailto:John.Doe@example.com",
        "tel:+1-816-555-1212",
        "telnet://192.0.2.16:80",
        "urn:oasis:names:specification:docbook:dtd:xml:4.1.2",
        "",
        "/foo/bar",
        "./foo/bar",
        "../foo/bar",
        "//foo/bar",
        "index.html",
        "index.html#frag",
        "?query=test",
        "?query=test#frag",
        "#frag",
        "file:///a/b/c",
        "file://localhost/a/b/c",
        "file:///c:/Windows/system32/",
        "./c:/Windows/system32/",
    ] {
        assert_eq!(uri(s).to_string(), s);
    }
    assert_eq!(uri("#").to_string(), "");

    let mut u = uri("http://www.appinf.com");
    u.set_raw_query("query=test")?;
    assert_eq!(u.to_string(), "http://www.appinf.com/?query=test");
    Ok(())
}

#[test]
fn compare() {
    let mut u1 = uri("http://www.appinf.com");
    let u2 = uri("HTTP://www.appinf.com:80");
    assert_eq!(u1, u2);
    assert!(u1 == "http://www.appinf.com:");
    assert!(u1 != "http://www.google.com");

    u1 = uri("/foo/bar");
    assert!(u1 == "/foo/bar" && u1 != "/foo/baz");
    u1 = uri("?query");
    assert!(u1 == "?query" && u1 != "?query2");
    u1 = uri("#frag");
    assert!(u1 == "#frag" && u1 != "#frag2");
    u1 = uri("/index.html#frag");
    assert!(u1 == "/index.html#frag" && u1 != "/index.html");
}

#[test]
fn normalize() -> Result {
    for (input, expected) in [
        ("http://www.appinf.com", "http://www.appinf.com"),
        ("http://www.appinf.com/", "http://www.appinf.com/"),
        ("http://www.appinf.com/foo/bar/./index.html", "http://www.appinf.com/foo/bar/index.html"),
        ("http://www.appinf.com/foo/bar/../index.html", "http://www.appinf.com/foo/index.html"),
        ("http://www.appinf.com/foo/./bar/../index.html", "http://www.appinf.com/foo/index.html"),
        ("http://www.appinf.com/foo/bar/../../index.html", "http://www.appinf.com/index.html"),
        ("http://www.appinf.com/foo/bar/../../../index.html", "http://www.appinf.com/index.html"),
        ("http://www.appinf.com/foo/bar/.././../index.html", "http://www.appinf.com/index.html"),
        ("http://www.appinf.com/./foo/bar/index.html", "http://www.appinf.com/foo/bar/index.html"),
        ("http://www.appinf.com/../foo/bar/index.html", "http://www.appinf.com/foo/bar/index.html"),
        ("http://www.appinf.com/../foo/bar/", "http://www.appinf.com/foo/bar/"),
        ("http://www.appinf.com/../foo/../", "http://www.appinf.com/"),
        ("file:///c:/Windows/system32/", "file:///c:/Windows/system32/"),
        // Not in POCO's suite; the map's rule: a relative URI keeps its leading `..`.
        ("../a/./b/../../../c", "../../c"),
    ] {
        let mut u = uri(input);
        u.normalize();
        assert_eq!(u.to_string(), expected, "normalize({input})");
    }
    let mut u = Uri::new();
    u.set_path("c:/windows/system32/")?;
    u.normalize();
    assert_eq!(u.to_string(), "./c:/windows/system32/");
    Ok(())
}

#[test]
fn resolve() -> Result {
    let mut u = uri("http://www.appinf.com");
    u.resolve("/index.html")?;
    assert_eq!(u.to_string(), "http://www.appinf.com/index.html");
    u.resolve("#frag")?;
    assert_eq!(u.to_string(), "http://www.appinf.com/index.html#frag");

    for (base, rel, expected) in [
        ("http://www.appinf.com/html", "../images/foo.gif", "http://www.appinf.com/images/foo.gif"),
        ("http://www.appinf.com/html/", ".", "http://www.appinf.com/html/"),
        ("http://www.appinf.com/html/", "..", "http://www.appinf.com/"),
        ("http://www.appinf.com/html/", "index.html", "http://www.appinf.com/html/index.html"),
        ("http://www.appinf.com/html/", "/index.html", "http://www.appinf.com/index.html"),
        ("/a/b/c/d/e", "./../../f/./g", "/a/b/f/g"),
        ("/a/b/../c/", "../d", "/a/d"),
        ("/a/b/../c/", "../d/", "/a/d/"),
        ("/a/b/c/", "../../../../d/", "/d/"),
        // Paths are decoded, so `%2e%2e` is `..`.
        ("/a/b/c/", "%2e%2e/%2e%2e/%2e%2e/../d/", "/d/"),
        ("/a/b/c/", "", "/a/b/c/"),
        ("/a/b/c/", "/d/", "/d/"),
        ("/a/b/c", "", "/a/b/c"),
        ("/a/b/c", "?query=test", "/a/b/c?query=test"),
        ("/a/b/c", "#frag", "/a/b/c#frag"),
        ("http://www.appinf.com/html/", "http://www.google.com/", "http://www.google.com/"),
        // Not in POCO's suite: the fragment is always replaced, the query only if given.
        ("http://a/b?q#f", "", "http://a/b?q"),
        ("http://a/b?q#f", "#", "http://a/b?q"),
        ("http://a/b?q#f", "c#g", "http://a/c#g"),
        // rpoco departs here: RFC 3986 makes `//g` a network-path reference (POCO: a path,
        // giving `http://a/g`).
        ("http://a/b/c/d;p?q", "//g", "http://g"),
    ] {
        let mut u = uri(base);
        u.resolve(rel)?;
        assert_eq!(u.to_string(), expected, "{base} + {rel}");
    }

    let base = uri("http://www.appinf.com/");
    assert_eq!(Uri::resolve_from(&base, "index.html")?.to_string(), "http://www.appinf.com/index.html");
    let base = uri("index.html");
    assert_eq!(Uri::resolve_from(&base, "search.html")?.to_string(), "search.html");

    // POCO's `resolve(const URI&)`.
    let mut u = uri("http://www.appinf.com/html/");
    u.resolve_uri(&uri("../img/a.png"))?;
    assert_eq!(u.to_string(), "http://www.appinf.com/img/a.png");
    u.resolve_uri(&uri("//cdn.example/x.js"))?;
    assert_eq!(u.to_string(), "http://cdn.example/x.js");
    Ok(())
}

#[test]
fn swap() {
    let mut u1 = uri("http://www.appinf.com/search.cgi?keyword=test%20encoded&scope=all#result");
    let mut u2 = uri("mailto:John.Doe@example.com");
    std::mem::swap(&mut u1, &mut u2);
    assert_eq!(u1.to_string(), "mailto:John.Doe@example.com");
    assert_eq!(u2.to_string(), "http://www.appinf.com/search.cgi?keyword=test%20encoded&scope=all#result");
}

#[test]
fn other() -> Result {
    // The search string is "hello%world"; the fragment is kept raw (POCO 1.12+).
    let mut u = uri("http://google.com/search?q=hello%25world#frag%20ment");
    assert_eq!((u.host(), u.path()), ("google.com", "/search"));
    assert_eq!((u.query()?.as_str(), u.raw_query()), ("q=hello%world", "q=hello%25world"));
    assert_eq!((u.fragment()?.as_str(), u.raw_fragment()), ("frag ment", "frag%20ment"));
    assert_eq!(u.to_string(), "http://google.com/search?q=hello%25world#frag%20ment");
    assert_eq!(u.path_etc(), "/search?q=hello%25world#frag%20ment");

    u.set_query("q=foo&bar");
    assert_eq!((u.query()?.as_str(), u.raw_query()), ("q=foo&bar", "q=foo&bar"));
    assert_eq!(u.to_string(), "http://google.com/search?q=foo&bar#frag%20ment");
    assert_eq!(u.path_etc(), "/search?q=foo&bar#frag%20ment");

    u.set_query("q=foo/bar");
    assert_eq!((u.query()?.as_str(), u.raw_query()), ("q=foo/bar", "q=foo%2Fbar"));
    assert_eq!(u.to_string(), "http://google.com/search?q=foo%2Fbar#frag%20ment");
    assert_eq!(u.path_etc(), "/search?q=foo%2Fbar#frag%20ment");

    u.set_query("q=goodbye cruel world");
    assert_eq!((u.query()?.as_str(), u.raw_query()), ("q=goodbye cruel world", "q=goodbye%20cruel%20world"));
    assert_eq!(u.to_string(), "http://google.com/search?q=goodbye%20cruel%20world#frag%20ment");

    u.set_raw_query("q=pony%7eride")?;
    assert_eq!((u.query()?.as_str(), u.raw_query()), ("q=pony~ride", "q=pony%7eride"));
    assert_eq!(u.to_string(), "http://google.com/search?q=pony%7eride#frag%20ment");
    assert_eq!(u.path_etc(), "/search?q=pony%7eride#frag%20ment");

    u.add_query_parameter("pa=ra&m1", "");
    assert_eq!(u.raw_query(), "q=pony%7eride&pa%3Dra%26m1=");
    assert_eq!(u.query()?, "q=pony~ride&pa=ra&m1=");
    u.add_query_parameter("pa=ra&m2", "val&ue");
    assert_eq!(u.raw_query(), "q=pony%7eride&pa%3Dra%26m1=&pa%3Dra%26m2=val%26ue");
    assert_eq!(u.query()?, "q=pony~ride&pa=ra&m1=&pa=ra&m2=val&ue");

    let mut u = uri("http://google.com/search?q=hello+world#frag%20ment");
    assert_eq!((u.host(), u.path()), ("google.com", "/search"));
    assert_eq!((u.query()?.as_str(), u.raw_query()), ("q=hello+world", "q=hello+world"));
    assert_eq!(u.fragment()?, "frag ment");
    assert_eq!(u.to_string(), "http://google.com/search?q=hello+world#frag%20ment");
    assert_eq!(u.path_etc(), "/search?q=hello+world#frag%20ment");

    // Fragment setters (POCO 1.12+): `set_fragment` encodes with an empty reserved set, so a
    // `#` stays; `set_raw_fragment` stores verbatim.
    u.set_fragment("foo#bar baz");
    assert_eq!((u.raw_fragment(), u.fragment()?.as_str()), ("foo#bar%20baz", "foo#bar baz"));
    u.set_raw_fragment("foo%2Fbar")?;
    assert_eq!((u.raw_fragment(), u.fragment()?.as_str()), ("foo%2Fbar", "foo/bar"));
    Ok(())
}

#[test]
fn encode_decode() -> Result {
    let s = "http://google.com/search?q=hello+world#frag ment";
    assert_eq!(Uri::encode(s, "+#?"), "http://google.com/search%3Fq=hello%2Bworld%23frag%20ment");
    assert_eq!(Uri::encode(s, ""), "http://google.com/search?q=hello+world#frag%20ment");
    assert_eq!(
        Uri::decode("http://google.com/search?q=hello+world#frag%20ment", true)?,
        "http://google.com/search?q=hello world#frag ment"
    );
    assert_eq!(
        Uri::decode("http://google.com/search?q=hello%2Bworld#frag%20ment", false)?,
        "http://google.com/search?q=hello+world#frag ment"
    );
    // The map: `+` is a space only after a `?`; hex digits in either case; bad escapes fail.
    assert_eq!(Uri::decode("a+b?c+d", true)?, "a+b?c d");
    assert_eq!(Uri::decode("%7e%7E", false)?, "~~");
    for bad in ["%", "%4", "%4g", "%g4", "100%"] {
        assert!(matches!(Uri::decode(bad, false), Err(Error::UriSyntax { .. })), "{bad}");
    }
    // Divergence: decoded bytes must be UTF-8 (POCO strings are bytes).
    assert!(Uri::decode("%C3%28", false).is_err());
    // ILLEGAL and controls are always encoded, in upper-case hex.
    assert_eq!(Uri::encode("<a b>!*'()$,[]\u{7f}é", ""), "%3Ca%20b%3E%21%2A%27%28%29%24%2C%5B%5D%7F%C3%A9");
    Ok(())
}

// POCO's `testFromPath` (`URI(const Path&)`) is not ported: rpoco has no `Poco::Path`.

#[test]
fn query_parameters() -> Result {
    let mut u = uri("http://google.com/search?q=hello+world&client=safari");
    let params = u.query_parameters(true)?;
    assert_eq!(params, [("q".to_owned(), "hello world".to_owned()), ("client".into(), "safari".into())]);
    u.set_query_parameters(params.clone());
    assert_eq!(u.to_string(), "http://google.com/search?q=hello%20world&client=safari");

    u = uri("http://google.com/search?q=&client&");
    let mut params = u.query_parameters(true)?;
    assert_eq!(params, [("q".to_owned(), String::new()), ("client".into(), String::new())]);
    u.set_query_parameters(params.clone());
    assert_eq!(u.to_string(), "http://google.com/search?q=&client=");

    params[0].1 = "foo/bar?".into();
    u.set_query_parameters(params.clone());
    assert_eq!(u.to_string(), "http://google.com/search?q=foo%2Fbar%3F&client=");
    params[0].1 = "foo&bar".into();
    u.set_query_parameters(params.clone());
    assert_eq!(u.to_string(), "http://google.com/search?q=foo%26bar&client=");

    // POCO 1.12+: `getQueryParameters(false)` keeps `+`; `+` turns into a space before
    // decoding, so `%2B` is a literal plus either way.
    let u = uri("http://x/?a+b=c+d%2B&e");
    assert_eq!(u.query_parameters(false)?, [("a+b".to_owned(), "c+d+".to_owned()), ("e".into(), "".into())]);
    assert_eq!(u.query_parameters(true)?, [("a b".to_owned(), "c d+".to_owned()), ("e".into(), "".into())]);
    assert!(uri("http://x/?a=%zz").query_parameters(true).is_err());
    Ok(())
}

/// The map's "keep exactly" rules that POCO's suite does not spell out.
#[test]
fn api_map_rules() -> Result {
    // `host:port` without a scheme is a scheme and a path; `//` without a scheme is a path.
    let u = uri("localhost:8080");
    assert_parts(&u, "localhost", "", "", 0, "8080", "", "");
    assert_eq!(u.to_string(), "localhost:8080");
    let u = uri("//foo/bar");
    assert_eq!((u.host(), u.path()), ("", "//foo/bar"));

    // `x:` at the end is an error naming the scheme.
    assert!(matches!(Uri::parse("http:"), Err(Error::UriSyntax { component: "scheme", .. })));

    // The path is stored decoded and re-encoded: `/a%2Fb` is `/a/b`, `%7e` is `~`.
    let u = uri("http://x/a%2Fb/%7e");
    assert_eq!(u.path(), "/a/b/~");
    assert_eq!(u.to_string(), "http://x/a/b/~");
    assert_eq!(u.raw_path(), "/a/b/~");

    // The host is lower-cased unless it starts with `%`.
    assert_eq!(uri("http://WWW.Example.COM/").host(), "www.example.com");
    assert_eq!(uri("http://%41Bc/").host(), "%41Bc");
    assert_eq!(uri("http://[2001:DB8::A]/").host(), "2001:db8::a");

    // Ports: the table, hidden in the authority when well-known, compared by effective port.
    for (scheme, port) in [
        ("ftp", 21),
        ("ssh", 22),
        ("telnet", 23),
        ("smtp", 25),
        ("dns", 53),
        ("http", 80),
        ("ws", 80),
        ("nntp", 119),
        ("imap", 143),
        ("ldap", 389),
        ("https", 443),
        ("wss", 443),
        ("smtps", 465),
        ("rtsp", 554),
        ("ldaps", 636),
        ("dnss", 853),
        ("imaps", 993),
        ("sip", 5060),
        ("sips", 5061),
        ("xmpp", 5222),
        ("gopher", 0),
    ] {
        let u = uri(&format!("{scheme}://h/"));
        assert_eq!((u.port(), u.specified_port()), (port, None), "{scheme}");
        if port != 0 {
            assert_eq!(uri(&format!("{scheme}://h:{port}/")).authority(), "h");
            assert_eq!(uri(&format!("{scheme}://h:{port}/")), u);
        }
    }
    assert_eq!(uri("https://h:80/").authority(), "h:80");
    assert_ne!(uri("https://h:80/"), uri("https://h/"));

    // Invalid ports, hosts and escapes are typed errors naming the part and the text.
    for (input, component, text) in [
        ("http://h:0/", "port", "\"0\""),
        ("http://h:65536/", "port", "\"65536\""),
        ("http://h:http/", "port", "\"http\""),
        ("http://[::1/", "host", "\"[::1\""),
        ("http://a b/", "host", "' '"),
        ("http://h/%4", "path", "\"%4\""),
        ("http://h/%ZZ", "path", "\"%ZZ\""),
    ] {
        match Uri::parse(input) {
            Err(e @ Error::UriSyntax { .. }) => {
                assert!(matches!(e, Error::UriSyntax { component: c, .. } if c == component), "{input}: {e}");
                assert!(e.to_string().contains(text), "{input}: {e} should quote {text}");
                assert_eq!(e.poco_class(), "URISyntaxException");
            }
            other => panic!("{input}: expected a syntax error, got {other:?}"),
        }
    }

    // `set_query` reserves `?#/:;+@`; `&` and `=` pass.
    let mut u = uri("http://x/");
    u.set_query("a=b&c=?#/:;+@");
    assert_eq!(u.raw_query(), "a=b&c=%3F%23%2F%3A%3B%2B%40");
    // Parameters reserve `&` and `=` too, always write `name=`, and encode space as `%20`.
    u.set_query_parameters([("a b", "c=d"), ("e", "")]);
    assert_eq!(u.raw_query(), "a%20b=c%3Dd&e=");

    // `path_and_query` keeps an empty path empty; `path_etc` adds the raw fragment.
    let u = uri("http://x?q#f");
    assert_eq!((u.path_and_query().as_str(), u.path_etc().as_str()), ("?q", "?q#f"));
    assert_eq!(u.to_string(), "http://x/?q#f");
    // The 5-argument constructor stores the path verbatim (as decoded text).
    let u = Uri::from_parts("http", "x", "/100%", "", "")?;
    assert_eq!((u.path(), u.raw_path().as_str()), ("/100%", "/100%25"));
    Ok(())
}
