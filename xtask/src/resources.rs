//! Resources: what the catalogue knows of the objects behind its item paths, joined with its
//! operations and the schemas into tables the API crate carries (`veeam_em_api::resource`).
//!
//! - **Kinds.** Every GET path that ends in an identifier (`/jobs/{}`, `/jobs/{}/includes/{}`)
//!   is a kind of object. Its name (in UIDs and in `Type="...Reference"`) is the `kind` of its
//!   `<Resource>`, else the root element of its entity form, else its last segment in the
//!   singular. Derived here once, so that the simulator and the link types agree.
//! - **Collections.** Every other GET path that answers references or an entity list lists a
//!   kind: the kind one level down (`/jobs` -> `/jobs/{}`), else the kind whose entity is the
//!   list's item element, else the top-level kind of the same last segment
//!   (`/backupServers/{}/jobs` -> `/jobs/{}`).
//! - **Links.** Each `<Link>` names an operation of the catalogue (method, path, fixed query):
//!   one that no operation serves fails regen, so every declared link can be followed. Its
//!   `Type` is what the target answers (`JobReference`, `BackupJobSessionReferenceList`,
//!   `ObjectInJob` for a create of one) unless the declaration says otherwise.
//! - **Effects.** An action's effect is what its `<Effect>` says, else the default of its shape
//!   (DELETE of an item deletes, POST to a collection creates, PUT with a body edits).
//!   A `set` must name a top-level member of the object's entity; `when` likewise.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, ensure, Context as _, Result};

use crate::catalogue::{navigation_node, Catalogue, Effect, EffectKind, Entry, LinkDecl, Method};
use crate::ir::{FieldType, Model, Particle, TypeDef};

/// A kind of object, or a document with links (a guest file path, license counters).
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The family of its GET operation.
    pub family: String,
    /// Path node, `{}` for identifiers: `/jobs/{}`.
    pub node: String,
    /// For kinds: the name in UIDs and Types.
    pub kind: Option<String>,
    /// For kinds: the root element of the entity form (if any) and whether it is served with
    /// `?format=Entity` (else by the plain GET).
    pub entity: Option<String>,
    pub entity_query: bool,
    /// For kinds: whether the plain GET answers a reference (`EntityRef`).
    pub reference: bool,
    pub count: Option<u32>,
    pub size: Option<String>,
    pub page: Option<String>,
    pub links: Vec<ResolvedLink>,
}

/// A declared link, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedLink {
    pub rel: String,
    /// Path node and fixed query, as the link is written: `/jobs/{}?action=start`.
    pub href: String,
    pub method: Method,
    pub ty: Option<String>,
    /// The operation it stands for.
    pub operation: String,
    /// Served only when the object's `field` is one of `values`.
    pub when: Option<(String, Vec<String>)>,
}

/// A collection and the kind it lists.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedCollection {
    pub family: String,
    pub node: String,
    /// Item node of the kind it lists.
    pub item: String,
}

/// The resolved effect of an action.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedEffect {
    pub kind: EffectKind,
    pub field: Option<String>,
    pub value: Option<String>,
    pub copies: Vec<(String, String)>,
}

/// Everything resolved.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resources {
    pub resources: Vec<Resolved>,
    pub collections: Vec<ResolvedCollection>,
    /// Operation name -> effect.
    pub effects: BTreeMap<String, ResolvedEffect>,
}

fn is_entity_query(op: &Entry) -> bool {
    op.fixed_query
        .iter()
        .any(|(k, v)| k == "format" && v == "Entity")
}

fn gets(catalogue: &Catalogue) -> impl Iterator<Item = &Entry> {
    catalogue
        .operations
        .iter()
        .filter(|o| o.method == Method::Get && o.query_service.is_none())
}

