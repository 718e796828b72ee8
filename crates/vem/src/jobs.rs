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

/// `vem jobs`: every job in entity form.
pub fn jobs<T: Transport>(client: &Client<T>, output: Output) -> Result<(), Failure> {
    let doc = Document::Jobs(client.call(&api::jobs().get_entities())?);
    Ok(print_document(&doc, None, output)?)
}

/// `vem job ...`.
pub fn job<T: Transport>(
    client: &Client<T>,
    args: &JobArgs,
    output: Output,
) -> Result<(), Failure> {
    let (a, task) = match &args.action {
        JobAction::Show { id: job } => {
            let doc = Document::Job(client.call(&api::jobs().id(id(job)).get_entity())?);
            return Ok(print_document(&doc, None, output)?);
        }
        JobAction::Start(a) => (a, client.call(&api::jobs().id(id(&a.id)).start())?),
        JobAction::Stop(a) => (a, client.call(&api::jobs().id(id(&a.id)).stop())?),
        JobAction::Retry(a) => (a, client.call(&api::jobs().id(id(&a.id)).retry())?),
    };
    let task = if a.wait {
        client.wait_task(&task.task_id, Duration::from_secs(a.wait_for))?
    } else {
        task
    };
    print_task(task, output)
}

/// The UID of a job given by id or UID.
fn job_uid(text: &str) -> Result<Uid, Failure> {
    Uid::parse(text)
        .or_else(|_| Uid::new("Job", text))
        .map_err(|e| Failure::new(crate::exit::Exit::Usage, format!("{text}: {e}")))
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
