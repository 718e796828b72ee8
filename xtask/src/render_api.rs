//! The resource catalogue -> Rust: `crates/veeam-em-api/src/generated/mod.rs`.
//!
//! Emits the static catalogue (`CATALOGUE`), one type per operation (`ops`), the navigation from
//! the root to each operation (`api`), the query types and their typed fields (`queries`,
//! `fields`), `AnyOperation` (every operation that an `Href` can stand for), and `FromResponse`
//! for every representation.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{ensure, Result};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::catalogue::{navigation_node, Auth, Catalogue, Operation, ParamType};
use crate::names;

/// Output file, relative to the workspace root.
pub const OUTPUT: &str = "crates/veeam-em-api/src/generated/mod.rs";

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn field_ident(xml_or_camel: &str) -> Ident {
    format_ident!("{}", names::field_name(xml_or_camel))
}

fn const_ident(name: &str) -> Ident {
    format_ident!(
        "{}",
        names::field_name(name).trim_end_matches('_').to_uppercase()
    )
}

fn entry_ident(op: &Operation) -> Ident {
    format_ident!("{}_ENTRY", names::field_name(&op.name).to_uppercase())
}

/// A navigation node's struct name: `/cdpReplicas/{}/vms` -> `CdpReplicasIdVmsPath`.
fn node_type(node: &str) -> Ident {
    let mut name = String::new();
    for seg in node.split('/').filter(|s| !s.is_empty()) {
        if seg == "{}" {
            name.push_str("Id");
        } else {
            let mut chars = seg.chars();
            if let Some(first) = chars.next() {
                name.push(first.to_ascii_uppercase());
                name.extend(chars.filter(|c| c.is_ascii_alphanumeric()));
            }
        }
    }
    if name.is_empty() {
        name.push_str("Root");
    }
    format_ident!("{}Path", name)
}

/// Number of path parameters of a node.
fn node_arity(node: &str) -> usize {
    node.split('/').filter(|s| *s == "{}").count()
}

fn parent(node: &str) -> Option<(String, String)> {
    if node.is_empty() {
        return None;
    }
    let (parent, last) = node.rsplit_once('/')?;
    Some((parent.to_owned(), last.to_owned()))
}

fn value_type(ty: ParamType) -> TokenStream {
    match ty {
        ParamType::Int => quote!(i64),
        ParamType::Bool => quote!(bool),
        ParamType::Uid => quote!(veeam_em_model::Uid),
        ParamType::DateTime => quote!(veeam_em_model::DateTime),
        ParamType::String => quote!(String),
    }
}

