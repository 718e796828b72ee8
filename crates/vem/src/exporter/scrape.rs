//! One scrape of one target: the reports and lists the metrics come from, asked for together
//! with the async client and fetched one at a time, bounded by the target's timeout, each
//! turned into samples as it arrives. A failure is never a failed scrape: it is
//! `veeam_em_up 0` and an error counted by kind.

use std::time::{Duration, Instant};

use veeam_em_api::api;
use veeam_em_client::{AsyncClient, ClientError, ReqwestTransport, TransportError};

use super::config::Target;
use super::samples::{Builder, Samples};

/// What one scrape found.
#[derive(Debug, Clone)]
pub struct Scrape {
    pub samples: Samples,
    /// Why it failed (`connect`, `tls`, `timeout`, `credentials`, `status`, `body`, `other`).
    pub error: Option<(&'static str, String)>,
    pub duration: Duration,
    pub at: Instant,
}

/// The kind of a failure, for `veeam_em_scrape_errors_total{kind=...}`.
pub fn kind(error: &ClientError) -> &'static str {
    match error {
        ClientError::Transport { source, .. } => match source {
            TransportError::Connect { .. } => "connect",
            TransportError::Tls { .. } => "tls",
            TransportError::Timeout { .. } => "timeout",
            _ => "transport",
        },
        ClientError::Api(veeam_em_api::ApiError::Status { status, .. })
            if status.as_u16() == 401 =>
        {
            "credentials"
        }
        ClientError::Api(veeam_em_api::ApiError::Status { .. }) => "status",
        ClientError::Api(_) | ClientError::UnknownContent { .. } => "body",
        ClientError::NoCredentials => "credentials",
        _ => "other",
    }
}

fn int(v: Option<i32>) -> Option<f64> {
    v.map(f64::from)
}

fn long(v: Option<i64>) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    v.map(|v| v as f64)
}

/// Requests in flight to one server during a scrape: one, as a client of a slow server should
/// (and as `veeam-exporter` does); a fleet's parallelism is across its servers
/// (`--concurrency`). Each request in flight holds its connection's read buffer (tens of KB,
/// up to 128 KB after a large answer) and the document being decoded: two per target made a
/// tenth of the peak of 100 servers.
pub(super) const IN_FLIGHT: usize = 1;

/// What `start` makes, once `gate` lets it start. Made then and on the heap: a call's future
/// is several KB, and those waiting for their turn (9 of a target's 10) hold no room for it.
pub(super) async fn gated<F: std::future::Future>(
    gate: &tokio::sync::Semaphore,
    start: impl FnOnce() -> F,
) -> F::Output {
    let _permit = gate.acquire().await;
    Box::pin(start()).await
}

/// How many of the newest sessions (CDP replication, backup job) one scrape reads: one page
/// of the query service each, newest first.
const NEWEST_SESSIONS: u32 = 200;

/// The first `NEWEST_SESSIONS` items of a query (one page of that size, newest first when the
/// query sorts so), each cut down to what the series need as it arrives: the whole sessions of
/// many targets are never held at once. A query that fails gives the items read before.
async fn newest<O>(
    client: &AsyncClient<ReqwestTransport>,
    mut op: O,
    brief: fn(O::Entity) -> Newest,
) -> Vec<Newest>
where
    O: veeam_em_api::query::QueryOperation + Send + Sync + 'static,
    O::Entity: Send + 'static,
{
    use futures_util::StreamExt as _;
    use std::future::ready;
    op.query_mut().set_page_size(NEWEST_SESSIONS);
    client
        .query_entities(op)
        .take(NEWEST_SESSIONS as usize)
        .take_while(|item| ready(item.is_ok()))
        .filter_map(|item| ready(item.ok().map(brief)))
        .collect()
        .await
}

/// One session, as the per-owner series need it.
struct Newest {
    /// The policy or job it belongs to.
    owner: String,
    /// `success`, `warning`, `failed`, `none` (running).
    result: Option<String>,
    started: Option<time::OffsetDateTime>,
    ended: Option<time::OffsetDateTime>,
}

impl Newest {
    fn of(
        owner: Option<&str>,
        result: Option<&veeam_em_model::SessionResult>,
        started: Option<&veeam_em_model::DateTime>,
        ended: Option<&veeam_em_model::DateTime>,
    ) -> Self {
        let time = |t: Option<&veeam_em_model::DateTime>| {
            t.and_then(veeam_em_model::DateTime::to_offset_date_time)
        };
        Newest {
            owner: owner.unwrap_or_default().to_owned(),
            result: result.map(|r| r.as_str().to_ascii_lowercase()),
            started: time(started),
            ended: time(ended),
        }
    }

