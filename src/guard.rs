//! [`ActivityGuard`]: flushes and closes the activity log, and tells what happened to its lines.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::filter::LevelFilter;

use crate::layer::Shared;
#[cfg(feature = "metrics")]
use crate::usage::UsageMetrics;

/// Flushes and closes the activity log when dropped, and counts what became of its lines.
///
/// Keep it alive for as long as the application logs, typically in `main`:
/// `let _guard = tracing_activity::init();`. Note that `let _ = tracing_activity::init();`
/// drops the guard at once: the log file is closed right away, and later file lines are
/// dropped (counted, and reported once on stderr).
///
/// Dropping the guard waits up to `LOG_FLUSH_TIMEOUT` for queued file lines to be written. If
/// any line was dropped, lost to a write error or not flushed in time, it says so on stderr;
/// [`close`](Self::close) returns the same counts instead. Console lines written after the
/// reader of a pipe went away (`| head`) are counted, but not told on stderr.
#[must_use = "dropping the guard closes the activity log at once; keep it alive in main"]
pub struct ActivityGuard {
    shared: Arc<Shared>,
    closed: AtomicBool,
    /// Saved a last time when the guard closes.
    #[cfg(feature = "metrics")]
    usage: Option<UsageMetrics>,
}

impl fmt::Debug for ActivityGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActivityGuard").field("stats", &self.stats()).finish()
    }
}

/// What became of the lines, from [`ActivityGuard::stats`] and [`ActivityGuard::close`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Lines written to the console.
    pub console_lines: u64,
    /// Console lines that could not be written, including those written after the reader of
    /// the console's pipe went away (`| head`): those are not reported on stderr.
    pub console_write_errors: u64,
    /// Lines written to the log file.
    pub file_lines: u64,
    /// File lines lost to write errors (disk full, permission lost, ...).
    pub file_write_errors: u64,
    /// File lines dropped because the queue was full (`LOG_QUEUE_OVERFLOW=drop`) or the log was
    /// already closed.
    pub file_dropped: u64,
    /// File lines waiting in the queue.
    pub file_queued: u64,
    /// File lines still queued when [`ActivityGuard::close`] gave up waiting (`LOG_FLUSH_TIMEOUT`).
    /// The writer thread goes on with them while the process lives, so some may still reach the
    /// file (and then count in a later [`file_lines`](Self::file_lines)).
    pub file_unflushed: u64,
}

