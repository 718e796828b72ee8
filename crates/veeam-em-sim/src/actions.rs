//! What the operations that change things do: each validates its request now (the objects must
//! exist, the body must make sense) and starts a task whose effect applies when it finishes.
//! The restore intervals of a replica are answered at once, as the API does.

use http::StatusCode;
use time::Duration;
use veeam_em_api::incoming::AnyRequest;
use veeam_em_model::{
    CdpIntervalKind, CdpReplicaInterval, CdpReplicaIntervalList, CdpReplicaIntervals,
    CdpReplicaIntervalsSpec, CdpReplicaRestorePoint, CdpReplicaRestorePointList, DateTime,
    Document, VssSnapshotMode,
};

use crate::errors::Failure;
use crate::tasks::Effect;
use crate::world::{Include, KindId, World, MAX_INCLUDES};

/// What an action answers.
pub(crate) enum Outcome {
    /// Start a task with this operation name and effect (answered `202` with the task).
    Task(&'static str, Effect),
    /// Answer with this document and the entry's status.
    Document(Box<Document>),
    /// Change the world now and answer with no body (an action the API completes at once).
    Applied(Effect),
}

fn not_found(kind: KindId, id: &str) -> Failure {
    Failure::not_found(format!("There is no {} with the id {id:?}", kind.name()))
}

fn find(world: &World, kind: KindId, id: &str) -> Result<u64, Failure> {
    world.find(kind, id).ok_or_else(|| not_found(kind, id))
}

/// Validates `request` against `world` and says what to do.
pub(crate) fn act(world: &World, request: &AnyRequest) -> Result<Outcome, Failure> {
    Ok(match request {
        AnyRequest::EnableCdpPolicy(op) => Outcome::Task(
            "EnableCdpPolicy",
            Effect::EnablePolicy {
                policy: find(world, KindId::CdpPolicy, op.policy_id.as_str())?,
                enabled: true,
            },
        ),
        AnyRequest::DisableCdpPolicy(op) => Outcome::Task(
            "DisableCdpPolicy",
            Effect::EnablePolicy {
                policy: find(world, KindId::CdpPolicy, op.policy_id.as_str())?,
                enabled: false,
            },
        ),
        AnyRequest::UpdateCdpPolicy(op) => {
            let policy = find(world, KindId::CdpPolicy, op.policy_id.as_str())?;
            if op.body.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(Failure::bad_request("A policy name cannot be empty"));
            }
            Outcome::Task(
                "EditCdpPolicy",
                Effect::EditPolicy {
                    policy,
                    edit: Box::new(op.body.clone()),
                },
            )
        }
        AnyRequest::CreateCdpPolicyInclude(op) => {
            let policy = find(world, KindId::CdpPolicy, op.policy_id.as_str())?;
            let spec = &op.body;
            if spec.hierarchy_obj_ref.trim().is_empty() {
                return Err(Failure::bad_request("HierarchyObjRef cannot be empty"));
            }
            let vss = spec
                .guest_processing_options
                .as_ref()
                .and_then(|g| g.vss_snapshot_options.as_ref());
            Outcome::Task(
                "CreateObjectInJob",
                Effect::AddInclude {
                    policy,
                    include: Include {
                        name: spec.hierarchy_obj_name.clone(),
                        hierarchy_ref: spec.hierarchy_obj_ref.clone(),
                        vss_mode: vss
                            .and_then(|v| v.vss_snapshot_mode.clone())
                            .unwrap_or(VssSnapshotMode::Disabled),
                        copy_only: vss.and_then(|v| v.is_copy_only).unwrap_or(false),
                    },
                },
            )
        }
        AnyRequest::DeleteCdpPolicyInclude(op) => {
            let policy = find(world, KindId::CdpPolicy, op.policy_id.as_str())?;
            let include = find(world, KindId::Include, op.include_id.as_str())?;
            if include / MAX_INCLUDES != policy {
                return Err(not_found(KindId::Include, op.include_id.as_str()));
            }
            Outcome::Task("DeleteObjectInJob", Effect::RemoveInclude { include })
        }
        AnyRequest::FailoverVmCdpReplica(op) => {
            find(world, KindId::CdpReplica, op.replica_id.as_str())?;
            find(world, KindId::VmCdpReplica, op.vm_id.as_str())?;
            Outcome::Task("StartFailover", Effect::Nothing)
        }
        AnyRequest::FailoverVAppCdpReplica(op) => {
            find(world, KindId::VAppCdpReplica, op.v_app_id.as_str())?;
            Outcome::Task("StartFailover", Effect::Nothing)
        }
        AnyRequest::GetVmCdpReplicaIntervals(op) => {
            let vm = find(world, KindId::VmCdpReplica, op.vm_id.as_str())?;
            Outcome::Document(Box::new(Document::CdpReplicaIntervals(intervals(
                world, vm, &op.body,
            )?)))
        }
        AnyRequest::GetVAppCdpReplicaIntervals(op) => {
            let vapp = find(world, KindId::VAppCdpReplica, op.v_app_id.as_str())?;
            Outcome::Document(Box::new(Document::CdpReplicaIntervals(intervals(
                world, vapp, &op.body,
            )?)))
        }
        other => {
            return Err(Failure::new(
                StatusCode::NOT_IMPLEMENTED,
                format!(
                    "The simulator does not implement {} yet",
                    other.entry().name
                ),
            ))
        }
    })
}

