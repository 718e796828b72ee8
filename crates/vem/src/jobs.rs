//! `vem jobs`, `vem job start|stop|retry ID [--wait]`, `vem sessions`, `vem restore-points`:
//! the backup side people look at most, as tables (the generic table of `output.rs`), JSON or
//! XML.

use std::time::Duration;

use veeam_em_api::api;
use veeam_em_client::{Client, Transport};
use veeam_em_model::{Document, Uid};

use crate::exit::Failure;
use crate::output::{print_document, Output};
use crate::started::{id, print_task};

/// Arguments of `vem job`.
#[derive(Debug, clap::Args)]
pub struct JobArgs {
    #[command(subcommand)]
    action: JobAction,
}

#[derive(Debug, clap::Subcommand)]
enum JobAction {
    /// Start the job.
    Start(ActionArgs),
    /// Stop the job.
    Stop(ActionArgs),
    /// Retry the job's last failed run.
    Retry(ActionArgs),
    /// Show the job in full.
    Show {
        /// The job's id or UID.
        id: String,
    },
}

#[derive(Debug, clap::Args)]
struct ActionArgs {
    /// The job's id or UID.
    id: String,
    /// Wait for the task to finish (up to --wait-for).
    #[arg(long)]
    wait: bool,
    /// How long --wait waits, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    wait_for: u64,
}

/// Arguments of `vem sessions`.
#[derive(Debug, clap::Args)]
pub struct SessionArgs {
    /// Only the sessions of this job (its id or UID).
    #[arg(long, value_name = "ID")]
    job: Option<String>,
    /// Replication job sessions instead of backup job sessions.
    #[arg(long)]
    replica: bool,
}

/// `vem jobs`: every job in entity form; as a table, with its last run and result (its newest
/// session's, from the query service: the job entity does not hold them).
pub fn jobs<T: Transport>(client: &Client<T>, output: Output) -> Result<(), Failure> {
    let jobs = client.call(&api::jobs().get_entities())?;
    if output != Output::Table {
        return Ok(print_document(&Document::Jobs(jobs), None, output)?);
    }
    let last = last_sessions(client)?;
    let mut table = crate::table::Table::new(&[
        "NAME",
        "TYPE",
        "PLATFORM",
        "SCHEDULE",
        "NEXT RUN (UTC)",
        "LAST RUN (UTC)",
        "LAST STATE",
        "LAST RESULT",
        "UID",
    ]);
    for job in &jobs.jobs {
        let uid = job
            .uid
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let (started, state, result) = last.get(&uid).cloned().unwrap_or_default();
        table.row(vec![
            job.name.as_deref().unwrap_or_default().to_owned(),
            job.job_type
                .as_ref()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            job.platform
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            match job.schedule_enabled {
                Some(true) => "enabled".into(),
                Some(false) => "disabled".into(),
                None => String::new(),
            },
            crate::table::time(job.next_run.as_ref()),
            started,
            state,
            result,
            uid,
        ]);
    }
    Ok(crate::output::print_table(table)?)
}

/// Each job's newest session: `(start, state, result)` by job UID, from the query service
/// (backup and replication job sessions, newest first).
fn last_sessions<T: Transport>(
    client: &Client<T>,
) -> Result<std::collections::BTreeMap<String, (String, String, String)>, Failure> {
    use veeam_em_api::fields::{backup_job_session as b, replica_job_session as r};
    use veeam_em_api::query::Query;
    let mut out = std::collections::BTreeMap::new();
    let mut keep = |job: Option<&veeam_em_model::Uid>,
                    started: Option<&veeam_em_model::DateTime>,
                    state: String,
                    result: String| {
        if let Some(job) = job {
            out.entry(job.to_string())
                .or_insert_with(|| (crate::table::time(started), state, result));
        }
    };
    let backups = client
        .query_entities(api::query().backup_job_session(Query::new().sort_desc(b::CREATION_TIME)))
        .collect::<Result<Vec<_>, _>>()?;
    for s in &backups {
        keep(
            s.job_uid.as_ref(),
            s.creation_time_utc.as_ref(),
            s.state
                .as_ref()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
            s.result
                .as_ref()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
        );
    }
    let replicas = client
        .query_entities(api::query().replica_job_session(Query::new().sort_desc(r::CREATION_TIME)))
        .collect::<Result<Vec<_>, _>>()?;
    for s in &replicas {
        keep(
            s.job_uid.as_ref(),
            s.creation_time_utc.as_ref(),
            s.state
                .as_ref()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
            s.result
                .as_ref()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
        );
    }
    Ok(out)
}

/// `vem job ...`.
pub fn job<T: Transport>(
    client: &Client<T>,
    args: &JobArgs,
    output: Output,
) -> Result<(), Failure> {
    let (a, task) = match &args.action {
        JobAction::Show { id: job } => {
            let doc = Document::Job(client.call(&api::jobs().id(id(job, "Job")?).get_entity())?);
            return Ok(print_document(&doc, None, output)?);
        }
        JobAction::Start(a) => (a, client.call(&api::jobs().id(id(&a.id, "Job")?).start())?),
        JobAction::Stop(a) => (a, client.call(&api::jobs().id(id(&a.id, "Job")?).stop())?),
        JobAction::Retry(a) => (a, client.call(&api::jobs().id(id(&a.id, "Job")?).retry())?),
    };
    let task = if a.wait {
        crate::started::wait(client, &task.task_id, Duration::from_secs(a.wait_for))?
    } else {
        task
    };
    print_task(task, output)
}

/// The UID of a job given by id or UID.
fn job_uid(text: &str) -> Result<Uid, Failure> {
    let id = id(text, "Job")?;
    Uid::new("Job", &id).map_err(|e| Failure::new(crate::exit::Exit::Usage, format!("{text}: {e}")))
}

/// `vem sessions`: backup (or replication) job sessions, all or of one job (through the query
/// service: the API lists sessions per job nowhere else).
pub fn sessions<T: Transport>(
    client: &Client<T>,
    args: &SessionArgs,
    output: Output,
) -> Result<(), Failure> {
    use veeam_em_api::fields::{backup_job_session as b, replica_job_session as r};
    use veeam_em_api::query::Query;
    let doc = match (&args.job, args.replica) {
        (None, false) => {
            Document::BackupJobSessions(client.call(&api::backup_sessions().get_entities())?)
        }
        (None, true) => {
            Document::ReplicaJobSessions(client.call(&api::replica_sessions().get_entities())?)
        }
        (Some(job), false) => {
            let query = Query::new().filter(b::JOB_UID.eq(job_uid(job)?));
            let items = client
                .query_entities(api::query().backup_job_session(query))
                .collect::<Result<Vec<_>, _>>()?;
            Document::BackupJobSessions(veeam_em_model::BackupJobSessions {
                backup_job_sessions: items,
                ..Default::default()
            })
        }
        (Some(job), true) => {
            let query = Query::new().filter(r::JOB_UID.eq(job_uid(job)?));
            let items = client
                .query_entities(api::query().replica_job_session(query))
                .collect::<Result<Vec<_>, _>>()?;
            Document::ReplicaJobSessions(veeam_em_model::ReplicaJobSessions {
                replica_job_sessions: items,
                ..Default::default()
            })
        }
    };
    Ok(print_document(&doc, None, output)?)
}

/// `vem restore-points`: the VM restore points.
pub fn restore_points<T: Transport>(client: &Client<T>, output: Output) -> Result<(), Failure> {
    let doc = Document::VmRestorePoints(client.call(&api::vm_restore_points().get_entities())?);
    Ok(print_document(&doc, None, output)?)
}
