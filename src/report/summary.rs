//! The summary report: who was active, what they used, which of their requests failed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::action::Action;
use super::latency::{FeatureLatency, LatencyTally, SlowFlag};
use super::names::{Id, Map, Names, Set};
use super::time::Micros;

/// Who was active in a window, what they used and which of their requests failed.
///
/// The definitions, shared by every report:
/// - a **request** is an action the HTTP middleware recorded (it has `action.data.status_code`);
/// - an **error** is a request with status 400 or more; its message is the description of an
///   `error` action logged in the same request (same `context.request_id`) when there is one,
///   else the request's result (`HTTP 404 NOT FOUND`);
/// - an **active user** is a non-empty user id with any action (the pseudonym of an anonymous
///   user, when user ids are pseudonymized, is not one: see [`Scan::anonymous_user_id`]);
/// - a **feature** is the request's feature name (`context.feature`);
/// - a **session's time** is the span from its first to its last action of that user.
///
/// [`Scan::anonymous_user_id`]: super::Scan::anonymous_user_id
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// The window's start.
    pub period_start: DateTime<Utc>,
    /// The window's end.
    pub period_end: DateTime<Utc>,
    /// Distinct user ids with any action.
    pub active_users: u64,
    /// Requests, anonymous ones included.
    pub total_requests: u64,
    /// Requests with status 400 or more.
    pub total_errors: u64,
    /// One entry per active user, most requests first (ties by user id).
    pub users: Vec<UserSummary>,
    /// Requests per feature, most used first (ties by name).
    pub top_features: Vec<FeatureCount>,
    /// Errors per status code (`{"404": 3}`).
    pub error_breakdown: BTreeMap<String, u64>,
    /// Duration percentiles per feature, slowest (by p95) first.
    pub latency: Vec<FeatureLatency>,
    /// Lines that are not activity JSON (see [`Lines::skipped`](super::Lines::skipped)).
    pub skipped_lines: u64,
}

/// One user in a [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserSummary {
    /// The id as logged (a pseudonym when `USER_ID_HMAC_SECRET` was set).
    pub user_id: String,
    /// The user's requests.
    pub requests_count: u64,
    /// Those with status 400 or more.
    pub errors_count: u64,
    /// The features of the user's requests, sorted.
    pub features_used: Vec<String>,
    /// The sum of the user's sessions' first-to-last action spans, in minutes (two decimals).
    pub total_time_minutes: f64,
    /// Each failed request, oldest first (ties by code, endpoint and error).
    pub errors: Vec<UserError>,
}

/// A failed request of a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserError {
    /// The request's path (without its query).
    pub endpoint: String,
    /// The error action's description, or the request's result.
    pub error: String,
    /// When the request was recorded.
    pub timestamp: DateTime<Utc>,
    /// The status code.
    pub code: u16,
}

/// A feature and how many requests used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeatureCount {
    /// The feature name.
    pub name: String,
    /// Its requests.
    pub count: u64,
}

#[derive(Debug, Default)]
pub(crate) struct SummaryTally {
    requests: u64,
    errors: u64,
    users: Map<Id, UserTally>,
    /// First and last action of each (user, session).
    sessions: Map<(Id, Id), (Micros, Micros)>,
    features: Map<Id, u64>,
    error_codes: Map<u16, u64>,
    /// The earliest `error` action of each request id: when, and its description.
    error_actions: Map<Id, (Micros, Id)>,
    latency: LatencyTally,
}

#[derive(Debug, Default)]
struct UserTally {
    requests: u64,
    features: Set<Id>,
    errors: Vec<FailedRequest>,
}

#[derive(Debug)]
struct FailedRequest {
    at: Micros,
    code: u16,
    endpoint: Id,
    request_id: Option<Id>,
    result: Id,
}

impl SummaryTally {
    pub(crate) fn add(&mut self, names: &mut Names, action: &Action<'_, '_>) {
        let line = action.line;
        if let (Some(user), Some(session)) = (action.user, line.session_id.filter(|s| !s.is_empty())) {
            let session = names.id(session);
            let span = self.sessions.entry((user, session)).or_insert((action.at, action.at));
            span.0 = span.0.min(action.at);
            span.1 = span.1.max(action.at);
        }
        let user = action.user.map(|user| self.users.entry(user).or_default());
        if action.kind_is_error {
            if let Some(request_id) = line.request_id.filter(|r| !r.is_empty()) {
                let request_id = names.id(request_id);
                let description = names.id(line.description.unwrap_or_default());
                let earliest = self.error_actions.entry(request_id).or_insert((action.at, description));
                if action.at < earliest.0 {
                    *earliest = (action.at, description);
                }
            }
        }
        let Some(code) = line.status_code() else { return };
        self.requests += 1;
        let mut user = user;
        if let Some(user) = &mut user {
            user.requests += 1;
        }
        if let Some(feature) = action.feature {
            *self.features.entry(feature).or_default() += 1;
            if let Some(user) = &mut user {
                user.features.insert(feature);
            }
            let slow = match line.slow.map(|s| s.raw()) {
                Some(b"slow") => SlowFlag::Slow,
                Some(b"very_slow") => SlowFlag::VerySlow,
                _ => SlowFlag::No,
            };
            self.latency.add(feature, line.duration_ms(), slow);
        }
        if code >= 400 {
            self.errors += 1;
            *self.error_codes.entry(code).or_default() += 1;
            if let Some(user) = user {
                user.errors.push(FailedRequest {
                    at: action.at,
                    code,
                    endpoint: names.id(action.endpoint()),
                    request_id: line.request_id.filter(|r| !r.is_empty()).map(|r| names.id(r)),
                    result: names.id(line.result.unwrap_or_default()),
                });
            }
        }
    }

