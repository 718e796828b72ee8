//! String enumerations -> open enums (`Other(String)` keeps unknown values).

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_lines, ident, Renderer};
use crate::ir::EnumType;

impl Renderer<'_> {
    pub(super) fn enumeration(&self, e: &EnumType) -> Result<TokenStream> {
        let ty = ident(&e.rust_name);
        let mut docs = Vec::new();
        if let Some(d) = &e.doc {
            docs.push(d.clone());
            docs.push(String::new());
        }
        docs.push(format!(
            "Schema type `{}` in `{}`. Open: a value the schema does not list is kept as `Other`.",
            e.xsd_name, e.source_file
        ));
        let docs = doc_lines(&docs);
        let mut variants = TokenStream::new();
        let mut parse_arms = TokenStream::new();
        let mut str_arms = TokenStream::new();
        for (i, (value, vname)) in e.values.iter().zip(&e.variants).enumerate() {
            let variant = ident(vname);
            let vdoc = doc_lines(&[format!("`{value}`")]);
            // The first value is the default (every generated type is `Default`).
            let default = (i == 0).then(|| quote!(#[default]));
            variants.extend(quote!(#vdoc #default #variant,));
            parse_arms.extend(quote!(#value => Self::#variant,));
            str_arms.extend(quote!(Self::#variant => #value,));
        }
        let expected = format!("a {} value", e.xsd_name);
        let known = &e.values;
        Ok(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
            pub enum #ty {
                #variants
                /// A value this schema does not list (e.g. from a newer server), kept as sent.
                Other(String),
            }

            impl #ty {
                /// The values the schema lists, in schema order.
                pub const KNOWN: &'static [&'static str] = &[#(#known),*];

                /// The value as written in XML.
                pub fn as_str(&self) -> &str {
                    match self {
                        #str_arms
                        Self::Other(value) => value,
                    }
                }
            }

            impl From<&str> for #ty {
                fn from(value: &str) -> Self {
                    match value {
                        #parse_arms
                        other => Self::Other(other.to_owned()),
                    }
                }
            }

            impl std::fmt::Display for #ty {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl crate::xml::XmlValue for #ty {
                const EXPECTED: &'static str = #expected;

                fn parse_xml(text: &str, _strings: &mut crate::text::Interner) -> Option<Self> {
                    Some(Self::from(text.trim()))
                }

                fn write_xml(&self, out: &mut String) {
                    out.push_str(self.as_str());
                }
            }

            #[cfg(feature = "json")]
            crate::json::enum_impls!(#ty);
        })
    }
}
