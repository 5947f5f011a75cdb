//! The reports over logs the crate wrote (middleware and layer, through rotation), every figure
//! compared with the same figure computed independently from the parsed lines.
#![cfg(all(feature = "http", feature = "report"))]

mod common;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use common::logs::{self, Dice, LogWriter, day, traffic};
use serde_json::Value;
use tracing_activity::privacy::{Pseudonymizer, UNKNOWN_USER};
use tracing_activity::report::{AlertRules, Alerts, Interval, LogFiles, Reports, Scan, Window};
use tracing_activity::{ActionType, Builder, Config, OverflowPolicy, Secret, user_action};
use tracing_subscriber::prelude::*;

/// A writer that holds every write until `go` is dropped, so that a small queue overflows.
struct Gate {
    go: mpsc::Receiver<()>,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Write for Gate {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = self.go.recv();
        self.out.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Lines the layer wrote with drops: the queue's `lines_dropped` notices among actions, at `at`.
fn lines_with_drop_notices(at: DateTime<Utc>) -> Vec<u8> {
    let (go, gate) = mpsc::channel();
    let out = Arc::new(Mutex::new(Vec::new()));
    let tracing_activity::Activity { layer, guard, .. } = Builder::new()
        .config(
            Config::default()
                .enable_console_logging(false)
                .log_queue_size(4)
                .log_queue_overflow(OverflowPolicy::Drop),
        )
        .background_writer(Gate { go: gate, out: Arc::clone(&out) })
        .clock(move || at)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        for n in 0..200u64 {
            user_action!(ActionType::Click, "flood", user_id = "flooder", n);
        }
    });
    drop(go);
    let stats = guard.close();
    assert!(stats.file_dropped > 0, "{stats:?}");
    out.lock().unwrap().clone()
}

/// Narrative text lines (`ENABLE_JSON_LOGGING=false`) written by the layer.
fn text_lines(dir: &Path) -> Vec<u8> {
    let path = dir.join("text.log");
    let mut writer = LogWriter::new(&path, 1 << 20, |c| c.enable_json_logging(false));
    writer.request(day(10, 0, 0), "GET", "/api/threads", Some("ann"), "s-text", [10, 0, 0, 1]);
    writer.click(day(10, 0, 1), Some("ann"), "s-text");
    writer.close();
    std::fs::read(&path).unwrap()
}

fn append(path: &Path, bytes: &[u8]) {
    std::fs::OpenOptions::new().append(true).open(path).unwrap().write_all(bytes).unwrap();
}

/// The scenario most tests share: traffic written out of time order across rotated files
/// (the afternoon first, then the morning), with text lines, drop notices and a torn last line.
fn scenario(dir: &Path, change: impl FnOnce(Config) -> Config) -> PathBuf {
    let path = dir.join("user_activity.log");
    let mut writer = LogWriter::new(&path, 24 * 1024, change);
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    traffic(&mut writer, &mut dice, day(12, 0, 0), day(14, 0, 0), 150);
    traffic(&mut writer, &mut dice, day(8, 0, 0), day(12, 0, 0), 250);
    // One user failing six times within eight minutes (the alert's case).
    for minute in [0, 1, 3, 4, 6, 8] {
        writer.request(
            day(11, 20 + minute, 0),
            "GET",
            "/api/billing",
            Some("frank"),
            "s-frank",
            [10, 9, 9, 9],
        );
    }
    writer.close();
    append(&path, &text_lines(dir));
    append(&path, &lines_with_drop_notices(day(11, 0, 0)));
    let whole = logs::all_lines(&path).into_iter().rev().find(|l| l.starts_with('{')).unwrap();
    append(&path, &whole.as_bytes()[..whole.len() / 2]);
    path
}

fn window() -> (DateTime<Utc>, DateTime<Utc>) {
    (day(9, 30, 0), day(12, 30, 0))
}

fn reports(path: &Path, scan: impl FnOnce(Scan) -> Scan) -> Reports {
    let (from, to) = window();
    let scan = scan(Scan::new(Window::new(from, to)).summary().usage().counts(Interval::Hour));
    scan.run(&LogFiles::discover(path).unwrap()).unwrap()
}

fn without(mut value: Value, keys: &[&str]) -> Value {
    for key in keys {
        value.as_object_mut().unwrap().remove(*key);
    }
    value
}

