//! The reports from the store: the same [`Summary`], [`Usage`] and [`Counts`] the log files
//! give, from the rolled-up counts.
//!
//! The store counts in periods: a window is widened at its start to the period that holds it
//! (the base interval, the day, or the month of the rows it reads), and the reports say so in
//! `period_start`. Failed requests keep their time, read to the microsecond.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;

use super::db::{Db, DbError, Row, Value};
use super::distinct::Kind;
use super::packed;
use super::rollup::month_of;
use super::schema::{BASE, DAY, MONTH};
use crate::histogram::Histogram;
use crate::report::latency::FeatureLatency;
use crate::report::names::Names;
use crate::report::summary::{minutes_of, most_requests_first, most_used_first, oldest_first};
use crate::report::time::{date_of, to_datetime};
use crate::report::{
    ANONYMOUS, Counts, DayCount, EventCount, FeatureCount, Interval, IntervalCount, Summary, Usage,
    UserError, UserSummary, Window,
};

const MICROS: i64 = 1_000_000;
const DAY_SECONDS: i64 = 86_400;

/// The rows of one span in the window, widened as the module says: `$1` is the span, `$2` the
/// start of the period that holds the window's start, `$3` the window's end, in seconds. Each
/// query runs once per span ([`Periods::query`]): a range of the primary key each time, where
/// one query over the three spans would make SQLite collect and sort the rows first.
const PERIOD: &str = "span = $1 AND start >= $2 AND start < $3";

/// The window as the store reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Periods {
    base: i64,
    day: i64,
    month: i64,
    end: i64,
}

impl Periods {
    pub(crate) fn new(window: Window, base_seconds: i64) -> Self {
        let (start, end) = window.micros();
        let start = start.div_euclid(MICROS);
        Periods {
            base: start.div_euclid(base_seconds) * base_seconds,
            day: start.div_euclid(DAY_SECONDS) * DAY_SECONDS,
            month: month_of(start),
            // The end is exclusive: a period starting in the window's last second is in it.
            end: end.div_euclid(MICROS) + i64::from(end.rem_euclid(MICROS) > 0),
        }
    }

    /// Runs `sql` (filtered by [`PERIOD`]) for each span, handing each row to `each`.
    fn query(&self, db: &mut dyn Db, sql: &str, each: &mut dyn FnMut(&dyn Row)) -> Result<(), DbError> {
        for (span, start) in [(BASE, self.base), (DAY, self.day), (MONTH, self.month)] {
            db.query(sql, &[Value::Int(span), Value::Int(start), Value::Int(self.end)], each)?;
        }
        Ok(())
    }

    /// The window's start as the store reads it: the start of its day.
    fn start(&self) -> chrono::DateTime<Utc> {
        to_datetime(self.day * MICROS)
    }
}

#[derive(Default)]
struct UserTally {
    requests: u64,
    errors: Vec<UserError>,
    /// The features used, as a set of [`Users`]' feature numbers.
    features: Vec<u64>,
    /// (session hash, first, last action)
    sessions: Vec<(u128, i64, i64)>,
}

/// The users of a summary and the features they used, numbered as first seen: the many rows
/// of days, sessions and failed requests find theirs without copying a text.
#[derive(Default)]
struct Users {
    ids: Names,
    /// By user number.
    tallies: Vec<UserTally>,
    features: Names,
}

impl Users {
    fn tally(&mut self, user: &str) -> &mut UserTally {
        let number = self.ids.id_of_raw(user.as_bytes()) as usize;
        if number == self.tallies.len() {
            self.tallies.push(UserTally::default());
        }
        &mut self.tallies[number]
    }

    /// Adds the features of a packed list to the user's.
    fn add_features(&mut self, user: &str, list: &str) {
        let numbers: Vec<usize> =
            packed::names(list).map(|name| self.features.id_of_raw(name.as_bytes()) as usize).collect();
        let set = &mut self.tally(user).features;
        for feature in numbers {
            if set.len() <= feature / 64 {
                set.resize(feature / 64 + 1, 0);
            }
            set[feature / 64] |= 1 << (feature % 64);
        }
    }

    /// The users in id order, each with the names of its features in name order.
    fn in_id_order(self) -> impl Iterator<Item = (String, UserTally, Vec<String>)> {
        let text = |names: &Names, id: usize| String::from_utf8_lossy(names.raw(id as u32)).into_owned();
        let mut users: Vec<(String, UserTally)> =
            self.tallies.into_iter().enumerate().map(|(id, tally)| (text(&self.ids, id), tally)).collect();
        users.sort_by(|a, b| a.0.cmp(&b.0));
        let features = self.features;
        users.into_iter().map(move |(user, tally)| {
            let mut names: Vec<String> = (0..tally.features.len() * 64)
                .filter(|&f| tally.features[f / 64] & (1 << (f % 64)) != 0)
                .map(|f| text(&features, f))
                .collect();
            names.sort();
            (user, tally, names)
        })
    }
}

