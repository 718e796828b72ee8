//! [`Text`], the string type of the models, and the interner that shares repeated values.
//!
//! Why not `String`: API documents repeat the same values thousands of times (`Rel="Up"`, link
//! types, the backup server's href and name, policy names). `Text` is a shared immutable string
//! (`Arc<str>`, 16 bytes); while decoding one document, equal values are stored once. This keeps
//! the decoded model of a large collection near the size of the XML text and saves most
//! allocations. `Text` derefs to `str`, compares with `&str`/`String`, and converts from both.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable, cheaply cloned string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<str>);

impl Text {
    /// The text as a `str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Text {
    fn default() -> Self {
        Self(Arc::from(""))
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(value: &str) -> Self {
        Self(Arc::from(value))
    }
}

impl From<String> for Text {
    fn from(value: String) -> Self {
        Self(Arc::from(value))
    }
}

impl From<&String> for Text {
    fn from(value: &String) -> Self {
        Self(Arc::from(value.as_str()))
    }
}

impl From<Text> for String {
    fn from(value: Text) -> Self {
        value.0.to_string()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

#[cfg(feature = "json")]
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(feature = "json")]
impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::json::de::required_scalar(d)
    }
}

/// Shares equal strings while one document is decoded.
///
/// A direct-mapped cache: a string's hash picks one slot; a hit shares the `Text` there, a miss
/// replaces it. Lookups cost one hash and one comparison, memory is bounded
/// ([`Interner::SLOTS`] entries), and values that repeat nearby (the same link types, backup
/// server, policy...) are stored once. Values longer than [`Interner::MAX_LEN`] are not shared.
#[derive(Debug)]
pub struct Interner {
    /// `(hash, text)`: the hash is compared first, so a miss does not touch the text's memory.
    slots: Vec<(u64, Option<Text>)>,
}

impl Default for Interner {
    fn default() -> Self {
        Self {
            slots: vec![(0, None); Self::SLOTS],
        }
    }
}

impl Interner {
    /// Number of slots (a power of two).
    pub const SLOTS: usize = 4096;
    /// Longest string shared.
    pub const MAX_LEN: usize = 160;

    /// The shared `Text` equal to `s`.
    pub fn intern(&mut self, s: &str) -> Text {
        if s.len() > Self::MAX_LEN {
            return Text::from(s);
        }
        let hash = sample_hash(s.as_bytes());
        let slot = &mut self.slots[(hash as usize) & (Self::SLOTS - 1)];
        match slot {
            (h, Some(t)) if *h == hash && t.as_str() == s => t.clone(),
            _ => {
                let t = Text::from(s);
                *slot = (hash, Some(t.clone()));
                t
            }
        }
    }
}

/// A cheap hash of the length and the first and last 16 bytes (where API strings differ: ids sit
/// at the end of hrefs and UIDs). Strings that collide only share a slot; correctness comes from
/// the full comparison in [`Interner::intern`].
fn sample_hash(b: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(w)
    };
    let n = b.len();
    let mut h = (n as u64).wrapping_mul(K);
    let head = &b[..n.min(16)];
    let tail = &b[n.saturating_sub(16)..];
    for part in [head, tail] {
        let (a, c) = part.split_at(part.len().min(8));
        h = (h.rotate_left(5) ^ word(a)).wrapping_mul(K);
        h = (h.rotate_left(5) ^ word(c)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_storage() {
        let mut i = Interner::default();
        let a = i.intern("BackupServerReference");
        let b = i.intern("BackupServerReference");
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(i.intern("Up"), "Up");
        let long = "x".repeat(Interner::MAX_LEN + 1);
        assert!(!Arc::ptr_eq(&i.intern(&long).0, &i.intern(&long).0));
    }
}