/// Compares every figure of the three reports with the independent count.
fn check_every_figure(path: &Path, reports: &Reports, anonymous: &[String]) {
    let (from, to) = window();
    let parsed = logs::parse(&logs::all_lines(path), from, to);
    assert!(parsed.actions.len() > 300, "the window holds {} actions", parsed.actions.len());

    let summary = serde_json::to_value(reports.summary.as_ref().unwrap()).unwrap();
    logs::assert_same(&without(summary.clone(), &["latency"]), &logs::summary(&parsed, from, to, anonymous));

    let durations = logs::durations(&parsed);
    let latency = summary["latency"].as_array().unwrap();
    assert_eq!(latency.len(), durations.len());
    for row in latency {
        let (values, slow, very_slow) = &durations[row["feature"].as_str().unwrap()];
        assert_eq!(row["requests"], values.len(), "{row}");
        assert_eq!(
            (row["slow"].as_u64().unwrap(), row["very_slow"].as_u64().unwrap()),
            (*slow, *very_slow),
            "{row}"
        );
        assert_eq!(row["max_ms"].as_f64().unwrap(), *values.last().unwrap(), "{row}");
        for (key, p) in [("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)] {
            let exact = logs::percentile(values, p);
            let got = row[key].as_f64().unwrap();
            assert!((got - exact).abs() <= exact * 0.004 + 0.001, "{key} of {row}: exact {exact}");
        }
    }
    let p95: Vec<f64> = latency.iter().map(|r| r["p95_ms"].as_f64().unwrap()).collect();
    assert!(p95.windows(2).all(|w| w[0] >= w[1]), "slowest first: {p95:?}");

    let usage = serde_json::to_value(reports.usage.as_ref().unwrap()).unwrap();
    logs::assert_same(&usage["summary"], &logs::usage(&parsed, anonymous));
    assert_eq!(
        (usage["period_start"].clone(), usage["period_end"].clone()),
        (serde_json::json!(from), serde_json::json!(to))
    );

    let counts = serde_json::to_value(reports.counts.as_ref().unwrap()).unwrap();
    let expected = logs::counts_per_hour(&parsed, anonymous);
    for key in ["events", "intervals", "days"] {
        logs::assert_same(&counts[key], &expected[key]);
    }
    assert_eq!(counts["interval"], "hour");
    assert_eq!((reports.lines.skipped, reports.lines.not_json), (parsed.skipped, parsed.not_json));
    assert_eq!(summary["skipped_lines"], parsed.skipped);
}

#[test]
fn every_figure_of_every_report_matches_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), |c| c);
    assert!(logs::files_oldest_first(&path).len() >= 4, "the log was rotated into several files");
    let reports = reports(&path, |s| s);
    check_every_figure(&path, &reports, &[]);

    // What the scenario put in, seen in the report.
    let summary = reports.summary.as_ref().unwrap();
    let frank = summary.users.iter().find(|u| u.user_id == "frank").unwrap();
    assert_eq!(frank.errors_count, 6);
    assert!(
        frank.errors.iter().all(|e| e.error == "UpstreamError: payment provider timed out" && e.code == 502)
    );
    assert!(summary.error_breakdown.contains_key("404") && summary.error_breakdown.contains_key("422"));
    let not_found = summary.users.iter().flat_map(|u| &u.errors).find(|e| e.code == 404).unwrap();
    assert_eq!(
        (not_found.endpoint.as_str(), not_found.error.as_str()),
        ("/api/old/page", "HTTP 404 NOT FOUND")
    );
    assert!(reports.usage.as_ref().unwrap().summary["api_call"].contains_key("anonymous"));
    let skipped = reports.lines.skipped;
    // Two text lines, the drop notices and the torn line, none of them fatal.
    assert!(skipped >= 4, "{:?}", reports.lines);
    assert_eq!(reports.lines.not_json, 3, "{:?}", reports.lines);
    assert!(reports.lines.dropped > 0, "{:?}", reports.lines);
}

#[test]
fn one_scanning_thread_gives_the_same_reports_as_many() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), |c| c);
    let many = reports(&path, |s| s.threads(4));
    let one = reports(&path, |s| s.threads(1));
    assert_eq!(many.summary, one.summary);
    assert_eq!(many.counts, one.counts);
    assert_eq!(many.usage.unwrap().summary, one.usage.unwrap().summary);
    assert_eq!(many.lines, one.lines);
}

