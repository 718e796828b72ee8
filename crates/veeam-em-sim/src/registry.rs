//! The kinds of objects, built once from the catalogue (`veeam_em_api::resource`) and the
//! schemas (`veeam_em_model::reflect`): one [`Kind`] per item path, with its owner, the
//! collections that list it, its forms, its links and the query types that find it.
//!
//! Nothing here is written per family: a family added to `schemas/` is a set of kinds after
//! `cargo xtask regen`. How objects relate follows the links the catalogue declares: a kind's
//! **owners** are the kinds its `Up` links name (and the item above it in its path); its
//! **owner** is the one the others are above (`BackupJobSession` has `BackupServer` and `Job`;
//! its owner is `Job`, whose own owner is `BackupServer`). Objects are counted per owner, and
//! every other relation is read off the owner chains.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use veeam_em_api::resource::{self, Resource, ResourceLink};
use veeam_em_api::CATALOGUE;

/// Names a kind of the registry (an index into [`Registry::kinds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct KindId(pub u16);

/// One object: its kind and its index among the objects of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Obj {
    pub kind: KindId,
    pub index: u64,
}

/// A kind of object: an item path of the catalogue.
#[derive(Debug)]
pub(crate) struct Kind {
    pub id: KindId,
    /// Name in UIDs and link types, e.g. `Job`.
    pub name: &'static str,
    /// Item path node, e.g. `/jobs/{}`.
    pub path: &'static str,
    pub resource: &'static Resource,
    /// The item above it in its path (`/jobs/{}` above `/jobs/{}/includes/{}`).
    pub parent: Option<KindId>,
    /// The kinds its `Up` links name (and its parent), in link order.
    pub owners: Vec<KindId>,
    /// The owner its objects are counted under: its parent, else the owner the others are
    /// above.
    pub owner: Option<KindId>,
    /// Query types whose entity is this kind's.
    pub query_types: Vec<&'static str>,
    /// Words of the catalogue's size option (`jobs_per_server`), if any.
    pub size: Option<&'static str>,
    /// The kind each of its links targets (the item its address names), by link position.
    pub targets: Vec<Option<KindId>>,
}

impl Kind {
    /// Its links, in order (those whose operation this build serves), with the kind each
    /// targets.
    pub fn links(&self) -> impl Iterator<Item = (&'static ResourceLink, Option<KindId>)> + '_ {
        self.resource
            .links
            .iter()
            .zip(&self.targets)
            .filter(|(l, _)| l.served())
            .map(|(l, t)| (l, *t))
    }

    /// Root element of the entity form.
    pub fn entity(&self) -> Option<&'static str> {
        self.resource.entity
    }
}

/// A collection path and what it lists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listing {
    /// The collection's path node, e.g. `/backupServers/{}/jobs`.
    pub path: &'static str,
    pub kind: KindId,
    /// The kind of the item the collection is below (`BackupServer` for the one above).
    pub below: Option<KindId>,
}

/// Every kind of this build.
#[derive(Debug)]
pub(crate) struct Registry {
    pub kinds: Vec<Kind>,
    pub listings: Vec<Listing>,
    by_path: BTreeMap<&'static str, KindId>,
    /// Each kind's owner chain, nearest first (computed once: it is asked for per link).
    chains: Vec<Vec<KindId>>,
}

/// Kinds the simulator's core serves itself (logon sessions, tasks): not objects of the world.
const BUILT_IN: &[&str] = &["/logonSessions/{}", "/tasks/{}"];

/// `/a/{}/b/{}` -> `/a/{}`; `None` for a top-level item.
fn parent_path(path: &str) -> Option<&str> {
    let without_item = path.strip_suffix("/{}")?;
    let cut = without_item.rfind("/{}")?;
    Some(&without_item[..cut + 3])
}

/// The item path a link's target names: the path itself, or the deepest item above it
/// (`/jobs/{}/includes` -> `/jobs/{}`; `/jobs/{}?action=start` -> `/jobs/{}`).
pub(crate) fn item_of(href: &str) -> &str {
    let mut path = href.split('?').next().unwrap_or(href);
    loop {
        if path.ends_with("/{}") && !path.ends_with("/{}/{}") {
            return path;
        }
        match path.rfind('/') {
            Some(0) | None => return path,
            Some(cut) => path = &path[..cut],
        }
    }
}

