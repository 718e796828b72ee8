//! [`CATALOGUE`]: every operation of the families in this build, as static [`Entry`] values.
//!
//! Why not a plain `&[Entry]`: each family is a cargo feature, and an array cannot leave out the
//! entries of a family that is not built. The generated code lists the families' entries; this
//! value joins them once, on first use, and behaves like a slice (`CATALOGUE.iter()`,
//! `CATALOGUE.len()`, `for entry in CATALOGUE`).

use std::ops::Deref;
use std::sync::LazyLock;

use crate::entry::Entry;

static ENTRIES: LazyLock<Vec<Entry>> = LazyLock::new(crate::generated::entries);

/// The catalogue of this build: a slice of [`Entry`] (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct Catalogue;

/// Every operation of the families in this build, in catalogue order.
pub static CATALOGUE: Catalogue = Catalogue;

impl Deref for Catalogue {
    type Target = [Entry];

    fn deref(&self) -> &[Entry] {
        &ENTRIES
    }
}

impl IntoIterator for Catalogue {
    type Item = &'static Entry;
    type IntoIter = std::slice::Iter<'static, Entry>;

    fn into_iter(self) -> Self::IntoIter {
        ENTRIES.iter()
    }
}

impl IntoIterator for &Catalogue {
    type Item = &'static Entry;
    type IntoIter = std::slice::Iter<'static, Entry>;

    fn into_iter(self) -> Self::IntoIter {
        ENTRIES.iter()
    }
}
