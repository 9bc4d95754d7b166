//! Distinguished names as OpenSSL prints them (`X509_NAME_print_ex` with RFC 2253 flags,
//! certificate order): what POCO's `subjectName()`/`issuerName()` return.

use x509_parser::asn1_rs::Tag;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

/// OpenSSL short names for the attribute types that appear in practice.
pub(crate) fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => return None,
    })
}

/// `X509_NAME_print_ex` with `XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV`: certificate order, `,`
/// between RDNs, `+` inside multi-valued RDNs, unknown types as dotted OID with `#`-hex DER.
pub(crate) fn format_name(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    for (i, rdn) in name.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = attr.attr_type().to_id_string();
            match (short_name(&oid), decode_string(attr)) {
                (Some(short), Some(text)) => {
                    out.push_str(short);
                    out.push('=');
                    out.push_str(&escape_rfc2253(&text));
                }
                (short, _) => {
                    out.push_str(short.unwrap_or(&oid));
                    out.push_str("=#");
                    out.push_str(&der_hex(attr));
                }
            }
        }
    }
    out
}

pub(crate) fn attribute_text(attr: &AttributeTypeAndValue<'_>) -> String {
    decode_string(attr).unwrap_or_default()
}

/// The attribute's string value, whatever ASN.1 string type carries it.
pub(crate) fn decode_string(attr: &AttributeTypeAndValue<'_>) -> Option<String> {
    let data = attr.as_slice();
    match attr.attr_value().tag() {
        Tag::NumericString | Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8(data.to_vec()).ok()
        }
        // TeletexString is treated as Latin-1, as OpenSSL does.
        Tag::T61String => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = data.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => data
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

fn der_hex(attr: &AttributeTypeAndValue<'_>) -> String {
    let data = attr.as_slice();
    let mut der = vec![u8::try_from(attr.attr_value().tag().0).unwrap_or(0x04)];
    if data.len() < 0x80 {
        der.push(data.len() as u8);
    } else {
        let len = data.len().to_be_bytes();
        let skip = len.iter().take_while(|&&b| b == 0).count();
        der.push(0x80 | (len.len() - skip) as u8);
        der.extend_from_slice(&len[skip..]);
    }
    der.extend_from_slice(data);
    der.iter().map(|b| format!("{b:02X}")).collect()
}

/// RFC 2253 escaping as OpenSSL's `ASN1_STRFLGS_RFC2253` does it: specials and a leading
/// `#`/space or trailing space get a backslash; control bytes and (UTF-8) bytes >= 0x80 are
/// written as `\XX`.
fn escape_rfc2253(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let first = i == 0;
        let last = i + 1 == bytes.len();
        match b {
            b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b'#' if first => out.push_str("\\#"),
            b' ' if first || last => out.push_str("\\ "),
            0..=0x1F | 0x7F..=0xFF => out.push_str(&format!("\\{b:02X}")),
            _ => out.push(char::from(b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2253_escaping() {
        assert_eq!(escape_rfc2253("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape_rfc2253("#x "), "\\#x\\ ");
        assert_eq!(escape_rfc2253(" lead"), "\\ lead");
        assert_eq!(escape_rfc2253("Zürich"), "Z\\C3\\BCrich");
        assert_eq!(escape_rfc2253("a\nb"), "a\\0Ab");
    }
}
