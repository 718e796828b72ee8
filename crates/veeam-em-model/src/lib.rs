//! Typed models of the Veeam Backup Enterprise Manager REST API and a lossless XML codec.
//!
//! The types in [`generated`] are produced by `cargo xtask regen` from `schemas/*.xsd` (each
//! says which schema type it came from); the XML runtime in [`xml`] is hand-written. Decode a
//! document whose root you know with [`from_slice`], or any document with
//! [`Document::from_slice`]:
//!
//! ```
//! use veeam_em_model::{from_str, to_string, EntityReferences};
//!
//! let xml = r#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0">
//!   <Ref Type="CdpReplicaSessionReference" Href="https://em:9398/api/cdpReplicaSessions/1"
//!        Name="CDP Policy 1@2021-02-11 19:08:36" UID="urn:veeam:CdpReplicaSession:1" />
//! </EntityReferences>"#;
//! let refs: EntityReferences = from_str(xml)?;
//! assert_eq!(refs.refs[0].uid.kind(), "CdpReplicaSession");
//! let again: EntityReferences = from_str(&to_string(&refs))?;
//! assert_eq!(again, refs);
//! # Ok::<(), veeam_em_model::DecodeError>(())
//! ```
//!
//! # Main items
//!
//! - Documents: [`EntityReferences`] of [`Ref`]s ([`EntityRef`]) with [`Link`]s, entities such
//!   as [`CdpReplicaSession`] and [`CdpReplicaTaskSession`], [`Task`], [`LogonSession`],
//!   [`QueryResult`], the server's [`Error`]; [`Document`] is any of them.
//! - Reading and writing: [`from_slice`], [`from_str`], [`to_string`], [`Document::from_slice`],
//!   [`Document::to_xml_string`]; errors are [`DecodeError`]s with the offset, line, column and
//!   element path.
//! - Large lists, item by item in bounded memory: [`stream`] ([`stream::Collection::stream`]
//!   over any `Read`, [`stream::ItemDecoder`] fed with bytes).
//! - Values: [`Uid`] (`urn:veeam:<Kind>:<id>`), [`DateTime`] (offset optional, ordered by
//!   instant), [`Text`] (a shared string); enumerations are open (`Other(String)`).
//! - Content from a newer server that the schemas do not know is kept in each value's
//!   `unknown` field ([`Unknown`]) and written back in place.
//! - The server's JSON form (`Accept: application/json`), with the `json` feature (on by
//!   default): [`json::from_slice`], [`json::to_string`], [`Document::from_json`],
//!   [`Document::to_json_string`]; every type is `Serialize` and `Deserialize` in that form.
//!   [`Wire`] names the two forms.
//!
//! Reading is tolerant (unknown attributes and elements are kept, enumerations are open, the
//! Veeam namespace may be bound to a prefix); writing is exact (schema order, default namespace,
//! escaping that every XML parser reads back the same).

pub mod datetime;
mod document;
#[allow(clippy::all, missing_docs)]
#[rustfmt::skip] // prettyplease formats it; `cargo xtask regen --check` guards it.
pub mod generated;
pub mod href;
#[cfg(feature = "json")]
pub mod json;
pub mod redact;
pub mod reflect;
pub mod stream;
pub mod text;
pub mod uid;
mod wire;
pub mod xml;

pub use datetime::DateTime;
pub use generated::*;
pub use href::Href;
pub use text::Text;
pub use uid::Uid;
pub use wire::Wire;
pub use xml::{
    from_slice, from_str, to_string, DecodeError, DecodeErrorKind, Limit, Limits, NotXml,
    RootElement, Unknown,
};

/// `Ref` items of an [`EntityReferences`] list are [`EntityRef`]s; the API uses both names.
pub type Ref = EntityRef;
