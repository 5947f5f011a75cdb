//! The counts report: actions per interval by event name and category, and distinct users and
//! client IPs per interval and per day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::action::Action;
use super::names::{Id, Map, Names, Set};
use super::time::{Interval, Micros, date_of, day_of, to_datetime};

/// Actions counted per interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Counts {
    /// The interval counts are grouped by.
    pub interval: Interval,
    /// The window's start.
    pub period_start: DateTime<Utc>,
    /// The window's end.
    pub period_end: DateTime<Utc>,
    /// Actions per interval, event name (action type) and category (feature), in that order.
    pub events: Vec<EventCount>,
    /// Per interval with any action: actions, distinct users and distinct client IPs.
    pub intervals: Vec<IntervalCount>,
    /// Per UTC day with a user or a client IP: distinct users and distinct client IPs.
    pub days: Vec<DayCount>,
    /// Lines that are not activity JSON.
    pub skipped_lines: u64,
}

/// Actions of one event name and category in one interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventCount {
    /// The interval's start.
    pub start: DateTime<Utc>,
    /// The action type.
    pub event: String,
    /// The feature, `null` for actions without one.
    pub category: Option<String>,
    /// Actions.
    pub count: u64,
}

/// One interval's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntervalCount {
    /// The interval's start.
    pub start: DateTime<Utc>,
    /// Actions.
    pub events: u64,
    /// Distinct user ids (anonymous actions left out).
    pub users: u64,
    /// Distinct client IPs, as logged (anonymized when `ANONYMIZE_IP` was on).
    pub ips: u64,
}

/// One day's distinct users and IPs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DayCount {
    /// The UTC day.
    pub day: NaiveDate,
    /// Distinct user ids.
    pub users: u64,
    /// Distinct client IPs.
    pub ips: u64,
}

#[derive(Debug, Default)]
pub(crate) struct CountsTally {
    interval: Interval,
    events: Map<(Micros, Id, Option<Id>), u64>,
    /// (interval start, user) and (interval start, IP) pairs seen.
    interval_users: Set<(Micros, Id)>,
    interval_ips: Set<(Micros, Id)>,
    /// (day, user) and (day, IP) pairs seen.
    day_users: Set<(i64, Id)>,
    day_ips: Set<(i64, Id)>,
}

impl CountsTally {
    pub(crate) fn new(interval: Interval) -> Self {
        CountsTally { interval, ..CountsTally::default() }
    }

    pub(crate) fn add(&mut self, names: &mut Names, action: &Action<'_, '_>) {
        let start = self.interval.start_of(action.at);
        let day = day_of(action.at);
        *self.events.entry((start, action.kind, action.feature)).or_default() += 1;
        if let Some(user) = action.user {
            self.interval_users.insert((start, user));
            self.day_users.insert((day, user));
        }
        if let Some(ip) = action.line.ip_address.filter(|ip| !ip.is_empty()) {
            let ip = names.id(ip);
            self.interval_ips.insert((start, ip));
            self.day_ips.insert((day, ip));
        }
    }

    pub(crate) fn merge(&mut self, other: CountsTally, map: &[Id]) {
        let id = |i: Id| map[i as usize];
        for ((start, kind, feature), count) in other.events {
            *self.events.entry((start, id(kind), feature.map(id))).or_default() += count;
        }
        self.interval_users.extend(other.interval_users.into_iter().map(|(t, u)| (t, id(u))));
        self.interval_ips.extend(other.interval_ips.into_iter().map(|(t, u)| (t, id(u))));
        self.day_users.extend(other.day_users.into_iter().map(|(t, u)| (t, id(u))));
        self.day_ips.extend(other.day_ips.into_iter().map(|(t, u)| (t, id(u))));
    }

    pub(crate) fn finish(
        self,
        names: &Names,
        period: (DateTime<Utc>, DateTime<Utc>),
        skipped: u64,
    ) -> Counts {
        let mut events: Vec<EventCount> = self
            .events
            .iter()
            .map(|(&(start, kind, feature), &count)| EventCount {
                start: to_datetime(start),
                event: names.text(kind),
                category: feature.map(|f| names.text(f)),
                count,
            })
            .collect();
        events.sort_by(|a, b| (a.start, &a.event, &a.category).cmp(&(b.start, &b.event, &b.category)));

        // Per interval: [actions, users, ips].
        let mut intervals: BTreeMap<Micros, [u64; 3]> = BTreeMap::default();
        for (&(start, _, _), &count) in &self.events {
            intervals.entry(start).or_default()[0] += count;
        }
        for &(start, _) in &self.interval_users {
            intervals.entry(start).or_default()[1] += 1;
        }
        for &(start, _) in &self.interval_ips {
            intervals.entry(start).or_default()[2] += 1;
        }
        let mut days: BTreeMap<i64, [u64; 2]> = BTreeMap::default();
        for &(day, _) in &self.day_users {
            days.entry(day).or_default()[0] += 1;
        }
        for &(day, _) in &self.day_ips {
            days.entry(day).or_default()[1] += 1;
        }
        Counts {
            interval: self.interval,
            period_start: period.0,
            period_end: period.1,
            events,
            intervals: intervals
                .into_iter()
                .map(|(start, [events, users, ips])| IntervalCount {
                    start: to_datetime(start),
                    events,
                    users,
                    ips,
                })
                .collect(),
            days: days
                .into_iter()
                .map(|(day, [users, ips])| DayCount { day: date_of(day), users, ips })
                .collect(),
            skipped_lines: skipped,
        }
    }
}
