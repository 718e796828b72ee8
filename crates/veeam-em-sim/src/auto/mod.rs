//! The generic part of the world: every GET of the catalogue that no hand-written kind serves,
//! answered from the catalogue and the schemas alone, so that a family added to `schemas/` is
//! served after `cargo xtask regen` with no code here.
//!
//! At start, the catalogue's GET operations are grouped by path node. An item node
//! (`/jobs/{}`, `/jobs/{}/includes/{}`) is a kind: its objects are `0..n` (below each parent,
//! for nested kinds), their ids encode kind and index (`ids.rs`), their entity documents are
//! sampled from the schema of the entity form's root element ([`sample`]). Collection nodes
//! list a kind (references, or entities with `?format=Entity`); any other GET answers a sampled
//! document of its representation. Links (`Alternate`, `Up`, `Down`) are written from the
//! catalogue, only where an operation serves them. The query service finds the kinds whose
//! entity is a query type's, and filters on the values the sampled documents show.

pub(crate) mod edits;
pub(crate) use edits::has_child;
pub(crate) mod sample;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use http::StatusCode;
use veeam_em_api::{Entry, Route, CATALOGUE};
use veeam_em_model::{Document, EntityRef, EntityReferences, Link, LinkList, Text};

use crate::errors::Failure;
use crate::ids::IdSpace;
use crate::serve::normalize;
use crate::world::{Ctx, Value};
use sample::{Identity, Sampler};

/// How many top-level objects of the generic kind named `kind` exist (for UIDs in sampled
/// documents that name other objects).
fn existing_objects(kind: &str) -> Option<u64> {
    the_plan()
        .kinds
        .values()
        .any(|k| k.name == kind && k.parent.is_none() && k.entity_root.is_some())
        .then_some(TOP_LEVEL)
}

/// Objects of a top-level generic kind.
pub(crate) const TOP_LEVEL: u64 = 4;
/// Objects of a nested generic kind below each parent.
pub(crate) const PER_PARENT: u64 = 2;

/// A kind of generic objects: an item node of the catalogue.
#[derive(Debug)]
pub(crate) struct AutoKind {
    /// The item node, e.g. `/jobs/{}`.
    pub node: String,
    /// The kind in UIDs, e.g. `Job`.
    pub name: String,
    /// The root element of the entity form, if the catalogue serves one.
    pub entity_root: Option<&'static str>,
    /// Whether `GET node` answers a reference.
    pub reference: bool,
    /// Whether `GET node?format=Entity` (rather than `GET node`) is the entity form.
    pub entity_query: bool,
    /// The parent kind (nested nodes), by node.
    pub parent: Option<String>,
    /// The parent is a hand-written kind: the objects are the same below each of its objects.
    pub foreign_parent: Option<crate::world::KindId>,
    /// Child collection nodes (`/jobs/{}/includes`), for `Down` links.
    pub children: Vec<String>,
}

/// Everything the generic world knows, built once from the catalogue.
pub(crate) struct Plan {
    pub kinds: BTreeMap<String, AutoKind>,
}

fn segments_kind_name(node: &str) -> String {
    // `/backupServers/{}/creds/{}` -> `Creds`; singular when the segment is plural.
    let seg = node
        .trim_end_matches("/{}")
        .rsplit('/')
        .next()
        .unwrap_or("Object");
    let mut name: String = seg
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if let Some(stem) = name.strip_suffix("ies") {
        name = format!("{stem}y");
    } else if name.ends_with('s') && !name.ends_with("ss") {
        name.pop();
    }
    name
}

fn is_reference(entry: &Entry) -> bool {
    matches!(entry.representation(), Some("EntityRef"))
}

fn is_entity_form(entry: &Entry) -> bool {
    entry
        .fixed_query
        .iter()
        .any(|(k, v)| *k == "format" && *v == "Entity")
}

