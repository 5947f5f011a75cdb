//! Installing the layer globally, each case in a child process of its own (a process has one
//! global subscriber, and the environment stays untouched): the guard, a second install, a bad
//! `RUST_LOG`, and the default filter.

use std::process::Command;

use tracing_activity::{ActionType, Builder, Config, InitError, user_action};

const SCENARIO: &str = "TRACING_ACTIVITY_INIT_SCENARIO";

/// Runs `child` in a fresh process with `env`, returning its stdout.
fn run_child(scenario: &str, env: &[(&str, &str)]) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", "child", "--ignored", "--nocapture", "--test-threads=1"]);
    command.env_remove("RUST_LOG").env_remove("NO_COLOR").env(SCENARIO, scenario);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{scenario}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 passed"), "{scenario} did not run: {stdout}");
    stdout
}

#[test]
#[ignore = "run by the other tests in a child process"]
fn child() {
    let no_file = || Builder::new().config(Config::default().enable_file_logging(false));
    match std::env::var(SCENARIO).as_deref() {
        Ok("install") => {
            let guard = no_file().try_init().expect("first install succeeds");
            let span = tracing::info_span!("request", user_id = "u1");
            span.in_scope(|| user_action!(ActionType::Click, "global"));
            assert_eq!(guard.stats().console_lines, 1);
            let err = no_file().try_init().expect_err("a second global subscriber is refused");
            assert!(matches!(err, InitError::Global(_)), "{err:?}");
            println!("second install: {err}");
        }
        Ok("bad-rust-log") => {
            let err = no_file().try_init().unwrap_err();
            assert!(matches!(err, InitError::Filter { .. }), "{err:?}");
            println!("child saw: {err}");
        }
        Ok("from-env") => {
            let _guard = tracing_activity::try_init().expect("installs from the environment");
            let span = tracing::info_span!("request", user_id = "u7");
            span.in_scope(|| {
                user_action!(ActionType::Click, "quiet at INFO");
                user_action!(level: tracing::Level::DEBUG, ActionType::ApiCall, "GET /slow", duration_ms = 9_000u128);
            });
        }
        other => panic!("unknown scenario {other:?}"),
    }
}

#[test]
fn try_init_installs_once_and_writes_to_stdout() {
    let stdout = run_child("install", &[]);
    assert!(stdout.contains("[INFO] 👆 User u1 clicked 'global'"), "{stdout}");
    assert!(stdout.contains("second install: cannot install the global subscriber"), "{stdout}");
}

#[test]
fn a_bad_rust_log_is_a_filter_error() {
    let stdout = run_child("bad-rust-log", &[("RUST_LOG", "user_activity=LOUDEST")]);
    assert!(stdout.contains("child saw: invalid RUST_LOG \"user_activity=LOUDEST\""), "{stdout}");
}

#[test]
fn the_default_filter_keeps_sessions_and_slow_actions_of_a_quiet_console() {
    let stdout = run_child(
        "from-env",
        &[("CONSOLE_LOG_LEVEL", "warn"), ("ENABLE_FILE_LOGGING", "false"), ("ENABLE_TIMESTAMPS", "false")],
    );
    assert!(!stdout.contains("quiet at INFO"), "{stdout}");
    assert!(
        stdout.contains(
            "[WARN] 🔌 User u7 made API call to 'GET /slow' → ✅ Result: Success (took 9000.00ms) 🚨 VERY SLOW"
        ),
        "a DEBUG action raised by its duration, inside an INFO span: {stdout}"
    );
}
