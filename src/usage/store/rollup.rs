//! Keeping the store small, with each flush: days that ended get their distinct counts,
//! base-interval counts become daily counts after `USAGE_BASE_RETENTION_DAYS`, daily counts
//! become monthly ones after `USAGE_RETENTION_DAYS`, failed requests go after
//! `USAGE_ERROR_RETENTION_DAYS`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate};

use super::db::{Db, DbError, Dialect, Value, rows};
use super::distinct::{Kind, Salts};
use super::packed::Packed;
use super::schema::{BASE, DAY, MONTH};

const DAY_SECONDS: i64 = 86_400;

/// How long counts are kept at each span, in days, and how long a day stays open after it
/// ended (one flush interval: the other writers' last counts of it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retention {
    pub(crate) base_days: u32,
    pub(crate) days: u32,
    pub(crate) error_days: u32,
    pub(crate) grace_seconds: i64,
}

/// How a column of a count table is merged when rows are rolled into one.
#[derive(Clone, Copy)]
enum Merge {
    Sum,
    Max,
    /// A packed list: joined, then compacted.
    Append(Packed),
}

/// A count table: its key columns (beside span and start) and its value columns.
struct Table {
    name: &'static str,
    keys: &'static [&'static str],
    values: &'static [(&'static str, Merge)],
}

const EVENTS: Table =
    Table { name: "usage_events", keys: &["event", "feature"], values: &[("count", Merge::Sum)] };

/// The tables kept per day, and rolled into months.
const DAILY: &[Table] = &[
    EVENTS,
    Table {
        name: "usage_users",
        keys: &["user_id", "event", "feature"],
        values: &[("actions", Merge::Sum), ("requests", Merge::Sum), ("errors", Merge::Sum)],
    },
    Table {
        name: "usage_user_days",
        keys: &["user_id"],
        values: &[
            ("requests", Merge::Sum),
            ("errors", Merge::Sum),
            ("features", Merge::Append(Packed::Names)),
            ("sessions", Merge::Append(Packed::Spans)),
        ],
    },
    Table { name: "usage_statuses", keys: &["status"], values: &[("count", Merge::Sum)] },
    Table {
        name: "usage_features",
        keys: &["feature"],
        values: &[
            ("requests", Merge::Sum),
            ("max_us", Merge::Max),
            ("slow", Merge::Sum),
            ("very_slow", Merge::Sum),
            ("histogram", Merge::Append(Packed::Buckets)),
        ],
    },
    // A month's distinct counts are the sums of its days' and the number of days: their
    // average is the month's.
    Table {
        name: "usage_distinct",
        keys: &[],
        values: &[("users", Merge::Sum), ("ips", Merge::Sum), ("days", Merge::Sum)],
    },
];

/// Runs the upkeep due at `now` (microseconds since the epoch).
pub(crate) fn maintain(
    db: &mut dyn Db,
    salts: &mut Salts,
    now: i64,
    retention: Retention,
) -> Result<(), DbError> {
    let now_seconds = now.div_euclid(1_000_000);
    let today = now_seconds.div_euclid(DAY_SECONDS) * DAY_SECONDS;
    close_days(db, salts, now_seconds - DAY_SECONDS - retention.grace_seconds)?;
    let base_cutoff = today - i64::from(retention.base_days) * DAY_SECONDS;
    for start in starts(db, &EVENTS, BASE, base_cutoff)? {
        roll(db, &EVENTS, (BASE, start), (DAY, start.div_euclid(DAY_SECONDS) * DAY_SECONDS))?;
    }
    db.exec(
        "DELETE FROM usage_distinct WHERE span = $1 AND start < $2",
        &[Value::Int(BASE), Value::Int(base_cutoff)],
    )?;
    let day_cutoff = today - i64::from(retention.days) * DAY_SECONDS;
    for table in DAILY {
        let mut months = BTreeSet::new();
        for start in starts(db, table, DAY, day_cutoff)? {
            roll(db, table, (DAY, start), (MONTH, month_of(start)))?;
            months.insert(month_of(start));
        }
        for month in months {
            compact(db, table, (MONTH, month))?;
        }
    }
    let error_cutoff = today - i64::from(retention.error_days) * DAY_SECONDS;
    db.exec("DELETE FROM usage_failed WHERE day < $1", &[Value::Int(error_cutoff)])?;
    db.exec(
        "DELETE FROM usage_error_actions WHERE at_us < $1",
        &[Value::Int(error_cutoff.saturating_mul(1_000_000))],
    )?;
    Ok(())
}

