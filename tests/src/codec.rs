//! Decoding and encoding any complex type by its schema name, for the tests of document
//! fragments. It lives here rather than in the model crate because it compiles every type's
//! decoders and encoders in both wire forms, which no program needs; the table of types is
//! generated (`generated/mod.rs`, by `cargo xtask regen`) over the model's public traits.

use veeam_em_model::{json, xml, DecodeError, Wire};

/// The codecs of one complex type, for code that handles types by schema name (tests of
/// document fragments, tools): decode in one form, write in a form.
pub trait TypeCodec: Sync {
    /// Decodes an XML element of this type (whatever its name; in the Veeam namespace) and
    /// writes it back as XML under the same name.
    fn xml_to_xml(&self, input: &[u8]) -> Result<String, DecodeError>;

    /// Decodes the JSON form of this type and writes it as the XML element `element`.
    fn json_to_xml(&self, input: &[u8], element: &str) -> Result<String, DecodeError>;

    /// Decodes an XML element of this type and writes it in the JSON form.
    fn xml_to_json(&self, input: &[u8]) -> Result<String, DecodeError>;

    /// Decodes the JSON form of this type and writes it back in the JSON form.
    fn json_to_json(&self, input: &[u8]) -> Result<String, DecodeError>;

    /// What the schemas know of a document in either form (unknown content left out), as the
    /// XML element `element`: two documents that agree here decode to equal values but for
    /// content a newer server added.
    fn known_xml(&self, wire: Wire, input: &[u8], element: &str) -> Result<String, DecodeError>;
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

fn decode_any_root<T: xml::FromXml>(input: &[u8]) -> Result<(String, T), DecodeError> {
    let mut name = String::new();
    let value = xml::decode_root(
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

fn write_xml<T: xml::ToXml>(value: &T, element: &str) -> String {
    write_with(xml::XmlWriter::for_document(), value, element)
}

fn write_with<'v, T: xml::ToXml>(
    mut writer: xml::XmlWriter<'v>,
    value: &'v T,
    element: &str,
) -> String {
    value.to_xml(&mut writer, element);
    let mut out = writer.into_string();
    out.push('\n');
    out
}

impl<T> TypeCodec for Codec<T>
where
    T: xml::FromXml + xml::ToXml + json::JsonType + serde::Serialize,
{
    fn xml_to_xml(&self, input: &[u8]) -> Result<String, DecodeError> {
        let (name, value) = decode_any_root::<T>(input)?;
        Ok(write_xml(&value, &name))
    }

    fn json_to_xml(&self, input: &[u8], element: &str) -> Result<String, DecodeError> {
        let value: T = json::from_slice(input)?;
        Ok(write_xml(&value, element))
    }

    fn xml_to_json(&self, input: &[u8]) -> Result<String, DecodeError> {
        let (_, value) = decode_any_root::<T>(input)?;
        Ok(json::to_string(&value))
    }

    fn json_to_json(&self, input: &[u8]) -> Result<String, DecodeError> {
        let value: T = json::from_slice(input)?;
        Ok(json::to_string(&value))
    }

    fn known_xml(&self, wire: Wire, input: &[u8], element: &str) -> Result<String, DecodeError> {
        let value: T = match wire {
            Wire::Xml => decode_any_root::<T>(input)?.1,
            Wire::Json => json::from_slice(input)?,
        };
        let writer = xml::XmlWriter::for_document().skipping_unknown();
        Ok(write_with(writer, &value, element))
    }
}

/// The codecs of the complex type named `name` (schema name).
pub fn codec(name: &str) -> Option<&'static dyn TypeCodec> {
    crate::generated::codec(name)
}
