//! The usage store against the log files: the same traffic, counted live into the store and
//! written as lines, must give the same reports. The reports over the logs are the oracle
//! (they are checked figure by figure in tests/report.rs).
#![cfg(all(feature = "metrics", feature = "http"))]

mod common;

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use common::logs::{Dice, LogWriter, day, traffic};
use serde_json::Value;
use tracing_activity::privacy::Pseudonymizer;
use tracing_activity::report::{self, Interval, LogFiles, Scan, Window};
use tracing_activity::usage::UsageStore;
use tracing_activity::{Config, Secret};

fn writer(dir: &Path, change: impl FnOnce(Config) -> Config) -> LogWriter {
    let db = dir.join("usage.db");
    LogWriter::new(&dir.join("user_activity.log"), 64 * 1024, move |c| change(c.usage_db_path(db)))
}

fn from_logs(dir: &Path, window: Window, interval: Interval) -> report::Reports {
    from_logs_as(dir, interval, Scan::new(window))
}

/// The reports of `scan` (told how the ids were pseudonymized).
fn from_logs_as(dir: &Path, interval: Interval, scan: Scan) -> report::Reports {
    let logs = LogFiles::discover(dir.join("user_activity.log")).unwrap();
    scan.summary().usage().counts(interval).run(&logs).unwrap()
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

/// `value` without the keys that differ by design (when the report was made).
fn without(mut value: Value, keys: &[&str]) -> Value {
    for key in keys {
        value.as_object_mut().unwrap().remove(*key);
    }
    value
}

fn assert_same_reports(dir: &Path, window: Window, interval: Interval) {
    assert_same_reports_as(dir, window, interval, Scan::new(window));
}

fn assert_same_reports_as(dir: &Path, window: Window, interval: Interval, scan: Scan) {
    let logs = from_logs_as(dir, interval, scan);
    assert!(logs.lines.in_window > 100, "the window holds {} actions", logs.lines.in_window);
    assert_eq!(logs.lines.skipped, 0);
    let store = UsageStore::open(dir.join("usage.db")).unwrap();
    let summary = json(&store.summary(window).unwrap());
    assert!(summary["total_errors"].as_u64().unwrap() > 0 && summary["users"].as_array().unwrap().len() >= 5);
    assert_eq!(summary, json(logs.summary.as_ref().unwrap()));
    let usage = without(json(&store.usage(window).unwrap()), &["generated_at"]);
    assert_eq!(usage, without(json(logs.usage.as_ref().unwrap()), &["generated_at"]));
    let counts = json(&store.counts(window, interval).unwrap());
    assert_eq!(counts, json(logs.counts.as_ref().unwrap()));
}

/// A whole UTC day, as the store counts.
fn whole_day(start: DateTime<Utc>, days: i64) -> Window {
    Window::new(start, start + Duration::days(days))
}

#[test]
fn the_store_counts_what_the_logs_hold() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = writer(dir.path(), |c| c);
    traffic(&mut writer, &mut Dice(0x2545_f491_4f6c_dd1d), day(8, 0, 0), day(14, 0, 0), 400);
    writer.close();
    assert_same_reports(dir.path(), whole_day(day(0, 0, 0), 1), Interval::Hour);
    assert_same_reports(dir.path(), whole_day(day(0, 0, 0), 1), Interval::Day);
}

#[test]
fn a_restart_adds_to_the_same_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let mut first = writer(dir.path(), |c| c);
    traffic(&mut first, &mut dice, day(8, 0, 0), day(11, 0, 0), 200);
    first.close();
    // The same users come back after the restart: distinct users and IPs of the day count
    // each of them once.
    let mut second = writer(dir.path(), |c| c);
    traffic(&mut second, &mut dice, day(10, 30, 0), day(14, 0, 0), 200);
    second.close();
    assert_same_reports(dir.path(), whole_day(day(0, 0, 0), 1), Interval::Hour);
}

