//! `vem cloud tenants`, `vem cloud tenant show ID`, `vem cloud tenant set-quota ID ...`: what a
//! Cloud Connect provider looks at and changes most, tenants and their storage quotas.
//!
//! `set-quota` is a read-modify-write of the tenant: it reads the tenant's entity, changes one
//! repository quota and sends the whole entity back, so every other setting (and anything a
//! newer server sends that this tool does not know) stays as it was.

use std::time::Duration;

use veeam_em_api::api;
use veeam_em_client::{Client, Transport};
use veeam_em_model::{CloudTenant, CloudTenantRepositoryQuotaInfo, Document};

use crate::exit::{Exit, Failure};
use crate::output::{print_document, Output};
use crate::started::{id as tenant_id, print_task};
use crate::table::Table;

/// Arguments of `vem cloud`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

impl Args {
    /// Whether the command changes something (and so talks to one server only).
    pub fn acts(&self) -> bool {
        matches!(
            self.command,
            Command::Tenant {
                action: TenantAction::SetQuota { .. }
            }
        )
    }
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Every tenant with its state, counters and storage quotas.
    Tenants,
    /// One tenant.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
}

#[derive(Debug, clap::Subcommand)]
enum TenantAction {
    /// Show a tenant in full.
    Show {
        /// The tenant's id or UID.
        id: String,
    },
    /// Change the storage quota a tenant has on one cloud repository.
    SetQuota {
        /// The tenant's id or UID.
        id: String,
        /// The quota, in MB (the unit of the API).
        #[arg(long, value_name = "MB")]
        quota_mb: i64,
        /// The quota's resource: the repository's display name or UID, or the resource's id
        /// (any resource can be named by its id) [default: the tenant's only one].
        #[arg(long, value_name = "NAME|UID|ID")]
        repository: Option<String>,
        /// Wait for the task to finish (up to --wait-for).
        #[arg(long)]
        wait: bool,
        /// How long --wait waits, in seconds.
        #[arg(long, default_value_t = 300, value_name = "SECONDS")]
        wait_for: u64,
    },
}

/// Runs `vem cloud`.
pub fn run<T: Transport>(client: &Client<T>, args: &Args, output: Output) -> Result<(), Failure> {
    match &args.command {
        Command::Tenants => tenants(client, output),
        Command::Tenant {
            action: TenantAction::Show { id },
        } => {
            let doc = Document::CloudTenant(
                client.call(
                    &api::cloud()
                        .tenants()
                        .id(tenant_id(id, "CloudTenant")?)
                        .get_entity(),
                )?,
            );
            Ok(print_document(&doc, None, output)?)
        }
        Command::Tenant {
            action:
                TenantAction::SetQuota {
                    id,
                    quota_mb,
                    repository,
                    wait,
                    wait_for,
                },
        } => set_quota(
            client,
            &tenant_id(id, "CloudTenant")?,
            *quota_mb,
            repository.as_deref(),
            wait.then(|| Duration::from_secs(*wait_for)),
            output,
        ),
    }
}

