//! [`MediaType`] (POCO `MediaType`).

use std::fmt;

use super::header::{quote, split_parameters};
use super::name_value::NameValueCollection;

/// A media type such as `text/html; charset=utf-8`: type, subtype and parameters.
///
/// ```
/// use rpoco_net::MediaType;
/// let mut t = MediaType::parse("Text/HTML; charset=UTF-8");
/// assert!(t.matches("text", "html"));
/// assert_eq!(t.parameter("CHARSET"), Some("UTF-8"));
/// t.set_parameter("q", "a b");
/// assert_eq!(t.to_string(), "Text/HTML; charset=UTF-8; q=\"a b\"");
/// assert!(MediaType::new("image", "*").matches_range(&MediaType::parse("image/png")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaType {
    type_: String,
    sub_type: String,
    parameters: NameValueCollection,
}

impl MediaType {
    /// `type/subtype` without parameters.
    pub fn new(type_: &str, sub_type: &str) -> Self {
        MediaType {
            type_: type_.to_owned(),
            sub_type: sub_type.to_owned(),
            parameters: NameValueCollection::new(),
        }
    }

    /// Parses `type/subtype; name=value; ...` (the subtype ends at `;` or whitespace).
    pub fn parse(s: &str) -> Self {
        let (value, parameters) = split_parameters(s);
        let (t, sub) = value.split_once('/').unwrap_or((value.as_str(), ""));
        let sub = sub.split([' ', '\t']).next().unwrap_or("");
        MediaType { type_: super::header::trim_ows(t).to_owned(), sub_type: sub.to_owned(), parameters }
    }

    /// The top-level type.
    pub fn type_(&self) -> &str {
        &self.type_
    }

    /// Sets the top-level type.
    pub fn set_type(&mut self, t: &str) {
        self.type_ = t.to_owned();
    }

    /// The subtype.
    pub fn sub_type(&self) -> &str {
        &self.sub_type
    }

    /// Sets the subtype.
    pub fn set_sub_type(&mut self, s: &str) {
        self.sub_type = s.to_owned();
    }

    /// A parameter (names are case-insensitive).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name)
    }

    /// Whether a parameter exists.
    pub fn has_parameter(&self, name: &str) -> bool {
        self.parameters.has(name)
    }

    /// Sets a parameter.
    pub fn set_parameter(&mut self, name: &str, value: &str) {
        self.parameters.set(name, value);
    }

    /// Removes a parameter.
    pub fn remove_parameter(&mut self, name: &str) {
        self.parameters.erase(name);
    }

    /// All parameters.
    pub fn parameters(&self) -> &NameValueCollection {
        &self.parameters
    }

    /// Whether type and subtype equal these (case-insensitive).
    pub fn matches(&self, type_: &str, sub_type: &str) -> bool {
        self.type_.eq_ignore_ascii_case(type_) && self.sub_type.eq_ignore_ascii_case(sub_type)
    }

    /// Whether the type equals `type_` (case-insensitive).
    pub fn matches_type(&self, type_: &str) -> bool {
        self.type_.eq_ignore_ascii_case(type_)
    }

    /// Like [`matches`](Self::matches), with `*` on either side matching anything.
    pub fn matches_range(&self, other: &MediaType) -> bool {
        let eq = |a: &str, b: &str| a == "*" || b == "*" || a.eq_ignore_ascii_case(b);
        eq(&self.type_, &other.type_) && eq(&self.sub_type, &other.sub_type)
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.type_, self.sub_type)?;
        for (n, v) in self.parameters.iter() {
            write!(f, "; {n}={}", quote(v))?;
        }
        Ok(())
    }
}