pub fn render(
    catalogue: &Catalogue,
    roots: &BTreeMap<String, String>,
    navigable: &[crate::resolve::Navigable],
) -> Result<String> {
    let mut entries = TokenStream::new();
    let mut entry_list = Vec::new();
    let mut ops = TokenStream::new();
    let mut any_variants = TokenStream::new();
    let mut any_from = TokenStream::new();
    let mut any_request = TokenStream::new();
    let mut any_entry = TokenStream::new();
    let mut request_variants = TokenStream::new();
    let mut request_from = TokenStream::new();
    let mut request_entry = TokenStream::new();
    let mut request_build = TokenStream::new();
    let mut query_impls = TokenStream::new();

    for op in &catalogue.operations {
        let e = entry_ident(op);
        entry_list.push(e.clone());
        let (name, family, path, verb_summary) = (&op.name, &op.family, &op.path, &op.summary);
        let method = op.method.as_str();
        let fixed = op.fixed_query.iter().map(|(k, v)| quote!((#k, #v)));
        let qp = op.query_params.iter().map(|q| q.name.as_str());
        let headers = op.headers.iter().map(|h| h.name.as_str());
        let qs = match &op.query_service {
            Some(q) => quote!(Some(#q)),
            None => quote!(None),
        };
        let request = match &op.request {
            Some(r) => {
                let r = &r.representation;
                quote!(Some(#r))
            }
            None => quote!(None),
        };
        let request_optional = op.request.as_ref().is_some_and(|r| r.optional);
        let responses = op.responses.iter().map(|r| {
            let status = r.status;
            let representation = match &r.representation {
                Some(r) => quote!(Some(#r)),
                None => quote!(None),
            };
            let headers = &r.headers;
            quote!(crate::entry::Success { status: #status, representation: #representation, headers: &[#(#headers),*] })
        });
        let auth = match op.auth {
            Auth::None => quote!(Auth::None),
            Auth::Basic => quote!(Auth::Basic),
            Auth::Session => quote!(Auth::Session),
        };
        let idempotent = op.idempotent;
        let aliases = &op.aliases;
        let page = match &op.page {
            Some(p) => quote!(Some(#p)),
            None => quote!(None),
        };
        entries.extend(quote! {
            const #e: Entry = Entry {
                name: #name,
                family: #family,
                method: #method,
                path: #path,
                fixed_query: &[#(#fixed),*],
                query_params: &[#(#qp),*],
                headers: &[#(#headers),*],
                query_service: #qs,
                request: #request,
                request_optional: #request_optional,
                responses: &[#(#responses),*],
                auth: #auth,
                idempotent: #idempotent,
                aliases: &[#(#aliases),*],
                summary: #verb_summary,
                page: #page,
            };
        });

        // The operation type.
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
        if let Some(q) = &op.query_service {
            let qt = format_ident!("{}Query", q);
            if let Some(qtype) = catalogue.query_types.iter().find(|t| &t.name == q) {
                let entity = ident(
                    roots
                        .get(&qtype.entity)
                        .map_or(qtype.entity.as_str(), String::as_str),
                );
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
        if let Some(r) = op.request.as_ref().map(|r| &r.representation) {
            let rt = ident(roots.get(r).map_or(r.as_str(), String::as_str));
            let doc = format!(" The request body, `<{r}>`.");
            fields.extend(quote!(#[doc = #doc] pub body: veeam_em_model::#rt,));
            body_fn = quote! {
                fn body(&self) -> Option<String> {
                    Some(veeam_em_model::to_string(&self.body))
                }
            };
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
        let output = match (&op.response().output, &op.response().representation) {
            (Some(o), _) => {
                let o = ident(o);
                quote!(crate::response::#o)
            }
            (None, Some(r)) => {
                let r = ident(roots.get(r).map_or(r.as_str(), String::as_str));
                quote!(veeam_em_model::#r)
            }
            (None, None) => quote!(()),
        };
        let line = format!(
            " `{} {}` -> {}",
            op.method,
            op.template(),
            op.response()
                .representation
                .as_deref()
                .unwrap_or("(no body)")
        );
        let summary = format!(" {}.", op.summary.trim_end_matches('.'));
        let mut extra_doc = String::new();
        if let Some(p) = &op.page {
            extra_doc = format!(" Reference page: `{p}`.");
        }
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
        let path_values = param_fields.iter().map(|f| quote!(self.#f.as_str()));
        // An operation without parameters is a unit struct: `ops::GetCdpPolicies` is the value.
        let struct_body = if fields.is_empty() {
            quote!(;)
        } else {
            quote!({ #fields })
        };
        ops.extend(quote! {
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
                #body_fn
                #credentials_fn
                #check_fn
            }
        });
        let binds = param_fields.iter().map(|f| format_ident!("{}_value", f));
        let binds2 = binds.clone();
        let assigns = param_fields
            .iter()
            .zip(binds2)
            .map(|(f, b)| quote!(#f: #b.clone(),));
        // Server side: every operation from an incoming request (body and credentials too).
        let incoming_impl = if op.routable() {
            quote! {
                impl TryFrom<&Incoming> for #ty {
                    type Error = RequestError;

                    fn try_from(incoming: &Incoming) -> Result<Self, RequestError> {
                        Ok(Self::try_from(&incoming.route)?)
                    }
                }
            }
        } else {
            let binds = binds.clone();
            let assigns = assigns.clone();
            let mut extra = TokenStream::new();
            if let Some(r) = op.request.as_ref().map(|r| &r.representation) {
                let variant = ident(&names::type_name(r));
                extra.extend(quote! {
                    body: match &incoming.body {
                        Some(veeam_em_model::Document::#variant(body)) => body.clone(),
                        _ => return Err(crate::incoming::missing_body(incoming)),
                    },
                });
            }
            if op.auth == Auth::Basic {
                extra.extend(quote!(credentials: crate::incoming::credentials(incoming)?,));
            }
            quote! {
                impl TryFrom<&Incoming> for #ty {
                    type Error = RequestError;

                    fn try_from(incoming: &Incoming) -> Result<Self, RequestError> {
                        let route = &incoming.route;
                        let mismatch = || RouteError::OtherOperation {
                            url: route.entry.template(),
                            expected: super::#e.name,
                            found: route.entry.name,
                        };
                        if route.entry.name != super::#e.name {
                            return Err(mismatch().into());
                        }
                        let [#(#binds),*] = route.path_values.as_slice() else {
                            return Err(mismatch().into());
                        };
                        Ok(Self {
                            #(#assigns)*
                            #from_route_query
                            #extra
                        })
                    }
                }
            }
        };
        ops.extend(incoming_impl);
        request_variants.extend(quote!(#[doc = #line] #ty(ops::#ty),));
        request_from.extend(quote!(#name => ops::#ty::try_from(incoming).map(Self::#ty),));
        request_entry.extend(quote!(Self::#ty(_) => &#e,));
        request_build.extend(quote!(Self::#ty(op) => op.request(base, session),));
        if op.routable() {
            ops.extend(quote! {
                impl TryFrom<&Route> for #ty {
                    type Error = RouteError;

                    fn try_from(route: &Route) -> Result<Self, RouteError> {
                        let mismatch = || RouteError::OtherOperation {
                            url: route.entry.template(),
                            expected: super::#e.name,
                            found: route.entry.name,
                        };
                        if route.entry.name != super::#e.name {
                            return Err(mismatch());
                        }
                        let [#(#binds),*] = route.path_values.as_slice() else {
                            return Err(mismatch());
                        };
                        Ok(Self {
                            #(#assigns)*
                            #from_route_query
                        })
                    }
                }
            });
            any_variants.extend(quote!(#[doc = #line] #ty(ops::#ty),));
            any_from.extend(quote!(#name => ops::#ty::try_from(route).map(Self::#ty),));
            any_request.extend(quote!(Self::#ty(op) => op.request(base, session),));
            any_entry.extend(quote!(Self::#ty(_) => &#e,));
        }
    }

    let navigation = render_navigation(catalogue, roots)?;
    let (queries, fields) = render_queries(catalogue);
    let root_types: BTreeSet<&String> = roots.values().collect();
    let from_response = root_types.into_iter().map(|r| {
        let r = ident(r);
        quote! {
            impl FromResponse for veeam_em_model::#r {
                fn from_response(entry: &'static Entry, response: &http::Response<&[u8]>) -> Result<Self, ApiError> {
                    crate::response::decode_body(entry, response)
                }
            }

            impl crate::response::ToResponse for veeam_em_model::#r {
                fn to_response(&self, entry: &'static Entry) -> http::Response<Vec<u8>> {
                    crate::response::encode_body(entry, self)
                }
            }
        }
    });

    // Every type with an href follows it; every type with links finds them by relation.
    let navigation_impls = navigable.iter().map(|n| {
        let ty = ident(&n.rust_name);
        let follow = match n.href {
            Some(true) => quote! {
                impl crate::route::Follow for veeam_em_model::#ty {
                    fn href(&self) -> Option<&str> {
                        Some(&self.href)
                    }
                }
            },
            Some(false) => quote! {
                impl crate::route::Follow for veeam_em_model::#ty {
                    fn href(&self) -> Option<&str> {
                        self.href.as_deref()
                    }
                }
            },
            None => quote!(),
        };
        let links = match n.links {
            Some(true) => quote! {
                impl crate::route::Links for veeam_em_model::#ty {
                    fn link(&self, rel: &str) -> Option<&veeam_em_model::Link> {
                        self.links.as_ref().and_then(|l| l.link(rel))
                    }
                }
            },
            Some(false) => quote! {
                impl crate::route::Links for veeam_em_model::#ty {
                    fn link(&self, rel: &str) -> Option<&veeam_em_model::Link> {
                        self.links.link(rel)
                    }
                }
            },
            None => quote!(),
        };
        quote!(#follow #links)
    });

    let tokens = quote! {
        //! Generated from the resource catalogue `schemas/resources/*.xml`.
        #![allow(clippy::all, missing_docs, unused_imports, unused_variables)]

        use crate::entry::{Auth, Entry};
        use crate::operation::Operation;
        use crate::query::Query;
        use crate::response::FromResponse;
        use crate::route::{Route, RouteError};
        use crate::incoming::{Incoming, RequestError};
        use crate::{ApiError, BaseUrl, Credentials, Id, SessionToken};

        #entries

        /// Every operation of the catalogue, in catalogue order.
        pub static CATALOGUE: &[Entry] = &[#(#entry_list),*];

        /// One type per operation: its parameters, body and output.
        pub mod ops {
            use super::*;
            #ops
        }

        /// Any operation an `Href` alone can stand for (no request body, no credentials).
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyOperation {
            #any_variants
        }

        impl AnyOperation {
            /// The typed operation of a route.
            pub fn from_route(route: &Route) -> Result<Self, RouteError> {
                match route.entry.name {
                    #any_from
                    other => Err(RouteError::OtherOperation {
                        url: route.entry.template(),
                        expected: "an operation without body or credentials",
                        found: route.entry.name,
                    }),
                }
            }

            /// Builds its request.
            pub fn request(&self, base: &BaseUrl, session: Option<&SessionToken>) -> Result<http::Request<Vec<u8>>, ApiError> {
                match self { #any_request }
            }

            /// Its catalogue entry.
            pub fn entry(&self) -> &'static Entry {
                match self { #any_entry }
            }
        }

        /// Any operation of the catalogue, as a server receives it (see
        /// [`Incoming`](crate::incoming::Incoming)).
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyRequest {
            #request_variants
        }

        impl AnyRequest {
            /// The typed operation of an incoming request.
            pub fn from_incoming(incoming: &Incoming) -> Result<Self, RequestError> {
                match incoming.route.entry.name {
                    #request_from
                    other => Err(RouteError::OtherOperation {
                        url: incoming.route.entry.template(),
                        expected: "an operation of the catalogue",
                        found: other,
                    }.into()),
                }
            }

            /// Its catalogue entry.
            pub fn entry(&self) -> &'static Entry {
                match self { #request_entry }
            }

            /// Builds its request again (what a client would send).
            pub fn request(&self, base: &BaseUrl, session: Option<&SessionToken>) -> Result<http::Request<Vec<u8>>, ApiError> {
                match self { #request_build }
            }
        }

        /// So that any href can be followed without knowing its operation:
        /// `link.follow::<AnyOperation>()`.
        impl TryFrom<&Route> for AnyOperation {
            type Error = RouteError;

            fn try_from(route: &Route) -> Result<Self, RouteError> {
                Self::from_route(route)
            }
        }

        #query_impls
        #navigation
        #queries
        #fields
        #(#from_response)*
        #(#navigation_impls)*
    };
    let file: syn::File = syn::parse2(tokens)?;
    Ok(format!(
        "// Generated by cargo xtask regen from {}/*.xml; do not edit.\n\n{}",
        crate::catalogue::DIR,
        prettyplease::unparse(&file)
    ))
}

/// The `api` module: one struct per path node, methods to children and to operations.
fn render_navigation(
    catalogue: &Catalogue,
    roots: &BTreeMap<String, String>,
) -> Result<TokenStream> {
    // Every node and all its ancestors.
    let mut nodes: BTreeSet<String> = BTreeSet::new();
    for op in &catalogue.operations {
        let mut node = navigation_node(&op.path);
        loop {
            nodes.insert(node.clone());
            match parent(&node) {
                Some((p, _)) => node = p,
                None => break,
            }
        }
    }
    let mut methods: BTreeMap<String, TokenStream> = BTreeMap::new();
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut take =
        |node: &str, name: &str| -> Result<()> {
            ensure!(
            taken.entry(node.to_owned()).or_default().insert(name.to_owned()),
            "navigation node `{node}` gets the method `{name}` twice (a child segment and a verb?)"
        );
            Ok(())
        };
    for node in &nodes {
        let Some((parent_node, last)) = parent(node) else {
            continue;
        };
        let child = node_type(node);
        let arity = node_arity(&parent_node);
        let binds: Vec<Ident> = (0..arity).map(|i| format_ident!("p{}", i)).collect();
        let body = if last == "{}" {
            take(&parent_node, "id")?;
            quote! {
                /// Selects one item by id.
                pub fn id(self, id: impl Into<Id>) -> #child {
                    let [#(#binds),*] = self.ids;
                    #child { ids: [#(#binds,)* id.into()] }
                }
            }
        } else {
            let method = field_ident(&last);
            take(&parent_node, &method.to_string())?;
            let doc = format!(" `{node}`");
            quote! {
                #[doc = #doc]
                pub fn #method(self) -> #child {
                    #child { ids: self.ids }
                }
            }
        };
        methods.entry(parent_node).or_default().extend(body);
    }
    for op in &catalogue.operations {
        let node = navigation_node(&op.path);
        take(&node, &op.verb)?;
        let verb = format_ident!("{}", op.verb);
        let ty = ident(&op.name);
        let fields: Vec<Ident> = op.path_params().iter().map(|p| field_ident(p)).collect();
        let mut args = TokenStream::new();
        let mut inits = TokenStream::new();
        for q in &op.query_params {
            let f = field_ident(&q.name);
            if q.required {
                let vt = value_type(q.ty);
                args.extend(quote!(#f: #vt,));
                inits.extend(quote!(#f,));
            } else if let Some(d) = &q.default {
                if q.ty == ParamType::String {
                    inits.extend(quote!(#f: Some(#d.to_owned()),));
                } else {
                    inits.extend(quote!(#f: #d.parse().ok(),));
                }
            } else {
                inits.extend(quote!(#f: None,));
            }
        }
        if let Some(q) = &op.query_service {
            let qt = format_ident!("{}Query", q);
            args.extend(quote!(query: crate::query::Query<crate::queries::#qt>,));
            inits.extend(quote!(query,));
        }
        if let Some(r) = op.request.as_ref().map(|r| &r.representation) {
            let rt = ident(roots.get(r).map_or(r.as_str(), String::as_str));
            args.extend(quote!(body: veeam_em_model::#rt,));
            inits.extend(quote!(body,));
        }
        if op.auth == Auth::Basic {
            args.extend(quote!(credentials: Credentials,));
            inits.extend(quote!(credentials,));
        }
        let doc = format!(
            " {} (`{} {}`).",
            op.summary.trim_end_matches('.'),
            op.method,
            op.template()
        );
        methods.entry(node).or_default().extend(quote! {
            #[doc = #doc]
            pub fn #verb(self, #args) -> crate::ops::#ty {
                let [#(#fields),*] = self.ids;
                crate::ops::#ty { #(#fields,)* #inits }
            }
        });
    }
    let mut items = TokenStream::new();
    for node in &nodes {
        let ty = node_type(node);
        let arity = node_arity(node);
        let doc = if node.is_empty() {
            " The API root `/`.".to_owned()
        } else {
            format!(" `{node}`")
        };
        let m = methods.remove(node).unwrap_or_default();
        items.extend(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #ty {
                ids: [Id; #arity],
            }

            impl #ty {
                #m
            }
        });
    }
    // Shortcuts from the module for the root's children.
    let mut shortcuts = TokenStream::new();
    for node in &nodes {
        if let Some((p, last)) = parent(node) {
            if p.is_empty() && last != "{}" {
                let method = field_ident(&last);
                let ty = node_type(node);
                let doc = format!(" `{node}` (same as `root().{method}()`).");
                shortcuts.extend(quote! {
                    #[doc = #doc]
                    pub fn #method() -> #ty {
                        root().#method()
                    }
                });
            }
        }
    }
    Ok(quote! {
        /// Navigation from the API root to every operation, following the URL structure:
        /// `api::cdp_replica_sessions().id(id).cdp_replica_task_sessions().get()`.
        pub mod api {
            use super::*;

            /// The API root.
            pub fn root() -> RootPath {
                RootPath { ids: [] }
            }

            #shortcuts
            #items
        }
    })
}

/// `queries` (marker types) and `fields` (typed fields per query type).
fn render_queries(catalogue: &Catalogue) -> (TokenStream, TokenStream) {
    let mut markers = TokenStream::new();
    let mut fields = TokenStream::new();
    for q in &catalogue.query_types {
        let marker = format_ident!("{}Query", q.name);
        let name = &q.name;
        let doc = format!(
            " The query type `{name}` (`GET /query?type={name}`); items in entity form are `<{}>`.",
            q.entity
        );
        markers.extend(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
            pub struct #marker;

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
            pub mod #module {
                use crate::queries::#marker;
                use crate::query::Field;
                #(#consts)*
            }
        });
    }
    // Enumerations used by fields are filter values (quoted, as written in XML).
    let enums: BTreeSet<&str> = catalogue
        .query_types
        .iter()
        .flat_map(|q| q.fields.iter().filter_map(|f| f.enumeration.as_deref()))
        .collect();
    for e in enums {
        let e = ident(e);
        markers.extend(quote! {
            impl crate::query::FilterValue for veeam_em_model::#e {
                fn write_filter(&self, out: &mut String) {
                    crate::query::write_quoted(self.as_str(), out);
                }
            }
        });
    }
    (
        quote! {
            /// Marker types of the query service's types.
            pub mod queries {
                #markers
            }
        },
        quote! {
            /// Typed filter and sort fields, one module per query type.
            pub mod fields {
                #fields
            }
        },
    )
}
