//! `Document`, the enum of every root element, from one list.
//!
//! The generated `mod.rs` names each root element once, in one invocation of [`documents!`]
//! (its variant, type, element name and doc); this macro writes the enum and every match over
//! it: decoding by root name (XML and JSON), the root's name, encoding, and the report of
//! unknown content. A new root element in the schemas is one more line of that list.

/// Writes `Document` and its impls from the list of root elements.
macro_rules! documents {
    ($($(#[$cfg:meta])* $variant:ident($ty:ident) $root:literal $doc:literal;)*) => {
        /// Any document of the API, chosen by its root element.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Document {
            $($(#[$cfg])* #[doc = $doc] $variant($ty),)*
        }

        impl Document {
            /// Every root element name the schemas declare, in schema order (those of a family
            /// left out of the build are refused by `from_slice`).
            pub const ROOT_ELEMENTS: &'static [&'static str] = &[$($root),*];

            /// Decodes a document, whatever its root element (it must be one of
            /// [`ROOT_ELEMENTS`](Self::ROOT_ELEMENTS)).
            pub fn from_slice(input: &[u8]) -> Result<Self, $crate::xml::DecodeError> {
                type DecodeFn = for<'a> fn(
                    &mut $crate::xml::XmlReader<'a>,
                    $crate::xml::Child<'a>,
                ) -> Result<Document, $crate::xml::DecodeError>;
                $crate::xml::decode_root(
                    input,
                    |name| {
                        let decode: DecodeFn = match std::str::from_utf8(name).ok()? {
                            $($(#[$cfg])* $root => |reader, element| {
                                <$ty as $crate::xml::FromXml>::from_xml(reader, element)
                                    .map(Self::$variant)
                            },)*
                            _ => return None,
                        };
                        Some(decode)
                    },
                    "of an API document (one of Document::ROOT_ELEMENTS)",
                    |reader, element, decode| decode(reader, element),
                )
            }

            /// The root element's name.
            pub fn root_element(&self) -> &'static str {
                match self {
                    $($(#[$cfg])* Self::$variant(_) => $root,)*
                }
            }

            /// Encodes the document as XML, as a server would send it.
            pub fn to_xml_string(&self) -> String {
                let mut writer = $crate::xml::XmlWriter::for_document();
                match self {
                    $($(#[$cfg])* Self::$variant(value) => {
                        $crate::xml::ToXml::to_xml(value, &mut writer, $root)
                    })*
                }
                let mut out = writer.into_string();
                out.push('\n');
                out
            }
        }

        /// Paths start with the root element's name (given `path` is empty).
        impl $crate::xml::CollectUnknown for Document {
            fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
                let (root, value): (&str, &dyn $crate::xml::CollectUnknown) = match self {
                    $($(#[$cfg])* Self::$variant(value) => ($root, value),)*
                };
                let len = path.len();
                if len > 0 {
                    path.push('/');
                }
                path.push_str(root);
                value.collect_unknown(path, found);
                path.truncate(len);
            }
        }

        /// The JSON form: the root element's content (the root's name is not written).
        #[cfg(feature = "json")]
        impl serde::Serialize for Document {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $($(#[$cfg])* Self::$variant(value) => serde::Serialize::serialize(value, serializer),)*
                }
            }
        }

        #[cfg(feature = "json")]
        impl Document {
            /// Decodes the JSON form of a document whose root element is `root` (one of
            /// [`ROOT_ELEMENTS`](Self::ROOT_ELEMENTS)): the JSON form does not name it.
            pub fn from_json(root: &str, input: &[u8]) -> Result<Self, $crate::xml::DecodeError> {
                let decoded = match root {
                    $($(#[$cfg])* $root => $crate::json::from_slice(input).map(Self::$variant),)*
                    other => return Err($crate::json::unknown_root(other, input)),
                };
                decoded.map_err(|e| e.in_element(root, None))
            }
        }
    };
}

pub(crate) use documents;
