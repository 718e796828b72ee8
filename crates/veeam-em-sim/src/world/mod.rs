//! The simulated world: kinds of objects, each generated from the seed and an index, rendered
//! as model values only when a request asks for them.
//!
//! Why this shape: a million task sessions must not cost a million rendered documents. Objects
//! whose history is fixed (sessions, task sessions, replicas) are pure functions of
//! `(seed, index)`; their ids encode the index (`ids.rs`), so finding one by id costs nothing.
//! Objects that requests change (policies and their includes) are stored, a few hundred bytes
//! each. A family of the API plugs in as one more [`Kind`]: where its collections and items
//! live (catalogue path templates), how one object renders as a reference, an entity and a
//! list, and its query fields. Routing, paging, filtering, sorting and formats are generic.

mod cdp;
mod infra;
mod links;

use std::ops::Range;

use time::OffsetDateTime;
use veeam_em_model::{Document, Entities, EntityRef};

pub(crate) use links::LinkSpec;

use crate::config::SimConfig;
use crate::ids::{mix64, IdSpace, KindIds};

/// The kinds of simulated objects. The name is the kind part of their UIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum KindId {
    BackupServer,
    Repository,
    CdpPolicy,
    Include,
    CdpReplica,
    VmCdpReplica,
    VAppCdpReplica,
    VAppCdpReplicaVm,
    CdpReplicaSession,
    CdpReplicaTaskSession,
}

/// Every kind, in the order of their discriminants.
const ALL_KINDS: [KindId; 10] = [
    KindId::BackupServer,
    KindId::Repository,
    KindId::CdpPolicy,
    KindId::Include,
    KindId::CdpReplica,
    KindId::VmCdpReplica,
    KindId::VAppCdpReplica,
    KindId::VAppCdpReplicaVm,
    KindId::CdpReplicaSession,
    KindId::CdpReplicaTaskSession,
];

impl KindId {
    /// The kind in UIDs (`urn:veeam:<Kind>:<id>`).
    pub fn name(self) -> &'static str {
        match self {
            KindId::BackupServer => "BackupServer",
            KindId::Repository => "Repository",
            KindId::CdpPolicy => "CdpPolicy",
            KindId::Include => "ObjectInJob",
            KindId::CdpReplica => "CdpReplica",
            KindId::VmCdpReplica => "CdpReplicaVm",
            KindId::VAppCdpReplica => "VAppCdpReplica",
            KindId::VAppCdpReplicaVm => "VAppCdpReplicaVm",
            KindId::CdpReplicaSession => "CdpReplicaSession",
            KindId::CdpReplicaTaskSession => "CdpReplicaTaskSession",
        }
    }
}

/// Where a kind lives in the URL space: a catalogue path template with `{}` for parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KindRoute {
    pub template: &'static str,
    pub form: Form,
}

/// What a path template of a kind names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// All objects of the kind, or (with a parent kind) those of the object named by the
    /// template's last parameter.
    Collection(Option<KindId>),
    /// One object, named by the template's last parameter (a previous one, if any, names its
    /// parent).
    Item,
}

/// A set of object indices, in list order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IndexSet {
    Range(Range<u64>),
    List(Vec<u64>),
}

impl IndexSet {
    pub fn len(&self) -> u64 {
        match self {
            IndexSet::Range(r) => r.end - r.start,
            IndexSet::List(l) => l.len() as u64,
        }
    }