    fn cdp(s: veeam_em_model::CdpReplicaSession) -> Self {
        Self::of(
            s.policy_name.as_deref(),
            s.result.as_ref(),
            s.creation_time_utc.as_ref(),
            s.end_time_utc.as_ref(),
        )
    }

    fn job(s: veeam_em_model::BackupJobSession) -> Self {
        Self::of(
            s.job_name.as_deref(),
            s.result.as_ref(),
            s.creation_time_utc.as_ref(),
            s.end_time_utc.as_ref(),
        )
    }
}

/// The series of the newest sessions of one kind: `(owner label, result metric, duration
/// metric, last success metric)`.
type NewestSeries = (&'static str, &'static str, &'static str, &'static str);

const CDP_SERIES: NewestSeries = (
    "policy",
    "veeam_em_cdp_policy_last_session_result",
    "veeam_em_cdp_policy_last_session_duration_seconds",
    "veeam_em_cdp_policy_last_success_timestamp_seconds",
);

const JOB_SERIES: NewestSeries = (
    "job",
    "veeam_em_job_last_session_result",
    "veeam_em_job_last_session_duration_seconds",
    "veeam_em_job_last_success_timestamp_seconds",
);

/// For each owner of `sessions` (newest first): its newest session's result (one-hot over
/// success, warning, failed, none) and duration once ended, and when its newest success ended
/// (Unix time: the lag or RPO is `time()` minus it).
fn newest_sessions(
    out: &mut Builder,
    sessions: &[Newest],
    (label, result_metric, duration_metric, success_metric): &NewestSeries,
) {
    let mut seen = std::collections::BTreeSet::new();
    let mut succeeded = std::collections::BTreeSet::new();
    for s in sessions {
        let owner = (*label, s.owner.as_str());
        if seen.insert(s.owner.as_str()) {
            for value in ["success", "warning", "failed", "none"] {
                let hot = s.result.as_deref() == Some(value);
                let labels = [owner, ("result", value)];
                out.put(result_metric, &labels, Some(if hot { 1.0 } else { 0.0 }));
            }
            if let (Some(started), Some(ended)) = (s.started, s.ended) {
                let duration = (ended - started).as_seconds_f64();
                out.put(duration_metric, &[owner], Some(duration));
            }
        }
        if s.result.as_deref() == Some("success") && succeeded.insert(s.owner.as_str()) {
            #[allow(clippy::cast_precision_loss)]
            let ended = s.ended.map(|t| t.unix_timestamp() as f64);
            out.put(success_metric, &[owner], ended);
        }
    }
}

/// The overview report.
fn overview(out: &mut Builder, o: veeam_em_model::OverviewReportFrame) {
    out.put("veeam_em_backup_servers", &[], int(o.backup_servers));
    out.put("veeam_em_proxy_servers", &[], int(o.proxy_servers));
    out.put(
        "veeam_em_repository_servers",
        &[],
        int(o.repository_servers),
    );
    out.put("veeam_em_jobs_running", &[], int(o.running_jobs));
    out.put("veeam_em_jobs_scheduled", &[], int(o.scheduled_jobs));
    for (state, value) in [
        ("success", o.successful_vm_lastest_states),
        ("warning", o.warning_vm_lastest_states),
        ("failed", o.failed_vm_lastest_states),
    ] {
        out.put("veeam_em_vms_last_state", &[("state", state)], int(value));
    }
}

/// The job statistics report.
fn job_statistics(out: &mut Builder, j: veeam_em_model::JobStatisticsReportFrame) {
    for (ty, value) in [
        ("backup", j.scheduled_backup_jobs),
        ("replica", j.scheduled_replica_jobs),
    ] {
        out.put(
            "veeam_em_jobs_scheduled_by_type",
            &[("type", ty)],
            int(value),
        );
    }
    for (result, value) in [
        ("success", j.successful_job_runs),
        ("warning", j.warnings_job_runs),
        ("failed", j.failed_job_runs),
    ] {
        out.put("veeam_em_job_runs", &[("result", result)], int(value));
    }
    for (ty, value) in [
        ("any", j.max_job_duration),
        ("backup", j.max_backup_job_duration),
        ("replica", j.max_replica_job_duration),
    ] {
        out.put(
            "veeam_em_job_max_duration_seconds",
            &[("type", ty)],
            int(value),
        );
    }
}

