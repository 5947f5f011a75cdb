//! `activity-report`: usage reports over the activity log files, as JSON or one HTML page.
//!
//! ```text
//! activity-report summary --hours 2                 # who was active, features, errors, latency
//! activity-report usage --days 7                    # {"summary": {action_type: {user_id: count}}}
//! activity-report counts --days 1 --interval hour   # counts per interval, distinct users and IPs
//! activity-report alerts --hours 1                  # exits 1 when an alert fires
//! activity-report html --hours 24 --out report.html
//! activity-report summary --days 30 --db logs/usage.db   # from the usage store (feature `metrics`)
//! ```
//!
//! Exit codes: 0 done, 1 an alert fired (`alerts`), 2 a usage error or a log that cannot be read.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, TimeDelta, Utc};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tracing_activity::privacy::Pseudonymizer;
use tracing_activity::report::{AlertRules, Alerts, Interval, Lines, LogFiles, Reports, Scan, Window};

/// Usage reports over tracing-activity's JSON log files (the active file and its rotated
/// backups): who was active, which features are used, who hit errors, what is slow.
#[derive(Debug, Parser)]
#[command(name = "activity-report", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Active users, requests and errors; per user: features, time, errors; top features,
    /// errors by status, latency per feature (default window: the last 2 hours).
    Summary(Common),
    /// Actions per type and user, `{"summary": {type: {user: count}}}` (default: the last 7 days).
    Usage(Common),
    /// Actions per interval by event name and feature; distinct users and client IPs per
    /// interval and per day (default: the last day).
    Counts {
        #[command(flatten)]
        common: Common,
        /// The interval counts are grouped by.
        #[arg(long, default_value = "hour")]
        interval: Interval,
    },
    /// Alerts on the error rate and on users failing repeatedly; exits 1 when one fires
    /// (default: the last hour).
    Alerts {
        #[command(flatten)]
        common: Common,
        /// Fire when more than this percentage of requests failed.
        #[arg(long, default_value_t = 10.0, value_name = "PERCENT")]
        max_error_rate: f64,
        /// Judge the error rate only on at least this many requests.
        #[arg(long, default_value_t = 1)]
        min_requests: u64,
        /// Fire when one user has this many failed requests …
        #[arg(long, default_value_t = 5)]
        user_errors: u64,
        /// … within this many minutes.
        #[arg(long, default_value_t = 10, value_name = "MINUTES")]
        user_errors_minutes: u64,
    },
    /// One self-contained HTML page with charts and the per-user table (default: the last
    /// 24 hours).
    Html {
        #[command(flatten)]
        common: Common,
        /// The interval of the active-users chart (default: hour up to three days, else day).
        #[arg(long)]
        interval: Option<Interval>,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// The window: the last N hours before --until.
    #[arg(long, value_name = "N", conflicts_with = "days")]
    hours: Option<u32>,
    /// The window: the last N days before --until.
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// The window's end, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    until: Option<DateTime<Utc>>,
    /// Write the report to this file (directories are created) instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Scanning threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Read the usage store instead of the log files: a SQLite file (`logs/usage.db`) or a
    /// PostgreSQL URL (`postgres://…`, with the `postgres` feature). It keeps counts for as
    /// long as its retention, per day; see the `usage` module's docs.
    #[cfg(feature = "metrics")]
    #[arg(long, value_name = "PATH|URL", conflicts_with = "log")]
    db: Option<String>,
    /// The active log file; its backups (.1, .2, …) beside it are read too
    /// [default: $USER_ACTIVITY_LOG_PATH, else logs/user_activity.log]
    #[arg(value_name = "LOG")]
    log: Option<PathBuf>,
}

impl Common {
    fn window(&self, default: TimeDelta) -> Window {
        let length = match (self.hours, self.days) {
            (Some(hours), _) => TimeDelta::hours(i64::from(hours)),
            (None, Some(days)) => TimeDelta::days(i64::from(days)),
            (None, None) => default,
        };
        let end = self.until.unwrap_or_else(Utc::now);
        Window::new(end - length, end)
    }

    /// The usage store `--db` names, opened.
    #[cfg(feature = "metrics")]
    fn store(&self) -> Result<Option<tracing_activity::usage::UsageStore>, Failed> {
        use tracing_activity::usage::UsageStore;
        let Some(db) = &self.db else { return Ok(None) };
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            return Ok(Some(UsageStore::connect(db)?));
            #[cfg(not(feature = "postgres"))]
            return Err(Failed(
                "a PostgreSQL store needs activity-report built with the `postgres` feature".into(),
            ));
        }
        Ok(Some(UsageStore::open(db)?))
    }

    #[cfg(not(feature = "metrics"))]
    fn store(&self) -> Result<Option<NoStore>, Failed> {
        Ok(None)
    }

    fn log(&self) -> PathBuf {
        self.log.clone().unwrap_or_else(|| {
            std::env::var_os("USER_ACTIVITY_LOG_PATH")
                .filter(|p| !p.is_empty())
                .map_or_else(|| PathBuf::from("logs/user_activity.log"), PathBuf::from)
        })
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2024-01-15T16:00:00Z ({e})"))
}

/// Without the `metrics` feature there is no store to read.
#[cfg(not(feature = "metrics"))]
enum NoStore {}

#[cfg(not(feature = "metrics"))]
impl NoStore {
    fn summary(&self, _: Window) -> Result<tracing_activity::report::Summary, Failed> {
        match *self {}
    }
    fn usage(&self, _: Window) -> Result<tracing_activity::report::Usage, Failed> {
        match *self {}
    }
    fn counts(&self, _: Window, _: Interval) -> Result<tracing_activity::report::Counts, Failed> {
        match *self {}
    }
}

/// A failure that ends the command with exit code 2.
struct Failed(String);

