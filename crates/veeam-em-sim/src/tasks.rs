//! Tasks: what an action starts. A task answers `202 Accepted` while it runs, is visible at
//! `/tasks/{ID}`, finishes after the configured duration, and only then changes the world: a
//! disabled policy reads as disabled, a deleted job answers 404, a started job has a new session,
//! once its task has finished, as on a real server.

use time::OffsetDateTime;
use veeam_em_api::resource;
use veeam_em_model::{LinkList, Task, TaskResultInfo, TaskState, Text};

use crate::registry::{KindId, Obj};
use crate::render::edits;
use crate::render::links;
use crate::state::State;
use crate::store::{Created, Run};
use crate::world::World;

/// What a finished task changes, decided when its request was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// Nothing the API's data shows (a restore, a collection of the server's data).
    None,
    /// A new object of `kind` below owner object `owner`, with the members `patch` holds.
    Create {
        kind: KindId,
        owner: Option<u64>,
        name: String,
        patch: Option<String>,
    },
    Delete(Obj),
    /// The members `patch` holds replace the object's.
    Edit {
        object: Obj,
        patch: String,
    },
    /// A new session of the object starts (`retry`: of the objects the last one failed on).
    Run {
        object: Obj,
        retry: bool,
    },
    /// The object's running session ends.
    Stop(Obj),
    /// A top-level member takes `value` (`toggle`: the other boolean).
    Set {
        object: Obj,
        member: &'static str,
        value: &'static str,
    },
    /// A copy of the object appears beside it, named `name`.
    Clone {
        object: Obj,
        name: String,
    },
    /// Nothing: the task fails with this message (a `task-fail` fault).
    Fail(String),
}

/// One task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TaskRecord {
    pub id: String,
    pub operation: &'static str,
    /// The logon session that started it.
    pub owner: String,
    pub done_at: OffsetDateTime,
    pub change: Change,
    /// `Some((success, message))` once finished.
    pub result: Option<(bool, String)>,
}

impl TaskRecord {
    /// The task as the API shows it.
    pub fn render(&self, base: &str) -> Task {
        let links = resource::resource("/tasks/{}")
            .map(|r| links::of_document(r, std::slice::from_ref(&self.id), base))
            .unwrap_or_default();
        Task {
            type_: Some("Task".into()),
            href: Some(links::href(base, &format!("/tasks/{}", self.id))),
            links: (!links.is_empty()).then(|| LinkList {
                links,
                unknown: Default::default(),
            }),
            task_id: Text::from(self.id.as_str()),
            state: if self.result.is_some() {
                TaskState::Finished
            } else {
                TaskState::Running
            },
            operation: self.operation.into(),
            result: self
                .result
                .as_ref()
                .map(|(success, message)| TaskResultInfo {
                    success: *success,
                    message: Some(message.as_str().into()),
                    unknown: Default::default(),
                }),
            unknown: Default::default(),
        }
    }
}

/// `patch` merged over what `o`'s overlay already holds.
fn merged_patch(state: &State, o: Obj, root: &str, patch: &str) -> Option<String> {
    let base = state
        .store
        .overlay(o)
        .and_then(|ov| ov.patch.clone())
        .unwrap_or_else(|| format!("<{root} xmlns=\"http://www.veeam.com/ent/v1.0\"/>"));
    edits::merge(&base, patch)
}

fn gone(state: &State, o: Obj) -> (bool, String) {
    (
        false,
        format!(
            "The {} no longer exists",
            state.registry().kind(o.kind).name
        ),
    )
}

/// Applies a finished task's change at `now`; its result.
pub(crate) fn apply(state: &mut State, change: &Change, now: OffsetDateTime) -> (bool, String) {
    let ok = (true, "Ok".to_owned());
    match change {
        Change::None => ok,
        Change::Fail(message) => (false, message.clone()),
        Change::Create {
            kind,
            owner,
            name,
            patch,
        } => {
            let reg = state.registry();
            if let (Some(owner_kind), Some(p)) = (reg.kind(*kind).owner, owner) {
                if !state.exists(Obj {
                    kind: owner_kind,
                    index: *p,
                }) {
                    return (
                        false,
                        "The object to create it below no longer exists".into(),
                    );
                }
            }
            let index = state.store.create(
                *kind,
                Created {
                    owner: *owner,
                    name: name.clone(),
                    at: now,
                },
            );
            if let Some(patch) = patch {
                state.store.overlay_mut(Obj { kind: *kind, index }).patch = Some(patch.clone());
            }
            ok
        }
        Change::Delete(o) => {
            if !state.exists(*o) {
                return gone(state, *o);
            }
            state.store.delete(*o);
            ok
        }
        Change::Edit { object, patch } => {
            if !state.exists(*object) {
                return gone(state, *object);
            }
            let root = state
                .registry()
                .kind(object.kind)
                .entity()
                .unwrap_or("Entity");
            match merged_patch(state, *object, root, patch) {
                Some(p) => {
                    state.store.overlay_mut(*object).patch = Some(p);
                    ok
                }
                None => (false, "The body could not be merged".into()),
            }
        }
        Change::Run { object, retry } => {
            if !state.exists(*object) {
                return gone(state, *object);
            }
            state.store.overlay_mut(*object).runs.push(Run {
                started: now,
                retry: *retry,
            });
            ok
        }
        Change::Stop(o) => {
            if !state.exists(*o) {
                return gone(state, *o);
            }
            state.store.overlay_mut(*o).stops.push(now);
            ok
        }
        Change::Set {
            object,
            member,
            value,
        } => {
            if !state.exists(*object) {
                return gone(state, *object);
            }
            let value = if *value == "toggle" {
                match state.field(*object, member).as_deref() {
                    Some("true") => "false",
                    _ => "true",
                }
            } else {
                value
            };
            let root = state
                .registry()
                .kind(object.kind)
                .entity()
                .unwrap_or("Entity");
            let patch = edits::patch_of(root, member, value);
            match merged_patch(state, *object, root, &patch) {
                Some(p) => {
                    state.store.overlay_mut(*object).patch = Some(p);
                    ok
                }
                None => (false, "The change could not be merged".into()),
            }
        }
        Change::Clone { object, name } => {
            if !state.exists(*object) {
                return gone(state, *object);
            }
            let reg = state.registry();
            let owner = reg
                .kind(object.kind)
                .owner
                .and_then(|k| state.related(*object, k));
            let patch = state.store.overlay(*object).and_then(|ov| ov.patch.clone());
            let index = state.store.create(
                object.kind,
                Created {
                    owner,
                    name: name.clone(),
                    at: now,
                },
            );
            if let Some(patch) = patch {
                let clone = Obj {
                    kind: object.kind,
                    index,
                };
                state.store.overlay_mut(clone).patch = Some(edits::without_child(&patch, "Name"));
            }
            ok
        }
    }
}