fn quotas(tenant: &CloudTenant) -> impl Iterator<Item = &CloudTenantRepositoryQuotaInfo> {
    tenant
        .resources
        .iter()
        .flat_map(|r| &r.cloud_tenant_resources)
        .filter_map(|r| r.repository_quota.as_ref())
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// `vem cloud tenants`.
fn tenants<T: Transport>(client: &Client<T>, output: Output) -> Result<(), Failure> {
    let list = client.call(&api::cloud().tenants().get_entities())?;
    if output != Output::Table {
        return Ok(print_document(&Document::CloudTenants(list), None, output)?);
    }
    let mut table = Table::new(&[
        "NAME",
        "ENABLED",
        "LAST RESULT",
        "VMS",
        "BACKUPS",
        "REPLICAS",
        "QUOTA MB",
        "USED MB",
        "ID",
    ]);
    for t in &list.cloud_tenants {
        let (quota, used) = quotas(t).fold((None::<i64>, None::<i64>), |(q, u), r| {
            (
                r.quota.map(|v| q.unwrap_or(0) + v).or(q),
                r.used_quota.map(|v| u.unwrap_or(0) + v).or(u),
            )
        });
        table.row(vec![
            opt(t.name.as_ref()),
            opt(t.enabled),
            opt(t.last_result.as_ref().map(|r| r.as_str())),
            opt(t.vm_count),
            opt(t.backup_count),
            opt(t.replica_count),
            opt(quota),
            opt(used),
            t.uid
                .as_ref()
                .map(|u| u.id().to_owned())
                .unwrap_or_default(),
        ]);
    }
    Ok(crate::output::print_table(table)?)
}

/// `vem cloud tenant set-quota`: read, change one repository quota, write back.
fn set_quota<T: Transport>(
    client: &Client<T>,
    id: &str,
    quota_mb: i64,
    repository: Option<&str>,
    wait: Option<Duration>,
    output: Output,
) -> Result<(), Failure> {
    if quota_mb < 0 {
        return Err(Failure::new(Exit::Usage, "--quota-mb cannot be negative"));
    }
    let tenant = api::cloud().tenants().id(id);
    let mut entity = client.call(&tenant.clone().get_entity())?;
    // Each quota's resource, named as a user can name it: the repository's display name, else
    // its UID, else the resource's id.
    let label = |r: &veeam_em_model::CloudTenantResource| {
        let q = r.repository_quota.as_ref();
        q.and_then(|q| q.display_name.as_ref().map(ToString::to_string))
            .or_else(|| q.and_then(|q| q.repository_uid.as_ref().map(ToString::to_string)))
            .or_else(|| r.id.as_ref().map(ToString::to_string))
            .unwrap_or_else(|| "(a resource without name or id)".to_owned())
    };
    let names: Vec<String> = entity
        .resources
        .iter()
        .flat_map(|r| &r.cloud_tenant_resources)
        .filter(|r| r.repository_quota.is_some())
        .map(label)
        .collect();
    let resources = entity
        .resources
        .iter_mut()
        .flat_map(|r| r.cloud_tenant_resources.iter_mut())
        .filter(|r| r.repository_quota.is_some());
    let mut matching: Vec<&mut veeam_em_model::CloudTenantResource> = match repository {
        Some(wanted) => resources
            .filter(|r| {
                let q = r.repository_quota.as_ref();
                q.and_then(|q| q.display_name.as_ref())
                    .is_some_and(|n| n.as_str() == wanted)
                    || q.and_then(|q| q.repository_uid.as_ref()).is_some_and(|u| {
                        u.as_str().eq_ignore_ascii_case(wanted)
                            || u.id().eq_ignore_ascii_case(wanted)
                    })
                    || r.id
                        .as_ref()
                        .is_some_and(|id| id.as_str().eq_ignore_ascii_case(wanted))
            })
            .collect(),
        None => resources.collect(),
    };
    let resource = match matching.len() {
        1 => matching.remove(0),
        0 => {
            return Err(Failure::new(
                Exit::Local,
                match repository {
                    Some(r) => format!(
                        "the tenant has no quota on {r:?}; its quotas: {}",
                        names.join(", ")
                    ),
                    None => "the tenant has no repository quota".to_owned(),
                },
            ))
        }
        _ => {
            return Err(Failure::new(
                Exit::Usage,
                format!(
                    "the tenant has several quotas ({}): choose one with --repository",
                    names.join(", ")
                ),
            ))
        }
    };
    let Some(quota) = resource.repository_quota.as_mut() else {
        return Err(Failure::new(Exit::Local, "the resource has no quota"));
    };
    quota.quota = Some(quota_mb);
    let task = client.call(&tenant.update(entity))?;
    let task = match wait {
        Some(timeout) => crate::started::wait(client, &task.task_id, timeout)?,
        None => task,
    };
    print_task(task, output)
}
