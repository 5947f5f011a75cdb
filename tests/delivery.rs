//! Off-thread delivery through the bounded queue: drop and block policies, shutdown, write errors.

mod common;

use std::io;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_activity::{ActionType, ActivityGuard, Builder, Config, InitError, OverflowPolicy, user_action};
use tracing_subscriber::prelude::*;

/// A writer that keeps what it is given, optionally slowly or failing at first.
#[derive(Clone, Default)]
struct Target {
    out: Arc<Mutex<Vec<u8>>>,
    delay: Duration,
    /// Number of `write` calls that fail before writes succeed.
    failures: Arc<Mutex<u32>>,
}

impl Target {
    fn text(&self) -> String {
        String::from_utf8(self.out.lock().unwrap().clone()).unwrap()
    }

    fn action_lines(&self) -> usize {
        self.text().lines().filter(|l| common::parse_strict(l)["event"] == "user_action").count()
    }

    /// The counts announced by drop notices.
    fn announced_drops(&self) -> u64 {
        self.text()
            .lines()
            .map(common::parse_strict)
            .filter(|l| l["event"] == "lines_dropped")
            .map(|l| {
                assert_eq!(l["narrative"], format!("{} activity lines dropped: queue full", l["dropped"]));
                l["dropped"].as_u64().unwrap()
            })
            .sum()
    }
}

impl io::Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        std::thread::sleep(self.delay);
        let mut failures = self.failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            return Err(io::Error::new(io::ErrorKind::StorageFull, "no space left on device"));
        }
        self.out.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn start(config: Config, writer: impl io::Write + Send + 'static) -> (tracing::Dispatch, ActivityGuard) {
    let tracing_activity::Activity { layer, guard, .. } = Builder::new()
        .config(config.enable_console_logging(false))
        .background_writer(writer)
        .build()
        .expect("builds");
    (tracing::Dispatch::new(tracing_subscriber::registry().with(layer)), guard)
}

fn emit(dispatch: &tracing::Dispatch, n: u64) {
    tracing::dispatcher::with_default(dispatch, || {
        for seq in 0..n {
            user_action!(ActionType::Click, "button", seq);
        }
    });
}

#[test]
fn drop_policy_counts_every_dropped_line_and_says_so_in_the_file() {
    // The writer is held until every line has been logged, so the queue of 8 must overflow.
    let (go, gate) = mpsc::channel();
    let target = Target::default();
    let config = Config::default().log_queue_size(8).log_queue_overflow(OverflowPolicy::Drop);
    let (dispatch, guard) = start(config, Gate { go: gate, inner: target.clone() });
    emit(&dispatch, 500);
    drop(go);
    let stats = guard.close();
    assert_eq!(stats.file_lines + stats.file_dropped, 500, "{stats:?}");
    assert!(
        stats.file_dropped >= 500 - 2 * 8,
        "at most the queue and one batch (both <= 8) get through: {stats:?}"
    );
    assert_eq!(target.action_lines() as u64, stats.file_lines);
    assert_eq!(target.announced_drops(), stats.file_dropped, "{}", target.text());
}

#[test]
fn drops_under_a_slow_writer_are_announced_as_room_returns() {
    let target = Target { delay: Duration::from_millis(2), ..Target::default() };
    let config = Config::default().log_queue_size(4).log_queue_overflow(OverflowPolicy::Drop);
    let (dispatch, guard) = start(config, target.clone());
    for _ in 0..20 {
        emit(&dispatch, 20);
        std::thread::sleep(Duration::from_millis(3));
    }
    let stats = guard.close();
    assert_eq!(stats.file_lines + stats.file_dropped, 400, "{stats:?}");
    assert!(
        stats.file_dropped > 0,
        "bursts of 20 into a queue of 4 before a 2 ms writer drop lines: {stats:?}"
    );
    assert_eq!(target.announced_drops(), stats.file_dropped);
}

#[test]
fn block_policy_drops_nothing() {
    let target = Target { delay: Duration::from_millis(1), ..Target::default() };
    let config = Config::default().log_queue_size(4).log_queue_overflow(OverflowPolicy::Block);
    let (dispatch, guard) = start(config, target.clone());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| emit(&dispatch, 100));
        }
    });
    let stats = guard.close();
    assert_eq!((stats.file_lines, stats.file_dropped, stats.file_unflushed), (400, 0, 0));
    assert_eq!(target.action_lines(), 400);
    assert_eq!(target.announced_drops(), 0);
}

/// A writer that blocks until told to go on.
struct Gate {
    go: mpsc::Receiver<()>,
    inner: Target,
}

