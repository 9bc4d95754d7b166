//! Reference resolution (RFC 3986 §5.2) and dot-segment removal (§5.2.4), with POCO's
//! extensions: a relative base resolves to a relative result, and `normalize()` keeps the
//! leading `..` of a relative path.

use super::Uri;
use std::borrow::Cow;

use super::parse::{self, Presence};
use crate::Result;

impl Uri {
    /// Resolves `relative` against this URI, in place (RFC 3986 §5.2, POCO's `resolve`).
    ///
    /// A reference with a scheme replaces everything; one with an authority (`//host...`, a
    /// network-path reference as RFC 3986 has it, where POCO would see a path) keeps only the
    /// scheme; an empty path keeps the path and, unless the reference has a query, the query;
    /// an absolute path replaces the path; a relative path is merged with the base's directory.
    /// Dot segments are removed (`%2e%2e` counts as `..`, since paths are decoded), `..` never
    /// climbs above the root, and the fragment is always the reference's, even if empty.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let mut uri = Uri::parse("http://a/b/c/d;p?q")?;
    /// uri.resolve("../g?y#s")?;
    /// assert_eq!(uri, "http://a/b/g?y#s");
    /// uri.resolve("//h/x")?;
    /// assert_eq!(uri, "http://h/x");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `relative` does not parse; `self` is then unchanged.
    pub fn resolve(&mut self, relative: &str) -> Result<()> {
        let (rel, presence) = parse::parse_reference(relative, true)?;
        let base_path = std::mem::take(&mut self.path);
        resolve(self, Cow::Owned(base_path), rel, presence);
        Ok(())
    }

    /// Resolves an already parsed reference against this URI (POCO's `resolve(const URI&)`).
    ///
    /// A scheme-less `relative` whose path starts with `//` (how [`Uri::parse`] keeps `//g`) is
    /// taken as the network-path reference it is in RFC 3986, as [`resolve`](Uri::resolve) does.
    ///
    /// # Errors
    ///
    /// Only in that network-path case, when its authority is invalid.
    pub fn resolve_uri(&mut self, relative: &Uri) -> Result<()> {
        if relative.is_relative() && !relative.has_authority() && relative.path.starts_with("//") {
            return self.resolve(&relative.to_string());
        }
        let presence = Presence { authority: relative.has_authority(), query: !relative.query.is_empty() };
        let base_path = std::mem::take(&mut self.path);
        resolve(self, Cow::Owned(base_path), relative.clone(), presence);
        Ok(())
    }

    /// Removes `.` and `..` segments from the path (POCO's `normalize`): RFC 3986 §5.2.4 for
    /// paths starting with `/`; a relative URI keeps the leading `..` of a rootless path, and a
    /// first segment containing `:` gets a `./` in front.
    ///
    /// ```
    /// use rpoco_foundation::Uri;
    /// let mut uri = Uri::parse("http://www.appinf.com/foo/./bar/../index.html")?;
    /// uri.normalize();
    /// assert_eq!(uri.to_string(), "http://www.appinf.com/foo/index.html");
    /// # Ok::<(), rpoco_foundation::Error>(())
    /// ```
    pub fn normalize(&mut self) {
        let relative = self.is_relative();
        self.path = remove_dot_segments(std::mem::take(&mut self.path), relative, relative);
    }
}

/// RFC 3986 §5.2.2 `T = resolve(Base, R)`, in place on the base, whose path is passed apart
/// (`base.path` is ignored) so that a borrowed base need not copy a path it will not keep.
pub(super) fn resolve(base: &mut Uri, base_path: Cow<'_, str>, rel: Uri, presence: Presence) {
    let Uri { scheme, user_info, host, port, path, query, fragment } = rel;
    if !scheme.is_empty() {
        base.scheme = scheme;
        base.user_info = user_info;
        base.host = host;
        base.port = port;
        base.path = remove_dot_segments(path, false, false);
        base.query = query;
    } else if presence.authority || !host.is_empty() {
        base.user_info = user_info;
        base.host = host;
        base.port = port;
        base.path = remove_dot_segments(path, false, base.scheme.is_empty());
        base.query = query;
    } else if path.is_empty() {
        base.path = base_path.into_owned();
        if presence.query || !query.is_empty() {
            base.query = query;
        }
    } else {
        let relative = base.scheme.is_empty();
        base.path = if path.starts_with('/') {
            remove_dot_segments(path, false, relative)
        } else {
            let merged = merge(&base_path, base.has_authority(), &path);
            remove_dot_segments(merged, relative, relative)
        };
        base.query = query;
    }
    base.fragment = fragment;
}

