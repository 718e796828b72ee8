//! The metrics, encoded with `prometheus-client` in the Prometheus text format: every series
//! carries `target` and the target's own labels; health series (`veeam_em_up`,
//! `veeam_em_scrape_duration_seconds`, `veeam_em_scrape_errors_total`) for every target, the
//! data series for those that answered. Names follow the conventions: units in names
//! (`_bytes`, `_seconds`, `_ratio`), `_total` for counters, and no label whose values have no
//! bound (no session names, no messages).
//!
//! An answer is written one metric at a time, as the connection takes it: a collector
//! (`prometheus-client`'s seam for metrics kept elsewhere) encodes the series of one metric
//! straight from the cached scrapes. Neither the text of a fleet (about 1 MB for 100 servers)
//! nor a copy of its series in `Family` maps is ever held whole.

use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use super::config::Target;
use super::scrape::Scrape;

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The labels every series of a target carries: `target` and the target's own.
pub type BaseLabels = Arc<[(String, String)]>;

/// Every data metric: name and help (the order they are written in). Help ends with a period,
/// as `prometheus-client`'s registry writes it.
pub const METRICS: &[(&str, &str)] = &[
    (
        "veeam_em_backup_servers",
        "Backup servers the Enterprise Manager collects from (overview report).",
    ),
    ("veeam_em_proxy_servers", "Backup proxies (overview report)."),
    (
        "veeam_em_repository_servers",
        "Repository servers (overview report).",
    ),
    (
        "veeam_em_jobs_running",
        "Jobs running now (overview report).",
    ),
    (
        "veeam_em_jobs_scheduled",
        "Jobs with a schedule (overview report).",
    ),
    (
        "veeam_em_jobs_scheduled_by_type",
        "Scheduled jobs by type, backup or replica (job statistics report).",
    ),
    (
        "veeam_em_vms_last_state",
        "VMs by the result of their last session: success, warning, failed (overview report).",
    ),
    (
        "veeam_em_job_runs",
        "Job runs in the report's period by result (job statistics report).",
    ),
    (
        "veeam_em_job_max_duration_seconds",
        "Longest job run in the report's period, any, backup or replica (job statistics report).",
    ),
    (
        "veeam_em_vms_protected",
        "Protected VMs (VMs overview report).",
    ),
    (
        "veeam_em_vms_backed_up",
        "Backed-up VMs (VMs overview report).",
    ),
    (
        "veeam_em_vms_replicated",
        "Replicated VMs (VMs overview report).",
    ),
    (
        "veeam_em_restore_points",
        "Restore points (VMs overview report).",
    ),
    (
        "veeam_em_restore_points_bytes",
        "Size of the restore points by kind: full, incremental, replica (VMs overview report).",
    ),
    (
        "veeam_em_source_vms_bytes",
        "Size of the protected VMs (VMs overview report).",
    ),
    (
        "veeam_em_backup_success_ratio",
        "Share of successful backups, 0 to 1 (VMs overview report).",
    ),
    (
        "veeam_em_repository_capacity_bytes",
        "Capacity of a repository (repository report).",
    ),
    (
        "veeam_em_repository_free_bytes",
        "Free space of a repository (repository report).",
    ),
    (
        "veeam_em_repository_backup_bytes",
        "Backups stored on a repository (repository report).",
    ),
    (
        "veeam_em_backup_server_info",
        "A backup server and its version (always 1).",
    ),
    (
        "veeam_em_cdp_policy_enabled",
        "Whether a CDP policy is enabled (1) or disabled (0).",
    ),
    (
        "veeam_em_cdp_policy_last_session_result",
        "The result of a CDP policy's newest replication session: 1 for its result (success, warning, failed, none while it runs), 0 for the others.",
    ),
    (
        "veeam_em_cdp_policy_last_session_duration_seconds",
        "How long a CDP policy's newest replication session took, once ended.",
    ),
    (
        "veeam_em_cdp_policy_last_success_timestamp_seconds",
        "When a CDP policy's newest successful replication session ended (Unix time; its lag is time() minus this).",
    ),
    (
        "veeam_em_job_last_session_result",
        "The result of a job's newest session: 1 for its result (success, warning, failed, none while it runs), 0 for the others.",
    ),
    (
        "veeam_em_job_last_session_duration_seconds",
        "How long a job's newest session took, once ended.",
    ),
    (
        "veeam_em_job_last_success_timestamp_seconds",
        "When a job's newest successful session ended (Unix time; time() minus this is its age).",
    ),
    (
        "veeam_em_agents_discovered",
        "Computers discovered for Veeam Agent protection, by agent status.",
    ),
    (
        "veeam_em_cloud_tenant_quota_bytes",
        "A Cloud Connect tenant's storage quota on a repository.",
    ),
    (
        "veeam_em_cloud_tenant_used_bytes",
        "What a Cloud Connect tenant uses of its quota on a repository.",
    ),
];