impl io::Write for Gate {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = self.go.recv();
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn shutdown_reports_exactly_the_lines_it_could_not_flush() {
    let (go, gate) = mpsc::channel();
    let target = Target::default();
    let config = Config::default().log_flush_timeout(Duration::from_millis(200));
    let (dispatch, guard) = start(config, Gate { go: gate, inner: target.clone() });
    emit(&dispatch, 50);
    let stats = guard.close();
    assert_eq!((stats.file_lines, stats.file_unflushed), (0, 50), "{stats:?}");

    // Lines logged after closing are dropped and counted, never written.
    emit(&dispatch, 3);
    assert_eq!(guard.stats().file_dropped, 3);

    // Once the writer moves again, the worker still writes what it had.
    drop(go);
    for _ in 0..100 {
        if target.action_lines() == 50 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(target.action_lines(), 50);
}

#[test]
fn shutdown_flushes_everything_in_time() {
    let target = Target { delay: Duration::from_micros(200), ..Target::default() };
    let (dispatch, guard) = start(Config::default(), target.clone());
    emit(&dispatch, 1_000);
    let stats = guard.close();
    assert_eq!((stats.file_lines, stats.file_unflushed, stats.file_queued), (1_000, 0, 0));
    assert_eq!(target.action_lines(), 1_000);
}

#[test]
fn a_failing_writer_is_counted_and_recovers() {
    // Each batch is tried twice, so four failing calls lose the first two batches.
    let target = Target { failures: Arc::new(Mutex::new(4)), ..Target::default() };
    let (dispatch, guard) = start(Config::default(), target.clone());
    for seq in 0..10u64 {
        tracing::dispatcher::with_default(&dispatch, || user_action!(ActionType::Click, "button", seq));
        assert_eq!(guard.flush(), 0, "one batch per line");
    }
    let stats = guard.close();
    assert_eq!((stats.file_lines, stats.file_write_errors), (8, 2), "{stats:?}");
    let seqs: Vec<u64> = target
        .text()
        .lines()
        .map(|l| common::parse_strict(l)["action"]["data"]["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (2..10).collect::<Vec<_>>());
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_an_init_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o500)).unwrap();
    if std::fs::write(logs.join("probe"), b"").is_ok() {
        eprintln!("running with privileges that ignore directory permissions: nothing to check");
        return;
    }
    let path = logs.join("user_activity.log");
    let err = Builder::new()
        .config(Config::default().user_activity_log_path(path.clone()))
        .build()
        .expect_err("a read-only directory cannot hold the log");
    assert!(
        matches!(&err, InitError::LogFile { path: p, source } if *p == path && source.kind() == io::ErrorKind::PermissionDenied)
    );
    assert!(err.to_string().contains(&path.display().to_string()));
}

/// Takes part of the first line, then fails twice, then works.
#[derive(Clone, Default)]
struct CutsFirstLine {
    out: Arc<Mutex<Vec<u8>>>,
    calls: Arc<Mutex<u32>>,
}

impl io::Write for CutsFirstLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut calls = self.calls.lock().unwrap();
        *calls += 1;
        match *calls {
            1 => {
                self.out.lock().unwrap().extend_from_slice(&buf[..10]);
                Ok(10)
            }
            2 | 3 => Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone")),
            _ => {
                self.out.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_line_cut_by_a_failing_writer_does_not_spoil_the_next() {
    let writer = CutsFirstLine::default();
    let (dispatch, guard) = start(Config::default(), writer.clone());
    emit(&dispatch, 1);
    assert_eq!(guard.flush(), 0);
    emit(&dispatch, 1);
    let stats = guard.close();
    assert_eq!((stats.file_lines, stats.file_write_errors), (1, 1));
    let text = String::from_utf8(writer.out.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text:?}");
    assert_eq!(lines[0].len(), 10, "the cut line ends where the writer failed");
    assert_eq!(common::parse_strict(lines[1])["event"], "user_action");
}

/// Writes at once and takes two seconds to flush.
struct SlowFlush;

impl io::Write for SlowFlush {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        std::thread::sleep(Duration::from_secs(2));
        Ok(())
    }
}

#[test]
fn close_keeps_to_its_timeout_with_a_slow_flush() {
    let config = Config::default().log_flush_timeout(Duration::from_millis(100));
    let (dispatch, guard) = start(config, SlowFlush);
    emit(&dispatch, 1);
    std::thread::sleep(Duration::from_millis(2_500)); // written and flushed: the queue is idle
    let started = std::time::Instant::now();
    let stats = guard.close();
    assert_eq!(stats.file_unflushed, 0);
    assert!(started.elapsed() < Duration::from_millis(1_000), "close took {:?}", started.elapsed());
}
