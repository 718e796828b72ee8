//! The CDP family: policies and their includes (stored, since requests change them), replicas
//! with their VMs or vApps, replication sessions and task sessions (generated from the seed).
//!
//! Shapes, link sets and value forms follow the reference pages and their examples: a session's
//! name is `<policy>@<start time>`, a VM replica entity's root is `<CdpReplicaVm>`, and query
//! results list sessions as `<CdpPolicySession>` items. (A task session's own `Href` on real
//! servers may use `/replicaTaskSessions/`, now the sessions family's address: the simulator
//! writes `/cdpReplicaTaskSessions/`.)

use time::{Duration, OffsetDateTime};
use veeam_em_model::{
    CdpPolicies, CdpPolicy, CdpPolicyInfo, CdpPolicyKind, CdpReplica, CdpReplicaPolicyInfo,
    CdpReplicaPolicyScheduleOptions, CdpReplicaRpoReportingFailedOptions,
    CdpReplicaRpoReportingWarningOptions, CdpReplicaSession, CdpReplicaSessionItem,
    CdpReplicaSessions, CdpReplicaTaskSession, CdpReplicaTaskSessions, CdpReplicas, DateTime,
    Document, Entities, EntityRef, GuestProcessingOptions, Link, LinkList,
    LongTermRetentionSchedule, ObjectInJob, ObjectsInJob, Platform, PolicyScheduleOptionsInfo,
    RpoReporting, RpoSchedule, SessionResult, SessionState, TaskSessionState, Text, VAppCdpReplica,
    VAppCdpReplicaVm, VAppCdpReplicaVms, VAppCdpReplicas, VmCdpReplica, VmCdpReplicas,
    VssSnapshotMode, VssSnapshotOptions,
};

use super::infra::{server_name, up_to_server, SERVER_COUNT};
use super::{Ctx, Form, IndexSet, Kind, KindId, KindRoute, LinkSpec, Value, World};

/// Include slots per policy (an include's index is `policy * MAX_INCLUDES + slot`).
pub(crate) const MAX_INCLUDES: u64 = 16;
/// Includes a policy starts with.
const INITIAL_INCLUDES: u64 = 2;
/// VMs of each vApp of a vCloud policy.
const VMS_PER_VAPP: u64 = 2;

const VM_NAMES: [&str; 12] = [
    "virt03-ubuntu01",
    "DC-SRV",
    "sql-prod-01",
    "web-frontend-02",
    "exchange-01",
    "fileserver-03",
    "erp-app-01",
    "jump-host",
    "k8s-node-04",
    "print-srv",
    "crm-db-02",
    "build-agent-07",
];

/// One object a policy protects (a VM, or a vApp for vCloud policies).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Include {
    pub name: Text,
    pub hierarchy_ref: Text,
    pub vss_mode: VssSnapshotMode,
    pub copy_only: bool,
}

/// What requests can change about one policy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PolicyState {
    /// The policy's own fields (no href, links or includes: those are rendered).
    pub model: CdpPolicy,
    /// Include slots; `None` is a free slot.
    pub includes: Vec<Option<Include>>,
}

impl PolicyState {
    pub fn name(&self) -> Text {
        self.model.name.clone().unwrap_or_default()
    }

    pub fn is_vcloud(&self) -> bool {
        self.model.platform == Some(Platform::VCloud)
    }
}

fn vm_name(w: &World, p: u64, k: u64) -> String {
    let base = VM_NAMES[((w.hash(1, p) + k) % VM_NAMES.len() as u64) as usize];
    match k / VM_NAMES.len() as u64 {
        0 if p < VM_NAMES.len() as u64 => base.to_owned(),
        round => format!("{base}-{p}{round}"),
    }
}

fn guid(w: &World, what: u64, i: u64) -> String {
    uuid::Uuid::from_u64_pair(w.hash(what, i), w.hash(what + 1, i)).to_string()
}

/// An include of policy `p` at `slot` as first generated.
pub(crate) fn generated_include(w: &World, p: u64, slot: u64, vcloud: bool) -> Include {
    let vcenter = guid(w, 30, p % 3);
    let (name, hierarchy_ref) = if vcloud {
        let name = format!("vApp{:02}", p * 10 + slot);
        let r = format!(
            "urn:vCloud:Vapp:{}.urn:vcloud:vapp:{}",
            guid(w, 32, 0),
            guid(w, 34, p * MAX_INCLUDES + slot)
        );
        (name, r)
    } else {
        let name = vm_name(w, p, slot);
        let r = format!(
            "urn:VMware:Vm:{vcenter}.vm-{}",
            1000 + w.hash(36, p * MAX_INCLUDES + slot) % 90000
        );
        (name, r)
    };
    Include {
        name: name.into(),
        hierarchy_ref: hierarchy_ref.into(),
        vss_mode: if slot % 2 == 0 {
            VssSnapshotMode::RequireSuccess
        } else {
            VssSnapshotMode::Disabled
        },
        copy_only: slot % 3 == 0,
    }
}

