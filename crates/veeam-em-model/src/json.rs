//! Helpers for the generated `serde` impls: the JSON form of `vem decode`, both ways.
//!
//! The shape: an object per element, keys named exactly as the XML attributes and child
//! elements; a repeatable element is always an array; the text of an element that also has
//! attributes is `"$text"`; absent optional items are left out (`null` reads as absent too).
//! Reading is strict, because people write these documents by hand: an unknown key, a key given
//! twice or a missing required one is an error that names it. Unknown XML content is not part
//! of the JSON form.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// An object key, borrowed from the input when it can be.
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor).map(Key)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// A string value (borrowed when it can be), for types read from text.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Cow<'de, str>, D::Error> {
    deserializer.deserialize_str(StrVisitor)
}

/// A string value parsed by `parse`; its error becomes the deserializer's.
pub fn parsed<'de, D, T, E>(deserializer: D, parse: fn(&str) -> Result<T, E>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    let text = string(deserializer)?;
    parse(&text).map_err(de::Error::custom)
}

/// Stores the value of a key, refusing a second one.
pub fn set_once<T, E: de::Error>(
    slot: &mut Option<T>,
    value: T,
    name: &'static str,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

/// Stores an optional value (`null` is absent), refusing a second one.
pub fn set_optional<T, E: de::Error>(
    slot: &mut Option<T>,
    value: Option<T>,
    name: &'static str,
    seen: &mut bool,
) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        return Err(E::duplicate_field(name));
    }
    *slot = value;
    Ok(())
}

/// The value of a required key.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// A key the type does not have.
pub fn unknown<E: de::Error>(key: &str, expected: &'static [&'static str]) -> E {
    E::unknown_field(key, expected)
}