/// RFC 3986 §5.2.3: the base path up to its last `/`, then the reference's path; `/` + path if
/// the base has an authority and an empty path.
fn merge(base_path: &str, base_has_authority: bool, rel_path: &str) -> String {
    let dir = match base_path.rfind('/') {
        Some(slash) => &base_path[..=slash],
        None if base_has_authority && base_path.is_empty() => "/",
        None => "",
    };
    let mut merged = String::with_capacity(dir.len() + rel_path.len());
    merged.push_str(dir);
    merged.push_str(rel_path);
    merged
}

/// Removes `.` and `..` segments.
///
/// For a path starting with `/` this is RFC 3986 §5.2.4 exactly (empty segments are kept, `..`
/// never climbs above the root, a final `.` or `..` leaves a trailing `/`). For a rootless path,
/// `keep_leading_dotdot` keeps the `..` that cannot be removed (POCO's `normalize()` of a
/// relative URI), and `scheme_less` makes a first segment containing `:` start with `./` so it
/// cannot be read as a scheme (POCO's `buildPath`, RFC 3986 §4.2).
pub(super) fn remove_dot_segments(path: String, keep_leading_dotdot: bool, scheme_less: bool) -> String {
    // Most paths have no dot segments; an absolute one is then already the result.
    if path.is_empty() || (path.starts_with('/') && !path.split('/').any(|s| s == "." || s == "..")) {
        return path;
    }
    let (absolute, body) = match path.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, path.as_str()),
    };
    // The output is built as `/segment` per segment, so removing the last segment is a
    // truncation at the last `/`. Kept `..` segments can only be at the front, so the last
    // segment is a `..` exactly when every segment is one.
    let mut out = String::with_capacity(path.len() + 2);
    let (mut count, mut dotdots) = (0usize, 0usize);
    let mut segments = body.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        let remove_last = match segment {
            "." => false,
            ".." if !absolute && keep_leading_dotdot && count == dotdots => {
                out.push_str("/..");
                count += 1;
                dotdots += 1;
                continue;
            }
            ".." => true,
            segment => {
                out.push('/');
                out.push_str(segment);
                count += 1;
                continue;
            }
        };
        if remove_last && count > dotdots {
            out.truncate(out.rfind('/').unwrap_or(0));
            count -= 1;
        }
        if last {
            out.push('/');
            count += 1;
        }
    }
    if absolute {
        return out;
    }
    let first = out.get(1..).unwrap_or("").split('/').next().unwrap_or("");
    // A rootless path must not turn into `/x` or `//x`, nor into `a:b` without a scheme, and
    // `a/..` is the current directory, not the empty reference (the current document).
    let dot_slash = (first.is_empty() && count >= 1) || (scheme_less && first.contains(':'));
    out.replace_range(..out.len().min(1), if dot_slash { "./" } else { "" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3986_section_5_2_4_examples() {
        assert_eq!(remove_dot_segments("/a/b/c/./../../g".into(), false, false), "/a/g");
        assert_eq!(remove_dot_segments("mid/content=5/../6".into(), false, false), "mid/6");
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
            assert_eq!(remove_dot_segments(input.into(), true, true), expected, "{input}");
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
            assert_eq!(remove_dot_segments(input.into(), keep, true), expected, "{input}");
        }
        assert_eq!(remove_dot_segments("c:/w".into(), false, false), "c:/w");
    }

    #[test]
    fn merge_uses_the_base_directory() {
        assert_eq!(merge("/b/c/d;p", true, "g"), "/b/c/g");
        assert_eq!(merge("", true, "g"), "/g");
        assert_eq!(merge("", false, "g"), "g");
        assert_eq!(merge("index.html", false, "search.html"), "search.html");
    }
}
