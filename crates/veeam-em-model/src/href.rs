//! [`Href`], the type of every `xs:anyURI` of the schemas: a link to a resource of the API.
//!
//! Why a type of its own rather than [`Text`]: an href is something to follow. The resource layer
//! (`veeam-em-api`) implements its `Follow` trait for `Href`, so that every href field of every
//! generated type (`Link/@Href`, `Ref/@Href`, an entity's own `Href`, a task's `Href`...) routes
//! to a typed operation, without code written per type. Otherwise it is a shared string like
//! `Text`: it derefs to `str`, compares with `&str`, and converts from strings.

use std::fmt;
use std::ops::Deref;

use crate::text::Text;

/// A URL of the API as the server wrote it (absolute, usually `https://host:9398/api/...`).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Href(Text);

impl Href {
    /// The URL as a `str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shared string.
    pub fn as_text(&self) -> &Text {
        &self.0
    }
}

impl Deref for Href {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Href {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Href {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Href {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Text> for Href {
    fn from(value: Text) -> Self {
        Self(value)
    }
}

impl From<&str> for Href {
    fn from(value: &str) -> Self {
        Self(Text::from(value))
    }
}

impl From<String> for Href {
    fn from(value: String) -> Self {
        Self(Text::from(value))
    }
}

impl From<&String> for Href {
    fn from(value: &String) -> Self {
        Self(Text::from(value))
    }
}

impl From<Href> for Text {
    fn from(value: Href) -> Self {
        value.0
    }
}

impl From<Href> for String {
    fn from(value: Href) -> Self {
        value.0.into()
    }
}

impl PartialEq<str> for Href {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Href {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Href {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Href> for &str {
    fn eq(&self, other: &Href) -> bool {
        *self == other.as_str()
    }
}

impl crate::xml::XmlValue for Href {
    const EXPECTED: &'static str = "a URL (xs:anyURI)";
    const EMPTY_IS_ABSENT: bool = false;

    fn parse_xml(text: &str, strings: &mut crate::text::Interner) -> Option<Self> {
        Some(Self(strings.intern(text)))
    }

    fn write_xml(&self, out: &mut String) {
        out.push_str(self);
    }
}

#[cfg(feature = "json")]
impl serde::Serialize for Href {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

#[cfg(feature = "json")]
impl<'de> serde::Deserialize<'de> for Href {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::json::de::required_scalar(d)
    }
}
