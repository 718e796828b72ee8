//! `mod.rs` of the generated model: the modules (one per schema file, each behind its family's
//! feature) and the `Document` enum of every root element.

use std::collections::BTreeSet;

use anyhow::{bail, Result};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{doc_lines, ident, Renderer};
use crate::names;

impl Renderer<'_> {
    /// `mod.rs`: the modules, their re-exports and the `Document` enum of all root elements.
    pub(super) fn module_root(&self, modules: &[String]) -> Result<TokenStream> {
        // Each schema file's module is compiled with its family (always, for `common` and
        // `query`).
        let mods = modules.iter().map(|m| {
            let module = format_ident!("{}", m);
            let cfg = crate::families::cfg(m);
            quote! {
                #cfg mod #module;
                #cfg pub use #module::*;
            }
        });
        let mut variants = TokenStream::new();
        let mut select = TokenStream::new();
        let mut name_arms = TokenStream::new();
        let mut write_arms = TokenStream::new();
        let mut ser_arms = TokenStream::new();
        let mut json_arms = TokenStream::new();
        let mut typed_roots = Vec::new();
        let mut visit_arms = TokenStream::new();
        let mut root_names = Vec::new();
        let mut seen = BTreeSet::new();
        for root in &self.model.roots {
            if !seen.insert(root.name.clone()) {
                bail!("global element {} is declared twice", root.name);
            }
            let variant = ident(&names::type_name(&root.name));
            let ty = ident(&root.type_name);
            let name = &root.name;
            let key = Literal::byte_string(name.as_bytes());
            let cfg = crate::families::cfg(&crate::families::of_file(&root.source_file));
            let mut doc = vec![format!("`<{name}>`, declared in `{}`.", root.source_file)];
            if let Some(d) = &root.doc {
                doc.push(d.clone());
            }
            let doc = doc_lines(&doc);
            variants.extend(quote!(#cfg #doc #variant(#ty),));
            select.extend(quote!(#cfg #key => |reader, element| #ty::from_xml(reader, element).map(Self::#variant),));
            name_arms.extend(quote!(#cfg Self::#variant(_) => #name,));
            write_arms
                .extend(quote!(#cfg Self::#variant(value) => value.to_xml(&mut writer, #name),));
            ser_arms.extend(quote!(#cfg Self::#variant(value) => serde::Serialize::serialize(value, serializer),));
            json_arms
                .extend(quote!(#cfg #name => crate::json::from_slice(input).map(Self::#variant),));
            if let Some(crate::ir::TypeDef::Complex(c)) = self.model.types.get(&root.type_name) {
                if c.attributes.iter().any(|a| a.name == "Type") {
                    typed_roots.push(name.clone());
                }
            }
            visit_arms.extend(quote!(#cfg Self::#variant(value) => {
                let len = path.len();
                if len > 0 { path.push('/'); }
                path.push_str(#name);
                crate::xml::CollectUnknown::collect_unknown(value, path, found);
                path.truncate(len);
            }));
            root_names.push(name.clone());
        }
        let codecs = self.model.types.values().filter_map(|t| match t {
            crate::ir::TypeDef::Complex(c) => {
                let xsd = &c.xsd_name;
                let ty = ident(&c.rust_name);
                let cfg = crate::families::cfg(&crate::families::of_file(&c.source_file));
                Some(quote!(#cfg #xsd => &crate::reflect::Codec::<#ty>::NEW,))
            }
            crate::ir::TypeDef::Enum(_) => None,
        });
        let parts = modules.iter().map(|m| {
            let module = format_ident!("{}", m);
            let cfg = crate::families::cfg(m);
            quote!(#cfg parts.push(#module::REFLECT);)
        });
        Ok(quote! {
            //! Types generated from `schemas/*.xsd`, one module per schema file.
            #(#mods)*

            use crate::xml::{Child, DecodeError, FromXml, ToXml, XmlReader, XmlWriter};

            /// The parts of [`crate::reflect`] of the families built.
            pub(crate) fn reflect_parts() -> Vec<crate::reflect::Part> {
                let mut parts = Vec::new();
                #(#parts)*
                parts
            }

            /// The codecs of a complex type by schema name (see [`crate::reflect::codec`]).
            pub(crate) fn codec(name: &str) -> Option<&'static dyn crate::reflect::TypeCodec> {
                Some(match name {
                    #(#codecs)*
                    _ => return None,
                })
            }

            type DecodeFn = for<'a> fn(&mut XmlReader<'a>, Child<'a>) -> Result<Document, DecodeError>;

            /// Any document of the API, chosen by its root element.
            #[derive(Debug, Clone, PartialEq)]
            pub enum Document {
                #variants
            }

            impl Document {
                /// Every root element name the schemas declare, in schema order (those of a family
                /// left out of the build are refused by `from_slice`).
                pub const ROOT_ELEMENTS: &'static [&'static str] = &[#(#root_names),*];

                /// Decodes a document, whatever its root element (it must be one of
                /// [`ROOT_ELEMENTS`](Self::ROOT_ELEMENTS)).
                pub fn from_slice(input: &[u8]) -> Result<Self, DecodeError> {
                    crate::xml::decode_root(
                        input,
                        |name| {
                            let decode: DecodeFn = match name {
                                #select
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
                    match self { #name_arms }
                }

                /// Encodes the document as XML, as a server would send it.
                pub fn to_xml_string(&self) -> String {
                    let mut writer = XmlWriter::for_document();
                    match self { #write_arms }
                    let mut out = writer.into_string();
                    out.push('\n');
                    out
                }
            }

            /// Paths start with the root element's name (given `path` is empty).
            impl crate::xml::CollectUnknown for Document {
                fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
                    match self { #visit_arms }
                }
            }

            /// The JSON form: the root element's content (the root's name is not written).
            #[cfg(feature = "json")]
            impl serde::Serialize for Document {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self { #ser_arms }
                }
            }

            #[cfg(feature = "json")]
            impl Document {
                /// Root elements whose type has a `Type` attribute: a JSON document of one of
                /// them names its root in its `Type` key (see [`Document::json_root`]).
                pub const TYPED_ROOTS: &'static [&'static str] = &[#(#typed_roots),*];

                /// Decodes the JSON form of a document whose root element is `root` (one of
                /// [`ROOT_ELEMENTS`](Self::ROOT_ELEMENTS)): the JSON form does not name it.
                pub fn from_json(root: &str, input: &[u8]) -> Result<Self, DecodeError> {
                    let decoded = match root {
                        #json_arms
                        other => return Err(crate::json::unknown_root(other, input)),
                    };
                    decoded.map_err(|e| e.in_element(root, None))
                }
            }
        })
    }
}
