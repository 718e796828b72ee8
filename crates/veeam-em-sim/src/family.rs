//! Family plug-ins: the behaviour of a family that the catalogue cannot say. Every method has a
//! default that leaves the decision to the generic world (`None`: no opinion), so a plug-in
//! writes only what is real behaviour: the CDP family's seeded histories of a million task
//! sessions, the jobs family's sessions over time, the report frames computed from the world.
//!
//! A family claims kinds by name ([`Family::kinds`]); the world asks the claiming family first
//! for everything about their objects.

use veeam_em_api::{Entry, Route};
use veeam_em_model::Document;

use crate::errors::Failure;
use crate::registry::{KindId, Obj};
use crate::world::{IndexSet, Value, World};

/// The behaviour of one family beyond the generic world.
pub(crate) trait Family: Send + Sync + std::fmt::Debug {
    /// The kinds (by name, e.g. `CdpPolicy`, or by item path when two kinds share a name) whose
    /// objects this family answers for.
    fn kinds(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether this family answers for `kind` (by its name or its item path).
    fn claims(&self, kind: &crate::registry::Kind) -> bool {
        self.kinds()
            .iter()
            .any(|c| *c == kind.name || *c == kind.path)
    }

    /// Every object of `kind`, in list order.
    fn objects(&self, _w: &dyn World, _kind: KindId) -> Option<IndexSet> {
        None
    }

    /// The objects of `kind` below `below`.
    fn children(&self, _w: &dyn World, _kind: KindId, _below: Obj) -> Option<IndexSet> {
        None
    }

    /// Whether `o` exists.
    fn exists(&self, _w: &dyn World, _o: Obj) -> Option<bool> {
        None
    }

    /// The index of `o`'s owner (its kind's owner kind).
    fn owner(&self, _w: &dyn World, _o: Obj) -> Option<u64> {
        None
    }

    /// Its display name.
    fn name(&self, _w: &dyn World, _o: Obj) -> Option<String> {
        None
    }

    /// The text of a top-level member of its entity: `Some(None)` when the entity leaves it
    /// out (the end of a running session), `None` for no opinion.
    fn field(&self, _w: &dyn World, _o: Obj, _member: &str) -> Option<Option<String>> {
        None
    }

    /// Whether an optional nested member of `o`'s entity (by path, `Job/JobInfo/BackupJobInfo`)
    /// is there; `None` leaves it to chance.
    fn keeps(&self, _w: &dyn World, _o: Obj, _path: &str) -> Option<bool> {
        None
    }

    /// A query field's value, typed (a fast path for filters over many objects).
    fn query_field(&self, _w: &dyn World, _o: Obj, _name: &str) -> Option<Value> {
        None
    }

    /// The entity document of `o`, written by the family (a fast path, typed), without links:
    /// the caller adds them.
    fn entity(&self, _w: &dyn World, _o: Obj, _base: &str) -> Option<Document> {
        None
    }

    /// A list document of entities of `kind` (a fast path, typed).
    fn list(
        &self,
        _w: &dyn World,
        _kind: KindId,
        _items: &[u64],
        _list: &str,
        _base: &str,
    ) -> Option<Document> {
        None
    }

    /// The `Entities` of a query result of `kind` (a fast path, typed).
    fn query_entities(
        &self,
        _w: &dyn World,
        _kind: KindId,
        _items: &[u64],
        _base: &str,
    ) -> Option<veeam_em_model::Entities> {
        None
    }

    /// The answer to a GET that is not about an object of a kind (a report frame).
    fn document(
        &self,
        _w: &dyn World,
        _entry: &'static Entry,
        _route: &Route,
        _base: &str,
    ) -> Option<Result<Document, Failure>> {
        None
    }

    /// The answer of an action that answers a document rather than a task (restore intervals).
    fn answer(
        &self,
        _w: &dyn World,
        _entry: &'static Entry,
        _route: &Route,
        _body: Option<&Document>,
    ) -> Option<Result<Document, Failure>> {
        None
    }
}
