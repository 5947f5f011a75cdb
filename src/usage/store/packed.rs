//! Lists kept in one text column: the features a user used in a day and the span of each of
//! their sessions (`usage_user_days.features`, `.sessions`), a feature's latency histogram in a day
//! (`usage_features.histogram`) and a user's failed requests of a day (`usage_failed.failed`).
//! Each flush merges its entries into the row's list, and a month's row is its days' lists
//! merged, so that a 30-day summary reads one short list per user and per feature and day
//! instead of one row per entry.
//!
//! Names are written `length:name` (any text, no escaping), buckets `bucket:count,`, session
//! spans `first:last:` and the session as a name, failed
//! requests `time:status:` and then their endpoint, result and request id as names. A list
//! that does not parse is read up to where it stops parsing.

use std::collections::{BTreeMap, BTreeSet};

/// What a packed column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Packed {
    /// A set of names.
    Names,
    /// Histogram buckets and their counts.
    Buckets,
    /// Sessions and the first and last of their actions.
    Spans,
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
            Packed::Spans => {
                let mut sessions: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
                for (session, first, last) in spans(text) {
                    let span = sessions.entry(session).or_insert((first, last));
                    *span = (span.0.min(first), span.1.max(last));
                }
                sessions
                    .into_iter()
                    .for_each(|(session, (first, last))| push_span(&mut out, session, first, last));
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
        let (name, rest) = first_name(text)?;
        text = rest;
        Some(name)
    })
}

/// The name `text` starts with, and the text after it.
fn first_name(text: &str) -> Option<(&str, &str)> {
    let (length, rest) = text.split_once(':')?;
    let name = rest.get(..length.parse().ok()?)?;
    Some((name, &rest[name.len()..]))
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

/// Appends a session's first and last action (microseconds since the epoch) to a list of spans.
pub(crate) fn push_span(out: &mut String, session: &str, first: i64, last: i64) {
    out.push_str(&format!("{first}:{last}:"));
    push_name(out, session);
}

/// The sessions of a list of spans with their first and last action, repeats included.
pub(crate) fn spans(mut text: &str) -> impl Iterator<Item = (&str, i64, i64)> {
    std::iter::from_fn(move || {
        let (first, rest) = text.split_once(':')?;
        let (last, rest) = rest.split_once(':')?;
        let (session, rest) = first_name(rest)?;
        text = rest;
        Some((session, first.parse().ok()?, last.parse().ok()?))
    })
}

/// A failed request as a packed list holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure<'a> {
    /// When it was recorded, in microseconds since the epoch.
    pub(crate) at: i64,
    pub(crate) status: u16,
    pub(crate) endpoint: &'a str,
    pub(crate) result: &'a str,
    /// Empty when the request had none.
    pub(crate) request_id: &'a str,
}

/// Appends a failed request to a list of them.
pub(crate) fn push_failure(out: &mut String, failure: Failure<'_>) {
    out.push_str(&format!("{}:{}:", failure.at, failure.status));
    for name in [failure.endpoint, failure.result, failure.request_id] {
        push_name(out, name);
    }
}

/// The failed requests of a list, in the order written.
pub(crate) fn failures(mut text: &str) -> impl Iterator<Item = Failure<'_>> {
    std::iter::from_fn(move || {
        let (at, rest) = text.split_once(':')?;
        let (status, rest) = rest.split_once(':')?;
        let (endpoint, rest) = first_name(rest)?;
        let (result, rest) = first_name(rest)?;
        let (request_id, rest) = first_name(rest)?;
        text = rest;
        Some(Failure { at: at.parse().ok()?, status: status.parse().ok()?, endpoint, result, request_id })
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
    fn spans_of_a_session_are_joined_when_compacted() {
        let mut text = String::new();
        for (session, first, last) in [("b", 5, 9), ("a:1", -3, 4), ("b", 2, 7), ("b", 6, 11)] {
            push_span(&mut text, session, first, last);
        }
        assert_eq!(spans(&text).count(), 4);
        assert_eq!(spans(&Packed::Spans.compact(&text)).collect::<Vec<_>>(), [("a:1", -3, 4), ("b", 2, 11)]);
    }

    #[test]
    fn failures_of_any_text_read_back_as_written() {
        let written = [
            Failure {
                at: 1_764_547_200_123_456,
                status: 404,
                endpoint: "/a:b",
                result: "HTTP 404",
                request_id: "",
            },
            Failure { at: -5, status: 500, endpoint: "", result: "12:x,y", request_id: "req-ü" },
        ];
        let mut text = String::new();
        written.iter().for_each(|f| push_failure(&mut text, *f));
        assert_eq!(failures(&text).collect::<Vec<_>>(), written);
        // Torn at any byte, a list reads the failures before the tear.
        for end in 0..text.len() {
            let Some(torn) = text.get(..end) else { continue };
            let read: Vec<_> = failures(torn).collect();
            assert!(read.len() < 2 && written.starts_with(&read), "{torn:?} read as {read:?}");
        }
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
