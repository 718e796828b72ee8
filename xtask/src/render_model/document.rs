//! `mod.rs` of the generated model: the modules (one per schema file, each behind its family's
//! feature) and the list of root elements that `documents!` makes the `Document` enum of; and
//! the tests' table of every complex type's codecs (`tests/src/generated/`).

use std::collections::BTreeSet;

use anyhow::{bail, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, Renderer};
use crate::names;

impl Renderer<'_> {
    /// `mod.rs`: the modules and their re-exports, and the list of root elements that
    /// `documents!` (in `veeam-em-model/src/document.rs`) makes the `Document` enum of.
    pub(super) fn module_root(&self, modules: &[String]) -> Result<(TokenStream, String)> {
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
        let mut documents = Vec::new();
        let mut typed_roots = Vec::new();
        let mut seen = BTreeSet::new();
        for root in &self.model.roots {
            if !seen.insert(root.name.clone()) {
                bail!("global element {} is declared twice", root.name);
            }
            let variant = names::type_name(&root.name);
            let name = &root.name;
            let mut doc = format!(" `<{name}>`, declared in `{}`.", root.source_file);
            if let Some(d) = &root.doc {
                doc.push_str("\n ");
                doc.push_str(d);
            }
            documents.push(crate::lists::item(
                &crate::families::of_file(&root.source_file),
                &format!("{variant}({}) {name:?} {doc:?};", root.type_name),
            ));
            if let Some(crate::ir::TypeDef::Complex(c)) = self.model.types.get(&root.type_name) {
                if c.attributes.iter().any(|a| a.name == "Type") {
                    typed_roots.push(name.clone());
                }
            }
        }
        let parts = modules.iter().map(|m| {
            let module = format_ident!("{}", m);
            let cfg = crate::families::cfg(m);
            quote!(#cfg parts.push(#module::REFLECT);)
        });
        let tokens = quote! {
            //! Types generated from `schemas/*.xsd`, one module per schema file.
            #(#mods)*

            /// The parts of [`crate::reflect`] of the families built.
            pub(crate) fn reflect_parts() -> Vec<crate::reflect::Part> {
                let mut parts = Vec::new();
                #(#parts)*
                parts
            }

            #[cfg(feature = "json")]
            impl Document {
                /// Root elements whose type has a `Type` attribute: a JSON document of one of
                /// them names its root in its `Type` key (see [`Document::json_root`]).
                pub const TYPED_ROOTS: &'static [&'static str] = &[#(#typed_roots),*];
            }
        };
        let documents = crate::lists::ListCall::new("crate::document::documents")
            .section("", documents)
            .render("The `Document` enum of every root element, and every match over it, from one list.");
        Ok((tokens, documents))
    }

    /// `tests/src/generated/mod.rs`: every complex type's codecs by schema name, for the
    /// workspace's tests of fragments (`tests/src/codec.rs`). The tests crate builds every family.
    pub(super) fn codecs(&self) -> TokenStream {
        let codecs = self.model.types.values().filter_map(|t| match t {
            crate::ir::TypeDef::Complex(c) => {
                let xsd = &c.xsd_name;
                let ty = ident(&c.rust_name);
                Some(quote!(#xsd => &Codec::<m::#ty>::NEW,))
            }
            crate::ir::TypeDef::Enum(_) => None,
        });
        quote! {
            //! The codecs of every complex type of the schemas, by schema name.
            use crate::codec::{Codec, TypeCodec};
            use veeam_em_model as m;

            /// The codecs of the complex type named `name` (schema name).
            pub(crate) fn codec(name: &str) -> Option<&'static dyn TypeCodec> {
                Some(match name {
                    #(#codecs)*
                    _ => return None,
                })
            }
        }
    }
}
