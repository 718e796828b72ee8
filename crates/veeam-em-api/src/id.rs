//! Path parameter values: the `{ID}` parts of URLs.

use std::fmt;

use veeam_em_model::Uid;

/// The id of an object in a URL, e.g. the UUID in `/cdpReplicaSessions/<id>`.
///
/// Build it from a string, a UUID or a [`Uid`] (its id part).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

impl Id {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({:?})", self.0)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Id {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for Id {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&String> for Id {
    fn from(value: &String) -> Self {
        Self(value.clone())
    }
}

impl From<&Uid> for Id {
    /// The id part of `urn:veeam:<Kind>:<id>`.
    fn from(value: &Uid) -> Self {
        Self(value.id().to_owned())
    }
}

impl From<Uid> for Id {
    fn from(value: Uid) -> Self {
        Self::from(&value)
    }
}
