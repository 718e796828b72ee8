//! The jobs family: what backup, backup copy and replication jobs are, and their sessions over
//! time.
//!
//! A job's type, platform and schedule follow its place on its backup server. Each job runs on
//! its schedule (backups and copies nightly at their own minute, replications hourly),
//! and the runs an action started (`start`, `retry`) come on top. A run is a session: working
//! for its duration (`--session-duration`, varied per job), then ended with its result; a stop
//! ends it as failed. The sessions of backup jobs are `BackupJobSession`s, those of replication
//! jobs `ReplicaJobSession`s; each has a task session per VM the job includes.
//!
//! Everything is a function of the world's present, so the history ends near it and, with
//! `--live`, new sessions start at the jobs' next runs and running ones end. Indices: a session
//! of job slot `j` and run `r` is `j << 24 | r` (scheduled runs are numbered by their period
//! since 1970, the runs of actions from `1 << 23`); its task sessions are `session << 8 | k`.

use time::{Duration, OffsetDateTime};

use crate::config::SimConfig;
use crate::family::Family;
use crate::registry::{registry, KindId, Obj};
use crate::store::FIRST_CREATED;
use crate::world::{IndexSet, World};

/// Runs of actions are numbered from here.
const ACTION_RUNS: u64 = 1 << 23;
/// Jobs beyond this many generated ones cannot have sessions (slot space).
const GENERATED_SLOTS: u64 = 1 << 15;
const HOUR: i64 = 3600;

#[derive(Debug)]
struct Kinds {
    job: KindId,
    include: Option<KindId>,
    backup_session: Option<KindId>,
    replica_session: Option<KindId>,
    backup_task: Option<KindId>,
    replica_task: Option<KindId>,
}

/// The jobs family.
#[derive(Debug)]
pub(crate) struct Jobs {
    /// Runs a job's history keeps (the catalogue's `sessions_per_job`).
    keep: u64,
    duration: i64,
    k: Option<Kinds>,
}

/// A job's kind, by its place on its server.
const TYPES: [&str; 7] = [
    "Backup",
    "Replica",
    "BackupCopy",
    "Backup",
    "Backup",
    "Replica",
    "ImmediateBackupCopy",
];

/// One run of a job.
#[derive(Debug, Clone, Copy)]
struct RunInfo {
    start: OffsetDateTime,
    end: OffsetDateTime,
    /// Ended by a stop.
    stopped: bool,
    retry: bool,
    /// The time its state is seen at: the present for runs actions started or stopped, the end
    /// of the generated history for the others (a world without `--live` stays as it was
    /// anchored, byte for byte, but what requests do moves on).
    at: OffsetDateTime,
}

impl Jobs {
    pub fn new(config: &SimConfig) -> Self {
        let reg = registry();
        let k = reg.named("Job").map(|job| Kinds {
            job,
            include: reg.at("/jobs/{}/includes/{}"),
            backup_session: reg.named("BackupJobSession"),
            replica_session: reg.named("ReplicaJobSession"),
            backup_task: reg.named("BackupTaskSession"),
            replica_task: reg.named("ReplicaTaskSession"),
        });
        let keep = reg
            .named("BackupJobSession")
            .and_then(|s| {
                let r = reg.kind(s).resource;
                r.size
                    .and_then(|size| config.sizes.get(size).copied())
                    .or(r.count)
            })
            .unwrap_or(6);
        Self {
            keep: u64::from(keep.max(1)),
            duration: i64::try_from(config.session_duration.as_secs())
                .unwrap_or(600)
                .max(1),
            k,
        }
    }

    fn k(&self) -> &Kinds {
        self.k.as_ref().expect("claimed kinds exist")
    }

    /// Position of job `j` on its server.
    fn position(w: &dyn World, j: u64) -> u64 {
        if j >= FIRST_CREATED {
            j - FIRST_CREATED
        } else {
            j % w.per_owner(registry().named("Job").expect("jobs")).max(1)
        }
    }

    fn job_type(&self, w: &dyn World, j: u64) -> String {
        let o = Obj {
            kind: self.k().job,
            index: j,
        };
        // What a request set (a clone, an edit) wins.
        if let Some(t) = w
            .store()
            .overlay(o)
            .and_then(|ov| ov.patch.as_deref())
            .and_then(|p| crate::render::edits::child_text(p, "JobType"))
        {
            return t;
        }
        let spread = j / w.per_owner(self.k().job).max(1);
        TYPES[((Self::position(w, j) + spread) % TYPES.len() as u64) as usize].to_owned()
    }

