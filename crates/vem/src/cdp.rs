//! `vem cdp ...`: the CDP family as people look at it: policies, replicas, replication sessions
//! and task sessions as tables, one object in full, and enabling or disabling a policy.

use std::time::Duration;

use veeam_em_api::query::Query;
use veeam_em_api::{api, CATALOGUE};
use veeam_em_client::{Client, Transport};
use veeam_em_model::{
    CdpReplicaSessionItem, CdpReplicaSessions, CdpReplicaTaskSessions, Document, Tasks, Uid,
};

use crate::exit::{Exit, Failure};
use crate::output::{print_document, Output, Progress};
use crate::started::id;

/// Arguments of `vem cdp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

impl Args {
    /// Whether the command changes something (and so talks to one server only).
    pub fn acts(&self) -> bool {
        matches!(self.command, Command::Policy { .. })
    }
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// The CDP policies.
    Policies,
    /// The CDP replicas.
    Replicas,
    /// The replication sessions (all, through the query service, or of one policy).
    Sessions {
        /// Only the sessions of this policy (its id or UID).
        #[arg(long, value_name = "ID")]
        policy: Option<String>,
    },
    /// The task sessions (all, through the query service, or of one replication session).
    TaskSessions {
        /// Only the task sessions of this replication session (its id or UID).
        #[arg(long, value_name = "ID")]
        session: Option<String>,
    },
    /// One object in full, by its UID (urn:veeam:Kind:id) or its href.
    Show {
        /// A UID or an href.
        target: String,
    },
    /// Enable or disable a policy.
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
}

#[derive(Debug, clap::Subcommand)]
enum PolicyAction {
    /// Enable the policy's schedule.
    Enable(PolicyArgs),
    /// Disable the policy's schedule.
    Disable(PolicyArgs),
}

#[derive(Debug, clap::Args)]
struct PolicyArgs {
    /// The policy's id or UID.
    id: String,
    /// Wait for the task to finish (up to --wait-for).
    #[arg(long)]
    wait: bool,
    /// How long --wait waits, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    wait_for: u64,
}

pub fn run<T: Transport>(args: &Args, client: &Client<T>, output: Output) -> Result<(), Failure> {
    match &args.command {
        Command::Policies => {
            let doc = Document::CdpPolicies(client.call(&api::cdp_policies().get_entities())?);
            Ok(print_document(&doc, None, output)?)
        }
        Command::Replicas => {
            let doc = Document::CdpReplicas(client.call(&api::cdp_replicas().get_entities())?);
            Ok(print_document(&doc, None, output)?)
        }
        Command::Sessions { policy } => {
            let list = match policy {
                Some(p) => client.call(
                    &api::cdp_policies()
                        .id(id(p, "CdpPolicy")?)
                        .cdp_replica_sessions()
                        .get_entities(),
                )?,
                None => {
                    let progress = Progress::new();
                    let mut pager =
                        client.query_entities(api::query().cdp_replica_session(Query::new()));
                    let mut items = Vec::new();
                    for item in pager.by_ref() {
                        items.push(CdpReplicaSessionItem::CdpReplicaSession(item?));
                    }
                    let (page, pages) = pager.progress();
                    progress.update(page, pages, items.len());
                    progress.done();
                    CdpReplicaSessions {
                        cdp_replica_session_items: items,
                        unknown: Default::default(),
                    }
                }
            };
            Ok(print_document(
                &Document::CdpReplicaSessions(list),
                None,
                output,
            )?)
        }
        Command::TaskSessions { session } => {
            let list = match session {
                Some(s) => client.call(
                    &api::cdp_replica_sessions()
                        .id(id(s, "CdpReplicaSession")?)
                        .cdp_replica_task_sessions()
                        .get_entities(),
                )?,
                None => {
                    let progress = Progress::new();
                    let mut pager =
                        client.query_entities(api::query().cdp_replica_task_session(Query::new()));
                    let mut items = Vec::new();
                    while let Some(item) = pager.next() {
                        items.push(item?);
                        let (page, pages) = pager.progress();
                        progress.update(page, pages, items.len());
                    }
                    progress.done();
                    CdpReplicaTaskSessions {
                        cdp_replica_task_sessions: items,
                        unknown: Default::default(),
                    }
                }
            };
            Ok(print_document(
                &Document::CdpReplicaTaskSessions(list),
                None,
                output,
            )?)
        }
        Command::Show { target } => show(client, target, output),
        Command::Policy { action } => {
            let (args, enable) = match action {
                PolicyAction::Enable(a) => (a, true),
                PolicyAction::Disable(a) => (a, false),
            };
            let policy = api::cdp_policies().id(id(&args.id, "CdpPolicy")?);
            let task = if enable {
                client.call(&policy.enable())?
            } else {
                client.call(&policy.disable())?
            };
            let task = if args.wait {
                crate::started::wait(client, &task.task_id, Duration::from_secs(args.wait_for))?
            } else {
                task
            };
            Ok(print_document(
                &Document::Tasks(Tasks {
                    tasks: vec![task],
                    unknown: Default::default(),
                }),
                None,
                output,
            )?)
        }
    }
}

/// One object in full: by href, or by UID through the catalogue's entity operation of its kind.
fn show<T: Transport>(client: &Client<T>, target: &str, output: Output) -> Result<(), Failure> {
    let href = if let Ok(uid) = Uid::parse(target) {
        let entry = CATALOGUE
            .iter()
            .find(|e| {
                e.method == "GET"
                    && e.representation() == Some(uid.kind())
                    && e.path.matches('{').count() == 1
                    && e.fixed_query.contains(&("format", "Entity"))
            })
            .ok_or_else(|| {
                Failure::new(
                    Exit::Usage,
                    format!(
                        "a {} cannot be found by its UID alone: give its href",
                        uid.kind()
                    ),
                )
            })?;
        let path = entry
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { uid.id() } else { s })
            .collect::<Vec<_>>()
            .join("/");
        format!("{path}?format=Entity")
    } else {
        target.to_owned()
    };
    crate::get::get(client, &href, output)
}
