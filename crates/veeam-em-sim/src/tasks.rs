//! Tasks: what an action starts. A task answers `202 Accepted` while it runs, is visible at
//! `/tasks/{ID}`, finishes after the configured duration, and only then changes the world (a
//! disabled policy reads as disabled once its task has finished, as on a real server).

use time::OffsetDateTime;
use veeam_em_model::{CdpPolicy, Task, TaskResultInfo, TaskState, Text};

use crate::world::{Ctx, Include, World, MAX_INCLUDES};

/// What a task does to the world when it finishes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// Nothing but finishing (e.g. a failover of a simulated replica).
    Nothing,
    /// `ScheduleEnabled` of a policy.
    EnablePolicy { policy: u64, enabled: bool },
    /// The fields a PUT body sets.
    EditPolicy { policy: u64, edit: Box<CdpPolicy> },
    /// A new include in a free slot.
    AddInclude { policy: u64, include: Include },
    /// An include removed.
    RemoveInclude { include: u64 },
    /// The entity document of an object of the generic world, edited (by item path).
    ReplaceEntity { path: String, xml: String },
}

/// One task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TaskRecord {
    pub id: String,
    pub operation: &'static str,
    /// The logon session that started it.
    pub owner: String,
    pub done_at: OffsetDateTime,
    pub effect: Effect,
    /// `Some((success, message))` once finished.
    pub result: Option<(bool, String)>,
}

impl TaskRecord {
    /// The task as the API shows it.
    pub fn render(&self, cx: &Ctx<'_>) -> Task {
        Task {
            type_: Some("Task".into()),
            href: Some(cx.href(&format!("/tasks/{}", self.id))),
            // The pages show a `Delete` link; the catalogue has no such operation yet.
            links: None,
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

/// Applies the effect of a finished task; the message of its result.
pub(crate) fn apply(world: &mut World, effect: &Effect) -> (bool, String) {
    match effect {
        Effect::Nothing => (true, "Ok".into()),
        Effect::ReplaceEntity { path, xml } => {
            world.edits.insert(path.clone(), xml.clone());
            (true, "Ok".into())
        }
        Effect::EnablePolicy { policy, enabled } => match policy_mut(world, *policy) {
            Some(state) => {
                state.model.schedule_enabled = Some(*enabled);
                (true, "Ok".into())
            }
            None => (false, "The policy no longer exists".into()),
        },
        Effect::EditPolicy { policy, edit } => match policy_mut(world, *policy) {
            Some(state) => {
                merge_policy(&mut state.model, edit);
                (true, "Ok".into())
            }
            None => (false, "The policy no longer exists".into()),
        },
        Effect::AddInclude { policy, include } => match policy_mut(world, *policy) {
            Some(state) => match state.includes.iter_mut().find(|slot| slot.is_none()) {
                Some(slot) => {
                    *slot = Some(include.clone());
                    (true, "Ok".into())
                }
                None => (
                    false,
                    format!("A policy holds at most {MAX_INCLUDES} objects"),
                ),
            },
            None => (false, "The policy no longer exists".into()),
        },
        Effect::RemoveInclude { include } => {
            let slot = (include % MAX_INCLUDES) as usize;
            match policy_mut(world, include / MAX_INCLUDES)
                .and_then(|state| state.includes.get_mut(slot))
            {
                Some(slot @ Some(_)) => {
                    *slot = None;
                    (true, "Ok".into())
                }
                _ => (false, "The object is no longer in the policy".into()),
            }
        }
    }
}

fn policy_mut(world: &mut World, p: u64) -> Option<&mut crate::world::PolicyState> {
    usize::try_from(p)
        .ok()
        .and_then(|p| world.policy_state.get_mut(p))
}

/// Sets what `edit` gives (a PUT body carries only the fields it changes).
fn merge_policy(model: &mut CdpPolicy, edit: &CdpPolicy) {
    macro_rules! take {
        ($($field:ident),*) => {
            $(if let Some(value) = &edit.$field { model.$field = Some(value.clone()); })*
        };
    }
    take!(
        name,
        description,
        platform,
        policy_type,
        schedule_configured,
        schedule_enabled,
        next_run,
        policy_schedule_options
    );
    // What the schemas do not know is the client's to keep: a body that carries some replaces it.
    if !edit.unknown.is_empty() {
        model.unknown = edit.unknown.clone();
    }
}
