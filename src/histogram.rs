//! Durations as a histogram: exact to the microsecond up to 256 µs, then within 0.4 %. The
//! usage reports make their percentiles from it, and the usage counters keep the same buckets,
//! so the percentiles of the rollup store are the logs' own.

/// Durations below this many microseconds have a bucket each.
const EXACT: u64 = 256;
/// Buckets per power of two above [`EXACT`]: a bucket is 1/128 of its values wide, so its
/// middle is within 0.4 % of any value in it.
const PER_OCTAVE_BITS: u32 = 7;

/// A histogram of durations in microseconds: exact up to 256 µs, then 128 buckets per power
/// of two. Its size depends on the longest duration (about 2,600 buckets for a minute), not on
/// how many there are.
#[derive(Debug, Default, Clone)]
pub(crate) struct Histogram {
    counts: Vec<u64>,
    pub(crate) total: u64,
    max: u64,
}

impl Histogram {
    pub(crate) fn bucket(micros: u64) -> usize {
        if micros < EXACT {
            return micros as usize;
        }
        let octave = 63 - micros.leading_zeros(); // at least 8
        let within = (micros >> (octave - PER_OCTAVE_BITS)) & ((1 << PER_OCTAVE_BITS) - 1);
        EXACT as usize + ((octave - 8) as usize) * (1 << PER_OCTAVE_BITS) + within as usize
    }

    /// The middle of a bucket's values, in microseconds.
    pub(crate) fn middle(bucket: usize) -> f64 {
        if bucket < EXACT as usize {
            return bucket as f64;
        }
        let above = bucket - EXACT as usize;
        let octave = (above >> PER_OCTAVE_BITS) as u32 + 8;
        let within = (above & ((1 << PER_OCTAVE_BITS) - 1)) as u64;
        let width = 1u64 << (octave - PER_OCTAVE_BITS);
        let low = (1u64 << octave) + within * width;
        low as f64 + (width - 1) as f64 / 2.0
    }

    pub(crate) fn add(&mut self, duration_ms: f64) {
        let micros = (duration_ms * 1000.0).round().max(0.0) as u64;
        let bucket = Self::bucket(micros);
        if self.counts.len() <= bucket {
            self.counts.resize(bucket + 1, 0);
        }
        self.counts[bucket] += 1;
        self.total += 1;
        self.max = self.max.max(micros);
    }

    pub(crate) fn merge(&mut self, other: &Histogram) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 1) in milliseconds, within 0.4 %; the maximum
    /// is exact.
    pub(crate) fn percentile_ms(&self, p: f64) -> f64 {
        let rank = ((p * self.total as f64).ceil() as u64).clamp(1, self.total.max(1));
        let mut seen = 0;
        for (bucket, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let micros = Self::middle(bucket).min(self.max as f64);
                return round_ms(micros / 1000.0);
            }
        }
        0.0
    }

    #[cfg(feature = "metrics")]
    /// The buckets that hold any duration, as (bucket, durations).
    pub(crate) fn buckets(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.counts.iter().enumerate().filter(|&(_, &n)| n > 0).map(|(b, &n)| (b, n))
    }

    #[cfg(feature = "metrics")]
    /// The longest duration, in microseconds.
    pub(crate) fn max_micros(&self) -> u64 {
        self.max
    }

    #[cfg(feature = "metrics")]
    /// Adds `count` durations to `bucket`, and `max_micros` as a candidate longest one: a
    /// histogram read back from [`buckets`](Self::buckets) and [`max_micros`](Self::max_micros).
    pub(crate) fn add_bucket(&mut self, bucket: usize, count: u64, max_micros: u64) {
        if self.counts.len() <= bucket {
            self.counts.resize(bucket + 1, 0);
        }
        self.counts[bucket] += count;
        self.total += count;
        self.max = self.max.max(max_micros);
    }

    pub(crate) fn max_ms(&self) -> f64 {
        self.max as f64 / 1000.0
    }
}

/// Milliseconds to the microsecond, as the layer writes them.
fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "metrics")]
    #[test]
    fn a_histogram_read_back_from_its_buckets_is_the_same() {
        let mut h = Histogram::default();
        for ms in [0.05, 0.3, 2.5, 2.5, 40.0, 1234.5] {
            h.add(ms);
        }
        let mut back = Histogram::default();
        for (bucket, n) in h.buckets() {
            back.add_bucket(bucket, n, 0);
        }
        back.add_bucket(0, 0, h.max_micros());
        for p in [0.5, 0.95, 0.99] {
            assert_eq!(back.percentile_ms(p), h.percentile_ms(p));
        }
        assert_eq!((back.total, back.max_ms()), (6, 1234.5));
    }

    #[test]
    fn every_value_lands_in_a_bucket_whose_middle_is_within_0_4_percent() {
        let mut values: Vec<u64> = (0..5_000).collect();
        values.extend((0..60).map(|shift| 1u64 << shift));
        values.extend((0..60).map(|shift| (1u64 << shift) + 1));
        values.extend((1..2_000u64).map(|i| i * i * 997));
        for v in values {
            let middle = Histogram::middle(Histogram::bucket(v));
            assert!((middle - v as f64).abs() <= v as f64 * 0.004, "{v} → {middle}");
        }
    }

    #[test]
    fn buckets_are_ordered_as_their_values() {
        let mut last = 0;
        for v in (0..1u64 << 20).step_by(7) {
            let b = Histogram::bucket(v);
            assert!(b >= last, "{v}");
            last = b;
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut h = Histogram::default();
        for ms in 1..=100 {
            h.add(f64::from(ms) / 10.0); // 0.1 ms … 10 ms
        }
        // The 50th of 100 is 5.0 ms, the 95th 9.5 ms, the 99th 9.9 ms.
        for (p, exact) in [(0.5, 5.0), (0.95, 9.5), (0.99, 9.9), (1.0, 10.0)] {
            let got = h.percentile_ms(p);
            assert!((got - exact).abs() <= exact * 0.004, "p{p}: {got} vs {exact}");
        }
        assert_eq!(h.max_ms(), 10.0);
        assert_eq!(Histogram::default().percentile_ms(0.5), 0.0);
    }
}
