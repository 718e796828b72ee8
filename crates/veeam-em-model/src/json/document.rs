//! Whole documents in either wire form: [`Document`] read and written as XML or JSON, and how a
//! JSON document's root element is found (the JSON form drops it).

use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use super::Wire;
use crate::xml::{DecodeError, DecodeErrorKind};
use crate::Document;

impl Document {
    /// The root element a JSON document names in its top-level `Type` key, when it names one:
    /// an entity's `Type` is its root element (`"Type": "CloudTenant"`), a reference's is its
    /// kind followed by `Reference` (`"Type": "BackupServerReference"`, root `EntityRef`).
    /// Lists and request bodies carry no `Type`: their root must be given.
    pub fn json_root(input: &[u8]) -> Option<&'static str> {
        let value = top_level_type(input)?;
        if let Some(root) = Self::TYPED_ROOTS.iter().find(|r| **r == value) {
            return Some(root);
        }
        if value.ends_with("Reference") {
            return Self::ROOT_ELEMENTS
                .iter()
                .copied()
                .find(|r| *r == "EntityRef");
        }
        None
    }

    /// Decodes a document in `wire` form; a JSON document needs its root element (`root`, or
    /// else what [`json_root`](Self::json_root) finds).
    pub fn from_wire(wire: Wire, root: Option<&str>, input: &[u8]) -> Result<Self, DecodeError> {
        match wire {
            Wire::Xml => Self::from_slice(input),
            Wire::Json => match root.or_else(|| Self::json_root(input)) {
                Some(root) => Self::from_json(root, input),
                None => Err(DecodeError::new(
                    DecodeErrorKind::Json(
                        "the JSON form does not name the document's root element (no `Type` key \
                         that names one): give it (e.g. --type CloudTenants)"
                            .into(),
                    ),
                    0,
                )
                .locate(input)),
            },
        }
    }

    /// Encodes the document in `wire` form, as a server writes it (JSON compact).
    pub fn to_wire(&self, wire: Wire) -> String {
        match wire {
            Wire::Xml => self.to_xml_string(),
            Wire::Json => self.to_json_string(),
        }
    }

    /// The JSON form, compact (as a server sends it).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"Message\": {:?}}}", e.to_string()))
    }

    /// The JSON form, indented, with a final line end (for people and `jq`).
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"Message\": {:?}}}", e.to_string()));
        text.push('\n');
        text
    }
}

/// The error for a root element no built family declares.
pub(crate) fn unknown_root(root: &str, input: &[u8]) -> DecodeError {
    DecodeError::new(
        DecodeErrorKind::UnexpectedRoot {
            expected: "one of Document::ROOT_ELEMENTS".into(),
            found: root.to_owned(),
        },
        0,
    )
    .locate(input)
}

/// The string value of the top-level `Type` key of a JSON object, if any (other values are
/// skipped without being kept).
fn top_level_type(input: &[u8]) -> Option<String> {
    struct TypeKey;

    impl<'de> Visitor<'de> for TypeKey {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<super::de::Key<'de>>()? {
                if key.as_str() == "Type" && found.is_none() {
                    found = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => Some(s),
                        _ => None,
                    };
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }

    let mut deserializer = serde_json::Deserializer::from_slice(input);
    let result: Result<Option<String>, serde_json::Error> =
        (&mut deserializer).deserialize_map(TypeKey);
    result.ok().flatten()
}
