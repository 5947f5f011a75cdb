//! [`UsageStore`]: the usage counts, saved and rolled up, in SQLite or PostgreSQL.

mod db;
mod distinct;
mod packed;
#[cfg(feature = "postgres")]
mod postgres;
mod query;
mod rollup;
mod schema;
mod sqlite;
mod write;

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use rusqlite::TransactionBehavior;

use db::{Db, DbError};
use distinct::Salts;
pub(crate) use rollup::Retention;

use crate::config::{Config, UsageInterval};
use crate::counters::Batch;
use crate::report::{Counts, Interval, Summary, Usage, Window};

/// The usage counts of one service (or of a fleet of them), saved by the flusher and rolled
/// up: the reports' [`Summary`], [`Usage`] and [`Counts`] over any window, long after the log
/// files that held the actions have rotated away.
///
/// ```
/// use tracing_activity::report::Window;
/// use tracing_activity::usage::UsageStore;
///
/// let dir = tempfile::tempdir()?;
/// let store = UsageStore::open(dir.path().join("usage.db"))?;
/// let summary = store.summary(Window::days(30))?;
/// assert_eq!((summary.active_users, summary.total_requests), (0, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The tables (schema version 1, migrated on open): `usage_events` (actions per period, action
/// type and feature), `usage_users` (per day, user, action type and feature: actions, requests,
/// errors), `usage_user_days` (per day and user: requests, errors, the features used and each
/// session's first and last action), `usage_statuses`, `usage_features` (per day and feature:
/// requests, slow requests and the latency histogram), `usage_distinct` (distinct users and IPs
/// of ended days), `usage_seen` and `usage_salts` (the open days' salted hashes),
/// `usage_failed` (per day and user, each failed request with its time, status, endpoint and
/// result) and `usage_error_actions` (the error actions that name them). A period's `span` is 0 for the base interval, 1 for a day and 2
/// for a month; `start` is in seconds since the epoch, UTC.
pub struct UsageStore {
    backend: Mutex<Backend>,
    salts: Mutex<Salts>,
    base_seconds: i64,
    name: String,
}

enum Backend {
    Sqlite(rusqlite::Connection),
    #[cfg(feature = "postgres")]
    Postgres(Box<postgres::Connection>),
}

impl fmt::Debug for UsageStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsageStore")
            .field("store", &self.name)
            .field("base_seconds", &self.base_seconds)
            .finish()
    }
}

/// A usage store that could not be opened, read or written.
#[derive(Debug)]
pub struct StoreError {
    store: String,
    message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "usage store {}: {}", self.store, self.message)
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    pub(crate) fn new(store: &str, message: String) -> Self {
        StoreError { store: store.to_owned(), message }
    }
}