/// The plan of the catalogue of this build; `foreign` are the item nodes hand-written kinds
/// serve.
pub(crate) fn plan(foreign: Vec<String>) -> Plan {
    let gets: Vec<&'static Entry> = CATALOGUE
        .iter()
        .filter(|e| e.method == "GET" && e.query_service.is_none())
        .collect();
    let mut kinds: BTreeMap<String, AutoKind> = BTreeMap::new();
    for e in &gets {
        let node = normalize(e.path);
        // `/mounts/{}/{}`: a path inside an object (a guest file path), not a kind.
        if !node.ends_with("/{}") || node.ends_with("/{}/{}") || foreign.contains(&node) {
            continue;
        }
        let k = kinds.entry(node.clone()).or_insert_with(|| AutoKind {
            name: segments_kind_name(&node),
            parent: None,
            entity_root: None,
            reference: false,
            entity_query: false,
            foreign_parent: None,
            children: Vec::new(),
            node: node.clone(),
        });
        if is_reference(e) && !is_entity_form(e) {
            k.reference = true;
        } else if let Some(root) = e.representation() {
            if is_entity_form(e) || k.entity_root.is_none() {
                k.entity_root = Some(root);
                k.entity_query = is_entity_form(e);
                // The entity's element names the kind (`Job`, `BackupJobSession`).
                k.name = root.to_owned();
            }
        }
    }
    // Parents that no GET serves still need ids: a kind with no forms of its own.
    loop {
        let missing: Vec<String> = kinds
            .keys()
            .filter_map(|n| parent_item(n))
            .filter(|p| !kinds.contains_key(p) && !foreign.contains(p))
            .collect();
        if missing.is_empty() {
            break;
        }
        for node in missing {
            kinds.insert(
                node.clone(),
                AutoKind {
                    name: segments_kind_name(&node),
                    parent: None,
                    foreign_parent: None,
                    entity_root: None,
                    reference: false,
                    entity_query: false,
                    children: Vec::new(),
                    node,
                },
            );
        }
    }
    let nodes: Vec<String> = kinds.keys().cloned().collect();
    for node in &nodes {
        let parent = parent_item(node);
        // Child collections (`/jobs/{}/includes`) and paths inside the object (`/{}`).
        let children: Vec<String> = gets
            .iter()
            .map(|e| normalize(e.path))
            .filter(|c| c.starts_with(&format!("{node}/")))
            .filter(|c| c[node.len() + 1..].split('/').count() == 1)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let foreign_parent = parent.as_deref().and_then(crate::serve::hand_written_kind);
        if let Some(k) = kinds.get_mut(node) {
            k.parent = parent;
            k.foreign_parent = foreign_parent;
            k.children = children;
        }
    }
    Plan { kinds }
}

/// `/a/{}/b/{}` -> `/a/{}`; `None` for a top-level item.
fn parent_item(node: &str) -> Option<String> {
    let without_item = node.strip_suffix("/{}")?;
    let cut = without_item.rfind("/{}")?;
    Some(without_item[..cut + 3].to_owned())
}

static PLAN: LazyLock<Plan> = LazyLock::new(|| plan(crate::serve::hand_written_items()));

/// The generic world's plan.
pub(crate) fn the_plan() -> &'static Plan {
    &PLAN
}

impl AutoKind {
    /// Whether the objects are below objects of another generic kind (`PER_PARENT` each).
    fn nested(&self) -> bool {
        self.parent.is_some() && self.foreign_parent.is_none()
    }

    /// The id of object `i`.
    pub fn id(&self, ids: &IdSpace, i: u64) -> String {
        ids.kind(&self.name).uuid(i).hyphenated().to_string()
    }

    /// The object with `id`, if it exists below the parent object `parent` (nested kinds).
    pub fn find(&self, ids: &IdSpace, id: &str, parent: Option<u64>) -> Option<u64> {
        let i = ids.index(&self.name, id)?;
        match parent {
            Some(p) if self.nested() => (i / PER_PARENT == p).then_some(i),
            _ if self.nested() => None,
            _ => (i < TOP_LEVEL).then_some(i),
        }
    }

    /// The objects below parent object `parent` (nested kinds), or all of them.
    pub fn all(&self, parent: Option<u64>) -> Vec<u64> {
        match parent {
            Some(p) if self.nested() => (p * PER_PARENT..(p + 1) * PER_PARENT).collect(),
            _ => (0..TOP_LEVEL).collect(),
        }
    }

    fn display_name(&self, i: u64) -> String {
        let mut words = String::new();
        for (n, c) in self.name.chars().enumerate() {
            if n > 0 && c.is_ascii_uppercase() {
                words.push(' ');
            }
            words.push(c);
        }
        format!("{words} {}", i + 1)
    }
}

/// The path of object `i` of `kind` (`/jobs/<id>` or `/a/<pid>/b/<id>`). Below a hand-written
/// kind, the objects are written below its first object.
fn item_path(cx: &Ctx<'_>, plan: &Plan, kind: &AutoKind, i: u64) -> String {
    let ids = &cx.world.ids;
    let own = kind.id(ids, i);
    let tail = kind.node.trim_end_matches("/{}");
    let (prefix, tail) = match (&kind.parent, kind.foreign_parent) {
        (Some(p), Some(foreign)) => {
            let first = cx.id(foreign, 0);
            let parent_path = p.trim_end_matches("/{}").to_owned() + "/" + &first;
            (parent_path, &tail[p.len()..])
        }
        (Some(p), None) => match plan.kinds.get(p) {
            Some(parent) => (
                item_path(cx, plan, parent, i / PER_PARENT),
                &tail[p.len()..],
            ),
            None => (String::new(), tail),
        },
        (None, _) => (String::new(), tail),
    };
    format!("{prefix}{tail}/{own}")
}

