//! Adding one flush's counts to the store: every count is an upsert that adds to the row, and
//! every packed list is merged with the row's, so any number of writers share one store.

use std::collections::{BTreeMap, BTreeSet};

use super::db::{Db, DbError, Dialect, Value};
use super::distinct::{Kind, Salts, hash, session_hash};
use super::packed::{self, Failure, Packed};
use super::schema::{BASE, DAY};
use crate::counters::{Batch, DAY_MICROS, Durations};

const MICROS: i64 = 1_000_000;

/// Adds `batch` to the store.
pub(crate) fn write(db: &mut dyn Db, salts: &mut Salts, batch: &Batch) -> Result<(), DbError> {
    for ((interval, event, feature), &count) in &batch.events {
        db.exec(
            "INSERT INTO usage_events (span, start, event, feature, count) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (span, start, event, feature) DO UPDATE SET count = usage_events.count + excluded.count",
            &[Value::Int(BASE), Value::Int(interval / MICROS), event.as_str().into(), feature.as_str().into(), int(count)],
        )?;
    }
    for ((day, user, event, feature), counts) in &batch.users {
        db.exec(
            "INSERT INTO usage_users (span, start, user_id, event, feature, actions, requests, errors)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (span, start, user_id, event, feature) DO UPDATE SET
                actions = usage_users.actions + excluded.actions,
                requests = usage_users.requests + excluded.requests,
                errors = usage_users.errors + excluded.errors",
            &[
                Value::Int(DAY),
                Value::Int(day / MICROS),
                user.as_str().into(),
                event.as_str().into(),
                feature.as_str().into(),
                int(counts.actions),
                int(counts.requests),
                int(counts.errors),
            ],
        )?;
    }
    for (&(day, status), &count) in &batch.statuses {
        db.exec(
            "INSERT INTO usage_statuses (span, start, status, count) VALUES ($1, $2, $3, $4)
             ON CONFLICT (span, start, status) DO UPDATE SET count = usage_statuses.count + excluded.count",
            &[Value::Int(DAY), Value::Int(day / MICROS), Value::Int(i64::from(status)), int(count)],
        )?;
    }
    write_user_days(db, batch)?;
    write_features(db, batch)?;
    for (kind, seen) in [(Kind::User, &batch.seen_users), (Kind::Ip, &batch.seen_ips)] {
        for (interval, value) in seen {
            let day = interval.div_euclid(DAY_MICROS) * DAY_MICROS / MICROS;
            let hash = Value::Int(hash(salts.of(db, day)?, kind, value));
            for (span, start) in [(BASE, interval / MICROS), (DAY, day)] {
                db.exec(
                    "INSERT INTO usage_seen (day, span, start, kind, hash) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (span, start, kind, hash) DO NOTHING",
                    &[Value::Int(day), Value::Int(span), Value::Int(start), Value::Int(kind as i64), hash],
                )?;
            }
        }
    }
    write_failed(db, batch)?;
    for error in &batch.error_actions {
        // The earliest error action of a request names its error.
        db.exec(
            "INSERT INTO usage_error_actions (request_id, at_us, description) VALUES ($1, $2, $3)
             ON CONFLICT (request_id) DO UPDATE SET at_us = excluded.at_us, description = excluded.description
             WHERE excluded.at_us < usage_error_actions.at_us",
            &[error.request_id.as_str().into(), Value::Int(error.at), error.description.as_str().into()],
        )?;
    }
    Ok(())
}

/// Adds each user's requests, errors, features and sessions of each day to `usage_user_days`.
fn write_user_days(db: &mut dyn Db, batch: &Batch) -> Result<(), DbError> {
    #[derive(Default)]
    struct Day<'a> {
        requests: u64,
        errors: u64,
        features: BTreeSet<&'a str>,
        sessions: String,
    }
    let mut days: BTreeMap<(i64, &str), Day<'_>> = BTreeMap::new();
    for ((day, user, _, feature), counts) in &batch.users {
        let entry = days.entry((*day, user)).or_default();
        entry.requests += counts.requests;
        entry.errors += counts.errors;
        if counts.requests > 0 && !feature.is_empty() {
            entry.features.insert(feature);
        }
    }
    for ((day, user, session), &(first, last)) in &batch.sessions {
        let sessions = &mut days.entry((*day, user)).or_default().sessions;
        packed::push_span(sessions, &session_hash(session), first, last);
    }
    for ((day, user), entry) in days {
        let mut added = String::new();
        entry.features.into_iter().for_each(|f| packed::push_name(&mut added, f));
        let [features, sessions] = merged(
            db,
            "usage_user_days",
            "user_id",
            (day, user),
            [("features", Packed::Names, &added), ("sessions", Packed::Spans, &entry.sessions)],
        )?;
        db.exec(
            "INSERT INTO usage_user_days (span, start, user_id, requests, errors, features, sessions)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (span, start, user_id) DO UPDATE SET
                requests = usage_user_days.requests + excluded.requests,
                errors = usage_user_days.errors + excluded.errors,
                features = excluded.features,
                sessions = excluded.sessions",
            &[
                Value::Int(DAY),
                Value::Int(day / MICROS),
                user.into(),
                int(entry.requests),
                int(entry.errors),
                features.as_str().into(),
                sessions.as_str().into(),
            ],
        )?;
    }
    Ok(())
}

