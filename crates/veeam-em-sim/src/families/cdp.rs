//! The CDP family: policies, their replicas (a VM replica per included VM, or a vApp replica
//! per included vApp for Cloud Director policies, with the vApp's VMs), and the seeded history
//! of replication sessions and task sessions: a million task sessions cost nothing until asked
//! for, and a page of a thousand is written typed, without going through XML.
//!
//! Time: a policy runs one replication session a day, at its own minute; the session of the
//! current day is still working, the ones before it ended when the next began. The history is
//! `sessions_per_policy` days long and ends at the world's present, so with `--live` a new
//! session appears each day. Session `s` of policy `p` on day `n` (days since 1970) has index
//! `p * RING + n`, its task sessions `s * tasks_per_session + k`.
//!
//! Shapes and value forms follow the reference's examples: a session is named
//! `<policy>@<start time>`, a VM replica entity's root is `<CdpReplicaVm>`, and query results list
//! sessions as `<CdpPolicySession>` items.

use time::{Duration, OffsetDateTime};
use veeam_em_api::{Entry, Route};
use veeam_em_model::{
    CdpIntervalKind, CdpPolicies, CdpPolicy, CdpPolicyInfo, CdpPolicyKind, CdpReplica,
    CdpReplicaInterval, CdpReplicaIntervalList, CdpReplicaIntervals, CdpReplicaIntervalsSpec,
    CdpReplicaPolicyInfo, CdpReplicaPolicyScheduleOptions, CdpReplicaRestorePoint,
    CdpReplicaRestorePointList, CdpReplicaRpoReportingFailedOptions,
    CdpReplicaRpoReportingWarningOptions, CdpReplicaSession, CdpReplicaSessionItem,
    CdpReplicaSessions, CdpReplicaTaskSession, CdpReplicaTaskSessions, CdpReplicas, DateTime,
    Document, Entities, GuestProcessingOptions, LinkList, LongTermRetentionSchedule, ObjectsInJob,
    Platform, PolicyScheduleOptionsInfo, RpoReporting, RpoSchedule, SessionResult, SessionState,
    TaskSessionState, Text, VAppCdpReplica, VAppCdpReplicaVm, VAppCdpReplicaVms, VAppCdpReplicas,
    VmCdpReplica, VmCdpReplicas,
};

use crate::config::SimConfig;
use crate::errors::Failure;
use crate::family::Family;
use crate::registry::{KindId, Obj};
use crate::render::documents;
use crate::render::links::{self, Form};
use crate::world::{IndexSet, Value, World};

/// Days a policy's session index can span (`p * RING + day`).
const RING: u64 = 1 << 20;
/// VMs of each vApp of a Cloud Director policy.
const VMS_PER_VAPP: u64 = 2;
const DAY: i64 = 86_400;

const POLICY: &str = "CdpPolicy";
const INCLUDE: &str = "/cdpPolicies/{}/includes/{}";
const REPLICA: &str = "CdpReplica";
const VM: &str = "CdpReplicaVm";
const VAPP: &str = "VAppCdpReplica";
const VAPP_VM: &str = "VAppCdpReplicaVm";
const SESSION: &str = "CdpReplicaSession";
const TASK: &str = "CdpReplicaTaskSession";

/// The CDP family.
#[derive(Debug)]
pub(crate) struct Cdp {
    policies: u64,
    sessions: u64,
    tasks: u64,
    k: Kinds,
}

impl Cdp {
    pub fn new(config: &SimConfig) -> Self {
        Self {
            policies: u64::from(config.policies),
            sessions: u64::from(config.sessions_per_policy).max(1),
            tasks: u64::from(config.tasks_per_session).max(1),
            k: kinds(),
        }
    }
}

/// The kinds of this family, looked up once.
#[derive(Debug)]
struct Kinds {
    policy: KindId,
    include: KindId,
    replica: KindId,
    vm: KindId,
    vapp: KindId,
    vapp_vm: KindId,
    session: KindId,
    task: KindId,
    server: KindId,
}

fn kinds() -> Kinds {
    let reg = crate::registry::registry();
    let named = |n: &str| {
        reg.named(n)
            .expect("the CDP family's kinds are in the catalogue")
    };
    Kinds {
        policy: named(POLICY),
        include: reg.at(INCLUDE).expect("CDP includes are in the catalogue"),
        replica: named(REPLICA),
        vm: named(VM),
        vapp: named(VAPP),
        vapp_vm: named(VAPP_VM),
        session: named(SESSION),
        task: named(TASK),
        server: named("BackupServer"),
    }
}

fn is_vcloud(p: u64) -> bool {
    p % 4 == 3
}