/// The fixed query of the first GET at `node` (`action=listAll`), when it has one.
fn first_variant(node: &str) -> Option<String> {
    CATALOGUE
        .iter()
        .filter(|e| e.method == "GET" && normalize(e.path) == node && !e.fixed_query.is_empty())
        .map(|e| {
            e.fixed_query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        })
        .next()
}

fn served(method: &str, path: &str) -> bool {
    veeam_em_api::route_method(method, path).is_ok()
}

fn link(cx: &Ctx<'_>, rel: &str, ty: Option<&str>, path: &str, name: Option<&str>) -> Option<Link> {
    served("GET", path).then(|| Link {
        rel: Some(Text::from(rel)),
        type_: ty.map(Text::from),
        href: cx.href(path),
        name: name.map(Text::from),
        unknown: Default::default(),
    })
}

/// The links of object `i`: to its other form, its parent, its child collections.
fn links(cx: &Ctx<'_>, plan: &Plan, kind: &AutoKind, i: u64, from_reference: bool) -> Vec<Link> {
    let path = item_path(cx, plan, kind, i);
    let name = kind.display_name(i);
    let mut out = Vec::new();
    if from_reference {
        if let Some(root) = kind.entity_root {
            let entity = if kind.entity_query {
                format!("{path}?format=Entity")
            } else {
                path.clone()
            };
            out.extend(link(cx, "Alternate", Some(root), &entity, Some(&name)));
        }
    } else if kind.reference {
        let ty = format!("{}Reference", kind.name);
        out.extend(link(cx, "Alternate", Some(&ty), &path, Some(&name)));
    }
    if let Some(parent) = kind.parent.as_ref().and_then(|p| plan.kinds.get(p)) {
        let ppath = item_path(cx, plan, parent, i / PER_PARENT);
        let ty = format!("{}Reference", parent.name);
        out.extend(link(cx, "Up", Some(&ty), &ppath, None));
    }
    for child in &kind.children {
        // A path inside the object starts at drive C: (`C%3A`); a collection only served
        // with an action (`?action=listAll`) is linked with its first one.
        let last = child[kind.node.len()..].replace("{}", "C%3A");
        let target = format!("{path}{last}");
        let target = if served("GET", &target) {
            target
        } else {
            match first_variant(child) {
                Some(query) => format!("{target}?{query}"),
                None => continue,
            }
        };
        out.extend(link(cx, "Down", None, &target, None));
    }
    out
}

fn links_xml(links: &[Link]) -> String {
    let mut out = String::new();
    for l in links {
        let _ = write!(out, "<Link");
        if let Some(rel) = &l.rel {
            let _ = write!(out, " Rel=\"{rel}\"");
        }
        if let Some(ty) = &l.type_ {
            let _ = write!(out, " Type=\"{ty}\"");
        }
        let _ = write!(out, " Href=\"{}\"", l.href.as_str().replace('&', "&amp;"));
        if let Some(name) = &l.name {
            let _ = write!(out, " Name=\"{name}\"");
        }
        out.push_str("/>");
    }
    out
}

/// The reference form of object `i`.
pub(crate) fn reference(cx: &Ctx<'_>, plan: &Plan, kind: &AutoKind, i: u64) -> EntityRef {
    let ids = &cx.world.ids;
    let path = item_path(cx, plan, kind, i);
    let id = kind.id(ids, i);
    EntityRef {
        type_: Text::from(format!("{}Reference", kind.name)),
        href: cx.href(&path),
        name: Some(Text::from(kind.display_name(i))),
        uid: veeam_em_model::Uid::new(&kind.name, &id).expect("kind names are alphanumeric"),
        links: Some(LinkList {
            links: links(cx, plan, kind, i, true),
            unknown: Default::default(),
        }),
        unknown: Default::default(),
    }
}

fn sampler<'a>(cx: &Ctx<'_>, kind: &AutoKind, i: u64, identity: Identity<'a>) -> Sampler<'a> {
    Sampler {
        seed: cx.world.hash(crate::ids::mix64(kind.name.len() as u64), i)
            ^ kind
                .name
                .bytes()
                .fold(0u64, |h, b| crate::ids::mix64(h ^ u64::from(b))),
        epoch: cx.world.epoch,
        identity,
        ids: Some(cx.world.ids),
        existing: existing_objects,
    }
}

