//! The server's JSON form: what Enterprise Manager writes and reads with
//! `Accept: application/json` / `Content-Type: application/json`.
//!
//! The form, as the reference's examples show it (`schemas/README.md` lists the rules and the
//! schema annotations that carry what the XSD cannot say):
//!
//! - the root element is dropped: a document is its root's content;
//! - attributes and child elements are keys named as in the XML, at the same level; the text of
//!   an element that also has attributes is the key `Value`;
//! - a list type (one repeated item element) is an object with one key, the English plural of
//!   the item (`EntityReferences` -> `{"Refs": [...]}`), or, where the schema annotates it
//!   `flat`, a bare array (`"Links": [...]`); a repeated element beside others is an array under
//!   its own name;
//! - an absent element is `null`, an absent attribute has no key, and every branch of a choice
//!   is a key (`null` for the branches not taken);
//! - booleans and numbers are JSON booleans and numbers, everything else a string.
//!
//! Reading is lenient the way a server is: `null` means absent, numbers and booleans may come
//! quoted (and strings as numbers), keys may differ in ASCII case, and keys the schema does not
//! know are kept as unknown content (written back in place when the value is written as JSON)
//! rather than refused. Writing is exact.
//!
//! Why a runtime and not derived serde impls: every generated type says only what is its own
//! (its member keys and, per member, one call into [`de`] and one into [`ser`]); the form's
//! rules live here once. The same generated table drives decoding from any `serde` deserializer
//! and encoding to any serializer.

pub mod de;
mod document;
mod macros;
pub mod ser;
pub mod stream;
mod unknown;

pub(crate) use document::unknown_root;
pub(crate) use macros::{enum_impls, serde_impls};

pub use de::{FromJson, JsonScalar, JsonType};
pub use ser::Choice;
pub use unknown::{member_to_xml, xml_element_to_json};

pub use crate::wire::Wire;
use crate::xml::{DecodeError, DecodeErrorKind};

/// Decodes the JSON form of a `T` (any complex type of the schemas).
pub fn from_slice<T: JsonType>(input: &[u8]) -> Result<T, DecodeError> {
    // UTF-8 is checked once for the whole input (strings are then read without checking each).
    match std::str::from_utf8(input) {
        Ok(text) => from_str(text),
        Err(e) => {
            if let Some(not_json) = not_json(input) {
                return Err(DecodeError::new(DecodeErrorKind::NotJson(not_json), 0).locate(input));
            }
            Err(DecodeError::new(
                DecodeErrorKind::Json("invalid UTF-8 (JSON is UTF-8 text)".into()),
                e.valid_up_to(),
            )
            .locate(input))
        }
    }
}

/// Decodes the JSON form of a `T` from a string; see [`from_slice`].
pub fn from_str<T: JsonType>(input: &str) -> Result<T, DecodeError> {
    let bytes = input.as_bytes();
    check_size(bytes)?;
    let mut deserializer = serde_json::Deserializer::from_str(input);
    de::take_error_path();
    let value = de::decode::<T, _>(&mut deserializer)
        .and_then(|v| deserializer.end().map(|()| v))
        .map_err(|e| json_error(bytes, e, de::take_error_path()))?;
    value.ok_or_else(|| {
        DecodeError::new(
            DecodeErrorKind::Json(format!("expected a {} document, found null", T::SCHEMA)),
            0,
        )
        .locate(bytes)
    })
}

/// Encodes `value` in the JSON form, compact (as a server sends it).
pub fn to_string<T: JsonType + serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(unreachable_encode)
}

/// Encodes `value` in the JSON form, indented (for people).
pub fn to_string_pretty<T: JsonType + serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(unreachable_encode)
}

/// Encoding into a `String` fails only for map keys that are not strings, which the generated
/// code never writes.
#[cold]
fn unreachable_encode(e: serde_json::Error) -> String {
    format!("{{\"Message\": {:?}}}", e.to_string())
}

/// Refuses an input larger than the current [`Limits`](crate::Limits) allow.
pub(crate) fn check_size(input: &[u8]) -> Result<(), DecodeError> {
    let limits = crate::Limits::current();
    if input.len() > limits.max_document_bytes {
        return Err(DecodeError::new(
            DecodeErrorKind::LimitExceeded {
                limit: crate::Limit::DocumentBytes,
                max: limits.max_document_bytes,
            },
            limits.max_document_bytes,
        )
        .locate(input));
    }
    Ok(())
}

/// A [`DecodeError`] for a JSON decode that failed with `error`: its place (line, column, byte
/// offset) and `path`, the keys and indices to it, innermost first (see `de::ERROR_PATH`).
pub(crate) fn json_error(
    input: &[u8],
    error: serde_json::Error,
    path: Vec<de::Segment>,
) -> DecodeError {
    if let Some(not_json) = not_json(input) {
        return DecodeError::new(DecodeErrorKind::NotJson(not_json), 0).locate(input);
    }
    let offset = offset_of(input, error.line(), error.column());
    let message = strip_location(&error);
    let kind = match error.classify() {
        serde_json::error::Category::Eof => DecodeErrorKind::Json(message),
        _ => limit_kind(&message).unwrap_or(DecodeErrorKind::Json(message)),
    };
    let mut e = DecodeError::new(kind, offset);
    // Innermost first: an index belongs to the key that holds the array.
    let mut index: Option<usize> = None;
    for segment in path {
        match segment {
            de::Segment::Index(i) => index = Some(i + 1),
            de::Segment::Key(key) => e = e.in_element(&key, index.take()),
        }
    }
    e.locate(input)
}

/// A limit error raised inside the decoder travels as a serde message; turn it back into its
/// kind.
fn limit_kind(message: &str) -> Option<DecodeErrorKind> {
    let rest = message.strip_prefix(de::LIMIT_PREFIX)?;
    let (name, max) = rest.split_once(' ')?;
    let max: usize = max.split_whitespace().next()?.parse().ok()?;
    let limit = match name {
        "depth" => return Some(DecodeErrorKind::TooDeep { limit: max }),
        "items" => crate::Limit::Items,
        "value" => crate::Limit::ValueBytes,
        "members" => crate::Limit::Attributes,
        _ => return None,
    };
    Some(DecodeErrorKind::LimitExceeded { limit, max })
}

/// What an input that is not JSON looks like (an XML document, a proxy's HTML page, nothing).
fn not_json(input: &[u8]) -> Option<String> {
    let start = input.trim_ascii_start();
    let start = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(start);
    match start.first() {
        None => Some("the input is empty: expected a JSON document".into()),
        Some(b'<') if start.len() > 1 && start[..start.len().min(512)]
            .to_ascii_lowercase()
            .windows(5)
            .any(|w| w == b"<html") => Some(
            "the input is an HTML page, not an API document (an error page of a proxy or web server?)"
                .into(),
        ),
        Some(b'<') => Some(
            "the input is XML, not JSON (ask the server for JSON: Accept: application/json)"
                .into(),
        ),
        _ => None,
    }
}

/// serde_json's message without its trailing ` at line L column C`.
fn strip_location(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// The byte offset of 1-based `line` and `column` (serde_json counts columns in bytes).
fn offset_of(input: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &input[offset..]) {
            Some(i) => offset += i + 1,
            None => return input.len(),
        }
    }
    (offset + column.saturating_sub(1)).min(input.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        let input = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        assert_eq!(offset_of(input, 3, 8), 19);
        assert_eq!(input[19], b'x');
    }
}
