//! What XML 1.0 says happens to characters between the bytes and the value, both ways.
//!
//! Reading (§2.11, §3.3.3, §4.6): line ends `\r\n` and lone `\r` become `\n` in text; literal
//! TAB, LF and CR in an attribute value become a space, while the characters of `&#9;`, `&#10;`
//! and `&#13;` are kept; only the five predefined entities and character references are
//! resolved. Writing is the reverse, so that any other XML parser (libxml2, .NET, Python) reads
//! back the same value: `&`, `<`, `>` are escaped in text and `\r` becomes `&#13;` (else it would
//! read as `\n`); in attribute values `&`, `<`, `>`, `"` are escaped and TAB, LF, CR become
//! character references (else they would read as spaces).

use std::borrow::Cow;

/// Why a reference in a value cannot be resolved, and its byte index in the raw value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadReference {
    /// The text between `&` and `;` (or the rest of the value when there is no `;`).
    pub name: String,
    /// Byte index of the `&` in the raw value.
    pub at: usize,
}

/// The value of a predefined entity or character reference (`name` is what stands between `&`
/// and `;`), or `None` when it is not one. Characters XML forbids (`&#0;`, surrogates) are
/// refused too.
pub(crate) fn resolve(name: &str) -> Option<Resolved> {
    Some(Resolved::Str(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix('x') {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                    number.parse().ok()?
                }
                _ => return None,
            };
            let c = char::from_u32(code).filter(|c| is_xml_char(*c))?;
            return Some(Resolved::Char(c));
        }
    }))
}

/// A resolved reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A predefined entity.
    Str(&'static str),
    /// A character reference.
    Char(char),
}

impl Resolved {
    fn push_to(self, out: &mut String) {
        match self {
            Resolved::Str(s) => out.push_str(s),
            Resolved::Char(c) => out.push(c),
        }
    }
}

/// `Char` of XML 1.0 §2.2: the characters a document may contain (also through references).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Text content as read: `\r\n` and lone `\r` become `\n` (§2.11). Borrowed when there is no
/// `\r`, which is almost always.
pub(crate) fn normalize_line_ends(text: Cow<'_, str>) -> Cow<'_, str> {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text;
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// An attribute value as read (`raw` is the text between the quotes): line ends normalised,
/// literal TAB/LF/CR as spaces, references resolved (§3.3.3). `needs_work` is the scanner's
/// finding that `raw` holds a `&`, TAB, LF or CR; without it the value is borrowed as is.
pub(crate) fn attribute_value(raw: &str, needs_work: bool) -> Result<Cow<'_, str>, BadReference> {
    if !needs_work {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    let mut base = 0;
    while let Some(i) = rest.find(['&', '\t', '\n', '\r']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        let mut next = i + 1;
        match c {
            b'&' => {
                let Some(len) = rest[next..].find(';') else {
                    return Err(BadReference {
                        name: rest[next..].to_owned(),
                        at: base + i,
                    });
                };
                let name = &rest[next..next + len];
                let resolved = resolve(name).ok_or_else(|| BadReference {
                    name: name.to_owned(),
                    at: base + i,
                })?;
                resolved.push_to(&mut out);
                next += len + 1;
            }
            b'\r' if rest.as_bytes().get(next) == Some(&b'\n') => {
                // `\r\n` is one line end, so one space.
                out.push(' ');
                next += 1;
            }
            _ => out.push(' '),
        }
        rest = &rest[next..];
        base += next;
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Appends `text` escaped for element content.
pub(crate) fn escape_text(text: &str, out: &mut String) {
    escape_with(text, out, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\r' => Some("&#13;"),
        _ => None,
    });
}

/// Appends `text` escaped for an attribute value in double quotes.
pub(crate) fn escape_attribute(text: &str, out: &mut String) {
    escape_with(text, out, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\t' => Some("&#9;"),
        '\n' => Some("&#10;"),
        '\r' => Some("&#13;"),
        _ => None,
    });
}

/// Bytes that some escaping replaces (all ASCII, so byte positions are character boundaries).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

fn escape_with(text: &str, out: &mut String, replace: impl Fn(char) -> Option<&'static str>) {
    let bytes = text.as_bytes();
    // Most values need nothing: three vectorised scans say so without a byte loop.
    let plain = memchr::memchr3(b'&', b'<', b'>', bytes).is_none()
        && memchr::memchr3(b'"', b'\t', b'\n', bytes).is_none()
        && memchr::memchr(b'\r', bytes).is_none();
    if plain {
        out.push_str(text);
        return;
    }
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !SPECIAL[usize::from(b)] {
            continue;
        }
        if let Some(r) = replace(char::from(b)) {
            out.push_str(&text[last..i]);
            out.push_str(r);
            last = i + 1;
        }
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_in_text() {
        for (raw, value) in [
            ("a\r\nb", "a\nb"),
            ("a\rb", "a\nb"),
            ("a\r\r\nb", "a\n\nb"),
            ("\r", "\n"),
            ("a\nb", "a\nb"),
        ] {
            assert_eq!(normalize_line_ends(Cow::Borrowed(raw)), value, "{raw:?}");
        }
    }

    #[test]
    fn attribute_normalisation() {
        for (raw, value) in [
            ("a\tb\nc\rd", "a b c d"),
            ("a\r\nb", "a b"),
            ("a&#9;b&#10;c&#13;d", "a\tb\nc\rd"),
            ("x&#x2F;y&amp;z&quot;&apos;&lt;&gt;", "x/y&z\"'<>"),
            ("&#x1F600;", "\u{1F600}"),
        ] {
            assert_eq!(attribute_value(raw, true).unwrap(), value, "{raw:?}");
        }
        assert_eq!(attribute_value("plain", false).unwrap(), "plain");
        for bad in ["&nbsp;", "a&b", "&#0;", "&#xD800;", "&#x;", "&#;", "&#12a;"] {
            assert!(attribute_value(bad, true).is_err(), "{bad:?}");
        }
        assert_eq!(
            attribute_value("ab&nbsp;", true).unwrap_err(),
            BadReference {
                name: "nbsp".into(),
                at: 2
            }
        );
    }

    #[test]
    fn escaping_round_trips_through_normalisation() {
        let value = "a\tb\nc\rd\r\ne & <f> \"g\" 'h' \u{a0}";
        let mut text = String::new();
        escape_attribute(value, &mut text);
        assert!(!text.contains(['\t', '\n', '\r']), "{text}");
        assert_eq!(attribute_value(&text, true).unwrap(), value);
        let mut text = String::new();
        escape_text(value, &mut text);
        assert!(!text.contains('\r'), "{text}");
        assert!(text.contains('\n') && text.contains('\t'), "{text}");
    }
}