/// An object to render as an entity: its identity, links, and the seed of its sampled values.
pub(crate) struct Object {
    pub href: veeam_em_model::Href,
    pub uid: String,
    pub name: String,
    pub links: Vec<Link>,
    pub seed: u64,
    /// Objects of its own nested in its document, by element name: their hrefs in order.
    pub nested: Vec<(&'static str, Vec<String>)>,
}

/// The entity document `root` of `object`, as XML.
fn object_xml(cx: &Ctx<'_>, root: &str, object: &Object) -> Option<String> {
    let links = links_xml(&object.links);
    let nested = |name: &str, k: u32| {
        object
            .nested
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, hrefs)| hrefs.get(usize::try_from(k).ok()?).cloned())
    };
    Sampler {
        seed: object.seed,
        epoch: cx.world.epoch,
        identity: Identity {
            type_: root,
            href: &object.href,
            uid: &object.uid,
            name: &object.name,
            links: &links,
            nested: &nested,
        },
        ids: Some(cx.world.ids),
        existing: existing_objects,
    }
    .document(root)
}

/// The object `i` of a generic kind.
fn object(cx: &Ctx<'_>, plan: &Plan, kind: &AutoKind, i: u64) -> Object {
    let path = item_path(cx, plan, kind, i);
    Object {
        href: if kind.entity_query {
            cx.href(&format!("{path}?format=Entity"))
        } else {
            cx.href(&path)
        },
        uid: format!("urn:veeam:{}:{}", kind.name, kind.id(&cx.world.ids, i)),
        name: kind.display_name(i),
        links: links(cx, plan, kind, i, false),
        nested: nested_objects(cx, plan, kind, i),
        seed: sampler(
            cx,
            kind,
            i,
            Identity {
                type_: "",
                href: "",
                uid: "",
                name: "",
                links: "",
                nested: &sample::no_nested,
            },
        )
        .seed,
    }
}

/// The objects of kinds nested below object `i` whose entities its document holds (by their
/// element name), with their hrefs.
fn nested_objects(
    cx: &Ctx<'_>,
    plan: &Plan,
    kind: &AutoKind,
    i: u64,
) -> Vec<(&'static str, Vec<String>)> {
    plan.kinds
        .values()
        .filter(|k| k.parent.as_deref() == Some(kind.node.as_str()) && k.foreign_parent.is_none())
        .filter_map(|k| {
            let root = k.entity_root?;
            let hrefs = k
                .all(Some(i))
                .iter()
                .map(|&c| {
                    let path = item_path(cx, plan, k, c);
                    let path = if k.entity_query {
                        format!("{path}?format=Entity")
                    } else {
                        path
                    };
                    cx.href(&path).to_string()
                })
                .collect();
            Some((root, hrefs))
        })
        .collect()
}

/// The entity document of object `i`, as XML (its root is the kind's entity root): as the
/// last `PUT` left it, else sampled.
fn entity_xml(cx: &Ctx<'_>, plan: &Plan, kind: &AutoKind, i: u64, root: &str) -> Option<String> {
    // Most worlds were never edited: no path to build for them.
    if !cx.world.edits.is_empty() {
        let path = item_path(cx, plan, kind, i).to_ascii_lowercase();
        if let Some(edited) = cx.world.edits.get(&path) {
            return Some(edited.clone());
        }
    }
    let xml = object_xml(cx, root, &object(cx, plan, kind, i))?;
    Some(if cx.world.newer_server {
        edits::with_future_content(&xml)
    } else {
        xml
    })
}

/// The entity document `root` of an object of a hand-written kind, sampled from the schema.
pub(crate) fn entity_document(
    cx: &Ctx<'_>,
    root: &str,
    object: &Object,
) -> Result<Document, Failure> {
    decode(&object_xml(cx, root, object).ok_or_else(|| no_schema(root))?)
}

/// The list document `list_root` of `objects` (entities `entity_root`), sampled from the schema.
pub(crate) fn list_document(
    cx: &Ctx<'_>,
    list_root: &str,
    entity_root: &str,
    objects: &[Object],
) -> Result<Document, Failure> {
    let xmls = objects
        .iter()
        .map(|o| object_xml(cx, entity_root, o))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| no_schema(entity_root))?;
    decode(&wrap_list(list_root, entity_root, &xmls).ok_or_else(|| no_schema(list_root))?)
}

fn no_schema(root: &str) -> Failure {
    Failure::new(
        StatusCode::NOT_IMPLEMENTED,
        format!("The simulator has no schema of <{root}>"),
    )
}

