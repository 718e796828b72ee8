//! `xs:choice` -> an enum whose variant is the element name, with its writing, unknown-content
//! walk and, for lists of documents, `into_document` and `append`.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_lines, ident, Renderer};
use crate::ir::{ChoiceField, ComplexType, FieldType, Particle, TypeDef};
use crate::names;

impl Renderer<'_> {
    pub(super) fn choice_enum(&self, owner: &ComplexType, ch: &ChoiceField) -> Result<TokenStream> {
        let enum_ty = ident(&ch.name);
        let doc = doc_lines(&[format!(
            "One item of the `xs:choice` in schema type `{}` in `{}`: the variant is the element name.",
            owner.xsd_name, owner.source_file
        )]);
        let mut variants = TokenStream::new();
        let mut writes = TokenStream::new();
        let mut names_arms = TokenStream::new();
        let mut visit_arms = TokenStream::new();
        for v in &ch.variants {
            let variant = ident(&v.rust_name);
            let vt = self.field_type(&v.ty);
            let vname = &v.name;
            let cfg = self.member_cfg(&owner.source_file, &v.ty);
            visit_arms.extend(match &v.ty {
                FieldType::Complex(_) => quote!(#cfg Self::#variant(value) => crate::xml::visit_unknown(path, #vname, value, found),),
                FieldType::Value(_) => quote!(#cfg Self::#variant(_) => {}),
            });
            let vdoc = doc_lines(&[format!(
                "Element `{vname}` ({}).",
                self.schema_type_name(&v.ty)
            )]);
            variants.extend(quote!(#cfg #vdoc #variant(#vt),));
            let w = self.write_child(&v.ty, vname, quote!(value));
            writes.extend(quote!(#cfg Self::#variant(value) => { #w }));
            names_arms.extend(quote!(#cfg Self::#variant(_) => #vname,));
        }
        // Lists of documents (e.g. `QueryResult/Entities`): each alternative is a root element
        // of its own, and a list of items. Then the item converts to its `Document`, and two
        // pages of the same list join.
        let mut extra = TokenStream::new();
        let as_document: Vec<TokenStream> = ch
            .variants
            .iter()
            .filter_map(|v| {
                let root = self.model.roots.iter().find(|r| {
                    r.name == v.name && FieldType::Complex(r.type_name.clone()) == v.ty
                })?;
                let variant = ident(&v.rust_name);
                let doc_variant = ident(&names::type_name(&root.name));
                let cfg = self.member_cfg(&owner.source_file, &v.ty);
                Some(quote!(#cfg Self::#variant(value) => Some(crate::Document::#doc_variant(value)),))
            })
            .collect();
        if !as_document.is_empty() {
            extra.extend(quote! {
                /// The item as the document of the same root element (`None` for an element
                /// that is not a root element of its own).
                pub fn into_document(self) -> Option<crate::Document> {
                    #[allow(unreachable_patterns)]
                    match self {
                        #(#as_document)*
                        _ => None,
                    }
                }
            });
        }
        let mut lens: Vec<TokenStream> = Vec::new();
        let appends: Vec<TokenStream> = ch
            .variants
            .iter()
            .filter_map(|v| {
                let FieldType::Complex(t) = &v.ty else {
                    return None;
                };
                let Some(TypeDef::Complex(list)) = self.model.types.get(t) else {
                    return None;
                };
                let items = match list.content.as_slice() {
                    [Particle::Element(e)] if e.max.is_none() => &e.rust_name,
                    [Particle::Choice(c)] if c.max.is_none() => &c.rust_name,
                    _ => return None,
                };
                let items = format_ident!("{}", items);
                let variant = ident(&v.rust_name);
                let cfg = self.member_cfg(&owner.source_file, &v.ty);
                lens.push(quote!(#cfg Self::#variant(a) => Some(a.#items.len()),));
                Some(quote!(#cfg (Self::#variant(a), Self::#variant(b)) => {
                    a.#items.extend(b.#items.iter().cloned());
                    true
                }))
            })
            .collect();
        if !appends.is_empty() {
            extra.extend(quote! {
                /// Appends the items of `other` (e.g. the next page) when it is the same list;
                /// `false` (and nothing changes) when it is another, or not a list.
                pub fn append(&mut self, other: &Self) -> bool {
                    #[allow(unreachable_patterns)]
                    match (self, other) {
                        #(#appends)*
                        _ => false,
                    }
                }

                /// How many items the list holds; `None` when this is not a list.
                pub fn items(&self) -> Option<usize> {
                    #[allow(unreachable_patterns)]
                    match self {
                        #(#lens)*
                        _ => None,
                    }
                }
            });
        }
        Ok(quote! {
            #doc
            #[derive(Debug, Clone, PartialEq)]
            pub enum #enum_ty {
                #variants
            }

            impl #enum_ty {
                #extra

                /// The element name this item is written as.
                pub fn element_name(&self) -> &'static str {
                    match self { #names_arms }
                }

                fn write<'v>(&'v self, writer: &mut XmlWriter<'v>) {
                    match self { #writes }
                }
            }

            impl crate::xml::CollectUnknown for #enum_ty {
                fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
                    match self { #visit_arms }
                }
            }
        })
    }
}
