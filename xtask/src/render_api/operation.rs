//! One catalogue family -> `generated/<family>.rs`: its entries, one type per operation and the
//! impls of each (`Operation`, routing, server side, query service), plus the pieces of
//! `AnyOperation`/`AnyRequest` that `mod.rs` assembles.

use anyhow::Result;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{entry_ident, field_ident, ident, value_type, Schemas};
use crate::catalogue::{Auth, Catalogue, Entry};
use crate::names;

/// The list `any_operations!` writes `AnyOperation` and `AnyRequest` from, gathered family by
/// family: each operation once, with its features and its doc line.
#[derive(Default)]
pub struct AnyParts {
    /// Operations an `Href` alone can stand for.
    pub routable: Vec<String>,
    /// The others (a body or credentials).
    pub other: Vec<String>,
}

impl AnyParts {
    pub fn extend(&mut self, other: AnyParts) {
        self.routable.extend(other.routable);
        self.other.extend(other.other);
    }
}

fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// The effect of an operation, as an `Effect` value (`None` for `Effect::None`).
fn effect(op: &Entry, schemas: &Schemas<'_>) -> Option<TokenStream> {
    use crate::catalogue::EffectKind;
    let e = schemas.resources.effects.get(&op.name)?;
    Some(match e.kind {
        EffectKind::None => return None,
        EffectKind::Create => {
            let copies = e.copies.iter().map(|(f, t)| quote!((#f, #t)));
            quote!(crate::entry::Effect::Create { copies: &[#(#copies),*] })
        }
        EffectKind::Delete => quote!(crate::entry::Effect::Delete),
        EffectKind::Edit => quote!(crate::entry::Effect::Edit),
        EffectKind::Run => quote!(crate::entry::Effect::Run),
        EffectKind::Retry => quote!(crate::entry::Effect::Retry),
        EffectKind::Stop => quote!(crate::entry::Effect::Stop),
        EffectKind::Clone => quote!(crate::entry::Effect::Clone),
        EffectKind::Set => {
            let field = e.field.as_deref().unwrap_or_default();
            let value = e.value.as_deref().unwrap_or_default();
            quote!(crate::entry::Effect::Set { field: #field, value: #value })
        }
    })
}

/// The static catalogue entry of an operation: the fields that differ from `Entry::DEFAULT`.
fn entry(op: &Entry, schemas: &Schemas<'_>) -> TokenStream {
    let e = entry_ident(op);
    let (name, family, path, summary) = (&op.name, &op.family, &op.path, &op.summary);
    let method = method_path(op.method);
    let mut fields = TokenStream::new();
    if !op.fixed_query.is_empty() {
        let fixed = op.fixed_query.iter().map(|(k, v)| quote!((#k, #v)));
        fields.extend(quote!(fixed_query: &[#(#fixed),*],));
    }
    if !op.query_params.is_empty() {
        let qp = op.query_params.iter().map(|q| q.name.as_str());
        fields.extend(quote!(query_params: &[#(#qp),*],));
    }
    if !op.headers.is_empty() {
        let headers = op.headers.iter().map(|h| h.name.as_str());
        fields.extend(quote!(headers: &[#(#headers),*],));
    }
    if let Some(qs) = &op.query_service {
        fields.extend(quote!(query_service: Some(#qs),));
    }
    if let Some(r) = &op.request {
        let representation = &r.representation;
        fields.extend(quote!(request: Some(#representation),));
        if r.optional {
            fields.extend(quote!(request_optional: true,));
        }
    }
    if !op.responses.is_empty() {
        let responses = op.responses.iter().map(|r| {
            let status = r.status;
            let representation = opt_str(r.representation.as_deref());
            let headers = &r.headers;
            if headers.is_empty() {
                quote!(crate::entry::Success::of(#status, #representation))
            } else {
                quote!(crate::entry::Success { status: #status, representation: #representation, headers: &[#(#headers),*] })
            }
        });
        fields.extend(quote!(responses: &[#(#responses),*],));
    }
    match op.auth {
        Auth::None => fields.extend(quote!(auth: Auth::None,)),
        Auth::Basic => fields.extend(quote!(auth: Auth::Basic,)),
        Auth::Session => {}
    }
    if op.idempotent {
        fields.extend(quote!(idempotent: true,));
    }
    if !op.aliases.is_empty() {
        let aliases = &op.aliases;
        fields.extend(quote!(aliases: &[#(#aliases),*],));
    }
    if let Some(page) = &op.page {
        fields.extend(quote!(page: Some(#page),));
    }
    if let Some(effect) = effect(op, schemas) {
        fields.extend(quote!(effect: #effect,));
    }
    if !op.requires.is_empty() {
        let requires = op.requires.iter().map(|r| {
            let (element, status, message) = (&r.element, r.status, &r.message);
            quote!(crate::entry::Requirement { element: #element, status: #status, message: #message })
        });
        fields.extend(quote!(requires: &[#(#requires),*],));
    }
    quote! {
        pub(crate) const #e: Entry = Entry {
            name: #name,
            family: #family,
            method: #method,
            path: #path,
            summary: #summary,
            #fields
            ..Entry::DEFAULT
        };
    }
}

/// The output of an operation: `()`, a model type, a hand-written output, or, when its success
/// responses carry different documents, a generated enum with one variant per document.
fn output(op: &Entry, schemas: &Schemas<'_>) -> (TokenStream, TokenStream) {
    if let Some(o) = &op.response().output {
        let o = ident(o);
        return (quote!(crate::response::#o), quote!());
    }
    let mut kinds: Vec<Option<&String>> = Vec::new();
    for r in &op.responses {
        if !kinds.contains(&r.representation.as_ref()) {
            kinds.push(r.representation.as_ref());
        }
    }
    match kinds.as_slice() {
        [None] => return (quote!(()), quote!()),
        [Some(r)] => {
            let r = schemas.rust_type(r);
            return (quote!(veeam_em_model::#r), quote!());
        }
        _ => {}
    }
    // Several documents: `<Op>Output`, chosen by the status.
    let ty = format_ident!("{}Output", op.name);
    let mut variants = TokenStream::new();
    let mut from_arms = TokenStream::new();
    let mut to_arms = TokenStream::new();
    let mut visit_arms = TokenStream::new();
    for kind in &kinds {
        let statuses: Vec<u16> = op
            .responses
            .iter()
            .filter(|r| r.representation.as_ref() == *kind)
            .map(|r| r.status)
            .collect();
        let first = statuses[0];
        let status_list = statuses
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        match kind {
            Some(root) => {
                let rt = schemas.rust_type(root);
                let variant = ident(&names::type_name(root));
                let doc = format!(" `<{root}>` (status {status_list}).");
                variants.extend(quote!(#[doc = #doc] #variant(veeam_em_model::#rt),));
                visit_arms.extend(quote!(Self::#variant(value) => veeam_em_model::xml::CollectUnknown::collect_unknown(value, path, found),));
                from_arms.extend(quote!(#(#statuses)|* => crate::response::decode_body(entry, response).map(Self::#variant),));
                to_arms.extend(quote!(Self::#variant(value) => {
                    let mut response = crate::response::encode_body(entry, value, wire);
                    *response.status_mut() = http::StatusCode::from_u16(#first).unwrap_or(http::StatusCode::OK);
                    response
                }));
            }
            None => {
                let doc = format!(" No body (status {status_list}).");
                variants.extend(quote!(#[doc = #doc] NoContent,));
                visit_arms.extend(quote!(Self::NoContent => {}));
                from_arms.extend(quote!(#(#statuses)|* => Ok(Self::NoContent),));
                to_arms.extend(quote!(Self::NoContent => {
                    let mut response = http::Response::new(Vec::new());
                    *response.status_mut() = http::StatusCode::from_u16(#first).unwrap_or(http::StatusCode::OK);
                    response
                }));
            }
        }
    }
    let first_kind = kinds[0];
    let fallback = match first_kind {
        Some(root) => {
            let variant = ident(&names::type_name(root));
            quote!(_ => crate::response::decode_body(entry, response).map(Self::#variant),)
        }
        None => quote!(_ => Ok(Self::NoContent),),
    };
    let doc = format!(
        " What `{}` answers: one variant per document of its success responses.",
        op.name
    );
    let item = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #ty {
            #variants
        }

        impl crate::response::FromResponse for #ty {
            fn from_response(entry: &'static Entry, response: &http::Response<&[u8]>) -> Result<Self, ApiError> {
                match response.status().as_u16() {
                    #from_arms
                    // Another success status: the usual document.
                    #fallback
                }
            }
        }

        impl crate::response::ToResponse for #ty {
            fn to_response(&self, entry: &'static Entry, wire: veeam_em_model::Wire) -> http::Response<Vec<u8>> {
                let _ = wire;
                match self { #to_arms }
            }
        }

        impl veeam_em_model::xml::CollectUnknown for #ty {
            fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
                match self { #visit_arms }
            }
        }
    };
    (quote!(#ty), item)
}

/// One family file and its `Any*` pieces.
pub fn family_file(
    family: &str,
    ops: &[&Entry],
    catalogue: &Catalogue,
    schemas: &Schemas<'_>,
) -> Result<(TokenStream, AnyParts)> {
    let mut entries = TokenStream::new();
    let mut entry_list = Vec::new();
    let mut types = TokenStream::new();
    let mut query_impls = TokenStream::new();
    let mut any = AnyParts::default();
    for op in ops {
        entries.extend(entry(op, schemas));
        let e = entry_ident(op);
        entry_list.push(e.clone());
        let name = &op.name;
        let ty = ident(name);
        let params = op.path_params();
        let param_fields: Vec<Ident> = params.iter().map(|p| field_ident(p)).collect();
        let mut fields = TokenStream::new();
        for (p, f) in params.iter().zip(&param_fields) {
            let doc = format!(" Path parameter `{{{p}}}`.");
            fields.extend(quote!(#[doc = #doc] pub #f: Id,));
        }
        let mut query_values = TokenStream::new();
        let mut from_route_query = TokenStream::new();
        let mut check_fn = TokenStream::new();
        for q in &op.query_params {
            let f = field_ident(&q.name);
            let qname = &q.name;
            let mut doc = format!(" Query parameter `{qname}`.");
            if let Some(s) = &q.summary {
                doc.push(' ');
                doc.push_str(s);
            }
            let vt = value_type(q.ty);
            if q.required {
                fields.extend(quote!(#[doc = #doc] pub #f: #vt,));
                query_values.extend(quote!(out.push((#qname.to_owned(), self.#f.to_string()));));
                from_route_query.extend(quote!(#f: route.query_value(#qname).and_then(|v| v.parse().ok()).ok_or_else(mismatch)?,));
            } else {
                fields.extend(quote!(#[doc = #doc] pub #f: Option<#vt>,));
                query_values.extend(quote!(if let Some(v) = &self.#f { out.push((#qname.to_owned(), v.to_string())); }));
                from_route_query
                    .extend(quote!(#f: route.query_value(#qname).and_then(|v| v.parse().ok()),));
            }
        }
        // Request headers the caller chooses: sent when set.
        let mut header_values = TokenStream::new();
        for h in &op.headers {
            let f = format_ident!(
                "header_{}",
                names::field_name(&h.name).trim_end_matches('_')
            );
            let hname = &h.name;
            let mut doc = format!(" Request header `{hname}`.");
            if let Some(s) = &h.summary {
                doc.push(' ');
                doc.push_str(s);
            }
            let vt = value_type(h.ty);
            if h.required {
                fields.extend(quote!(#[doc = #doc] pub #f: #vt,));
                header_values.extend(quote!(out.push((#hname, self.#f.to_string()));));
                from_route_query.extend(quote!(#f: Default::default(),));
            } else {
                fields.extend(quote!(#[doc = #doc] pub #f: Option<#vt>,));
                header_values.extend(
                    quote!(if let Some(v) = &self.#f { out.push((#hname, v.to_string())); }),
                );
                from_route_query.extend(quote!(#f: None,));
            }
        }
        if let Some(q) = &op.query_service {
            let qt = format_ident!("{}Query", q);
            if let Some(qtype) = catalogue.query_types.iter().find(|t| &t.name == q) {
                let entity = schemas.rust_type(&qtype.entity);
                let list = qtype.list.as_deref().unwrap_or_default();
                let container = &qtype.container;
                let items = &qtype.items;
                query_impls.extend(quote! {
                    impl crate::query::QueryOperation for ops::#ty {
                        type Type = crate::queries::#qt;
                        type Entity = veeam_em_model::#entity;
                        const LIST: &'static str = #list;
                        const ENTITIES_PATH: &'static [&'static str] = &[#container, #list];
                        const ITEMS: &'static [&'static str] = &[#(#items),*];
                        fn query(&self) -> &Query<Self::Type> {
                            &self.query
                        }
                        fn query_mut(&mut self) -> &mut Query<Self::Type> {
                            &mut self.query
                        }
                    }
                });
            }
            fields.extend(quote!(/// Filter, sorting, paging and format.
                pub query: Query<crate::queries::#qt>,));
            query_values.extend(quote!(out.extend(self.query.to_pairs());));
            from_route_query.extend(quote!(query: Query::from_pairs(&route.query),));
            check_fn = quote! {
                fn check(&self) -> Result<(), String> {
                    self.query.check()
                }
            };
        }
        let mut body_fn = TokenStream::new();
        if let Some(r) = &op.request {
            let root = &r.representation;
            let rt = schemas.rust_type(root);
            if r.optional {
                let doc = format!(" The request body, `<{root}>`, when there is one.");
                fields.extend(quote!(#[doc = #doc] pub body: Option<veeam_em_model::#rt>,));
                body_fn = quote! {
                    fn body(&self, wire: veeam_em_model::Wire) -> Option<Vec<u8>> {
                        self.body.as_ref().map(|body| crate::response::encode(body, wire))
                    }
                };
            } else {
                let doc = format!(" The request body, `<{root}>`.");
                fields.extend(quote!(#[doc = #doc] pub body: veeam_em_model::#rt,));
                body_fn = quote! {
                    fn body(&self, wire: veeam_em_model::Wire) -> Option<Vec<u8>> {
                        Some(crate::response::encode(&self.body, wire))
                    }
                };
            }
        }
        let mut credentials_fn = TokenStream::new();
        if op.auth == Auth::Basic {
            fields.extend(quote!(/// User name and password.
                pub credentials: Credentials,));
            credentials_fn = quote! {
                fn credentials(&self) -> Option<&Credentials> {
                    Some(&self.credentials)
                }
            };
        }
        let (output, output_item) = output(op, schemas);
        let returns = op
            .responses
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.status,
                    r.representation.as_deref().unwrap_or("(no body)")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let line = format!(" `{} {}` -> {returns}", op.method, op.template());
        let summary = format!(" {}.", op.summary.trim_end_matches('.'));
        let extra_doc = match &op.page {
            Some(p) => format!(" Reference page: `{p}`."),
            None => String::new(),
        };
        let query_values_fn = if query_values.is_empty() {
            quote!()
        } else {
            quote! {
                fn query_values(&self) -> Vec<(String, String)> {
                    let mut out = Vec::new();
                    #query_values
                    out
                }
            }
        };
        let header_values_fn = if header_values.is_empty() {
            quote!()
        } else {
            quote! {
                fn header_values(&self) -> Vec<(&'static str, String)> {
                    let mut out = Vec::new();
                    #header_values
                    out
                }
            }
        };
        let path_values = param_fields.iter().map(|f| quote!(self.#f.as_str()));
        // An operation without parameters is a unit struct: `ops::GetCdpPolicies` is the value.
        let struct_body = if fields.is_empty() {
            quote!(;)
        } else {
            quote!({ #fields })
        };
        types.extend(quote! {
            #output_item

            #[doc = #summary]
            #[doc = ""]
            #[doc = #line]
            #[doc = ""]
            #[doc = #extra_doc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #ty #struct_body

            impl Operation for #ty {
                type Output = #output;
                const ENTRY: &'static Entry = &super::#e;

                fn path_values(&self) -> Vec<&str> {
                    vec![#(#path_values),*]
                }

                #query_values_fn
                #header_values_fn
                #body_fn
                #credentials_fn
                #check_fn
            }
        });
        let binds: Vec<Ident> = param_fields
            .iter()
            .map(|f| format_ident!("{}_value", f))
            .collect();
        let assigns: Vec<TokenStream> = param_fields
            .iter()
            .zip(&binds)
            .map(|(f, b)| quote!(#f: #b.clone(),))
            .collect();
        // Server side: every operation from an incoming request (body and credentials too).
        // (A routable operation's comes from its route: `any_operations!` writes it.)
        let incoming_impl = if op.routable() {
            quote!()
        } else {
            let mut extra = TokenStream::new();
            if let Some(r) = &op.request {
                let variant = ident(&names::type_name(&r.representation));
                if r.optional {
                    extra.extend(quote! {
                        body: match &incoming.body {
                            Some(veeam_em_model::Document::#variant(body)) => Some(body.clone()),
                            None => None,
                            Some(_) => return Err(crate::incoming::missing_body(incoming)),
                        },
                    });
                } else {
                    extra.extend(quote! {
                        body: match &incoming.body {
                            Some(veeam_em_model::Document::#variant(body)) => body.clone(),
                            _ => return Err(crate::incoming::missing_body(incoming)),
                        },
                    });
                }
            }
            if op.auth == Auth::Basic {
                extra.extend(quote!(credentials: crate::incoming::credentials(incoming)?,));
            }
            quote! {
                impl TryFrom<&Incoming> for #ty {
                    type Error = RequestError;

                    fn try_from(incoming: &Incoming) -> Result<Self, RequestError> {
                        let route = &incoming.route;
                        let [#(#binds),*] = route.values_for(&super::#e)?;
                        Ok(Self {
                            #(#assigns)*
                            #from_route_query
                            #extra
                        })
                    }
                }
            }
        };
        types.extend(incoming_impl);
        let listed = crate::lists::item(family, &format!("{ty} {line:?};"));
        if op.routable() {
            any.routable.push(listed);
        } else {
            any.other.push(listed);
        }
        if op.routable() {
            types.extend(quote! {
                impl TryFrom<&Route> for #ty {
                    type Error = RouteError;

                    fn try_from(route: &Route) -> Result<Self, RouteError> {
                        let [#(#binds),*] = route.values_for(&super::#e)?;
                        Ok(Self {
                            #(#assigns)*
                            #from_route_query
                        })
                    }
                }
            });
        }
    }
    let resources = resources(family, schemas);
    let doc = format!(" The operations of the family `{family}`.");
    let tokens = quote! {
        #![doc = #doc]
        #![allow(clippy::all, missing_docs, unused_imports, unused_variables)]

        use crate::entry::{Auth, Entry};
        use crate::incoming::{Incoming, RequestError};
        use crate::operation::Operation;
        use crate::query::Query;
        use crate::route::{Route, RouteError};
        use crate::{ApiError, Credentials, Id};

        #entries

        /// This family's entries, in catalogue order.
        pub(crate) static ENTRIES: &[Entry] = &[#(#entry_list),*];

        #resources

        /// One type per operation of this family.
        pub mod ops {
            use super::*;
            #types
        }

        #query_impls
    };
    Ok((tokens, any))
}

/// The family's resources (kinds and documents with links) and collections.
fn resources(family: &str, schemas: &Schemas<'_>) -> TokenStream {
    let r = schemas.resources;
    let items = r.resources.iter().filter(|x| x.family == family).map(|x| {
        let node = &x.node;
        let kind = opt_str(x.kind.as_deref());
        let entity = opt_str(x.entity.as_deref());
        let entity_query = x.entity_query;
        let reference = x.reference;
        let count = match x.count {
            Some(c) => quote!(Some(#c)),
            None => quote!(None),
        };
        let size = opt_str(x.size.as_deref());
        let page = opt_str(x.page.as_deref());
        let links = x.links.iter().map(|l| {
            let (rel, href, operation) = (&l.rel, &l.href, &l.operation);
            let method = method_path(l.method);
            let ty = opt_str(l.ty.as_deref());
            let when = match &l.when {
                Some((field, values)) => quote!(Some((#field, &[#(#values),*]))),
                None => quote!(None),
            };
            quote!(crate::resource::ResourceLink { rel: #rel, href: #href, method: #method, type_: #ty, operation: #operation, when: #when })
        });
        quote! {
            crate::resource::Resource {
                path: #node,
                kind: #kind,
                entity: #entity,
                entity_query: #entity_query,
                reference: #reference,
                count: #count,
                size: #size,
                page: #page,
                links: &[#(#links),*],
            }
        }
    });
    let collections = r
        .collections
        .iter()
        .filter(|c| c.family == family)
        .map(|c| {
            let (node, item) = (&c.node, &c.item);
            quote!(crate::resource::Collection { path: #node, item: #item })
        });
    quote! {
        /// This family's resources: every item path (a kind of object) and every other path
        /// the catalogue declares links for.
        pub(crate) static RESOURCES: &[crate::resource::Resource] = &[#(#items),*];

        /// This family's collections, with the kind each lists.
        pub(crate) static COLLECTIONS: &[crate::resource::Collection] = &[#(#collections),*];
    }
}

/// `crate::entry::Method::Get` for `GET`.
fn method_path(method: crate::catalogue::Method) -> proc_macro2::TokenStream {
    let variant = quote::format_ident!("{method:?}");
    quote!(crate::entry::Method::#variant)
}