/// The list document `list_root` around entity documents (their roots renamed to the list's
/// item element).
fn wrap_list(list_root: &str, entity_root: &str, entities: &[String]) -> Option<String> {
    let info = veeam_em_model::reflect::root(list_root)?;
    let ty = veeam_em_model::reflect::complex(info.type_name)?;
    let item = match ty.content {
        [veeam_em_model::reflect::ParticleInfo::Element(e)] => e.name,
        [veeam_em_model::reflect::ParticleInfo::Choice { alternatives, .. }] => {
            alternatives.first()?.name
        }
        _ => return None,
    };
    let mut out = format!("<{list_root} xmlns=\"http://www.veeam.com/ent/v1.0\">");
    for xml in entities {
        out.push_str(&as_item(xml, entity_root, item));
    }
    let _ = write!(out, "</{list_root}>");
    Some(out)
}

/// An entity document with its root element renamed `item` and without its namespace
/// declaration (the enclosing list's applies).
fn as_item(xml: &str, root: &str, item: &str) -> String {
    let body = xml
        .strip_prefix(&format!("<{root} xmlns=\"http://www.veeam.com/ent/v1.0\""))
        .unwrap_or(xml);
    match body.strip_suffix(&format!("</{root}>")) {
        Some(b) => format!("<{item}{b}</{item}>"),
        None => format!("<{item}{body}"),
    }
}

fn decode(xml: &str) -> Result<Document, Failure> {
    Document::from_slice(xml.as_bytes()).map_err(|e| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The simulator wrote a document it cannot read back: {e}"),
        )
    })
}

/// A list document `list_root` of the entities `items` of `kind`.
fn list_xml(
    cx: &Ctx<'_>,
    plan: &Plan,
    kind: &AutoKind,
    items: &[u64],
    list_root: &str,
) -> Option<String> {
    let root = kind.entity_root?;
    let xmls = items
        .iter()
        .map(|&i| entity_xml(cx, plan, kind, i, root))
        .collect::<Option<Vec<_>>>()?;
    wrap_list(list_root, root, &xmls)
}

/// The kind whose item node is `node` and the parent object named by `values` (the path's
/// values before the item's own id); `None` when `node` is not a generic kind.
fn locate<'p>(
    cx: &Ctx<'_>,
    plan: &'p Plan,
    node: &str,
    values: &[&str],
) -> Result<Option<(&'p AutoKind, Option<u64>)>, Failure> {
    let Some(kind) = plan.kinds.get(node) else {
        return Ok(None);
    };
    let parent = match (&kind.parent, kind.foreign_parent, values.last()) {
        (Some(_), Some(foreign), Some(pid)) => {
            // A hand-written parent: it must exist.
            cx.world
                .find(foreign, pid)
                .ok_or_else(|| not_found(foreign.name(), pid))?;
            None
        }
        (Some(p), None, Some(pid)) => match plan.kinds.get(p) {
            Some(parent_kind) => {
                let (_, grand) = locate(cx, plan, p, &values[..values.len() - 1])?
                    .unwrap_or((parent_kind, None));
                Some(
                    parent_kind
                        .find(&cx.world.ids, pid, grand)
                        .ok_or_else(|| not_found(&parent_kind.name, pid))?,
                )
            }
            None => None,
        },
        _ => None,
    };
    Ok(Some((kind, parent)))
}

fn not_found(kind: &str, id: &str) -> Failure {
    Failure::not_found(format!("There is no {kind} with the id {id:?}"))
}

/// The object a path names when `node` (normalized) is an item node of a generic kind: its kind
/// and index (`values`: the path's values, its own id last); `None` for any other node, a 404
/// when no such object exists.
fn item<'p>(
    cx: &Ctx<'_>,
    plan: &'p Plan,
    node: &str,
    values: &[&str],
) -> Result<Option<(&'p AutoKind, u64)>, Failure> {
    let Some((kind, parent)) = locate(cx, plan, node, &values[..values.len().saturating_sub(1)])?
    else {
        return Ok(None);
    };
    let id = values.last().copied().unwrap_or_default();
    let i = kind
        .find(&cx.world.ids, id, parent)
        .ok_or_else(|| not_found(&kind.name, id))?;
    Ok(Some((kind, i)))
}

