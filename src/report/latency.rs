//! How long each feature's requests took: percentiles from a histogram, slow counts.

use serde::{Deserialize, Serialize};

use super::names::{Id, Map, Names};
use crate::histogram::Histogram;

/// The latency of one feature's requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeatureLatency {
    /// The feature name.
    pub feature: String,
    /// Requests with a duration.
    pub requests: u64,
    /// The median `duration_ms`.
    pub p50_ms: f64,
    /// The 95th percentile.
    pub p95_ms: f64,
    /// The 99th percentile.
    pub p99_ms: f64,
    /// The longest request.
    pub max_ms: f64,
    /// Requests flagged `slow` (at or over `SLOW_REQUEST_THRESHOLD` when they were logged).
    pub slow: u64,
    /// Requests flagged `very_slow`.
    pub very_slow: u64,
}

/// Per feature: the requests' durations and slow flags.
#[derive(Debug, Default)]
pub(crate) struct LatencyTally {
    features: Map<Id, FeatureDurations>,
}

#[derive(Debug, Default)]
struct FeatureDurations {
    histogram: Histogram,
    slow: u64,
    very_slow: u64,
}

/// The slow flag of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlowFlag {
    No,
    Slow,
    VerySlow,
}

impl LatencyTally {
    pub(crate) fn add(&mut self, feature: Id, duration_ms: Option<f64>, slow: SlowFlag) {
        let entry = self.features.entry(feature).or_default();
        if let Some(ms) = duration_ms.filter(|ms| ms.is_finite()) {
            entry.histogram.add(ms);
        }
        match slow {
            SlowFlag::No => {}
            SlowFlag::Slow => entry.slow += 1,
            SlowFlag::VerySlow => entry.very_slow += 1,
        }
    }

    pub(crate) fn merge(&mut self, other: LatencyTally, map: &[Id]) {
        for (feature, theirs) in other.features {
            let mine = self.features.entry(map[feature as usize]).or_default();
            mine.histogram.merge(&theirs.histogram);
            mine.slow += theirs.slow;
            mine.very_slow += theirs.very_slow;
        }
    }

    /// Slowest first (by p95, then by name).
    pub(crate) fn finish(self, names: &Names) -> Vec<FeatureLatency> {
        let rows = self
            .features
            .into_iter()
            .map(|(feature, d)| FeatureLatency::of(names.text(feature), &d.histogram, d.slow, d.very_slow));
        FeatureLatency::slowest_first(rows.collect())
    }
}

impl FeatureLatency {
    /// The latency of `feature` from its durations and slow counts.
    pub(crate) fn of(feature: String, histogram: &Histogram, slow: u64, very_slow: u64) -> Self {
        FeatureLatency {
            feature,
            requests: histogram.total,
            p50_ms: histogram.percentile_ms(0.50),
            p95_ms: histogram.percentile_ms(0.95),
            p99_ms: histogram.percentile_ms(0.99),
            max_ms: histogram.max_ms(),
            slow,
            very_slow,
        }
    }

    /// `rows`, slowest first (by p95, then by name).
    pub(crate) fn slowest_first(mut rows: Vec<FeatureLatency>) -> Vec<FeatureLatency> {
        rows.sort_by(|a, b| b.p95_ms.total_cmp(&a.p95_ms).then_with(|| a.feature.cmp(&b.feature)));
        rows
    }
}
