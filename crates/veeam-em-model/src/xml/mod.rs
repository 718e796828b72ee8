//! The hand-written XML runtime the generated models are built on.
//!
//! `reader` and `writer` are thin layers over quick-xml that the generated `FromXml`/`ToXml`
//! impls drive; `value` converts simple values; `unknown` keeps content from newer servers;
//! `error` is the positioned decode error. Nothing here knows a concrete API type.

mod attributes;
mod error;
mod escape;
mod fields;
mod limits;
mod reader;
mod unknown;
mod value;
mod writer;

pub use attributes::{RawAttribute, RawAttributes};
pub(crate) use error::advance;
pub(crate) use error::stray_text;
pub use error::{DecodeError, DecodeErrorKind, NotXml};
#[cfg(feature = "json")]
pub(crate) use escape::escape_text;
pub use limits::{Limit, Limits};
pub(crate) use reader::is_blank;
pub use reader::{Child, FromXml, XmlReader};
pub use unknown::{
    unknown_paths, visit_unknown, CollectUnknown, Unknown, UnknownContent, UnknownElement,
};
pub use value::XmlValue;
pub use writer::{ToXml, XmlWriter};

/// The namespace of every element of the API.
pub const NAMESPACE: &str = "http://www.veeam.com/ent/v1.0";

/// Deepest element nesting accepted; real documents stay under 15 levels.
pub const MAX_DEPTH: usize = 64;

/// A type that can be a whole document: it has a root element name.
pub trait RootElement: FromXml + ToXml {
    /// The root element's name, e.g. `EntityReferences` (the one written).
    const ELEMENT: &'static str;
    /// Other root names of the same type that servers send (accepted when reading).
    const ALIASES: &'static [&'static str] = &[];
}

/// Decodes a document whose root element must be `T::ELEMENT`.
pub fn from_slice<T: RootElement>(input: &[u8]) -> Result<T, DecodeError> {
    let expected = std::iter::once(T::ELEMENT)
        .chain(T::ALIASES.iter().copied())
        .map(|n| format!("<{n}>"))
        .collect::<Vec<_>>()
        .join(" or ");
    let accepts = |name: &[u8]| {
        (name == T::ELEMENT.as_bytes() || T::ALIASES.iter().any(|a| a.as_bytes() == name))
            .then_some(())
    };
    decode_root(input, accepts, &expected, |r, c, ()| T::from_xml(r, c))
}

/// Decodes a document from a string; see [`from_slice`].
pub fn from_str<T: RootElement>(input: &str) -> Result<T, DecodeError> {
    from_slice(input.as_bytes())
}

/// Encodes `value` as a document with the root element `T::ELEMENT`.
pub fn to_string<T: RootElement>(value: &T) -> String {
    let mut writer = XmlWriter::for_document();
    value.to_xml(&mut writer, T::ELEMENT);
    let mut out = writer.into_string();
    out.push('\n');
    out
}

/// Shared driver: reads the root, lets `select` pick a decoder by the root's local name, decodes,
/// checks nothing follows, and locates any error in `input`.
#[doc(hidden)]
pub fn decode_root<'a, K, T>(
    input: &'a [u8],
    select: impl FnOnce(&[u8]) -> Option<K>,
    expected: &str,
    decode: impl FnOnce(&mut XmlReader<'a>, Child<'a>, K) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let result = (|| {
        let mut reader = XmlReader::new(input);
        let root = reader.read_root()?;
        let local = root.start.local_name();
        let name = String::from_utf8_lossy(local.as_ref()).into_owned();
        let Some(kind) = select(local.as_ref()) else {
            return Err(reader.error_at(
                DecodeErrorKind::UnexpectedRoot {
                    expected: expected.to_owned(),
                    found: String::from_utf8_lossy(root.start.name().as_ref()).into_owned(),
                },
                root.offset,
            ));
        };
        let value = decode(&mut reader, root, kind).map_err(|e| e.in_element(&name, None))?;
        reader.finish()?;
        Ok(value)
    })();
    result.map_err(|e| e.locate(input))
}
