//! The documents of objects: reference, entity, and lists of either, for any kind.
//!
//! An entity is its family's typed document when the family writes one (the CDP family's
//! million task sessions), else the schema's document sampled for the object; either way with
//! the object's links, the members requests changed merged over it (`edits.rs`), and, when the
//! simulator answers as a newer server, content no schema of ours declares.

use std::fmt::Write as _;

use http::StatusCode;
use veeam_em_model::{reflect, Document, Entities, EntityRef, EntityReferences, LinkList, Text};

use super::edits;
use super::links::{self, Form};
use super::sample::{self, Identity, Sampler};
use crate::errors::Failure;
use crate::family::Family;
use crate::registry::{KindId, Obj};
use crate::world::World;

fn unreadable(e: impl std::fmt::Display) -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("The simulator wrote a document it cannot read back: {e}"),
    )
}

/// Decodes a document the simulator wrote.
pub(crate) fn decode(xml: &str) -> Result<Document, Failure> {
    Document::from_slice(xml.as_bytes()).map_err(unreadable)
}

fn no_schema(root: &str) -> Failure {
    Failure::new(
        StatusCode::NOT_IMPLEMENTED,
        format!("The simulator has no schema of <{root}>"),
    )
}

/// The reference form of `o`.
pub(crate) fn reference(w: &dyn World, o: Obj, base: &str) -> EntityRef {
    let kind = w.registry().kind(o.kind);
    let name = w.name(o);
    EntityRef {
        type_: Text::from(format!("{}Reference", kind.name)),
        href: links::href(base, &links::path(w, o, Form::Reference)),
        uid: veeam_em_model::Uid::new(kind.name, &w.id(o)).expect("kind names are alphanumeric"),
        links: Some(LinkList {
            links: links::of(w, o, base, Form::Reference, Some(&name)),
            unknown: Default::default(),
        }),
        name: Some(Text::from(name)),
        unknown: Default::default(),
    }
}

/// References to `items` of `kind`.
pub(crate) fn references(
    w: &dyn World,
    kind: KindId,
    items: &[u64],
    base: &str,
) -> EntityReferences {
    EntityReferences {
        refs: items
            .iter()
            .map(|&index| reference(w, Obj { kind, index }, base))
            .collect(),
        unknown: Default::default(),
    }
}

/// `<Link .../>` elements.
fn links_xml(links: &[veeam_em_model::Link]) -> String {
    let mut out = String::new();
    for l in links {
        out.push_str("<Link");
        if let Some(rel) = &l.rel {
            let _ = write!(out, " Rel=\"{}\"", sample::escape(rel));
        }
        if let Some(ty) = &l.type_ {
            let _ = write!(out, " Type=\"{}\"", sample::escape(ty));
        }
        let _ = write!(out, " Href=\"{}\"", sample::escape(l.href.as_str()));
        if let Some(name) = &l.name {
            let _ = write!(out, " Name=\"{}\"", sample::escape(name));
        }
        out.push_str("/>");
    }
    out
}

/// The entity of `o` as XML with root element `root` (its kind's entity root, or a list's item
/// name), as served: the family's or sampled, with what requests changed.
pub(crate) fn entity_xml(
    w: &dyn World,
    family: Option<&dyn Family>,
    o: Obj,
    base: &str,
) -> Result<String, Failure> {
    let kind = w.registry().kind(o.kind);
    let root = kind.entity().ok_or_else(|| no_schema(kind.name))?;
    let typed = family.and_then(|f| f.entity(w, o, base));
    let mut xml = match typed {
        Some(doc) => doc.to_xml_string(),
        None => sampled(w, family, o, root, base)?,
    };
    if let Some(patch) = w.store().overlay(o).and_then(|ov| ov.patch.as_deref()) {
        // The server's links stay (a body that sends links back does not replace them).
        let patch = edits::without_child(patch, "Links");
        xml = edits::merge(&xml, &patch).ok_or_else(|| unreadable("an edit does not merge"))?;
    }
    if w.config().newer_server {
        xml = edits::with_future_content(&xml);
    }
    Ok(xml)
}

/// The sampled entity of `o`.
fn sampled(
    w: &dyn World,
    family: Option<&dyn Family>,
    o: Obj,
    root: &str,
    base: &str,
) -> Result<String, Failure> {
    let reg = w.registry();
    let href = links::href(base, &links::path(w, o, Form::Entity));
    let uid = w.uid(o);
    let name = w.name(o);
    let links = links_xml(&links::of(w, o, base, Form::Entity, Some(&name)));
    // Objects of their own that the entity holds: the kinds below it whose entity root is the
    // element (a job's includes, a plan's VMs).
    let nested = |element: &str| -> Option<Vec<String>> {
        let child = reg
            .kinds
            .iter()
            .find(|k| k.parent == Some(o.kind) && k.entity() == Some(element))?;
        let items = w.children(child.id, o);
        Some(
            items
                .iter()
                .filter_map(|i| {
                    let xml = entity_xml(
                        w,
                        family.filter(|f| f.claims(child)),
                        Obj {
                            kind: child.id,
                            index: i,
                        },
                        base,
                    )
                    .ok()?;
                    Some(as_item(&xml, element, element))
                })
                .collect(),
        )
    };
    let keep = |path: &str| family.and_then(|f| f.keeps(w, o, path));
    let nests = |element: &str| {
        reg.kinds
            .iter()
            .any(|k| k.parent == Some(o.kind) && k.entity() == Some(element))
    };
    Sampler {
        world: w,
        object: o,
        seed: sample::seed_of(w, o),
        identity: Identity {
            type_: root,
            href: href.as_str(),
            uid: &uid,
            name: &name,
            links: &links,
            nested: &nested,
            nests: &nests,
            keep: &keep,
        },
    }
    .document(root)
    .ok_or_else(|| no_schema(root))
}

