//! The one store of what requests changed, keyed by kind and index. Everything else in the world
//! is a function of the seed, the sizes and the clock, so the store holds only the differences:
//! objects created and deleted, the members an edit or a `set` changed (an overlay merged over
//! the rendered entity), and the runs, stops and retries actions started.
//!
//! A million generated task sessions cost nothing here; a thousand edits cost a thousand
//! overlays.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use crate::registry::{KindId, Obj};

/// A session an action started (`run`, `retry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub started: OffsetDateTime,
    pub retry: bool,
}

/// What requests changed about one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Overlay {
    /// The changed top-level members, as an entity document holding only them (merged over the
    /// rendered entity; `edits.rs`).
    pub patch: Option<String>,
    /// Sessions actions started, oldest first.
    pub runs: Vec<Run>,
    /// When a stop ended the session that was running then.
    pub stops: Vec<OffsetDateTime>,
}

/// An object a request created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Created {
    /// Its owner's index (kinds with an owner).
    pub owner: Option<u64>,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub at: OffsetDateTime,
}

/// The changes to one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Objects created, in order; their indices start at [`Store::first_created`].
    pub created: Vec<Created>,
    pub deleted: BTreeSet<u64>,
    pub overlays: BTreeMap<u64, Overlay>,
}

/// Indices of created objects start here, far above any generated one.
pub(crate) const FIRST_CREATED: u64 = 1 << 32;

/// Everything requests changed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    kinds: BTreeMap<KindId, Changes>,
    /// Whether anything was ever deleted (a fast path for the common world).
    any_deleted: bool,
}

impl Store {
    /// The changes to `kind`, if any.
    pub fn changes(&self, kind: KindId) -> Option<&Changes> {
        self.kinds.get(&kind)
    }

    fn changes_mut(&mut self, kind: KindId) -> &mut Changes {
        self.kinds.entry(kind).or_default()
    }

    /// The overlay of `o`, if requests changed it.
    pub fn overlay(&self, o: Obj) -> Option<&Overlay> {
        self.kinds.get(&o.kind)?.overlays.get(&o.index)
    }

    /// The overlay of `o`, made on first use.
    pub fn overlay_mut(&mut self, o: Obj) -> &mut Overlay {
        self.changes_mut(o.kind)
            .overlays
            .entry(o.index)
            .or_default()
    }

    /// Whether `o` was deleted.
    pub fn deleted(&self, o: Obj) -> bool {
        self.any_deleted
            && self
                .kinds
                .get(&o.kind)
                .is_some_and(|c| c.deleted.contains(&o.index))
    }

    /// Whether anything of any kind was ever deleted.
    pub fn any_deleted(&self) -> bool {
        self.any_deleted
    }

    /// Deletes `o`.
    pub fn delete(&mut self, o: Obj) {
        self.any_deleted = true;
        let changes = self.changes_mut(o.kind);
        changes.deleted.insert(o.index);
        changes.overlays.remove(&o.index);
    }

    /// Creates an object of `kind`; returns its index.
    pub fn create(&mut self, kind: KindId, created: Created) -> u64 {
        let changes = self.changes_mut(kind);
        changes.created.push(created);
        FIRST_CREATED + changes.created.len() as u64 - 1
    }

    /// The created object `o`, if `o` is one.
    pub fn created(&self, o: Obj) -> Option<&Created> {
        let k = usize::try_from(o.index.checked_sub(FIRST_CREATED)?).ok()?;
        self.kinds.get(&o.kind)?.created.get(k)
    }

    /// The indices of the created objects of `kind` (deleted ones included).
    pub fn created_indices(&self, kind: KindId) -> impl Iterator<Item = (u64, &Created)> {
        self.kinds
            .get(&kind)
            .map(|c| c.created.as_slice())
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(k, c)| (FIRST_CREATED + k as u64, c))
    }
}
