//! The samples of one scrape, packed for keeping. A target's series wait in memory until its
//! next scrape, for a fleet tens of thousands of them; as a slice of samples that each owned
//! their labels (two or three small allocations a sample) they were a quarter of the exporter's
//! heap, and the small allocations interleaved with the passing ones of other scrapes kept the
//! heap from shrinking. Packed, a target's samples are two allocations: the samples, with label
//! names and metrics by index into the tables of names, and one string of all label values.

use std::ops::Range;

use prometheus_client::encoding::{EncodeLabel as _, EncodeLabelSet, LabelSetEncoder};

use super::metrics::METRICS;

/// The names of the labels a sample may carry (beyond `target` and the target's own).
pub(super) const LABEL_NAMES: &[&str] = &[
    "state",
    "type",
    "result",
    "kind",
    "repository",
    "backup_server",
    "version",
    "policy",
    "job",
    "agent_status",
    "tenant",
];

/// Labels a sample carries at most.
const MAX_LABELS: usize = 2;

/// One sample: its metric (index in `METRICS`), its labels (name index and where the value is
/// in the target's string), its value.
#[derive(Debug, Clone)]
struct Packed {
    value: f64,
    labels: [(u8, u32, u32); MAX_LABELS],
    metric: u8,
    count: u8,
}

impl Packed {
    fn labels<'a>(&'a self, values: &'a str) -> Labels<'a> {
        Labels {
            sample: self,
            values,
        }
    }
}

/// The samples of one scrape: one per series, by metric (in `METRICS` order) then labels.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    samples: Box<[Packed]>,
    values: Box<str>,
}

/// The labels of one sample, as `prometheus-client` encodes them.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    sample: &'a Packed,
    values: &'a str,
}

impl<'a> Labels<'a> {
    /// Name and value of each label.
    pub fn iter(self) -> impl Iterator<Item = (&'static str, &'a str)> {
        let values = self.values;
        self.sample.labels[..usize::from(self.sample.count)]
            .iter()
            .map(move |&(name, start, end)| {
                (
                    LABEL_NAMES[usize::from(name)],
                    &values[start as usize..end as usize],
                )
            })
    }
}

impl EncodeLabelSet for Labels<'_> {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), std::fmt::Error> {
        for label in self.iter() {
            label.encode(encoder.encode_label())?;
        }
        Ok(())
    }
}

impl Samples {
    /// The samples of the metric `METRICS[metric]`: their labels and values.
    pub fn of(&self, metric: usize) -> impl Iterator<Item = (Labels<'_>, f64)> {
        let m = |s: &Packed| usize::from(s.metric);
        let start = self.samples.partition_point(|s| m(s) < metric);
        let range = start..start + self.samples[start..].partition_point(|s| m(s) == metric);
        self.samples[range]
            .iter()
            .map(|sample| (sample.labels(&self.values), sample.value))
    }
}

/// The index of metric `name` in `METRICS` (which has fewer than 256).
fn metric_index(name: &str) -> Option<u8> {
    let i = METRICS.iter().position(|(n, _)| *n == name)?;
    Some(u8::try_from(i).expect("fewer than 256 metrics"))
}

/// Collects the samples of a scrape.
#[derive(Debug, Default)]
pub struct Builder {
    samples: Vec<Packed>,
    values: String,
}

impl Builder {
    /// Adds a sample of `name` (one of `METRICS`) with `labels` (names from `LABEL_NAMES`, at
    /// most `MAX_LABELS`), when there is a value.
    ///
    /// # Panics
    /// With a metric or a label name the tables do not hold, or too many labels: mistakes in
    /// the exporter's code, which its tests meet.
    pub fn put(&mut self, name: &str, labels: &[(&str, &str)], value: Option<f64>) {
        let Some(value) = value else {
            return;
        };
        let metric = metric_index(name).unwrap_or_else(|| panic!("{name} is not in METRICS"));
        assert!(labels.len() <= MAX_LABELS, "{name}: too many labels");
        let mut packed = Packed {
            value,
            labels: [(0, 0, 0); MAX_LABELS],
            metric,
            count: 0,
        };
        for (slot, (label, value)) in packed.labels.iter_mut().zip(labels) {
            let index = LABEL_NAMES
                .iter()
                .position(|n| n == label)
                .unwrap_or_else(|| panic!("{label} is not in LABEL_NAMES"));
            let Range { start, end } = self.value(value);
            *slot = (u8::try_from(index).expect("a few names"), start, end);
            packed.count += 1;
        }
        self.samples.push(packed);
    }

