//! Veeam UIDs (`urn:veeam:<Kind>:<id>`), a validated string with typed access to its parts.
//!
//! The id part is usually a UUID, but not always (backup servers use other forms), so it is kept
//! as text and [`Uid::as_uuid`] parses it on demand.

use std::fmt;
use std::str::FromStr;

use crate::text::Text;

/// A Veeam object identifier such as `urn:veeam:CdpReplicaTaskSession:8c33b2f6-...`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uid {
    text: Text,
    /// Byte index of the colon between kind and id.
    split: usize,
}

/// The text is not of the form `urn:veeam:<Kind>:<id>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a Veeam UID urn:veeam:<Kind>:<id>, found {0:?}")]
pub struct InvalidUid(pub String);

const PREFIX: &str = "urn:veeam:";

impl Uid {
    /// Parses `urn:veeam:<Kind>:<id>`: the kind is ASCII letters and digits, the id non-empty.
    pub fn parse(text: &str) -> Result<Self, InvalidUid> {
        let split = Self::split(text).ok_or_else(|| InvalidUid(text.to_owned()))?;
        Ok(Self {
            text: Text::from(text),
            split,
        })
    }

    /// Byte index of the colon between kind and id, if `text` is a UID.
    fn split(text: &str) -> Option<usize> {
        let rest = text.strip_prefix(PREFIX)?;
        let colon = rest.find(':')?;
        let (kind, id) = (&rest[..colon], &rest[colon + 1..]);
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric()) || id.is_empty() {
            return None;
        }
        Some(PREFIX.len() + colon)
    }

    /// The UID of shared text, if it is one (what the decoders build, from interned text).
    pub(crate) fn from_text(text: Text) -> Option<Self> {
        let split = Self::split(&text)?;
        Some(Self { text, split })
    }

    /// Builds the UID of an object from its kind and id.
    pub fn new(kind: &str, id: &str) -> Result<Self, InvalidUid> {
        let mut text = String::with_capacity(PREFIX.len() + kind.len() + 1 + id.len());
        text.push_str(PREFIX);
        text.push_str(kind);
        text.push(':');
        text.push_str(id);
        let split = Self::split(&text).ok_or_else(|| InvalidUid(text.clone()))?;
        Ok(Self {
            text: Text::from(text),
            split,
        })
    }

    /// The object kind, e.g. `CdpReplicaTaskSession` (empty for [`Uid::default`]).
    pub fn kind(&self) -> &str {
        self.text.get(PREFIX.len()..self.split).unwrap_or("")
    }

    /// The id part, e.g. a UUID, as written (empty for [`Uid::default`]).
    pub fn id(&self) -> &str {
        self.text.get(self.split + 1..).unwrap_or("")
    }

    /// The id part as a UUID, when it is one.
    pub fn as_uuid(&self) -> Option<uuid::Uuid> {
        uuid::Uuid::parse_str(self.id()).ok()
    }

    /// The whole UID.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The empty UID (`""`, with an empty kind and id): what a required UID holds before a decoder
/// fills it, so that every generated type can be `Default` (as in k8s-openapi). A decoded
/// document never holds one: a UID must parse.
impl Default for Uid {
    fn default() -> Self {
        Self {
            text: Text::default(),
            split: 0,
        }
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uid({:?})", self.text)
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Uid {
    type Err = InvalidUid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl crate::xml::XmlValue for Uid {
    const EXPECTED: &'static str = "a Veeam UID urn:veeam:<Kind>:<id>";

    fn parse_xml(text: &str, strings: &mut crate::text::Interner) -> Option<Self> {
        let text = text.trim();
        let split = Self::split(text)?;
        Some(Self {
            text: strings.intern(text),
            split,
        })
    }

    fn write_xml(&self, out: &mut String) {
        out.push_str(&self.text);
    }
}

#[cfg(feature = "json")]
impl serde::Serialize for Uid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(feature = "json")]
impl<'de> serde::Deserialize<'de> for Uid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::json::de::required_scalar(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let uid =
            Uid::parse("urn:veeam:CdpReplicaTaskSession:8c33b2f6-4c3d-4f4e-9f6a-0c1d2e3f4a5b")
                .unwrap();
        assert_eq!(uid.kind(), "CdpReplicaTaskSession");
        assert_eq!(uid.id(), "8c33b2f6-4c3d-4f4e-9f6a-0c1d2e3f4a5b");
        assert!(uid.as_uuid().is_some());
        assert_eq!(Uid::new(uid.kind(), uid.id()).unwrap(), uid);
    }

    #[test]
    fn id_may_contain_colons_and_need_not_be_a_uuid() {
        let uid = Uid::parse("urn:veeam:Hierarchy:vc01:vm-42").unwrap();
        assert_eq!((uid.kind(), uid.id()), ("Hierarchy", "vc01:vm-42"));
        assert_eq!(uid.as_uuid(), None);
    }

    #[test]
    fn the_default_is_empty() {
        let uid = Uid::default();
        assert_eq!((uid.as_str(), uid.kind(), uid.id()), ("", "", ""));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "urn:veeam:",
            "urn:veeam:Kind",
            "urn:veeam:Kind:",
            "urn:veeam::id",
            "urn:x:K:i",
            "urn:veeam:Ki-nd:1",
        ] {
            assert!(Uid::parse(bad).is_err(), "{bad:?}");
        }
    }
}