    /// The indices from position `skip`, at most `take` of them.
    pub fn window(&self, skip: u64, take: u64) -> Vec<u64> {
        match self {
            IndexSet::Range(r) => {
                let start = r.start.saturating_add(skip).min(r.end);
                let end = start.saturating_add(take).min(r.end);
                (start..end).collect()
            }
            IndexSet::List(l) => l
                .iter()
                .skip(usize::try_from(skip).unwrap_or(usize::MAX))
                .take(usize::try_from(take).unwrap_or(usize::MAX))
                .copied()
                .collect(),
        }
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = u64> + '_> {
        match self {
            IndexSet::Range(r) => Box::new(r.clone()),
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

thread_local! {
    /// A buffer hrefs are assembled in (one allocation per href: the shared string itself).
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Everything a rendering needs: the world and the base URL hrefs start with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub world: &'a World,
    pub base: &'a str,
}

impl Ctx<'_> {
    /// `base + path`, as an href.
    pub fn href(&self, path: &str) -> veeam_em_model::Href {
        SCRATCH.with(|scratch| {
            let mut s = scratch.borrow_mut();
            s.clear();
            s.push_str(self.base);
            s.push_str(path);
            veeam_em_model::Href::from(s.as_str())
        })
    }

    /// The id of object `index` of `kind`.
    pub fn id(&self, kind: KindId, index: u64) -> String {
        let mut buf = uuid::Uuid::encode_buffer();
        self.world.kind_ids[kind as usize]
            .uuid(index)
            .hyphenated()
            .encode_lower(&mut buf)
            .to_owned()
    }

    /// The UID of object `index` of `kind`.
    pub fn uid(&self, kind: KindId, index: u64) -> veeam_em_model::Uid {
        veeam_em_model::Uid::new(kind.name(), &self.id(kind, index))
            .expect("kind names are alphanumeric and ids are UUIDs")
    }
}

/// One kind of object.
pub(crate) trait Kind: Sync + Send {
    fn id(&self) -> KindId;
    /// The catalogue path templates of its collections and items.
    fn routes(&self) -> &'static [KindRoute];
    /// Every object, in list order.
    fn all(&self, w: &World) -> IndexSet;
    /// The objects below object `parent` of the parent kind.
    fn children_of(&self, _w: &World, _parent: u64) -> IndexSet {
        IndexSet::List(Vec::new())
    }
    /// Whether object `i` exists now.
    fn exists(&self, w: &World, i: u64) -> bool;
    /// The index of the parent of `i` in the kind that nests it in URLs.
    fn parent(&self, _w: &World, _i: u64) -> Option<u64> {
        None
    }
    /// The reference form.
    fn reference(&self, cx: &Ctx<'_>, i: u64) -> EntityRef;
    /// The entity form, as the document it is served as.
    fn entity(&self, cx: &Ctx<'_>, i: u64) -> Document;
    /// A list of entities, as the document it is served as.
    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document;
    /// The query type of the query service that finds this kind.
    fn query_type(&self) -> Option<&'static str> {
        None
    }
    /// The query fields (ASCII lower case) [`field`](Self::field) answers.
    fn fields(&self) -> &'static [&'static str] {
        &[]
    }
    /// A query field of object `i` (`name` in ASCII lower case); `None`: no such field.
    fn field(&self, _w: &World, _i: u64, _name: &str) -> Option<Value> {
        None
    }
    /// The entities of a query result.
    fn query_entities(&self, _cx: &Ctx<'_>, _items: &[u64]) -> Entities {
        Entities::default()
    }
}

/// The kinds of the world, in a fixed order.
pub(crate) fn kinds() -> &'static [&'static dyn Kind] {
    static KINDS: [&dyn Kind; 10] = [
        &infra::Servers,
        &infra::Repositories,
        &cdp::Policies,
        &cdp::Includes,
        &cdp::Replicas,
        &cdp::ReplicaVms,
        &cdp::VAppReplicas,
        &cdp::VAppReplicaVms,
        &cdp::Sessions,
        &cdp::TaskSessions,
    ];
    &KINDS
}

/// The kind with id `id`.
pub(crate) fn kind(id: KindId) -> &'static dyn Kind {
    kinds()
        .iter()
        .copied()
        .find(|k| k.id() == id)
        .unwrap_or_else(|| kinds()[0])
}

pub(crate) use cdp::{Include, PolicyState, MAX_INCLUDES};

/// The state of the world.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub ids: IdSpace,
    /// The ids of each kind, by `KindId as usize`.
    pub kind_ids: [KindIds; 10],
    pub seed: u64,
    pub epoch: OffsetDateTime,
    pub policies: u64,
    pub sessions_per_policy: u64,
    pub tasks_per_session: u64,
    /// What requests can change about policies (and their includes).
    pub policy_state: Vec<PolicyState>,
    /// Entity documents of the generic world that `PUT`s changed, by item path (lower case).
    pub edits: std::collections::BTreeMap<String, String>,
    /// See `SimConfig::newer_server`.
    pub newer_server: bool,
}

impl World {
    /// The world of `config`.
    pub fn new(config: &SimConfig) -> Self {
        let ids = IdSpace::new(config.seed);
        let mut world = Self {
            kind_ids: ALL_KINDS.map(|k| ids.kind(k.name())),
            ids,
            seed: config.seed,
            epoch: config.epoch,
            policies: u64::from(config.policies),
            sessions_per_policy: u64::from(config.sessions_per_policy),
            tasks_per_session: u64::from(config.tasks_per_session),
            policy_state: Vec::new(),
            edits: Default::default(),
            newer_server: config.newer_server,
        };
        world.policy_state = (0..world.policies)
            .map(|p| cdp::initial_policy(&world, p))
            .collect();
        world
    }

    /// A deterministic pseudo-random number for `(what, index)`.
    pub fn hash(&self, what: u64, index: u64) -> u64 {
        mix64(self.seed ^ mix64(what ^ mix64(index)))
    }

    /// The object `id` of `kind`, if it exists.
    pub fn find(&self, kind: KindId, id: &str) -> Option<u64> {
        let index = self.ids.index(kind.name(), id)?;
        self::kind(kind).exists(self, index).then_some(index)
    }
}
