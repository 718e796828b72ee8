//! The small intermediate representation between the XSD front end and the Rust renderer.
//!
//! Why our own IR: xsd-parser's meta types describe every corner of XSD; the renderer only needs
//! what the Veeam schemas use (flat sequences of elements and choices, attributes, open string
//! enumerations, a few primitive types). Keeping this IR small keeps the renderer simple and lets
//! fix-ups (`fixups.rs`) operate on plain data.
//!
//! Everything here is ordered deterministically: `types` is a `BTreeMap` keyed by Rust name and
//! every `Vec` keeps schema order.

use std::collections::BTreeMap;

/// Everything read from `schemas/*.xsd`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Model {
    /// All named types, keyed by their Rust name (XSD name without the `Type` suffix).
    pub types: BTreeMap<String, TypeDef>,
    /// Global elements, i.e. documents the API can send or receive, in schema order.
    pub roots: Vec<RootElement>,
}

/// A global `xs:element`: a possible document root.
#[derive(Debug, Clone, PartialEq)]
pub struct RootElement {
    /// The element name, e.g. `EntityReferences`.
    pub name: String,
    /// Rust name of its complex type, e.g. `EntityReferences`.
    pub type_name: String,
    /// The schema file it was declared in, relative to the workspace root (`schemas/common.xsd`).
    pub source_file: String,
    pub doc: Option<String>,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    Complex(ComplexType),
    Enum(EnumType),
}

impl TypeDef {
    pub fn source_file(&self) -> &str {
        match self {
            TypeDef::Complex(c) => &c.source_file,
            TypeDef::Enum(e) => &e.source_file,
        }
    }
}

/// A complex type with its base types already flattened in (base members first).
#[derive(Debug, Clone, PartialEq)]
pub struct ComplexType {
    /// Name in the schema, e.g. `CdpReplicaSessionType`.
    pub xsd_name: String,
    /// Rust name, e.g. `CdpReplicaSession`.
    pub rust_name: String,
    /// Schema file relative to the workspace root.
    pub source_file: String,
    /// Text of `xs:annotation/xs:documentation`, whitespace-normalised.
    pub doc: Option<String>,
    /// XSD name of the base type (`xs:extension base`), for documentation only.
    pub base: Option<String>,
    pub attributes: Vec<Attribute>,
    /// Child content in schema order (empty for simple content).
    pub content: Vec<Particle>,
    /// For `xs:simpleContent`: the type of the element's text (its attributes are in
    /// `attributes`).
    pub text: Option<ValueType>,
    /// The JSON form of the type (set by `json_form::assign`).
    pub json: JsonShape,
}

/// How a complex type is written in the JSON form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum JsonShape {
    /// An object of its members (the default).
    #[default]
    Object,
    /// A list type written as the bare array of its items (`"Links": [...]`).
    Flat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// XML name, e.g. `Href`.
    pub name: String,
    /// Rust field name, set by the naming pass (`names::assign`); fix-ups may change it.
    pub rust_name: String,
    pub ty: ValueType,
    pub required: bool,
    pub doc: Option<String>,
}

/// One entry of a type's content model.
#[derive(Debug, Clone, PartialEq)]
pub enum Particle {
    Element(ElementField),
    /// An `xs:choice` between elements; `min`/`max` are the choice's own occurrence.
    Choice(ChoiceField),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ElementField {
    /// XML name, e.g. `Ref`.
    pub name: String,
    /// Rust name, set by the naming pass: the field name of a member, the variant name of a
    /// choice alternative.
    pub rust_name: String,
    pub ty: FieldType,
    pub min: u32,
    /// `None` means unbounded.
    pub max: Option<u32>,
    pub doc: Option<String>,
    /// The member's key in the JSON form (set by `json_form::assign`).
    pub json_key: String,
    /// Other keys read as this member (`<em:json alias=...>`, set by `json_form::assign`).
    pub json_aliases: Vec<String>,
    /// It holds a secret (`<em:secret/>`, set by `secrets::assign`): tools show it redacted.
    pub secret: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceField {
    /// Name of the Rust enum (derived from the variants, or given by a fix-up).
    pub name: String,
    /// Rust field name, set by the naming pass.
    pub rust_name: String,
    pub min: u32,
    /// `None` means unbounded.
    pub max: Option<u32>,
    /// Each alternative: a single element (its own min/max are 1/1).
    pub variants: Vec<ElementField>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// Text content of a primitive or enumeration type.
    Value(ValueType),
    /// A complex type, by Rust name.
    Complex(String),
}

/// The primitive value types the runtime knows how to read and write.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValueType {
    /// `xs:string`, `xs:token`, `xs:normalizedString` and similar.
    String,
    /// `xs:anyURI`: an href, followable (`veeam_em_model::Href`).
    Href,
    /// `xs:boolean`.
    Bool,
    /// `xs:int`.
    Int,
    /// `xs:long`.
    Long,
    /// `xs:unsignedInt`, `xs:unsignedShort`, `xs:unsignedByte`.
    UnsignedInt,
    /// `xs:double`, `xs:float`, `xs:decimal`.
    Double,
    /// `xs:dateTime`.
    DateTime,
    /// Our `UidType` (`urn:veeam:<Type>:<id>`).
    Uid,
    /// A string enumeration, by Rust name.
    Enum(String),
}

/// An `xs:simpleType` restricting `xs:string` with `xs:enumeration` facets.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub xsd_name: String,
    pub rust_name: String,
    pub source_file: String,
    pub doc: Option<String>,
    /// The enumerated values in schema order.
    pub values: Vec<String>,
    /// Their Rust variant names (same order), set by the naming pass.
    pub variants: Vec<String>,
}
