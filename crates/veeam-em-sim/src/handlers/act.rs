//! Actions (POST, PUT, DELETE): each validates its request now (the objects its address names
//! exist, the body holds what real servers require) and says what changes, as the catalogue's
//! effect of the operation says (`Entry::effect`): the change applies when its task finishes, or
//! at once for operations that answer without a task.

use http::StatusCode;
use veeam_em_api::{resource, Effect, Entry, Route};
use veeam_em_model::Document;

use super::{deepest, locate};
use crate::errors::Failure;
use crate::registry::{Obj, Registry};
use crate::render::{documents, edits};
use crate::state::State;
use crate::tasks::Change;
use crate::world::World;

/// What an action answers.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Start a task with this operation name; the change applies when it finishes (`202`).
    Task(&'static str, Change),
    /// Answer with this document and the entry's status; the change applies now.
    Document(Box<Document>, Change),
    /// Apply the change now and answer with no body.
    Now(Change),
}

/// Members of a body that are the object's identity or links: never copied into an entity.
const NOT_COPIED: &[&str] = &["Links", "Href", "Type", "UID"];

/// The top-level members of `body` that the entity `root` has, plus `copies`, as a patch
/// document; `None` when there are none.
fn patch_from(body: &Document, root: &str, copies: &[(&str, &str)]) -> Option<String> {
    let xml = body.to_xml_string();
    let members = entity_members(root);
    let mut inner = String::new();
    for name in members.iter().filter(|m| !NOT_COPIED.contains(m)) {
        if let Some(element) = edits::child_element(&xml, name) {
            inner.push_str(&element);
        }
    }
    for (from, to) in copies {
        // A copy to a member the entity holds as an attribute (its `Name`) names the object.
        if !members.contains(to) {
            continue;
        }
        if let Some(text) = edits::child_text(&xml, from) {
            if !edits::has_child(&format!("<x>{inner}</x>"), to) {
                inner.push_str(&format!(
                    "<{to}>{}</{to}>",
                    crate::render::sample::escape(&text)
                ));
            }
        }
    }
    if inner.is_empty() {
        return None;
    }
    // In the entity's member order, so that the merged document keeps the schema's order.
    let patch = format!("<{root} xmlns=\"http://www.veeam.com/ent/v1.0\">{inner}</{root}>");
    let ordered = edits::reorder(&patch, &members);
    Some(ordered)
}

/// Top-level element names of entity `root`, in schema order.
fn entity_members(root: &str) -> Vec<&'static str> {
    use veeam_em_model::reflect::{self, ParticleInfo};
    let Some(ty) = reflect::root(root).and_then(|r| reflect::complex(r.type_name)) else {
        return Vec::new();
    };
    ty.content
        .iter()
        .flat_map(|p| match p {
            ParticleInfo::Element(e) => vec![e.name],
            ParticleInfo::Choice { alternatives, .. } => {
                alternatives.iter().map(|a| a.name).collect()
            }
        })
        .collect()
}

/// A 400 when a member the request sets is blank where it names something.
fn check_not_blank(patch: Option<&str>) -> Result<(), Failure> {
    let Some(patch) = patch else { return Ok(()) };
    for member in ["Name", "HierarchyObjRef"] {
        if edits::child_text(patch, member).is_some_and(|t| t.trim().is_empty()) {
            return Err(Failure::bad_request(format!("{member} cannot be empty")));
        }
    }
    Ok(())
}

/// The owner a new object of `kind` gets when its collection is not below one: the object its
/// body names (`BackupServerUid`), else the first one.
fn owner_from_body(
    w: &dyn World,
    reg: &Registry,
    owner_kind: crate::registry::KindId,
    body: Option<&Document>,
) -> Result<Option<u64>, Failure> {
    let name = reg.kind(owner_kind).name;
    if let Some(xml) = body.map(Document::to_xml_string) {
        for member in [
            format!("{name}Uid"),
            format!("{name}UID"),
            format!("{name}Id"),
        ] {
            if let Some(text) = edits::child_text(&xml, &member) {
                let id = text.rsplit(':').next().unwrap_or(&text);
                // A body that names an owner names one that exists.
                return w
                    .find(owner_kind, id)
                    .map(Some)
                    .ok_or_else(|| super::not_found(w, owner_kind, id));
            }
        }
    }
    Ok(w.objects(owner_kind).window(0, 1).first().copied())
}

