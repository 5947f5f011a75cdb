//! The usage store on a real PostgreSQL server, written by two processes at once: their counts
//! add up in the shared rows, and a user seen by both counts once. The reports over the two
//! processes' log files together are the oracle.
//!
//! The server comes from `TEST_POSTGRES_URL` (`.ci/run` starts one with `.ci/postgres`); each
//! test makes a database of its own there. In CI a missing server is a failure; elsewhere the
//! tests say they were skipped.
#![cfg(all(feature = "postgres", feature = "http"))]

mod common;

use std::path::Path;
use std::process::Command;

use chrono::Duration;
use common::logs::{Dice, LogWriter, day, traffic};
use serde_json::Value;
use tracing_activity::report::{Interval, LogFiles, Scan, Window};
use tracing_activity::usage::UsageStore;
use tracing_activity::{Config, Secret};

/// The server's URL, or `None` (outside CI only) to skip.
fn server() -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("TEST_POSTGRES_URL is not set: .ci/run starts a server")
        }
        _ => {
            eprintln!("skipped: set TEST_POSTGRES_URL (bash .ci/postgres start) to run the PostgreSQL tests");
            None
        }
    }
}

/// A new, empty database on the server; its URL.
fn fresh_database(server: &str, name: &str) -> String {
    let mut client = postgres::Client::connect(server, postgres::NoTls).expect("the test server answers");
    let name = format!("{name}_{}", std::process::id());
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    format!("{base}/{name}")
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

/// One writer process: its share of the day's traffic, into `dir/writer-N.log` and the store.
#[test]
#[ignore = "run by two_processes_add_to_one_store"]
fn writer() {
    let (Ok(url), Ok(n), Ok(dir)) = (
        std::env::var("USAGE_TEST_URL"),
        std::env::var("USAGE_TEST_WRITER"),
        std::env::var("USAGE_TEST_DIR"),
    ) else {
        return;
    };
    let n: u64 = n.parse().unwrap();
    let log = Path::new(&dir).join(format!("writer-{n}.log"));
    let mut writer =
        LogWriter::new(&log, 1 << 30, |c: Config| c.usage_database_url(Secret::new(url.as_str())));
    let from = day(8, 0, 0) + Duration::minutes(n as i64 * 30);
    traffic(&mut writer, &mut Dice(0x2545_f491_4f6c_dd1d + n * 7919), from, from + Duration::hours(5), 300);
    writer.close();
}

#[test]
fn two_processes_add_to_one_store() {
    let Some(server) = server() else { return };
    let url = fresh_database(&server, "usage_two_writers");
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (1..=2)
        .map(|n| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "writer", "--ignored", "--nocapture"])
                .env("USAGE_TEST_URL", &url)
                .env("USAGE_TEST_WRITER", n.to_string())
                .env("USAGE_TEST_DIR", dir.path())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer failed");
    }

    // The two logs as one: the reports read lines in any order.
    let combined = dir.path().join("both.log");
    let mut text = String::new();
    for n in 1..=2 {
        text += &std::fs::read_to_string(dir.path().join(format!("writer-{n}.log"))).unwrap();
    }
    std::fs::write(&combined, text).unwrap();
    let window = Window::new(day(0, 0, 0), day(0, 0, 0) + Duration::days(1));
    let logs = Scan::new(window)
        .summary()
        .usage()
        .counts(Interval::Hour)
        .run(&LogFiles::discover(&combined).unwrap())
        .unwrap();
    assert!(logs.lines.in_window > 500, "{} actions", logs.lines.in_window);

    let store = UsageStore::connect(&url).unwrap();
    assert_eq!(store.schema_version().unwrap(), 1);
    let summary = json(&store.summary(window).unwrap());
    assert!(summary["total_requests"].as_u64().unwrap() > 400);
    assert_eq!(summary, json(logs.summary.as_ref().unwrap()));
    assert_eq!(json(&store.counts(window, Interval::Hour).unwrap()), json(logs.counts.as_ref().unwrap()));
    let usage = |v: Value| v["summary"].clone();
    assert_eq!(usage(json(&store.usage(window).unwrap())), usage(json(logs.usage.as_ref().unwrap())));
}

#[test]
fn a_bad_url_is_a_clear_error_without_the_password() {
    let Some(_) = server() else { return };
    let error = UsageStore::connect("postgres://app:hunter2@127.0.0.1:1/usage").unwrap_err().to_string();
    assert!(error.contains("127.0.0.1:1") && !error.contains("hunter2"), "{error}");
}
