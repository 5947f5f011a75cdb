//! Alerts over a summary: too many failed requests, or one user failing again and again.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::summary::Summary;

/// When [`Alerts::evaluate`] fires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AlertRules {
    /// The share of failed requests over which the error-rate alert fires (default 0.10: more
    /// than 10 %).
    pub max_error_rate: f64,
    /// The fewest requests the error rate is judged on (default 1).
    pub min_requests: u64,
    /// How many failed requests of one user fire the user alert (default 5) …
    pub user_errors: u64,
    /// … within how many minutes (default 10).
    pub user_errors_minutes: u64,
}

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules { max_error_rate: 0.10, min_requests: 1, user_errors: 5, user_errors_minutes: 10 }
    }
}

impl AlertRules {
    /// The rules with this error-rate threshold (a share: 0.10 is 10 %).
    #[must_use]
    pub fn max_error_rate(self, max_error_rate: f64) -> Self {
        AlertRules { max_error_rate, ..self }
    }

    /// The rules with this fewest number of requests for the error rate.
    #[must_use]
    pub fn min_requests(self, min_requests: u64) -> Self {
        AlertRules { min_requests, ..self }
    }

    /// The rules firing for `errors` failed requests of one user within `minutes`.
    #[must_use]
    pub fn user_errors(self, errors: u64, minutes: u64) -> Self {
        AlertRules { user_errors: errors, user_errors_minutes: minutes, ..self }
    }
}

/// One alert that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Alert {
    /// More than [`AlertRules::max_error_rate`] of the window's requests failed.
    ErrorRate {
        /// Failed requests / requests.
        error_rate: f64,
        /// Requests in the window.
        requests: u64,
        /// Failed ones.
        errors: u64,
        /// What it says, for a person.
        message: String,
    },
    /// One user had [`AlertRules::user_errors`] failed requests within
    /// [`AlertRules::user_errors_minutes`].
    UserErrors {
        /// The user.
        user_id: String,
        /// The most failed requests of the user within the span.
        errors: u64,
        /// The first of them.
        first: DateTime<Utc>,
        /// The last of them.
        last: DateTime<Utc>,
        /// What it says, for a person.
        message: String,
    },
}

/// The alerts of a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Alerts {
    /// The window's start.
    pub period_start: DateTime<Utc>,
    /// The window's end.
    pub period_end: DateTime<Utc>,
    /// Requests in the window.
    pub requests: u64,
    /// Failed ones (status 400 or more).
    pub errors: u64,
    /// `errors / requests` (0 without requests).
    pub error_rate: f64,
    /// The rules applied.
    pub rules: AlertRules,
    /// Whether any alert fired.
    pub fired: bool,
    /// The alerts that fired: the error rate first, then users by name.
    pub alerts: Vec<Alert>,
    /// Lines that are not activity JSON.
    pub skipped_lines: u64,
}

impl Alerts {
    /// Applies `rules` to the requests of `summary`.
    pub fn evaluate(summary: &Summary, rules: &AlertRules) -> Alerts {
        let (requests, errors) = (summary.total_requests, summary.total_errors);
        let error_rate = if requests == 0 { 0.0 } else { errors as f64 / requests as f64 };
        let mut alerts = Vec::new();
        if requests >= rules.min_requests.max(1) && error_rate > rules.max_error_rate {
            alerts.push(Alert::ErrorRate {
                error_rate,
                requests,
                errors,
                message: format!(
                    "{errors} of {requests} requests failed ({:.1} %, over {:.1} %)",
                    error_rate * 100.0,
                    rules.max_error_rate * 100.0
                ),
            });
        }
        let within =
            TimeDelta::minutes(i64::try_from(rules.user_errors_minutes).unwrap_or(i64::MAX / 60_000_000));
        let mut users: Vec<_> = summary.users.iter().collect();
        users.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        for user in users {
            let mut times: Vec<DateTime<Utc>> = user.errors.iter().map(|e| e.timestamp).collect();
            times.sort();
            let Some((count, first, last)) = densest(&times, within) else { continue };
            if count >= rules.user_errors.max(1) {
                alerts.push(Alert::UserErrors {
                    user_id: user.user_id.clone(),
                    errors: count,
                    first,
                    last,
                    message: format!(
                        "user {} had {count} failed requests within {} minutes",
                        user.user_id, rules.user_errors_minutes
                    ),
                });
            }
        }
        Alerts {
            period_start: summary.period_start,
            period_end: summary.period_end,
            requests,
            errors,
            error_rate,
            rules: *rules,
            fired: !alerts.is_empty(),
            alerts,
            skipped_lines: summary.skipped_lines,
        }
    }
}

/// The most of the sorted `times` that fit within `span` (last − first ≤ span), and where.
fn densest(times: &[DateTime<Utc>], span: TimeDelta) -> Option<(u64, DateTime<Utc>, DateTime<Utc>)> {
    let mut best: Option<(u64, DateTime<Utc>, DateTime<Utc>)> = None;
    let mut first = 0;
    for (last, &t) in times.iter().enumerate() {
        while t - times[first] > span {
            first += 1;
        }
        let count = (last - first + 1) as u64;
        if best.is_none_or(|(most, _, _)| count > most) {
            best = Some((count, times[first], t));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64, second: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::minutes(minute) + TimeDelta::seconds(second)
    }

    #[test]
    fn the_densest_run_of_times_is_found() {
        let times = [at(0, 0), at(3, 0), at(9, 0), at(10, 0), at(10, 30), at(11, 0), at(19, 0)];
        let (count, first, last) = densest(&times, TimeDelta::minutes(10)).unwrap();
        // From 00:00, four fit within ten minutes (10:30 is past them); from 03:00 to 11:00, five.
        assert_eq!((count, first, last), (5, at(3, 0), at(11, 0)));
        assert_eq!(densest(&[], TimeDelta::minutes(10)), None);
        assert_eq!(densest(&times, TimeDelta::zero()).unwrap().0, 1);
    }
}
