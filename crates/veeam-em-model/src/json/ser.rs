//! Writing the JSON form: the member calls the generated `encode_members` makes (one per
//! member), and the two shapes of a complex type (an object, or a flat list's bare array).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::de::JsonType;

/// A choice between elements, as its JSON sees it: each branch is a key.
pub trait Choice: Serialize {
    /// The keys of the branches, in schema order.
    const KEYS: &'static [&'static str];

    /// The key of this item's branch.
    fn key(&self) -> &'static str;
}

/// Writes a complex type as an object: its members, then the members it kept from a newer
/// server.
pub fn object<T: JsonType, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    value.encode_members(&mut map)?;
    value.unknown().write_json(&mut map)?;
    map.end()
}

/// Writes a flat list type: the bare array of its items (`[]` when empty).
pub fn flat<T: Serialize, S: Serializer>(items: &[T], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(items)
}

/// An optional attribute: its key only when it has a value.
pub fn attribute<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// A required member (attribute, element or text).
pub fn required<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &'static str,
    value: &T,
) -> Result<(), M::Error> {
    map.serialize_entry(key, value)
}

/// An optional element: `null` when absent.
pub fn optional<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    map.serialize_entry(key, value)
}

/// A repeated element: the array of its items, `null` when there is none.
pub fn list<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &'static str,
    items: &[T],
) -> Result<(), M::Error> {
    if items.is_empty() {
        map.serialize_entry(key, &())
    } else {
        map.serialize_entry(key, items)
    }
}

/// A single choice: the branch taken with its value, every other branch `null`.
pub fn one<M: SerializeMap, C: Choice>(map: &mut M, item: Option<&C>) -> Result<(), M::Error> {
    let taken = item.map(Choice::key);
    for key in C::KEYS {
        match item {
            Some(v) if taken == Some(*key) => map.serialize_entry(key, v)?,
            _ => map.serialize_entry(key, &())?,
        }
    }
    Ok(())
}

/// A repeated choice: each branch's items under its key (`null` for a branch without items).
pub fn many<M: SerializeMap, C: Choice>(map: &mut M, items: &[C]) -> Result<(), M::Error> {
    struct Branch<'a, C>(&'a [C], &'static str);

    impl<C: Choice> Serialize for Branch<'_, C> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.iter().filter(|item| item.key() == self.1))
        }
    }

    for key in C::KEYS {
        if items.iter().any(|item| item.key() == *key) {
            map.serialize_entry(key, &Branch(items, key))?;
        } else {
            map.serialize_entry(key, &())?;
        }
    }
    Ok(())
}