    fn is_replica(&self, w: &dyn World, j: u64) -> bool {
        self.job_type(w, j) == "Replica"
    }

    /// Seconds between scheduled runs, and the offset of the first in the day.
    fn schedule(&self, w: &dyn World, j: u64) -> (i64, i64) {
        if self.is_replica(w, j) {
            // Hourly, a few minutes before the anchor's minute: replication is running when
            // the world starts.
            let anchor = w.anchor().unix_timestamp().rem_euclid(HOUR);
            let before = 120 + (w.hash(90, j) % 300) as i64;
            (HOUR, (anchor - before).rem_euclid(HOUR))
        } else {
            // Nightly, between 20:00 and 23:59 UTC.
            (24 * HOUR, 20 * HOUR + (w.hash(90, j) % 240) as i64 * 60)
        }
    }

    fn schedule_enabled(&self, w: &dyn World, j: u64) -> bool {
        let o = Obj {
            kind: self.k().job,
            index: j,
        };
        match w
            .store()
            .overlay(o)
            .and_then(|ov| ov.patch.as_deref())
            .and_then(|p| crate::render::edits::child_text(p, "ScheduleEnabled"))
        {
            Some(v) => v == "true",
            None => Self::position(w, j) % 5 != 4,
        }
    }

    /// The scheduled run `n` starts at.
    fn scheduled_start(&self, w: &dyn World, j: u64, n: u64) -> OffsetDateTime {
        let (period, offset) = self.schedule(w, j);
        OffsetDateTime::UNIX_EPOCH
            + Duration::seconds(n as i64 * period + offset)
            + Duration::seconds((w.hash(91, j << 24 | n) % 40) as i64)
    }

    /// The number of the last scheduled run that started by `t`.
    fn last_scheduled(&self, w: &dyn World, j: u64, t: OffsetDateTime) -> u64 {
        let (period, offset) = self.schedule(w, j);
        u64::try_from((t.unix_timestamp() - offset).div_euclid(period)).unwrap_or(0)
    }

    /// The next scheduled start after the present (with the schedule on).
    fn next_run(&self, w: &dyn World, j: u64) -> Option<OffsetDateTime> {
        if !self.schedule_enabled(w, j) {
            return None;
        }
        let (period, offset) = self.schedule(w, j);
        let n = self.last_scheduled(w, j, w.history_end()) + 1;
        Some(OffsetDateTime::UNIX_EPOCH + Duration::seconds(n as i64 * period + offset))
    }

    fn slot(j: u64) -> Option<u64> {
        if j >= FIRST_CREATED {
            let k = j - FIRST_CREATED;
            (k < GENERATED_SLOTS).then_some(GENERATED_SLOTS + k)
        } else {
            (j < GENERATED_SLOTS).then_some(j)
        }
    }

    fn job_of_slot(slot: u64) -> u64 {
        if slot >= GENERATED_SLOTS {
            FIRST_CREATED + slot - GENERATED_SLOTS
        } else {
            slot
        }
    }

    /// The run ids of job `j`'s history, oldest first.
    fn runs(&self, w: &dyn World, j: u64) -> Vec<u64> {
        let now = w.now();
        let o = Obj {
            kind: self.k().job,
            index: j,
        };
        if !w.exists(o) {
            return Vec::new();
        }
        // Scheduled runs up to where the history ends (up to the anchor only, while the
        // schedule is off).
        let end = w.history_end();
        let until = if self.schedule_enabled(w, j) {
            end
        } else {
            end.min(w.anchor())
        };
        let last = self.last_scheduled(w, j, until);
        // A created job has no history before it was created.
        let born = w.store().created(o).map(|c| c.at);
        let mut runs: Vec<(OffsetDateTime, u64)> = (last + 1 - self.keep.min(last + 1)..=last)
            .map(|n| (self.scheduled_start(w, j, n), n))
            .filter(|(t, _)| born.is_none_or(|b| *t >= b) && *t <= until)
            .collect();
        if let Some(ov) = w.store().overlay(o) {
            for (k, r) in ov.runs.iter().enumerate() {
                if r.started <= now {
                    runs.push((r.started, ACTION_RUNS + k as u64));
                }
            }
        }
        runs.sort();
        let skip = runs.len().saturating_sub(self.keep as usize);
        runs.into_iter().skip(skip).map(|(_, n)| n).collect()
    }