/// A session column the store did not write (its sessions are hex hashes), as a number.
fn foreign_session(session: &str) -> u128 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    session.hash(&mut hasher);
    u128::from(hasher.finish()) | 1 << 127
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The summary of `window`.
pub(crate) fn summary(db: &mut dyn Db, window: Window, base_seconds: i64) -> Result<Summary, DbError> {
    let periods = Periods::new(window, base_seconds);
    let mut users = Users::default();
    let (mut total_requests, mut total_errors) = (0, 0);
    // Each user's requests, features and sessions: a session's span is joined across the
    // days that hold it (a user's sessions are few, and searched).
    let sql =
        format!("SELECT user_id, requests, errors, features, sessions FROM usage_user_days WHERE {PERIOD}");
    periods.query(db, &sql, &mut |row| {
        let (user, requests) = (row.str(0), count(row.int(1)));
        total_requests += requests;
        total_errors += count(row.int(2));
        if user.is_empty() {
            return;
        }
        users.add_features(user, row.str(3));
        let tally = users.tally(user);
        tally.requests += requests;
        for (session, first, last) in packed::spans(row.str(4)) {
            let session = u128::from_str_radix(session, 16).unwrap_or_else(|_| foreign_session(session));
            match tally.sessions.iter_mut().rev().find(|s| s.0 == session) {
                Some(span) => (span.1, span.2) = (span.1.min(first), span.2.max(last)),
                None => tally.sessions.push((session, first, last)),
            }
        }
    })?;

    // The failed requests, each named by its request's first error action when it has one.
    let (start, end) = (periods.day * MICROS, window.micros().1);
    let mut descriptions: HashMap<String, String> = HashMap::new();
    // An error action comes during its request: a day's margin finds those of requests that
    // began before the window.
    let sql = "SELECT request_id, description FROM usage_error_actions WHERE at_us >= $1 AND at_us < $2";
    db.query(sql, &[Value::Int(start - DAY_SECONDS * MICROS), Value::Int(end)], &mut |row| {
        descriptions.insert(row.text(0), row.text(1));
    })?;
    let sql = "SELECT user_id, failed FROM usage_failed WHERE day >= $1 AND day < $2";
    db.query(sql, &[Value::Int(periods.day), Value::Int(periods.end)], &mut |row| {
        let errors = &mut users.tally(row.str(0)).errors;
        for failure in packed::failures(row.str(1)).filter(|f| (start..end).contains(&f.at)) {
            let error = match descriptions.get(failure.request_id) {
                Some(description) => description.clone(),
                None => failure.result.to_owned(),
            };
            errors.push(UserError {
                endpoint: failure.endpoint.to_owned(),
                error,
                timestamp: to_datetime(failure.at),
                code: failure.status,
            });
        }
    })?;

    let mut error_breakdown = BTreeMap::new();
    let sql = format!("SELECT status, count FROM usage_statuses WHERE {PERIOD} AND status >= 400");
    periods.query(db, &sql, &mut |row| {
        *error_breakdown.entry(row.int(0).to_string()).or_default() += count(row.int(1));
    })?;

    let features = features(db, &periods)?;
    let summary = Summary {
        period_start: periods.start(),
        period_end: window.end(),
        active_users: users.tallies.len() as u64,
        total_requests,
        total_errors,
        users: most_requests_first(
            users
                .in_id_order()
                .map(|(user_id, tally, features)| UserSummary {
                    total_time_minutes: minutes_of(
                        tally.sessions.iter().map(|(_, first, last)| last - first).sum(),
                    ),
                    user_id,
                    requests_count: tally.requests,
                    errors_count: tally.errors.len() as u64,
                    features_used: features,
                    errors: oldest_first(tally.errors),
                })
                .collect(),
        ),
        top_features: most_used_first(
            features
                .iter()
                .filter(|(_, f)| f.requests > 0)
                .map(|(name, f)| FeatureCount { name: name.clone(), count: f.requests })
                .collect(),
        ),
        error_breakdown,
        latency: FeatureLatency::slowest_first(
            features
                .iter()
                .map(|(name, f)| FeatureLatency::of(name.clone(), &f.histogram, f.slow, f.very_slow))
                .collect(),
        ),
        skipped_lines: 0,
    };
    Ok(summary)
}

/// A feature's requests and their latency in a window.
#[derive(Default)]
struct FeatureTally {
    requests: u64,
    histogram: Histogram,
    slow: u64,
    very_slow: u64,
}

/// Each feature's requests and latency in the period.
fn features(db: &mut dyn Db, periods: &Periods) -> Result<BTreeMap<String, FeatureTally>, DbError> {
    let mut features: BTreeMap<String, FeatureTally> = BTreeMap::new();
    let sql = format!(
        "SELECT feature, requests, max_us, slow, very_slow, histogram FROM usage_features WHERE {PERIOD}"
    );
    periods.query(db, &sql, &mut |row| {
        let tally = match features.get_mut(row.str(0)) {
            Some(tally) => tally,
            None => features.entry(row.text(0)).or_default(),
        };
        tally.requests += count(row.int(1));
        tally.histogram.add_bucket(0, 0, count(row.int(2)));
        tally.slow += count(row.int(3));
        tally.very_slow += count(row.int(4));
        for (bucket, n) in packed::buckets(row.str(5)) {
            tally.histogram.add_bucket(bucket, n, 0);
        }
    })?;
    Ok(features)
}