/// The VMs overview report.
fn vms_overview(out: &mut Builder, v: veeam_em_model::VmsOverviewReportFrame) {
    out.put("veeam_em_vms_protected", &[], int(v.protected_vms));
    out.put("veeam_em_vms_backed_up", &[], int(v.backed_up_vms));
    out.put("veeam_em_vms_replicated", &[], int(v.replicated_vms));
    out.put("veeam_em_restore_points", &[], int(v.restore_points));
    for (kind, value) in [
        ("full", v.full_backup_points_size),
        ("incremental", v.incremental_backup_points_size),
        ("replica", v.replica_restore_points_size),
    ] {
        out.put(
            "veeam_em_restore_points_bytes",
            &[("kind", kind)],
            long(value),
        );
    }
    out.put("veeam_em_source_vms_bytes", &[], long(v.source_vms_size));
    let success = int(v.success_backup_percents).map(|p| p / 100.0);
    out.put("veeam_em_backup_success_ratio", &[], success);
}

/// The repository report: one period per repository.
fn repositories(out: &mut Builder, r: veeam_em_model::RepositoryReportFrame) {
    for period in &r.periods {
        let label = [("repository", period.name.as_deref().unwrap_or_default())];
        out.put(
            "veeam_em_repository_capacity_bytes",
            &label,
            long(period.capacity),
        );
        out.put(
            "veeam_em_repository_free_bytes",
            &label,
            long(period.free_space),
        );
        out.put(
            "veeam_em_repository_backup_bytes",
            &label,
            long(period.backup_size),
        );
    }
}

/// The backup servers and their versions.
fn backup_servers(out: &mut Builder, servers: veeam_em_model::BackupServers) {
    for s in &servers.backup_servers {
        let labels = [
            ("backup_server", s.name.as_deref().unwrap_or_default()),
            ("version", s.version.as_deref().unwrap_or_default()),
        ];
        out.put("veeam_em_backup_server_info", &labels, Some(1.0));
    }
}

/// CDP policies: enabled or not.
fn cdp_policies(out: &mut Builder, policies: veeam_em_model::CdpPolicies) {
    for p in &policies.cdp_policies {
        let label = [("policy", p.name.as_deref().unwrap_or_default())];
        let enabled = p.schedule_enabled.map(|e| if e { 1.0 } else { 0.0 });
        out.put("veeam_em_cdp_policy_enabled", &label, enabled);
    }
}

/// Discovered computers by agent status.
fn discovered_computers(out: &mut Builder, agents: veeam_em_model::DiscoveredComputers) {
    let mut by_status = std::collections::BTreeMap::<String, f64>::new();
    for c in &agents.discovered_computers {
        let status = c.agent_status.as_ref().map_or("unknown", |s| s.as_str());
        *by_status.entry(status.to_ascii_lowercase()).or_default() += 1.0;
    }
    for (status, count) in &by_status {
        out.put(
            "veeam_em_agents_discovered",
            &[("agent_status", status)],
            Some(*count),
        );
    }
}

/// Cloud Connect tenants: quota and use per repository (MB in the API).
fn cloud_tenants(out: &mut Builder, tenants: veeam_em_model::CloudTenants) {
    let bytes = |mb: Option<i64>| long(mb).map(|v| v * 1024.0 * 1024.0);
    for t in &tenants.cloud_tenants {
        let tenant = t.name.as_deref().unwrap_or_default();
        let quotas = t
            .resources
            .iter()
            .flat_map(|r| &r.cloud_tenant_resources)
            .filter_map(|r| r.repository_quota.as_ref());
        for q in quotas {
            let labels = [
                ("tenant", tenant),
                ("repository", q.display_name.as_deref().unwrap_or_default()),
            ];
            out.put("veeam_em_cloud_tenant_quota_bytes", &labels, bytes(q.quota));
            out.put(
                "veeam_em_cloud_tenant_used_bytes",
                &labels,
                bytes(q.used_quota),
            );
        }
    }
}

