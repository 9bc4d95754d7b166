//! [`NameValueCollection`]: POCO's ordered, case-insensitive multimap of strings.

use crate::error::{Error, ErrorKind, Result};

/// POCO `NameValueCollection`: name/value pairs in insertion order, names compared without
/// regard to ASCII case, the original spelling of each name kept for the wire.
///
/// [`add`](Self::add) keeps entries of one name together (it inserts after the last entry of
/// a run with the same name, as POCO's `ListMap` does); [`set`](Self::set) replaces the first
/// entry with that name (or appends).
///
/// ```
/// use rpoco_net::NameValueCollection;
/// let mut nvc = NameValueCollection::new();
/// nvc.add("Accept", "text/html");
/// nvc.add("Host", "example.com");
/// nvc.add("accept", "text/plain");
/// assert_eq!(nvc.get("ACCEPT"), Some("text/html"));
/// let names: Vec<&str> = nvc.iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["Accept", "accept", "Host"]);
/// assert_eq!(nvc.get_all("accept").collect::<Vec<_>>(), ["text/html", "text/plain"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameValueCollection {
    entries: Vec<(String, String)>,
}

impl NameValueCollection {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the value of the first entry named `name`, or appends an entry.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        match self.position(&name) {
            Some(i) => self.entries[i].1 = value.into(),
            None => self.entries.push((name, value.into())),
        }
    }

    /// Adds an entry; after the run of entries with the same name if there is one.
    pub fn add(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        match self.position(&name) {
            Some(mut i) => {
                while i < self.entries.len() && self.entries[i].0.eq_ignore_ascii_case(&name) {
                    i += 1;
                }
                self.entries.insert(i, (name, value.into()));
            }
            None => self.entries.push((name, value.into())),
        }
    }

    /// The value of the first entry named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.position(name).map(|i| self.entries[i].1.as_str())
    }

    /// The value of the first entry named `name`, or [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) naming it (POCO's
    /// throwing `get(name)`).
    pub fn get_required(&self, name: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| Error::new(ErrorKind::NotFound, name.to_owned()))
    }

    /// The value of the first entry named `name`, or `default`.
    pub fn get_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.get(name).unwrap_or(default)
    }

    /// Every value of entries named `name`, in order (POCO's `find` iteration).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether an entry named `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Removes every entry named `name`.
    pub fn erase(&mut self, name: &str) {
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Moves the entries named `name` in front of all others, keeping the order of both
    /// (a client sends `Host` first, RFC 9110 §7.2).
    pub fn move_to_front(&mut self, name: &str) {
        let (mut front, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.entries).into_iter().partition(|(n, _)| n.eq_ignore_ascii_case(name));
        front.extend(rest);
        self.entries = front;
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in order, as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Appends without grouping (used by parsers that must keep wire order exactly).
    pub(crate) fn push(&mut self, name: String, value: String) {
        self.entries.push((name, value));
    }

    pub(crate) fn entries_mut(&mut self) -> &mut Vec<(String, String)> {
        &mut self.entries
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for NameValueCollection {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut nvc = NameValueCollection::new();
        for (n, v) in iter {
            nvc.add(n, v);
        }
        nvc
    }
}

impl<'a> IntoIterator for &'a NameValueCollection {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a str, &'a str),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_first_and_erase_removes_all() {
        let mut nvc: NameValueCollection = [("a", "1"), ("b", "2"), ("A", "3")].into_iter().collect();
        assert_eq!(nvc.iter().collect::<Vec<_>>(), [("a", "1"), ("A", "3"), ("b", "2")]);
        nvc.set("A", "x");
        assert_eq!(nvc.get_all("a").collect::<Vec<_>>(), ["x", "3"]);
        nvc.erase("a");
        assert_eq!(nvc.len(), 1);
        assert!(
            matches!(nvc.get_required("zz"), Err(e) if e.kind() == ErrorKind::NotFound && e.message() == "zz")
        );
        assert_eq!(nvc.get_or("zz", "d"), "d");
    }
}
