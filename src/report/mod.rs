//! Usage reports over the activity log files (feature `report`): who was active, which
//! features are used, who hit errors and what is slow.
//!
//! The reports read the JSON lines the layer writes, in the active file and its size-rotated
//! backups ([`LogFiles`]), in one streaming pass over all of them ([`Scan`]) that uses every
//! core. Memory grows with the number of distinct users, features, sessions and failed
//! requests in the window, never with the size of the files. Lines that are not activity JSON
//! (a line torn by a crash, narrative text lines written with `ENABLE_JSON_LOGGING=false`, the
//! queue's `lines_dropped` notices) are counted in [`Lines::skipped`] and each report's
//! `skipped_lines`, and left out.
//!
//! ```no_run
//! use tracing_activity::report::{self, LogFiles, Window};
//!
//! let logs = LogFiles::discover("logs/user_activity.log")?;
//! let summary = report::summary(&logs, Window::hours(2))?;
//! println!("{} active users, {} requests, {} failed", summary.active_users, summary.total_requests, summary.total_errors);
//! for feature in &summary.top_features {
//!     println!("{}: {}", feature.name, feature.count);
//! }
//! # Ok::<(), report::ReportError>(())
//! ```
//!
//! Several reports over one window come from one pass:
//!
//! ```no_run
//! use tracing_activity::report::{Interval, LogFiles, Scan, Window};
//!
//! let logs = LogFiles::discover("logs/user_activity.log")?;
//! let reports = Scan::new(Window::days(1)).summary().counts(Interval::Hour).run(&logs)?;
//! let (summary, counts) = (reports.summary.unwrap(), reports.counts.unwrap());
//! std::fs::write("report.html", tracing_activity::report::html(&summary, &counts))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The reports and their definitions:
//! - [`Summary`]: active users, requests, errors, per-user features, time and errors, top
//!   features, errors by status, latency per feature. The definitions of request, error,
//!   feature, active user and session time are on [`Summary`].
//! - [`Usage`]: actions per type and user (`{"summary": {type: {user: count}}}`).
//! - [`Counts`]: actions per interval by event name and category; distinct users and IPs per
//!   interval and per day.
//! - [`Alerts`]: a high error rate, a user failing repeatedly ([`AlertRules`]).
//! - [`html`]: one self-contained page with charts of all of the above.
//!
//! The `activity-report` command (`cargo run --release --features report --bin
//! activity-report -- summary --hours 2`) prints each of them as JSON; see the README.

mod action;
mod alerts;
mod counts;
mod files;
mod html;
pub(crate) mod latency;
mod line;
pub(crate) mod names;
mod scan;
pub(crate) mod summary;
mod svg;
mod tally;
pub(crate) mod time;
mod usage;

pub use alerts::{Alert, AlertRules, Alerts};
pub use counts::{Counts, DayCount, EventCount, IntervalCount};
pub use files::{LogFiles, ReportError};
pub use html::html;
pub use latency::FeatureLatency;
pub use scan::Lines;
pub use summary::{FeatureCount, Summary, UserError, UserSummary};
pub use time::{Interval, Window};
pub use usage::{ANONYMOUS, Usage};

use crate::privacy::{Pseudonymizer, UNKNOWN_USER};
use counts::CountsTally;
use summary::SummaryTally;
use tally::Tallies;
use usage::UsageTally;

/// One pass over the log files that makes the reports asked for.
///
/// ```no_run
/// use tracing_activity::report::{LogFiles, Scan, Window};
///
/// let reports = Scan::new(Window::days(7)).usage().run(&LogFiles::discover("logs/user_activity.log")?)?;
/// let usage = reports.usage.expect("asked for");
/// eprintln!("{} lines skipped", reports.lines.skipped);
/// # Ok::<(), tracing_activity::report::ReportError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scan {
    window: Window,
    summary: bool,
    usage: bool,
    counts: Option<Interval>,
    anonymous: Vec<String>,
    threads: usize,
}

/// The reports one [`Scan`] made: those asked for are `Some`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reports {
    /// The summary, when asked for ([`Scan::summary`]).
    pub summary: Option<Summary>,
    /// The usage matrix ([`Scan::usage`]).
    pub usage: Option<Usage>,
    /// The counts ([`Scan::counts`]).
    pub counts: Option<Counts>,
    /// What was read.
    pub lines: Lines,
}