/// The usage matrix of `window`.
pub(crate) fn usage(db: &mut dyn Db, window: Window, base_seconds: i64) -> Result<Usage, DbError> {
    let periods = Periods::new(window, base_seconds);
    let mut summary: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let sql = format!("SELECT event, user_id, actions FROM usage_users WHERE {PERIOD}");
    periods.query(db, &sql, &mut |row| {
        let users = match summary.get_mut(row.str(0)) {
            Some(users) => users,
            None => summary.entry(row.text(0)).or_default(),
        };
        let user = Some(row.str(1)).filter(|u| !u.is_empty()).unwrap_or(ANONYMOUS);
        match users.get_mut(user) {
            Some(actions) => *actions += count(row.int(2)),
            None => drop(users.insert(user.to_owned(), count(row.int(2)))),
        }
    })?;
    Ok(Usage {
        summary,
        generated_at: Utc::now(),
        period_start: periods.start(),
        period_end: window.end(),
        skipped_lines: 0,
    })
}

/// The counts of `window` per `interval`.
///
/// Event counts of periods longer than `interval` (rolled up past the base retention) count
/// at their period's start. Distinct users and IPs are the store's for the interval: per base
/// interval (when `interval` is the base interval and within the base retention), per day,
/// and per month the average of its days'.
pub(crate) fn counts(
    db: &mut dyn Db,
    window: Window,
    interval: Interval,
    base_seconds: i64,
) -> Result<Counts, DbError> {
    let periods = Periods::new(window, base_seconds);
    let mut events: BTreeMap<(i64, String, String), u64> = BTreeMap::new();
    // Per interval start (microseconds): [actions, users, ips].
    let mut intervals: BTreeMap<i64, [u64; 3]> = BTreeMap::new();
    let sql = format!("SELECT start, event, feature, count FROM usage_events WHERE {PERIOD}");
    periods.query(db, &sql, &mut |row| {
        let start = interval.start_of(row.int(0) * MICROS);
        let n = count(row.int(3));
        *events.entry((start, row.text(1), row.text(2))).or_default() += n;
        intervals.entry(start).or_default()[0] += n;
    })?;

    // Distinct counts: closed periods' rows, then the open days' hashes.
    // (span, start seconds) → [users, ips, days]
    let mut distinct: BTreeMap<(i64, i64), [u64; 3]> = BTreeMap::new();
    let sql = format!("SELECT span, start, users, ips, days FROM usage_distinct WHERE {PERIOD}");
    periods.query(db, &sql, &mut |row| {
        distinct.insert((row.int(0), row.int(1)), [count(row.int(2)), count(row.int(3)), count(row.int(4))]);
    })?;
    let sql = format!(
        "SELECT span, start, kind, COUNT(*) FROM usage_seen WHERE {PERIOD} GROUP BY span, start, kind"
    );
    periods.query(db, &sql, &mut |row| {
        let entry = distinct.entry((row.int(0), row.int(1))).or_insert([0, 0, 1]);
        entry[usize::from(row.int(2) == Kind::Ip as i64)] = count(row.int(3));
    })?;

    let mut days = Vec::new();
    // Per month start: [users, ips, days] summed.
    let mut months: BTreeMap<i64, [u64; 3]> = BTreeMap::new();
    for (&(span, start), &[users, ips, n]) in &distinct {
        let micros = start * MICROS;
        match span {
            DAY => {
                days.push(DayCount { day: date_of(start.div_euclid(DAY_SECONDS)), users, ips });
                if interval == Interval::Day {
                    let slot = intervals.entry(micros).or_default();
                    (slot[1], slot[2]) = (users, ips);
                }
                let month = months.entry(month_of(start)).or_default();
                (month[0], month[1], month[2]) = (month[0] + users, month[1] + ips, month[2] + n);
            }
            MONTH => {
                let month = months.entry(start).or_default();
                (month[0], month[1], month[2]) = (month[0] + users, month[1] + ips, month[2] + n);
            }
            BASE if interval.seconds() == Some(base_seconds) => {
                let slot = intervals.entry(micros).or_default();
                (slot[1], slot[2]) = (users, ips);
            }
            _ => {}
        }
    }
    if interval == Interval::Month {
        for (start, [users, ips, n]) in months {
            let average = |sum: u64| (sum as f64 / n.max(1) as f64).round() as u64;
            let slot = intervals.entry(start * MICROS).or_default();
            (slot[1], slot[2]) = (average(users), average(ips));
        }
    }
    Ok(Counts {
        interval,
        period_start: periods.start(),
        period_end: window.end(),
        events: events
            .into_iter()
            .map(|((start, event, feature), count)| EventCount {
                start: to_datetime(start),
                event,
                category: (!feature.is_empty()).then_some(feature),
                count,
            })
            .collect(),
        intervals: intervals
            .into_iter()
            .map(|(start, [events, users, ips])| IntervalCount {
                start: to_datetime(start),
                events,
                users,
                ips,
            })
            .collect(),
        days,
        skipped_lines: 0,
    })
}
