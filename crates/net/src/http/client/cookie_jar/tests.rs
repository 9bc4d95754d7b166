use super::*;

fn u(s: &str) -> Uri {
    Uri::parse(s).unwrap()
}

#[test]
fn domain_and_host_only_rules() {
    let jar = HttpCookieJar::new();
    let from = u("http://www.example.com/");
    assert!(jar.store_set_cookie(&from, "host=1"));
    assert!(jar.store_set_cookie(&from, "dom=2; Domain=.Example.COM"));
    assert!(!jar.store_set_cookie(&from, "other=3; Domain=example.org"));
    assert!(!jar.store_set_cookie(&from, "sub=4; Domain=a.www.example.com"));
    assert!(!jar.store_set_cookie(&from, "psl=5; Domain=com"));
    assert!(!jar.store_set_cookie(&u("http://foo.github.io/"), "psl=6; Domain=github.io"));
    assert!(jar.store_set_cookie(&u("http://github.io/"), "self=7; Domain=github.io"));
    assert_eq!(jar.cookie_header(&from).as_deref(), Some("host=1; dom=2"));
    assert_eq!(jar.cookie_header(&u("http://a.www.example.com/")).as_deref(), Some("dom=2"));
    assert_eq!(jar.cookie_header(&u("http://example.com/")).as_deref(), Some("dom=2"));
    assert_eq!(jar.cookie_header(&u("http://badexample.com/")), None);
    assert_eq!(jar.cookie_header(&u("http://x.github.io/")), None, "github.io cookie was host-only");
    // IP hosts: only the exact address.
    assert!(jar.store_set_cookie(&u("http://127.0.0.1:8080/"), "ip=1; Domain=127.0.0.1"));
    assert!(!jar.store_set_cookie(&u("http://127.0.0.1/"), "ip=2; Domain=0.0.1"));
    assert_eq!(jar.cookie_header(&u("http://127.0.0.1:9/")).as_deref(), Some("ip=1"));
}

#[test]
fn path_matching_order_and_default_path() {
    let jar = HttpCookieJar::new();
    let from = u("http://h.test/docs/guide/page.html");
    jar.store_set_cookie(&from, "a=default");
    jar.store_set_cookie(&from, "b=root; Path=/");
    jar.store_set_cookie(&from, "c=docs; Path=/docs");
    jar.store_set_cookie(&from, "d=bad; Path=relative");
    assert_eq!(
        jar.cookie_header(&u("http://h.test/docs/guide/x")).as_deref(),
        Some("a=default; d=bad; c=docs; b=root")
    );
    assert_eq!(jar.cookie_header(&u("http://h.test/docs")).as_deref(), Some("c=docs; b=root"));
    assert_eq!(jar.cookie_header(&u("http://h.test/docsx")).as_deref(), Some("b=root"));
}

#[test]
fn expiry_deletion_and_replacement() {
    let jar = HttpCookieJar::new();
    let from = u("http://h.test/");
    jar.store_set_cookie(&from, "s=1");
    jar.store_set_cookie(&from, "k=1; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    jar.store_set_cookie(&from, "old=1; Expires=Thu, 01-Jan-1970 00:00:01 GMT");
    assert_eq!(jar.cookie_header(&from).as_deref(), Some("s=1; k=1"));
    assert!(jar.cookies().iter().any(|c| c.name == "k" && c.expires.is_some()));
    jar.store_set_cookie(&from, "s=2");
    assert_eq!(jar.cookie_header(&from).as_deref(), Some("s=2; k=1"), "replaced in place, creation kept");
    assert!(jar.store_set_cookie(&from, "k=; Max-Age=0"));
    assert_eq!(jar.cookie_header(&from).as_deref(), Some("s=2"));
    jar.clear_session_cookies();
    assert_eq!(jar.cookie_header(&from), None);
}

#[test]
fn secure_http_only_prefixes_and_limits() {
    let jar = HttpCookieJar::new();
    assert!(!jar.store_set_cookie(&u("http://h.test/"), "s=1; Secure"));
    assert!(jar.store_set_cookie(&u("https://h.test/"), "s=1; Secure; HttpOnly; SameSite=Strict"));
    assert!(!jar.store_set_cookie(&u("http://h.test/"), "s=evil"), "http may not overwrite a Secure cookie");
    assert_eq!(jar.cookie_header(&u("http://h.test/")), None);
    assert_eq!(jar.cookie_header(&u("https://h.test/")).as_deref(), Some("s=1"));
    let c = &jar.cookies()[0];
    assert!(c.http_only && c.secure && c.host_only && c.same_site == SameSite::Strict);
    assert!(!jar.store_set_cookie(&u("https://h.test/"), "__Secure-a=1"));
    assert!(jar.store_set_cookie(&u("https://h.test/"), "__Secure-a=1; Secure"));
    assert!(!jar.store_set_cookie(&u("https://h.test/"), "__Host-a=1; Secure; Path=/x"));
    assert!(!jar.store_set_cookie(&u("https://www.h.test/"), "__Host-a=1; Secure; Domain=h.test; Path=/"));
    assert!(jar.store_set_cookie(&u("https://h.test/"), "__Host-a=1; Secure; Path=/"));
    assert!(!jar.store_set_cookie(&u("http://h.test/"), "noequals"));
    assert!(!jar.store_set_cookie(&u("http://h.test/"), &format!("big={}", "x".repeat(5000))));
    let small = HttpCookieJar::with_limits(CookieJarLimits { max_per_domain: 3, ..Default::default() });
    for i in 0..10 {
        small.store_set_cookie(&u("http://h.test/"), &format!("c{i}=1"));
    }
    assert_eq!(small.cookie_header(&u("http://h.test/")).as_deref(), Some("c7=1; c8=1; c9=1"));
}
