//! A description of the schemas at run time: every type with its attributes and content, every
//! enumeration with its values, every root element. Generated with the models (each family's
//! part behind its feature) and joined here on first use.
//!
//! Why: code that must handle every type of the API without code per type reads this instead
//! of being written per type. The simulator builds plausible documents of any representation
//! from it, and `cargo xtask drift` and tools can walk the schemas without parsing XSD.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The value type of an attribute or of an element with simple content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `xs:string` and similar.
    String,
    /// `xs:anyURI`.
    Href,
    /// `xs:boolean`.
    Bool,
    /// `xs:int`.
    Int,
    /// `xs:long`.
    Long,
    /// `xs:unsignedInt` and smaller.
    UnsignedInt,
    /// `xs:double`, `xs:float`, `xs:decimal`.
    Double,
    /// `xs:dateTime`.
    DateTime,
    /// `UidType` (`urn:veeam:<Kind>:<id>`).
    Uid,
    /// A string enumeration, by schema type name (see [`enumeration`]).
    Enum(&'static str),
}

/// An attribute of a type.
#[derive(Debug, Clone, Copy)]
pub struct AttributeInfo {
    pub name: &'static str,
    pub value: ValueKind,
    pub required: bool,
}

/// What an element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementKind {
    /// Text of this value type.
    Value(ValueKind),
    /// A complex type, by schema type name (see [`complex`]).
    Complex(&'static str),
}

/// One element of a content model.
#[derive(Debug, Clone, Copy)]
pub struct ElementInfo {
    pub name: &'static str,
    pub kind: ElementKind,
    pub min: u32,
    /// `None`: unbounded.
    pub max: Option<u32>,
}

/// One entry of a content model, in schema order.
#[derive(Debug, Clone, Copy)]
pub enum ParticleInfo {
    Element(ElementInfo),
    /// An `xs:choice` of single elements, with the choice's own occurrence.
    Choice {
        min: u32,
        max: Option<u32>,
        alternatives: &'static [ElementInfo],
    },
}

/// A complex type (base types flattened in: base members first).
#[derive(Debug, Clone, Copy)]
pub struct TypeInfo {
    /// Schema type name, e.g. `JobEntityType`.
    pub name: &'static str,
    /// The family (schema file stem), e.g. `jobs`.
    pub family: &'static str,
    pub attributes: &'static [AttributeInfo],
    pub content: &'static [ParticleInfo],
    /// For simple content: the type of the text.
    pub text: Option<ValueKind>,
}

/// A string enumeration.
#[derive(Debug, Clone, Copy)]
pub struct EnumInfo {
    /// Schema type name, e.g. `SessionResultType`.
    pub name: &'static str,
    pub values: &'static [&'static str],
}

/// A root element: a document of the API.
#[derive(Debug, Clone, Copy)]
pub struct RootInfo {
    pub element: &'static str,
    /// Schema type name.
    pub type_name: &'static str,
}

struct Index {
    types: HashMap<&'static str, &'static TypeInfo>,
    enums: HashMap<&'static str, &'static EnumInfo>,
    roots: HashMap<&'static str, &'static RootInfo>,
    secrets: std::collections::HashSet<(&'static str, &'static str)>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut index = Index {
        types: HashMap::new(),
        enums: HashMap::new(),
        roots: HashMap::new(),
        secrets: std::collections::HashSet::new(),
    };
    for part in crate::generated::reflect_parts() {
        index.types.extend(part.0.iter().map(|t| (t.name, t)));
        index.enums.extend(part.1.iter().map(|e| (e.name, e)));
        index.roots.extend(part.2.iter().map(|r| (r.element, r)));
        index.secrets.extend(part.3.iter().copied());
    }
    index
});

/// The complex type named `name` (schema name), if its family is built.
pub fn complex(name: &str) -> Option<&'static TypeInfo> {
    INDEX.types.get(name).copied()
}

/// The enumeration named `name` (schema name), if its family is built.
pub fn enumeration(name: &str) -> Option<&'static EnumInfo> {
    INDEX.enums.get(name).copied()
}

/// The root element `element`, if its family is built.
pub fn root(element: &str) -> Option<&'static RootInfo> {
    INDEX.roots.get(element).copied()
}

/// Every root element of the families built.
pub fn roots() -> impl Iterator<Item = &'static RootInfo> {
    INDEX.roots.values().copied()
}

/// Whether element `element` of complex type `type_name` (schema names) holds a secret
/// (`<em:secret/>` in the schemas: a password).
pub fn is_secret(type_name: &str, element: &str) -> bool {
    INDEX.secrets.contains(&(type_name, element))
}

/// One family's part: its types, enumerations, root elements and secret members (`(type,
/// element)`).
pub type Part = (
    &'static [TypeInfo],
    &'static [EnumInfo],
    &'static [RootInfo],
    &'static [(&'static str, &'static str)],
);
