//! `generated/query_types.rs`: the query service's types (`queries`) and their typed filter and
//! sort fields (`fields`), each behind its family's feature.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{field_ident, ident, value_type, Schemas};
use crate::catalogue::Catalogue;
use crate::families;
use crate::names;

fn const_ident(name: &str) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        names::field_name(name).trim_end_matches('_').to_uppercase()
    )
}

/// `queries` (marker types) and `fields` (typed fields per query type).
pub fn render(catalogue: &Catalogue, schemas: &Schemas<'_>) -> TokenStream {
    let mut markers = TokenStream::new();
    let mut fields = TokenStream::new();
    let mut info_arms = TokenStream::new();
    for q in &catalogue.query_types {
        {
            let cfg = families::cfg(&q.family);
            let (name, entity, container) = (&q.name, &q.entity, &q.container);
            let list = q.list.as_deref().unwrap_or_default();
            let items = &q.items;
            let field_pairs = q.fields.iter().map(|f| {
                let (n, t) = (&f.name, f.ty.as_str());
                quote!((#n, #t))
            });
            info_arms.extend(quote! {
                #cfg
                #name => Some(crate::query::QueryTypeInfo {
                    name: #name,
                    entity: #entity,
                    path: [#container, #list],
                    items: &[#(#items),*],
                    fields: &[#(#field_pairs),*],
                }),
            });
        }
        let marker = format_ident!("{}Query", q.name);
        let name = &q.name;
        let doc = format!(
            " The query type `{name}` (`GET /query?type={name}`); items in entity form are `<{}>`.",
            q.entity
        );
        let cfg = families::cfg(&q.family);
        markers.extend(quote! {
            #[doc = #doc]
            #cfg
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
            pub struct #marker;

            #cfg
            impl crate::query::QueryType for #marker {
                const NAME: &'static str = #name;
            }
        });
        let module = field_ident(&q.name);
        let consts = q.fields.iter().map(|field| {
            let (f, ty) = (&field.name, &field.ty);
            let c = const_ident(f);
            let (vt, shown) = match &field.enumeration {
                Some(e) => {
                    let e_ident = ident(e);
                    (quote!(veeam_em_model::#e_ident), e.clone())
                }
                None => (value_type(*ty), ty.as_str().to_owned()),
            };
            let doc = format!(" `{f}` ({shown}).");
            quote! {
                #[doc = #doc]
                pub const #c: Field<#marker, #vt> = Field::new(#f);
            }
        });
        let mdoc = format!(" Filter and sort fields of `{name}`.");
        fields.extend(quote! {
            #[doc = #mdoc]
            #cfg
            pub mod #module {
                use crate::queries::#marker;
                use crate::query::Field;
                #(#consts)*
            }
        });
    }
    let names = catalogue.query_types.iter().map(|q| q.name.as_str());
    // Enumerations used by fields are filter values (quoted, as written in XML).
    let enums: BTreeSet<&str> = catalogue
        .query_types
        .iter()
        .flat_map(|q| q.fields.iter().filter_map(|f| f.enumeration.as_deref()))
        .collect();
    for e in enums {
        let cfg = families::cfg(
            schemas
                .type_families
                .get(e)
                .map_or("common", String::as_str),
        );
        let e = ident(e);
        markers.extend(quote! {
            #cfg
            impl crate::query::FilterValue for veeam_em_model::#e {
                fn write_filter(&self, out: &mut String) {
                    crate::query::write_quoted(self.as_str(), out);
                }
            }
        });
    }
    quote! {
        //! The query service's types and their typed filter and sort fields.
        #![allow(clippy::all, missing_docs, unused_imports, unused_variables)]

        /// Marker types of the query service's types.
        pub mod queries {
            #markers

            /// What the catalogue says about the query type `name` (as in `type=NAME`, ASCII
            /// case ignored), if its family is built.
            pub fn info(name: &str) -> Option<crate::query::QueryTypeInfo> {
                let name = CANONICAL.iter().find(|n| n.eq_ignore_ascii_case(name)).copied()?;
                match name {
                    #info_arms
                    _ => None,
                }
            }

            /// Every query type name of the catalogue.
            const CANONICAL: &[&str] = &[#(#names),*];
        }

        /// Typed filter and sort fields, one module per query type.
        pub mod fields {
            #fields
        }
    }
}