/// Writes the distinct counts of the days that started before `before` (seconds), and deletes
/// their hashes and salts.
fn close_days(db: &mut dyn Db, salts: &mut Salts, before: i64) -> Result<(), DbError> {
    let days = rows(db, "SELECT day FROM usage_salts WHERE day < $1", &[Value::Int(before)], |r| r.int(0))?;
    for day in days {
        // (span, start) → [users, ips]
        let mut counts: BTreeMap<(i64, i64), [i64; 2]> = BTreeMap::new();
        db.query(
            "SELECT span, start, kind, COUNT(*) FROM usage_seen WHERE day = $1 GROUP BY span, start, kind",
            &[Value::Int(day)],
            &mut |row| {
                let slot = usize::from(row.int(2) == Kind::Ip as i64);
                counts.entry((row.int(0), row.int(1))).or_default()[slot] = row.int(3);
            },
        )?;
        for ((span, start), [users, ips]) in counts {
            db.exec(
                "INSERT INTO usage_distinct (span, start, users, ips, days) VALUES ($1, $2, $3, $4, 1)
                 ON CONFLICT (span, start) DO NOTHING",
                &[Value::Int(span), Value::Int(start), Value::Int(users), Value::Int(ips)],
            )?;
        }
        db.exec("DELETE FROM usage_seen WHERE day = $1", &[Value::Int(day)])?;
        db.exec("DELETE FROM usage_salts WHERE day = $1", &[Value::Int(day)])?;
        salts.forget(day);
    }
    Ok(())
}

/// The starts of `table`'s rows of `span` before `before`.
fn starts(db: &mut dyn Db, table: &Table, span: i64, before: i64) -> Result<Vec<i64>, DbError> {
    let sql = format!("SELECT DISTINCT start FROM {} WHERE span = $1 AND start < $2", table.name);
    rows(db, &sql, &[Value::Int(span), Value::Int(before)], |r| r.int(0))
}

/// Adds the rows of period `from` into those of period `to`, and deletes them.
fn roll(db: &mut dyn Db, table: &Table, from: (i64, i64), to: (i64, i64)) -> Result<(), DbError> {
    let Dialect { greatest, concat, .. } = db.dialect();
    let name = table.name;
    let keys = table.keys.join(", ");
    let values: Vec<&str> = table.values.iter().map(|(v, _)| *v).collect();
    let aggregates: Vec<String> = table
        .values
        .iter()
        .map(|(v, merge)| match merge {
            Merge::Sum => format!("SUM({v})"),
            Merge::Max => format!("MAX({v})"),
            Merge::Append(_) => format!("{concat}({v}, '')"),
        })
        .collect();
    let updates: Vec<String> = table
        .values
        .iter()
        .map(|(v, merge)| match merge {
            Merge::Sum => format!("{v} = {name}.{v} + excluded.{v}"),
            Merge::Max => format!("{v} = {greatest}({name}.{v}, excluded.{v})"),
            Merge::Append(_) => format!("{v} = {name}.{v} || excluded.{v}"),
        })
        .collect();
    let (key_list, group) = if keys.is_empty() {
        (String::new(), String::new())
    } else {
        (format!("{keys}, "), format!(" GROUP BY {keys}"))
    };
    let sql = format!(
        "INSERT INTO {name} (span, start, {key_list}{values}) SELECT CAST($1 AS SMALLINT), CAST($2 AS BIGINT), {key_list}{aggregates} FROM {name}
         WHERE span = CAST($3 AS SMALLINT) AND start = CAST($4 AS BIGINT){group}
         ON CONFLICT (span, start{conflict}) DO UPDATE SET {updates}",
        values = values.join(", "),
        aggregates = aggregates.join(", "),
        conflict = if keys.is_empty() { String::new() } else { format!(", {keys}") },
        updates = updates.join(", "),
    );
    let params = [Value::Int(to.0), Value::Int(to.1), Value::Int(from.0), Value::Int(from.1)];
    db.exec(&sql, &params)?;
    db.exec(&format!("DELETE FROM {name} WHERE span = $1 AND start = $2"), &params[2..])?;
    Ok(())
}

/// Rewrites the packed lists of `table`'s rows of `period` merged, once days were joined into
/// them.
fn compact(db: &mut dyn Db, table: &Table, period: (i64, i64)) -> Result<(), DbError> {
    let name = table.name;
    for &(column, merge) in table.values {
        let (Merge::Append(packed), [key]) = (merge, table.keys) else { continue };
        let sql = format!("SELECT {key}, {column} FROM {name} WHERE span = $1 AND start = $2");
        let params = [Value::Int(period.0), Value::Int(period.1)];
        let lists = rows(db, &sql, &params, |r| (r.text(0), r.text(1)))?;
        let update = format!("UPDATE {name} SET {column} = $1 WHERE span = $2 AND start = $3 AND {key} = $4");
        for (row, list) in lists {
            let merged = packed.compact(&list);
            if merged != list {
                db.exec(&update, &[merged.as_str().into(), params[0], params[1], row.as_str().into()])?;
            }
        }
    }
    Ok(())
}

/// The start of the calendar month (UTC) that holds `seconds`.
pub(crate) fn month_of(seconds: i64) -> i64 {
    let date = DateTime::from_timestamp(seconds, 0).map_or(NaiveDate::default(), |t| t.date_naive());
    let first = date.with_day(1).unwrap_or(date);
    first.and_hms_opt(0, 0, 0).map_or(seconds, |t| t.and_utc().timestamp())
}
