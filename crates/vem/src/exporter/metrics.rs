//! The metrics, encoded with `prometheus-client` in the Prometheus text format: every series
//! carries `target` and the target's own labels; health series (`veeam_em_up`,
//! `veeam_em_scrape_duration_seconds`, `veeam_em_scrape_errors_total`) for every target, the
//! data series for those that answered. Names follow the conventions: units in names
//! (`_bytes`, `_seconds`, `_ratio`), `_total` for counters, and no label whose values have no
//! bound (no session names, no messages).

use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Metric, Registry};

use super::config::Target;
use super::scrape::Scrape;

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(String, String)>;
type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

/// Every data metric: name and help (the order they are written in).
pub const METRICS: &[(&str, &str)] = &[
    (
        "veeam_em_backup_servers",
        "Backup servers the Enterprise Manager collects from (overview report)",
    ),
    ("veeam_em_proxy_servers", "Backup proxies (overview report)"),
    (
        "veeam_em_repository_servers",
        "Repository servers (overview report)",
    ),
    (
        "veeam_em_jobs_running",
        "Jobs running now (overview report)",
    ),
    (
        "veeam_em_jobs_scheduled",
        "Jobs with a schedule (overview report)",
    ),
    (
        "veeam_em_jobs_scheduled_by_type",
        "Scheduled jobs by type, backup or replica (job statistics report)",
    ),
    (
        "veeam_em_vms_last_state",
        "VMs by the result of their last session: success, warning, failed (overview report)",
    ),
    (
        "veeam_em_job_runs",
        "Job runs in the report's period by result (job statistics report)",
    ),
    (
        "veeam_em_job_max_duration_seconds",
        "Longest job run in the report's period, any, backup or replica (job statistics report)",
    ),
    (
        "veeam_em_vms_protected",
        "Protected VMs (VMs overview report)",
    ),
    (
        "veeam_em_vms_backed_up",
        "Backed-up VMs (VMs overview report)",
    ),
    (
        "veeam_em_vms_replicated",
        "Replicated VMs (VMs overview report)",
    ),
    (
        "veeam_em_restore_points",
        "Restore points (VMs overview report)",
    ),
    (
        "veeam_em_restore_points_bytes",
        "Size of the restore points by kind: full, incremental, replica (VMs overview report)",
    ),
    (
        "veeam_em_source_vms_bytes",
        "Size of the protected VMs (VMs overview report)",
    ),
    (
        "veeam_em_backup_success_ratio",
        "Share of successful backups, 0 to 1 (VMs overview report)",
    ),
    (
        "veeam_em_repository_capacity_bytes",
        "Capacity of a repository (repository report)",
    ),
    (
        "veeam_em_repository_free_bytes",
        "Free space of a repository (repository report)",
    ),
    (
        "veeam_em_repository_backup_bytes",
        "Backups stored on a repository (repository report)",
    ),
    (
        "veeam_em_backup_server_info",
        "A backup server and its version (always 1)",
    ),
    (
        "veeam_em_cdp_policy_enabled",
        "Whether a CDP policy is enabled (1) or disabled (0)",
    ),
    (
        "veeam_em_cdp_policy_last_session_result",
        "The result of a CDP policy's newest replication session: 1 for its result (success, warning, failed, none while it runs), 0 for the others",
    ),
    (
        "veeam_em_cdp_policy_last_session_duration_seconds",
        "How long a CDP policy's newest replication session took, once ended",
    ),
    (
        "veeam_em_cdp_policy_last_success_timestamp_seconds",
        "When a CDP policy's newest successful replication session ended (Unix time; its lag is time() minus this)",
    ),
    (
        "veeam_em_job_last_session_result",
        "The result of a job's newest session: 1 for its result (success, warning, failed, none while it runs), 0 for the others",
    ),
    (
        "veeam_em_job_last_session_duration_seconds",
        "How long a job's newest session took, once ended",
    ),
    (
        "veeam_em_job_last_success_timestamp_seconds",
        "When a job's newest successful session ended (Unix time; time() minus this is its age)",
    ),
    (
        "veeam_em_agents_discovered",
        "Computers discovered for Veeam Agent protection, by agent status",
    ),
    (
        "veeam_em_cloud_tenant_quota_bytes",
        "A Cloud Connect tenant's storage quota on a repository",
    ),
    (
        "veeam_em_cloud_tenant_used_bytes",
        "What a Cloud Connect tenant uses of its quota on a repository",
    ),
];

/// Encodes one metric (without the end marker).
fn put(out: &mut String, name: &str, help: &str, metric: impl Metric) {
    let mut registry = Registry::default();
    registry.register(name, help, metric);
    encode_registry(out, &registry).expect("writing to a String");
}

/// What lives across scrapes: the error counts, by target and kind.
#[derive(Debug, Default)]
pub struct Persistent {
    errors: std::sync::Mutex<std::collections::BTreeMap<(String, String), u64>>,
}

fn base_labels(target: &Target) -> Labels {
    let mut labels = vec![("target".to_owned(), target.name.clone())];
    labels.extend(target.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    labels
}

impl Persistent {
    /// Counts a failed scrape of `target`.
    pub fn error(&self, target: &Target, kind: &str) {
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        *errors
            .entry((target.name.clone(), kind.to_owned()))
            .or_default() += 1;
    }

    /// The text of the scrapes of the targets. One metric at a time is put in a registry,
    /// encoded and dropped: the series of a fleet never all sit in memory at once, only the
    /// text does.
    pub fn encode(&self, scrapes: &[(&Target, &Scrape)]) -> String {
        let mut out = String::new();
        let up = Family::<Labels, Gauge>::default();
        let duration = Family::<Labels, FloatGauge>::default();
        for (target, scrape) in scrapes {
            let labels = base_labels(target);
            up.get_or_create(&labels)
                .set(i64::from(scrape.error.is_none()));
            duration
                .get_or_create(&labels)
                .set(scrape.duration.as_secs_f64());
        }
        put(
            &mut out,
            "veeam_em_up",
            "Whether the last scrape of the target succeeded",
            up,
        );
        put(
            &mut out,
            "veeam_em_scrape_duration_seconds",
            "How long the last scrape of the target took",
            duration,
        );
        // The counts of the targets asked for (all of them, or one with ?target=).
        let errors = Family::<Labels, Counter>::default();
        let counts = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        for (target, _) in scrapes {
            for ((name, kind), n) in counts.range((target.name.clone(), String::new())..) {
                if *name != target.name {
                    break;
                }
                let mut labels = base_labels(target);
                labels.push(("kind".to_owned(), kind.clone()));
                errors.get_or_create(&labels).inc_by(*n);
            }
        }
        drop(counts);
        put(
            &mut out,
            "veeam_em_scrape_errors",
            "Failed scrapes of the target by kind (connect, tls, timeout, credentials, status, body, config, other)",
            errors,
        );
        for (name, help) in METRICS {
            let family = Family::<Labels, FloatGauge>::default();
            let mut any = false;
            for (target, scrape) in scrapes {
                for s in scrape.samples.iter().filter(|s| s.name == *name) {
                    let mut labels = base_labels(target);
                    labels.extend(s.labels.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
                    family.get_or_create(&labels).set(s.value);
                    any = true;
                }
            }
            if any {
                put(&mut out, name, help, family);
            }
        }
        encode_eof(&mut out).expect("writing to a String");
        out
    }
}
