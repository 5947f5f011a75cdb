//! The Prometheus metrics: a `prometheus-client` collector that reads the threads' totals at
//! each scrape, so counting an action touches no shared metric.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;

use super::flush::FlushStats;
use crate::counters::{Counters, DURATION_BUCKETS, HttpTotals};

/// What the sinks lost: (file lines dropped, console write errors, file write errors).
pub(crate) type SinkLosses = Arc<dyn Fn() -> (u64, u64, u64) + Send + Sync>;

/// The collector [`UsageMetrics::register`](super::UsageMetrics::register) registers.
pub(crate) struct UsageCollector {
    pub(crate) counters: Arc<Counters>,
    pub(crate) losses: SinkLosses,
    pub(crate) flushes: Option<Arc<FlushStats>>,
}

impl fmt::Debug for UsageCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsageCollector").finish_non_exhaustive()
    }
}

fn counter(encoder: &mut DescriptorEncoder<'_>, name: &str, help: &str, value: u64) -> fmt::Result {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    metric.encode_counter::<NoLabelSet, _, u64>(&value, None)
}

impl Collector for UsageCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        let totals = self.counters.totals();

        let mut metric = encoder.encode_descriptor(
            "usage_events",
            "User actions recorded, by action type.",
            None,
            MetricType::Counter,
        )?;
        for (event_type, n) in &totals.events {
            let labels = [("event_type", event_type.as_str())];
            metric.encode_family(&labels)?.encode_counter::<NoLabelSet, _, u64>(n, None)?;
        }

        let mut metric = encoder.encode_descriptor(
            "http_requests",
            "HTTP requests recorded, by method, feature and status code.",
            None,
            MetricType::Counter,
        )?;
        for ((method, feature, status), http) in &totals.http {
            let status = status.to_string();
            let labels = [("method", *method), ("feature", feature.as_str()), ("status", status.as_str())];
            metric.encode_family(&labels)?.encode_counter::<NoLabelSet, _, u64>(&http.requests, None)?;
        }

        // The durations per feature, over methods and statuses.
        let mut by_feature: BTreeMap<&str, HttpTotals> = BTreeMap::new();
        for ((_, feature, _), http) in &totals.http {
            let sum = by_feature.entry(feature.as_str()).or_default();
            sum.seconds += http.seconds;
            for (sum, n) in sum.buckets.iter_mut().zip(&http.buckets) {
                *sum += n;
            }
        }
        let unit = prometheus_client::registry::Unit::Seconds;
        let mut metric = encoder.encode_descriptor(
            "http_request_duration",
            "How long HTTP requests took, by feature.",
            Some(&unit),
            MetricType::Histogram,
        )?;
        for (feature, sum) in &by_feature {
            let bounds = DURATION_BUCKETS.iter().copied().chain(std::iter::once(f64::INFINITY));
            let buckets: Vec<(f64, u64)> = bounds.zip(sum.buckets).collect();
            let count = sum.buckets.iter().sum();
            let labels = [("feature", *feature)];
            metric.encode_family(&labels)?.encode_histogram::<NoLabelSet>(
                sum.seconds,
                count,
                &buckets,
                None,
            )?;
        }

        let (dropped, console_errors, file_errors) = (self.losses)();
        counter(
            &mut encoder,
            "activity_lines_dropped",
            "Log file lines dropped: the queue was full (LOG_QUEUE_OVERFLOW=drop) or the log was closed.",
            dropped,
        )?;
        let mut metric = encoder.encode_descriptor(
            "activity_write_errors",
            "Lines that could not be written, by sink.",
            None,
            MetricType::Counter,
        )?;
        for (sink, n) in [("console", console_errors), ("file", file_errors)] {
            metric.encode_family(&[("sink", sink)])?.encode_counter::<NoLabelSet, _, u64>(&n, None)?;
        }
        if let Some(flushes) = &self.flushes {
            counter(
                &mut encoder,
                "usage_store_flushes",
                "Flushes of the usage counts to the store.",
                flushes.flushes.load(Ordering::Relaxed),
            )?;
            counter(
                &mut encoder,
                "usage_store_flush_errors",
                "Flushes to the usage store that failed (their counts are kept for the next).",
                flushes.failures.load(Ordering::Relaxed),
            )?;
        }
        Ok(())
    }
}
