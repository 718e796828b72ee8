//! The reports family: the summary report frames, computed from the world, one formula per
//! member (written beside it below), so that a monitoring tool reading the overview sees the
//! jobs, sessions and repositories it can list.
//!
//! Formulas are over what the API lists: jobs (`/jobs`), their sessions (backup and replication
//! job sessions, the history each job keeps), their task sessions (one per included VM),
//! repositories, backup files, VM restore points and managed servers. "Last session" is a job's
//! newest session; a VM's "latest state" is the result of its task in its job's newest finished
//! session.

use time::{Duration, OffsetDateTime};
use veeam_em_api::{Entry, Route};
use veeam_em_model::{
    Document, JobStatisticsReportFrame, OverviewReportFrame, ProcessedVmsReportDay,
    ProcessedVmsReportFrame, RepositoryReportFrame, RepositoryReportPeriod, VmsOverviewReportFrame,
};

use crate::errors::Failure;
use crate::family::Family;
use crate::registry::{registry, KindId, Obj};
use crate::render::links;
use crate::world::World;

/// The reports family.
#[derive(Debug, Default)]
pub(crate) struct Reports;

/// A job's sessions, with what the frames read of them.
struct Session {
    start: OffsetDateTime,
    end: Option<OffsetDateTime>,
    result: String,
    index: u64,
    kind: KindId,
}

/// What the frames are computed from, read once per request.
struct Facts {
    /// Per job: name, whether it is a replication job, whether its schedule is on, its sessions
    /// (oldest first).
    jobs: Vec<(String, bool, bool, Vec<Session>)>,
}

fn int(n: usize) -> Option<i32> {
    Some(i32::try_from(n).unwrap_or(i32::MAX))
}

fn time(w: &dyn World, o: Obj, member: &str) -> Option<OffsetDateTime> {
    veeam_em_model::DateTime::parse(&w.field(o, member)?)
        .ok()?
        .to_offset_date_time()
}

impl Facts {
    fn read(w: &dyn World) -> Self {
        let reg = registry();
        let mut jobs = Vec::new();
        let Some(job) = reg.named("Job") else {
            return Self { jobs };
        };
        let session_kinds: Vec<KindId> = ["BackupJobSession", "ReplicaJobSession"]
            .iter()
            .filter_map(|n| reg.named(n))
            .collect();
        for j in w.objects(job).iter() {
            let o = Obj {
                kind: job,
                index: j,
            };
            let replica = w.field(o, "JobType").as_deref() == Some("Replica");
            let scheduled = w.field(o, "ScheduleEnabled").as_deref() == Some("true");
            let mut sessions = Vec::new();
            for &kind in &session_kinds {
                for s in w.children(kind, o).iter() {
                    let so = Obj { kind, index: s };
                    let Some(start) = time(w, so, "CreationTimeUTC") else {
                        continue;
                    };
                    sessions.push(Session {
                        start,
                        end: time(w, so, "EndTimeUTC"),
                        result: w.field(so, "Result").unwrap_or_default(),
                        index: s,
                        kind,
                    });
                }
            }
            sessions.sort_by_key(|s| s.start);
            jobs.push((w.name(o), replica, scheduled, sessions));
        }
        Self { jobs }
    }

    /// Jobs whose last session is working.
    fn running(&self) -> usize {
        self.jobs
            .iter()
            .filter(|(_, _, _, s)| s.last().is_some_and(|s| s.end.is_none()))
            .count()
    }

    /// Jobs whose schedule is on (of replication jobs, of the others).
    fn scheduled(&self, replica: Option<bool>) -> usize {
        self.jobs
            .iter()
            .filter(|(_, r, on, _)| *on && replica.is_none_or(|want| want == *r))
            .count()
    }

    fn finished(&self) -> impl Iterator<Item = (&String, bool, &Session)> {
        self.jobs.iter().flat_map(|(name, r, _, sessions)| {
            sessions
                .iter()
                .filter(|s| s.end.is_some())
                .map(move |s| (name, *r, s))
        })
    }

    /// The longest finished run (seconds) and its job, of replication jobs or the others.
    fn longest(&self, replica: Option<bool>) -> (i64, String) {
        self.finished()
            .filter(|(_, r, _)| replica.is_none_or(|want| want == *r))
            .map(|(name, _, s)| {
                (
                    (s.end.unwrap_or(s.start) - s.start).whole_seconds(),
                    name.clone(),
                )
            })
            .max()
            .unwrap_or((0, String::new()))
    }

    /// The task sessions of each job's newest finished session: (result, total size).
    fn latest_vm_states(&self, w: &dyn World) -> Vec<(String, i64)> {
        let reg = registry();
        let mut out = Vec::new();
        for (_, _, _, sessions) in &self.jobs {
            let Some(last) = sessions.iter().rev().find(|s| s.end.is_some()) else {
                continue;
            };
            let task_kind = if reg.kind(last.kind).name == "ReplicaJobSession" {
                reg.named("ReplicaTaskSession")
            } else {
                reg.named("BackupTaskSession")
            };
            let Some(task_kind) = task_kind else { continue };
            let session = Obj {
                kind: last.kind,
                index: last.index,
            };
            for t in w.children(task_kind, session).iter() {
                let to = Obj {
                    kind: task_kind,
                    index: t,
                };
                out.push((
                    w.field(to, "Result").unwrap_or_default(),
                    w.field(to, "TotalSize")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0),
                ));
            }
        }
        out
    }
}

