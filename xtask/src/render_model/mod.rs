//! The renderer: IR -> Rust source, one file per schema file plus `mod.rs`, and the tests'
//! codec table. Split by what it emits: `structs` (complex types), `choices`, `enums`,
//! `document` (`mod.rs` and the codec table).
//!
//! Every item is built with `quote!`, parsed into a `syn::File` and printed by `prettyplease`, so
//! the output depends only on the IR (whose maps are sorted): regenerating is deterministic.
//! The generated code calls the hand-written runtime in `veeam_em_model::xml` and nothing else.

mod choices;
mod document;
mod enums;
mod json;
mod reflect;
mod structs;

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{FieldType, Model, Particle, TypeDef, ValueType};

/// Directory (relative to the workspace root) the generated files go to.
pub const OUTPUT_DIR: &str = "crates/veeam-em-model/src/generated";

/// Directory of the generated test support (the codec table of `tests/src/codec.rs`).
pub const TESTS_OUTPUT_DIR: &str = "tests/src/generated";

/// Renders every file: `(path relative to the workspace root, contents)`.
pub fn render(model: &Model, schema_files: &[String]) -> Result<BTreeMap<String, String>> {
    let renderer = Renderer::new(model);
    let mut files = BTreeMap::new();
    let mut modules = Vec::new();
    for file in schema_files {
        let module = module_name(file)?;
        let mut items = TokenStream::new();
        for def in model.types.values().filter(|t| t.source_file() == file) {
            items.extend(match def {
                TypeDef::Complex(c) => renderer.complex(c)?,
                TypeDef::Enum(e) => renderer.enumeration(e)?,
            });
        }
        for root in model.roots.iter().filter(|r| &r.source_file == file) {
            // One RootElement impl per type: the first root element of the type (schema order)
            // is the one written; the others are accepted when reading.
            let first = model.roots.iter().find(|r| r.type_name == root.type_name);
            if first.is_some_and(|f| f.name == root.name) {
                let ty = ident(&root.type_name);
                let name = &root.name;
                let aliases = model
                    .roots
                    .iter()
                    .filter(|r| r.type_name == root.type_name && r.name != root.name)
                    .map(|r| r.name.as_str());
                items.extend(quote! {
                    impl RootElement for #ty {
                        const ELEMENT: &'static str = #name;
                        const ALIASES: &'static [&'static str] = &[#(#aliases),*];
                    }
                });
                // A list document (one repeated child element) can be streamed item by item.
                if let Some(TypeDef::Complex(c)) = model.types.get(&root.type_name) {
                    if let [Particle::Element(e)] = c.content.as_slice() {
                        if let (FieldType::Complex(item), None) = (&e.ty, e.max) {
                            let item_ty = ident(item);
                            let item_name = &e.name;
                            items.extend(quote! {
                                impl crate::stream::Collection for #ty {
                                    type Item = #item_ty;
                                    const ITEM: &'static str = #item_name;
                                }
                            });
                        }
                    }
                }
            }
        }
        items.extend(reflect::part(model, file));
        let tokens = quote! {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use crate::xml::{Child, CollectUnknown, DecodeError, FromXml, RootElement, ToXml, Unknown, XmlReader, XmlWriter};
            #[cfg(feature = "json")]
            #[allow(unused_imports)]
            use crate::json::{de, ser};
            #items
        };
        files.insert(
            format!("{OUTPUT_DIR}/{module}.rs"),
            print(&tokens, &[file.as_str()])?,
        );
        modules.push(module);
    }
    let (mod_rs, documents) = renderer.module_root(&modules)?;
    let all: Vec<&str> = schema_files.iter().map(String::as_str).collect();
    files.insert(
        format!("{OUTPUT_DIR}/mod.rs"),
        print(&mod_rs, &all)? + "\n" + &documents,
    );
    files.insert(
        format!("{TESTS_OUTPUT_DIR}/mod.rs"),
        print(&renderer.codecs(), &all)?,
    );
    Ok(files)
}