impl Registry {
    fn build() -> Self {
        let mut kinds: Vec<Kind> = Vec::new();
        let mut by_path = BTreeMap::new();
        for r in resource::resources() {
            let Some(name) = r.kind else { continue };
            if BUILT_IN.contains(&r.path) {
                continue;
            }
            let id = KindId(u16::try_from(kinds.len()).expect("fewer than 65536 kinds"));
            by_path.insert(r.path, id);
            kinds.push(Kind {
                id,
                name,
                path: r.path,
                resource: r,
                parent: None,
                owners: Vec::new(),
                owner: None,
                query_types: Vec::new(),
                size: r.size,
                targets: Vec::new(),
            });
        }
        for k in kinds.iter_mut() {
            k.targets = k
                .resource
                .links
                .iter()
                .map(|l| by_path.get(item_of(l.href)).copied())
                .collect();
        }
        // Parents and owners.
        for k in kinds.iter_mut() {
            let parent = parent_path(k.path).and_then(|p| by_path.get(p).copied());
            let mut owners: Vec<KindId> = parent.into_iter().collect();
            for l in k.resource.links.iter().filter(|l| l.rel == "Up") {
                if let Some(&o) = by_path.get(item_of(l.href)) {
                    if o != k.id && !owners.contains(&o) {
                        owners.push(o);
                    }
                }
            }
            k.parent = parent;
            k.owners = owners;
        }
        // The owner: the parent, else the owner no other owner has above it.
        for k in 0..kinds.len() {
            let owner = kinds[k].parent.or_else(|| {
                let owners = &kinds[k].owners;
                owners
                    .iter()
                    .copied()
                    .find(|&o| {
                        !owners
                            .iter()
                            .any(|&other| other != o && is_above(&kinds, o, other, 0))
                    })
                    .or_else(|| owners.first().copied())
            });
            kinds[k].owner = owner;
        }
        // Break owner cycles (a kind may not end up above itself).
        for k in 0..kinds.len() {
            let mut seen = vec![kinds[k].id];
            let mut at = kinds[k].owner;
            while let Some(o) = at {
                if seen.contains(&o) {
                    kinds[k].owner = None;
                    break;
                }
                seen.push(o);
                at = kinds[usize::from(o.0)].owner;
            }
        }
        // Query types.
        for e in CATALOGUE.iter() {
            let Some(q) = e.query_service else { continue };
            let Some(info) = veeam_em_api::queries::info(q) else {
                continue;
            };
            for k in kinds.iter_mut() {
                if k.resource.entity == Some(info.entity) && !k.query_types.contains(&q) {
                    k.query_types.push(q);
                }
            }
        }
        let listings = resource::collections()
            .iter()
            .filter_map(|c| {
                let kind = *by_path.get(c.item)?;
                let below = by_path.get(item_of(c.path)).copied();
                Some(Listing {
                    path: c.path,
                    kind,
                    below: below.filter(|_| item_of(c.path) != c.path),
                })
            })
            .collect();
        let chains = kinds
            .iter()
            .map(|k| {
                let mut out = Vec::new();
                let mut at = k.owner;
                while let Some(o) = at {
                    if out.contains(&o) {
                        break;
                    }
                    out.push(o);
                    at = kinds[usize::from(o.0)].owner;
                }
                out
            })
            .collect();
        Self {
            kinds,
            listings,
            by_path,
            chains,
        }
    }

    /// The kind `id`.
    pub fn kind(&self, id: KindId) -> &Kind {
        &self.kinds[usize::from(id.0)]
    }

    /// Every kind, in catalogue order.
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }

    /// The kind at item path node `path` (`/jobs/{}`).
    pub fn at(&self, path: &str) -> Option<KindId> {
        self.by_path.get(path).copied()
    }

    /// The kind named `name` (its first, when two item paths share a name).
    pub fn named(&self, name: &str) -> Option<KindId> {
        self.kinds.iter().find(|k| k.name == name).map(|k| k.id)
    }

    /// The listing at collection path node `path`.
    pub fn listing(&self, path: &str) -> Option<&Listing> {
        self.listings.iter().find(|l| l.path == path)
    }

    /// Whether `above` is on `kind`'s owner chain.
    pub fn is_above(&self, above: KindId, kind: KindId) -> bool {
        self.chain(kind).contains(&above)
    }

    /// `kind`'s owner chain, nearest first.
    pub fn chain(&self, kind: KindId) -> &[KindId] {
        &self.chains[usize::from(kind.0)]
    }

    /// The nearest kind on both owner chains (each kind counts as on its own chain).
    pub fn common(&self, a: KindId, b: KindId) -> Option<KindId> {
        let on_b = |k: &KindId| *k == b || self.chain(b).contains(k);
        std::iter::once(a)
            .chain(self.chain(a).iter().copied())
            .find(on_b)
    }

    /// The kinds of query type `query_type`.
    pub fn of_query(&self, query_type: &str) -> Vec<KindId> {
        self.kinds
            .iter()
            .filter(|k| {
                k.query_types
                    .iter()
                    .any(|q| q.eq_ignore_ascii_case(query_type))
            })
            .map(|k| k.id)
            .collect()
    }
}

/// Whether `above` is on the owner chain of `kind` (by the owners lists while owners are being
/// settled, by `owner` after).
fn is_above(kinds: &[Kind], above: KindId, kind: KindId, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    let k = &kinds[usize::from(kind.0)];
    let next: Vec<KindId> = match k.owner {
        Some(o) => vec![o],
        None => k.owners.clone(),
    };
    next.iter()
        .any(|&o| o == above || is_above(kinds, above, o, depth + 1))
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::build);

/// The registry of this build.
pub(crate) fn registry() -> &'static Registry {
    &REGISTRY
}