    /// Where `value` is in the string of values (one of the previous sample's is not written
    /// again: a job's name serves its four series by result and its duration).
    fn value(&mut self, value: &str) -> Range<u32> {
        let previous = self.samples.last().into_iter().flat_map(|s| {
            s.labels[..usize::from(s.count)]
                .iter()
                .map(|&(_, start, end)| start..end)
        });
        for range in previous {
            if &self.values[range.start as usize..range.end as usize] == value {
                return range;
            }
        }
        let start = self.values.len();
        self.values.push_str(value);
        // A target's label values are some KB, not 4 GB.
        let offset = |n: usize| u32::try_from(n).expect("label values under 4 GB");
        offset(start)..offset(self.values.len())
    }

    /// The samples by metric and labels, one per series: of two with the same labels (two
    /// repositories of one name on different backup servers), the later one.
    pub fn finish(self) -> Samples {
        let Builder {
            mut samples,
            values,
        } = self;
        let v = &*values;
        let order = |a: &Packed, b: &Packed| {
            (a.metric.cmp(&b.metric)).then_with(|| a.labels(v).iter().cmp(b.labels(v).iter()))
        };
        // Stable: of equal samples, the later stays later.
        samples.sort_by(order);
        samples.dedup_by(|later, kept| {
            let same = order(later, kept).is_eq();
            if same {
                kept.value = later.value;
            }
            same
        });
        Samples {
            samples: samples.into_boxed_slice(),
            values: values.into_boxed_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(samples: &Samples, name: &str) -> Vec<(Vec<(&'static str, String)>, f64)> {
        samples
            .of(metric_index(name).map_or(usize::MAX, usize::from))
            .map(|(labels, v)| {
                let labels = labels.iter().map(|(k, v)| (k, v.to_owned())).collect();
                (labels, v)
            })
            .collect()
    }

    /// Samples come back by metric, each with its labels; two of one series leave one, the
    /// later (two repositories of one name).
    #[test]
    fn samples_by_metric_one_per_series_the_later_one() {
        let mut b = Builder::default();
        b.put(
            "veeam_em_repository_free_bytes",
            &[("repository", "b")],
            Some(1.0),
        );
        b.put(
            "veeam_em_repository_capacity_bytes",
            &[("repository", "a")],
            Some(2.0),
        );
        b.put(
            "veeam_em_repository_free_bytes",
            &[("repository", "a")],
            Some(3.0),
        );
        b.put(
            "veeam_em_repository_free_bytes",
            &[("repository", "b")],
            Some(4.0),
        );
        b.put(
            "veeam_em_job_last_session_result",
            &[("job", "Nightly \"SQL\""), ("result", "success")],
            Some(1.0),
        );
        b.put("veeam_em_jobs_running", &[], Some(2.0));
        b.put("veeam_em_proxy_servers", &[], None);
        let samples = b.finish();
        let one = |k: &'static str, v: &str| vec![(k, v.to_owned())];
        assert_eq!(
            of(&samples, "veeam_em_repository_free_bytes"),
            [(one("repository", "a"), 3.0), (one("repository", "b"), 4.0)]
        );
        assert_eq!(
            of(&samples, "veeam_em_repository_capacity_bytes"),
            [(one("repository", "a"), 2.0)]
        );
        assert_eq!(
            of(&samples, "veeam_em_job_last_session_result"),
            [(
                vec![
                    ("job", "Nightly \"SQL\"".to_owned()),
                    ("result", "success".to_owned())
                ],
                1.0
            )]
        );
        assert_eq!(of(&samples, "veeam_em_jobs_running"), [(vec![], 2.0)]);
        assert!(of(&samples, "veeam_em_proxy_servers").is_empty());
        assert!(of(&samples, "not_a_metric").is_empty());
    }
}
