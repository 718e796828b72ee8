//! Joins the catalogue with the schemas: what the catalogue would otherwise have to repeat by
//! hand is read from the IR instead.
//!
//! Today: where the items of each query type sit in a `QueryResult`. The schema of `QueryResult`
//! lists, under `Entities` and `Resources`, one list element per type; the list's item elements
//! (one, or a choice of several names for one type, a server quirk) have the entity's type. A
//! `QueryType` of the catalogue names only its entity; its list and item names follow.

use anyhow::{bail, Context as _, Result};

use crate::catalogue::Catalogue;
use crate::ir::{FieldType, Model, Particle, TypeDef};

/// One list a `QueryResult` can hold: container (`Entities`), list element, item names, item type.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultList {
    pub container: String,
    pub list: String,
    pub items: Vec<String>,
    pub item_type: String,
}

/// Every list of `QueryResult/Entities` and `QueryResult/Resources`.
pub fn result_lists(model: &Model) -> Result<Vec<ResultList>> {
    let root = model
        .roots
        .iter()
        .find(|r| r.name == "QueryResult")
        .context("schemas/query.xsd has no QueryResult element")?;
    let query_result = complex(model, &root.type_name)?;
    let mut out = Vec::new();
    for particle in &query_result.content {
        let Particle::Element(container) = particle else {
            continue;
        };
        if !matches!(container.name.as_str(), "Entities" | "Resources") {
            continue;
        }
        let FieldType::Complex(container_type) = &container.ty else {
            continue;
        };
        // The lists: elements of a sequence or alternatives of a choice.
        let lists = complex(model, container_type)?
            .content
            .iter()
            .flat_map(|p| match p {
                Particle::Element(e) => std::slice::from_ref(e),
                Particle::Choice(ch) => ch.variants.as_slice(),
            });
        for list in lists {
            let FieldType::Complex(list_type) = &list.ty else {
                continue;
            };
            let elements: Vec<_> = match complex(model, list_type)?.content.as_slice() {
                [Particle::Element(item)] => vec![item],
                [Particle::Choice(choice)] => choice.variants.iter().collect(),
                _ => continue,
            };
            let Some(FieldType::Complex(item_type)) = elements.first().map(|e| &e.ty) else {
                continue;
            };
            if elements
                .iter()
                .any(|e| e.ty != FieldType::Complex(item_type.clone()))
            {
                continue;
            }
            out.push(ResultList {
                container: container.name.clone(),
                list: list.name.clone(),
                items: elements.iter().map(|e| e.name.clone()).collect(),
                item_type: item_type.clone(),
            });
        }
    }
    Ok(out)
}

fn complex<'m>(model: &'m Model, name: &str) -> Result<&'m crate::ir::ComplexType> {
    match model.types.get(name) {
        Some(TypeDef::Complex(c)) => Ok(c),
        _ => bail!("{name} is not a complex type of schemas/*.xsd"),
    }
}

/// Fills in `list`, `items` and `container` of every query type from `QueryResult`'s schema.
pub fn query_lists(catalogue: &mut Catalogue, model: &Model) -> Result<()> {
    let lists = result_lists(model)?;
    for q in &mut catalogue.query_types {
        let what = format!("query type {} ({}.xml)", q.name, q.family);
        let entity_type = model
            .roots
            .iter()
            .find(|r| r.name == q.entity)
            .map(|r| r.type_name.clone())
            .with_context(|| format!("{what}: {} is not a root element", q.entity))?;
        let candidates: Vec<&ResultList> = lists
            .iter()
            .filter(|l| l.item_type == entity_type)
            .filter(|l| q.list.as_ref().is_none_or(|name| &l.list == name))
            .collect();
        let found = match candidates.as_slice() {
            [one] => *one,
            [] => bail!(
                "{what}: no list of QueryResult/Entities or /Resources in schemas/query.xsd holds {} items{}",
                q.entity,
                q.list.as_ref().map(|l| format!(" under {l}")).unwrap_or_default()
            ),
            many => bail!(
                "{what}: several lists hold {} items ({}); say which with list=\"...\"",
                q.entity,
                many.iter().map(|l| l.list.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        if !q.items.is_empty() && q.items != found.items {
            bail!(
                "{what}: items=\"{}\" but schemas/query.xsd says {}",
                q.items.join(" "),
                found.items.join(" ")
            );
        }
        q.list = Some(found.list.clone());
        q.items = found.items.clone();
        q.container = found.container.clone();
    }
    Ok(())
}

/// A type with an href of its own (`Href` attribute) or links (`Links` element): the resource
/// layer makes it followable (`Follow`) and searchable by relation (`Links`).
#[derive(Debug, Clone, PartialEq)]
pub struct Navigable {
    /// Rust name of the model type.
    pub rust_name: String,
    /// Its schema file (the family).
    pub source_file: String,
    /// `Some(required)` when it has an `Href` attribute of type `xs:anyURI`.
    pub href: Option<bool>,
    /// `Some(optional)` when it has a single `Links` element whose type lists `Link`s.
    pub links: Option<bool>,
}

/// Every complex type with an href or links, by Rust name.
pub fn navigable(model: &Model) -> Vec<Navigable> {
    use crate::ir::ValueType;
    let link_list = |name: &str| match model.types.get(name) {
        Some(TypeDef::Complex(c)) => matches!(
            c.content.as_slice(),
            [Particle::Element(e)] if e.name == "Link" && e.max.is_none_or(|m| m > 1)
        ),
        _ => false,
    };
    let mut out = Vec::new();
    for def in model.types.values() {
        let TypeDef::Complex(c) = def else { continue };
        let href = c
            .attributes
            .iter()
            .find(|a| a.name == "Href" && a.ty == ValueType::Href)
            .map(|a| a.required);
        let links = c.content.iter().find_map(|p| match p {
            Particle::Element(e)
                if e.name == "Links"
                    && e.max == Some(1)
                    && matches!(&e.ty, FieldType::Complex(t) if link_list(t)) =>
            {
                Some(e.min == 0)
            }
            _ => None,
        });
        if href.is_some() || links.is_some() {
            out.push(Navigable {
                rust_name: c.rust_name.clone(),
                source_file: c.source_file.clone(),
                href,
                links,
            });
        }
    }
    out
}
