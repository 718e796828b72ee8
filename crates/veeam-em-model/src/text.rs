//! [`Text`], the string type of the models, and the interner that shares repeated values.
//!
//! Why not `String`: API documents repeat the same values thousands of times (`Rel="Up"`, link
//! types, the backup server's href and name, policy names). `Text` is a shared immutable string
//! (`Arc<str>`, 16 bytes); while decoding one document, equal values are stored once. This keeps
//! the decoded model of a large collection near the size of the XML text and saves most
//! allocations. `Text` derefs to `str`, compares with `&str`/`String`, and converts from both.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use rustc_hash::FxBuildHasher;

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

#[cfg(feature = "serde")]
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Shares equal strings while one document is decoded.
///
/// Bounded: it holds at most [`Interner::CAPACITY`] strings and starts afresh when full, so a
/// collection of unique values costs no more than a bounded table; values longer than
/// [`Interner::MAX_LEN`] are never shared (they rarely repeat).
#[derive(Debug, Default)]
pub struct Interner {
    set: HashSet<Text, FxBuildHasher>,
}

impl Interner {
    /// Most strings held at once.
    pub const CAPACITY: usize = 4096;
    /// Longest string shared.
    pub const MAX_LEN: usize = 160;

    /// The shared `Text` equal to `s`.
    pub fn intern(&mut self, s: &str) -> Text {
        if s.len() > Self::MAX_LEN {
            return Text::from(s);
        }
        if let Some(t) = self.set.get(s) {
            return t.clone();
        }
        if self.set.len() >= Self::CAPACITY {
            self.set.clear();
        }
        let t = Text::from(s);
        self.set.insert(t.clone());
        t
    }
}
