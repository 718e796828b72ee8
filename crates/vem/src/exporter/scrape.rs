//! One scrape of one target: the reports and lists the metrics come from, fetched concurrently
//! with the async client, bounded by the target's timeout, turned into samples. A failure is
//! never a failed scrape: it is `veeam_em_up 0` and an error counted by kind.

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

/// Requests in flight to one server during a scrape.
pub(super) const IN_FLIGHT: usize = 2;

/// What `start` makes, once `gate` lets it start. Made then and on the heap: a call's future
/// is several KB, and those waiting for their turn (8 of a target's 10) hold no room for it.
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
/// many targets are never held at once.
async fn newest<O>(
    client: &AsyncClient<ReqwestTransport>,
    mut op: O,
    brief: fn(O::Entity) -> Newest,
) -> Vec<Result<Newest, ClientError>>
where
    O: veeam_em_api::query::QueryOperation + Send + Sync + 'static,
    O::Entity: Send + 'static,
{
    use futures_util::StreamExt as _;
    op.query_mut().set_page_size(NEWEST_SESSIONS);
    client
        .query_entities(op)
        .take(NEWEST_SESSIONS as usize)
        .map(|item| item.map(brief))
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
    put: &mut impl FnMut(&'static str, Vec<(&'static str, String)>, Option<f64>),
    sessions: &[Newest],
    (label, result_metric, duration_metric, success_metric): &NewestSeries,
) {
    let mut seen = std::collections::BTreeSet::new();
    let mut succeeded = std::collections::BTreeSet::new();
    for s in sessions {
        let owner = || vec![(*label, s.owner.clone())];
        if seen.insert(s.owner.as_str()) {
            for value in ["success", "warning", "failed", "none"] {
                let mut labels = owner();
                labels.push(("result", value.into()));
                let hot = s.result.as_deref() == Some(value);
                put(result_metric, labels, Some(if hot { 1.0 } else { 0.0 }));
            }
            if let (Some(started), Some(ended)) = (s.started, s.ended) {
                put(
                    duration_metric,
                    owner(),
                    Some((ended - started).as_seconds_f64()),
                );
            }
        }
        if s.result.as_deref() == Some("success") && succeeded.insert(s.owner.as_str()) {
            #[allow(clippy::cast_precision_loss)]
            let ended = s.ended.map(|t| t.unix_timestamp() as f64);
            put(success_metric, owner(), ended);
        }
    }
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
    // not 10 per target.
    let gate = tokio::sync::Semaphore::new(IN_FLIGHT);
    // The newest CDP replication and backup job sessions: each policy's and each job's latest.
    let newest_cdp = || {
        use veeam_em_api::fields::cdp_replica_session as f;
        let query = veeam_em_api::query::Query::new().sort_desc(f::CREATION_TIME_UTC);
        newest(client, api::query().cdp_replica_session(query), Newest::cdp)
    };
    let newest_jobs = || {
        use veeam_em_api::fields::backup_job_session as f;
        let query = veeam_em_api::query::Query::new().sort_desc(f::CREATION_TIME);
        newest(client, api::query().backup_job_session(query), Newest::job)
    };
    let (
        overview,
        jobs,
        vms,
        repositories,
        servers,
        policies,
        tenants,
        agents,
        cdp_sessions,
        job_sessions,
    ) = tokio::join!(
        gated(&gate, || client.call(&ops.0)),
        gated(&gate, || client.call(&ops.1)),
        gated(&gate, || client.call(&ops.2)),
        gated(&gate, || client.call(&ops.3)),
        gated(&gate, || client.call(&ops.4)),
        gated(&gate, || client.call(&ops.5)),
        gated(&gate, || client.call(&ops.6)),
        gated(&gate, || client.call(&ops.7)),
        gated(&gate, newest_cdp),
        gated(&gate, newest_jobs),
    );
    let (overview, jobs, vms, repositories, servers) =
        (overview?, jobs?, vms?, repositories?, servers?);
    let mut out = Builder::default();
    let mut put = |name: &'static str, labels: Vec<(&'static str, String)>, value: Option<f64>| {
        if let Some(value) = value {
            let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
            out.put(name, &labels, value);
        }
    };
    // The overview report.
    put(
        "veeam_em_backup_servers",
        vec![],
        int(overview.backup_servers),
    );
    put(
        "veeam_em_proxy_servers",
        vec![],
        int(overview.proxy_servers),
    );
    put(
        "veeam_em_repository_servers",
        vec![],
        int(overview.repository_servers),
    );
    put("veeam_em_jobs_running", vec![], int(overview.running_jobs));
    put(
        "veeam_em_jobs_scheduled",
        vec![],
        int(overview.scheduled_jobs),
    );
    for (state, value) in [
        ("success", overview.successful_vm_lastest_states),
        ("warning", overview.warning_vm_lastest_states),
        ("failed", overview.failed_vm_lastest_states),
    ] {
        put(
            "veeam_em_vms_last_state",
            vec![("state", state.into())],
            int(value),
        );
    }
    // Job statistics.
    for (ty, value) in [
        ("backup", jobs.scheduled_backup_jobs),
        ("replica", jobs.scheduled_replica_jobs),
    ] {
        put(
            "veeam_em_jobs_scheduled_by_type",
            vec![("type", ty.into())],
            int(value),
        );
    }
    for (result, value) in [
        ("success", jobs.successful_job_runs),
        ("warning", jobs.warnings_job_runs),
        ("failed", jobs.failed_job_runs),
    ] {
        put(
            "veeam_em_job_runs",
            vec![("result", result.into())],
            int(value),
        );
    }
    for (ty, value) in [
        ("any", jobs.max_job_duration),
        ("backup", jobs.max_backup_job_duration),
        ("replica", jobs.max_replica_job_duration),
    ] {
        put(
            "veeam_em_job_max_duration_seconds",
            vec![("type", ty.into())],
            int(value),
        );
    }
    // VMs overview.
    put("veeam_em_vms_protected", vec![], int(vms.protected_vms));
    put("veeam_em_vms_backed_up", vec![], int(vms.backed_up_vms));
    put("veeam_em_vms_replicated", vec![], int(vms.replicated_vms));
    put("veeam_em_restore_points", vec![], int(vms.restore_points));
    for (kind, value) in [
        ("full", vms.full_backup_points_size),
        ("incremental", vms.incremental_backup_points_size),
        ("replica", vms.replica_restore_points_size),
    ] {
        put(
            "veeam_em_restore_points_bytes",
            vec![("kind", kind.into())],
            long(value),
        );
    }
    put(
        "veeam_em_source_vms_bytes",
        vec![],
        long(vms.source_vms_size),
    );
    put(
        "veeam_em_backup_success_ratio",
        vec![],
        int(vms.success_backup_percents).map(|p| p / 100.0),
    );
    // Repositories (the report's periods: one per repository).
    for period in &repositories.periods {
        let name = period.name.as_deref().unwrap_or_default().to_owned();
        let label = || vec![("repository", name.clone())];
        put(
            "veeam_em_repository_capacity_bytes",
            label(),
            long(period.capacity),
        );
        put(
            "veeam_em_repository_free_bytes",
            label(),
            long(period.free_space),
        );
        put(
            "veeam_em_repository_backup_bytes",
            label(),
            long(period.backup_size),
        );
    }
    // Backup servers.
    for s in &servers.backup_servers {
        put(
            "veeam_em_backup_server_info",
            vec![
                (
                    "backup_server",
                    s.name.as_deref().unwrap_or_default().to_owned(),
                ),
                (
                    "version",
                    s.version.as_deref().unwrap_or_default().to_owned(),
                ),
            ],
            Some(1.0),
        );
    }
    // CDP policies: enabled or not (a server without the CDP family answers an error: no
    // series, not a failed scrape).
    if let Ok(policies) = policies {
        for p in &policies.cdp_policies {
            put(
                "veeam_em_cdp_policy_enabled",
                vec![("policy", p.name.as_deref().unwrap_or_default().to_owned())],
                p.schedule_enabled.map(|e| if e { 1.0 } else { 0.0 }),
            );
        }
    }
    // Each CDP policy's and each job's newest session.
    let cdp: Vec<Newest> = cdp_sessions.into_iter().map_while(Result::ok).collect();
    newest_sessions(&mut put, &cdp, &CDP_SERIES);
    let job_sessions: Vec<Newest> = job_sessions.into_iter().map_while(Result::ok).collect();
    newest_sessions(&mut put, &job_sessions, &JOB_SERIES);
    // Discovered computers by agent status (a server without the agents family: no series).
    if let Ok(agents) = agents {
        let mut by_status = std::collections::BTreeMap::<String, f64>::new();
        for c in &agents.discovered_computers {
            let status = c
                .agent_status
                .as_ref()
                .map_or("unknown", |s| s.as_str())
                .to_ascii_lowercase();
            *by_status.entry(status).or_default() += 1.0;
        }
        for (status, count) in by_status {
            put(
                "veeam_em_agents_discovered",
                vec![("agent_status", status)],
                Some(count),
            );
        }
    }
    // Cloud Connect tenants: quota and use per repository (MB in the API).
    if let Ok(tenants) = tenants {
        for t in &tenants.cloud_tenants {
            let tenant = t.name.as_deref().unwrap_or_default().to_owned();
            let quotas = t
                .resources
                .iter()
                .flat_map(|r| &r.cloud_tenant_resources)
                .filter_map(|r| r.repository_quota.as_ref());
            for q in quotas {
                let labels = || {
                    vec![
                        ("tenant", tenant.clone()),
                        (
                            "repository",
                            q.display_name.as_deref().unwrap_or_default().to_owned(),
                        ),
                    ]
                };
                let bytes = |mb: Option<i64>| long(mb).map(|v| v * 1024.0 * 1024.0);
                put(
                    "veeam_em_cloud_tenant_quota_bytes",
                    labels(),
                    bytes(q.quota),
                );
                put(
                    "veeam_em_cloud_tenant_used_bytes",
                    labels(),
                    bytes(q.used_quota),
                );
            }
        }
    }
    Ok(out.finish())
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
