//! The world's state and its generic behaviour: [`State`] implements [`World`] over the registry
//! (kinds), the store (changes) and the family plug-ins.
//!
//! The generic rules, for every kind no family claims:
//! - **Population.** A kind with an owner has [`World::per_owner`] objects below each owner
//!   object: object `p * per + k` is the `k`-th below owner `p`. A kind without an owner has
//!   `per` objects in all. Created objects come after (`store::FIRST_CREATED`); deleted ones are
//!   gone, and so is everything below them.
//! - **Relations.** An object's owner is its index divided by `per`. Its object of any kind on its
//!   owner chain is found by walking the chain; an object of another kind is picked
//!   deterministically among those below the owner both share (a VM restore point's backup file is
//!   one of its backup's files).
//! - **Values.** Names come from plausible pools (`render/values.rs`); a member's value is what
//!   the entity shows: the overlay of what requests changed, else the family's, else the sampled
//!   one.

use time::OffsetDateTime;

use crate::config::SimConfig;
use crate::family::Family;
use crate::ids::{IdSpace, KindIds};
use crate::registry::{registry, KindId, Obj, Registry};
use crate::store::{Store, FIRST_CREATED};
use crate::world::{IndexSet, World};

fn nanos(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

/// Objects of a kind without an owner, unless the catalogue or an option says.
const TOP_LEVEL: u64 = 3;
/// Objects below each owner, unless the catalogue or an option says.
const PER_OWNER: u64 = 2;

/// The simulated server's world.
#[derive(Debug)]
pub(crate) struct State {
    pub config: SimConfig,
    pub store: Store,
    anchor: OffsetDateTime,
    /// The present, as Unix nanoseconds (moved by every request without a write lock).
    now: std::sync::atomic::AtomicI64,
    families: Vec<Box<dyn Family>>,
    /// The family that claims each kind (by `KindId`).
    claims: Vec<Option<usize>>,
    ids: Vec<KindIds>,
    per: Vec<u64>,
}

impl State {
    /// The world of `config`, anchored at `anchor`.
    pub fn new(config: SimConfig, anchor: OffsetDateTime) -> Self {
        let reg = registry();
        let families = crate::families::all(&config);
        let claims = reg
            .kinds
            .iter()
            .map(|k| families.iter().position(|f| f.claims(k)))
            .collect();
        let space = IdSpace::new(config.seed);
        let ids = reg.kinds.iter().map(|k| space.kind(k.path)).collect();
        let per = reg
            .kinds
            .iter()
            .map(|k| {
                k.size
                    .and_then(|s| config.sizes.get(s).copied())
                    .map(u64::from)
                    .or(k.resource.count.map(u64::from))
                    .unwrap_or(if k.owner.is_some() {
                        PER_OWNER
                    } else {
                        TOP_LEVEL
                    })
            })
            .collect();
        Self {
            config,
            store: Store::default(),
            anchor,
            now: std::sync::atomic::AtomicI64::new(nanos(anchor)),
            families,
            claims,
            ids,
            per,
        }
    }

    /// Moves the world's present (never back).
    pub fn set_now(&self, now: OffsetDateTime) {
        self.now
            .fetch_max(nanos(now), std::sync::atomic::Ordering::AcqRel);
    }

    /// The family plug-ins.
    pub fn families(&self) -> &[Box<dyn Family>] {
        &self.families
    }

    fn family(&self, kind: KindId) -> Option<&dyn Family> {
        self.claims[usize::from(kind.0)].map(|f| self.families[f].as_ref())
    }

    /// The index of `o`'s owner (for kinds with one).
    fn owner_index(&self, o: Obj) -> Option<u64> {
        if let Some(i) = self.family(o.kind).and_then(|f| f.owner(self, o)) {
            return Some(i);
        }
        if let Some(c) = self.store.created(o) {
            return c.owner;
        }
        self.registry().kind(o.kind).owner?;
        Some(o.index / self.per_owner(o.kind).max(1))
    }

    /// The generated objects of `kind` below owner object `p`, and the created ones.
    fn below_owner(&self, kind: KindId, p: u64) -> IndexSet {
        let per = self.per_owner(kind);
        let start = p.saturating_mul(per);
        let created: Vec<u64> = self
            .store
            .created_indices(kind)
            .filter(|(_, c)| c.owner == Some(p))
            .map(|(i, _)| i)
            .collect();
        let set = if created.is_empty() {
            IndexSet::Range(start..start + per)
        } else {
            IndexSet::List((start..start + per).chain(created).collect())
        };
        self.without_deleted(kind, set)
    }

    fn without_deleted(&self, kind: KindId, set: IndexSet) -> IndexSet {
        if !self.store.any_deleted()
            || self
                .store
                .changes(kind)
                .is_none_or(|c| c.deleted.is_empty())
        {
            return set;
        }
        IndexSet::List(
            set.iter()
                .filter(|&i| !self.store.deleted(Obj { kind, index: i }))
                .collect(),
        )
    }
}

impl World for State {
    fn registry(&self) -> &'static Registry {
        registry()
    }

    fn store(&self) -> &Store {
        &self.store
    }

    fn config(&self) -> &SimConfig {
        &self.config
    }

    fn anchor(&self) -> OffsetDateTime {
        self.anchor
    }

    fn now(&self) -> OffsetDateTime {
        let n = self.now.load(std::sync::atomic::Ordering::Acquire);
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).unwrap_or(self.anchor)
    }

    fn history_end(&self) -> OffsetDateTime {
        if self.config.live {
            self.now()
        } else {
            self.anchor
        }
    }

    fn kind_ids(&self, kind: KindId) -> KindIds {
        self.ids[usize::from(kind.0)]
    }

    fn per_owner(&self, kind: KindId) -> u64 {
        self.per[usize::from(kind.0)]
    }

    fn objects(&self, kind: KindId) -> IndexSet {
        if let Some(set) = self.family(kind).and_then(|f| f.objects(self, kind)) {
            return set;
        }
        let k = self.registry().kind(kind);
        let per = self.per_owner(kind);
        let Some(owner) = k.owner else {
            let created: Vec<u64> = self.store.created_indices(kind).map(|(i, _)| i).collect();
            let set = if created.is_empty() {
                IndexSet::Range(0..per)
            } else {
                IndexSet::List((0..per).chain(created).collect())
            };
            return self.without_deleted(kind, set);
        };
        let owners = self.objects(owner);
        let mut ranges: Vec<std::ops::Range<u64>> = owners
            .iter()
            .map(|p| p.saturating_mul(per)..p.saturating_mul(per) + per)
            .collect();
        let created: Vec<u64> = self
            .store
            .created_indices(kind)
            .filter(|(_, c)| {
                c.owner.is_some_and(|p| {
                    self.exists(Obj {
                        kind: owner,
                        index: p,
                    })
                })
            })
            .map(|(i, _)| i)
            .collect();
        let set = if created.is_empty() {
            IndexSet::Ranges(ranges)
        } else {
            ranges.extend(created.into_iter().map(|i| i..i + 1));
            IndexSet::Ranges(ranges)
        };
        self.without_deleted(kind, set)
    }

    fn children(&self, kind: KindId, below: Obj) -> IndexSet {
        if let Some(set) = self
            .family(kind)
            .and_then(|f| f.children(self, kind, below))
        {
            return set;
        }
        if !self.exists(below) {
            return IndexSet::empty();
        }
        let reg = self.registry();
        let k = reg.kind(kind);
        if k.owner == Some(below.kind) {
            return self.below_owner(kind, below.index);
        }
        if let Some(owner) = k.owner.filter(|_| reg.is_above(below.kind, kind)) {
            // Deeper: through the owners in between.
            let mut out = Vec::new();
            for p in self.children(owner, below).iter() {
                out.extend(
                    self.children(
                        kind,
                        Obj {
                            kind: owner,
                            index: p,
                        },
                    )
                    .iter(),
                );
            }
            return IndexSet::List(out);
        }
        match reg.common(kind, below.kind) {
            // Of the objects below the owner both share, those related to `below` (the same
            // pick `related` makes, so that each names `below` back).
            Some(common) if common != kind && common != below.kind => {
                match self.related(below, common) {
                    Some(c) => IndexSet::List(
                        self.children(
                            kind,
                            Obj {
                                kind: common,
                                index: c,
                            },
                        )
                        .iter()
                        .filter(|&i| {
                            self.related(Obj { kind, index: i }, below.kind) == Some(below.index)
                        })
                        .collect(),
                    ),
                    None => IndexSet::empty(),
                }
            }
            // `below` is below `kind`: its object of that kind.
            Some(common) if common == kind => match self.related(below, kind) {
                Some(i) => IndexSet::List(vec![i]),
                None => IndexSet::empty(),
            },
            _ => self.objects(kind),
        }
    }

    fn exists(&self, o: Obj) -> bool {
        if let Some(e) = self.family(o.kind).and_then(|f| f.exists(self, o)) {
            return e;
        }
        if self.store.deleted(o) {
            return false;
        }
        let k = self.registry().kind(o.kind);
        if o.index >= FIRST_CREATED {
            let Some(c) = self.store.created(o) else {
                return false;
            };
            return match (k.owner, c.owner) {
                (Some(owner), Some(p)) => self.exists(Obj {
                    kind: owner,
                    index: p,
                }),
                _ => true,
            };
        }
        let per = self.per_owner(o.kind);
        match k.owner {
            None => o.index < per,
            Some(owner) => self.exists(Obj {
                kind: owner,
                index: o.index / per.max(1),
            }),
        }
    }

    fn related(&self, o: Obj, kind: KindId) -> Option<u64> {
        if o.kind == kind {
            return Some(o.index);
        }
        let reg = self.registry();
        if reg.is_above(kind, o.kind) {
            let mut at = o;
            for _ in 0..16 {
                let owner = reg.kind(at.kind).owner?;
                at = Obj {
                    kind: owner,
                    index: self.owner_index(at)?,
                };
                if at.kind == kind {
                    return Some(at.index);
                }
            }
            return None;
        }
        let candidates = match reg.common(o.kind, kind) {
            Some(common) if common == o.kind => self.children(kind, o),
            Some(common) => {
                let c = self.related(o, common)?;
                self.children(
                    kind,
                    Obj {
                        kind: common,
                        index: c,
                    },
                )
            }
            None => self.objects(kind),
        };
        let n = candidates.len();
        if n == 0 {
            return None;
        }
        // By position: objects below one owner relate to different objects where there are enough.
        let pick = o.index % n;
        candidates.window(pick, 1).first().copied()
    }

    fn name(&self, o: Obj) -> String {
        self.name_of(o)
    }

    fn field(&self, o: Obj, member: &str) -> Option<String> {
        match member {
            "Name" => return Some(self.name(o)),
            "UID" => return Some(self.uid(o)),
            _ => {}
        }
        if let Some(patch) = self.store.overlay(o).and_then(|ov| ov.patch.as_deref()) {
            if let Some(text) = crate::render::edits::child_text(patch, member) {
                return Some(text);
            }
        }
        if let Some(decided) = self.family(o.kind).and_then(|f| f.field(self, o, member)) {
            return decided;
        }
        crate::render::sample::field(self, o, member)
    }
}

/// Nothing is remembered between requests (kept as the hook the core calls when a request
/// starts).
pub(crate) fn forget() {}

impl State {
    /// The name of `o`.
    fn name_of(&self, o: Obj) -> String {
        if let Some(name) = self.store.overlay(o).and_then(|ov| {
            ov.patch
                .as_deref()
                .and_then(|p| crate::render::edits::child_text(p, "Name"))
        }) {
            return name;
        }
        if let Some(name) = self.family(o.kind).and_then(|f| f.name(self, o)) {
            return name;
        }
        if let Some(c) = self.store.created(o) {
            return c.name.clone();
        }
        crate::render::values::name(self, o)
    }

    /// A query field of `o`, typed: the family's fast path, else the entity's member.
    pub fn query_field(&self, o: Obj, name: &str) -> crate::world::Value {
        if self.store.overlay(o).is_none() {
            if let Some(v) = self
                .family(o.kind)
                .and_then(|f| f.query_field(self, o, name))
            {
                return v;
            }
        }
        crate::render::sample::query_field(self, o, name)
    }

    /// The family that claims `kind`, for the handlers.
    pub fn claimant(&self, kind: KindId) -> Option<&dyn Family> {
        self.family(kind)
    }
}