impl<E: std::fmt::Display> From<E> for Failed {
    fn from(error: E) -> Self {
        Failed(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(fired) => ExitCode::from(u8::from(fired)),
        Err(Failed(message)) => {
            say(format_args!("{message}"));
            ExitCode::from(2)
        }
    }
}

/// Makes the report; `true` when an alert fired.
fn run(command: Command) -> Result<bool, Failed> {
    match command {
        Command::Summary(common) => match common.store()? {
            Some(store) => write_json(&common, &store.summary(common.window(TimeDelta::hours(2)))?)?,
            None => write_json(&common, &scan(&common, TimeDelta::hours(2), |s| s.summary())?.summary)?,
        },
        Command::Usage(common) => match common.store()? {
            Some(store) => write_json(&common, &store.usage(common.window(TimeDelta::days(7)))?)?,
            None => write_json(&common, &scan(&common, TimeDelta::days(7), |s| s.usage())?.usage)?,
        },
        Command::Counts { common, interval } => match common.store()? {
            Some(store) => write_json(&common, &store.counts(common.window(TimeDelta::days(1)), interval)?)?,
            None => write_json(&common, &scan(&common, TimeDelta::days(1), |s| s.counts(interval))?.counts)?,
        },
        Command::Alerts { common, max_error_rate, min_requests, user_errors, user_errors_minutes } => {
            let rules = AlertRules::default()
                .max_error_rate(max_error_rate / 100.0)
                .min_requests(min_requests)
                .user_errors(user_errors, user_errors_minutes);
            let summary = match common.store()? {
                Some(store) => store.summary(common.window(TimeDelta::hours(1)))?,
                None => scan(&common, TimeDelta::hours(1), |s| s.summary())?
                    .summary
                    .ok_or("the scan made no summary")?,
            };
            let alerts = Alerts::evaluate(&summary, &rules);
            write_json(&common, &alerts)?;
            for alert in &alerts.alerts {
                let message = match alert {
                    tracing_activity::report::Alert::ErrorRate { message, .. }
                    | tracing_activity::report::Alert::UserErrors { message, .. } => message,
                    _ => continue,
                };
                say(format_args!("ALERT: {message}"));
            }
            return Ok(alerts.fired);
        }
        Command::Html { common, interval } => {
            let window = common.window(TimeDelta::hours(24));
            let interval = interval.unwrap_or(if window.end() - window.start() > TimeDelta::days(3) {
                Interval::Day
            } else {
                Interval::Hour
            });
            let (summary, counts) = match common.store()? {
                Some(store) => (store.summary(window)?, store.counts(window, interval)?),
                None => {
                    let reports = scan(&common, TimeDelta::hours(24), |s| s.summary().counts(interval))?;
                    match (reports.summary, reports.counts) {
                        (Some(summary), Some(counts)) => (summary, counts),
                        _ => return Err(Failed("the scan made no summary".into())),
                    }
                }
            };
            write_out(&common, tracing_activity::report::html(&summary, &counts).as_bytes())?;
        }
    }
    Ok(false)
}

/// Scans the log for the reports `ask` names, over the window of `common` (or `default`).
fn scan(common: &Common, default: TimeDelta, ask: impl FnOnce(Scan) -> Scan) -> Result<Reports, Failed> {
    let logs = LogFiles::discover(common.log())?;
    let mut scan = ask(Scan::new(common.window(default)));
    if let Some(threads) = common.threads {
        scan = scan.threads(threads);
    }
    if let Some(secret) = std::env::var_os("USER_ID_HMAC_SECRET").filter(|s| !s.is_empty()) {
        scan = scan.pseudonymized(&Pseudonymizer::new(secret.as_encoded_bytes()));
    }
    let bar = progress_bar(&logs);
    let reports = scan.run_with_progress(&logs, |bytes| {
        if let Some(bar) = &bar {
            bar.inc(bytes);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report_lines(&reports.lines);
    Ok(reports)
}

/// Scans of this many bytes or more show a progress bar, on a terminal only.
const PROGRESS_FROM: u64 = 64 << 20;

fn progress_bar(logs: &LogFiles) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let total: u64 = logs.paths().iter().filter_map(|p| p.metadata().ok()).map(|m| m.len()).sum();
    if total < PROGRESS_FROM {
        return None;
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Tells standard error, if it can be written to: a closed stderr (`2>&-`, a reader that has
/// gone) loses the message, not the report or the exit code.
fn say(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "activity-report: {message}");
}

/// Says on standard error what was left out.
fn report_lines(lines: &Lines) {
    if lines.skipped > 0 {
        say(format_args!(
            "skipped {} of {} lines: {} not JSON (torn or text lines), {} not actions (such as lines_dropped notices) or without a timestamp",
            lines.skipped,
            lines.read,
            lines.not_json,
            lines.skipped - lines.not_json
        ));
    }
    if lines.dropped > 0 {
        say(format_args!(
            "the log says {} actions in the window were dropped (queue full) and never written; they are not counted",
            lines.dropped
        ));
    }
}

fn write_json(common: &Common, value: &impl serde::Serialize) -> Result<(), Failed> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_out(common, text.as_bytes())
}

/// Writes to `--out` (whole: a reader never sees half a report) or to standard output.
fn write_out(common: &Common, bytes: &[u8]) -> Result<(), Failed> {
    let Some(path) = &common.out else {
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
            // A closed pipe (`| head`) is not a failure of the report.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|e| Failed(format!("cannot write the report: {e}"))),
        };
    };
    let failed = |e: std::io::Error| Failed(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let partial = partial_path(path);
    std::fs::write(&partial, bytes).map_err(failed)?;
    std::fs::rename(&partial, path).map_err(failed)?;
    Ok(())
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}
