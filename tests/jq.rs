//! The README's jq recipes, run unchanged with the real `jq` on a file the layer wrote.

use std::process::Command;

use tracing_activity::config::LogFormat;
use tracing_activity::{ActionType, Builder, Config, log_error, user_action};
use tracing_subscriber::prelude::*;

fn jq_available() -> bool {
    Command::new("jq").arg("--version").output().is_ok_and(|o| o.status.success())
}

fn sh(dir: &std::path::Path, script: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(script).current_dir(dir).output().expect("sh runs");
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The recipes' actions, written to `dir/user_activity.log` in `format`.
fn write_actions(dir: &std::path::Path, format: LogFormat) {
    let config = Config::default()
        .enable_console_logging(false)
        .user_activity_log_path(dir.join("user_activity.log"))
        .log_format(format);
    let tracing_activity::Activity { layer, guard, .. } = Builder::new().config(config).build().unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let span = tracing::info_span!("request", user_id = "user123");
        let entered = span.enter();
        user_action!(ActionType::ApiCall, "GET /a", duration_ms = 45.32);
        user_action!(ActionType::ApiCall, "GET /slow", duration_ms = 1500.5);
        user_action!(ActionType::Search, "q \"quoted\"\nnewline");
        drop(entered);
        user_action!(ActionType::ApiCall, "GET /b", user_id = "user456", duration_ms = 2000);
        log_error!("ValidationError", "Query cannot be empty");
    });
    drop(guard);
}

#[test]
fn the_demos_slow_request_recipe_for_ecs_lines_finds_the_same_actions() {
    if !jq_available() {
        assert!(std::env::var_os("CI").is_none(), "CI must have jq installed (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_actions(dir.path(), LogFormat::Ecs);
    let slow = sh(
        dir.path(),
        "jq -r 'select(.event.duration > 1000000000) | .activity.description' user_activity.log",
    );
    assert_eq!(slow.lines().collect::<Vec<_>>(), ["GET /slow", "GET /b"]);
    let journey = sh(dir.path(), "jq -c 'select(.user.id == \"user123\")' user_activity.log");
    assert_eq!(journey.lines().count(), 3);
}

#[test]
fn readme_jq_recipes_work_on_the_log_file() {
    if !jq_available() {
        assert!(std::env::var_os("CI").is_none(), "CI must have jq installed (.ci/run installs it)");
        eprintln!("jq is not installed: skipping the jq recipes");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_actions(dir.path(), LogFormat::Activity);

    let counts = sh(dir.path(), "jq '.action.action_type' user_activity.log | sort | uniq -c");
    let counts: Vec<(u32, String)> = counts
        .lines()
        .map(|l| {
            let (n, ty) = l.trim().split_once(' ').unwrap();
            (n.parse().unwrap(), ty.to_owned())
        })
        .collect();
    assert_eq!(
        counts,
        [(3, "\"api_call\"".to_owned()), (1, "\"error\"".to_owned()), (1, "\"search\"".to_owned())]
    );

    let slow = sh(dir.path(), "jq -c 'select(.action.duration_ms > 1000)' user_activity.log");
    let slow: Vec<serde_json::Value> = slow.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let described: Vec<_> = slow.iter().map(|l| l["action"]["description"].as_str().unwrap()).collect();
    assert_eq!(described, ["GET /slow", "GET /b"]);

    let journey = sh(dir.path(), "jq -c 'select(.session.user_id == \"user123\")' user_activity.log");
    assert_eq!(journey.lines().count(), 3);
    assert!(journey.contains("q \\\"quoted\\\"\\nnewline"));
}