#[test]
fn pseudonymized_user_ids_are_reported_and_the_anonymous_pseudonym_is_no_user() {
    let secret = "report-test-secret";
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), |c| c.user_id_hmac_secret(Secret::new(secret)));
    let pseudonyms = Pseudonymizer::new(secret);
    let anonymous = vec![pseudonyms.pseudonym(UNKNOWN_USER)];
    let reports = reports(&path, |s| s.pseudonymized(&pseudonyms));
    check_every_figure(&path, &reports, &anonymous);
    let summary = reports.summary.unwrap();
    let ids: Vec<&str> = summary.users.iter().map(|u| u.user_id.as_str()).collect();
    assert!(ids.contains(&pseudonyms.pseudonym("ann").as_str()), "{ids:?}");
    assert!(!ids.contains(&"ann") && !ids.contains(&anonymous[0].as_str()), "{ids:?}");
    assert!(reports.usage.unwrap().summary["api_call"].contains_key("anonymous"));
}

#[test]
fn an_empty_window_reports_nothing_but_still_counts_skipped_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), |c| c);
    let window = Window::new(day(20, 0, 0), day(22, 0, 0));
    let reports = Scan::new(window)
        .summary()
        .usage()
        .counts(Interval::Day)
        .run(&LogFiles::discover(&path).unwrap())
        .unwrap();
    let summary = reports.summary.unwrap();
    assert_eq!((summary.active_users, summary.total_requests, summary.total_errors), (0, 0, 0));
    assert!(
        summary.users.is_empty() && summary.top_features.is_empty() && summary.error_breakdown.is_empty()
    );
    assert!(summary.latency.is_empty());
    assert!(reports.usage.unwrap().summary.is_empty());
    let counts = reports.counts.unwrap();
    assert!(counts.events.is_empty() && counts.intervals.is_empty() && counts.days.is_empty());
    assert_eq!(reports.lines.in_window, 0);
    assert!(summary.skipped_lines >= 4);
    let alerts = Alerts::evaluate(&summary, &AlertRules::default());
    assert!(!alerts.fired && alerts.error_rate == 0.0);
}

#[test]
fn alerts_fire_on_the_error_rate_and_on_a_user_failing_repeatedly() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), |c| c);
    let logs = LogFiles::discover(&path).unwrap();
    // The hour that holds frank's six failures.
    let hour = Window::new(day(11, 0, 0), day(12, 0, 0));
    let summary = Scan::new(hour).summary().run(&logs).unwrap().summary.unwrap();
    let parsed = logs::parse(&logs::all_lines(&path), day(11, 0, 0), day(12, 0, 0));
    let requests: Vec<u64> =
        parsed.actions.iter().filter_map(|a| a["action"]["data"]["status_code"].as_u64()).collect();
    let rate = requests.iter().filter(|&&c| c >= 400).count() as f64 / requests.len() as f64;
    assert!(rate > 0.10, "the scenario's error rate is {rate}");

    let alerts = Alerts::evaluate(&summary, &AlertRules::default());
    assert!(alerts.fired);
    assert_eq!(alerts.error_rate, rate);
    let value = serde_json::to_value(&alerts).unwrap();
    let kinds: Vec<&str> =
        value["alerts"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "error_rate");
    let frank = value["alerts"].as_array().unwrap().iter().find(|a| a["user_id"] == "frank").unwrap();
    assert_eq!(frank["errors"], 6);
    assert_eq!(frank["first"], serde_json::json!(day(11, 20, 0)));
    assert_eq!(frank["last"], serde_json::json!(day(11, 28, 0)));

    // Thresholds are the caller's: 7 errors in 10 minutes, or a 90 % error rate, do not fire.
    let strict = AlertRules::default().max_error_rate(0.9).user_errors(7, 10);
    let quiet = Alerts::evaluate(&summary, &strict);
    assert!(!quiet.alerts.iter().any(
        |a| matches!(a, tracing_activity::report::Alert::UserErrors { user_id, .. } if user_id == "frank")
    ));
    assert!(!quiet.alerts.iter().any(|a| matches!(a, tracing_activity::report::Alert::ErrorRate { .. })));
    // Six failures spread over eight minutes do not fit in five.
    let tight = Alerts::evaluate(&summary, &AlertRules::default().max_error_rate(1.0).user_errors(6, 5));
    assert!(!tight.alerts.iter().any(
        |a| matches!(a, tracing_activity::report::Alert::UserErrors { user_id, .. } if user_id == "frank")
    ));
}

#[test]
fn a_missing_log_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere/user_activity.log");
    let error = LogFiles::discover(&missing).unwrap_err();
    assert!(error.to_string().contains(&missing.display().to_string()), "{error}");
    // A file that disappears between discovery and the scan, too.
    let path = dir.path().join("gone.log");
    std::fs::write(&path, "").unwrap();
    let logs = LogFiles::discover(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let error = Scan::new(Window::hours(1)).summary().run(&logs).unwrap_err();
    assert!(error.to_string().contains("gone.log"), "{error}");
}
