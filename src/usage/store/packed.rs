//! Lists kept in one text column: the features a user used in a day
//! (`usage_user_days.features`) and a feature's latency histogram in a day
//! (`usage_features.histogram`). Each flush merges its entries into the row's list, and a
//! month's row is its days' lists merged, so that a 30-day summary reads one short list per
//! user and per feature and day instead of one row per entry.
//!
//! Names are written `length:name` (any text, no escaping), buckets `bucket:count,`. A list
//! that does not parse is read up to where it stops parsing.

use std::collections::{BTreeMap, BTreeSet};

/// What a packed column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Packed {
    /// A set of names.
    Names,
    /// Histogram buckets and their counts.
    Buckets,
}

impl Packed {
    /// `text` with each entry once: names sorted and without repeats, buckets summed.
    pub(crate) fn compact(self, text: &str) -> String {
        let mut out = String::new();
        match self {
            Packed::Names => {
                names(text).collect::<BTreeSet<_>>().into_iter().for_each(|n| push_name(&mut out, n))
            }
            Packed::Buckets => {
                let mut sums: BTreeMap<usize, u64> = BTreeMap::new();
                for (bucket, count) in buckets(text) {
                    *sums.entry(bucket).or_default() += count;
                }
                sums.into_iter().for_each(|(bucket, count)| push_bucket(&mut out, bucket, count));
            }
        }
        out
    }
}

/// Appends `name` to a list of names.
pub(crate) fn push_name(out: &mut String, name: &str) {
    out.push_str(&name.len().to_string());
    out.push(':');
    out.push_str(name);
}

/// The names of a list, repeats included.
pub(crate) fn names(mut text: &str) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        let (length, rest) = text.split_once(':')?;
        let name = rest.get(..length.parse().ok()?)?;
        text = &rest[name.len()..];
        Some(name)
    })
}

/// Appends a bucket's count to a histogram.
pub(crate) fn push_bucket(out: &mut String, bucket: usize, count: u64) {
    out.push_str(&format!("{bucket}:{count},"));
}

/// The buckets and counts of a histogram, repeats included.
pub(crate) fn buckets(mut text: &str) -> impl Iterator<Item = (usize, u64)> {
    std::iter::from_fn(move || {
        let (entry, rest) = text.split_once(',')?;
        let (bucket, count) = entry.split_once(':')?;
        text = rest;
        Some((bucket.parse().ok()?, count.parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_any_text_read_back_as_written() {
        let written = ["search", "", "a:b", "12:x", "ünïcode ✓", "search"];
        let mut text = String::new();
        written.iter().for_each(|n| push_name(&mut text, n));
        assert_eq!(names(&text).collect::<Vec<_>>(), written);
        let compacted = Packed::Names.compact(&text);
        assert_eq!(names(&compacted).collect::<Vec<_>>(), ["", "12:x", "a:b", "search", "ünïcode ✓"]);
    }

    #[test]
    fn buckets_are_summed_when_compacted() {
        let mut text = String::new();
        for (bucket, count) in [(7, 2), (3, 1), (7, 5)] {
            push_bucket(&mut text, bucket, count);
        }
        assert_eq!(buckets(&text).collect::<Vec<_>>(), [(7, 2), (3, 1), (7, 5)]);
        assert_eq!(buckets(&Packed::Buckets.compact(&text)).collect::<Vec<_>>(), [(3, 1), (7, 7)]);
    }

    #[test]
    fn a_list_that_stops_parsing_is_read_up_to_there() {
        assert_eq!(names("3:abc99:short").collect::<Vec<_>>(), ["abc"]);
        assert_eq!(names("x:abc").count(), 0);
        assert_eq!(buckets("1:2,oops,3:4,").collect::<Vec<_>>(), [(1, 2)]);
        // A length that ends inside a character is not a name.
        assert_eq!(names("1:é").count(), 0);
    }
}