    pub(crate) fn merge(&mut self, other: SummaryTally, map: &[Id]) {
        let id = |i: Id| map[i as usize];
        self.requests += other.requests;
        self.errors += other.errors;
        for (user, theirs) in other.users {
            let mine = self.users.entry(id(user)).or_default();
            mine.requests += theirs.requests;
            mine.features.extend(theirs.features.into_iter().map(id));
            mine.errors.extend(theirs.errors.into_iter().map(|e| FailedRequest {
                endpoint: id(e.endpoint),
                request_id: e.request_id.map(id),
                result: id(e.result),
                ..e
            }));
        }
        for ((user, session), (first, last)) in other.sessions {
            let span = self.sessions.entry((id(user), id(session))).or_insert((first, last));
            span.0 = span.0.min(first);
            span.1 = span.1.max(last);
        }
        for (feature, count) in other.features {
            *self.features.entry(id(feature)).or_default() += count;
        }
        for (code, count) in other.error_codes {
            *self.error_codes.entry(code).or_default() += count;
        }
        for (request_id, (at, description)) in other.error_actions {
            let earliest = self.error_actions.entry(id(request_id)).or_insert((at, id(description)));
            if at < earliest.0 {
                *earliest = (at, id(description));
            }
        }
        self.latency.merge(other.latency, map);
    }

    pub(crate) fn finish(
        self,
        names: &Names,
        period: (DateTime<Utc>, DateTime<Utc>),
        skipped: u64,
    ) -> Summary {
        let mut minutes: Map<Id, Micros> = Map::default();
        for ((user, _), (first, last)) in &self.sessions {
            *minutes.entry(*user).or_default() += last - first;
        }
        let error_actions = &self.error_actions;
        let users: Vec<UserSummary> = self
            .users
            .into_iter()
            .map(|(user, tally)| {
                let mut features: Vec<String> = tally.features.iter().map(|&f| names.text(f)).collect();
                features.sort();
                let errors: Vec<UserError> = tally
                    .errors
                    .iter()
                    .map(|e| UserError {
                        endpoint: names.text(e.endpoint),
                        error: match e.request_id.and_then(|r| error_actions.get(&r)) {
                            Some(&(_, description)) => names.text(description),
                            None => names.text(e.result),
                        },
                        timestamp: super::time::to_datetime(e.at),
                        code: e.code,
                    })
                    .collect();
                let micros = minutes.get(&user).copied().unwrap_or(0);
                UserSummary {
                    user_id: names.text(user),
                    requests_count: tally.requests,
                    errors_count: errors.len() as u64,
                    features_used: features,
                    total_time_minutes: minutes_of(micros),
                    errors: oldest_first(errors),
                }
            })
            .collect();
        let top_features =
            self.features.iter().map(|(&f, &count)| FeatureCount { name: names.text(f), count }).collect();
        Summary {
            period_start: period.0,
            period_end: period.1,
            active_users: users.len() as u64,
            total_requests: self.requests,
            total_errors: self.errors,
            users: most_requests_first(users),
            top_features: most_used_first(top_features),
            error_breakdown: self.error_codes.iter().map(|(code, &n)| (code.to_string(), n)).collect(),
            latency: self.latency.finish(names),
            skipped_lines: skipped,
        }
    }
}

/// A time span in microseconds as minutes, to two decimals.
pub(crate) fn minutes_of(micros: i64) -> f64 {
    (micros as f64 / 60e6 * 100.0).round() / 100.0
}

/// A user's failed requests, oldest first (ties by code, endpoint and error).
pub(crate) fn oldest_first(mut errors: Vec<UserError>) -> Vec<UserError> {
    errors.sort_by(|a, b| {
        (a.timestamp, a.code, &a.endpoint, &a.error).cmp(&(b.timestamp, b.code, &b.endpoint, &b.error))
    });
    errors
}

/// Users, most requests first (ties by user id).
pub(crate) fn most_requests_first(mut users: Vec<UserSummary>) -> Vec<UserSummary> {
    users.sort_by(|a, b| b.requests_count.cmp(&a.requests_count).then_with(|| a.user_id.cmp(&b.user_id)));
    users
}

/// Features, most used first (ties by name).
pub(crate) fn most_used_first(mut features: Vec<FeatureCount>) -> Vec<FeatureCount> {
    features.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    features
}