#[test]
fn counts_rolled_up_into_days_and_months_still_agree() {
    let dir = tempfile::tempdir().unwrap();
    let retention = |c: Config| c.usage_base_retention_days(1).usage_retention_days(2);
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    let mut writer = writer(dir.path(), retention);
    let day_one = day(0, 0, 0);
    traffic(&mut writer, &mut dice, day_one + Duration::hours(8), day_one + Duration::hours(14), 150);
    // Two flushes of one day: their lists of features and latency buckets are merged on
    // reading, and when the day closes.
    writer.close();
    let mut writer = self::writer(dir.path(), retention);
    traffic(&mut writer, &mut dice, day_one + Duration::hours(14), day_one + Duration::hours(20), 150);
    let day_two = day_one + Duration::days(1);
    traffic(&mut writer, &mut dice, day_two + Duration::hours(1), day_two + Duration::hours(23), 300);
    writer.close();

    let store = UsageStore::open(dir.path().join("usage.db")).unwrap();
    let two_days = whole_day(day_one, 2);
    let hourly = store.counts(two_days, Interval::Hour).unwrap();
    assert!(hourly.intervals.len() > 20, "hour counts before the rollup: {}", hourly.intervals.len());
    assert_same_reports(dir.path(), two_days, Interval::Hour);

    // Two days later the first day's hours are rolled into a day; a day more and both days
    // are rolled into January. One action at that time flushes with the clock there.
    let before = json(&store.summary(two_days).unwrap());
    let days = store.counts(two_days, Interval::Day).unwrap().days;
    assert_eq!(days.len(), 2);
    let later = writer_at(dir.path(), retention, day_two + Duration::days(3));
    later.close();
    let rolled = UsageStore::open(dir.path().join("usage.db")).unwrap();
    assert_eq!(json(&rolled.summary(two_days).unwrap()), before);
    let logs = from_logs(dir.path(), two_days, Interval::Month);
    let month = rolled.counts(two_days, Interval::Month).unwrap();
    assert_eq!(json(&month.events), json(&logs.counts.as_ref().unwrap().events));
    let average = (days.iter().map(|d| d.users).sum::<u64>() as f64 / days.len() as f64).round() as u64;
    // A month's distinct users are the average of its days' (the store keeps no ids).
    assert_eq!(month.intervals[0].users, average);
    assert!(
        rolled.counts(two_days, Interval::Day).unwrap().days.is_empty(),
        "the days were rolled into the month"
    );
    assert_eq!(
        json(&rolled.usage(two_days).unwrap())["summary"],
        json(logs.usage.as_ref().unwrap())["summary"]
    );
}

fn writer_at(dir: &Path, change: impl FnOnce(Config) -> Config, at: DateTime<Utc>) -> LogWriter {
    let writer = writer(dir, change);
    writer.click(at, Some("ann"), "s-late");
    writer
}

#[test]
fn activity_report_reads_the_store_with_db() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = writer(dir.path(), |c| c);
    traffic(&mut writer, &mut Dice(0x51_7cc1_b727_220a), day(8, 0, 0), day(14, 0, 0), 150);
    writer.close();
    let db = dir.path().join("usage.db");
    let until = (day(0, 0, 0) + Duration::days(1)).to_rfc3339();
    let run = |command: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_activity-report"))
            .args([command, "--days", "1", "--until", &until, "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let window = whole_day(day(0, 0, 0), 1);
    let logs = from_logs(dir.path(), window, Interval::Hour);
    assert_eq!(run("summary"), json(logs.summary.as_ref().unwrap()));
    assert_eq!(run("counts"), json(logs.counts.as_ref().unwrap()));
    assert_eq!(
        without(run("usage"), &["generated_at"]),
        without(json(logs.usage.as_ref().unwrap()), &["generated_at"])
    );
}

/// Every text value in every table of the store.
#[test]
fn failed_requests_past_their_retention_are_deleted_and_the_counts_stay() {
    let dir = tempfile::tempdir().unwrap();
    let retention = |c: Config| c.usage_error_retention_days(2);
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let day_one = day(0, 0, 0);
    let mut writer = writer(dir.path(), retention);
    traffic(&mut writer, &mut dice, day_one + Duration::hours(8), day_one + Duration::hours(20), 300);
    let day_two = day_one + Duration::days(1);
    traffic(&mut writer, &mut dice, day_two + Duration::hours(8), day_two + Duration::hours(20), 300);
    writer.close();
    let listed = |summary: &report::Summary| summary.users.iter().map(|u| u.errors.len()).sum::<usize>();
    let store = UsageStore::open(dir.path().join("usage.db")).unwrap();
    let (first, second) =
        (store.summary(whole_day(day_one, 1)).unwrap(), store.summary(whole_day(day_two, 1)).unwrap());
    assert!(listed(&first) > 0 && listed(&second) > 0);

    // On the fourth day, the first day ended more than two days ago: its failed requests go,
    // the second's stay.
    writer_at(dir.path(), retention, day_one + Duration::days(3) + Duration::hours(1)).close();
    let store = UsageStore::open(dir.path().join("usage.db")).unwrap();
    let first_after = store.summary(whole_day(day_one, 1)).unwrap();
    assert_eq!(listed(&first_after), 0);
    assert_eq!(
        (first_after.total_requests, first_after.total_errors),
        (first.total_requests, first.total_errors)
    );
    assert_eq!(json(&store.summary(whole_day(day_two, 1)).unwrap()), json(&second));
}

fn stored_texts(db: &Path) -> Vec<(String, String)> {
    let connection = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut texts = Vec::new();
    for table in tables {
        let mut statement = connection.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for column in 0..columns {
                if let rusqlite::types::ValueRef::Text(text) = row.get_ref(column).unwrap() {
                    texts.push((table.clone(), String::from_utf8(text.to_vec()).unwrap()));
                }
            }
        }
    }
    texts
}