/// Restore intervals of a replica within the asked window: three intervals ending at the
/// window's end, restore points every eight hours.
fn intervals(
    world: &World,
    object: u64,
    spec: &CdpReplicaIntervalsSpec,
) -> Result<CdpReplicaIntervals, Failure> {
    let (Some(start), Some(end)) = (
        spec.start_date
            .to_offset_date_time()
            .or(Some(spec.start_date.local.assume_utc())),
        spec.end_date
            .to_offset_date_time()
            .or(Some(spec.end_date.local.assume_utc())),
    ) else {
        return Err(Failure::bad_request("StartDate and EndDate are required"));
    };
    if end <= start {
        return Err(Failure::bad_request("EndDate must be after StartDate"));
    }
    let span = end - start;
    let cut = |f: f64| start + span * f;
    let rpo = |k: u64| i32::try_from(5 + world.hash(70 + k, object) % 20).unwrap_or(15);
    let interval = |a, b, k| CdpReplicaInterval {
        start_date: Some(DateTime::from(a)),
        end_date: Some(DateTime::from(b)),
        rpo: Some(rpo(k)),
        interval_type: Some(CdpIntervalKind::RestoreAvailable),
        unknown: Default::default(),
    };
    let mut points = Vec::new();
    let mut t = start + Duration::hours(1);
    let mut n = 0;
    while t < end && n < 64 {
        points.push(CdpReplicaRestorePoint {
            id: Some(
                uuid::Uuid::from_u64_pair(world.hash(80, object), world.hash(81, n))
                    .to_string()
                    .into(),
            ),
            date: Some(DateTime::from(t)),
            is_application_consistent: Some(true),
            unknown: Default::default(),
        });
        t += Duration::hours(8);
        n += 1;
    }
    Ok(CdpReplicaIntervals {
        start_date: Some(spec.start_date),
        end_date: Some(spec.end_date),
        has_application_consistent_state: Some(!points.is_empty()),
        intervals: Some(CdpReplicaIntervalList {
            intervals: vec![
                interval(cut(0.5), cut(0.52), 0),
                interval(cut(0.52), cut(0.98), 1),
                interval(cut(0.98), end, 2),
            ],
            unknown: Default::default(),
        }),
        restore_points: Some(CdpReplicaRestorePointList {
            restore_points: points,
            unknown: Default::default(),
        }),
        unknown: Default::default(),
    })
}