/// Answers a GET no hand-written kind serves; `None` when the generic world cannot either.
pub(crate) fn get(
    cx: &Ctx<'_>,
    entry: &'static Entry,
    route: &Route,
) -> Option<Result<Document, Failure>> {
    let plan = the_plan();
    let node = normalize(entry.path);
    let values: Vec<&str> = route.path_values.iter().map(|v| v.as_str()).collect();
    let representation = entry.representation()?;
    Some((|| {
        // One object.
        if let Some((kind, i)) = item(cx, plan, &node, &values)? {
            if representation == "EntityRef" {
                return Ok(Document::EntityRef(reference(cx, plan, kind, i)));
            }
            return decode(
                &entity_xml(cx, plan, kind, i, representation).ok_or_else(|| unservable(entry))?,
            );
        }
        // A collection of a kind.
        if let Some((kind, parent)) = locate(cx, plan, &format!("{node}/{{}}"), &values)? {
            let items = kind.all(parent);
            if representation == "EntityReferences" {
                return Ok(Document::EntityReferences(EntityReferences {
                    refs: items
                        .iter()
                        .map(|&i| reference(cx, plan, kind, i))
                        .collect(),
                    unknown: Default::default(),
                }));
            }
            if let Some(xml) = list_xml(cx, plan, kind, &items, representation) {
                return decode(&xml);
            }
        }
        if representation == "EntityReferences" {
            // A collection of another kind's objects (`/backupServers/{}/jobs` lists jobs):
            // that kind's objects, else none.
            let last = node.rsplit('/').next().unwrap_or_default();
            let refs = match plan.kinds.get(&format!("/{last}/{{}}")) {
                Some(kind) if kind.parent.is_none() => kind
                    .all(None)
                    .iter()
                    .map(|&i| reference(cx, plan, kind, i))
                    .collect(),
                _ => Vec::new(),
            };
            return Ok(Document::EntityReferences(EntityReferences {
                refs,
                unknown: Default::default(),
            }));
        }
        // Any other document: sampled, about the object its path names.
        let href = cx.href(&route_path(entry, route));
        let uid = format!("urn:veeam:{representation}:{}", uuid::Uuid::nil());
        let sampler = Sampler {
            seed: cx.world.hash(7, entry.name.len() as u64)
                ^ entry
                    .name
                    .bytes()
                    .fold(0u64, |h, b| crate::ids::mix64(h ^ u64::from(b))),
            epoch: cx.world.epoch,
            identity: Identity {
                type_: representation,
                href: &href,
                uid: &uid,
                name: representation,
                links: "",
                nested: &sample::no_nested,
            },
            ids: Some(cx.world.ids),
            existing: existing_objects,
        };
        decode(
            &sampler
                .document(representation)
                .ok_or_else(|| unservable(entry))?,
        )
    })())
}

fn unservable(entry: &Entry) -> Failure {
    Failure::new(
        StatusCode::NOT_IMPLEMENTED,
        format!("The simulator has no data for {} yet", entry.name),
    )
}

/// The path of a route, as requested (values filled into the template, fixed query kept).
fn route_path(entry: &Entry, route: &Route) -> String {
    let mut values = route.path_values.iter();
    let mut out: String = entry
        .path
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                values
                    .next()
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default()
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    for (n, (k, v)) in entry.fixed_query.iter().enumerate() {
        out.push(if n == 0 { '?' } else { '&' });
        let _ = write!(out, "{k}={v}");
    }
    out
}

/// Whether the generic world can answer this GET.
pub(crate) fn serves(entry: &Entry) -> bool {
    entry.representation().is_some_and(|r| {
        r == "EntityRef" || r == "EntityReferences" || veeam_em_model::reflect::root(r).is_some()
    })
}

/// The generic kind whose entity is `entity_root` (for the query service).
pub(crate) fn kind_of_entity(entity_root: &str) -> Option<&'static AutoKind> {
    the_plan()
        .kinds
        .values()
        .find(|k| k.entity_root == Some(entity_root))
}

/// Every object of a generic kind (below every parent).
pub(crate) fn every_object(kind: &AutoKind) -> Vec<u64> {
    if !kind.nested() {
        return (0..TOP_LEVEL).collect();
    }
    let parents = kind
        .parent
        .as_ref()
        .and_then(|p| the_plan().kinds.get(p))
        .map_or(TOP_LEVEL, |pk| every_object(pk).len() as u64);
    (0..parents * PER_PARENT).collect()
}