#[test]
fn the_store_keeps_the_logs_pseudonyms_and_no_ip_or_session_id() {
    let dir = tempfile::tempdir().unwrap();
    let secret = Secret::new("a-secret-of-the-test-32-bytes-long");
    let private = |c: Config| c.user_id_hmac_secret(secret.clone()).anonymize_ip(true);
    // The reports over the logs, told the pseudonym that means "no user".
    let scan = |window| Scan::new(window).pseudonymized(&Pseudonymizer::from_secret(&secret));
    let mut writer = writer(dir.path(), private);
    let first = day(0, 0, 0);
    traffic(&mut writer, &mut Dice(0x0dd_ba11), first + Duration::hours(8), first + Duration::hours(16), 200);
    writer.close();

    // The users the store names are the pseudonyms the lines carry, and none is a raw id.
    let lines = LogFiles::discover(dir.path().join("user_activity.log")).unwrap();
    let mut pseudonyms = std::collections::BTreeSet::new();
    for path in lines.paths() {
        for line in std::fs::read_to_string(path).unwrap().lines() {
            let line: Value = serde_json::from_str(line).unwrap();
            if let Some(user) = line["session"]["user_id"].as_str() {
                pseudonyms.insert(user.to_owned());
            }
        }
    }
    assert!(["ann", "bob", "carol", "dave", "eve"].iter().all(|raw| !pseudonyms.contains(*raw)));
    let store = UsageStore::open(dir.path().join("usage.db")).unwrap();
    let window = whole_day(first, 1);
    let summary = store.summary(window).unwrap();
    let named: std::collections::BTreeSet<String> = summary.users.iter().map(|u| u.user_id.clone()).collect();
    assert_eq!(named.len(), 5, "{named:?}");
    assert!(named.is_subset(&pseudonyms), "{named:?} are not the lines' {pseudonyms:?}");
    assert_same_reports_as(dir.path(), window, Interval::Hour, scan(window));

    let texts = stored_texts(&dir.path().join("usage.db"));
    for (table, text) in &texts {
        assert!(!text.contains("10.0."), "{table} holds an IP: {text:?}");
        assert!(!text.contains("s-"), "{table} holds a session id: {text:?}");
        for raw in ["ann", "bob", "carol", "dave", "eve"] {
            assert_ne!(text, raw, "{table} holds a raw user id");
        }
    }
    assert!(texts.iter().any(|(table, _)| table == "usage_salts"), "the open day has its salt");

    // Once the day is over (and a flush interval more), its salt and hashes are gone; its
    // distinct counts stay, and agree with the logs.
    let later = writer_at(dir.path(), private, first + Duration::days(2));
    later.close();
    let days = |store: &UsageStore| store.counts(window, Interval::Day).unwrap().days;
    let rolled = UsageStore::open(dir.path().join("usage.db")).unwrap();
    let logs = from_logs_as(dir.path(), Interval::Day, scan(window));
    assert_eq!(json(&days(&rolled)), json(&logs.counts.as_ref().unwrap().days));
    assert!(days(&rolled)[0].users >= 5);
    let connection = rusqlite::Connection::open(dir.path().join("usage.db")).unwrap();
    let left = |table: &str| -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE day = ?1");
        connection.query_row(&sql, [first.timestamp()], |row| row.get(0)).unwrap()
    };
    assert_eq!((left("usage_salts"), left("usage_seen")), (0, 0));
}
