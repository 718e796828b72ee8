//! What the catalogue's XSD cannot check, across operations: representations that exist, path
//! parameters, unique routes and navigation names, links that some operation serves.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, ensure, Result};

use super::*;

/// Checks what the catalogue's XSD cannot.
pub fn check(
    catalogue: &Catalogue,
    representations: &BTreeSet<String>,
    enums: &BTreeSet<String>,
) -> Result<()> {
    let mut names = BTreeSet::new();
    let mut routes = BTreeMap::new();
    let mut verbs = BTreeMap::new();
    let query_types: BTreeSet<&str> = catalogue
        .query_types
        .iter()
        .map(|q| q.name.as_str())
        .collect();
    for o in &catalogue.operations {
        let what = format!("operation {} ({}.xml)", o.name, o.family);
        ensure!(names.insert(&o.name), "{what}: name used twice");
        ensure!(
            o.path.starts_with('/') && !o.path.contains('?'),
            "{what}: path must start with / and hold no query"
        );
        ensure!(!o.responses.is_empty(), "{what}: no <Response>");
        ensure!(
            o.verb
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{what}: verb {} is not snake_case",
            o.verb
        );
        let segments: Vec<&str> = o.path.split('/').collect();
        for (i, seg) in segments.iter().enumerate() {
            ensure!(
                !seg.ends_with("*}") || i + 1 == segments.len(),
                "{what}: only the last path parameter may take the rest of the path ({seg})"
            );
        }
        let mut params = BTreeSet::new();
        for p in o.path_params() {
            ensure!(
                params.insert(p),
                "{what}: path parameter {{{p}}} twice; give each a distinct name"
            );
        }
        for alias in &o.aliases {
            ensure!(
                path_params(alias) == o.path_params(),
                "{what}: alias {alias} must have the same parameters"
            );
        }
        let bodies = o
            .request
            .iter()
            .map(|b| &b.representation)
            .chain(o.responses.iter().filter_map(|r| r.representation.as_ref()));
        for r in bodies {
            ensure!(
                representations.contains(r),
                "{what}: {r} is not a root element of schemas/*.xsd"
            );
        }
        if let Some(q) = &o.query_service {
            ensure!(
                query_types.contains(q.as_str()),
                "{what}: no <QueryType name=\"{q}\">"
            );
        }
        // Routes: method + path shape + fixed query must be unique.
        let shape: Vec<&str> = o
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect();
        let mut fixed = o.fixed_query.clone();
        fixed.sort();
        if let Some(other) = routes.insert((o.method, shape.join("/"), fixed), &o.name) {
            bail!("{what}: {other} has the same method, path and fixed query");
        }
        let node = navigation_node(&o.path);
        if let Some(other) = verbs.insert((node.clone(), o.verb.clone()), &o.name) {
            bail!("{what}: verb {} is used by {other} too on {node}", o.verb);
        }
    }
    let mut seen = BTreeSet::new();
    for q in &catalogue.query_types {
        let what = format!("query type {} ({}.xml)", q.name, q.family);
        ensure!(seen.insert(&q.name), "{what}: name used twice");
        ensure!(
            representations.contains(&q.entity),
            "{what}: {} is not a root element",
            q.entity
        );
        for f in &q.fields {
            if let Some(e) = &f.enumeration {
                ensure!(
                    enums.contains(e) && f.ty == ParamType::String,
                    "{what}: field {}: enum {e} must be an enumeration of schemas/*.xsd on a string field",
                    f.name
                );
            }
        }
    }
    Ok(())
}

/// The navigation node of a path: parameter names are irrelevant (`/a/{x}` and `/a/{y}` are one
/// node), trailing slashes too.
pub fn navigation_node(path: &str) -> String {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}