/// The value of query field `name` of object `i`, as its entity document shows it.
pub(crate) fn field(cx: &Ctx<'_>, kind: &AutoKind, i: u64, name: &str) -> Value {
    let plan = the_plan();
    let Some(root) = kind.entity_root else {
        return Value::Absent;
    };
    let Some(ty) = veeam_em_model::reflect::root(root)
        .and_then(|r| veeam_em_model::reflect::complex(r.type_name))
    else {
        return Value::Absent;
    };
    let ids = &cx.world.ids;
    let path = item_path(cx, plan, kind, i);
    let href = if kind.entity_query {
        cx.href(&format!("{path}?format=Entity"))
    } else {
        cx.href(&path)
    };
    let uid = format!("urn:veeam:{}:{}", kind.name, kind.id(ids, i));
    let display = kind.display_name(i);
    let s = sampler(
        cx,
        kind,
        i,
        Identity {
            type_: root,
            href: &href,
            uid: &uid,
            name: &display,
            links: "",
            nested: &sample::no_nested,
        },
    );
    match s.field(root, ty, name) {
        Some(text) => typed(ty, name, text),
        None => Value::Absent,
    }
}

/// A field's text as a query value of its schema type.
fn typed(ty: &veeam_em_model::reflect::TypeInfo, name: &str, text: String) -> Value {
    use veeam_em_model::reflect::{ElementKind, ParticleInfo, ValueKind};
    let kind = ty
        .attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map(|a| a.value)
        .or_else(|| {
            ty.content.iter().find_map(|p| match p {
                ParticleInfo::Element(e) if e.name.eq_ignore_ascii_case(name) => match e.kind {
                    ElementKind::Value(v) => Some(v),
                    ElementKind::Complex(_) => None,
                },
                _ => None,
            })
        });
    match kind {
        Some(ValueKind::Int | ValueKind::Long | ValueKind::UnsignedInt) => {
            text.parse().map_or(Value::Absent, Value::Int)
        }
        Some(ValueKind::Bool) => Value::Bool(text == "true"),
        Some(ValueKind::Uid) => Value::Uid(text),
        Some(ValueKind::DateTime) => veeam_em_model::DateTime::parse(&text)
            .ok()
            .and_then(|d| d.to_offset_date_time())
            .map_or(Value::Absent, Value::Time),
        Some(ValueKind::Enum(e)) => match veeam_em_model::reflect::enumeration(e) {
            Some(info) => match info.values.iter().find(|v| **v == text) {
                Some(v) => Value::Enum {
                    text: v,
                    known: info.values,
                },
                None => Value::Text(text),
            },
            None => Value::Text(text),
        },
        _ => Value::Text(text),
    }
}

/// The entities of a query result for a generic kind: the list element `list` of
/// `QueryResult/Entities`, as the schemas declare it.
pub(crate) fn query_entities(
    cx: &Ctx<'_>,
    kind: &AutoKind,
    items: &[u64],
    list: &str,
) -> Result<veeam_em_model::Entities, Failure> {
    let plan = the_plan();
    let root = kind
        .entity_root
        .ok_or_else(|| Failure::new(StatusCode::NOT_IMPLEMENTED, "no entity form"))?;
    let mut xml = String::from("<QueryResult xmlns=\"http://www.veeam.com/ent/v1.0\"><Entities>");
    let list_type = veeam_em_model::reflect::root("QueryResult")
        .and_then(|_| entities_list_type(list))
        .ok_or_else(|| Failure::new(StatusCode::NOT_IMPLEMENTED, format!("no list {list}")))?;
    let item = match list_type.content {
        [veeam_em_model::reflect::ParticleInfo::Element(e)] => e.name,
        [veeam_em_model::reflect::ParticleInfo::Choice { alternatives, .. }] => {
            alternatives.first().map_or(root, |a| a.name)
        }
        _ => root,
    };
    let _ = write!(xml, "<{list}>");
    for &i in items {
        let one = entity_xml(cx, plan, kind, i, root)
            .ok_or_else(|| Failure::new(StatusCode::NOT_IMPLEMENTED, "no entity"))?;
        xml.push_str(&as_item(&one, root, item));
    }
    let _ = write!(xml, "</{list}></Entities></QueryResult>");
    match decode(&xml)? {
        Document::QueryResult(result) => Ok(result.entities.unwrap_or_default()),
        _ => Err(Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "not a query result",
        )),
    }
}

/// The type of the list element `list` of `QueryResult/Entities`.
fn entities_list_type(list: &str) -> Option<&'static veeam_em_model::reflect::TypeInfo> {
    use veeam_em_model::reflect::{complex, root, ElementKind, ParticleInfo};
    let result = complex(root("QueryResult")?.type_name)?;
    let entities = result.content.iter().find_map(|p| match p {
        ParticleInfo::Element(e) if e.name == "Entities" => match e.kind {
            ElementKind::Complex(t) => complex(t),
            ElementKind::Value(_) => None,
        },
        _ => None,
    })?;
    entities.content.iter().find_map(|p| match p {
        ParticleInfo::Choice { alternatives, .. } => alternatives
            .iter()
            .find(|a| a.name == list)
            .and_then(|a| match a.kind {
                ElementKind::Complex(t) => complex(t),
                ElementKind::Value(_) => None,
            }),
        ParticleInfo::Element(e) if e.name == list => match e.kind {
            ElementKind::Complex(t) => complex(t),
            ElementKind::Value(_) => None,
        },
        _ => None,
    })
}