fn policy_name(p: u64) -> String {
    if is_vcloud(p) {
        format!("CDP Policy Cloud Director {}", p + 1)
    } else {
        format!("CDP Policy {}", p + 1)
    }
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

impl Cdp {
    /// The minute of the day policy `p`'s session starts at.
    fn offset(p: u64) -> i64 {
        (p % 60) as i64 * 7 * 60
    }

    /// The day (since 1970) whose session of policy `p` is running at `now`.
    fn today(p: u64, now: OffsetDateTime) -> u64 {
        u64::try_from((now.unix_timestamp() - Self::offset(p)).div_euclid(DAY)).unwrap_or(0)
    }

    /// The days of policy `p`'s sessions, oldest first.
    fn days(&self, p: u64, now: OffsetDateTime) -> std::ops::Range<u64> {
        let last = Self::today(p, now);
        last + 1 - self.sessions.min(last + 1)..last + 1
    }

    fn split(s: u64) -> (u64, u64) {
        (s / RING, s % RING)
    }

    fn creation(w: &dyn World, s: u64) -> OffsetDateTime {
        let (p, day) = Self::split(s);
        let ms = (day as i64 * DAY + Self::offset(p)) * 1000 + (w.hash(52, s) % 60_000) as i64;
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    fn is_newest(w: &dyn World, s: u64) -> bool {
        let (p, day) = Self::split(s);
        day == Self::today(p, w.history_end())
    }

    fn end(w: &dyn World, s: u64) -> Option<OffsetDateTime> {
        (!Self::is_newest(w, s)).then(|| Self::creation(w, s + 1))
    }

    fn state(w: &dyn World, s: u64) -> SessionState {
        if Self::is_newest(w, s) {
            SessionState::Working
        } else {
            SessionState::Stopped
        }
    }

    fn result(w: &dyn World, s: u64) -> SessionResult {
        if Self::is_newest(w, s) {
            return SessionResult::None;
        }
        match w.hash(50, s) % 100 {
            0..80 => SessionResult::Success,
            80..92 => SessionResult::Warning,
            _ => SessionResult::Failed,
        }
    }

    fn session_name(w: &dyn World, s: u64) -> String {
        format!(
            "{}@{}",
            policy_name(Self::split(s).0),
            time_text(Self::creation(w, s))
        )
    }

    fn failure_message(&self, w: &dyn World, k: &Kinds, s: u64) -> String {
        match Self::result(w, s) {
            SessionResult::Failed => format!(
                "Processing {} Error: Failed to connect to the target host",
                self.vm_name(w, k, Self::split(s).0, 0)
            ),
            SessionResult::Warning => {
                "RPO SLA breached: 2 of 96 intervals were longer than the RPO".to_owned()
            }
            _ => String::new(),
        }
    }

    /// The name of the `n`-th VM policy `p` protects (its includes' names, in turn).
    fn vm_name(&self, w: &dyn World, k: &Kinds, p: u64, n: u64) -> String {
        let includes = w.children(
            k.include,
            Obj {
                kind: k.policy,
                index: p,
            },
        );
        match includes.window(n, 1).first() {
            Some(&i) => w.name(Obj {
                kind: k.include,
                index: i,
            }),
            // More task sessions than includes (a container's VMs): VMs of the pool.
            None => {
                let pool = crate::render::values::VMS;
                pool[((p * 7 + n) % pool.len() as u64) as usize].to_owned()
            }
        }
    }

    fn task_split(&self, t: u64) -> (u64, u64) {
        (t / self.tasks, t % self.tasks)
    }

    fn task_creation(&self, w: &dyn World, t: u64) -> OffsetDateTime {
        let (s, k) = self.task_split(t);
        Self::creation(w, s)
            + Duration::milliseconds(k as i64 * 2000 + (w.hash(60, t) % 1000) as i64)
    }

    fn task_result(&self, w: &dyn World, t: u64) -> SessionResult {
        let (s, k) = self.task_split(t);
        match Self::result(w, s) {
            r @ (SessionResult::Failed | SessionResult::Warning) if k == 0 => r,
            SessionResult::None => SessionResult::None,
            _ => SessionResult::Success,
        }
    }

    fn task_state(w: &dyn World, s: u64) -> TaskSessionState {
        if Self::is_newest(w, s) {
            TaskSessionState::InProgress
        } else {
            TaskSessionState::Completed
        }
    }

    fn task_reason(&self, w: &dyn World, t: u64) -> Option<String> {
        match self.task_result(w, t) {
            SessionResult::Failed => Some("Failed to connect to the target host".into()),
            SessionResult::Warning => Some("Interval longer than the RPO".into()),
            _ => None,
        }
    }

    fn task_vm(&self, w: &dyn World, k: &Kinds, t: u64) -> String {
        let (s, n) = self.task_split(t);
        self.vm_name(w, k, Self::split(s).0, n)
    }

    fn total_size(w: &dyn World, t: u64) -> i64 {
        ((8 + w.hash(62, t) % 120) << 30) as i64
    }

    /// The policy an include (and so a VM or vApp replica) belongs to.
    fn include_policy(w: &dyn World, k: &Kinds, i: u64) -> Option<u64> {
        w.related(
            Obj {
                kind: k.include,
                index: i,
            },
            k.policy,
        )
    }

    fn links(w: &dyn World, o: Obj, base: &str, name: Option<&str>) -> Option<LinkList> {
        Some(LinkList {
            links: links::of(w, o, base, Form::Entity, name),
            unknown: Default::default(),
        })
    }

    fn href(w: &dyn World, o: Obj, base: &str) -> Option<veeam_em_model::Href> {
        Some(links::href(base, &links::path(w, o, Form::Entity)))
    }

    fn uid(w: &dyn World, o: Obj) -> Option<veeam_em_model::Uid> {
        veeam_em_model::Uid::new(w.registry().kind(o.kind).name, &w.id(o)).ok()
    }

    fn policy(&self, w: &dyn World, k: &Kinds, p: u64, base: &str) -> CdpPolicy {
        let o = Obj {
            kind: k.policy,
            index: p,
        };
        let includes: Vec<_> = w
            .children(k.include, o)
            .iter()
            .filter_map(|i| {
                match documents::entity(
                    w,
                    None,
                    Obj {
                        kind: k.include,
                        index: i,
                    },
                    base,
                ) {
                    Ok(Document::ObjectInJob(x)) => Some(x),
                    _ => None,
                }
            })
            .collect();
        CdpPolicy {
            type_: Some("CdpPolicy".into()),
            href: Self::href(w, o, base),
            uid: Self::uid(w, o),
            links: Self::links(w, o, base, None),
            cdp_policy_info: Some(CdpPolicyInfo {
                cdp_replica_policy_info: Some(CdpReplicaPolicyInfo {
                    includes: Some(ObjectsInJob {
                        object_in_jobs: includes,
                        unknown: Default::default(),
                    }),
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
            ..Self::policy_fields(w, p)
        }
    }

    /// A policy's own members (no identity, links or includes).
    fn policy_fields(w: &dyn World, p: u64) -> CdpPolicy {
        let next = w.history_end() + Duration::hours(1 + (p % 12) as i64);
        CdpPolicy {
            name: Some(policy_name(p).into()),
            policy_type: Some(CdpPolicyKind::CdpReplica),
            platform: Some(if is_vcloud(p) {
                Platform::VCloud
            } else {
                Platform::VMware
            }),
            description: Some(format!(r"Created by TECH\operator{}", p % 3 + 1).into()),
            schedule_configured: Some(true),
            schedule_enabled: Some(p % 5 != 4),
            next_run: Some(DateTime::from(next.replace_millisecond(0).unwrap_or(next))),
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
        }
    }

    fn server_name(w: &dyn World, k: &Kinds, o: Obj) -> Option<Text> {
        w.related(o, k.server).map(|s| {
            Text::from(w.name(Obj {
                kind: k.server,
                index: s,
            }))
        })
    }

    fn replica(&self, w: &dyn World, k: &Kinds, r: u64, base: &str) -> CdpReplica {
        let o = Obj {
            kind: k.replica,
            index: r,
        };
        CdpReplica {
            type_: Some("CdpReplica".into()),
            href: Self::href(w, o, base),
            name: Some(policy_name(r).into()),
            uid: Self::uid(w, o),
            links: Self::links(w, o, base, None),
            backup_server: Self::server_name(w, k, o),
            policy_uid: Some(
                w.uid(Obj {
                    kind: k.policy,
                    index: r,
                })
                .into(),
            ),
            policy_name: Some(policy_name(r).into()),
            unknown: Default::default(),
        }
    }

    fn vm(&self, w: &dyn World, k: &Kinds, i: u64, base: &str) -> VmCdpReplica {
        let o = Obj {
            kind: k.vm,
            index: i,
        };
        let include = Obj {
            kind: k.include,
            index: i,
        };
        let p = Self::include_policy(w, k, i).unwrap_or_default();
        VmCdpReplica {
            type_: Some("CdpReplicaVm".into()),
            href: Self::href(w, o, base),
            name: Some(w.name(include).into()),
            uid: Self::uid(w, o),
            links: Self::links(w, o, base, None),
            vm_ref: w.field(include, "HierarchyObjRef").map(Text::from),
            replica_uid: Some(
                w.uid(Obj {
                    kind: k.replica,
                    index: p,
                })
                .into(),
            ),
            backup_server: Self::server_name(w, k, o),
            policy_uid: Some(
                w.uid(Obj {
                    kind: k.policy,
                    index: p,
                })
                .into(),
            ),
            policy_name: Some(policy_name(p).into()),
            repository_name: w.registry().named("Repository").and_then(|repo| {
                w.related(o, repo).map(|r| {
                    Text::from(w.name(Obj {
                        kind: repo,
                        index: r,
                    }))
                })
            }),
            unknown: Default::default(),
        }
    }

    fn vapp(&self, w: &dyn World, k: &Kinds, i: u64, base: &str) -> VAppCdpReplica {
        let o = Obj {
            kind: k.vapp,
            index: i,
        };
        let include = Obj {
            kind: k.include,
            index: i,
        };
        let p = Self::include_policy(w, k, i).unwrap_or_default();
        VAppCdpReplica {
            type_: Some("VAppCdpReplica".into()),
            href: Self::href(w, o, base),
            name: Some(w.name(include).into()),
            uid: Self::uid(w, o),
            links: Self::links(w, o, base, None),
            v_app_ref: w.field(include, "HierarchyObjRef").map(Text::from),
            replica_uid: Some(
                w.uid(Obj {
                    kind: k.replica,
                    index: p,
                })
                .into(),
            ),
            backup_server: Self::server_name(w, k, o),
            policy_uid: Some(
                w.uid(Obj {
                    kind: k.policy,
                    index: p,
                })
                .into(),
            ),
            policy_name: Some(policy_name(p).into()),
            unknown: Default::default(),
        }
    }

    fn vapp_vm_name(w: &dyn World, k: &Kinds, i: u64) -> String {
        let vapp = w.name(Obj {
            kind: k.include,
            index: i / VMS_PER_VAPP,
        });
        format!("{vapp}-vm{:02}", i % VMS_PER_VAPP + 1)
    }

    fn vapp_vm(&self, w: &dyn World, k: &Kinds, i: u64, base: &str) -> VAppCdpReplicaVm {
        let o = Obj {
            kind: k.vapp_vm,
            index: i,
        };
        let p = Self::include_policy(w, k, i / VMS_PER_VAPP).unwrap_or_default();
        VAppCdpReplicaVm {
            type_: Some("VAppCdpReplicaVm".into()),
            href: Self::href(w, o, base),
            name: Some(Self::vapp_vm_name(w, k, i).into()),
            uid: Self::uid(w, o),
            links: Self::links(w, o, base, None),
            replica_uid: Some(
                w.uid(Obj {
                    kind: k.replica,
                    index: p,
                })
                .into(),
            ),
            vm_ref: Some(
                format!(
                    "urn:VMware:Vm:{}.vm-{}",
                    crate::render::values::guid(w.hash(38, p % 3)),
                    2000 + w.hash(40, i) % 9000
                )
                .into(),
            ),
            unknown: Default::default(),
        }
    }

    fn session(&self, w: &dyn World, k: &Kinds, s: u64, base: &str) -> CdpReplicaSession {
        let o = Obj {
            kind: k.session,
            index: s,
        };
        let (p, _) = Self::split(s);
        let name = Self::session_name(w, s);
        CdpReplicaSession {
            type_: Some("CdpReplicaSession".into()),
            href: Self::href(w, o, base),
            links: Self::links(w, o, base, Some(&name)),
            name: Some(name.into()),
            uid: Self::uid(w, o),
            policy_uid: veeam_em_model::Uid::new(
                POLICY,
                &w.id(Obj {
                    kind: k.policy,
                    index: p,
                }),
            )
            .ok(),
            policy_name: Some(policy_name(p).into()),
            policy_type: Some(CdpPolicyKind::CdpReplica),
            creation_time_utc: Some(Self::creation(w, s).into()),
            end_time_utc: Self::end(w, s).map(DateTime::from),
            state: Some(Self::state(w, s)),
            result: Some(Self::result(w, s)),
            progress: Some(if Self::is_newest(w, s) { 0 } else { 100 }),
            failure_message: Some(self.failure_message(w, k, s).into()),
            is_retry: Some(false),
            unknown: Default::default(),
        }
    }

    fn task(&self, w: &dyn World, k: &Kinds, t: u64, base: &str) -> CdpReplicaTaskSession {
        let o = Obj {
            kind: k.task,
            index: t,
        };
        let (s, _) = self.task_split(t);
        let vm = self.task_vm(w, k, t);
        let created = self.task_creation(w, t);
        let name = format!("{vm}@{}", time_text(created));
        CdpReplicaTaskSession {
            type_: Some("CdpReplicaTaskSession".into()),
            // Servers may write this href with `/replicaTaskSessions/` (a quirk the model reads);
            // that is the sessions family's address, so the simulator writes its own.
            href: Self::href(w, o, base),
            links: Self::links(w, o, base, Some(&name)),
            name: Some(name.into()),
            uid: Self::uid(w, o),
            vm_display_name: Some(vm.into()),
            policy_session_uid: veeam_em_model::Uid::new(
                SESSION,
                &w.id(Obj {
                    kind: k.session,
                    index: s,
                }),
            )
            .ok(),
            creation_time_utc: Some(created.into()),
            end_time_utc: Self::end(w, s).map(DateTime::from),
            state: Some(Self::task_state(w, s)),
            result: Some(self.task_result(w, t)),
            reason: self.task_reason(w, t).map(Text::from),
            total_size: Some(Self::total_size(w, t)),
            unknown: Default::default(),
        }
    }

    fn sessions(
        &self,
        w: &dyn World,
        k: &Kinds,
        items: &[u64],
        base: &str,
        policy_items: bool,
    ) -> CdpReplicaSessions {
        CdpReplicaSessions {
            cdp_replica_session_items: items
                .iter()
                .map(|&s| {
                    let session = self.session(w, k, s, base);
                    if policy_items {
                        CdpReplicaSessionItem::CdpPolicySession(session)
                    } else {
                        CdpReplicaSessionItem::CdpReplicaSession(session)
                    }
                })
                .collect(),
            unknown: Default::default(),
        }
    }

    fn tasks(&self, w: &dyn World, k: &Kinds, items: &[u64], base: &str) -> CdpReplicaTaskSessions {
        CdpReplicaTaskSessions {
            cdp_replica_task_sessions: items.iter().map(|&t| self.task(w, k, t, base)).collect(),
            unknown: Default::default(),
        }
    }

    /// Includes of existing policies that are (`vcloud`) or are not Cloud Director ones.
    fn includes(&self, w: &dyn World, k: &Kinds, vcloud: bool) -> IndexSet {
        IndexSet::List(
            (0..self.policies)
                .filter(|&p| is_vcloud(p) == vcloud)
                .flat_map(|p| {
                    w.children(
                        k.include,
                        Obj {
                            kind: k.policy,
                            index: p,
                        },
                    )
                    .iter()
                    .collect::<Vec<_>>()
                })
                .collect(),
        )
    }

    fn include_exists(w: &dyn World, k: &Kinds, i: u64, vcloud: bool) -> bool {
        w.exists(Obj {
            kind: k.include,
            index: i,
        }) && Self::include_policy(w, k, i).is_some_and(|p| is_vcloud(p) == vcloud)
    }

    /// Restore intervals of a replica within the asked window: three intervals ending at the
    /// window's end, restore points every eight hours.
    fn intervals(
        w: &dyn World,
        object: u64,
        spec: &CdpReplicaIntervalsSpec,
    ) -> Result<CdpReplicaIntervals, Failure> {
        let start = spec
            .start_date
            .to_offset_date_time()
            .unwrap_or(spec.start_date.local.assume_utc());
        let end = spec
            .end_date
            .to_offset_date_time()
            .unwrap_or(spec.end_date.local.assume_utc());
        if end <= start {
            return Err(Failure::bad_request("EndDate must be after StartDate"));
        }
        let span = end - start;
        let cut = |f: f64| start + span * f;
        let rpo = |n: u64| i32::try_from(5 + w.hash(70 + n, object) % 20).unwrap_or(15);
        let interval = |a, b, n| CdpReplicaInterval {
            start_date: Some(DateTime::from(a)),
            end_date: Some(DateTime::from(b)),
            rpo: Some(rpo(n)),
            interval_type: Some(CdpIntervalKind::RestoreAvailable),
            unknown: Default::default(),
        };
        let mut points = Vec::new();
        let mut t = start + Duration::hours(1);
        let mut n = 0;
        while t < end && n < 64 {
            points.push(CdpReplicaRestorePoint {
                id: Some(
                    uuid::Uuid::from_u64_pair(w.hash(80, object), w.hash(81, n))
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
}

/// An enumerated value, with its rank among `known` for ordering.
fn enum_value(text: &str, known: &'static [&'static str]) -> Value {
    let text = known.iter().copied().find(|k| *k == text).unwrap_or("");
    Value::Enum { text, known }
}

impl Family for Cdp {
    fn kinds(&self) -> &'static [&'static str] {
        &[POLICY, REPLICA, VM, VAPP, VAPP_VM, SESSION, TASK, INCLUDE]
    }

    fn objects(&self, w: &dyn World, kind: KindId) -> Option<IndexSet> {
        let k = &self.k;
        let now = w.history_end();
        Some(if kind == k.policy || kind == k.replica {
            IndexSet::Range(0..self.policies)
        } else if kind == k.vm {
            self.includes(w, k, false)
        } else if kind == k.vapp {
            self.includes(w, k, true)
        } else if kind == k.vapp_vm {
            IndexSet::List(
                self.includes(w, k, true)
                    .iter()
                    .flat_map(|v| v * VMS_PER_VAPP..(v + 1) * VMS_PER_VAPP)
                    .collect(),
            )
        } else if kind == k.session {
            IndexSet::Ranges(
                (0..self.policies)
                    .map(|p| {
                        let days = self.days(p, now);
                        p * RING + days.start..p * RING + days.end
                    })
                    .collect(),
            )
        } else if kind == k.task {
            IndexSet::Ranges(
                (0..self.policies)
                    .flat_map(|p| self.days(p, now).map(move |d| p * RING + d))
                    .map(|s| s * self.tasks..(s + 1) * self.tasks)
                    .collect(),
            )
        } else {
            return None;
        })
    }

    fn children(&self, w: &dyn World, kind: KindId, below: Obj) -> Option<IndexSet> {
        let k = &self.k;
        if !w.exists(below) {
            return Some(IndexSet::empty());
        }
        let p = below.index;
        Some(if kind == k.session && below.kind == k.policy {
            let days = self.days(p, w.history_end());
            IndexSet::Range(p * RING + days.start..p * RING + days.end)
        } else if kind == k.task && below.kind == k.session {
            IndexSet::Range(p * self.tasks..(p + 1) * self.tasks)
        } else if kind == k.vm && below.kind == k.replica {
            if is_vcloud(p) {
                IndexSet::empty()
            } else {
                w.children(
                    k.include,
                    Obj {
                        kind: k.policy,
                        index: p,
                    },
                )
            }
        } else if kind == k.vapp_vm && below.kind == k.vapp {
            IndexSet::Range(p * VMS_PER_VAPP..(p + 1) * VMS_PER_VAPP)
        } else if kind == k.replica && below.kind == k.policy {
            IndexSet::List(vec![p])
        } else if kind == k.include {
            return None;
        } else if self.kinds_of(k, kind) {
            // Any other owner: the objects whose chain passes through it.
            IndexSet::List(
                w.objects(kind)
                    .iter()
                    .filter(|&i| w.related(Obj { kind, index: i }, below.kind) == Some(p))
                    .collect(),
            )
        } else {
            return None;
        })
    }

    fn exists(&self, w: &dyn World, o: Obj) -> Option<bool> {
        let k = &self.k;
        let i = o.index;
        Some(if o.kind == k.policy || o.kind == k.replica {
            i < self.policies
        } else if o.kind == k.vm {
            Self::include_exists(w, k, i, false)
        } else if o.kind == k.vapp {
            Self::include_exists(w, k, i, true)
        } else if o.kind == k.vapp_vm {
            Self::include_exists(w, k, i / VMS_PER_VAPP, true)
        } else if o.kind == k.session {
            let (p, day) = Self::split(i);
            p < self.policies && self.days(p, w.history_end()).contains(&day)
        } else if o.kind == k.task {
            let (s, _) = self.task_split(i);
            let (p, day) = Self::split(s);
            p < self.policies && self.days(p, w.history_end()).contains(&day)
        } else {
            return None;
        })
    }

    fn owner(&self, w: &dyn World, o: Obj) -> Option<u64> {
        let k = &self.k;
        let i = o.index;
        if o.kind == k.policy {
            let servers = w.objects(k.server).len().max(1);
            Some(i % servers)
        } else if o.kind == k.replica {
            Some(i)
        } else if o.kind == k.vm || o.kind == k.vapp {
            Self::include_policy(w, k, i)
        } else if o.kind == k.vapp_vm {
            Some(i / VMS_PER_VAPP)
        } else if o.kind == k.session {
            Some(Self::split(i).0)
        } else if o.kind == k.task {
            Some(self.task_split(i).0)
        } else {
            None
        }
    }

    fn name(&self, w: &dyn World, o: Obj) -> Option<String> {
        let k = &self.k;
        let i = o.index;
        Some(if o.kind == k.policy || o.kind == k.replica {
            policy_name(i)
        } else if o.kind == k.vm || o.kind == k.vapp {
            w.name(Obj {
                kind: k.include,
                index: i,
            })
        } else if o.kind == k.vapp_vm {
            Self::vapp_vm_name(w, k, i)
        } else if o.kind == k.session {
            Self::session_name(w, i)
        } else if o.kind == k.task {
            format!(
                "{}@{}",
                self.task_vm(w, k, i),
                time_text(self.task_creation(w, i))
            )
        } else if o.kind == k.include {
            let p = Self::include_policy(w, k, i)?;
            if !is_vcloud(p) {
                return None;
            }
            format!("vApp{:02}", p * 10 + i % 10)
        } else {
            return None;
        })
    }

    fn field(&self, w: &dyn World, o: Obj, member: &str) -> Option<Option<String>> {
        let k = &self.k;
        if o.kind == k.include {
            let p = Self::include_policy(w, k, o.index)?;
            return Some(match member {
                "HierarchyObjRef" if is_vcloud(p) => Some(format!(
                    "urn:vCloud:Vapp:{}.urn:vcloud:vapp:{}",
                    crate::render::values::guid(w.hash(32, 0)),
                    crate::render::values::guid(w.hash(34, o.index))
                )),
                "DisplayName" => Some(w.name(o)),
                _ => return None,
            });
        }
        // Other members: as the typed entity shows them.
        let doc = self.entity(w, o, "")?;
        Some(crate::render::edits::child_text(
            &doc.to_xml_string(),
            member,
        ))
    }

    fn query_field(&self, w: &dyn World, o: Obj, name: &str) -> Option<Value> {
        let k = &self.k;
        let i = o.index;
        let server = |o: Obj| {
            let s = w.related(o, k.server)?;
            Some(Obj {
                kind: k.server,
                index: s,
            })
        };
        let lower = name.to_ascii_lowercase();
        if o.kind == k.session {
            let (p, _) = Self::split(i);
            let policy = Obj {
                kind: k.policy,
                index: p,
            };
            return Some(match lower.as_str() {
                "id" | "uid" => Value::Uid(w.uid(o)),
                "name" => Value::Text(Self::session_name(w, i)),
                "policyuid" => Value::Uid(w.uid(policy)),
                "policyname" => Value::Text(policy_name(p)),
                "backupserveruid" => Value::Uid(w.uid(server(o)?)),
                "backupservername" => Value::Text(w.name(server(o)?)),
                "creationtimeutc" => Value::Time(Self::creation(w, i)),
                "endtimeutc" => Self::end(w, i).map_or(Value::Absent, Value::Time),
                "state" => enum_value(Self::state(w, i).as_str(), SessionState::KNOWN),
                "result" => enum_value(Self::result(w, i).as_str(), SessionResult::KNOWN),
                "failuremessage" => Value::Text(self.failure_message(w, k, i)),
                _ => return None,
            });
        }
        if o.kind == k.task {
            let (s, _) = self.task_split(i);
            let session = Obj {
                kind: k.session,
                index: s,
            };
            return Some(match lower.as_str() {
                "id" | "uid" => Value::Uid(w.uid(o)),
                "name" => Value::Text(format!(
                    "{}@{}",
                    self.task_vm(w, k, i),
                    time_text(self.task_creation(w, i))
                )),
                "policysessionuid" => Value::Uid(w.uid(session)),
                "policysessionname" => Value::Text(Self::session_name(w, s)),
                "backupserveruid" => Value::Uid(w.uid(server(o)?)),
                "backupservername" => Value::Text(w.name(server(o)?)),
                "creationtimeutc" => Value::Time(self.task_creation(w, i)),
                "endtimeutc" => Self::end(w, s).map_or(Value::Absent, Value::Time),
                "state" => enum_value(Self::task_state(w, s).as_str(), TaskSessionState::KNOWN),
                "result" => enum_value(self.task_result(w, i).as_str(), SessionResult::KNOWN),
                "reason" => Value::Text(self.task_reason(w, i).unwrap_or_default()),
                "totalsize" => Value::Int(Self::total_size(w, i)),
                "vmdisplayname" => Value::Text(self.task_vm(w, k, i)),
                _ => return None,
            });
        }
        if o.kind == k.policy || o.kind == k.replica {
            let m = Self::policy_fields(w, i);
            let policy = Obj {
                kind: k.policy,
                index: i,
            };
            return Some(match lower.as_str() {
                "uid" => Value::Uid(w.uid(o)),
                "name" | "policyname" => Value::Text(policy_name(i)),
                "policyid" => Value::Text(w.id(policy)),
                "policyuid" => Value::Uid(w.uid(policy)),
                "description" => Value::Text(m.description.map(String::from).unwrap_or_default()),
                "nextrun" => m
                    .next_run
                    .and_then(|t| t.to_offset_date_time())
                    .map_or(Value::Absent, Value::Time),
                "scheduleconfigured" => Value::Bool(m.schedule_configured.unwrap_or(false)),
                "scheduleenabled" => Value::Bool(m.schedule_enabled.unwrap_or(false)),
                "backupserveruid" => Value::Uid(w.uid(server(o)?)),
                "backupservername" => Value::Text(w.name(server(o)?)),
                _ => return None,
            });
        }
        None
    }

    fn entity(&self, w: &dyn World, o: Obj, base: &str) -> Option<Document> {
        let k = &self.k;
        let i = o.index;
        Some(if o.kind == k.policy {
            Document::CdpPolicy(self.policy(w, k, i, base))
        } else if o.kind == k.replica {
            Document::CdpReplica(self.replica(w, k, i, base))
        } else if o.kind == k.vm {
            // Servers send this entity under the root `CdpReplicaVm` (a quirk the model reads).
            Document::CdpReplicaVm(self.vm(w, k, i, base))
        } else if o.kind == k.vapp {
            Document::VAppCdpReplica(self.vapp(w, k, i, base))
        } else if o.kind == k.vapp_vm {
            Document::VAppCdpReplicaVm(self.vapp_vm(w, k, i, base))
        } else if o.kind == k.session {
            Document::CdpReplicaSession(self.session(w, k, i, base))
        } else if o.kind == k.task {
            Document::CdpReplicaTaskSession(self.task(w, k, i, base))
        } else {
            return None;
        })
    }

    fn list(
        &self,
        w: &dyn World,
        kind: KindId,
        items: &[u64],
        _list: &str,
        base: &str,
    ) -> Option<Document> {
        let k = &self.k;
        Some(if kind == k.policy {
            Document::CdpPolicies(CdpPolicies {
                cdp_policies: items.iter().map(|&p| self.policy(w, k, p, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.replica {
            Document::CdpReplicas(CdpReplicas {
                cdp_replicas: items.iter().map(|&r| self.replica(w, k, r, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.vm {
            Document::VmCdpReplicas(VmCdpReplicas {
                vm_cdp_replicas: items.iter().map(|&i| self.vm(w, k, i, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.vapp {
            Document::VAppCdpReplicas(VAppCdpReplicas {
                v_app_cdp_replicas: items.iter().map(|&i| self.vapp(w, k, i, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.vapp_vm {
            Document::VAppCdpReplicaVms(VAppCdpReplicaVms {
                v_app_cdp_replica_vms: items.iter().map(|&i| self.vapp_vm(w, k, i, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.session {
            Document::CdpReplicaSessions(self.sessions(w, k, items, base, false))
        } else if kind == k.task {
            Document::CdpReplicaTaskSessions(self.tasks(w, k, items, base))
        } else {
            return None;
        })
    }

    fn query_entities(
        &self,
        w: &dyn World,
        kind: KindId,
        items: &[u64],
        base: &str,
    ) -> Option<Entities> {
        use veeam_em_model::EntityList;
        let k = &self.k;
        let list = if kind == k.policy {
            EntityList::CdpPolicies(CdpPolicies {
                cdp_policies: items.iter().map(|&p| self.policy(w, k, p, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.replica {
            EntityList::CdpReplicas(CdpReplicas {
                cdp_replicas: items.iter().map(|&r| self.replica(w, k, r, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.vapp {
            EntityList::VAppCdpReplicas(VAppCdpReplicas {
                v_app_cdp_replicas: items.iter().map(|&i| self.vapp(w, k, i, base)).collect(),
                unknown: Default::default(),
            })
        } else if kind == k.session {
            // Query results name the items `CdpPolicySession`, as the reference example shows.
            EntityList::CdpReplicaSessions(self.sessions(w, k, items, base, true))
        } else if kind == k.task {
            EntityList::CdpReplicaTaskSessions(self.tasks(w, k, items, base))
        } else {
            return None;
        };
        Some(Entities {
            list: Some(list),
            ..Default::default()
        })
    }

    fn answer(
        &self,
        w: &dyn World,
        entry: &'static Entry,
        route: &Route,
        body: Option<&Document>,
    ) -> Option<Result<Document, Failure>> {
        let k = &self.k;
        let (kind, id) = match entry.name {
            "GetVmCdpReplicaIntervals" => (k.vm, route.path_values.get(1)?),
            "GetVAppCdpReplicaIntervals" => (k.vapp, route.path_values.first()?),
            _ => return None,
        };
        Some((|| {
            let index = w.find(kind, id.as_str()).ok_or_else(|| {
                Failure::not_found(format!(
                    "There is no {} with the id {:?}",
                    w.registry().kind(kind).name,
                    id.as_str()
                ))
            })?;
            let Some(Document::CdpReplicaIntervalsSpec(spec)) = body else {
                return Err(Failure::bad_request("StartDate and EndDate are required"));
            };
            Ok(Document::CdpReplicaIntervals(Self::intervals(
                w, index, spec,
            )?))
        })())
    }
}

impl Cdp {
    /// Whether `kind` is one of this family's.
    fn kinds_of(&self, k: &Kinds, kind: KindId) -> bool {
        [
            k.policy, k.replica, k.vm, k.vapp, k.vapp_vm, k.session, k.task,
        ]
        .contains(&kind)
    }
}