impl ActivityGuard {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        ActivityGuard {
            shared,
            closed: AtomicBool::new(false),
            #[cfg(feature = "metrics")]
            usage: None,
        }
    }

    /// The guard that also saves `usage` to its store when it closes.
    #[cfg(feature = "metrics")]
    pub(crate) fn with_usage(mut self, usage: Option<UsageMetrics>) -> Self {
        self.usage = usage;
        self
    }

    /// The live usage metrics of the layer this guard belongs to (feature `metrics`; `None`
    /// with `ENABLE_USAGE_METRICS` off): how an app started with
    /// [`try_init`](crate::try_init) registers them for Prometheus.
    ///
    /// ```
    /// let guard = tracing_activity::Builder::new()
    ///     .configure(|c| c.enable_file_logging(false).no_usage_store())
    ///     .console_writer(std::io::sink)
    ///     .try_init()?;
    /// let mut registry = prometheus_client::registry::Registry::default();
    /// guard.usage().expect("ENABLE_USAGE_METRICS is on by default").register(&mut registry);
    /// tracing_activity::log_click!("save");
    /// let mut text = String::new();
    /// prometheus_client::encoding::text::encode(&mut text, &registry)?;
    /// assert!(text.contains(r#"usage_events_total{event_type="click"} 1"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "metrics")]
    pub fn usage(&self) -> Option<&UsageMetrics> {
        self.usage.as_ref()
    }

    /// What the sinks have done so far.
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.enable_file_logging(false))
    ///     .console_writer(std::io::sink)
    ///     .build()?;
    /// tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
    ///     tracing_activity::log_click!("save");
    ///     tracing_activity::log_search!("rust tracing", results_count = 3);
    /// });
    /// let stats = guard.stats();
    /// assert_eq!((stats.console_lines, stats.file_lines), (2, 0));
    /// # Ok::<(), tracing_activity::InitError>(())
    /// ```
    pub fn stats(&self) -> Stats {
        let sinks = &self.shared.sinks;
        let console = sinks.console.as_ref().map(|c| c.sink.stats()).unwrap_or_default();
        let file = sinks.file.as_ref().map(|f| f.sink.stats()).unwrap_or_default();
        Stats {
            console_lines: console.written,
            console_write_errors: console.failed,
            file_lines: file.written,
            file_write_errors: file.failed,
            file_dropped: file.dropped,
            file_queued: file.queued,
            file_unflushed: 0,
        }
    }

    /// Waits until every line logged so far is written, for at most `LOG_FLUSH_TIMEOUT`.
    ///
    /// Returns how many file lines were still queued when it stopped waiting (0: all written).
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let log = dir.path().join("activity.log");
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.user_activity_log_path(&log))
    ///     .console_writer(std::io::sink)
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// assert_eq!(guard.flush(), 0);
    /// assert!(std::fs::read_to_string(&log)?.contains(r#""action_type":"click""#)); // still open
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&self) -> u64 {
        let timeout = self.shared.flush_timeout;
        let sinks = &self.shared.sinks;
        if let Some(c) = &sinks.console {
            c.sink.flush(timeout);
        }
        sinks.file.as_ref().map_or(0, |f| f.sink.flush(timeout))
    }

    /// Flushes and closes the log (waiting at most `LOG_FLUSH_TIMEOUT`) and returns the final
    /// counts, with [`Stats::file_unflushed`] set. Lines logged afterwards are dropped and
    /// counted. Closing again returns the current counts.
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.user_activity_log_path(dir.path().join("activity.log")))
    ///     .console_writer(std::io::sink)
    ///     .build()?;
    /// let _subscriber = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    /// tracing_activity::log_click!("save");
    /// let stats = guard.close();
    /// assert_eq!((stats.file_lines, stats.file_unflushed), (1, 0));
    /// tracing_activity::log_click!("too late");
    /// assert_eq!(guard.stats().file_dropped, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&self) -> Stats {
        self.close_once().unwrap_or_else(|| self.stats())
    }

    fn close_once(&self) -> Option<Stats> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return None;
        }
        let timeout = self.shared.flush_timeout;
        let sinks = &self.shared.sinks;
        if let Some(c) = &sinks.console {
            c.sink.close(timeout);
        }
        let unflushed = sinks.file.as_ref().map_or(0, |f| f.sink.close(timeout));
        // The usage counts are saved after the last line: the flusher reported any error.
        #[cfg(feature = "metrics")]
        if let Some(usage) = &self.usage {
            let _ = usage.close();
        }
        Some(Stats { file_unflushed: unflushed, ..self.stats() })
    }

    /// The most verbose level any sink takes.
    pub(crate) fn max_level(&self) -> LevelFilter {
        self.shared.max_level
    }
}

impl Drop for ActivityGuard {
    fn drop(&mut self) {
        let Some(stats) = self.close_once() else { return };
        let lost = stats.file_dropped + stats.file_write_errors + stats.file_unflushed;
        // Console lines whose reader had gone (`| head`) are counted, not told.
        let reader_gone = self.shared.sinks.console.as_ref().map_or(0, |c| c.sink.stats().reader_gone);
        if lost > 0 || stats.console_write_errors > reader_gone {
            crate::sink::notice(format_args!(
                "tracing-activity: activity log closed: {} file lines written, {} dropped (queue full \
                 or closed), {} lost to write errors, {} not flushed within {:?}; {} console lines \
                 could not be written",
                stats.file_lines,
                stats.file_dropped,
                stats.file_write_errors,
                stats.file_unflushed,
                self.shared.flush_timeout,
                stats.console_write_errors,
            ));
        }
    }
}
