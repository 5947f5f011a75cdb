//! The log file on disk: where it goes, what it holds, what happens when it cannot be opened.

mod common;

use std::fs;

use tracing_activity::{ActionType, Builder, Config, InitError, user_action};
use tracing_subscriber::prelude::*;

fn write_actions(config: Config) -> tracing_activity::ActivityGuard {
    let tracing_activity::Activity { layer, guard, .. } =
        Builder::new().config(config.enable_console_logging(false)).build().expect("builds");
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        user_action!(ActionType::Click, "one", user_id = "u1");
        user_action!(ActionType::Click, "two\nlines", user_id = "u1");
    });
    guard
}

#[test]
fn json_lines_are_appended_to_the_configured_path_with_directories_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/activity.log");
    let config = Config::default().user_activity_log_path(path.clone());
    drop(write_actions(config.clone()));
    drop(write_actions(config));
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<_> = text.lines().map(common::parse_strict).collect();
    assert_eq!(lines.len(), 4, "a second start appends: {text}");
    assert_eq!(lines[1]["action"]["description"], "two\nlines");
    assert!(text.ends_with('\n'));
}

#[cfg(unix)]
#[test]
fn a_new_file_is_not_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("activity.log");
    drop(write_actions(Config::default().user_activity_log_path(path.clone())));
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o007, 0, "mode {mode:o} lets others read personal data");
}

#[test]
fn narrative_file_when_json_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("activity.log");
    let guard =
        write_actions(Config::default().user_activity_log_path(path.clone()).enable_json_logging(false));
    assert_eq!(guard.close().file_lines, 2);
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("[INFO] 👆 User u1 clicked 'two\\nlines'"), "{text}");
}

#[test]
fn an_unopenable_path_is_an_init_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    fs::write(&blocker, b"a file where a directory should be").unwrap();
    let path = blocker.join("activity.log");
    let err = Builder::new()
        .config(Config::default().user_activity_log_path(path.clone()))
        .build()
        .expect_err("a file cannot be a directory");
    assert!(matches!(&err, InitError::LogFile { path: p, .. } if *p == path), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn file_logging_off_opens_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("activity.log");
    drop(write_actions(Config::default().user_activity_log_path(path.clone()).enable_file_logging(false)));
    assert!(!path.exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_only_file_system_is_an_init_error_even_for_root() {
    let path = std::path::Path::new("/proc/tracing-activity-test/user_activity.log");
    let err = Builder::new()
        .config(Config::default().user_activity_log_path(path))
        .build()
        .expect_err("nobody can create directories in /proc");
    assert!(matches!(&err, InitError::LogFile { path: p, .. } if p == path), "{err:?}");
    assert!(
        err.to_string().starts_with("cannot open the activity log file /proc/tracing-activity-test/"),
        "{err}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_loses_lines_counted_never_panics() {
    // /dev/full accepts the open and fails every write with ENOSPC.
    let guard = write_actions(Config::default().user_activity_log_path("/dev/full"));
    let stats = guard.close();
    assert_eq!((stats.file_lines, stats.file_write_errors, stats.file_unflushed), (0, 2, 0), "{stats:?}");
}

#[test]
fn an_invalid_config_set_in_code_is_refused_at_build() {
    let config = Config::default().very_slow_request_threshold(std::time::Duration::from_millis(10));
    let err = Builder::new().config(config).build().expect_err("very slow below slow");
    assert!(matches!(&err, InitError::Config(e) if e.variable() == "VERY_SLOW_REQUEST_THRESHOLD"), "{err:?}");
}
