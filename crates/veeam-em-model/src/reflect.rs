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

/// The codecs of one complex type, for code that handles types by schema name (tests of
/// document fragments, tools): decode in one form, write in a form.
pub trait TypeCodec: Sync {
    /// Decodes an XML element of this type (whatever its name; in the Veeam namespace) and
    /// writes it back as XML under the same name.
    fn xml_to_xml(&self, input: &[u8]) -> Result<String, crate::DecodeError>;

    /// Decodes the JSON form of this type and writes it as the XML element `element`.
    #[cfg(feature = "json")]
    fn json_to_xml(&self, input: &[u8], element: &str) -> Result<String, crate::DecodeError>;

    /// Decodes an XML element of this type and writes it in the JSON form.
    #[cfg(feature = "json")]
    fn xml_to_json(&self, input: &[u8]) -> Result<String, crate::DecodeError>;

    /// Decodes the JSON form of this type and writes it back in the JSON form.
    #[cfg(feature = "json")]
    fn json_to_json(&self, input: &[u8]) -> Result<String, crate::DecodeError>;

    /// What the schemas know of a document in either form (unknown content left out), as the
    /// XML element `element`: two documents that agree here decode to equal values but for
    /// content a newer server added.
    fn known_xml(
        &self,
        wire: crate::Wire,
        input: &[u8],
        element: &str,
    ) -> Result<String, crate::DecodeError>;
}

/// [`TypeCodec`] of the generated type `T`.
pub struct Codec<T>(std::marker::PhantomData<fn() -> T>);

impl<T> Codec<T> {
    /// The codec (a constant, so that `&Codec::<T>::NEW` is `'static`).
    pub const NEW: Self = Codec(std::marker::PhantomData);
}

impl<T> std::fmt::Debug for Codec<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Codec<{}>", std::any::type_name::<T>())
    }
}

fn decode_any_root<T: crate::xml::FromXml>(
    input: &[u8],
) -> Result<(String, T), crate::DecodeError> {
    let mut name = String::new();
    let value = crate::xml::decode_root(
        input,
        |local| {
            name = String::from_utf8_lossy(local).into_owned();
            Some(())
        },
        "any element",
        |reader, child, ()| T::from_xml(reader, child),
    )?;
    Ok((name, value))
}

fn write_xml<T: crate::xml::ToXml>(value: &T, element: &str) -> String {
    write_with(crate::xml::XmlWriter::for_document(), value, element)
}

fn write_with<'v, T: crate::xml::ToXml>(
    mut writer: crate::xml::XmlWriter<'v>,
    value: &'v T,
    element: &str,
) -> String {
    value.to_xml(&mut writer, element);
    let mut out = writer.into_string();
    out.push('\n');
    out
}

#[cfg(feature = "json")]
impl<T> TypeCodec for Codec<T>
where
    T: crate::xml::FromXml + crate::xml::ToXml + crate::json::JsonType + serde::Serialize,
{
    fn xml_to_xml(&self, input: &[u8]) -> Result<String, crate::DecodeError> {
        let (name, value) = decode_any_root::<T>(input)?;
        Ok(write_xml(&value, &name))
    }

    fn json_to_xml(&self, input: &[u8], element: &str) -> Result<String, crate::DecodeError> {
        let value: T = crate::json::from_slice(input)?;
        Ok(write_xml(&value, element))
    }

    fn xml_to_json(&self, input: &[u8]) -> Result<String, crate::DecodeError> {
        let (_, value) = decode_any_root::<T>(input)?;
        Ok(crate::json::to_string(&value))
    }

    fn json_to_json(&self, input: &[u8]) -> Result<String, crate::DecodeError> {
        let value: T = crate::json::from_slice(input)?;
        Ok(crate::json::to_string(&value))
    }

    fn known_xml(
        &self,
        wire: crate::Wire,
        input: &[u8],
        element: &str,
    ) -> Result<String, crate::DecodeError> {
        let value: T = match wire {
            crate::Wire::Xml => decode_any_root::<T>(input)?.1,
            crate::Wire::Json => crate::json::from_slice(input)?,
        };
        let writer = crate::xml::XmlWriter::for_document().skipping_unknown();
        Ok(write_with(writer, &value, element))
    }
}

#[cfg(not(feature = "json"))]
impl<T: crate::xml::FromXml + crate::xml::ToXml> TypeCodec for Codec<T> {
    fn xml_to_xml(&self, input: &[u8]) -> Result<String, crate::DecodeError> {
        let (name, value) = decode_any_root::<T>(input)?;
        Ok(write_xml(&value, &name))
    }

    fn known_xml(
        &self,
        _wire: crate::Wire,
        input: &[u8],
        element: &str,
    ) -> Result<String, crate::DecodeError> {
        let (_, value) = decode_any_root::<T>(input)?;
        let writer = crate::xml::XmlWriter::for_document().skipping_unknown();
        Ok(write_with(writer, &value, element))
    }
}

/// The codecs of the complex type named `name` (schema name), if its family is built.
pub fn codec(name: &str) -> Option<&'static dyn TypeCodec> {
    crate::generated::codec(name)
}