fn module_name(file: &str) -> Result<String> {
    let stem = file
        .strip_prefix("schemas/")
        .and_then(|f| f.strip_suffix(".xsd"))
        .with_context(|| format!("schema file {file} is not schemas/<name>.xsd"))?;
    Ok(stem.replace('-', "_"))
}

fn print(tokens: &TokenStream, sources: &[&str]) -> Result<String> {
    let file: syn::File = syn::parse2(tokens.clone()).context("generated code does not parse")?;
    let sources = sources.join(", ");
    Ok(format!(
        "// Generated by cargo xtask regen from {sources}; do not edit.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn doc_lines(lines: &[String]) -> TokenStream {
    let mut out = TokenStream::new();
    for line in lines {
        let text = format!(" {line}");
        out.extend(quote!(#[doc = #text]));
    }
    out
}

struct Renderer<'m> {
    model: &'m Model,
    /// The family of every type, by Rust name.
    families: BTreeMap<String, String>,
}

/// How a member of a struct is stored.
enum Shape {
    Required,
    Optional,
    Repeated,
}

fn shape(min: u32, max: Option<u32>) -> Shape {
    match (min, max) {
        (_, None) => Shape::Repeated,
        (_, Some(m)) if m > 1 => Shape::Repeated,
        (0, _) => Shape::Optional,
        _ => Shape::Required,
    }
}

impl<'m> Renderer<'m> {
    fn new(model: &'m Model) -> Self {
        let families = crate::families::of_types(model);
        Self { model, families }
    }

    /// The `#[cfg(...)]` of a member of a type of `owner_file` whose type is `ty`: the family
    /// feature when an always-built type refers to an optional family (only choice alternatives
    /// may: `families::model_dependencies` checks it), else nothing.
    fn member_cfg(&self, owner_file: &str, ty: &FieldType) -> TokenStream {
        let owner = crate::families::of_file(owner_file);
        let target = match ty {
            FieldType::Complex(n) | FieldType::Value(ValueType::Enum(n)) => self.families.get(n),
            FieldType::Value(_) => None,
        };
        match target {
            Some(t) if t != &owner && !crate::families::optional(&owner) => crate::families::cfg(t),
            _ => TokenStream::new(),
        }
    }

    fn value_type(&self, v: &ValueType) -> TokenStream {
        match v {
            ValueType::String => quote!(crate::Text),
            ValueType::Href => quote!(crate::Href),
            ValueType::Bool => quote!(bool),
            ValueType::Int => quote!(i32),
            ValueType::Long => quote!(i64),
            ValueType::UnsignedInt => quote!(u32),
            ValueType::Double => quote!(f64),
            ValueType::DateTime => quote!(crate::DateTime),
            ValueType::Uid => quote!(crate::Uid),
            ValueType::Enum(name) => {
                let id = ident(name);
                quote!(#id)
            }
        }
    }

    fn field_type(&self, t: &FieldType) -> TokenStream {
        match t {
            FieldType::Value(v) => self.value_type(v),
            FieldType::Complex(name) => {
                let id = ident(name);
                quote!(#id)
            }
        }
    }

    fn wrap(inner: TokenStream, shape: &Shape) -> TokenStream {
        match shape {
            Shape::Required => inner,
            Shape::Optional => quote!(Option<#inner>),
            Shape::Repeated => quote!(Vec<#inner>),
        }
    }

    fn schema_type_name(&self, t: &FieldType) -> String {
        match t {
            FieldType::Value(ValueType::Enum(n)) | FieldType::Complex(n) => {
                match self.model.types.get(n) {
                    Some(TypeDef::Complex(c)) => c.xsd_name.clone(),
                    Some(TypeDef::Enum(e)) => e.xsd_name.clone(),
                    None => n.clone(),
                }
            }
            FieldType::Value(v) => format!("{v:?}"),
        }
    }

    fn occurs(min: u32, max: Option<u32>) -> String {
        match max {
            None => format!("{min}..unbounded"),
            Some(m) if m == min => format!("{min}"),
            Some(m) => format!("{min}..{m}"),
        }
    }
}
