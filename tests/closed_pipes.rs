//! A console whose reader has gone (`app | head`) and a stderr that cannot be written to: the
//! layer never panics, counts every line it could not write, and tells stderr about failures
//! except the console's reader going away. Each case runs in a child process of its own, whose
//! stderr the test reads or closes.

use std::io::{self, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tracing_activity::{ActionType, ActivityGuard, Builder, Config, user_action};
use tracing_subscriber::prelude::*;

const SCENARIO: &str = "TRACING_ACTIVITY_PIPE_SCENARIO";

/// A writer whose every write fails with `kind` (`BrokenPipe`: the reader has gone).
struct Failing(io::ErrorKind);

impl Write for Failing {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(self.0))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn child_command(scenario: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", "child", "--ignored", "--nocapture", "--test-threads=1"]);
    command.env_remove("RUST_LOG").env(SCENARIO, scenario).stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

fn assert_passed(scenario: &str, out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{scenario}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 passed"), "{scenario} did not run: {stdout}");
}

/// Logs three actions through the layer of `activity`, after closing its log when `close`.
fn three_actions(activity: tracing_activity::Activity, close: bool) -> ActivityGuard {
    let tracing_activity::Activity { layer, guard, .. } = activity;
    if close {
        guard.close();
    }
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let span = tracing::info_span!("request", user_id = "u1");
        let _entered = span.enter();
        for n in 0..3 {
            user_action!(ActionType::Click, "next", n = n);
        }
    });
    guard
}

fn file_only(writer: impl Write + Send + 'static) -> tracing_activity::Activity {
    let config = Config::default().enable_console_logging(false);
    Builder::new().config(config).background_writer(writer).build().unwrap()
}

fn failing_console(kind: io::ErrorKind) -> Builder {
    Builder::new().config(Config::default().enable_file_logging(false)).console_writer(move || Failing(kind))
}

#[test]
#[ignore = "run by the other tests in a child process"]
fn child() {
    match std::env::var(SCENARIO).as_deref() {
        Ok("reader-gone") => {
            let guard = three_actions(failing_console(io::ErrorKind::BrokenPipe).build().unwrap(), false);
            let stats = guard.stats();
            assert_eq!((stats.console_lines, stats.console_write_errors), (0, 3));
            drop(guard);
        }
        Ok("console-fails") => {
            let guard =
                three_actions(failing_console(io::ErrorKind::PermissionDenied).build().unwrap(), false);
            assert_eq!(guard.stats().console_write_errors, 3);
            drop(guard);
        }
        Ok("stderr-closed") => {
            // Wait until the parent has closed its end of stderr.
            let start = Instant::now();
            while io::stderr().write_all(b"waiting for stderr to close\n").is_ok() {
                assert!(start.elapsed() < Duration::from_secs(60), "stderr was never closed");
                std::thread::sleep(Duration::from_millis(5));
            }
            // Every notice the layer can give: a console write error, the guard's summary,
            // a file write error (on the writer thread), a line logged after the log was closed.
            let guard =
                three_actions(failing_console(io::ErrorKind::PermissionDenied).build().unwrap(), false);
            assert_eq!(guard.stats().console_write_errors, 3);
            drop(guard);
            let guard = three_actions(file_only(Failing(io::ErrorKind::Other)), false);
            let stats = guard.close();
            assert_eq!(stats.file_write_errors, 3, "{stats:?}");
            let guard = three_actions(file_only(io::sink()), true);
            assert_eq!(guard.stats().file_dropped, 3);
        }
        other => panic!("unknown scenario {other:?}"),
    }
    println!("the child is done");
}

#[test]
fn a_console_whose_reader_has_gone_is_counted_and_not_told() {
    let out = child_command("reader-gone").output().unwrap();
    assert_passed("reader-gone", &out);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn other_console_errors_are_told_on_stderr() {
    let out = child_command("console-fails").output().unwrap();
    assert_passed("console-fails", &out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tracing-activity: cannot write to the console log"), "{stderr}");
    assert!(stderr.contains("3 console lines could not be written"), "{stderr}");
}

#[test]
fn a_closed_stderr_never_makes_the_layer_panic() {
    let mut child = child_command("stderr-closed").spawn().unwrap();
    drop(child.stderr.take());
    let out = child.wait_with_output().unwrap();
    assert_passed("stderr-closed", &out);
}