    fn session_index(j: u64, run: u64) -> Option<u64> {
        Some(Self::slot(j)? << 24 | run)
    }

    fn split(s: u64) -> (u64, u64) {
        (Self::job_of_slot(s >> 24), s & ((1 << 24) - 1))
    }

    /// The start, end and how a run ended.
    fn run_info(&self, w: &dyn World, j: u64, run: u64) -> Option<RunInfo> {
        let o = Obj {
            kind: self.k().job,
            index: j,
        };
        let (start, retry) = if run >= ACTION_RUNS {
            let ov = w.store().overlay(o)?;
            let r = ov.runs.get(usize::try_from(run - ACTION_RUNS).ok()?)?;
            (r.started, r.retry)
        } else {
            (self.scheduled_start(w, j, run), false)
        };
        // Durations vary around the configured one (half to one and a half of it).
        let d =
            self.duration / 2 + (w.hash(92, j << 24 | run) % (self.duration as u64).max(1)) as i64;
        let mut end = start + Duration::seconds(d.max(1));
        let mut stopped = false;
        if let Some(ov) = w.store().overlay(o) {
            if let Some(&t) = ov.stops.iter().find(|t| **t >= start && **t < end) {
                end = t;
                stopped = true;
            }
        }
        let at = if run >= ACTION_RUNS || stopped {
            w.now()
        } else {
            w.history_end()
        };
        Some(RunInfo {
            start,
            end,
            stopped,
            retry,
            at,
        })
    }

    fn session_kind(&self, w: &dyn World, j: u64) -> Option<KindId> {
        let k = self.k();
        if self.is_replica(w, j) {
            k.replica_session
        } else {
            k.backup_session
        }
    }

    /// The sessions of job `j` of session kind `kind`.
    fn sessions_of(&self, w: &dyn World, kind: KindId, j: u64) -> Vec<u64> {
        if self.session_kind(w, j) != Some(kind) {
            return Vec::new();
        }
        self.runs(w, j)
            .into_iter()
            .filter_map(|r| Self::session_index(j, r))
            .collect()
    }

    fn all_sessions(&self, w: &dyn World, kind: KindId) -> Vec<u64> {
        let mut out = Vec::new();
        for j in w.objects(self.k().job).iter() {
            out.extend(self.sessions_of(w, kind, j));
        }
        out
    }

    fn session_exists(&self, w: &dyn World, kind: KindId, s: u64) -> bool {
        let (j, run) = Self::split(s);
        self.sessions_of(w, kind, j)
            .contains(&Self::session_index(j, run).unwrap_or(u64::MAX))
    }