/// `/backupServers/{}/creds` -> `Cred`; the last segment, CamelCase, in the singular.
fn segment_name(node: &str) -> String {
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

/// Whether `node` is an item node: ends in an identifier, not a path inside an object.
fn is_item(node: &str) -> bool {
    node.ends_with("/{}") && !node.ends_with("/{}/{}")
}

/// The item element of list root `list` (`Jobs` -> `Job`), if it lists one kind of element.
fn list_item(model: &Model, list: &str) -> Option<String> {
    let root = model.roots.iter().find(|r| r.name == list)?;
    let TypeDef::Complex(c) = model.types.get(&root.type_name)? else {
        return None;
    };
    match c.content.as_slice() {
        [Particle::Element(e)] if e.max != Some(1) => Some(e.name.clone()),
        [Particle::Choice(ch)] if ch.max != Some(1) => ch.variants.first().map(|v| v.name.clone()),
        _ => None,
    }
}

/// Top-level members (attributes and elements) of root element `root`.
fn members(model: &Model, root: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(r) = model.roots.iter().find(|r| r.name == root) else {
        return out;
    };
    let Some(TypeDef::Complex(c)) = model.types.get(&r.type_name) else {
        return out;
    };
    out.extend(c.attributes.iter().map(|a| a.name.clone()));
    for p in &c.content {
        match p {
            Particle::Element(e) => {
                out.insert(e.name.clone());
            }
            Particle::Choice(ch) => out.extend(ch.variants.iter().map(|v| v.name.clone())),
        }
    }
    out
}

/// Whether top-level member `field` of `root` holds a boolean.
fn is_bool(model: &Model, root: &str, field: &str) -> bool {
    let Some(r) = model.roots.iter().find(|r| r.name == root) else {
        return false;
    };
    let Some(TypeDef::Complex(c)) = model.types.get(&r.type_name) else {
        return false;
    };
    c.content.iter().any(|p| {
        matches!(p, Particle::Element(e) if e.name == field
            && e.ty == FieldType::Value(crate::ir::ValueType::Bool))
    })
}

/// The item node an action's path names: the path itself, or the deepest item above it
/// (`/nas/jobs/{}/start` -> `/nas/jobs/{}`).
pub fn object_node(node: &str) -> String {
    let mut n = node.to_owned();
    while !is_item(&n) {
        match n.rfind('/') {
            Some(0) | None => return node.to_owned(),
            Some(cut) => n.truncate(cut),
        }
    }
    n
}

/// Resolves the catalogue's resources, collections and effects.
pub fn resolve(catalogue: &Catalogue, model: &Model) -> Result<Resources> {
    let declared: BTreeMap<String, &crate::catalogue::Resource> = {
        let mut m = BTreeMap::new();
        for r in &catalogue.resources {
            let node = navigation_node(&r.path);
            ensure!(
                gets(catalogue).any(|o| navigation_node(&o.path) == node),
                "resource {} ({}.xml): no GET operation has this path",
                r.path,
                r.family
            );
            ensure!(
                m.insert(node, r).is_none(),
                "resource {} ({}.xml) is declared twice",
                r.path,
                r.family
            );
        }
        m
    };

    // Kinds: every GET item node.
    let mut nodes: BTreeMap<String, Resolved> = BTreeMap::new();
    let mut inside_nodes = BTreeSet::new();
    for op in gets(catalogue) {
        let node = navigation_node(&op.path);
        // A path inside an object (`{filePath*}`: a guest file path) is a document, not a kind.
        let inside = op.path.ends_with("*}");
        if (inside || !is_item(&node)) && !declared.contains_key(&node) {
            continue;
        }
        if inside {
            inside_nodes.insert(node.clone());
        }
        let r = nodes.entry(node.clone()).or_insert_with(|| Resolved {
            family: op.family.clone(),
            node: node.clone(),
            kind: None,
            entity: None,
            entity_query: false,
            reference: false,
            count: None,
            size: None,
            page: None,
            links: Vec::new(),
        });
        if !is_item(&node) || inside_nodes.contains(&node) {
            continue;
        }
        match op.response().representation.as_deref() {
            Some("EntityRef") if !is_entity_query(op) => r.reference = true,
            Some(root) if is_entity_query(op) || r.entity.is_none() => {
                r.entity = Some(root.to_owned());
                r.entity_query = is_entity_query(op);
            }
            _ => {}
        }
    }
    for r in nodes.values_mut() {
        if !is_item(&r.node) || inside_nodes.contains(&r.node) {
            continue;
        }
        let d = declared.get(&r.node);
        r.kind = Some(
            d.and_then(|d| d.kind.clone())
                .or_else(|| r.entity.clone())
                .unwrap_or_else(|| segment_name(&r.node)),
        );
    }

    // Collections.
    let mut collections = Vec::new();
    let mut seen = BTreeSet::new();
    for op in gets(catalogue) {
        let node = navigation_node(&op.path);
        if is_item(&node) || !seen.insert(node.clone()) {
            continue;
        }
        let answers: Vec<&str> = gets(catalogue)
            .filter(|o| navigation_node(&o.path) == node)
            .filter_map(|o| o.response().representation.as_deref())
            .collect();
        let item_elements: Vec<String> = answers
            .iter()
            .filter(|a| **a != "EntityReferences")
            .filter_map(|a| list_item(model, a))
            .collect();
        if !answers.contains(&"EntityReferences") && item_elements.is_empty() {
            continue;
        }
        let below = format!("{node}/{{}}");
        let last = node.rsplit('/').next().unwrap_or_default();
        let item = if nodes.get(&below).is_some_and(|r| r.kind.is_some()) {
            Some(below)
        } else if let Some(by_entity) = nodes.values().find(|r| {
            r.kind.is_some() && r.entity.as_ref().is_some_and(|e| item_elements.contains(e))
        }) {
            Some(by_entity.node.clone())
        } else {
            // The top-level kind of that name, else one of that name below a service root.
            let top = format!("/{last}/{{}}");
            nodes
                .get(&top)
                .filter(|r| r.kind.is_some())
                .or_else(|| {
                    nodes.values().find(|r| {
                        r.kind.is_some()
                            && r.node.matches("{}").count() == 1
                            && r.node.ends_with(&top)
                    })
                })
                .map(|r| r.node.clone())
        };
        if let Some(item) = item {
            collections.push(ResolvedCollection {
                family: op.family.clone(),
                node,
                item,
            });
        }
    }

    // Links.
    for (node, d) in &declared {
        let mut links = Vec::new();
        for l in &d.links {
            links.push(
                resolve_link(catalogue, model, &nodes, &collections, l).with_context(|| {
                    format!(
                        "resource {} ({}.xml): link {} {}",
                        d.path, d.family, l.rel, l.href
                    )
                })?,
            );
        }
        let r = nodes.get_mut(node).context("declared resource lost")?;
        r.links = links;
        r.count = d.count;
        r.size = d.size.clone();
        r.page = d.page.clone();
    }
    // `when` names a top-level member of the entity.
    for r in nodes.values() {
        for l in &r.links {
            if let Some((field, _)) = &l.when {
                let entity = r.entity.as_deref().unwrap_or_default();
                ensure!(
                    members(model, entity).contains(field),
                    "resource {}: link {} when={field}: {entity} has no member {field}",
                    r.node,
                    l.rel
                );
            }
        }
    }

    // Effects.
    let mut effects = BTreeMap::new();
    for op in &catalogue.operations {
        if op.method == Method::Get || op.query_service.is_some() {
            ensure!(
                op.effect.is_none(),
                "operation {}: a GET has no effect",
                op.name
            );
            continue;
        }
        let node = navigation_node(&op.path);
        let item_kind = nodes.get(&node).and_then(|r| r.kind.as_ref()).is_some();
        let below = format!("{node}/{{}}");
        let collection_kind = nodes.get(&below).and_then(|r| r.kind.as_ref()).is_some();
        let creates_here = op.fixed_query.is_empty()
            || op
                .fixed_query
                .iter()
                .any(|(k, v)| k == "action" && v == "create");
        let default = match op.method {
            Method::Delete if item_kind => EffectKind::Delete,
            Method::Post if collection_kind && creates_here => EffectKind::Create,
            Method::Put if item_kind && op.request.is_some() => EffectKind::Edit,
            _ => EffectKind::None,
        };
        let effect = match &op.effect {
            None => ResolvedEffect {
                kind: default,
                field: None,
                value: None,
                copies: Vec::new(),
            },
            Some(Effect {
                kind,
                field,
                value,
                copies,
            }) => {
                ensure!(
                    *kind != default || !copies.is_empty(),
                    "operation {}: <Effect do=\"{kind:?}\"> is the default of its shape; leave it out",
                    op.name
                );
                let target_entity = match kind {
                    EffectKind::Create => nodes.get(&below).and_then(|r| r.entity.clone()),
                    _ => nodes
                        .get(&object_node(&node))
                        .and_then(|r| r.entity.clone()),
                };
                match kind {
                    EffectKind::Set => {
                        let (Some(field), Some(value)) = (field, value) else {
                            bail!("operation {}: set needs field and value", op.name);
                        };
                        let entity = target_entity.with_context(|| {
                            format!("operation {}: set on a path that is not a kind", op.name)
                        })?;
                        ensure!(
                            members(model, &entity).contains(field),
                            "operation {}: set {field}: {entity} has no member {field}",
                            op.name
                        );
                        ensure!(
                            value != "toggle" || is_bool(model, &entity, field),
                            "operation {}: toggle {field}: {entity}/{field} is not a boolean",
                            op.name
                        );
                    }
                    EffectKind::Create => {
                        let entity = target_entity.with_context(|| {
                            format!(
                                "operation {}: create below a path that lists no kind",
                                op.name
                            )
                        })?;
                        let body = op.request.as_ref().map(|b| b.representation.clone());
                        for (from, to) in copies {
                            ensure!(
                                members(model, &entity).contains(to),
                                "operation {}: copy to {to}: {entity} has no member {to}",
                                op.name
                            );
                            if let Some(body) = &body {
                                ensure!(
                                    members(model, body).contains(from),
                                    "operation {}: copy from {from}: {body} has no member {from}",
                                    op.name
                                );
                            }
                        }
                    }
                    _ => ensure!(
                        field.is_none() && value.is_none() && copies.is_empty(),
                        "operation {}: field, value and Copy go with set or create only",
                        op.name
                    ),
                }
                ResolvedEffect {
                    kind: *kind,
                    field: field.clone(),
                    value: value.clone(),
                    copies: copies.clone(),
                }
            }
        };
        effects.insert(op.name.clone(), effect);
    }

    Ok(Resources {
        resources: nodes.into_values().collect(),
        collections,
        effects,
    })
}

fn resolve_link(
    catalogue: &Catalogue,
    model: &Model,
    nodes: &BTreeMap<String, Resolved>,
    collections: &[ResolvedCollection],
    l: &LinkDecl,
) -> Result<ResolvedLink> {
    let method = l.method();
    let (node, fixed) = l.target();
    ensure!(l.href.starts_with('/'), "href must start with /");
    let target = catalogue
        .operations
        .iter()
        .find(|o| {
            o.method == method && navigation_node(&o.path) == node && {
                let mut f = o.fixed_query.clone();
                f.sort();
                f == fixed
            }
        })
        .with_context(|| format!("no {method} operation at {}", l.href))?;
    let when = match &l.when {
        None => None,
        Some(w) => {
            let (field, values) = w
                .split_once('=')
                .with_context(|| format!("when={w:?} is not FIELD=V1 V2"))?;
            let values: Vec<String> = values.split_whitespace().map(str::to_owned).collect();
            ensure!(!values.is_empty(), "when={w:?} lists no value");
            Some((field.to_owned(), values))
        }
    };
    let ty = match &l.ty {
        Some(t) if t.is_empty() => None,
        Some(t) => Some(t.clone()),
        None => derived_type(model, nodes, collections, target, &node),
    };
    let mut href = node.clone();
    for (i, (k, v)) in fixed.iter().enumerate() {
        href.push(if i == 0 { '?' } else { '&' });
        href.push_str(&format!("{k}={v}"));
    }
    Ok(ResolvedLink {
        rel: l.rel.clone(),
        href,
        method,
        ty,
        operation: target.name.clone(),
        when,
    })
}

/// The Type of a link to `target` at `node`, from what the target answers.
fn derived_type(
    model: &Model,
    nodes: &BTreeMap<String, Resolved>,
    collections: &[ResolvedCollection],
    target: &Entry,
    node: &str,
) -> Option<String> {
    let kind = |n: &str| nodes.get(n).and_then(|r| r.kind.clone());
    let listed = |n: &str| {
        collections
            .iter()
            .find(|c| c.node == n)
            .and_then(|c| kind(&c.item))
    };
    match target.method {
        Method::Get => match target.response().representation.as_deref()? {
            "EntityRef" => kind(node).map(|k| format!("{k}Reference")),
            "EntityReferences" => listed(node).map(|k| format!("{k}ReferenceList")),
            root => {
                if let Some(r) = nodes
                    .values()
                    .find(|r| r.entity.as_deref() == Some(root) && r.kind.is_some())
                {
                    return r.kind.clone();
                }
                if list_item(model, root).is_some() {
                    if let Some(k) = listed(node) {
                        return Some(format!("{k}List"));
                    }
                }
                Some(root.to_owned())
            }
        },
        Method::Put => kind(node).map(|k| format!("{k}Reference")),
        Method::Post
            if target.fixed_query.is_empty()
                || target
                    .fixed_query
                    .iter()
                    .any(|(k, v)| k == "action" && v == "create") =>
        {
            listed(node)
                .or_else(|| kind(&format!("{node}/{{}}")))
                .or_else(|| target.request.as_ref().map(|b| b.representation.clone()))
        }
        _ => None,
    }
}
