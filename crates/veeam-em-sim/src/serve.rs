//! Serving the GET operations of the catalogue from the world, generically: at start, every
//! catalogue entry is matched, by its path template, to a kind's collection or item; a request
//! then needs only the kind's rendering. An operation the catalogue gains is served as soon as
//! a kind declares its template (a test checks that every GET of the catalogue is).

use std::collections::HashMap;

use http::StatusCode;
use veeam_em_api::{Entry, Route, CATALOGUE};
use veeam_em_model::{Document, EntityReferences};

use crate::errors::Failure;
use crate::world::{kind, kinds, Ctx, Form, IndexSet, KindId};

/// How one catalogue entry is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Served {
    pub kind: KindId,
    pub form: Form,
    /// Entity form (else references).
    pub entity: bool,
    /// For items below a parent (`/a/{}/b/{}`): the parent's kind.
    pub parent: Option<KindId>,
}

/// `/cdpReplicas/{replicaId}/vms` -> `/cdpReplicas/{}/vms`.
pub(crate) fn normalize(template: &str) -> String {
    template
        .trim_end_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The kind route of `template`, if a kind declares it.
fn find(template: &str) -> Option<(KindId, Form)> {
    kinds().iter().find_map(|k| {
        k.routes()
            .iter()
            .find(|r| r.template == template)
            .map(|r| (k.id(), r.form))
    })
}

/// The plan: catalogue entry name -> how it is served, for every GET the world can serve.
pub(crate) fn plan() -> HashMap<&'static str, Served> {
    let mut out = HashMap::new();
    for entry in CATALOGUE {
        if entry.method != "GET" || entry.query_service.is_some() {
            continue;
        }
        let template = normalize(entry.path);
        let Some((kind, form)) = find(&template) else {
            continue;
        };
        let entity = !matches!(
            entry.representation(),
            Some("EntityReferences" | "EntityRef")
        );
        // An item below a parent: `/a/{}/b/{}`; the parent is the item at `/a/{}`.
        let parent = match form {
            Form::Item if template.matches("{}").count() > 1 => {
                let prefix = &template[..template.rfind("/").unwrap_or(0)];
                let prefix = &prefix[..prefix.rfind("/").unwrap_or(0)];
                find(prefix).map(|(k, _)| k)
            }
            _ => None,
        };
        out.insert(
            entry.name,
            Served {
                kind,
                form,
                entity,
                parent,
            },
        );
    }
    out
}

/// The catalogue GETs that neither a kind nor the generic world serves (must be empty; the
/// entry point, logon sessions, tasks and the query service are the core's).
pub(crate) fn unserved(plan: &HashMap<&'static str, Served>) -> Vec<&'static Entry> {
    const BUILT_IN: &[&str] = &[
        "GetEntryPoint",
        "GetLogonSessions",
        "GetLogonSession",
        "GetTasks",
        "GetTask",
    ];
    CATALOGUE
        .iter()
        .filter(|e| e.method == "GET" && e.query_service.is_none())
        .filter(|e| !plan.contains_key(e.name) && !BUILT_IN.contains(&e.name))
        .filter(|e| !crate::auto::serves(e))
        .collect()
}

/// Answers a planned GET.
pub(crate) fn get(cx: &Ctx<'_>, served: &Served, route: &Route) -> Result<Document, Failure> {
    let k = kind(served.kind);
    let w = cx.world;
    let values: Vec<&str> = route.path_values.iter().map(|v| v.as_str()).collect();
    let not_found = |what: KindId, id: &str| {
        Failure::new(
            StatusCode::NOT_FOUND,
            format!("There is no {} with the id {id:?}", what.name()),
        )
    };
    match served.form {
        Form::Collection(parent) => {
            let items = match (parent, values.last()) {
                (Some(parent), Some(id)) => {
                    let p = w.find(parent, id).ok_or_else(|| not_found(parent, id))?;
                    k.children_of(w, p)
                }
                _ => k.all(w),
            };
            Ok(render_list(cx, served, &items))
        }
        Form::Item => {
            let id = values.last().copied().unwrap_or_default();
            let i = w
                .find(served.kind, id)
                .ok_or_else(|| not_found(served.kind, id))?;
            if let (Some(parent), [parent_id, _]) = (served.parent, values.as_slice()) {
                if w.find(parent, parent_id) != k.parent(w, i) {
                    return Err(not_found(served.kind, id));
                }
            }
            Ok(if served.entity {
                k.entity(cx, i)
            } else {
                Document::EntityRef(k.reference(cx, i))
            })
        }
    }
}

fn render_list(cx: &Ctx<'_>, served: &Served, items: &IndexSet) -> Document {
    let k = kind(served.kind);
    let items: Vec<u64> = items.iter().collect();
    if served.entity {
        k.list(cx, &items)
    } else {
        Document::EntityReferences(EntityReferences {
            refs: items.iter().map(|&i| k.reference(cx, i)).collect(),
            unknown: Default::default(),
        })
    }
}

/// The item templates (`/cdpPolicies/{}`) the hand-written kinds serve: the generic world
/// leaves them alone.
pub(crate) fn hand_written_items() -> Vec<String> {
    kinds()
        .iter()
        .flat_map(|k| k.routes())
        .filter(|r| r.form == Form::Item)
        .map(|r| r.template.to_owned())
        .collect()
}

/// The hand-written kind of item template `template`, if any.
pub(crate) fn hand_written_kind(template: &str) -> Option<KindId> {
    find(template).and_then(|(k, form)| (form == Form::Item).then_some(k))
}
