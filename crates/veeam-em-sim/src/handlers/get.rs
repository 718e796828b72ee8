//! GET: one object (reference or entity form), a collection (references or an entity list), or
//! any other document of the catalogue (a family's, such as a report frame; else one sampled
//! from the schema, with the links the catalogue declares for its path).

use http::StatusCode;
use veeam_em_api::{resource, Entry, Route};
use veeam_em_model::Document;

use super::{deepest, locate};
use crate::errors::Failure;
use crate::registry::Obj;
use crate::render::documents;
use crate::render::links;
use crate::state::State;
use crate::world::World;

/// Answers a GET of the catalogue (other than the core's own: entry point, logon, tasks).
pub(crate) fn get(
    state: &State,
    entry: &'static Entry,
    route: &Route,
    base: &str,
) -> Result<Document, Failure> {
    for family in state.families() {
        if let Some(answer) = family.document(state, entry, route, base) {
            return answer;
        }
    }
    let w: &dyn World = state;
    let reg = w.registry();
    let node = resource::node(entry.path);
    let values: Vec<&str> = route.path_values.iter().map(|v| v.as_str()).collect();
    let representation = entry.representation().ok_or_else(|| unservable(entry))?;
    // One object.
    if reg.at(&node).is_some() {
        let o = locate(w, &node, &values)?;
        return if representation == "EntityRef" {
            Ok(Document::EntityRef(documents::reference(w, o, base)))
        } else {
            documents::entity(w, state.claimant(o.kind), o, base)
        };
    }
    // A collection.
    if let Some(listing) = reg.listing(&node) {
        let items = match listing.below {
            Some(below) => {
                let item = reg.kind(below).path;
                let n = item.matches("{}").count().min(values.len());
                let parent = locate(w, item, &values[..n])?;
                w.children(listing.kind, parent)
            }
            None => w.objects(listing.kind),
        };
        let items: Vec<u64> = items.iter().collect();
        return if representation == "EntityReferences" {
            Ok(Document::EntityReferences(documents::references(
                w,
                listing.kind,
                &items,
                base,
            )))
        } else {
            documents::list(
                w,
                state.claimant(listing.kind),
                listing.kind,
                &items,
                representation,
                base,
            )
        };
    }
    // Any other document: about the object its address names (or the first backup server).
    let about = match deepest(w, &node, &values)? {
        Some(o) => o,
        None => Obj {
            kind: reg.named("BackupServer").ok_or_else(|| unservable(entry))?,
            index: 0,
        },
    };
    let path = links::route_path(entry, route);
    let declared = match resource::resource(&node) {
        Some(r) => {
            let values: Vec<String> = route
                .path_values
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect();
            links::of_document(r, &values, base)
        }
        None => Vec::new(),
    };
    documents::other(
        w,
        about,
        representation,
        documented_type(entry.path).unwrap_or(representation),
        links::href(base, &path).as_str(),
        &declared,
    )
}

/// The `Type` the catalogue's links to `path` give it (`QueryService` for `/querySvc`): servers
/// write the same name in the document's own `Type`.
fn documented_type(path: &str) -> Option<&'static str> {
    resource::resources()
        .iter()
        .flat_map(|r| r.links)
        .find(|l| l.method == "GET" && l.href == path)?
        .type_
        .filter(|t| !t.is_empty())
}

fn unservable(entry: &Entry) -> Failure {
    Failure::new(
        StatusCode::NOT_IMPLEMENTED,
        format!("The simulator has no data for {} yet", entry.name),
    )
}