/// Fetches a document once `gate` lets it, and puts its samples into `out` as it arrives: the
/// document is dropped then, not held until the target's other documents have come.
async fn read<D, F>(
    gate: &tokio::sync::Semaphore,
    out: &std::sync::Mutex<Builder>,
    fetch: impl FnOnce() -> F,
    samples: impl FnOnce(&mut Builder, D),
) -> Result<(), ClientError>
where
    F: std::future::Future<Output = Result<D, ClientError>>,
{
    let document = gated(gate, fetch).await?;
    samples(&mut out.lock().unwrap_or_else(|e| e.into_inner()), document);
    Ok(())
}

/// `read`, whose failure is no failure of the scrape (a family the server does not have).
async fn optional(
    read: impl std::future::Future<Output = Result<(), ClientError>>,
) -> Result<(), ClientError> {
    let _ = read.await;
    Ok(())
}

/// Every sample of one target.
async fn samples(client: &AsyncClient<ReqwestTransport>) -> Result<Samples, ClientError> {
    let summary = || api::reports().summary();
    let ops = (
        summary().overview().get(),
        summary().job_statistics().get(),
        summary().vms_overview().get(),
        summary().repository().get(),
        api::backup_servers().get_entities(),
        api::cdp_policies().get_entities(),
        api::cloud().tenants().get_entities(),
        api::agents().discovered_computers().get_entities(),
    );
    // At most IN_FLIGHT requests to one server at a time: kind to a slow Enterprise Manager,
    // and a scrape holds at most concurrency * IN_FLIGHT connections (none between scrapes),
    // not 10 per target. The documents are asked for together and wait at the gate.
    let gate = tokio::sync::Semaphore::new(IN_FLIGHT);
    let out = std::sync::Mutex::new(Builder::default());
    // The newest CDP replication and backup job sessions: each policy's and each job's latest.
    let newest_cdp = || async {
        use veeam_em_api::fields::cdp_replica_session as f;
        let query = veeam_em_api::query::Query::new().sort_desc(f::CREATION_TIME_UTC);
        let op = api::query().cdp_replica_session(query);
        Ok::<_, ClientError>(newest(client, op, Newest::cdp).await)
    };
    let newest_jobs = || async {
        use veeam_em_api::fields::backup_job_session as f;
        let query = veeam_em_api::query::Query::new().sort_desc(f::CREATION_TIME);
        let op = api::query().backup_job_session(query);
        Ok::<_, ClientError>(newest(client, op, Newest::job).await)
    };
    let sessions = |series: &'static NewestSeries| {
        move |out: &mut Builder, sessions: Vec<Newest>| newest_sessions(out, &sessions, series)
    };
    // The reports and the backup servers every Enterprise Manager has: the first of them that
    // fails ends the scrape (the documents not yet asked for are not; with bad credentials,
    // one logon fails, not ten). A server without the CDP, Cloud Connect or agents family
    // answers an error there: no series, not a failed scrape (and the sessions of a failed
    // query are those read before it failed).
    tokio::try_join!(
        read(&gate, &out, || client.call(&ops.0), overview),
        read(&gate, &out, || client.call(&ops.1), job_statistics),
        read(&gate, &out, || client.call(&ops.2), vms_overview),
        read(&gate, &out, || client.call(&ops.3), repositories),
        read(&gate, &out, || client.call(&ops.4), backup_servers),
        optional(read(&gate, &out, || client.call(&ops.5), cdp_policies)),
        optional(read(&gate, &out, || client.call(&ops.6), cloud_tenants)),
        optional(read(
            &gate,
            &out,
            || client.call(&ops.7),
            discovered_computers
        )),
        optional(read(&gate, &out, newest_cdp, sessions(&CDP_SERIES))),
        optional(read(&gate, &out, newest_jobs, sessions(&JOB_SERIES))),
    )?;
    Ok(out.into_inner().unwrap_or_else(|e| e.into_inner()).finish())
}

/// Scrapes `target` with `client`, bounded by its timeout.
pub async fn scrape(target: &Target, client: &AsyncClient<ReqwestTransport>) -> Scrape {
    let at = Instant::now();
    let result = tokio::time::timeout(target.timeout(), samples(client)).await;
    let duration = at.elapsed();
    let (samples, error) = match result {
        Ok(Ok(samples)) => (samples, None),
        Ok(Err(e)) => (Samples::default(), Some((kind(&e), e.to_string()))),
        Err(_) => (
            Samples::default(),
            Some((
                "timeout",
                format!("no answer within {} s", target.timeout().as_secs()),
            )),
        ),
    };
    Scrape {
        samples,
        error,
        duration,
        at,
    }
}
