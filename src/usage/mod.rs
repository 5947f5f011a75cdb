//! Live usage metrics (feature `metrics`): Prometheus counters, and a rollup store whose
//! counts outlive log rotation.
//!
//! With the feature on (and `ENABLE_USAGE_METRICS`, true by default), every action the layer
//! writes is also counted, on the logging thread, in that thread's own counters (a few hundred
//! instructions; no lock shared between threads, no allocation once warm). From those counts:
//!
//! - [`UsageMetrics::register`] puts the Prometheus metrics into your own
//!   `prometheus_client` registry; serve it wherever you serve metrics (the example server
//!   answers `GET /metrics`). An app started with [`try_init`](crate::try_init) finds them
//!   on its guard: [`ActivityGuard::usage`](crate::ActivityGuard::usage). The metrics: `usage_events_total{event_type}`,
//!   `http_requests_total{method,feature,status}`, `http_request_duration_seconds{feature}`
//!   (a histogram), `activity_lines_dropped_total`, `activity_write_errors_total{sink}`,
//!   `usage_store_flushes_total` and `usage_store_flush_errors_total`. Label values are
//!   bounded: the first `USAGE_MAX_FEATURES` features (and as many custom action types) are
//!   named, later ones are counted as `other`, and methods outside the standard nine are
//!   `other`. Random paths cannot make new series without end.
//! - A background thread saves the counts every `USAGE_FLUSH_INTERVAL` (10 minutes), and at
//!   shutdown through the [`ActivityGuard`](crate::ActivityGuard), to a [`UsageStore`]: the
//!   SQLite file `USAGE_DB_PATH` (`logs/usage.db`), or PostgreSQL at `USAGE_DATABASE_URL`
//!   (feature `postgres`) for many instances sharing one store. Base-interval counts
//!   (`USAGE_BASE_INTERVAL`, an hour) become daily counts after `USAGE_BASE_RETENTION_DAYS`,
//!   daily counts monthly ones after `USAGE_RETENTION_DAYS`; each failed request is kept, to
//!   the microsecond, for `USAGE_ERROR_RETENTION_DAYS`.
//! - [`UsageStore::summary`], [`usage`](UsageStore::usage) and [`counts`](UsageStore::counts)
//!   answer with the reports' own types and JSON, as the log files would
//!   (`activity-report --db logs/usage.db summary --days 30`).
//!
//! **What a crash loses**: the counts since the last flush, at most one flush interval. A
//! flush that fails keeps its counts for the next one.
//!
//! **Privacy**: user ids are stored as the log lines write them, so they are pseudonyms when
//! `USER_ID_HMAC_SECRET` is set, and client IPs are anonymized first when `ANONYMIZE_IP` is
//! on. Distinct users and IPs are counted from salted hashes whose salt is deleted with them
//! when the day is over; session ids are stored hashed; raw IPs are never stored.
//!
//! ```
//! use tracing_subscriber::prelude::*;
//!
//! let dir = tempfile::tempdir()?;
//! let tracing_activity::Activity { layer, guard, usage, .. } = tracing_activity::Builder::new()
//!     .configure(|c| c.enable_file_logging(false).usage_db_path(dir.path().join("usage.db")))
//!     .console_writer(std::io::sink)
//!     .build()?;
//! let usage = usage.expect("ENABLE_USAGE_METRICS is on by default");
//! let mut registry = prometheus_client::registry::Registry::default();
//! usage.register(&mut registry);
//!
//! tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
//!     tracing_activity::log_search!("rust tracing", results_count = 3);
//! });
//!
//! let mut text = String::new();
//! prometheus_client::encoding::text::encode(&mut text, &registry)?;
//! assert!(text.contains(r#"usage_events_total{event_type="search"} 1"#));
//!
//! usage.flush()?;
//! let store = usage.store().expect("USAGE_DB_PATH names one");
//! let counts = store.usage(tracing_activity::report::Window::days(1))?;
//! assert_eq!(counts.summary["search"]["anonymous"], 1);
//! drop(guard);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod flush;
mod prometheus;
mod store;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use store::{StoreError, UsageStore};