fn count(w: &dyn World, kind: &str) -> usize {
    registry()
        .named(kind)
        .map_or(0, |k| w.objects(k).len() as usize)
}

/// Objects of `kind` whose member `member` is one of `values`.
fn count_where(w: &dyn World, kind: &str, member: &str, values: &[&str]) -> usize {
    let Some(k) = registry().named(kind) else {
        return 0;
    };
    w.objects(k)
        .iter()
        .filter(|&i| {
            w.field(Obj { kind: k, index: i }, member)
                .is_some_and(|v| values.contains(&v.as_str()))
        })
        .count()
}

/// The sum of a numeric member over the objects of `kind` whose `filter` member is one of
/// `values` (every object when `filter` is `None`).
fn sum_where(w: &dyn World, kind: &str, member: &str, filter: Option<(&str, &[&str])>) -> i64 {
    let Some(k) = registry().named(kind) else {
        return 0;
    };
    w.objects(k)
        .iter()
        .map(|i| Obj { kind: k, index: i })
        .filter(|&o| {
            filter.is_none_or(|(m, values)| {
                w.field(o, m).is_some_and(|v| values.contains(&v.as_str()))
            })
        })
        .filter_map(|o| w.field(o, member)?.parse::<i64>().ok())
        .sum()
}

fn href(base: &str, route: &Route) -> Option<veeam_em_model::Href> {
    let path = crate::render::links::route_path(route.entry, route);
    Some(links::href(base, &path))
}

