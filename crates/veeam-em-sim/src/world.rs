//! What the simulated server holds, as the handlers, the renderers and the family plug-ins read
//! it: [`World`], one read-only view over the registry, the store and the clock.
//!
//! Why a trait: the families are plug-ins the world consults (a CDP policy's sessions come from
//! the CDP family, a job's from the jobs family), and the families read the world (a job's
//! backup server, a VM's name). A trait here, implemented in `state.rs`, lets both sides meet
//! without importing each other.

use std::ops::Range;

use time::OffsetDateTime;

use crate::config::SimConfig;
use crate::registry::{KindId, Obj, Registry};
use crate::store::Store;

/// A set of object indices of one kind, in list order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IndexSet {
    Range(Range<u64>),
    /// Consecutive ranges, in order (a family's objects, owner by owner).
    Ranges(Vec<Range<u64>>),
    List(Vec<u64>),
}

impl IndexSet {
    /// No objects.
    pub fn empty() -> Self {
        IndexSet::List(Vec::new())
    }

    pub fn len(&self) -> u64 {
        match self {
            IndexSet::Range(r) => r.end.saturating_sub(r.start),
            IndexSet::Ranges(rs) => rs.iter().map(|r| r.end.saturating_sub(r.start)).sum(),
            IndexSet::List(l) => l.len() as u64,
        }
    }

    /// The indices from position `skip`, at most `take` of them (no scan of what is skipped for
    /// ranges).
    pub fn window(&self, skip: u64, take: u64) -> Vec<u64> {
        match self {
            IndexSet::Range(r) => {
                let start = r.start.saturating_add(skip).min(r.end);
                let end = start.saturating_add(take).min(r.end);
                (start..end).collect()
            }
            IndexSet::Ranges(rs) => {
                let mut out = Vec::new();
                let mut skip = skip;
                for r in rs {
                    let len = r.end.saturating_sub(r.start);
                    if skip >= len {
                        skip -= len;
                        continue;
                    }
                    let start = r.start + skip;
                    skip = 0;
                    let want = take.saturating_sub(out.len() as u64);
                    let end = start.saturating_add(want).min(r.end);
                    out.extend(start..end);
                    if out.len() as u64 >= take {
                        break;
                    }
                }
                out
            }
            IndexSet::List(l) => l
                .iter()
                .skip(usize::try_from(skip).unwrap_or(usize::MAX))
                .take(usize::try_from(take).unwrap_or(usize::MAX))
                .copied()
                .collect(),
        }
    }

    pub fn contains(&self, i: u64) -> bool {
        match self {
            IndexSet::Range(r) => r.contains(&i),
            IndexSet::Ranges(rs) => rs.iter().any(|r| r.contains(&i)),
            IndexSet::List(l) => l.contains(&i),
        }
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = u64> + '_> {
        match self {
            IndexSet::Range(r) => Box::new(r.clone()),
            IndexSet::Ranges(rs) => Box::new(rs.iter().flat_map(Clone::clone)),
            IndexSet::List(l) => Box::new(l.iter().copied()),
        }
    }
}

/// A value of a query field, typed for comparison and sorting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Uid(String),
    Int(i64),
    Bool(bool),
    Time(OffsetDateTime),
    /// An enumerated value: its text and its rank in the schema's order (compared by rank).
    Enum {
        text: &'static str,
        known: &'static [&'static str],
    },
    /// No value (e.g. no end time yet): sorts first, equals nothing.
    Absent,
}

/// The world, read-only.
pub(crate) trait World: Sync {
    fn registry(&self) -> &'static Registry;
    fn store(&self) -> &Store;
    fn config(&self) -> &SimConfig;
    /// The time the world is anchored at (`--now`, else when the simulator started): histories
    /// end here.
    fn anchor(&self) -> OffsetDateTime;
    /// The world's present: the anchor plus the time since the simulator started.
    fn now(&self) -> OffsetDateTime;
    /// Where generated histories end: the present with `--live`, else the anchor (what
    /// actions start still moves with the present).
    fn history_end(&self) -> OffsetDateTime;

    /// A deterministic pseudo-random number for `(what, index)`.
    fn hash(&self, what: u64, index: u64) -> u64 {
        crate::ids::mix64(self.config().seed ^ crate::ids::mix64(what ^ crate::ids::mix64(index)))
    }

    /// How many objects of `kind` each owner holds (or in all, without an owner).
    fn per_owner(&self, kind: KindId) -> u64;
    /// Every object of `kind` that exists, in list order.
    fn objects(&self, kind: KindId) -> IndexSet;
    /// The objects of `kind` below `below` (an object of a kind on its owner chain, or related
    /// through a common owner).
    fn children(&self, kind: KindId, below: Obj) -> IndexSet;
    /// Whether the object exists.
    fn exists(&self, o: Obj) -> bool;
    /// The object of `kind` that `o` belongs to or is related with: its owner, its owner's
    /// owner, ..., or one of the objects below the owner it shares with `kind`.
    fn related(&self, o: Obj, kind: KindId) -> Option<u64>;
    /// Its display name.
    fn name(&self, o: Obj) -> String;
    /// The text of a top-level member of its entity (`ScheduleEnabled`, `JobType`), as the
    /// entity shows it; `None` when it leaves it out.
    fn field(&self, o: Obj, member: &str) -> Option<String>;

    /// The ids of `kind` (computed once per world).
    fn kind_ids(&self, kind: KindId) -> crate::ids::KindIds;

    /// Its id (a UUID that encodes kind and index).
    fn id(&self, o: Obj) -> String {
        let mut buf = uuid::Uuid::encode_buffer();
        self.kind_ids(o.kind)
            .uuid(o.index)
            .hyphenated()
            .encode_lower(&mut buf)
            .to_owned()
    }

    /// Its UID, `urn:veeam:<Kind>:<id>`.
    fn uid(&self, o: Obj) -> String {
        format!(
            "urn:veeam:{}:{}",
            self.registry().kind(o.kind).name,
            self.id(o)
        )
    }

    /// The object of `kind` with id `id`, if it exists.
    fn find(&self, kind: KindId, id: &str) -> Option<u64> {
        let index = self.kind_ids(kind).index(id)?;
        self.exists(Obj { kind, index }).then_some(index)
    }
}
