//! Writing documents: links and addresses from the catalogue's declarations (`links`), entity
//! documents of any type from the schemas (`sample`) with plausible values (`values`), the
//! documents of objects and lists (`documents`), and merging what requests changed (`edits`).

pub(crate) mod documents;
pub(crate) mod edits;
pub(crate) mod links;
pub(crate) mod sample;
pub(crate) mod values;