use crate::config::Config;
use crate::counters::Counters;
use crate::layer::Clock;
use flush::Flusher;
pub(crate) use prometheus::SinkLosses;
use prometheus::UsageCollector;

/// The live usage metrics of one [`ActivityLayer`](crate::ActivityLayer): its Prometheus
/// metrics and its store. Cloning it is cheap; all clones are one.
#[derive(Clone)]
pub struct UsageMetrics {
    inner: Arc<Inner>,
}

struct Inner {
    counters: Arc<Counters>,
    store: Option<Arc<UsageStore>>,
    flusher: Option<Flusher>,
    losses: SinkLosses,
    timeout: Duration,
}

impl fmt::Debug for UsageMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsageMetrics").field("store", &self.inner.store).finish_non_exhaustive()
    }
}

impl UsageMetrics {
    /// The metrics `config` asks for, counting into `counters` and saving to the store it
    /// names, through a flusher thread reading `clock`.
    pub(crate) fn start(
        config: &Config,
        counters: Arc<Counters>,
        losses: SinkLosses,
        clock: Option<Clock>,
    ) -> Result<Self, StartError> {
        let store = UsageStore::from_config(config).map_err(StartError::Store)?.map(Arc::new);
        let retention = store::Retention {
            base_days: config.usage_base_retention_days,
            days: config.usage_retention_days,
            error_days: config.usage_error_retention_days,
            grace_seconds: i64::try_from(config.usage_flush_interval.as_secs()).unwrap_or(i64::MAX) + 60,
        };
        let flusher = match &store {
            Some(store) => Some(
                Flusher::start(
                    Arc::clone(&counters),
                    Arc::clone(store),
                    config.usage_flush_interval,
                    retention,
                    clock,
                )
                .map_err(StartError::Thread)?,
            ),
            None => None,
        };
        let inner = Inner {
            counters,
            store,
            flusher,
            losses,
            timeout: config.log_flush_timeout.max(Duration::from_secs(5)),
        };
        Ok(UsageMetrics { inner: Arc::new(inner) })
    }

    /// Registers the Prometheus metrics (see the [module](self) docs) into `registry`. They are
    /// read from the counters at each scrape.
    pub fn register(&self, registry: &mut prometheus_client::registry::Registry) {
        let inner = &self.inner;
        registry.register_collector(Box::new(UsageCollector {
            counters: Arc::clone(&inner.counters),
            losses: Arc::clone(&inner.losses),
            flushes: inner.flusher.as_ref().map(|f| Arc::clone(&f.stats)),
        }));
    }

    /// The store the counts are saved to, for summaries; `None` without one.
    pub fn store(&self) -> Option<&UsageStore> {
        self.inner.store.as_deref()
    }

    /// Saves the counts to the store now, and runs its upkeep (rollups, retention).
    ///
    /// # Errors
    /// The store could not be written (the counts are kept for the next flush), or did not
    /// answer within `LOG_FLUSH_TIMEOUT` (at least 5 s).
    pub fn flush(&self) -> Result<(), StoreError> {
        match &self.inner.flusher {
            Some(flusher) => flusher.flush(self.inner.timeout),
            None => Ok(()),
        }
    }

    /// Saves the counts a last time and stops the flusher: the guard calls it at shutdown.
    pub(crate) fn close(&self) -> Result<(), StoreError> {
        match &self.inner.flusher {
            Some(flusher) => flusher.stop(self.inner.timeout),
            None => Ok(()),
        }
    }
}

/// Why the usage metrics did not start.
#[derive(Debug)]
pub(crate) enum StartError {
    /// The store could not be opened.
    Store(StoreError),
    /// The flusher thread could not be started.
    Thread(std::io::Error),
}