impl UsageStore {
    /// Opens the SQLite store at `path`, creating the file (and its directory) or migrating its
    /// tables when needed. Its base interval is the one it was made with (an hour for a new
    /// file).
    ///
    /// # Errors
    /// The file cannot be created or opened, is not a SQLite database, or holds a newer schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_sqlite(path.as_ref(), None)
    }

    /// Connects to the PostgreSQL store at `url` (`postgres://user:password@host/db`, or a
    /// `host=/run/postgresql dbname=usage` key-value string), creating or migrating its tables.
    ///
    /// # Errors
    /// The server cannot be reached or refuses the login, or holds a newer schema.
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_postgres(url, None)
    }

    /// The store `config` names: PostgreSQL at `USAGE_DATABASE_URL` when it is set, else the
    /// SQLite file at `USAGE_DB_PATH`; `None` when neither is. A store made with another base
    /// interval than `USAGE_BASE_INTERVAL` is refused, since its counts could not be added to.
    ///
    /// # Errors
    /// As [`open`](Self::open) and `connect`; a PostgreSQL URL in a build without the
    /// `postgres` feature.
    pub fn from_config(config: &Config) -> Result<Option<Self>, StoreError> {
        let base = Some(base_seconds(config.usage_base_interval));
        if let Some(url) = &config.usage_database_url {
            #[cfg(feature = "postgres")]
            return Self::connect_postgres(url.expose(), base).map(Some);
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError {
                store: "USAGE_DATABASE_URL".into(),
                message: format!(
                    "a PostgreSQL store needs tracing-activity built with the `postgres` feature ({url:?})"
                ),
            });
        }
        match &config.usage_db_path {
            Some(path) => Self::open_sqlite(path, base).map(Some),
            None => Ok(None),
        }
    }

    fn open_sqlite(path: &Path, base: Option<i64>) -> Result<Self, StoreError> {
        let name = path.display().to_string();
        let error = |e: DbError| StoreError { store: name.clone(), message: e.0 };
        let connection = sqlite::open(path).map_err(error)?;
        Self::start(Backend::Sqlite(connection), name.clone(), base)
    }

    #[cfg(feature = "postgres")]
    fn connect_postgres(url: &str, base: Option<i64>) -> Result<Self, StoreError> {
        let name = postgres::display_name(url);
        let client = postgres::connect(url).map_err(|e| StoreError { store: name.clone(), message: e.0 })?;
        Self::start(Backend::Postgres(Box::new(client)), name, base)
    }

    fn start(backend: Backend, name: String, base: Option<i64>) -> Result<Self, StoreError> {
        let store = UsageStore {
            backend: Mutex::new(backend),
            salts: Mutex::new(Salts::default()),
            base_seconds: 0,
            name,
        };
        let found = store.transaction(true, |db| {
            schema::migrate(db)?;
            schema::base_seconds(db, base)
        })?;
        let base_seconds = found.map_err(|stored| StoreError {
            store: store.name.clone(),
            message: format!(
                "its counts are per base interval of {stored} s, and USAGE_BASE_INTERVAL asks for {} s; use another store",
                base.unwrap_or_default()
            ),
        })?;
        Ok(UsageStore { base_seconds, ..store })
    }

    /// The schema version of the store's tables.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.transaction(false, schema::version)
    }

    /// The [`Summary`] of `window`, as [`report::summary`](crate::report::summary) makes it from
    /// the log files. The store counts per day: the window is widened to the start of its first
    /// day (`period_start` says so).
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn summary(&self, window: Window) -> Result<Summary, StoreError> {
        self.transaction(false, |db| query::summary(db, window, self.base_seconds))
    }

    /// The [`Usage`] matrix of `window` (widened to whole days, as [`summary`](Self::summary)).
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn usage(&self, window: Window) -> Result<Usage, StoreError> {
        self.transaction(false, |db| query::usage(db, window, self.base_seconds))
    }

    /// The [`Counts`] of `window` per `interval`. Past `USAGE_BASE_RETENTION_DAYS` events are
    /// counted per day, past `USAGE_RETENTION_DAYS` per month, at the period's start; distinct
    /// users and IPs are per base interval, per day, and for a month the average of its days'.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn counts(&self, window: Window, interval: Interval) -> Result<Counts, StoreError> {
        self.transaction(false, |db| query::counts(db, window, interval, self.base_seconds))
    }

    /// Adds `batch` and runs the upkeep due at `now` (microseconds since the epoch), in one
    /// transaction: a failed write leaves the store as it was.
    pub(crate) fn write(&self, batch: &Batch, now: i64, retention: Retention) -> Result<(), StoreError> {
        let mut salts = self.salts.lock().unwrap_or_else(PoisonError::into_inner);
        let result = self.transaction(true, |db| {
            db.lock_store()?;
            write::write(db, &mut salts, batch)?;
            rollup::maintain(db, &mut salts, now, retention)
        });
        if result.is_err() {
            // Salts read inside the failed transaction may not have been stored.
            *salts = Salts::default();
        }
        result
    }

    /// Runs `f` in one transaction. A SQLite transaction that writes takes the file's write
    /// lock when it begins (`BEGIN IMMEDIATE`), so another process writing at the same time
    /// makes it wait (up to the busy timeout), not fail when it starts to write after reading.
    fn transaction<T>(
        &self,
        writes: bool,
        f: impl FnOnce(&mut dyn Db) -> Result<T, DbError>,
    ) -> Result<T, StoreError> {
        let mut backend = self.backend.lock().unwrap_or_else(PoisonError::into_inner);
        let result = match &mut *backend {
            Backend::Sqlite(connection) => (|| {
                let behavior =
                    if writes { TransactionBehavior::Immediate } else { TransactionBehavior::Deferred };
                let mut tx = connection.transaction_with_behavior(behavior)?;
                let out = f(&mut tx)?;
                tx.commit()?;
                Ok(out)
            })(),
            #[cfg(feature = "postgres")]
            Backend::Postgres(client) => postgres::transaction(client, f),
        };
        result.map_err(|e: DbError| StoreError { store: self.name.clone(), message: e.0 })
    }

    /// The store's name in messages: its path, or the server and database.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// The seconds of a base interval.
pub(crate) fn base_seconds(interval: UsageInterval) -> i64 {
    interval.seconds()
}