impl Family for Reports {
    fn document(
        &self,
        w: &dyn World,
        entry: &'static Entry,
        route: &Route,
        base: &str,
    ) -> Option<Result<Document, Failure>> {
        let doc = match entry.representation()? {
            "OverviewReportFrame" => {
                let f = Facts::read(w);
                let vms = f.latest_vm_states(w);
                let with = |r: &str| vms.iter().filter(|(x, _)| x == r).count();
                Document::OverviewReportFrame(OverviewReportFrame {
                    type_: Some("OverviewReportFrame".into()),
                    href: href(base, route),
                    links: None,
                    // Backup servers the Enterprise Manager collects from.
                    backup_servers: int(count(w, "BackupServer")),
                    // Managed servers that can run proxies: Windows and Linux hosts.
                    proxy_servers: int(count_where(
                        w,
                        "ManagedServer",
                        "ManagedServerType",
                        &["Windows", "Linux"],
                    )),
                    // Backup repositories.
                    repository_servers: int(count(w, "Repository")),
                    // Jobs whose last session is working.
                    running_jobs: int(f.running()),
                    // Jobs whose schedule is on.
                    scheduled_jobs: int(f.scheduled(None)),
                    // VMs whose task in their job's newest finished session succeeded, warned,
                    // failed.
                    successful_vm_lastest_states: int(with("Success")),
                    warning_vm_lastest_states: int(with("Warning")),
                    failed_vm_lastest_states: int(with("Failed")),
                    unknown: Default::default(),
                })
            }
            "JobStatisticsReportFrame" => {
                let f = Facts::read(w);
                let finished: Vec<&Session> = f.finished().map(|(_, _, s)| s).collect();
                let with = |r: &str| finished.iter().filter(|s| s.result == r).count();
                let (max_all, _) = f.longest(None);
                let (max_backup, backup_name) = f.longest(Some(false));
                let (max_replica, replica_name) = f.longest(Some(true));
                let secs = |n: i64| Some(i32::try_from(n).unwrap_or(i32::MAX));
                Document::JobStatisticsReportFrame(JobStatisticsReportFrame {
                    type_: Some("JobStatisticsReportFrame".into()),
                    href: href(base, route),
                    links: None,
                    // Jobs whose last session is working.
                    running_jobs: int(f.running()),
                    // Jobs whose schedule is on; of them, backup and replication jobs.
                    scheduled_jobs: int(f.scheduled(None)),
                    scheduled_backup_jobs: int(f.scheduled(Some(false))),
                    scheduled_replica_jobs: int(f.scheduled(Some(true))),
                    // Finished sessions in the jobs' histories, and those per result.
                    total_job_runs: int(finished.len()),
                    successful_job_runs: int(with("Success")),
                    warnings_job_runs: int(with("Warning")),
                    failed_job_runs: int(with("Failed")),
                    // The longest finished session, in seconds (all, backup, replication),
                    // and the job it ran.
                    max_job_duration: secs(max_all),
                    max_backup_job_duration: secs(max_backup),
                    max_replica_job_duration: secs(max_replica),
                    max_duration_backup_job_name: Some(backup_name.into()),
                    max_duration_replica_job_name: Some(replica_name.into()),
                    backup_job_status_report_link: None,
                    unknown: Default::default(),
                })
            }
            "VmsOverviewReportFrame" => {
                let reg = registry();
                let f = Facts::read(w);
                let vms = f.latest_vm_states(w);
                let (mut backed_up, mut replicated) = (0, 0);
                if let (Some(job), Some(include)) =
                    (reg.named("Job"), reg.at("/jobs/{}/includes/{}"))
                {
                    for j in w.objects(job).iter() {
                        let o = Obj {
                            kind: job,
                            index: j,
                        };
                        let n = w.children(include, o).len() as usize;
                        if w.field(o, "JobType").as_deref() == Some("Replica") {
                            replicated += n;
                        } else {
                            backed_up += n;
                        }
                    }
                }
                let finished_backups: Vec<&Session> = f
                    .finished()
                    .filter(|(_, r, _)| !r)
                    .map(|(_, _, s)| s)
                    .collect();
                let percent = if finished_backups.is_empty() {
                    100
                } else {
                    finished_backups
                        .iter()
                        .filter(|s| s.result == "Success")
                        .count()
                        * 100
                        / finished_backups.len()
                };
                Document::VmsOverviewReportFrame(VmsOverviewReportFrame {
                    type_: Some("VmsOverviewReportFrame".into()),
                    href: href(base, route),
                    links: None,
                    // VMs the jobs include; of them, in backup jobs and in replication jobs.
                    protected_vms: int(backed_up + replicated),
                    backed_up_vms: int(backed_up),
                    replicated_vms: int(replicated),
                    // VM restore points.
                    restore_points: int(count(w, "VmRestorePoint")),
                    // Backup files' sizes: full (.vbk) and incremental (.vib, .vrb).
                    full_backup_points_size: Some(sum_where(
                        w,
                        "BackupFile",
                        "BackupSize",
                        Some(("FileType", &["vbk"])),
                    )),
                    incremental_backup_points_size: Some(sum_where(
                        w,
                        "BackupFile",
                        "BackupSize",
                        Some(("FileType", &["vib", "vrb"])),
                    )),
                    // Replicated VMs' sizes in their latest replication sessions.
                    replica_restore_points_size: Some(
                        vms.iter().map(|(_, size)| *size).sum::<i64>() * replicated as i64
                            / (backed_up + replicated).max(1) as i64,
                    ),
                    // The VMs' sizes in their latest sessions.
                    source_vms_size: Some(vms.iter().map(|(_, size)| size).sum()),
                    // Successful finished backup sessions, in percent of the finished ones.
                    success_backup_percents: int(percent),
                    protected_vms_report_link: None,
                    unknown: Default::default(),
                })
            }
            "ProcessedVmsReportFrame" => {
                let reg = registry();
                let now = w.history_end();
                let today = now.replace_time(time::Time::MIDNIGHT);
                let mut days = Vec::new();
                let tasks: Vec<(KindId, bool)> =
                    [("BackupTaskSession", false), ("ReplicaTaskSession", true)]
                        .iter()
                        .filter_map(|(n, r)| Some((reg.named(n)?, *r)))
                        .collect();
                // The last seven days: VMs whose task ended that day, backed up and replicated.
                for back in (0..7).rev() {
                    let day = today - Duration::days(back);
                    let next = day + Duration::days(1);
                    let mut counts = [0usize; 2];
                    for &(kind, replica) in &tasks {
                        counts[usize::from(replica)] += w
                            .objects(kind)
                            .iter()
                            .filter(|&t| {
                                time(w, Obj { kind, index: t }, "EndTimeUTC")
                                    .is_some_and(|e| e >= day && e < next)
                            })
                            .count();
                    }
                    days.push(ProcessedVmsReportDay {
                        backuped_vms: int(counts[0]),
                        replicated_vms: int(counts[1]),
                        timestamp: Some(day.into()),
                        unknown: Default::default(),
                    });
                }
                Document::ProcessedVmsReportFrame(ProcessedVmsReportFrame {
                    type_: Some("ProcessedVmsReportFrame".into()),
                    href: href(base, route),
                    links: None,
                    days,
                    unknown: Default::default(),
                })
            }
            "RepositoryReportFrame" => {
                let reg = registry();
                let mut periods = Vec::new();
                if let Some(repo) = reg.named("Repository") {
                    for r in w.objects(repo).iter() {
                        let o = Obj {
                            kind: repo,
                            index: r,
                        };
                        let num = |m: &str| w.field(o, m).and_then(|v| v.parse::<i64>().ok());
                        let capacity = num("Capacity");
                        let free = num("FreeSpace");
                        periods.push(RepositoryReportPeriod {
                            // Each repository: its name, capacity and free space; the space its
                            // backups use is what is not free.
                            name: Some(w.name(o).into()),
                            capacity,
                            free_space: free,
                            backup_size: capacity.zip(free).map(|(c, f)| c - f),
                            unknown: Default::default(),
                        });
                    }
                }
                Document::RepositoryReportFrame(RepositoryReportFrame {
                    type_: Some("RepositoryReportFrame".into()),
                    href: href(base, route),
                    links: None,
                    periods,
                    capacity_planning_report_link: None,
                    unknown: Default::default(),
                })
            }
            _ => return None,
        };
        Some(Ok(doc))
    }
}
