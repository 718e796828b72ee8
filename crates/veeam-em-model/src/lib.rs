//! Typed models of the Veeam Backup Enterprise Manager REST API and a lossless XML codec.
//!
//! The types in [`generated`] are produced by `cargo xtask regen` from `schemas/*.xsd`; the XML
//! runtime in [`xml`] is hand-written. Decode a document whose root you know with
//! [`from_slice`], or any document with [`Document::from_slice`]:
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
//! Reading is tolerant (unknown attributes and elements are kept, enumerations are open, the
//! Veeam namespace may be bound to a prefix); writing is exact (schema order, default namespace).

pub mod datetime;
#[allow(clippy::all, missing_docs)]
#[rustfmt::skip] // prettyplease formats it; `cargo xtask regen --check` guards it.
pub mod generated;
#[cfg(feature = "serde")]
#[doc(hidden)]
pub mod json;
pub mod stream;
pub mod text;
pub mod uid;
pub mod xml;

pub use datetime::DateTime;
pub use generated::*;
pub use text::Text;
pub use uid::Uid;
pub use xml::{
    from_slice, from_str, to_string, DecodeError, DecodeErrorKind, NotXml, RootElement, Unknown,
};

/// `Ref` items of an [`EntityReferences`] list are [`EntityRef`]s; the API uses both names.
pub type Ref = EntityRef;
