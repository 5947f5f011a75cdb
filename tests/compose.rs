//! The layer among others: EnvFilter, fmt, per-sink levels, ordinary events, anonymous users.

mod common;

use common::{Capture, Harness, layer_for};
use tracing::Level;
use tracing_activity::{ActionType, Builder, Config, user_action};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::{EnvFilter, prelude::*};

#[test]
fn composes_with_env_filter_and_fmt() {
    let (activity, _guard, console, file) = layer_for(Config::default());
    let fmt_out = Capture::default();
    let subscriber = tracing_subscriber::registry()
        .with(EnvFilter::new("info,noisy=off"))
        .with(activity)
        .with(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(fmt_out.clone()));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", user_id = "user123");
        let _e = span.enter();
        tracing::info!("an ordinary event");
        tracing::debug!(target: "user_activity", action_type = "click", "filtered out by EnvFilter");
        user_action!(ActionType::Click, "submit-button");
    });
    assert_eq!(console.lines().len(), 1, "{:?}", console.lines());
    assert!(console.text().contains("👆 User user123 clicked 'submit-button'"));
    assert_eq!(file.json().len(), 1);
    let fmt_text = fmt_out.text();
    assert!(fmt_text.contains("an ordinary event"), "{fmt_text}");
    assert!(
        fmt_text.contains("action_type=\"click\"") && fmt_text.contains("user_id=\"user123\""),
        "fmt sees actions too: {fmt_text}"
    );
    assert!(!fmt_text.contains("filtered out"));
}

#[test]
fn each_sink_has_its_own_level() {
    let h = Harness::new(
        Config::default().console_log_level(LevelFilter::WARN).file_log_level(LevelFilter::DEBUG),
    );
    h.run(|| {
        user_action!(level: Level::DEBUG, ActionType::Click, "debug");
        user_action!(ActionType::Click, "info");
        user_action!(level: Level::WARN, ActionType::Click, "warn");
        user_action!(level: Level::TRACE, ActionType::Click, "trace");
        user_action!(ActionType::ApiCall, "slow info", duration_ms = 1200);
    });
    let console: Vec<_> = h.console.lines();
    assert_eq!(console.len(), 2, "{console:?}");
    assert!(console[0].contains("'warn'") && console[1].contains("'slow info'"));
    let file: Vec<_> =
        h.file.json().iter().map(|l| l["action"]["description"].as_str().unwrap().to_owned()).collect();
    assert_eq!(file, ["debug", "info", "warn", "slow info"]);
    assert_eq!(h.guard.stats().console_lines, 2);
    assert_eq!(h.guard.stats().file_lines, 4);
}

#[test]
fn disabled_sinks_write_nothing() {
    let h = Harness::new(Config::default().enable_console_logging(false));
    h.run(|| user_action!(ActionType::Click, "x"));
    assert_eq!(h.console.text(), "");
    assert_eq!(h.file.json().len(), 1);
    let h = Harness::new(Config::default().enable_file_logging(false));
    h.run(|| user_action!(ActionType::Click, "x"));
    assert_eq!(h.file.text(), "");
    assert_eq!(h.console.lines().len(), 1);
}

#[test]
fn ordinary_events_are_ignored_unless_narrated() {
    let h = Harness::new(Config::default());
    h.run(|| tracing::info!(user_id = "u1", "cache warmed"));
    assert_eq!(h.console.text(), "");
    assert_eq!(h.file.text(), "");

    let h = Harness::with(Builder::new().narrate_events(true).utc_offset(common::utc()));
    h.run(|| tracing::info!(user_id = "u1", entries = 42, "cache warmed"));
    assert_eq!(h.console.text(), "[INFO] 💬 User u1 logged 'cache warmed' at 14:30:25\n");
    let line = h.only_json();
    assert_eq!(line["event"], "log");
    assert_eq!(line["action"]["data"]["entries"], 42);
}

#[test]
fn anonymous_actions_can_be_left_out() {
    let h = Harness::new(Config::default().track_anonymous_users(false));
    h.run(|| {
        user_action!(ActionType::Click, "anonymous", ip_address = "10.0.0.1");
        user_action!(ActionType::Click, "empty id", user_id = "");
        user_action!(ActionType::Click, "known", user_id = "u1");
    });
    let lines = h.console.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("'known'"));
}
