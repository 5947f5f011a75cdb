//! Installing the layer globally: the guard, a second install, a bad RUST_LOG.

mod common;

use std::process::Command;

use common::Capture;
use tracing_activity::{ActionType, Builder, Config, InitError, user_action};

/// When set, the test binary was started by `a_bad_rust_log_is_a_filter_error` below.
const CHILD: &str = "TRACING_ACTIVITY_INIT_CHILD";

#[test]
fn try_init_installs_the_global_subscriber_once() {
    if std::env::var_os(CHILD).is_some() {
        // In the child: RUST_LOG is invalid, so try_init must say so.
        let err = Builder::new().config(Config::default().enable_file_logging(false)).try_init().unwrap_err();
        assert!(matches!(err, InitError::Filter { .. }), "{err:?}");
        println!("child saw: {err}");
        return;
    }
    let console = Capture::default();
    let guard = Builder::new()
        .config(Config::default().enable_file_logging(false))
        .console_writer(console.clone())
        .try_init()
        .expect("first install succeeds");
    user_action!(ActionType::Click, "global", user_id = "u1");
    assert_eq!(console.lines().len(), 1);
    assert!(console.text().contains("👆 User u1 clicked 'global'"));
    assert_eq!(guard.stats().console_lines, 1);

    let second = Builder::new().config(Config::default().enable_file_logging(false)).try_init();
    let err = second.expect_err("a second global subscriber is refused");
    assert!(matches!(err, InitError::Global(_)), "{err:?}");
    assert!(err.to_string().contains("global subscriber"), "{err}");

    // A bad RUST_LOG, in a child process so this process's environment stays untouched.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "try_init_installs_the_global_subscriber_once", "--nocapture"])
        .env(CHILD, "1")
        .env("RUST_LOG", "user_activity=LOUDEST")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("child saw: invalid RUST_LOG \"user_activity=LOUDEST\""), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}
