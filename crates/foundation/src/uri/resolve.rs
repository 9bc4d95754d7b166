//! Reference resolution (RFC 3986 §5.2) and dot-segment removal (§5.2.4), with POCO's
//! extensions: a relative base resolves to a relative result, and `normalize()` keeps the
//! leading `..` of a relative path.

use super::Uri;
use super::parse::Presence;

/// RFC 3986 §5.2.2 `T = resolve(Base, R)`, in place on the base.
pub(super) fn resolve(base: &mut Uri, rel: Uri, presence: Presence) {
    let Uri { scheme, user_info, host, port, path, query, fragment } = rel;
    if !scheme.is_empty() {
        base.scheme = scheme;
        base.user_info = user_info;
        base.host = host;
        base.port = port;
        base.path = remove_dot_segments(&path, false, false);
        base.query = query;
    } else if presence.authority || !host.is_empty() {
        base.user_info = user_info;
        base.host = host;
        base.port = port;
        base.path = remove_dot_segments(&path, false, base.scheme.is_empty());
        base.query = query;
    } else {
        if path.is_empty() {
            if presence.query || !query.is_empty() {
                base.query = query;
            }
        } else {
            let relative = base.scheme.is_empty();
            base.path = if path.starts_with('/') {
                remove_dot_segments(&path, false, relative)
            } else {
                let merged = merge(&base.path, base.has_authority(), &path);
                remove_dot_segments(&merged, relative, relative)
            };
            base.query = query;
        }
    }
    base.fragment = fragment;
}

/// RFC 3986 §5.2.3: the base path up to its last `/`, then the reference's path; `/` + path if
/// the base has an authority and an empty path.
fn merge(base_path: &str, base_has_authority: bool, rel_path: &str) -> String {
    if base_has_authority && base_path.is_empty() {
        return format!("/{rel_path}");
    }
    match base_path.rfind('/') {
        Some(slash) => format!("{}{rel_path}", &base_path[..=slash]),
        None => rel_path.to_owned(),
    }
}

/// Removes `.` and `..` segments.
///
/// For a path starting with `/` this is RFC 3986 §5.2.4 exactly (empty segments are kept, `..`
/// never climbs above the root, a final `.` or `..` leaves a trailing `/`). For a rootless path,
/// `keep_leading_dotdot` keeps the `..` that cannot be removed (POCO's `normalize()` of a
/// relative URI), and `scheme_less` makes a first segment containing `:` start with `./` so it
/// cannot be read as a scheme (POCO's `buildPath`, RFC 3986 §4.2).
pub(super) fn remove_dot_segments(path: &str, keep_leading_dotdot: bool, scheme_less: bool) -> String {
    if path.is_empty() {
        return String::new();
    }
    let (absolute, body) = match path.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, path),
    };
    let mut out: Vec<&str> = Vec::new();
    let mut segments = body.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if !absolute && keep_leading_dotdot && out.last().is_none_or(|s| *s == "..") {
                    out.push("..");
                } else {
                    out.pop();
                    if last {
                        out.push("");
                    }
                }
            }
            segment => out.push(segment),
        }
    }
    let mut result = String::with_capacity(path.len() + 2);
    if absolute {
        result.push('/');
    } else if out.first().is_some_and(|first| {
        // A rootless path must not turn into `/x` or `//x`, nor into `a:b` without a scheme.
        (first.is_empty() && out.len() > 1) || (scheme_less && first.contains(':'))
    }) {
        result.push_str("./");
    } else if out.len() == 1 && out[0].is_empty() {
        // `a/..` is the current directory, not the empty reference (the current document).
        result.push_str("./");
    }
    result.push_str(&out.join("/"));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3986_section_5_2_4_examples() {
        assert_eq!(remove_dot_segments("/a/b/c/./../../g", false, false), "/a/g");
        assert_eq!(remove_dot_segments("mid/content=5/../6", false, false), "mid/6");
    }

    #[test]
    fn absolute_paths() {
        for (input, expected) in [
            ("/", "/"),
            ("/.", "/"),
            ("/..", "/"),
            ("/a/..", "/"),
            ("/a/.", "/a/"),
            ("/a//b/../c", "/a//c"),
            ("/a//..", "/a/"),
            ("/../g", "/g"),
            ("/..//g", "//g"),
            ("/a/b/", "/a/b/"),
        ] {
            assert_eq!(remove_dot_segments(input, true, true), expected, "{input}");
        }
    }

    #[test]
    fn relative_paths() {
        for (input, keep, expected) in [
            ("../foo/bar", true, "../foo/bar"),
            ("a/../../b", true, "../b"),
            ("a/../../b", false, "b"),
            ("..", true, ".."),
            ("a/..", true, "./"),
            (".", true, "./"),
            ("a/..//b", true, ".//b"),
            ("c:/windows/", true, "./c:/windows/"),
            ("./c:/windows/", true, "./c:/windows/"),
        ] {
            assert_eq!(remove_dot_segments(input, keep, true), expected, "{input}");
        }
        assert_eq!(remove_dot_segments("c:/w", false, false), "c:/w");
    }

    #[test]
    fn merge_uses_the_base_directory() {
        assert_eq!(merge("/b/c/d;p", true, "g"), "/b/c/g");
        assert_eq!(merge("", true, "g"), "/g");
        assert_eq!(merge("", false, "g"), "g");
        assert_eq!(merge("index.html", false, "search.html"), "search.html");
    }
}
