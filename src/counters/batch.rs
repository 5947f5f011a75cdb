//! What the flusher takes from the threads' shards: the counts since the last flush, with their
//! texts, keyed as the store keeps them.

use std::collections::HashSet;

use super::shard::{Durations, Map, NO_FEATURE, Shard, Who};
use super::{DAY_MICROS, ErrorAction, FailedRequest};

/// Counts of one user, action type and feature in one day.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UserCounts {
    pub(crate) actions: u64,
    /// Those that were requests.
    pub(crate) requests: u64,
    /// Requests with status 400 or more.
    pub(crate) errors: u64,
}

/// The counts of one flush. Times are microseconds since the epoch; an empty user id is an
/// anonymous action, an empty feature none.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Actions per (base interval, action type, feature).
    pub(crate) events: Map<(i64, String, String), u64>,
    /// Per (day, user, action type, feature).
    pub(crate) users: Map<(i64, String, String, String), UserCounts>,
    /// Requests per (day, status code).
    pub(crate) statuses: Map<(i64, u16), u64>,
    /// The (base interval, user id) and (base interval, client IP) pairs seen.
    pub(crate) seen_users: HashSet<(i64, String)>,
    pub(crate) seen_ips: HashSet<(i64, String)>,
    /// First and last action per (day, user, session).
    pub(crate) sessions: Map<(i64, String, String), (i64, i64)>,
    /// Per (day, feature).
    pub(crate) latency: Map<(i64, String), Durations>,
    pub(crate) failed: Vec<FailedRequest>,
    pub(crate) error_actions: Vec<ErrorAction>,
}

impl Batch {
    /// Adds `other`'s counts to this batch's.
    pub(crate) fn absorb(&mut self, other: Batch) {
        for (key, count) in other.events {
            *self.events.entry(key).or_default() += count;
        }
        for (key, theirs) in other.users {
            let mine = self.users.entry(key).or_default();
            mine.actions += theirs.actions;
            mine.requests += theirs.requests;
            mine.errors += theirs.errors;
        }
        for (key, count) in other.statuses {
            *self.statuses.entry(key).or_default() += count;
        }
        self.seen_users.extend(other.seen_users);
        self.seen_ips.extend(other.seen_ips);
        for (key, (first, last)) in other.sessions {
            let span = self.sessions.entry(key).or_insert((first, last));
            span.0 = span.0.min(first);
            span.1 = span.1.max(last);
        }
        for (key, theirs) in other.latency {
            let mine = self.latency.entry(key).or_default();
            mine.histogram.merge(&theirs.histogram);
            mine.slow += theirs.slow;
            mine.very_slow += theirs.very_slow;
        }
        self.failed.extend(other.failed);
        self.error_actions.extend(other.error_actions);
    }

    /// Moves what `shard` counted since the last flush into this batch; `types` and `features`
    /// name the labels.
    pub(crate) fn take(&mut self, shard: &mut Shard, types: &[String], features: &[String]) {
        let label = |names: &[String], label: u16| {
            if label == NO_FEATURE {
                String::new()
            } else {
                names.get(usize::from(label)).cloned().unwrap_or_default()
            }
        };
        let texts = &shard.texts;
        for (key, tally) in &shard.actions {
            let count = tally.count;
            let day = key.interval.div_euclid(DAY_MICROS) * DAY_MICROS;
            let event = label(types, key.event);
            let feature = label(features, key.feature);
            let [user, session, ip] = Who::read(texts.text(key.who));
            *self.events.entry((key.interval, event.clone(), feature.clone())).or_default() += count;
            let counts =
                self.users.entry((day, user.unwrap_or_default().to_owned(), event, feature)).or_default();
            counts.actions += count;
            if key.status != 0 {
                counts.requests += count;
                *self.statuses.entry((day, key.status)).or_default() += count;
                if key.status >= 400 {
                    counts.errors += count;
                }
            }
            if let Some(user) = user {
                self.seen_users.insert((key.interval, user.to_owned()));
                if let Some(session) = session.filter(|s| !s.is_empty()) {
                    let span = self
                        .sessions
                        .entry((day, user.to_owned(), session.to_owned()))
                        .or_insert((tally.first, tally.last));
                    span.0 = span.0.min(tally.first);
                    span.1 = span.1.max(tally.last);
                }
            }
            if let Some(ip) = ip.filter(|ip| !ip.is_empty()) {
                self.seen_ips.insert((key.interval, ip.to_owned()));
            }
        }
        for (&(day, feature), durations) in &shard.latency {
            let mine = self.latency.entry((day, label(features, feature))).or_default();
            mine.histogram.merge(&durations.histogram);
            mine.slow += durations.slow;
            mine.very_slow += durations.very_slow;
        }
        self.failed.append(&mut shard.failed);
        self.error_actions.append(&mut shard.error_actions);
        shard.clear_since_flush();
    }
}