/// The entity document of `o`.
pub(crate) fn entity(
    w: &dyn World,
    family: Option<&dyn Family>,
    o: Obj,
    base: &str,
) -> Result<Document, Failure> {
    if w.store().overlay(o).is_none() && !w.config().newer_server {
        if let Some(doc) = family.and_then(|f| f.entity(w, o, base)) {
            return Ok(doc);
        }
    }
    decode(&entity_xml(w, family, o, base)?)
}

/// An entity document with its root element renamed `item` and without its namespace
/// declaration (the enclosing list's applies).
pub(crate) fn as_item(xml: &str, root: &str, item: &str) -> String {
    let body = xml
        .strip_prefix(&format!("<{root} xmlns=\"http://www.veeam.com/ent/v1.0\""))
        .unwrap_or(xml);
    match body.strip_suffix(&format!("</{root}>")) {
        Some(b) => format!("<{item}{b}</{item}>"),
        None => format!("<{item}{body}"),
    }
}

/// The item element of list root `list` (its first alternative for a choice).
fn list_item(list: &str) -> Option<&'static str> {
    let ty = reflect::complex(reflect::root(list)?.type_name)?;
    match ty.content {
        [reflect::ParticleInfo::Element(e)] => Some(e.name),
        [reflect::ParticleInfo::Choice { alternatives, .. }] => {
            alternatives.first().map(|a| a.name)
        }
        _ => None,
    }
}

/// The entity list document `list` of `items` of `kind`.
pub(crate) fn list(
    w: &dyn World,
    family: Option<&dyn Family>,
    kind: KindId,
    items: &[u64],
    list: &str,
    base: &str,
) -> Result<Document, Failure> {
    if items
        .iter()
        .all(|&i| w.store().overlay(Obj { kind, index: i }).is_none())
        && !w.config().newer_server
    {
        if let Some(doc) = family.and_then(|f| f.list(w, kind, items, list, base)) {
            return Ok(doc);
        }
    }
    let root = w
        .registry()
        .kind(kind)
        .entity()
        .ok_or_else(|| no_schema(list))?;
    let item = list_item(list).ok_or_else(|| no_schema(list))?;
    let mut out = format!("<{list} xmlns=\"http://www.veeam.com/ent/v1.0\">");
    for &index in items {
        out.push_str(&as_item(
            &entity_xml(w, family, Obj { kind, index }, base)?,
            root,
            item,
        ));
    }
    let _ = write!(out, "</{list}>");
    decode(&out)
}

/// The `Entities` of a query result: `items` of `kind` in the list element `list_name`.
pub(crate) fn query_entities(
    w: &dyn World,
    family: Option<&dyn Family>,
    kind: KindId,
    items: &[u64],
    list_name: &str,
    item_name: &str,
    base: &str,
) -> Result<Entities, Failure> {
    if items
        .iter()
        .all(|&i| w.store().overlay(Obj { kind, index: i }).is_none())
        && !w.config().newer_server
    {
        if let Some(e) = family.and_then(|f| f.query_entities(w, kind, items, base)) {
            return Ok(e);
        }
    }
    let root = w
        .registry()
        .kind(kind)
        .entity()
        .ok_or_else(|| no_schema(list_name))?;
    let mut xml =
        format!("<QueryResult xmlns=\"http://www.veeam.com/ent/v1.0\"><Entities><{list_name}>");
    for &index in items {
        xml.push_str(&as_item(
            &entity_xml(w, family, Obj { kind, index }, base)?,
            root,
            item_name,
        ));
    }
    let _ = write!(xml, "</{list_name}></Entities></QueryResult>");
    match decode(&xml)? {
        Document::QueryResult(result) => Ok(result.entities.unwrap_or_default()),
        _ => Err(unreadable("not a query result")),
    }
}

/// A sampled document of `representation` about whatever the request names (a service root, a
/// report frame no family computes, an action's answer), with `Type` `type_name`.
pub(crate) fn other(
    w: &dyn World,
    o: Obj,
    representation: &str,
    type_name: &str,
    href: &str,
    links: &[veeam_em_model::Link],
) -> Result<Document, Failure> {
    let uid = format!("urn:veeam:{representation}:{}", uuid::Uuid::nil());
    let name = w.name(o);
    let links = links_xml(links);
    decode(
        &Sampler {
            world: w,
            object: o,
            seed: sample::seed_of(w, o) ^ representation.len() as u64,
            identity: Identity {
                type_: type_name,
                href,
                uid: &uid,
                name: &name,
                links: &links,
                nested: &sample::no_nested,
                nests: &sample::no_nests,
                keep: &sample::no_keep,
            },
        }
        .document(representation)
        .ok_or_else(|| no_schema(representation))?,
    )
}
