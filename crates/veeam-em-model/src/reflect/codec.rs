//! Decoding and encoding any complex type by its schema name (feature `codecs`): for tests of
//! document fragments and for tools. It compiles every type's decoders and encoders in both
//! wire forms whether a program uses them or not, so it is off by default; the workspace's
//! tests turn it on.

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
