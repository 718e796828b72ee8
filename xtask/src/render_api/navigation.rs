//! `generated/api.rs`: navigation from the API root to every operation, one struct per path
//! node (`api::cdp_replica_sessions().id(id).cdp_replica_task_sessions().get()`). A method is
//! compiled when a family below it is.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{ensure, Result};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{cfg_any, field_ident, ident, value_type, Schemas};
use crate::catalogue::{navigation_node, Auth, Catalogue, ParamType};

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

/// The `api` module: one struct per path node, methods to children and to operations.
pub fn render(catalogue: &Catalogue, schemas: &Schemas<'_>) -> Result<TokenStream> {
    // Every node and all its ancestors, with the families of the operations at or below it.
    let mut nodes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for op in &catalogue.operations {
        let mut node = navigation_node(&op.path);
        loop {
            nodes
                .entry(node.clone())
                .or_default()
                .insert(op.family.clone());
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
    for (node, below) in &nodes {
        let Some((parent_node, last)) = parent(node) else {
            continue;
        };
        let cfg = cfg_any(below);
        let child = node_type(node);
        let arity = node_arity(&parent_node);
        let binds: Vec<Ident> = (0..arity).map(|i| format_ident!("p{}", i)).collect();
        let body = if last == "{}" {
            take(&parent_node, "id")?;
            quote! {
                /// Selects one item by id.
                #cfg
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
                #cfg
                pub fn #method(self) -> #child {
                    #child { ids: self.ids }
                }
            }
        };
        methods.entry(parent_node).or_default().extend(body);
    }
    for op in &catalogue.operations {
        let node = navigation_node(&op.path);
        let verb = method_name(&op.verb, &op.name);
        take(&node, &verb.to_string())?;
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
        if let Some(r) = &op.request {
            let rt = schemas.rust_type(&r.representation);
            if r.optional {
                // Set it on the operation when there is one: `op.body = Some(...)`.
                inits.extend(quote!(body: None,));
            } else {
                args.extend(quote!(body: veeam_em_model::#rt,));
                inits.extend(quote!(body,));
            }
        }
        for h in &op.headers {
            let f = format_ident!(
                "header_{}",
                crate::names::field_name(&h.name).trim_end_matches('_')
            );
            if h.required {
                let vt = value_type(h.ty);
                args.extend(quote!(#f: #vt,));
                inits.extend(quote!(#f,));
            } else {
                inits.extend(quote!(#f: None,));
            }
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
        let cfg = crate::families::cfg(&op.family);
        methods.entry(node).or_default().extend(quote! {
            #[doc = #doc]
            #cfg
            pub fn #verb(self, #args) -> crate::ops::#ty {
                let [#(#fields),*] = self.ids;
                crate::ops::#ty { #(#fields,)* #inits }
            }
        });
    }
    let mut items = TokenStream::new();
    for node in nodes.keys() {
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
    for (node, below) in &nodes {
        if let Some((p, last)) = parent(node) {
            if p.is_empty() && last != "{}" {
                let method = field_ident(&last);
                let ty = node_type(node);
                let doc = format!(" `{node}` (same as `root().{method}()`).");
                let cfg = cfg_any(below);
                shortcuts.extend(quote! {
                    #[doc = #doc]
                    #cfg
                    pub fn #method() -> #ty {
                        root().#method()
                    }
                });
            }
        }
    }
    Ok(quote! {
        //! Navigation from the API root to every operation, following the URL structure:
        //! `api::cdp_replica_sessions().id(id).cdp_replica_task_sessions().get()`.
        #![allow(clippy::all, missing_docs, unused_imports, unused_variables)]

        use crate::{Credentials, Id};

        /// The API root.
        pub fn root() -> RootPath {
            RootPath { ids: [] }
        }

        #shortcuts
        #items
    })
}

/// The methods of the standard traits every navigation type has or derives (`Clone`,
/// `PartialEq`, `Debug`, `Hash`, `Into`, `ToOwned`, ...): a generated method of one of these
/// names would hide the trait's (`api::jobs().id(x).clone()` would not compile).
pub(crate) const STD_METHODS: &[&str] = &[
    "as_mut",
    "as_ref",
    "borrow",
    "borrow_mut",
    "clamp",
    "clone",
    "clone_from",
    "cmp",
    "default",
    "deref",
    "drop",
    "eq",
    "fmt",
    "from",
    "hash",
    "into",
    "max",
    "min",
    "ne",
    "partial_cmp",
    "to_owned",
    "to_string",
    "try_from",
    "try_into",
    "type_id",
];

/// The navigation method of an operation: its verb, or, when the verb is a standard trait's
/// method, the operation's name in snake case (`clone` of `CloneJob` is `clone_job`).
pub(crate) fn method_name(verb: &str, operation: &str) -> Ident {
    if STD_METHODS.contains(&verb) {
        field_ident(operation)
    } else {
        format_ident!("{}", verb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_never_shadow_standard_methods() {
        assert_eq!(method_name("clone", "CloneJob").to_string(), "clone_job");
        assert_eq!(
            method_name("eq", "EqualizeThings").to_string(),
            "equalize_things"
        );
        assert_eq!(method_name("start", "StartJob").to_string(), "start");
        for m in STD_METHODS {
            assert_ne!(method_name(m, "SomeOperation").to_string(), *m);
        }
    }
}