/// `target` and the target's own labels, made once per target.
pub fn base_labels(target: &Target) -> BaseLabels {
    std::iter::once(("target".to_owned(), target.name.clone()))
        .chain(target.labels.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect()
}

/// What lives across scrapes: the error counts, by target and kind.
#[derive(Debug, Default)]
pub struct Persistent {
    errors: std::sync::Mutex<std::collections::BTreeMap<(String, String), u64>>,
}

impl Persistent {
    /// Counts a failed scrape of `target`.
    pub fn error(&self, target: &Target, kind: &str) {
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        *errors
            .entry((target.name.clone(), kind.to_owned()))
            .or_default() += 1;
    }

    /// The answer for `scrapes` (a target's name, base labels and last scrape), with the error
    /// counts of those targets as they are now.
    pub fn answer(&self, scrapes: Vec<(&str, BaseLabels, Arc<Scrape>)>) -> Answer {
        let counts = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        let mut errors = Vec::new();
        for (i, (name, _, _)) in scrapes.iter().enumerate() {
            let of_target = counts
                .range(((*name).to_owned(), String::new())..)
                .take_while(|((n, _), _)| n == name);
            errors.extend(of_target.map(|((_, kind), n)| (i, kind.clone(), *n)));
        }
        drop(counts);
        Answer {
            targets: scrapes
                .into_iter()
                .map(|(_, labels, scrape)| (labels, scrape))
                .collect(),
            errors,
        }
    }
}

/// The metrics of one `/metrics` answer: the scrapes of the targets asked for, and their error
/// counts (target, kind, count).
#[derive(Debug)]
pub struct Answer {
    targets: Vec<(BaseLabels, Arc<Scrape>)>,
    errors: Vec<(usize, String, u64)>,
}

impl Answer {
    /// The text, in pieces made as they are asked for: one per metric with series, then the
    /// end marker.
    pub fn chunks(self) -> impl Iterator<Item = String> + Send + Sync + 'static {
        let answer = Arc::new(self);
        Metric::all()
            .filter_map(move |metric| {
                // A metric without series is left out, as `prometheus-client` leaves out an
                // empty family (a fleet without failures has no `veeam_em_scrape_errors`).
                if !metric.has_series(&answer) {
                    return None;
                }
                let mut registry = Registry::default();
                registry.register_collector(Box::new(OneMetric {
                    answer: Arc::clone(&answer),
                    metric,
                }));
                let mut text = String::new();
                encode_registry(&mut text, &registry).expect("writing to a String");
                Some(text)
            })
            .chain(std::iter::once_with(|| {
                let mut text = String::new();
                encode_eof(&mut text).expect("writing to a String");
                text
            }))
    }
}

/// A metric of an answer: the health of the targets, or one of `METRICS` (by index).
#[derive(Debug, Clone, Copy)]
enum Metric {
    Up,
    ScrapeDuration,
    ScrapeErrors,
    Data(usize),
}

impl Metric {
    /// Every metric of an answer, in the order they are written.
    fn all() -> impl Iterator<Item = Metric> {
        [Metric::Up, Metric::ScrapeDuration, Metric::ScrapeErrors]
            .into_iter()
            .chain((0..METRICS.len()).map(Metric::Data))
    }

    /// Whether `answer` has series of this metric.
    fn has_series(self, answer: &Answer) -> bool {
        match self {
            Metric::Up | Metric::ScrapeDuration => !answer.targets.is_empty(),
            Metric::ScrapeErrors => !answer.errors.is_empty(),
            Metric::Data(i) => answer
                .targets
                .iter()
                .any(|(_, scrape)| scrape.samples.of(i).next().is_some()),
        }
    }

    /// Name, help and type.
    fn descriptor(self) -> (&'static str, &'static str, MetricType) {
        match self {
            Metric::Up => (
                "veeam_em_up",
                "Whether the last scrape of the target succeeded.",
                MetricType::Gauge,
            ),
            Metric::ScrapeDuration => (
                "veeam_em_scrape_duration_seconds",
                "How long the last scrape of the target took.",
                MetricType::Gauge,
            ),
            Metric::ScrapeErrors => (
                "veeam_em_scrape_errors",
                "Failed scrapes of the target by kind (connect, tls, timeout, credentials, status, body, config, other).",
                MetricType::Counter,
            ),
            Metric::Data(i) => (METRICS[i].0, METRICS[i].1, MetricType::Gauge),
        }
    }
}

/// The series of one metric of an answer, for `prometheus-client` to encode.
#[derive(Debug)]
struct OneMetric {
    answer: Arc<Answer>,
    metric: Metric,
}

impl Collector for OneMetric {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let targets = &self.answer.targets;
        let (name, help, kind) = self.metric.descriptor();
        let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
        match self.metric {
            Metric::Up => {
                for (labels, scrape) in targets {
                    metric
                        .encode_family(&&**labels)?
                        .encode_gauge(&i64::from(scrape.error.is_none()))?;
                }
            }
            Metric::ScrapeDuration => {
                for (labels, scrape) in targets {
                    metric
                        .encode_family(&&**labels)?
                        .encode_gauge(&scrape.duration.as_secs_f64())?;
                }
            }
            Metric::ScrapeErrors => {
                for (target, kind, n) in &self.answer.errors {
                    let labels = (&*targets[*target].0, [("kind", kind.as_str())]);
                    metric
                        .encode_family(&labels)?
                        .encode_counter::<NoLabelSet, _, u64>(n, None)?;
                }
            }
            Metric::Data(i) => {
                for (base, scrape) in targets {
                    for (labels, value) in scrape.samples.of(i) {
                        metric
                            .encode_family(&(&**base, labels))?
                            .encode_gauge(&value)?;
                    }
                }
            }
        }
        Ok(())
    }
}
