//! The handlers of the requests the core routes to the world: GETs ([`get`]), the query service
//! ([`query`]) and actions ([`act`]). They are generic: they know kinds, collections and
//! effects from the registry and the catalogue, and ask the families only through the world and
//! the `Family` trait, so no family is imported here.

pub(crate) mod act;
pub(crate) mod get;
pub(crate) mod query;

use crate::errors::Failure;
use crate::registry::{KindId, Obj};
use crate::world::World;

/// A 404 for `id` of `kind`.
pub(crate) fn not_found(w: &dyn World, kind: KindId, id: &str) -> Failure {
    Failure::not_found(format!(
        "There is no {} with the id {id:?}",
        w.registry().kind(kind).name
    ))
}

/// The object at item path `item` (`/jobs/{}/includes/{}`) named by `values` (its ids, in path
/// order), checking that each one exists below the one before; a 404 when one does not.
pub(crate) fn locate(w: &dyn World, item: &str, values: &[&str]) -> Result<Obj, Failure> {
    let reg = w.registry();
    let kind = reg
        .at(item)
        .ok_or_else(|| Failure::not_found(format!("{item} names no kind of object")))?;
    let k = reg.kind(kind);
    let (own, before) = values
        .split_last()
        .ok_or_else(|| Failure::bad_request("the address has no id"))?;
    let index = w.find(kind, own).ok_or_else(|| not_found(w, kind, own))?;
    let o = Obj { kind, index };
    if let Some(parent) = k.parent {
        let parent_path = reg.kind(parent).path;
        let p = locate(w, parent_path, before)?;
        if w.related(o, parent) != Some(p.index) {
            return Err(not_found(w, kind, own));
        }
    }
    Ok(o)
}

/// The deepest object an address names: the longest item path that starts it.
pub(crate) fn deepest(w: &dyn World, node: &str, values: &[&str]) -> Result<Option<Obj>, Failure> {
    let mut prefix = node.to_owned();
    loop {
        if prefix.ends_with("/{}") && w.registry().at(&prefix).is_some() {
            let n = prefix.matches("{}").count().min(values.len());
            return locate(w, &prefix, &values[..n]).map(Some);
        }
        match prefix.rfind('/') {
            Some(0) | None => return Ok(None),
            Some(cut) => prefix.truncate(cut),
        }
    }
}