/// Appends each user's failed requests of each day to `usage_failed`.
fn write_failed(db: &mut dyn Db, batch: &Batch) -> Result<(), DbError> {
    // (day, user) → the failed requests, packed
    let mut days: BTreeMap<(i64, &str), String> = BTreeMap::new();
    for failed in &batch.failed {
        let day = failed.at.div_euclid(DAY_MICROS) * DAY_MICROS / MICROS;
        let failure = Failure {
            at: failed.at,
            status: failed.code,
            endpoint: &failed.endpoint,
            result: &failed.result,
            request_id: failed.request_id.as_deref().unwrap_or(""),
        };
        packed::push_failure(days.entry((day, &failed.user)).or_default(), failure);
    }
    for ((day, user), failed) in days {
        db.exec(
            "INSERT INTO usage_failed (day, user_id, failed) VALUES ($1, $2, $3)
             ON CONFLICT (day, user_id) DO UPDATE SET failed = usage_failed.failed || excluded.failed",
            &[Value::Int(day), user.into(), failed.as_str().into()],
        )?;
    }
    Ok(())
}

/// Adds each feature's requests and their latency of each day to `usage_features`.
fn write_features(db: &mut dyn Db, batch: &Batch) -> Result<(), DbError> {
    let Dialect { greatest, .. } = db.dialect();
    let mut requests: BTreeMap<(i64, &str), u64> = BTreeMap::new();
    for ((day, _, _, feature), counts) in &batch.users {
        if counts.requests > 0 && !feature.is_empty() {
            *requests.entry((*day, feature)).or_default() += counts.requests;
        }
    }
    let upsert = format!(
        "INSERT INTO usage_features (span, start, feature, requests, max_us, slow, very_slow, histogram)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (span, start, feature) DO UPDATE SET
            requests = usage_features.requests + excluded.requests,
            max_us = {greatest}(usage_features.max_us, excluded.max_us),
            slow = usage_features.slow + excluded.slow,
            very_slow = usage_features.very_slow + excluded.very_slow,
            histogram = excluded.histogram"
    );
    let none = Durations::default();
    let latency: BTreeMap<(i64, &str), &Durations> =
        batch.latency.iter().map(|((day, feature), d)| ((*day, feature.as_str()), d)).collect();
    let keys: BTreeSet<(i64, &str)> = requests.keys().chain(latency.keys()).copied().collect();
    for (day, feature) in keys {
        let durations = latency.get(&(day, feature)).copied().unwrap_or(&none);
        let mut added = String::new();
        for (bucket, count) in durations.histogram.buckets() {
            packed::push_bucket(&mut added, bucket, count);
        }
        let [histogram] = merged(
            db,
            "usage_features",
            "feature",
            (day, feature),
            [("histogram", Packed::Buckets, &added)],
        )?;
        db.exec(
            &upsert,
            &[
                Value::Int(DAY),
                Value::Int(day / MICROS),
                feature.into(),
                int(requests.get(&(day, feature)).copied().unwrap_or(0)),
                int(durations.histogram.max_micros()),
                int(durations.slow),
                int(durations.very_slow),
                histogram.as_str().into(),
            ],
        )?;
    }
    Ok(())
}

/// The packed columns of `table`'s row of `(day, key)` as stored, each with its `added`
/// entries merged in, read in one query. Flushes take turns ([`Db::lock_store`]), so none
/// merges into a list another is changing.
fn merged<const N: usize>(
    db: &mut dyn Db,
    table: &str,
    key: &str,
    (day, row): (i64, &str),
    columns: [(&str, Packed, &str); N],
) -> Result<[String; N], DbError> {
    let names: Vec<&str> = columns.iter().map(|(name, _, _)| *name).collect();
    let sql =
        format!("SELECT {} FROM {table} WHERE span = $1 AND start = $2 AND {key} = $3", names.join(", "));
    let mut lists: [String; N] = std::array::from_fn(|_| String::new());
    db.query(&sql, &[Value::Int(DAY), Value::Int(day / MICROS), row.into()], &mut |r| {
        for (i, list) in lists.iter_mut().enumerate() {
            list.push_str(r.str(i));
        }
    })?;
    Ok(std::array::from_fn(|i| {
        let (_, packed, added) = columns[i];
        lists[i].push_str(added);
        packed.compact(&lists[i])
    }))
}

/// A count as a column value (counts never pass `i64::MAX`).
fn int(n: u64) -> Value<'static> {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}
