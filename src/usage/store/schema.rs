//! The store's tables, versioned: opening a store creates them, or migrates an older version.
//!
//! Every count table has a `span` (0: the base interval, 1: a UTC day, 2: a calendar month)
//! and the period's `start` in seconds since the epoch. Counts are added with upserts, so many
//! writers share rows.

use super::db::{Db, DbError, Value};

/// The version this code writes.
pub(crate) const VERSION: i64 = 1;

/// A period's length.
pub(crate) const BASE: i64 = 0;
pub(crate) const DAY: i64 = 1;
pub(crate) const MONTH: i64 = 2;

/// Version 1. `{keyed}` ends each table with a primary key: SQLite keeps those rows in the key's
/// own tree (`WITHOUT ROWID`), half the size and read in key order.
const V1: &str = "
CREATE TABLE IF NOT EXISTS usage_settings (name TEXT PRIMARY KEY, value BIGINT NOT NULL){keyed};
CREATE TABLE IF NOT EXISTS usage_events (
    span SMALLINT NOT NULL, start BIGINT NOT NULL, event TEXT NOT NULL, feature TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (span, start, event, feature)){keyed};
CREATE TABLE IF NOT EXISTS usage_users (
    span SMALLINT NOT NULL, start BIGINT NOT NULL, user_id TEXT NOT NULL, event TEXT NOT NULL,
    feature TEXT NOT NULL, actions BIGINT NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL,
    PRIMARY KEY (span, start, user_id, event, feature)){keyed};
CREATE TABLE IF NOT EXISTS usage_user_days (
    span SMALLINT NOT NULL, start BIGINT NOT NULL, user_id TEXT NOT NULL, requests BIGINT NOT NULL,
    errors BIGINT NOT NULL, features TEXT NOT NULL, sessions TEXT NOT NULL,
    PRIMARY KEY (span, start, user_id)){keyed};
CREATE TABLE IF NOT EXISTS usage_statuses (
    span SMALLINT NOT NULL, start BIGINT NOT NULL, status INTEGER NOT NULL, count BIGINT NOT NULL,
    PRIMARY KEY (span, start, status)){keyed};
CREATE TABLE IF NOT EXISTS usage_features (
    span SMALLINT NOT NULL, start BIGINT NOT NULL, feature TEXT NOT NULL, requests BIGINT NOT NULL,
    max_us BIGINT NOT NULL, slow BIGINT NOT NULL, very_slow BIGINT NOT NULL, histogram TEXT NOT NULL,
    PRIMARY KEY (span, start, feature)){keyed};
CREATE TABLE IF NOT EXISTS usage_distinct (
    span SMALLINT NOT NULL, start BIGINT NOT NULL, users BIGINT NOT NULL, ips BIGINT NOT NULL,
    days BIGINT NOT NULL,
    PRIMARY KEY (span, start)){keyed};
CREATE TABLE IF NOT EXISTS usage_seen (
    day BIGINT NOT NULL, span SMALLINT NOT NULL, start BIGINT NOT NULL, kind SMALLINT NOT NULL,
    hash BIGINT NOT NULL,
    PRIMARY KEY (span, start, kind, hash)){keyed};
CREATE TABLE IF NOT EXISTS usage_salts (day BIGINT PRIMARY KEY, salt TEXT NOT NULL){keyed};
CREATE TABLE IF NOT EXISTS usage_failed (
    day BIGINT NOT NULL, user_id TEXT NOT NULL, failed TEXT NOT NULL,
    PRIMARY KEY (day, user_id)){keyed};
CREATE TABLE IF NOT EXISTS usage_error_actions (
    request_id TEXT PRIMARY KEY, at_us BIGINT NOT NULL, description TEXT NOT NULL){keyed};
";

/// The migrations, in order: entry `n` takes a store from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[V1];

/// Creates the tables, or migrates them to [`VERSION`]. A store written by a newer version is
/// an error: this code would misread it.
pub(crate) fn migrate(db: &mut dyn Db) -> Result<(), DbError> {
    db.lock_store()?;
    db.batch("CREATE TABLE IF NOT EXISTS usage_schema (version BIGINT NOT NULL)")?;
    let mut version = None;
    db.query("SELECT MAX(version) FROM usage_schema", &[], &mut |row| version = Some(row.int(0)))?;
    let version = version.unwrap_or(0);
    if version > VERSION {
        return Err(DbError(format!(
            "the usage store has schema version {version}; this version of tracing-activity reads {VERSION} and older"
        )));
    }
    for (from, migration) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        db.batch(&migration.replace("{keyed}", db.dialect().keyed_tables))?;
        db.exec("DELETE FROM usage_schema", &[])?;
        db.exec("INSERT INTO usage_schema (version) VALUES ($1)", &[Value::Int(from as i64 + 1)])?;
    }
    Ok(())
}

/// The schema version of a store.
pub(crate) fn version(db: &mut dyn Db) -> Result<i64, DbError> {
    let mut version = 0;
    db.query("SELECT MAX(version) FROM usage_schema", &[], &mut |row| version = row.int(0))?;
    Ok(version)
}

/// The length of the store's base interval in seconds: the one it was made with, or, for a new
/// store, `wanted`. A writer whose base interval differs is refused (`Err` with the store's).
pub(crate) fn base_seconds(db: &mut dyn Db, wanted: Option<i64>) -> Result<Result<i64, i64>, DbError> {
    let mut stored = None;
    db.query("SELECT value FROM usage_settings WHERE name = 'base_seconds'", &[], &mut |row| {
        stored = Some(row.int(0))
    })?;
    match (stored, wanted) {
        (Some(stored), Some(wanted)) if stored != wanted => Ok(Err(stored)),
        (Some(stored), _) => Ok(Ok(stored)),
        (None, wanted) => {
            let seconds = wanted.unwrap_or(3_600);
            db.exec(
                "INSERT INTO usage_settings (name, value) VALUES ('base_seconds', $1) ON CONFLICT (name) DO NOTHING",
                &[Value::Int(seconds)],
            )?;
            Ok(Ok(seconds))
        }
    }
}