    fn result(&self, w: &dyn World, s: u64, info: &RunInfo) -> &'static str {
        if info.at < info.end {
            return "None";
        }
        if info.stopped {
            return "Failed";
        }
        match w.hash(93, s) % 100 {
            0..80 => "Success",
            80..92 => "Warning",
            _ => "Failed",
        }
    }

    /// The VMs (includes) of job `j`.
    fn vms(&self, w: &dyn World, j: u64) -> Vec<u64> {
        match self.k().include {
            Some(include) => w
                .children(
                    include,
                    Obj {
                        kind: self.k().job,
                        index: j,
                    },
                )
                .iter()
                .collect(),
            None => Vec::new(),
        }
    }

    fn is_session(&self, kind: KindId) -> bool {
        let k = self.k();
        Some(kind) == k.backup_session || Some(kind) == k.replica_session
    }

    fn is_task(&self, kind: KindId) -> bool {
        let k = self.k();
        Some(kind) == k.backup_task || Some(kind) == k.replica_task
    }

    fn session_kind_of_task(&self, task_kind: KindId) -> Option<KindId> {
        let k = self.k();
        if Some(task_kind) == k.backup_task {
            k.backup_session
        } else {
            k.replica_session
        }
    }

    fn tasks_of(&self, w: &dyn World, s: u64) -> IndexSet {
        let (j, _) = Self::split(s);
        let n = self.vms(w, j).len() as u64;
        IndexSet::Range(s << 8..(s << 8) + n.min(256))
    }

    fn time(t: OffsetDateTime) -> String {
        veeam_em_model::DateTime::from(t).to_string()
    }

    /// `YYYY-MM-DD hh:mm:ss`, as session names show start times.
    fn stamp(t: OffsetDateTime) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl Family for Jobs {
    fn kinds(&self) -> &'static [&'static str] {
        if self.k.is_none() {
            return &[];
        }
        &[
            "Job",
            "BackupJobSession",
            "ReplicaJobSession",
            "BackupTaskSession",
            "ReplicaTaskSession",
        ]
    }

    fn keeps(&self, w: &dyn World, o: Obj, path: &str) -> Option<bool> {
        // A job's info holds the block of its kind only.
        let block = path.strip_prefix("Job/JobInfo/")?;
        if o.kind != self.k().job || block.contains('/') {
            return None;
        }
        let wanted = match self.job_type(w, o.index).as_str() {
            "Replica" => "ReplicaJobInfo",
            "BackupCopy" => "BackupCopyJobInfo",
            "ImmediateBackupCopy" => "ImmediateBackupCopyJobInfo",
            _ => "BackupJobInfo",
        };
        Some(block == wanted)
    }

    fn objects(&self, w: &dyn World, kind: KindId) -> Option<IndexSet> {
        if self.is_session(kind) {
            return Some(IndexSet::List(self.all_sessions(w, kind)));
        }
        if self.is_task(kind) {
            let sessions = self.all_sessions(w, self.session_kind_of_task(kind)?);
            return Some(IndexSet::Ranges(
                sessions
                    .into_iter()
                    .filter_map(|s| match self.tasks_of(w, s) {
                        IndexSet::Range(r) if !r.is_empty() => Some(r),
                        _ => None,
                    })
                    .collect(),
            ));
        }
        None
    }

    fn children(&self, w: &dyn World, kind: KindId, below: Obj) -> Option<IndexSet> {
        let k = self.k();
        if self.is_session(kind) {
            if below.kind == k.job {
                return Some(IndexSet::List(self.sessions_of(w, kind, below.index)));
            }
            // Any other owner (a backup server): the sessions of its jobs.
            return Some(IndexSet::List(
                w.children(k.job, below)
                    .iter()
                    .flat_map(|j| self.sessions_of(w, kind, j))
                    .collect(),
            ));
        }
        if self.is_task(kind) {
            if self.is_session(below.kind) {
                if !w.exists(below) {
                    return Some(IndexSet::empty());
                }
                return Some(self.tasks_of(w, below.index));
            }
            let session_kind = self.session_kind_of_task(kind)?;
            return Some(IndexSet::List(
                w.children(session_kind, below)
                    .iter()
                    .flat_map(|s| self.tasks_of(w, s).iter().collect::<Vec<_>>())
                    .collect(),
            ));
        }
        None
    }

    fn exists(&self, w: &dyn World, o: Obj) -> Option<bool> {
        if self.is_session(o.kind) {
            return Some(self.session_exists(w, o.kind, o.index));
        }
        if self.is_task(o.kind) {
            let s = o.index >> 8;
            let session_kind = self.session_kind_of_task(o.kind)?;
            return Some(
                self.session_exists(w, session_kind, s) && self.tasks_of(w, s).contains(o.index),
            );
        }
        None
    }

    fn owner(&self, _w: &dyn World, o: Obj) -> Option<u64> {
        if self.is_session(o.kind) {
            return Some(Self::split(o.index).0);
        }
        if self.is_task(o.kind) {
            return Some(o.index >> 8);
        }
        None
    }

    fn name(&self, w: &dyn World, o: Obj) -> Option<String> {
        let k = self.k();
        if self.is_session(o.kind) {
            let (j, run) = Self::split(o.index);
            let info = self.run_info(w, j, run)?;
            let job = w.name(Obj {
                kind: k.job,
                index: j,
            });
            return Some(format!("{job}@{}", Self::stamp(info.start)));
        }
        if self.is_task(o.kind) {
            let s = o.index >> 8;
            let (j, run) = Self::split(s);
            let info = self.run_info(w, j, run)?;
            let vm = self.vm_name(w, j, o.index & 0xff)?;
            return Some(format!("{vm}@{}", Self::stamp(info.start)));
        }
        None
    }

    fn field(&self, w: &dyn World, o: Obj, member: &str) -> Option<Option<String>> {
        self.member(w, o, member)
    }
}

