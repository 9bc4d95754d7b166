//! [`MailRecipient`] (POCO `MailRecipient`).

/// Whether a recipient goes in `To`, `CC` or only in the envelope (`BCC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RecipientType {
    /// POCO `PRIMARY_RECIPIENT`: the `To` header.
    #[default]
    Primary,
    /// POCO `CC_RECIPIENT`: the `CC` header.
    Cc,
    /// POCO `BCC_RECIPIENT`: the envelope only, never a header.
    Bcc,
}

/// One recipient of a [`MailMessage`](super::MailMessage): type, address and real name.
///
/// ```
/// use rpoco_net::mail::{MailRecipient, RecipientType};
/// let r = MailRecipient::new(RecipientType::Cc, "jane.doe@no.where", "Jane Doe");
/// assert_eq!(r.address(), "jane.doe@no.where");
/// assert_eq!(r.to_header_value(), "Jane Doe <jane.doe@no.where>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MailRecipient {
    kind: RecipientType,
    address: String,
    real_name: String,
}

impl MailRecipient {
    /// A recipient (POCO `MailRecipient(type, address, realName)`).
    pub fn new(kind: RecipientType, address: &str, real_name: &str) -> Self {
        MailRecipient { kind, address: address.to_owned(), real_name: real_name.to_owned() }
    }

    /// A primary recipient without a real name.
    pub fn to(address: &str) -> Self {
        Self::new(RecipientType::Primary, address, "")
    }

    /// POCO `getType`.
    pub fn kind(&self) -> RecipientType {
        self.kind
    }

    /// POCO `setType`.
    pub fn set_kind(&mut self, kind: RecipientType) {
        self.kind = kind;
    }

    /// POCO `getAddress`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// POCO `setAddress`.
    pub fn set_address(&mut self, address: &str) {
        self.address = address.to_owned();
    }

    /// POCO `getRealName`.
    pub fn real_name(&self) -> &str {
        &self.real_name
    }

    /// POCO `setRealName`.
    pub fn set_real_name(&mut self, name: &str) {
        self.real_name = name.to_owned();
    }

    /// `Real Name <address>` as it goes in a header: the name quoted when it has
    /// specials, RFC 2047-encoded when it is not ASCII; `<address>` alone without a name.
    pub fn to_header_value(&self) -> String {
        if self.real_name.is_empty() {
            return format!("<{}>", self.address);
        }
        let name = if !self.real_name.is_ascii() {
            super::encode_word(&self.real_name, "UTF-8")
        } else if self
            .real_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c))
        {
            self.real_name.clone()
        } else {
            let mut q = String::with_capacity(self.real_name.len() + 2);
            q.push('"');
            for c in self.real_name.chars() {
                if c == '"' || c == '\\' {
                    q.push('\\');
                }
                q.push(c);
            }
            q.push('"');
            q
        };
        format!("{name} <{}>", self.address)
    }
}

/// `(real name, address)` of each mailbox in an address list (`Name <addr>, addr, ...`),
/// the name unquoted.
pub(crate) fn parse_address_list(value: &str) -> Vec<(String, String)> {
    split_addresses(value)
        .into_iter()
        .filter_map(|item| {
            let (real, addr) = split_mailbox(item);
            let real = real.trim_matches('"').replace("\\\"", "\"");
            (!addr.is_empty()).then(|| (real, addr.to_owned()))
        })
        .collect()
}

/// `Name <addr>` → (`Name`, `addr`); `addr` alone → (``, `addr`).
fn split_mailbox(item: &str) -> (&str, &str) {
    match (item.rfind('<'), item.rfind('>')) {
        (Some(l), Some(r)) if l < r => (item[..l].trim(), item[l + 1..r].trim()),
        _ => ("", item.trim()),
    }
}

/// An address-list header value with non-ASCII display names RFC 2047-encoded and the
/// addresses left as they are (an encoded word must not swallow the `<addr>`).
pub(crate) fn encode_address_list(value: &str) -> String {
    split_addresses(value)
        .into_iter()
        .map(|item| {
            let (real, addr) = split_mailbox(item);
            if real.is_ascii() {
                item.trim().to_owned()
            } else {
                let name = real.trim_matches('"').replace("\\\"", "\"");
                format!("{} <{addr}>", super::encode_word(&name, "UTF-8"))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn split_addresses(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut escaped, mut start) = (false, false, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|a| !a.trim().is_empty()).collect()
}