impl Scan {
    /// A scan of `window` that makes no report yet; it uses every core.
    pub fn new(window: Window) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Scan { window, summary: false, usage: false, counts: None, anonymous: Vec::new(), threads }
    }

    /// Makes the [`Summary`].
    #[must_use]
    pub fn summary(self) -> Self {
        Scan { summary: true, ..self }
    }

    /// Makes the [`Usage`] matrix.
    #[must_use]
    pub fn usage(self) -> Self {
        Scan { usage: true, ..self }
    }

    /// Makes the [`Counts`] per `interval`.
    #[must_use]
    pub fn counts(self, interval: Interval) -> Self {
        Scan { counts: Some(interval), ..self }
    }

    /// Takes this user id as "no user". With `USER_ID_HMAC_SECRET` set, the layer writes the
    /// pseudonym of `unknown` for an action without a user; [`pseudonymized`](Self::pseudonymized)
    /// adds it from the secret.
    #[must_use]
    pub fn anonymous_user_id(mut self, id: impl Into<String>) -> Self {
        self.anonymous.push(id.into());
        self
    }

    /// Takes the pseudonym `pseudonymizer` gives an anonymous user as "no user".
    #[must_use]
    pub fn pseudonymized(self, pseudonymizer: &Pseudonymizer) -> Self {
        self.anonymous_user_id(pseudonymizer.pseudonym(UNKNOWN_USER))
    }

    /// Scans with this many threads (default: one per core).
    #[must_use]
    pub fn threads(self, threads: usize) -> Self {
        Scan { threads: threads.max(1), ..self }
    }

    /// Reads `logs` once and makes the reports asked for.
    ///
    /// # Errors
    /// A file that cannot be opened or read.
    pub fn run(&self, logs: &LogFiles) -> Result<Reports, ReportError> {
        self.run_with_progress(logs, |_| {})
    }

    /// [`run`](Self::run), calling `progress` with the number of bytes of each block read.
    ///
    /// # Errors
    /// A file that cannot be opened or read.
    pub fn run_with_progress(
        &self,
        logs: &LogFiles,
        progress: impl Fn(u64) + Sync,
    ) -> Result<Reports, ReportError> {
        let new = || {
            Tallies::new(
                &self.anonymous,
                self.summary.then(SummaryTally::default),
                self.usage.then(UsageTally::default),
                self.counts.map(CountsTally::new),
            )
        };
        let (tallies, lines) = scan::scan(logs, self.window, self.threads, new, &progress)?;
        let period = (self.window.start(), self.window.end());
        let names = &tallies.names;
        Ok(Reports {
            summary: tallies.summary.map(|t| t.finish(names, period, lines.skipped)),
            usage: tallies.usage.map(|t| t.finish(names, period, lines.skipped)),
            counts: tallies.counts.map(|t| t.finish(names, period, lines.skipped)),
            lines,
        })
    }
}

/// The [`Summary`] of `window`.
///
/// # Errors
/// A file that cannot be opened or read.
pub fn summary(logs: &LogFiles, window: Window) -> Result<Summary, ReportError> {
    let reports = Scan::new(window).summary().run(logs)?;
    Ok(reports.summary.unwrap_or_else(|| unreachable!("the scan was asked for a summary")))
}

/// The [`Usage`] matrix of `window`.
///
/// # Errors
/// A file that cannot be opened or read.
pub fn usage(logs: &LogFiles, window: Window) -> Result<Usage, ReportError> {
    let reports = Scan::new(window).usage().run(logs)?;
    Ok(reports.usage.unwrap_or_else(|| unreachable!("the scan was asked for usage")))
}

/// The [`Counts`] of `window` per `interval`.
///
/// # Errors
/// A file that cannot be opened or read.
pub fn counts(logs: &LogFiles, window: Window, interval: Interval) -> Result<Counts, ReportError> {
    let reports = Scan::new(window).counts(interval).run(logs)?;
    Ok(reports.counts.unwrap_or_else(|| unreachable!("the scan was asked for counts")))
}