impl Jobs {
    /// A member of a job, session or task session (see `Family::field`).
    fn member(&self, w: &dyn World, o: Obj, member: &str) -> Option<Option<String>> {
        let k = self.k();
        if o.kind == k.job {
            let j = o.index;
            return match member {
                "JobType" => Some(Some(self.job_type(w, j))),
                "Platform" => Some(Some(
                    if self.job_type(w, j).contains("Copy") {
                        "CustomPlatform"
                    } else if w.hash(94, j) % 5 == 0 {
                        "HyperV"
                    } else {
                        "VMware"
                    }
                    .to_owned(),
                )),
                "ScheduleConfigured" => Some(Some("true".to_owned())),
                "ScheduleEnabled" => Some(Some(self.schedule_enabled(w, j).to_string())),
                "NextRun" => Some(self.next_run(w, j).map(Self::time)),
                _ => None,
            };
        }
        if self.is_session(o.kind) {
            let (j, run) = Self::split(o.index);
            let info = self.run_info(w, j, run)?;
            let job = Obj {
                kind: k.job,
                index: j,
            };
            let now = info.at;
            let running = now < info.end;
            let value = match member {
                "JobUid" => Some(w.uid(job)),
                "JobName" => Some(w.name(job)),
                "JobType" => Some(self.job_type(w, j)),
                "CreationTimeUTC" => Some(Self::time(info.start)),
                "EndTimeUTC" => return Some((!running).then(|| Self::time(info.end))),
                "State" => Some(if running { "Working" } else { "Stopped" }.to_owned()),
                "Result" => Some(self.result(w, o.index, &info).to_owned()),
                "Progress" => Some(
                    if running {
                        let total = (info.end - info.start).whole_seconds().max(1);
                        ((now - info.start).whole_seconds() * 100 / total).clamp(0, 99)
                    } else {
                        100
                    }
                    .to_string(),
                ),
                "IsRetry" => Some(info.retry.to_string()),
                _ => None,
            };
            return value.map(Some);
        }
        if self.is_task(o.kind) {
            let s = o.index >> 8;
            let n = o.index & 0xff;
            let (j, run) = Self::split(s);
            let info = self.run_info(w, j, run)?;
            let session_kind = self.session_kind_of_task(o.kind)?;
            let session = Obj {
                kind: session_kind,
                index: s,
            };
            let vms = self.vms(w, j).len().max(1) as i64;
            let span = (info.end - info.start).whole_seconds().max(1);
            // The VMs one after the other.
            let start = info.start + Duration::seconds(span * n as i64 / vms);
            let end = info.start + Duration::seconds(span * (n as i64 + 1) / vms);
            let now = info.at;
            let done = now >= end || (info.stopped && now >= info.end);
            let result = if !done {
                "None"
            } else if info.stopped {
                "Failed"
            } else {
                match self.result(w, s, &info) {
                    r @ ("Failed" | "Warning") if n == 0 => r,
                    _ => "Success",
                }
            };
            let value = match member {
                "JobSessionUid" => Some(w.uid(session)),
                "CreationTimeUTC" => Some(Self::time(start)),
                "EndTimeUTC" => return Some(done.then(|| Self::time(end.min(info.end)))),
                "State" => Some(
                    if done {
                        "Completed"
                    } else if now >= start {
                        "InProgress"
                    } else {
                        "Pending"
                    }
                    .to_owned(),
                ),
                "Result" => Some(result.to_owned()),
                "Reason" => Some(
                    match result {
                        "Failed" if info.stopped => "Job has been stopped by user",
                        "Failed" => "Failed to create VM snapshot: the host is not responding",
                        "Warning" => "Changed block tracking is disabled: the full disk was read",
                        _ => "",
                    }
                    .to_owned(),
                ),
                "TotalSize" => Some(((8 + w.hash(95, o.index) % 200) << 30).to_string()),
                "VmDisplayName" => self.vm_name(w, j, n),
                "VmUid" => {
                    let include = self.vms(w, j).get(usize::try_from(n).ok()?).copied()?;
                    w.field(
                        Obj {
                            kind: k.include?,
                            index: include,
                        },
                        "HierarchyObjRef",
                    )
                }
                _ => None,
            };
            return value.map(Some);
        }
        None
    }

    fn vm_name(&self, w: &dyn World, j: u64, n: u64) -> Option<String> {
        let include = *self.vms(w, j).get(usize::try_from(n).ok()?)?;
        Some(w.name(Obj {
            kind: self.k().include?,
            index: include,
        }))
    }
}