/// Validates an action and says what it does.
pub(crate) fn act(
    state: &State,
    entry: &'static Entry,
    route: &Route,
    body: Option<&Document>,
    base: &str,
) -> Result<Outcome, Failure> {
    let w: &dyn World = state;
    for r in entry.requires {
        let has = body.is_some_and(|b| edits::has_child(&b.to_xml_string(), r.element));
        if body.is_some() && !has {
            return Err(Failure::new(
                StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                r.message,
            ));
        }
    }
    for family in state.families() {
        if let Some(answer) = family.answer(w, entry, route, body) {
            return Ok(Outcome::Document(Box::new(answer?), Change::None));
        }
    }
    let reg = w.registry();
    let node = resource::node(entry.path);
    let values: Vec<&str> = route.path_values.iter().map(|v| v.as_str()).collect();
    let change = match entry.effect {
        Effect::Create { copies } => {
            let kind = reg
                .at(&format!("{node}/{{}}"))
                .ok_or_else(|| unservable(entry))?;
            let k = reg.kind(kind);
            let owner = match reg.listing(&node).and_then(|l| l.below) {
                Some(below) => {
                    let item = reg.kind(below).path;
                    let n = item.matches("{}").count().min(values.len());
                    let parent = locate(w, item, &values[..n])?;
                    if k.owner == Some(below) {
                        Some(parent.index)
                    } else {
                        k.owner.and_then(|o| w.related(parent, o))
                    }
                }
                None => match k.owner {
                    Some(o) => owner_from_body(w, reg, o, body)?,
                    None => None,
                },
            };
            let root = k.entity().unwrap_or(k.name);
            let patch = body.and_then(|b| patch_from(b, root, copies));
            check_not_blank(patch.as_deref())?;
            // The name the body gives: an element, or its root's attribute (`<Spec Name=...>`).
            let body_xml = body.map(Document::to_xml_string);
            let copied_name = copies
                .iter()
                .find(|(_, to)| *to == "Name")
                .and_then(|(from, _)| body_xml.as_deref().and_then(|x| edits::child_text(x, from)));
            let name = copied_name
                .or_else(|| patch.as_deref().and_then(|p| edits::child_text(p, "Name")))
                .or_else(|| {
                    body_xml
                        .as_deref()
                        .and_then(|x| edits::child_text(x, "Name"))
                })
                .or_else(|| {
                    body_xml
                        .as_deref()
                        .and_then(|x| edits::root_attribute(x, "Name"))
                })
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| {
                    let next = w.objects(kind).len();
                    format!("{} {}", k.name, next + 1)
                });
            Change::Create {
                kind,
                owner,
                name,
                patch,
            }
        }
        effect => {
            let object = deepest(w, &node, &values)?;
            match (effect, object) {
                (Effect::None, _) => Change::None,
                (_, None) => return Err(unservable(entry)),
                (Effect::Delete, Some(o)) => Change::Delete(o),
                (Effect::Edit, Some(o)) => {
                    let root = reg.kind(o.kind).entity().unwrap_or("Entity");
                    let patch = body.and_then(|b| patch_from(b, root, &[])).ok_or_else(|| {
                        Failure::bad_request("The body changes none of the object's members")
                    })?;
                    check_not_blank(Some(&patch))?;
                    Change::Edit { object: o, patch }
                }
                (Effect::Run, Some(o)) => Change::Run {
                    object: o,
                    retry: false,
                },
                (Effect::Retry, Some(o)) => Change::Run {
                    object: o,
                    retry: true,
                },
                (Effect::Stop, Some(o)) => Change::Stop(o),
                (Effect::Set { field, value }, Some(o)) => Change::Set {
                    object: o,
                    member: field,
                    value,
                },
                (Effect::Clone, Some(o)) => {
                    let name = body
                        .and_then(|b| edits::child_text(&b.to_xml_string(), "Name"))
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| format!("{} (clone)", w.name(o)));
                    Change::Clone { object: o, name }
                }
                (Effect::Create { .. }, Some(_)) => Change::None,
            }
        }
    };
    if entry
        .responses
        .iter()
        .any(|r| r.representation == Some("Task"))
    {
        return Ok(Outcome::Task(entry.name, change));
    }
    match entry.representation() {
        Some(representation) => {
            let about = deepest(w, &node, &values)?.unwrap_or(Obj {
                kind: reg.named("BackupServer").ok_or_else(|| unservable(entry))?,
                index: 0,
            });
            let href =
                crate::render::links::href(base, &crate::render::links::route_path(entry, route));
            let doc =
                documents::other(w, about, representation, representation, href.as_str(), &[])?;
            Ok(Outcome::Document(Box::new(doc), change))
        }
        None => Ok(Outcome::Now(change)),
    }
}

fn unservable(entry: &Entry) -> Failure {
    Failure::new(
        StatusCode::NOT_IMPLEMENTED,
        format!("The simulator does not implement {} yet", entry.name),
    )
}