/// Checks that the objects an action's path names exist, where they are generic objects.
pub(crate) fn check_path(cx: &Ctx<'_>, entry: &Entry, route: &Route) -> Result<(), Failure> {
    let plan = the_plan();
    let values: Vec<&str> = route.path_values.iter().map(|v| v.as_str()).collect();
    // The deepest item node of the path.
    let mut prefix = normalize(entry.path);
    loop {
        if prefix.ends_with("/{}") {
            let n = prefix.matches("{}").count().min(values.len());
            if n > 0 && item(cx, plan, &prefix, &values[..n])?.is_some() {
                return Ok(());
            }
        }
        match prefix.rfind('/') {
            Some(0) | None => return Ok(()),
            Some(cut) => prefix.truncate(cut),
        }
    }
}

/// A `PUT` of an object's entity document (its body's root is the entity form's): a task that
/// replaces the document with the body merged into it ([`edits`]) when it finishes, or the
/// change at once when the operation answers without a task. `None` for any other action.
fn edit(
    cx: &Ctx<'_>,
    entry: &'static Entry,
    route: &Route,
    body: Option<&Document>,
) -> Result<Option<crate::actions::Outcome>, Failure> {
    let Some(body) = body else { return Ok(None) };
    if entry.http_method() != http::Method::PUT {
        return Ok(None);
    }
    let plan = the_plan();
    let values: Vec<&str> = route.path_values.iter().map(|v| v.as_str()).collect();
    let Some((kind, i)) = item(cx, plan, &normalize(entry.path), &values)? else {
        return Ok(None);
    };
    let Some(root) = kind.entity_root.filter(|r| *r == body.root_element()) else {
        return Ok(None);
    };
    let current = entity_xml(cx, plan, kind, i, root).ok_or_else(|| unservable(entry))?;
    let xml = edits::merge(&current, &body.to_xml_string())
        .ok_or_else(|| Failure::bad_request("The body is not a document the server can merge"))?;
    // What is stored must read back.
    decode(&xml)?;
    let effect = crate::tasks::Effect::ReplaceEntity {
        path: item_path(cx, plan, kind, i).to_ascii_lowercase(),
        xml,
    };
    let completes_with_task = entry
        .responses
        .iter()
        .any(|r| r.representation == Some("Task"));
    Ok(Some(if completes_with_task {
        crate::actions::Outcome::Task(entry.name, effect)
    } else {
        // Answered without a task (`204`): the change is there at once.
        crate::actions::Outcome::Applied(effect)
    }))
}

/// What an action no hand-written code handles answers, as the catalogue says: a task (that
/// finishes and changes nothing) when a success response is a `Task`, a sampled document when
/// it is another document, `None` for no body. The objects its path names must exist.
pub(crate) fn act(
    cx: &Ctx<'_>,
    entry: &'static Entry,
    route: &Route,
    body: Option<&Document>,
) -> Result<Option<crate::actions::Outcome>, Failure> {
    check_path(cx, entry, route)?;
    if let Some(outcome) = edit(cx, entry, route, body)? {
        return Ok(Some(outcome));
    }
    if entry
        .responses
        .iter()
        .any(|r| r.representation == Some("Task"))
    {
        return Ok(Some(crate::actions::Outcome::Task(
            entry.name,
            crate::tasks::Effect::Nothing,
        )));
    }
    let Some(representation) = entry.representation() else {
        return Ok(None);
    };
    let href = cx.href(&route_path(entry, route));
    let uid = format!("urn:veeam:{representation}:{}", uuid::Uuid::nil());
    let sampler = Sampler {
        seed: cx.world.hash(9, entry.name.len() as u64),
        epoch: cx.world.epoch,
        identity: Identity {
            type_: representation,
            href: &href,
            uid: &uid,
            name: representation,
            links: "",
            nested: &sample::no_nested,
        },
        ids: Some(cx.world.ids),
        existing: existing_objects,
    };
    let xml = sampler
        .document(representation)
        .ok_or_else(|| unservable(entry))?;
    Ok(Some(crate::actions::Outcome::Document(Box::new(decode(
        &xml,
    )?))))
}