/// Policy `p` as the world starts.
pub(crate) fn initial_policy(w: &World, p: u64) -> PolicyState {
    let vcloud = p % 4 == 3;
    let name = if vcloud {
        format!("CDP Policy Cloud Director {}", p + 1)
    } else {
        format!("CDP Policy {}", p + 1)
    };
    let mut model = CdpPolicy {
        name: Some(name.into()),
        policy_type: Some(CdpPolicyKind::CdpReplica),
        platform: Some(if vcloud {
            Platform::VCloud
        } else {
            Platform::VMware
        }),
        description: Some(format!(r"Created by TECH\operator{}", p % 3 + 1).into()),
        schedule_configured: Some(true),
        schedule_enabled: Some(p % 5 != 4),
        next_run: Some(DateTime::from(w.epoch + Duration::hours(17))),
        policy_schedule_options: Some(PolicyScheduleOptionsInfo {
            cdp_replica: Some(CdpReplicaPolicyScheduleOptions {
                recovery_point_objective_seconds: Some([15, 30, 60][(p % 3) as usize]),
                recovery_point_objective_minutes: Some(0),
                rpo_schedule: Some(RpoSchedule {
                    enabled: Some(false),
                    ..Default::default()
                }),
                rpo_reporting: Some(RpoReporting {
                    enabled: None,
                    mark_as_warning: Some(CdpReplicaRpoReportingWarningOptions {
                        enabled: Some(true),
                        rpo_threshold_seconds: Some(30),
                        rpo_threshold_minutes: Some(0),
                        ..Default::default()
                    }),
                    mark_as_failed: Some(CdpReplicaRpoReportingFailedOptions {
                        enabled: Some(false),
                        rpo_threshold_seconds: Some(0),
                        rpo_threshold_minutes: Some(5),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                short_term_retention_minutes: Some(0),
                short_term_retention_hours: Some(1),
                long_term_retention_hours: Some(8),
                long_term_retention_keep_days: Some(7),
                long_term_retention_schedule: Some(LongTermRetentionSchedule {
                    enabled: Some(false),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    if w.newer_server {
        use crate::auto::edits::{FUTURE_ATTRIBUTE, FUTURE_ELEMENT};
        model
            .unknown
            .push_attribute(FUTURE_ATTRIBUTE.into(), "2".into());
        // After every known child.
        model.unknown.push_element(
            &format!("<{FUTURE_ELEMENT}>kept by clients</{FUTURE_ELEMENT}>"),
            u32::MAX,
        );
    }
    let mut includes: Vec<Option<Include>> = vec![None; MAX_INCLUDES as usize];
    for slot in 0..INITIAL_INCLUDES {
        includes[slot as usize] = Some(generated_include(w, p, slot, vcloud));
    }
    PolicyState { model, includes }
}

fn policy(w: &World, p: u64) -> Option<&PolicyState> {
    w.policy_state.get(usize::try_from(p).ok()?)
}

fn policy_server(p: u64) -> u64 {
    p % SERVER_COUNT
}

fn links(links: impl IntoIterator<Item = Option<Link>>) -> Option<LinkList> {
    Some(LinkList {
        links: links.into_iter().flatten().collect(),
        unknown: Default::default(),
    })
}

fn up_to_policy(cx: &Ctx<'_>, p: u64) -> Option<Link> {
    static UP: LinkSpec = LinkSpec::new(
        "Up",
        Some("CdpPolicyReference"),
        "/cdpPolicies/{}",
        "GET",
        true,
    );
    let name = policy(cx.world, p).map(PolicyState::name);
    UP.render(cx, &[&cx.id(KindId::CdpPolicy, p)], name.as_ref())
}

/// `YYYY-MM-DD hh:mm:ss`, as session names show start times (by hand: it is on a hot path).
fn time_text(t: OffsetDateTime) -> String {
    let mut out = String::with_capacity(19);
    let two = |n: u8, sep: char, out: &mut String| {
        out.push(char::from(b'0' + n / 10));
        out.push(char::from(b'0' + n % 10));
        out.push(sep);
    };
    let year = t.year().clamp(0, 9999) as u16;
    for d in [year / 1000, year / 100 % 10, year / 10 % 10, year % 10] {
        out.push(char::from(b'0' + d as u8));
    }
    out.push('-');
    two(u8::from(t.month()), '-', &mut out);
    two(t.day(), ' ', &mut out);
    two(t.hour(), ':', &mut out);
    two(t.minute(), ':', &mut out);
    two(t.second(), ' ', &mut out);
    out.pop();
    out
}

// ---------------------------------------------------------------------------------------------
// Policies

pub(crate) struct Policies;

static POLICY_LINKS: [LinkSpec; 7] = [
    LinkSpec::new(
        "Edit",
        Some("CdpPolicyReference"),
        "/cdpPolicies/{}",
        "PUT",
        true,
    ),
    LinkSpec::new(
        "Disable",
        None,
        "/cdpPolicies/{}?action=disable",
        "POST",
        false,
    ),
    LinkSpec::new(
        "Enable",
        None,
        "/cdpPolicies/{}?action=enable",
        "POST",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ObjectInJobList"),
        "/cdpPolicies/{}/includes",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Create",
        Some("ObjectInJob"),
        "/cdpPolicies/{}/includes",
        "POST",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("CdpReplicaSessionReferenceList"),
        "/cdpPolicies/{}/cdpReplicaSessions",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("CdpReplicaReferenceList"),
        "/cdpPolicies/{}/cdpReplicas",
        "GET",
        false,
    ),
];
static POLICY_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpPolicy"),
    "/cdpPolicies/{}?format=Entity",
    "GET",
    true,
);
static POLICY_TO_REF: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpPolicyReference"),
    "/cdpPolicies/{}",
    "GET",
    true,
);

impl Policies {
    fn links(&self, cx: &Ctx<'_>, p: u64, alternate: &LinkSpec) -> Option<LinkList> {
        let id = cx.id(KindId::CdpPolicy, p);
        let name = policy(cx.world, p).map(PolicyState::name);
        let mut out = vec![
            up_to_server(cx, policy_server(p)),
            alternate.render(cx, &[&id], name.as_ref()),
        ];
        out.extend(
            POLICY_LINKS
                .iter()
                .map(|l| l.render(cx, &[&id], name.as_ref())),
        );
        links(out)
    }

    fn policy(&self, cx: &Ctx<'_>, p: u64) -> CdpPolicy {
        let Some(state) = policy(cx.world, p) else {
            return CdpPolicy::default();
        };
        let id = cx.id(KindId::CdpPolicy, p);
        let includes = Includes.children_of(cx.world, p);
        let includes: Vec<u64> = includes.iter().collect();
        CdpPolicy {
            type_: Some("CdpPolicy".into()),
            href: Some(cx.href(&format!("/cdpPolicies/{id}?format=Entity"))),
            uid: Some(cx.uid(KindId::CdpPolicy, p)),
            links: self.links(cx, p, &POLICY_TO_REF),
            cdp_policy_info: Some(CdpPolicyInfo {
                cdp_replica_policy_info: Some(CdpReplicaPolicyInfo {
                    includes: Some(Includes.objects(cx, &includes)),
                    guest_processing_options: Some(GuestProcessingOptions {
                        vss_snapshot_options: None,
                        windows_credentials_id: Some("00000000-0000-0000-0000-000000000000".into()),
                        linux_credentials_id: Some("00000000-0000-0000-0000-000000000000".into()),
                        ..Default::default()
                    }),
                    unknown: Default::default(),
                }),
                unknown: Default::default(),
            }),
            ..state.model.clone()
        }
    }

    fn policies(&self, cx: &Ctx<'_>, items: &[u64]) -> CdpPolicies {
        CdpPolicies {
            cdp_policies: items.iter().map(|&p| self.policy(cx, p)).collect(),
            unknown: Default::default(),
        }
    }
}

impl Kind for Policies {
    fn id(&self) -> KindId {
        KindId::CdpPolicy
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 2] = [
            KindRoute {
                template: "/cdpPolicies",
                form: Form::Collection(None),
            },
            KindRoute {
                template: "/cdpPolicies/{}",
                form: Form::Item,
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::Range(0..w.policies)
    }

    fn exists(&self, w: &World, i: u64) -> bool {
        i < w.policies
    }

    fn reference(&self, cx: &Ctx<'_>, p: u64) -> EntityRef {
        let id = cx.id(KindId::CdpPolicy, p);
        EntityRef {
            type_: "CdpPolicyReference".into(),
            href: cx.href(&format!("/cdpPolicies/{id}")),
            name: policy(cx.world, p).map(PolicyState::name),
            uid: cx.uid(KindId::CdpPolicy, p),
            links: self.links(cx, p, &POLICY_TO_ENTITY),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, p: u64) -> Document {
        Document::CdpPolicy(self.policy(cx, p))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::CdpPolicies(self.policies(cx, items))
    }

    fn query_type(&self) -> Option<&'static str> {
        Some("CdpPolicy")
    }

    fn fields(&self) -> &'static [&'static str] {
        &[
            "uid",
            "name",
            "description",
            "nextrun",
            "scheduleconfigured",
            "scheduleenabled",
            "backupserveruid",
            "backupservername",
        ]
    }

    fn field(&self, w: &World, p: u64, name: &str) -> Option<Value> {
        let state = policy(w, p)?;
        let m = &state.model;
        let text = |t: &Option<Text>| Value::Text(t.as_deref().unwrap_or("").to_owned());
        Some(match name {
            "uid" => Value::Uid(format!(
                "urn:veeam:CdpPolicy:{}",
                w.ids.uuid("CdpPolicy", p)
            )),
            "name" => text(&m.name),
            "description" => text(&m.description),
            "nextrun" => m
                .next_run
                .and_then(|t| t.to_offset_date_time())
                .map_or(Value::Absent, Value::Time),
            "scheduleconfigured" => Value::Bool(m.schedule_configured.unwrap_or(false)),
            "scheduleenabled" => Value::Bool(m.schedule_enabled.unwrap_or(false)),
            "backupserveruid" => server_uid(w, policy_server(p)),
            "backupservername" => Value::Text(server_name(policy_server(p)).into()),
            _ => return None,
        })
    }

    fn query_entities(&self, cx: &Ctx<'_>, items: &[u64]) -> Entities {
        Entities {
            list: Some(veeam_em_model::EntityList::CdpPolicies(
                self.policies(cx, items),
            )),
            ..Default::default()
        }
    }
}

fn server_uid(w: &World, server: u64) -> Value {
    Value::Uid(format!(
        "urn:veeam:BackupServer:{}",
        w.ids.uuid("BackupServer", server)
    ))
}

// ---------------------------------------------------------------------------------------------
// Includes (objects in a policy)

pub(crate) struct Includes;

static INCLUDE_DELETE: LinkSpec = LinkSpec::new(
    "Delete",
    None,
    "/cdpPolicies/{}/includes/{}",
    "DELETE",
    false,
);

impl Includes {
    fn include(w: &World, i: u64) -> Option<&Include> {
        let state = policy(w, i / MAX_INCLUDES)?;
        state.includes.get((i % MAX_INCLUDES) as usize)?.as_ref()
    }

    fn object(&self, cx: &Ctx<'_>, i: u64) -> ObjectInJob {
        let p = i / MAX_INCLUDES;
        let Some(inc) = Self::include(cx.world, i) else {
            return ObjectInJob::default();
        };
        let policy_id = cx.id(KindId::CdpPolicy, p);
        let id = cx.id(KindId::Include, i);
        ObjectInJob {
            type_: Some("ObjectInJob".into()),
            href: Some(cx.href(&format!("/cdpPolicies/{policy_id}/includes/{id}"))),
            links: links([
                up_to_policy(cx, p),
                INCLUDE_DELETE.render(cx, &[&policy_id, &id], None),
            ]),
            object_in_job_id: Some(id.into()),
            hierarchy_obj_ref: Some(inc.hierarchy_ref.clone()),
            name: Some(inc.name.clone()),
            display_name: Some(inc.name.clone()),
            guest_processing_options: Some(GuestProcessingOptions {
                vss_snapshot_options: Some(VssSnapshotOptions {
                    vss_snapshot_mode: Some(inc.vss_mode.clone()),
                    is_copy_only: Some(inc.copy_only),
                    use_persistent_guest_agent: Some(false),
                    ..Default::default()
                }),
                windows_credentials_id: Some(Text::default()),
                linux_credentials_id: Some(Text::default()),
                ..Default::default()
            }),
            unknown: Default::default(),
        }
    }

    fn objects(&self, cx: &Ctx<'_>, items: &[u64]) -> ObjectsInJob {
        ObjectsInJob {
            object_in_jobs: items.iter().map(|&i| self.object(cx, i)).collect(),
            unknown: Default::default(),
        }
    }
}

impl Kind for Includes {
    fn id(&self) -> KindId {
        KindId::Include
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 2] = [
            KindRoute {
                template: "/cdpPolicies/{}/includes",
                form: Form::Collection(Some(KindId::CdpPolicy)),
            },
            KindRoute {
                template: "/cdpPolicies/{}/includes/{}",
                form: Form::Item,
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::List(
            (0..w.policies)
                .flat_map(|p| self.children_of(w, p).iter().collect::<Vec<_>>())
                .collect(),
        )
    }

    fn children_of(&self, w: &World, p: u64) -> IndexSet {
        let Some(state) = policy(w, p) else {
            return IndexSet::List(Vec::new());
        };
        IndexSet::List(
            state
                .includes
                .iter()
                .enumerate()
                .filter(|(_, inc)| inc.is_some())
                .map(|(slot, _)| p * MAX_INCLUDES + slot as u64)
                .collect(),
        )
    }

    fn exists(&self, w: &World, i: u64) -> bool {
        Self::include(w, i).is_some()
    }

    fn parent(&self, _w: &World, i: u64) -> Option<u64> {
        Some(i / MAX_INCLUDES)
    }

    fn reference(&self, cx: &Ctx<'_>, i: u64) -> EntityRef {
        let o = self.object(cx, i);
        EntityRef {
            type_: "ObjectInJob".into(),
            href: o.href.unwrap_or_default(),
            name: o.name,
            uid: cx.uid(KindId::Include, i),
            links: o.links,
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, i: u64) -> Document {
        Document::ObjectInJob(self.object(cx, i))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::ObjectsInJob(self.objects(cx, items))
    }
}

// ---------------------------------------------------------------------------------------------
// Replicas (one per policy)

pub(crate) struct Replicas;

static REPLICA_DOWN: LinkSpec = LinkSpec::new(
    "Down",
    Some("CdpReplicaVms"),
    "/cdpReplicas/{}/vms",
    "GET",
    false,
);
static REPLICA_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpReplica"),
    "/cdpReplicas/{}?format=Entity",
    "GET",
    true,
);
static REPLICA_TO_REF: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpReplicaReference"),
    "/cdpReplicas/{}",
    "GET",
    true,
);

impl Replicas {
    fn links(&self, cx: &Ctx<'_>, p: u64, alternate: &LinkSpec) -> Option<LinkList> {
        let id = cx.id(KindId::CdpReplica, p);
        let name = policy(cx.world, p).map(PolicyState::name);
        let vcloud = policy(cx.world, p).is_some_and(PolicyState::is_vcloud);
        links([
            up_to_server(cx, policy_server(p)),
            up_to_policy(cx, p),
            if vcloud {
                None
            } else {
                REPLICA_DOWN.render(cx, &[&id], None)
            },
            alternate.render(cx, &[&id], name.as_ref()),
        ])
    }

    fn replica(&self, cx: &Ctx<'_>, p: u64) -> CdpReplica {
        let id = cx.id(KindId::CdpReplica, p);
        CdpReplica {
            type_: Some("CdpReplica".into()),
            href: Some(cx.href(&format!("/cdpReplicas/{id}?format=Entity"))),
            name: policy(cx.world, p).map(PolicyState::name),
            uid: Some(cx.uid(KindId::CdpReplica, p)),
            links: self.links(cx, p, &REPLICA_TO_REF),
            backup_server: Some(server_name(policy_server(p)).into()),
            policy_uid: Some(cx.uid(KindId::CdpPolicy, p).as_str().into()),
            policy_name: policy(cx.world, p).map(PolicyState::name),
            unknown: Default::default(),
        }
    }

    fn replicas(&self, cx: &Ctx<'_>, items: &[u64]) -> CdpReplicas {
        CdpReplicas {
            cdp_replicas: items.iter().map(|&p| self.replica(cx, p)).collect(),
            unknown: Default::default(),
        }
    }
}

impl Kind for Replicas {
    fn id(&self) -> KindId {
        KindId::CdpReplica
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 2] = [
            KindRoute {
                template: "/cdpReplicas",
                form: Form::Collection(None),
            },
            KindRoute {
                template: "/cdpReplicas/{}",
                form: Form::Item,
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::Range(0..w.policies)
    }

    fn exists(&self, w: &World, i: u64) -> bool {
        i < w.policies
    }

    fn reference(&self, cx: &Ctx<'_>, p: u64) -> EntityRef {
        let id = cx.id(KindId::CdpReplica, p);
        EntityRef {
            type_: "CdpReplicaReference".into(),
            href: cx.href(&format!("/cdpReplicas/{id}")),
            name: policy(cx.world, p).map(PolicyState::name),
            uid: cx.uid(KindId::CdpReplica, p),
            links: self.links(cx, p, &REPLICA_TO_ENTITY),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, p: u64) -> Document {
        Document::CdpReplica(self.replica(cx, p))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::CdpReplicas(self.replicas(cx, items))
    }

    fn query_type(&self) -> Option<&'static str> {
        Some("CdpReplica")
    }

    fn fields(&self) -> &'static [&'static str] {
        &[
            "uid",
            "name",
            "policyid",
            "policyname",
            "backupserveruid",
            "backupservername",
        ]
    }

    fn field(&self, w: &World, p: u64, name: &str) -> Option<Value> {
        let state = policy(w, p)?;
        Some(match name {
            "uid" => Value::Uid(format!(
                "urn:veeam:CdpReplica:{}",
                w.ids.uuid("CdpReplica", p)
            )),
            "name" | "policyname" => Value::Text(state.name().to_string()),
            "policyid" => Value::Text(w.ids.uuid("CdpPolicy", p).to_string()),
            "backupserveruid" => server_uid(w, policy_server(p)),
            "backupservername" => Value::Text(server_name(policy_server(p)).into()),
            _ => return None,
        })
    }

    fn query_entities(&self, cx: &Ctx<'_>, items: &[u64]) -> Entities {
        Entities {
            list: Some(veeam_em_model::EntityList::CdpReplicas(
                self.replicas(cx, items),
            )),
            ..Default::default()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// VMs of replicas (VMware policies: one per include)

pub(crate) struct ReplicaVms;

static VM_LINKS: [LinkSpec; 2] = [
    LinkSpec::new(
        "Intervals",
        None,
        "/cdpReplicas/{}/vms/{}?action=intervals",
        "POST",
        false,
    ),
    LinkSpec::new(
        "Failover",
        None,
        "/cdpReplicas/{}/vms/{}?action=failover",
        "POST",
        false,
    ),
];
static VM_UP_TO_REPLICA: LinkSpec = LinkSpec::new(
    "Up",
    Some("CdpReplicaReference"),
    "/cdpReplicas/{}",
    "GET",
    true,
);
static VM_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpReplicaVm"),
    "/cdpReplicas/{}/vms/{}?format=Entity",
    "GET",
    true,
);

impl ReplicaVms {
    fn links(&self, cx: &Ctx<'_>, i: u64, alternate: bool) -> Option<LinkList> {
        let p = i / MAX_INCLUDES;
        let replica = cx.id(KindId::CdpReplica, p);
        let id = cx.id(KindId::VmCdpReplica, i);
        let name = Includes::include(cx.world, i).map(|inc| inc.name.clone());
        let policy_name = policy(cx.world, p).map(PolicyState::name);
        let mut out: Vec<Option<Link>> = VM_LINKS
            .iter()
            .map(|l| l.render(cx, &[&replica, &id], None))
            .collect();
        out.push(up_to_server(cx, policy_server(p)));
        out.push(up_to_policy(cx, p));
        out.push(VM_UP_TO_REPLICA.render(cx, &[&replica], policy_name.as_ref()));
        if alternate {
            out.push(VM_TO_ENTITY.render(cx, &[&replica, &id], name.as_ref()));
        }
        links(out)
    }

    fn vm(&self, cx: &Ctx<'_>, i: u64) -> VmCdpReplica {
        let p = i / MAX_INCLUDES;
        let replica = cx.id(KindId::CdpReplica, p);
        let id = cx.id(KindId::VmCdpReplica, i);
        let inc = Includes::include(cx.world, i);
        VmCdpReplica {
            type_: Some("CdpReplicaVm".into()),
            href: Some(cx.href(&format!("/cdpReplicas/{replica}/vms/{id}?format=Entity"))),
            name: inc.map(|inc| inc.name.clone()),
            uid: Some(cx.uid(KindId::VmCdpReplica, i)),
            links: self.links(cx, i, false),
            vm_ref: inc.map(|inc| inc.hierarchy_ref.clone()),
            replica_uid: Some(cx.uid(KindId::CdpReplica, p).as_str().into()),
            backup_server: Some(server_name(policy_server(p)).into()),
            policy_uid: Some(cx.uid(KindId::CdpPolicy, p).as_str().into()),
            policy_name: policy(cx.world, p).map(PolicyState::name),
            repository_name: Some(super::infra::repository_name(policy_server(p) * 3).into()),
            unknown: Default::default(),
        }
    }
}

impl Kind for ReplicaVms {
    fn id(&self) -> KindId {
        KindId::VmCdpReplica
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 2] = [
            KindRoute {
                template: "/cdpReplicas/{}/vms",
                form: Form::Collection(Some(KindId::CdpReplica)),
            },
            KindRoute {
                template: "/cdpReplicas/{}/vms/{}",
                form: Form::Item,
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::List(
            (0..w.policies)
                .flat_map(|p| self.children_of(w, p).iter().collect::<Vec<_>>())
                .collect(),
        )
    }

    fn children_of(&self, w: &World, p: u64) -> IndexSet {
        if policy(w, p).is_none_or(PolicyState::is_vcloud) {
            return IndexSet::List(Vec::new());
        }
        Includes.children_of(w, p)
    }

    fn exists(&self, w: &World, i: u64) -> bool {
        policy(w, i / MAX_INCLUDES).is_some_and(|s| !s.is_vcloud()) && Includes.exists(w, i)
    }

    fn parent(&self, _w: &World, i: u64) -> Option<u64> {
        Some(i / MAX_INCLUDES)
    }

    fn reference(&self, cx: &Ctx<'_>, i: u64) -> EntityRef {
        let p = i / MAX_INCLUDES;
        let replica = cx.id(KindId::CdpReplica, p);
        let id = cx.id(KindId::VmCdpReplica, i);
        EntityRef {
            type_: "CdpReplicaVmReference".into(),
            href: cx.href(&format!("/cdpReplicas/{replica}/vms/{id}")),
            name: Includes::include(cx.world, i).map(|inc| inc.name.clone()),
            uid: cx.uid(KindId::VmCdpReplica, i),
            links: self.links(cx, i, true),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, i: u64) -> Document {
        // Servers send this entity under the root `CdpReplicaVm` (a quirk the client accepts).
        Document::CdpReplicaVm(self.vm(cx, i))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::VmCdpReplicas(VmCdpReplicas {
            vm_cdp_replicas: items.iter().map(|&i| self.vm(cx, i)).collect(),
            unknown: Default::default(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// vApps of replicas (vCloud policies: one per include) and their VMs

pub(crate) struct VAppReplicas;

static VAPP_LINKS: [LinkSpec; 3] = [
    LinkSpec::new(
        "Down",
        Some("VAppCdpReplicaVms"),
        "/cdpReplica/vApps/{}/vms",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Intervals",
        None,
        "/cdpReplica/vApps/{}?action=intervals",
        "POST",
        false,
    ),
    LinkSpec::new(
        "Failover",
        None,
        "/cdpReplica/vApps/{}?action=failover",
        "POST",
        false,
    ),
];
static VAPP_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("VAppCdpReplica"),
    "/cdpReplica/vApps/{}?format=Entity",
    "GET",
    true,
);
static VAPP_TO_REF: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("VAppCdpReplicaReference"),
    "/cdpReplica/vApps/{}",
    "GET",
    true,
);

impl VAppReplicas {
    fn links(&self, cx: &Ctx<'_>, i: u64, alternate: &LinkSpec) -> Option<LinkList> {
        let p = i / MAX_INCLUDES;
        let id = cx.id(KindId::VAppCdpReplica, i);
        let name = Includes::include(cx.world, i).map(|inc| inc.name.clone());
        let mut out = vec![
            up_to_server(cx, policy_server(p)),
            alternate.render(cx, &[&id], name.as_ref()),
        ];
        out.extend(VAPP_LINKS.iter().map(|l| l.render(cx, &[&id], None)));
        out.push(up_to_policy(cx, p));
        links(out)
    }

    fn vapp(&self, cx: &Ctx<'_>, i: u64) -> VAppCdpReplica {
        let p = i / MAX_INCLUDES;
        let id = cx.id(KindId::VAppCdpReplica, i);
        let inc = Includes::include(cx.world, i);
        VAppCdpReplica {
            type_: Some("VAppCdpReplica".into()),
            href: Some(cx.href(&format!("/cdpReplica/vApps/{id}?format=Entity"))),
            name: inc.map(|inc| inc.name.clone()),
            uid: Some(cx.uid(KindId::VAppCdpReplica, i)),
            links: self.links(cx, i, &VAPP_TO_REF),
            v_app_ref: inc.map(|inc| inc.hierarchy_ref.clone()),
            replica_uid: Some(cx.uid(KindId::CdpReplica, p).as_str().into()),
            backup_server: Some(server_name(policy_server(p)).into()),
            policy_uid: Some(cx.uid(KindId::CdpPolicy, p).as_str().into()),
            policy_name: policy(cx.world, p).map(PolicyState::name),
            unknown: Default::default(),
        }
    }
}

impl Kind for VAppReplicas {
    fn id(&self) -> KindId {
        KindId::VAppCdpReplica
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 2] = [
            KindRoute {
                template: "/cdpReplica/vApps",
                form: Form::Collection(None),
            },
            KindRoute {
                template: "/cdpReplica/vApps/{}",
                form: Form::Item,
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::List(
            (0..w.policies)
                .filter(|&p| policy(w, p).is_some_and(PolicyState::is_vcloud))
                .flat_map(|p| Includes.children_of(w, p).iter().collect::<Vec<_>>())
                .collect(),
        )
    }

    fn exists(&self, w: &World, i: u64) -> bool {
        policy(w, i / MAX_INCLUDES).is_some_and(PolicyState::is_vcloud) && Includes.exists(w, i)
    }

    fn reference(&self, cx: &Ctx<'_>, i: u64) -> EntityRef {
        let id = cx.id(KindId::VAppCdpReplica, i);
        EntityRef {
            type_: "VAppCdpReplicaReference".into(),
            href: cx.href(&format!("/cdpReplica/vApps/{id}")),
            name: Includes::include(cx.world, i).map(|inc| inc.name.clone()),
            uid: cx.uid(KindId::VAppCdpReplica, i),
            links: self.links(cx, i, &VAPP_TO_ENTITY),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, i: u64) -> Document {
        Document::VAppCdpReplica(self.vapp(cx, i))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::VAppCdpReplicas(self.vapps(cx, items))
    }

    fn query_entities(&self, cx: &Ctx<'_>, items: &[u64]) -> Entities {
        Entities {
            list: Some(veeam_em_model::EntityList::VAppCdpReplicas(
                self.vapps(cx, items),
            )),
            ..Default::default()
        }
    }
}

impl VAppReplicas {
    fn vapps(&self, cx: &Ctx<'_>, items: &[u64]) -> VAppCdpReplicas {
        VAppCdpReplicas {
            v_app_cdp_replicas: items.iter().map(|&i| self.vapp(cx, i)).collect(),
            unknown: Default::default(),
        }
    }
}

pub(crate) struct VAppReplicaVms;

static VAPP_VM_UP: LinkSpec = LinkSpec::new(
    "Up",
    Some("VAppCdpReplicaReference"),
    "/cdpReplica/vApps/{}",
    "GET",
    true,
);
static VAPP_VM_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("VAppCdpReplicaVm"),
    "/cdpReplica/vApps/{}/vms/{}?format=Entity",
    "GET",
    true,
);
static VAPP_VM_TO_REF: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("VAppCdpReplicaVmReference"),
    "/cdpReplica/vApps/{}/vms/{}",
    "GET",
    true,
);

impl VAppReplicaVms {
    fn name(&self, w: &World, i: u64) -> Text {
        let vapp = i / VMS_PER_VAPP;
        let vapp_name = Includes::include(w, vapp)
            .map(|inc| inc.name.clone())
            .unwrap_or_default();
        format!("{vapp_name}-vm{:02}", i % VMS_PER_VAPP + 1).into()
    }

    fn links(&self, cx: &Ctx<'_>, i: u64, alternate: &LinkSpec) -> Option<LinkList> {
        let vapp = i / VMS_PER_VAPP;
        let p = vapp / MAX_INCLUDES;
        let vapp_id = cx.id(KindId::VAppCdpReplica, vapp);
        let id = cx.id(KindId::VAppCdpReplicaVm, i);
        let vapp_name = Includes::include(cx.world, vapp).map(|inc| inc.name.clone());
        links([
            up_to_server(cx, policy_server(p)),
            alternate.render(cx, &[&vapp_id, &id], Some(&self.name(cx.world, i))),
            VAPP_VM_UP.render(cx, &[&vapp_id], vapp_name.as_ref()),
            up_to_policy(cx, p),
        ])
    }

    fn vm(&self, cx: &Ctx<'_>, i: u64) -> VAppCdpReplicaVm {
        let vapp = i / VMS_PER_VAPP;
        let p = vapp / MAX_INCLUDES;
        let vapp_id = cx.id(KindId::VAppCdpReplica, vapp);
        let id = cx.id(KindId::VAppCdpReplicaVm, i);
        VAppCdpReplicaVm {
            type_: Some("VAppCdpReplicaVm".into()),
            href: Some(cx.href(&format!(
                "/cdpReplica/vApps/{vapp_id}/vms/{id}?format=Entity"
            ))),
            name: Some(self.name(cx.world, i)),
            uid: Some(cx.uid(KindId::VAppCdpReplicaVm, i)),
            links: self.links(cx, i, &VAPP_VM_TO_REF),
            replica_uid: Some(cx.uid(KindId::CdpReplica, p).as_str().into()),
            vm_ref: Some(
                format!(
                    "urn:VMware:Vm:{}.vm-{}",
                    guid(cx.world, 38, p % 3),
                    2000 + cx.world.hash(40, i) % 9000
                )
                .into(),
            ),
            unknown: Default::default(),
        }
    }
}

impl Kind for VAppReplicaVms {
    fn id(&self) -> KindId {
        KindId::VAppCdpReplicaVm
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 2] = [
            KindRoute {
                template: "/cdpReplica/vApps/{}/vms",
                form: Form::Collection(Some(KindId::VAppCdpReplica)),
            },
            KindRoute {
                template: "/cdpReplica/vApps/{}/vms/{}",
                form: Form::Item,
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::List(
            VAppReplicas
                .all(w)
                .iter()
                .flat_map(|vapp| vapp * VMS_PER_VAPP..(vapp + 1) * VMS_PER_VAPP)
                .collect(),
        )
    }

    fn children_of(&self, w: &World, vapp: u64) -> IndexSet {
        if !VAppReplicas.exists(w, vapp) {
            return IndexSet::List(Vec::new());
        }
        IndexSet::Range(vapp * VMS_PER_VAPP..(vapp + 1) * VMS_PER_VAPP)
    }

    fn exists(&self, w: &World, i: u64) -> bool {
        VAppReplicas.exists(w, i / VMS_PER_VAPP)
    }

    fn parent(&self, _w: &World, i: u64) -> Option<u64> {
        Some(i / VMS_PER_VAPP)
    }

    fn reference(&self, cx: &Ctx<'_>, i: u64) -> EntityRef {
        let vapp_id = cx.id(KindId::VAppCdpReplica, i / VMS_PER_VAPP);
        let id = cx.id(KindId::VAppCdpReplicaVm, i);
        EntityRef {
            type_: "VAppCdpReplicaVmReference".into(),
            href: cx.href(&format!("/cdpReplica/vApps/{vapp_id}/vms/{id}")),
            name: Some(self.name(cx.world, i)),
            uid: cx.uid(KindId::VAppCdpReplicaVm, i),
            links: self.links(cx, i, &VAPP_VM_TO_ENTITY),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, i: u64) -> Document {
        Document::VAppCdpReplicaVm(self.vm(cx, i))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::VAppCdpReplicaVms(VAppCdpReplicaVms {
            v_app_cdp_replica_vms: items.iter().map(|&i| self.vm(cx, i)).collect(),
            unknown: Default::default(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Replication sessions (`sessions_per_policy` per policy, the newest one still working)

pub(crate) struct Sessions;

static SESSION_DOWN: LinkSpec = LinkSpec::new(
    "Down",
    Some("CdpReplicaTaskSessionReferenceList"),
    "/cdpReplicaSessions/{}/cdpReplicaTaskSessions",
    "GET",
    false,
);
static SESSION_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpReplicaSession"),
    "/cdpReplicaSessions/{}?format=Entity",
    "GET",
    true,
);
static SESSION_TO_REF: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpReplicaSessionReference"),
    "/cdpReplicaSessions/{}",
    "GET",
    true,
);

/// What a finished session ended with.
fn session_result(w: &World, s: u64) -> SessionResult {
    match w.hash(50, s) % 100 {
        0..80 => SessionResult::Success,
        80..92 => SessionResult::Warning,
        _ => SessionResult::Failed,
    }
}

impl Sessions {
    /// `(policy, position)` of session `s`; position `sessions_per_policy - 1` is the newest.
    fn split(w: &World, s: u64) -> (u64, u64) {
        let per = w.sessions_per_policy.max(1);
        (s / per, s % per)
    }

    fn is_newest(w: &World, s: u64) -> bool {
        Self::split(w, s).1 + 1 == w.sessions_per_policy
    }

    fn creation(w: &World, s: u64) -> OffsetDateTime {
        let (p, k) = Self::split(w, s);
        let days_back = (w.sessions_per_policy - 1 - k) as i64;
        w.epoch - Duration::days(days_back) - Duration::minutes((p % 60) as i64 * 7)
            + Duration::milliseconds((w.hash(52, s) % 60_000) as i64)
    }

    fn end(w: &World, s: u64) -> Option<OffsetDateTime> {
        (!Self::is_newest(w, s)).then(|| Self::creation(w, s + 1))
    }

    fn name(w: &World, s: u64) -> String {
        let (p, _) = Self::split(w, s);
        let policy_name = policy(w, p).map(PolicyState::name).unwrap_or_default();
        format!("{policy_name}@{}", time_text(Self::creation(w, s)))
    }

    fn state(w: &World, s: u64) -> SessionState {
        if Self::is_newest(w, s) {
            SessionState::Working
        } else {
            SessionState::Stopped
        }
    }

    fn result(w: &World, s: u64) -> SessionResult {
        if Self::is_newest(w, s) {
            SessionResult::None
        } else {
            session_result(w, s)
        }
    }

    fn failure_message(w: &World, s: u64) -> String {
        let (p, _) = Self::split(w, s);
        match Self::result(w, s) {
            SessionResult::Failed => format!(
                "Processing {} Error: Failed to connect to the target host",
                vm_name(w, p, 0)
            ),
            SessionResult::Warning => {
                "RPO SLA breached: 2 of 96 intervals were longer than the RPO".to_owned()
            }
            _ => String::new(),
        }
    }

    fn links(&self, cx: &Ctx<'_>, s: u64, alternate: &LinkSpec, name: &Text) -> Option<LinkList> {
        let (p, _) = Self::split(cx.world, s);
        let id = cx.id(KindId::CdpReplicaSession, s);
        links([
            up_to_server(cx, policy_server(p)),
            up_to_policy(cx, p),
            alternate.render(cx, &[&id], Some(name)),
            SESSION_DOWN.render(cx, &[&id], None),
        ])
    }

    fn session(&self, cx: &Ctx<'_>, s: u64) -> CdpReplicaSession {
        let w = cx.world;
        let (p, _) = Self::split(w, s);
        let id = cx.id(KindId::CdpReplicaSession, s);
        let name = Text::from(Self::name(w, s));
        CdpReplicaSession {
            type_: Some("CdpReplicaSession".into()),
            href: Some(cx.href(&format!("/cdpReplicaSessions/{id}?format=Entity"))),
            links: self.links(cx, s, &SESSION_TO_REF, &name),
            name: Some(name),
            uid: Some(cx.uid(KindId::CdpReplicaSession, s)),
            policy_uid: Some(cx.uid(KindId::CdpPolicy, p)),
            policy_name: policy(w, p).map(PolicyState::name),
            policy_type: Some(CdpPolicyKind::CdpReplica),
            creation_time_utc: Some(Self::creation(w, s).into()),
            end_time_utc: Self::end(w, s).map(DateTime::from),
            state: Some(Self::state(w, s)),
            result: Some(Self::result(w, s)),
            progress: Some(if Self::is_newest(w, s) { 0 } else { 100 }),
            failure_message: Some(Self::failure_message(w, s).into()),
            is_retry: Some(false),
            unknown: Default::default(),
        }
    }

    fn sessions(&self, cx: &Ctx<'_>, items: &[u64], policy_item: bool) -> CdpReplicaSessions {
        CdpReplicaSessions {
            cdp_replica_session_items: items
                .iter()
                .map(|&s| {
                    let session = self.session(cx, s);
                    if policy_item {
                        CdpReplicaSessionItem::CdpPolicySession(session)
                    } else {
                        CdpReplicaSessionItem::CdpReplicaSession(session)
                    }
                })
                .collect(),
            unknown: Default::default(),
        }
    }
}

fn session_uid(w: &World, s: u64) -> Value {
    Value::Uid(format!(
        "urn:veeam:CdpReplicaSession:{}",
        w.ids.uuid("CdpReplicaSession", s)
    ))
}

impl Kind for Sessions {
    fn id(&self) -> KindId {
        KindId::CdpReplicaSession
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 3] = [
            KindRoute {
                template: "/cdpReplicaSessions",
                form: Form::Collection(None),
            },
            KindRoute {
                template: "/cdpReplicaSessions/{}",
                form: Form::Item,
            },
            KindRoute {
                template: "/cdpPolicies/{}/cdpReplicaSessions",
                form: Form::Collection(Some(KindId::CdpPolicy)),
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::Range(0..w.policies * w.sessions_per_policy)
    }

    fn children_of(&self, w: &World, p: u64) -> IndexSet {
        if p >= w.policies {
            return IndexSet::List(Vec::new());
        }
        IndexSet::Range(p * w.sessions_per_policy..(p + 1) * w.sessions_per_policy)
    }

    fn exists(&self, w: &World, s: u64) -> bool {
        s < w.policies * w.sessions_per_policy
    }

    fn reference(&self, cx: &Ctx<'_>, s: u64) -> EntityRef {
        let id = cx.id(KindId::CdpReplicaSession, s);
        let name = Text::from(Self::name(cx.world, s));
        EntityRef {
            type_: "CdpReplicaSessionReference".into(),
            href: cx.href(&format!("/cdpReplicaSessions/{id}")),
            links: self.links(cx, s, &SESSION_TO_ENTITY, &name),
            name: Some(name),
            uid: cx.uid(KindId::CdpReplicaSession, s),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, s: u64) -> Document {
        Document::CdpReplicaSession(self.session(cx, s))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::CdpReplicaSessions(self.sessions(cx, items, false))
    }

    fn query_type(&self) -> Option<&'static str> {
        Some("CdpReplicaSession")
    }

    fn fields(&self) -> &'static [&'static str] {
        &[
            "id",
            "uid",
            "name",
            "policyuid",
            "policyname",
            "backupserveruid",
            "backupservername",
            "creationtimeutc",
            "endtimeutc",
            "state",
            "result",
            "failuremessage",
        ]
    }

    fn field(&self, w: &World, s: u64, name: &str) -> Option<Value> {
        let (p, _) = Self::split(w, s);
        Some(match name {
            "id" | "uid" => session_uid(w, s),
            "name" => Value::Text(Self::name(w, s)),
            "policyuid" => Value::Uid(format!(
                "urn:veeam:CdpPolicy:{}",
                w.ids.uuid("CdpPolicy", p)
            )),
            "policyname" => Value::Text(policy(w, p).map(PolicyState::name)?.to_string()),
            "backupserveruid" => server_uid(w, policy_server(p)),
            "backupservername" => Value::Text(server_name(policy_server(p)).into()),
            "creationtimeutc" => Value::Time(Self::creation(w, s)),
            "endtimeutc" => Self::end(w, s).map_or(Value::Absent, Value::Time),
            "state" => enum_value(Self::state(w, s).as_str(), SessionState::KNOWN),
            "result" => enum_value(Self::result(w, s).as_str(), SessionResult::KNOWN),
            "failuremessage" => Value::Text(Self::failure_message(w, s)),
            _ => return None,
        })
    }

    fn query_entities(&self, cx: &Ctx<'_>, items: &[u64]) -> Entities {
        // Query results name the items `CdpPolicySession`, as the reference example shows.
        Entities {
            list: Some(veeam_em_model::EntityList::CdpReplicaSessions(
                self.sessions(cx, items, true),
            )),
            ..Default::default()
        }
    }
}

/// An enumerated value, with its rank among `known` for ordering.
fn enum_value(text: &str, known: &'static [&'static str]) -> Value {
    let text = known.iter().copied().find(|k| *k == text).unwrap_or("");
    Value::Enum { text, known }
}

// ---------------------------------------------------------------------------------------------
// Task sessions (`tasks_per_session` per session, one per VM)

pub(crate) struct TaskSessions;

static TASK_UP_TO_SESSION: LinkSpec = LinkSpec::new(
    "Up",
    Some("CdpReplicaSessionReference"),
    "/cdpReplicaSessions/{}",
    "GET",
    true,
);
static TASK_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpReplicaTaskSession"),
    "/cdpReplicaTaskSessions/{}?format=Entity",
    "GET",
    true,
);
static TASK_TO_REF: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("CdpReplicaTaskSessionReference"),
    "/cdpReplicaTaskSessions/{}",
    "GET",
    true,
);

impl TaskSessions {
    /// `(session, position)` of task session `t`.
    fn split(w: &World, t: u64) -> (u64, u64) {
        let per = w.tasks_per_session.max(1);
        (t / per, t % per)
    }

    fn vm(w: &World, t: u64) -> String {
        let (s, k) = Self::split(w, t);
        vm_name(w, Sessions::split(w, s).0, k)
    }

    fn creation(w: &World, t: u64) -> OffsetDateTime {
        let (s, k) = Self::split(w, t);
        Sessions::creation(w, s)
            + Duration::seconds(k as i64 * 2)
            + Duration::milliseconds((w.hash(60, t) % 1000) as i64)
    }

    fn name(w: &World, t: u64) -> String {
        format!("{}@{}", Self::vm(w, t), time_text(Self::creation(w, t)))
    }

    fn state(w: &World, t: u64) -> TaskSessionState {
        if Sessions::is_newest(w, Self::split(w, t).0) {
            TaskSessionState::InProgress
        } else {
            TaskSessionState::Completed
        }
    }

    fn result(w: &World, t: u64) -> SessionResult {
        let (s, k) = Self::split(w, t);
        match Sessions::result(w, s) {
            r @ (SessionResult::Failed | SessionResult::Warning) if k == 0 => r,
            _ => SessionResult::Success,
        }
    }

    fn reason(w: &World, t: u64) -> Option<String> {
        match Self::result(w, t) {
            SessionResult::Failed => Some("Failed to connect to the target host".into()),
            SessionResult::Warning => Some("Interval longer than the RPO".into()),
            _ => None,
        }
    }

    fn total_size(w: &World, t: u64) -> i64 {
        ((8 + w.hash(62, t) % 120) << 30) as i64
    }

    fn links(&self, cx: &Ctx<'_>, t: u64, alternate: &LinkSpec, name: &Text) -> Option<LinkList> {
        let (s, _) = Self::split(cx.world, t);
        let (p, _) = Sessions::split(cx.world, s);
        let id = cx.id(KindId::CdpReplicaTaskSession, t);
        let session_name = Text::from(Sessions::name(cx.world, s));
        links([
            up_to_server(cx, policy_server(p)),
            TASK_UP_TO_SESSION.render(
                cx,
                &[&cx.id(KindId::CdpReplicaSession, s)],
                Some(&session_name),
            ),
            alternate.render(cx, &[&id], Some(name)),
        ])
    }

    fn task(&self, cx: &Ctx<'_>, t: u64) -> CdpReplicaTaskSession {
        let w = cx.world;
        let (s, _) = Self::split(w, t);
        let id = cx.id(KindId::CdpReplicaTaskSession, t);
        let name = Text::from(Self::name(w, t));
        CdpReplicaTaskSession {
            type_: Some("CdpReplicaTaskSession".into()),
            // Servers may write this href with `/replicaTaskSessions/` (a quirk the model
            // reads); that is the sessions family's address, so the simulator writes its own.
            href: Some(cx.href(&format!("/cdpReplicaTaskSessions/{id}?format=Entity"))),
            links: self.links(cx, t, &TASK_TO_REF, &name),
            name: Some(name),
            uid: Some(cx.uid(KindId::CdpReplicaTaskSession, t)),
            vm_display_name: Some(Self::vm(w, t).into()),
            policy_session_uid: Some(cx.uid(KindId::CdpReplicaSession, s)),
            creation_time_utc: Some(Self::creation(w, t).into()),
            end_time_utc: Sessions::end(w, s).map(DateTime::from),
            state: Some(Self::state(w, t)),
            result: Some(Self::result(w, t)),
            reason: Self::reason(w, t).map(Text::from),
            total_size: Some(Self::total_size(w, t)),
            unknown: Default::default(),
        }
    }

    fn tasks(&self, cx: &Ctx<'_>, items: &[u64]) -> CdpReplicaTaskSessions {
        CdpReplicaTaskSessions {
            cdp_replica_task_sessions: items.iter().map(|&t| self.task(cx, t)).collect(),
            unknown: Default::default(),
        }
    }
}

impl Kind for TaskSessions {
    fn id(&self) -> KindId {
        KindId::CdpReplicaTaskSession
    }

    fn routes(&self) -> &'static [KindRoute] {
        static ROUTES: [KindRoute; 3] = [
            KindRoute {
                template: "/cdpReplicaTaskSessions",
                form: Form::Collection(None),
            },
            KindRoute {
                template: "/cdpReplicaTaskSessions/{}",
                form: Form::Item,
            },
            KindRoute {
                template: "/cdpReplicaSessions/{}/cdpReplicaTaskSessions",
                form: Form::Collection(Some(KindId::CdpReplicaSession)),
            },
        ];
        &ROUTES
    }

    fn all(&self, w: &World) -> IndexSet {
        IndexSet::Range(0..w.policies * w.sessions_per_policy * w.tasks_per_session)
    }

    fn children_of(&self, w: &World, s: u64) -> IndexSet {
        if !Sessions.exists(w, s) {
            return IndexSet::List(Vec::new());
        }
        IndexSet::Range(s * w.tasks_per_session..(s + 1) * w.tasks_per_session)
    }

    fn exists(&self, w: &World, t: u64) -> bool {
        t < w.policies * w.sessions_per_policy * w.tasks_per_session
    }

    fn reference(&self, cx: &Ctx<'_>, t: u64) -> EntityRef {
        let id = cx.id(KindId::CdpReplicaTaskSession, t);
        let name = Text::from(Self::name(cx.world, t));
        EntityRef {
            type_: "CdpReplicaTaskSessionReference".into(),
            href: cx.href(&format!("/cdpReplicaTaskSessions/{id}")),
            links: self.links(cx, t, &TASK_TO_ENTITY, &name),
            name: Some(name),
            uid: cx.uid(KindId::CdpReplicaTaskSession, t),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, t: u64) -> Document {
        Document::CdpReplicaTaskSession(self.task(cx, t))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::CdpReplicaTaskSessions(self.tasks(cx, items))
    }

    fn query_type(&self) -> Option<&'static str> {
        Some("CdpReplicaTaskSession")
    }

    fn fields(&self) -> &'static [&'static str] {
        &[
            "id",
            "uid",
            "name",
            "policysessionuid",
            "policysessionname",
            "backupserveruid",
            "backupservername",
            "creationtimeutc",
            "endtimeutc",
            "state",
            "result",
            "reason",
            "totalsize",
            "vmdisplayname",
        ]
    }

    fn field(&self, w: &World, t: u64, name: &str) -> Option<Value> {
        let (s, _) = Self::split(w, t);
        let (p, _) = Sessions::split(w, s);
        Some(match name {
            "id" | "uid" => Value::Uid(format!(
                "urn:veeam:CdpReplicaTaskSession:{}",
                w.ids.uuid("CdpReplicaTaskSession", t)
            )),
            "name" => Value::Text(Self::name(w, t)),
            "policysessionuid" => session_uid(w, s),
            "policysessionname" => Value::Text(Sessions::name(w, s)),
            "backupserveruid" => server_uid(w, policy_server(p)),
            "backupservername" => Value::Text(server_name(policy_server(p)).into()),
            "creationtimeutc" => Value::Time(Self::creation(w, t)),
            "endtimeutc" => Sessions::end(w, s).map_or(Value::Absent, Value::Time),
            "state" => enum_value(Self::state(w, t).as_str(), TaskSessionState::KNOWN),
            "result" => enum_value(Self::result(w, t).as_str(), SessionResult::KNOWN),
            "reason" => Value::Text(Self::reason(w, t).unwrap_or_default()),
            "totalsize" => Value::Int(Self::total_size(w, t)),
            "vmdisplayname" => Value::Text(Self::vm(w, t)),
            _ => return None,
        })
    }

    fn query_entities(&self, cx: &Ctx<'_>, items: &[u64]) -> Entities {
        Entities {
            list: Some(veeam_em_model::EntityList::CdpReplicaTaskSessions(
                self.tasks(cx, items),
            )),
            ..Default::default()
        }
    }
}
